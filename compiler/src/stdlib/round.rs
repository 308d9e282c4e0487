//! `round`: Rounds to `digits` decimal places (default 0), half away from zero.

use super::{Builtin, Example, SigTy, Signature};

pub const ROUND: Builtin = Builtin {
    name: "round",
    signatures: &[Signature {
        params: &[("x", SigTy::Float), ("digits", SigTy::Int)],
        required: 1,
        ret: SigTy::Float,
    }],
    doc: r#"Rounds to `digits` decimal places (default 0), half away from zero."#,
    fallible: false,
    examples: &[
        Example {
            call: r#"round(2.345, 2)"#,
            result: r#"2.35"#,
        },
        Example {
            call: r#"round(-2.5)"#,
            result: r#"-3.0"#,
        },
    ],
};
