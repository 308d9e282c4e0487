//! `hash64`: A stable 64-bit hash of the string's UTF-8 bytes (the first 8 bytes of its SHA-256, big-endian, as a signed int); the same in every run and version.

use super::{Builtin, Example, SigTy, Signature};

pub const HASH64: Builtin = Builtin {
    name: "hash64",
    signatures: &[Signature {
        params: &[("s", SigTy::String)],
        required: 1,
        ret: SigTy::Int,
    }],
    doc: r#"A stable 64-bit hash of the string's UTF-8 bytes (the first 8 bytes of its SHA-256, big-endian, as a signed int); the same in every run and version."#,
    fallible: false,
    examples: &[Example {
        call: r#"hash64("a") == hash64("a")"#,
        result: r#"true"#,
    }],
};
