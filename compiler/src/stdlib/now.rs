//! `now`: The time the current batch started processing (the same for every row of a batch).

use super::{Builtin, Example, SigTy, Signature};

pub const NOW: Builtin = Builtin {
    name: "now",
    signatures: &[Signature {
        params: &[],
        required: 0,
        ret: SigTy::Timestamp,
    }],
    doc: r#"The time the current batch started processing (the same for every row of a batch)."#,
    fallible: false,
    examples: &[Example {
        call: r#"now() > @2020-01-01T00:00:00Z"#,
        result: r#"true"#,
    }],
};
