//! `replace`: Replaces every occurrence of `from` by `to`.

use super::{Builtin, Example, SigTy, Signature};

pub const REPLACE: Builtin = Builtin {
    name: "replace",
    signatures: &[Signature {
        params: &[
            ("s", SigTy::String),
            ("from", SigTy::String),
            ("to", SigTy::String),
        ],
        required: 3,
        ret: SigTy::String,
    }],
    doc: r#"Replaces every occurrence of `from` by `to`."#,
    fallible: false,
    examples: &[Example {
        call: r#"replace("a-b-c", "-", "_")"#,
        result: r#""a_b_c""#,
    }],
};
