//! `clamp`: `x` limited to the range `low..=high`.

use super::{Builtin, Example, SigTy, Signature};

pub const CLAMP: Builtin = Builtin {
    name: "clamp",
    signatures: &[
        Signature {
            params: &[("x", SigTy::Int), ("low", SigTy::Int), ("high", SigTy::Int)],
            required: 3,
            ret: SigTy::Int,
        },
        Signature {
            params: &[
                ("x", SigTy::Float),
                ("low", SigTy::Float),
                ("high", SigTy::Float),
            ],
            required: 3,
            ret: SigTy::Float,
        },
    ],
    doc: r#"`x` limited to the range `low..=high`."#,
    fallible: false,
    examples: &[
        Example {
            call: r#"clamp(15, 0, 10)"#,
            result: r#"10"#,
        },
        Example {
            call: r#"clamp(-0.5, 0.0, 1.0)"#,
            result: r#"0.0"#,
        },
    ],
};
