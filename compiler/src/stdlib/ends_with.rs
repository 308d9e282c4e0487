//! `ends_with`: Whether a string ends with a suffix.

use super::{Builtin, Example, SigTy, Signature};

pub const ENDS_WITH: Builtin = Builtin {
    name: "ends_with",
    signatures: &[Signature {
        params: &[("s", SigTy::String), ("suffix", SigTy::String)],
        required: 2,
        ret: SigTy::Bool,
    }],
    doc: r#"Whether a string ends with a suffix."#,
    fallible: false,
    examples: &[Example {
        call: r#"ends_with("data.csv", ".csv")"#,
        result: r#"true"#,
    }],
};
