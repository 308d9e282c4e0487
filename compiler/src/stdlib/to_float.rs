//! `to_float`: Converts to a float.

use super::{Builtin, Example, SigTy, Signature};

pub const TO_FLOAT: Builtin = Builtin {
    name: "to_float",
    signatures: &[
        Signature {
            params: &[("x", SigTy::String)],
            required: 1,
            ret: SigTy::Float,
        },
        Signature {
            params: &[("x", SigTy::Int)],
            required: 1,
            ret: SigTy::Float,
        },
        Signature {
            params: &[("x", SigTy::Float)],
            required: 1,
            ret: SigTy::Float,
        },
        Signature {
            params: &[("x", SigTy::Json)],
            required: 1,
            ret: SigTy::Float,
        },
    ],
    doc: r#"Converts to a float. Strings must hold a number; json must be a number or a numeric string. Anything else fails the row."#,
    fallible: true,
    examples: &[
        Example {
            call: r#"to_float("2.5")"#,
            result: r#"2.5"#,
        },
        Example {
            call: r#"to_float(3)"#,
            result: r#"3.0"#,
        },
    ],
};
