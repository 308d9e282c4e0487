//! `starts_with`: Whether a string starts with a prefix.

use super::{Builtin, Example, SigTy, Signature};

pub const STARTS_WITH: Builtin = Builtin {
    name: "starts_with",
    signatures: &[Signature {
        params: &[("s", SigTy::String), ("prefix", SigTy::String)],
        required: 2,
        ret: SigTy::Bool,
    }],
    doc: r#"Whether a string starts with a prefix."#,
    fallible: false,
    examples: &[Example {
        call: r#"starts_with("KSEA", "K")"#,
        result: r#"true"#,
    }],
};
