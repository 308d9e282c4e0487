//! `to_int`: Converts to an int.

use super::{Builtin, Example, SigTy, Signature};

pub const TO_INT: Builtin = Builtin {
    name: "to_int",
    signatures: &[
        Signature {
            params: &[("x", SigTy::String)],
            required: 1,
            ret: SigTy::Int,
        },
        Signature {
            params: &[("x", SigTy::Float)],
            required: 1,
            ret: SigTy::Int,
        },
        Signature {
            params: &[("x", SigTy::Int)],
            required: 1,
            ret: SigTy::Int,
        },
        Signature {
            params: &[("x", SigTy::Json)],
            required: 1,
            ret: SigTy::Int,
        },
    ],
    doc: r#"Converts to an int. Strings must hold an integer; floats are truncated toward zero and must be finite and in range; json must be a number or a numeric string. Anything else fails the row."#,
    fallible: true,
    examples: &[
        Example {
            call: r#"to_int("42")"#,
            result: r#"42"#,
        },
        Example {
            call: r#"to_int(2.9)"#,
            result: r#"2"#,
        },
        Example {
            call: r#"to_int("x") ?? -1"#,
            result: r#"-1"#,
        },
    ],
};
