//! `lower`: Lowercases a string, with full Unicode case mapping.

use super::{Builtin, Example, SigTy, Signature};

pub const LOWER: Builtin = Builtin {
    name: "lower",
    signatures: &[Signature {
        params: &[("s", SigTy::String)],
        required: 1,
        ret: SigTy::String,
    }],
    doc: r#"Lowercases a string, with full Unicode case mapping."#,
    fallible: false,
    examples: &[Example {
        call: r#"lower("ÀBC")"#,
        result: r#""àbc""#,
    }],
};
