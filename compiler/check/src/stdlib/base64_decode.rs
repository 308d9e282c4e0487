//! `base64_decode`: Decodes base64 (standard alphabet, padded) to a string.

use super::base64_encode::ALPHABET;
use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args, quote};
use crate::value::Value;

pub const BASE64_DECODE: Builtin = Builtin {
    name: "base64_decode",
    signatures: &[Signature {
        params: &[("s", SigTy::String)],
        required: 1,
        ret: SigTy::String,
    }],
    doc: r#"Decodes base64 as `base64_encode` writes it, strictly: the standard alphabet of RFC 4648 (`+` and `/`, not the URL-safe `-` and `_`), `=` padding to a multiple of 4 characters, no whitespace or line breaks, and unused bits of the last character zero (canonical). The decoded bytes must be UTF-8 text. Anything else fails the row."#,
    fallible: true,
    examples: &[
        Example {
            call: r#"base64_decode("aMOpbGxv")"#,
            result: r#""héllo""#,
        },
        Example {
            call: r#"base64_decode("YWI") ?? "?""#,
            result: r#""?""#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Str(s)] = args else {
        return Err(bad_args("base64_decode", args));
    };
    let bytes = decode(s.as_bytes())
        .map_err(|why| format!("base64_decode: {} is not base64 ({why})", quote(s)))?;
    String::from_utf8(bytes)
        .map(Value::string)
        .map_err(|_| format!("base64_decode: {} does not decode to UTF-8 text", quote(s)))
}

/// The 6-bit value of a symbol of the alphabet.
fn value(symbol: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == symbol).map(|v| v as u32)
}

fn decode(text: &[u8]) -> Result<Vec<u8>, String> {
    if !text.len().is_multiple_of(4) {
        return Err(format!(
            "its length, {}, is not a multiple of 4",
            text.len()
        ));
    }
    let groups = text.len() / 4;
    let mut out = Vec::with_capacity(groups * 3);
    for (g, group) in text.chunks(4).enumerate() {
        let last = g + 1 == groups;
        let padding = group.iter().rev().take_while(|&&b| b == b'=').count();
        if padding > 0 && (!last || padding > 2) {
            return Err("`=` is only padding, at the end".to_string());
        }
        let mut v: u32 = 0;
        for (i, &symbol) in group[..4 - padding].iter().enumerate() {
            let Some(bits) = value(symbol) else {
                let at = g * 4 + i;
                return Err(if symbol == b'=' {
                    "`=` is only padding, at the end".to_string()
                } else if symbol.is_ascii_graphic() {
                    format!(
                        "{:?} at byte {at} is not in the alphabet",
                        char::from(symbol)
                    )
                } else {
                    format!("byte {at} is not in the alphabet")
                });
            };
            v |= bits << (18 - 6 * i);
        }
        let decoded = [(v >> 16) as u8, (v >> 8) as u8, v as u8];
        let keep = 3 - padding;
        // What the padding leaves unused must be zero.
        if decoded[keep..].iter().any(|&b| b != 0) {
            return Err("the last character has bits set that padding leaves unused".to_string());
        }
        out.extend_from_slice(&decoded[..keep]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_str(s: &str) -> Result<String, String> {
        let v = eval(&[Value::str(s)], &EvalContext::default())?;
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| "not a string".to_string())
    }

    #[test]
    fn rfc_4648_vectors() {
        for (s, want) in [
            ("", ""),
            ("Zg==", "f"),
            ("Zm8=", "fo"),
            ("Zm9v", "foo"),
            ("Zm9vYg==", "foob"),
            ("Zm9vYmE=", "fooba"),
            ("Zm9vYmFy", "foobar"),
            ("aMOpbGxv", "héllo"),
            ("8J+OiT8+", "🎉?>"),
        ] {
            assert_eq!(decode_str(s).as_deref(), Ok(want), "{s:?}");
        }
        assert_eq!(decode(b"+/8="), Ok(vec![0xfb, 0xff]));
    }

    #[test]
    fn failures() {
        for (bad, why) in [
            ("YWI", "multiple of 4"),
            ("Y", "multiple of 4"),
            ("YW I", "alphabet"),
            ("YWI=\n", "multiple of 4"),
            ("YW-_", "alphabet"),
            ("Y===", "padding"),
            ("====", "padding"),
            ("YQ==YQ==", "padding"),
            ("Y=I=", "padding"),
            ("YWJ=", "unused"),
            ("YR==", "unused"),
            ("éé", "alphabet"),
        ] {
            let got = decode_str(bad);
            assert!(
                got.as_ref()
                    .is_err_and(|e| e.starts_with("base64_decode: ") && e.contains(why)),
                "{bad:?} gave {got:?}"
            );
        }
        // 0xff is not UTF-8.
        assert!(decode_str("/w==").is_err_and(|e| e.contains("UTF-8")));
        assert!(eval(&[Value::Int(1)], &EvalContext::default()).is_err());
    }
}
