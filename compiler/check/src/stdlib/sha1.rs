//! `sha1`: The SHA-1 digest of the string's UTF-8 bytes, as lowercase hex.

use sha1::{Digest, Sha1};

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args, lower_hex};
use crate::value::Value;

pub const SHA1: Builtin = Builtin {
    name: "sha1",
    signatures: &[Signature {
        params: &[("s", SigTy::String)],
        required: 1,
        ret: SigTy::String,
    }],
    doc: r#"The SHA-1 digest of the string's UTF-8 bytes, as 40 lowercase hex digits. SHA-1 is broken for security: use it to match other systems' checksums or keys, and `sha256` or `hmac_sha256` where it matters."#,
    fallible: false,
    examples: &[Example {
        call: r#"sha1("abc")"#,
        result: r#""a9993e364706816aba3e25717850c26c9cd0d89d""#,
    }],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Str(s)] = args else {
        return Err(bad_args("sha1", args));
    };
    Ok(Value::string(lower_hex(&Sha1::digest(s.as_bytes()))))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// FIPS 180 examples, and non-ASCII text.
    #[test]
    fn known_digests() {
        for (s, want) in [
            ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
            ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
            ),
            ("é", "bf15be717ac1b080b4f1c456692825891ff5073d"),
        ] {
            let got = eval(&[Value::str(s)], &EvalContext::default());
            assert_eq!(got.ok().as_ref().and_then(Value::as_str), Some(want), "{s}");
        }
        assert!(eval(&[Value::Int(1)], &EvalContext::default()).is_err());
    }
}
