//! `format_timestamp`: Formats a timestamp (UTC) with a `strftime` format.

use super::{Builtin, Example, SigTy, Signature};

pub const FORMAT_TIMESTAMP: Builtin = Builtin {
    name: "format_timestamp",
    signatures: &[Signature {
        params: &[("t", SigTy::Timestamp), ("format", SigTy::String)],
        required: 2,
        ret: SigTy::String,
    }],
    doc: r#"Formats a timestamp (UTC) with a `strftime` format."#,
    fallible: false,
    examples: &[Example {
        call: r#"format_timestamp(@2026-01-02T03:04:05Z, "%Y-%m-%d")"#,
        result: r#""2026-01-02""#,
    }],
};
