//! `matches`: Whether a string matches a regular expression (Rust `regex` syntax, unanchored).

use super::{Builtin, Example, SigTy, Signature};

pub const MATCHES: Builtin = Builtin {
    name: "matches",
    signatures: &[Signature {
        params: &[("s", SigTy::String), ("pattern", SigTy::String)],
        required: 2,
        ret: SigTy::Bool,
    }],
    doc: r#"Whether a string matches a regular expression (Rust `regex` syntax, unanchored). An invalid pattern fails the row."#,
    fallible: true,
    examples: &[Example {
        call: r#"matches("KSEA", "^K[A-Z]{3}$")"#,
        result: r#"true"#,
    }],
};
