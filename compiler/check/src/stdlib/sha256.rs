//! `sha256`: The SHA-256 digest of the string's UTF-8 bytes, as lowercase hex.

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

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
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Str(s)] = args else {
        return Err(bad_args("sha256", args));
    };
    let mut hex = String::with_capacity(64);
    for byte in Sha256::digest(s.as_bytes()) {
        let _ = write!(hex, "{byte:02x}");
    }
    Ok(Value::string(hex))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests() {
        for (s, want) in [
            (
                "",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            ),
            (
                "abc",
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            ),
            (
                "héllo",
                "3c48591d8d098a4538f5e013dfcf406e948eac4d3277b10bf614e295d6068179",
            ),
            (
                "🎉",
                "6146299cd54818a0e659eb6ac88e80f6f8f70536bbbd962d36973f2d2323f26c",
            ),
        ] {
            let got = eval(&[Value::str(s)], &EvalContext::default());
            assert_eq!(got.ok().as_ref().and_then(Value::as_str), Some(want), "{s}");
        }
        let huge = "a".repeat(1_000_000);
        let got = eval(&[Value::str(&huge)], &EvalContext::default());
        assert_eq!(
            got.ok().as_ref().and_then(Value::as_str).map(str::len),
            Some(64)
        );
        assert!(eval(&[Value::Int(1)], &EvalContext::default()).is_err());
    }
}
