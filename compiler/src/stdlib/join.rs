//! `join`: Joins strings with a separator between them.

use super::{Builtin, Example, SigTy, Signature};

pub const JOIN: Builtin = Builtin {
    name: "join",
    signatures: &[Signature {
        params: &[("parts", SigTy::StringList), ("separator", SigTy::String)],
        required: 2,
        ret: SigTy::String,
    }],
    doc: r#"Joins strings with a separator between them."#,
    fallible: false,
    examples: &[Example {
        call: r#"join(["a", "b"], "-")"#,
        result: r#""a-b""#,
    }],
};
