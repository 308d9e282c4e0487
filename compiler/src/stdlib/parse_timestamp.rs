//! `parse_timestamp`: Parses a timestamp: RFC 3339 without a format, else a `strftime` format (`%Y-%m-%d %H:%M:%S`); times without an offset are UTC.

use super::{Builtin, Example, SigTy, Signature};

pub const PARSE_TIMESTAMP: Builtin = Builtin {
    name: "parse_timestamp",
    signatures: &[Signature {
        params: &[("s", SigTy::String), ("format", SigTy::String)],
        required: 1,
        ret: SigTy::Timestamp,
    }],
    doc: r#"Parses a timestamp: RFC 3339 without a format, else a `strftime` format (`%Y-%m-%d %H:%M:%S`); times without an offset are UTC. A string that does not parse fails the row."#,
    fallible: true,
    examples: &[
        Example {
            call: r#"parse_timestamp("2026-01-01T00:00:00Z")"#,
            result: r#"@2026-01-01T00:00:00Z"#,
        },
        Example {
            call: r#"parse_timestamp("2026-01-01 12:00", "%Y-%m-%d %H:%M")"#,
            result: r#"@2026-01-01T12:00:00Z"#,
        },
    ],
};
