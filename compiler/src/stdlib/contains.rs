//! `contains`: Whether a string contains a substring, or a list contains an element.

use super::{Builtin, Example, SigTy, Signature};

pub const CONTAINS: Builtin = Builtin {
    name: "contains",
    signatures: &[
        Signature {
            params: &[("s", SigTy::String), ("part", SigTy::String)],
            required: 2,
            ret: SigTy::Bool,
        },
        Signature {
            params: &[("list", SigTy::ListOfT), ("item", SigTy::T)],
            required: 2,
            ret: SigTy::Bool,
        },
    ],
    doc: r#"Whether a string contains a substring, or a list contains an element."#,
    fallible: false,
    examples: &[
        Example {
            call: r#"contains("weather", "eat")"#,
            result: r#"true"#,
        },
        Example {
            call: r#"contains([1, 2], 3)"#,
            result: r#"false"#,
        },
    ],
};
