//! `max`: The larger of two numbers (an int and a float give a float).

use super::{Builtin, Example, SigTy, Signature};

pub const MAX: Builtin = Builtin {
    name: "max",
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
    doc: r#"The larger of two numbers (an int and a float give a float)."#,
    fallible: false,
    examples: &[Example {
        call: r#"max(3, 5)"#,
        result: r#"5"#,
    }],
};
