//! `sha256`: The SHA-256 digest of the string's UTF-8 bytes, as lowercase hex.

use super::{Builtin, Example, SigTy, Signature};

pub const SHA256: Builtin = Builtin {
    name: "sha256",
    signatures: &[Signature {
        params: &[("s", SigTy::String)],
        required: 1,
        ret: SigTy::String,
    }],
    doc: r#"The SHA-256 digest of the string's UTF-8 bytes, as lowercase hex."#,
    fallible: false,
    examples: &[Example {
        call: r#"sha256("")"#,
        result: r#""e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855""#,
    }],
};
