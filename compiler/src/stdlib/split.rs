//! `split`: Splits a string at every occurrence of `separator`.

use super::{Builtin, Example, SigTy, Signature};

pub const SPLIT: Builtin = Builtin {
    name: "split",
    signatures: &[Signature {
        params: &[("s", SigTy::String), ("separator", SigTy::String)],
        required: 2,
        ret: SigTy::StringList,
    }],
    doc: r#"Splits a string at every occurrence of `separator`."#,
    fallible: false,
    examples: &[Example {
        call: r#"split("a,b,c", ",")"#,
        result: r#"["a", "b", "c"]"#,
    }],
};
