//! `abs`: The absolute value.

use super::{Builtin, Example, SigTy, Signature};

pub const ABS: Builtin = Builtin {
    name: "abs",
    signatures: &[
        Signature {
            params: &[("x", SigTy::Int)],
            required: 1,
            ret: SigTy::Int,
        },
        Signature {
            params: &[("x", SigTy::Float)],
            required: 1,
            ret: SigTy::Float,
        },
    ],
    doc: r#"The absolute value. `abs` of the smallest int overflows and fails the row."#,
    fallible: true,
    examples: &[
        Example {
            call: r#"abs(-3)"#,
            result: r#"3"#,
        },
        Example {
            call: r#"abs(-2.5)"#,
            result: r#"2.5"#,
        },
    ],
};
