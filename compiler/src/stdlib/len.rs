//! `len`: The number of characters of a string (not bytes), or of elements of a list.

use super::{Builtin, Example, SigTy, Signature};

pub const LEN: Builtin = Builtin {
    name: "len",
    signatures: &[
        Signature {
            params: &[("s", SigTy::String)],
            required: 1,
            ret: SigTy::Int,
        },
        Signature {
            params: &[("list", SigTy::ListOfT)],
            required: 1,
            ret: SigTy::Int,
        },
    ],
    doc: r#"The number of characters of a string (not bytes), or of elements of a list."#,
    fallible: false,
    examples: &[
        Example {
            call: r#"len("héllo")"#,
            result: r#"5"#,
        },
        Example {
            call: r#"len([1, 2, 3])"#,
            result: r#"3"#,
        },
    ],
};
