//! `get`: Reads a value from json by a path like `"a.b[0].c"`; null when any part is missing.

use super::{Builtin, Example, SigTy, Signature};

pub const GET: Builtin = Builtin {
    name: "get",
    signatures: &[Signature {
        params: &[("j", SigTy::Json), ("path", SigTy::String)],
        required: 2,
        ret: SigTy::NullableJson,
    }],
    doc: r#"Reads a value from json by a path like `"a.b[0].c"`; null when any part is missing."#,
    fallible: false,
    examples: &[Example {
        call: r#"get(j, "a.b[0]")"#,
        result: r#"(the first element of a.b)"#,
    }],
};
