//! `upper`: Uppercases a string, with full Unicode case mapping (`ß` becomes `SS`).

use super::{Builtin, Example, SigTy, Signature};

pub const UPPER: Builtin = Builtin {
    name: "upper",
    signatures: &[Signature {
        params: &[("s", SigTy::String)],
        required: 1,
        ret: SigTy::String,
    }],
    doc: r#"Uppercases a string, with full Unicode case mapping (`ß` becomes `SS`)."#,
    fallible: false,
    examples: &[Example {
        call: r#"upper("straße")"#,
        result: r#""STRASSE""#,
    }],
};
