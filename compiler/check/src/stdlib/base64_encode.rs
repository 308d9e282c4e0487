//! `base64_encode`: The string's UTF-8 bytes in base64 (standard alphabet, padded).

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const BASE64_ENCODE: Builtin = Builtin {
    name: "base64_encode",
    signatures: &[Signature {
        params: &[("s", SigTy::String)],
        required: 1,
        ret: SigTy::String,
    }],
    doc: r#"The string's UTF-8 bytes in base64: the standard alphabet of RFC 4648 (`A`–`Z`, `a`–`z`, `0`–`9`, `+`, `/`) with `=` padding to a multiple of 4 characters, on one line. `base64_decode` reverses it."#,
    fallible: false,
    examples: &[
        Example {
            call: r#"base64_encode("héllo")"#,
            result: r#""aMOpbGxv""#,
        },
        Example {
            call: r#"base64_encode("ab")"#,
            result: r#""YWI=""#,
        },
    ],
    eval,
};

/// The standard alphabet of RFC 4648, by 6-bit value.
pub(super) const ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Str(s)] = args else {
        return Err(bad_args("base64_encode", args));
    };
    Ok(Value::string(encode(s.as_bytes())))
}

fn encode(bytes: &[u8]) -> String {
    let symbol = |v: u32| char::from(ALPHABET[(v & 63) as usize]);
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let v = b(0) << 16 | b(1) << 8 | b(2);
        out.push(symbol(v >> 18));
        out.push(symbol(v >> 12));
        out.push(if chunk.len() > 1 { symbol(v >> 6) } else { '=' });
        out.push(if chunk.len() > 2 { symbol(v) } else { '=' });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_4648_vectors() {
        for (s, want) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
            ("héllo", "aMOpbGxv"),
            ("\u{3fe}\u{3ff}", "z77Pvw=="),
            ("🎉?>", "8J+OiT8+"),
        ] {
            assert_eq!(encode(s.as_bytes()), want, "{s:?}");
        }
        assert_eq!(encode(&[0xfb, 0xff]), "+/8=");
        let huge = "x".repeat(100_000);
        let got = eval(&[Value::str(&huge)], &EvalContext::default());
        assert_eq!(
            got.ok().as_ref().and_then(Value::as_str).map(str::len),
            Some(133_336)
        );
        assert!(eval(&[Value::Int(1)], &EvalContext::default()).is_err());
    }
}
