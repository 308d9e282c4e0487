//! `min`: The smaller of two numbers (an int and a float give a float).

use super::{Builtin, Example, SigTy, Signature};

pub const MIN: Builtin = Builtin {
    name: "min",
    signatures: &[
        Signature {
            params: &[("a", SigTy::Int), ("b", SigTy::Int)],
            required: 2,
            ret: SigTy::Int,
        },
        Signature {
            params: &[("a", SigTy::Float), ("b", SigTy::Float)],
            required: 2,
            ret: SigTy::Float,
        },
    ],
    doc: r#"The smaller of two numbers (an int and a float give a float)."#,
    fallible: false,
    examples: &[
        Example {
            call: r#"min(3, 5)"#,
            result: r#"3"#,
        },
        Example {
            call: r#"min(1, 0.5)"#,
            result: r#"0.5"#,
        },
    ],
};
