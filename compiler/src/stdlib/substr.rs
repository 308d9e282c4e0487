//! `substr`: The `count` characters starting at character `start` (from 0).

use super::{Builtin, Example, SigTy, Signature};

pub const SUBSTR: Builtin = Builtin {
    name: "substr",
    signatures: &[Signature {
        params: &[
            ("s", SigTy::String),
            ("start", SigTy::Int),
            ("count", SigTy::Int),
        ],
        required: 3,
        ret: SigTy::String,
    }],
    doc: r#"The `count` characters starting at character `start` (from 0). Out-of-range parts are cut off: the result may be shorter; a negative `start` or `count` fails the row."#,
    fallible: true,
    examples: &[
        Example {
            call: r#"substr("weather", 0, 3)"#,
            result: r#""wea""#,
        },
        Example {
            call: r#"substr("héllo", 1, 10)"#,
            result: r#""éllo""#,
        },
    ],
};
