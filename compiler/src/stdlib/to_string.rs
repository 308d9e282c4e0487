//! `to_string`: Formats a scalar like string interpolation does (`1.5`, `true`, RFC 3339 timestamps, `90m` durations); json is written as JSON text, except that a json string gives its contents.

use super::{Builtin, Example, SigTy, Signature};

pub const TO_STRING: Builtin = Builtin {
    name: "to_string",
    signatures: &[
        Signature {
            params: &[("x", SigTy::Scalar)],
            required: 1,
            ret: SigTy::String,
        },
        Signature {
            params: &[("x", SigTy::Json)],
            required: 1,
            ret: SigTy::String,
        },
    ],
    doc: r#"Formats a scalar like string interpolation does (`1.5`, `true`, RFC 3339 timestamps, `90m` durations); json is written as JSON text, except that a json string gives its contents."#,
    fallible: false,
    examples: &[
        Example {
            call: r#"to_string(42)"#,
            result: r#""42""#,
        },
        Example {
            call: r#"to_string(90m)"#,
            result: r#""1h30m""#,
        },
    ],
};
