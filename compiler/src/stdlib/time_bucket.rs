//! `time_bucket`: The start of the `width`-long bucket holding `t`, counted from the Unix epoch; TimescaleDB's argument order.

use super::{Builtin, Example, SigTy, Signature};

pub const TIME_BUCKET: Builtin = Builtin {
    name: "time_bucket",
    signatures: &[Signature {
        params: &[("width", SigTy::Duration), ("t", SigTy::Timestamp)],
        required: 2,
        ret: SigTy::Timestamp,
    }],
    doc: r#"The start of the `width`-long bucket holding `t`, counted from the Unix epoch; TimescaleDB's argument order. A zero or negative width fails the row."#,
    fallible: true,
    examples: &[Example {
        call: r#"time_bucket(1h, @2026-01-01T10:42:00Z)"#,
        result: r#"@2026-01-01T10:00:00Z"#,
    }],
};
