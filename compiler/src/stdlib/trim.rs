//! `trim`: Removes leading and trailing whitespace.

use super::{Builtin, Example, SigTy, Signature};

pub const TRIM: Builtin = Builtin {
    name: "trim",
    signatures: &[Signature {
        params: &[("s", SigTy::String)],
        required: 1,
        ret: SigTy::String,
    }],
    doc: r#"Removes leading and trailing whitespace."#,
    fallible: false,
    examples: &[Example {
        call: r#"trim("  a b ")"#,
        result: r#""a b""#,
    }],
};
