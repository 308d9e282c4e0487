//! `md5`: The MD5 digest of the string's UTF-8 bytes, as lowercase hex.

use md5::{Digest, Md5};

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args, lower_hex};
use crate::value::Value;

pub const MD5: Builtin = Builtin {
    name: "md5",
    signatures: &[Signature {
        params: &[("s", SigTy::String)],
        required: 1,
        ret: SigTy::String,
    }],
    doc: r#"The MD5 digest of the string's UTF-8 bytes, as 32 lowercase hex digits. MD5 is broken for security: use it to match other systems' checksums or keys, and `sha256` or `hmac_sha256` where it matters."#,
    fallible: false,
    examples: &[Example {
        call: r#"md5("abc")"#,
        result: r#""900150983cd24fb0d6963f7d28e17f72""#,
    }],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Str(s)] = args else {
        return Err(bad_args("md5", args));
    };
    Ok(Value::string(lower_hex(&Md5::digest(s.as_bytes()))))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 1321's test suite, and non-ASCII text.
    #[test]
    fn known_digests() {
        for (s, want) in [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            (
                "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
                "57edf4a22be3c955ac49da2e2107b67a",
            ),
            ("é", "66ddcd97cfdeabb2f6fb8a999b4bc76f"),
        ] {
            let got = eval(&[Value::str(s)], &EvalContext::default());
            assert_eq!(got.ok().as_ref().and_then(Value::as_str), Some(want), "{s}");
        }
        assert!(eval(&[Value::Int(1)], &EvalContext::default()).is_err());
    }
}
