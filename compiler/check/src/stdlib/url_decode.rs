//! `url_decode`: Decodes a percent-encoded string.

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args, percent, quote};
use crate::value::Value;

pub const URL_DECODE: Builtin = Builtin {
    name: "url_decode",
    signatures: &[Signature {
        params: &[("s", SigTy::String)],
        required: 1,
        ret: SigTy::String,
    }],
    doc: r#"Decodes percent-encoding (RFC 3986): every `%XX` (two hex digits, either case) becomes the byte it names, and the bytes must then be UTF-8 text; every other character is kept as it is, `+` included (decode a form-encoded `+` first with `replace(s, "+", " ")`, or read a whole query with `parse_query`). A `%` not followed by two hex digits, or bytes that are not UTF-8, fail the row."#,
    fallible: true,
    examples: &[
        Example {
            call: r#"url_decode("a%20b%26c%3Dd%2F%C3%A9")"#,
            result: r#""a b&c=d/é""#,
        },
        Example {
            call: r#"url_decode("1+1")"#,
            result: r#""1+1""#,
        },
        Example {
            call: r#"url_decode("100%") ?? "?""#,
            result: r#""?""#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Str(s)] = args else {
        return Err(bad_args("url_decode", args));
    };
    percent::decode(s, false)
        .map(Value::string)
        .map_err(|why| format!("url_decode: cannot decode {}: {why}", quote(s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(s: &str) -> Result<String, String> {
        let v = eval(&[Value::str(s)], &EvalContext::default())?;
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| "not a string".to_string())
    }

    #[test]
    fn cases() {
        for (s, want) in [
            ("a%20b%26c%3Dd%2F%C3%A9", "a b&c=d/é"),
            ("1+1", "1+1"),
            ("", ""),
            ("é plain", "é plain"),
            ("%f0%9f%8e%89", "🎉"),
            ("%2525", "%25"),
        ] {
            assert_eq!(decode(s).as_deref(), Ok(want), "{s:?}");
        }
    }

    #[test]
    fn failures() {
        assert_eq!(
            decode("100%").err().as_deref(),
            Some(
                "url_decode: cannot decode \"100%\": the \"%\" at character 3 is not followed by two hex digits"
            )
        );
        assert!(decode("%FF").is_err_and(|e| e.contains("not UTF-8")));
        assert!(decode("%zz").is_err());
        assert!(eval(&[Value::Int(1)], &EvalContext::default()).is_err());
    }
}
