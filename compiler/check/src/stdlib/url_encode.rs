//! `url_encode`: Percent-encodes a string for a URL component.

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args, percent};
use crate::value::Value;

pub const URL_ENCODE: Builtin = Builtin {
    name: "url_encode",
    signatures: &[Signature {
        params: &[("s", SigTy::String)],
        required: 1,
        ret: SigTy::String,
    }],
    doc: r#"Percent-encodes a string for use as one URL component (a path segment, a query key or value), as RFC 3986: every byte of its UTF-8 is written `%XX` (uppercase hex) except the unreserved characters `A`–`Z`, `a`–`z`, `0`–`9`, `-`, `.`, `_` and `~`. A space becomes `%20` (not `+`); `/`, `?`, `&`, `=` and `%` are encoded too. `url_decode` reverses it."#,
    fallible: false,
    examples: &[
        Example {
            call: r#"url_encode("a b&c=d/é")"#,
            result: r#""a%20b%26c%3Dd%2F%C3%A9""#,
        },
        Example {
            call: r#"url_encode("Az09-._~")"#,
            result: r#""Az09-._~""#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Str(s)] = args else {
        return Err(bad_args("url_encode", args));
    };
    Ok(Value::string(percent::encode(s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        for (s, want) in [
            ("a b&c=d/é", "a%20b%26c%3Dd%2F%C3%A9"),
            ("", ""),
            ("Az09-._~", "Az09-._~"),
            (
                "%+?#[]@!$'()*,;:",
                "%25%2B%3F%23%5B%5D%40%21%24%27%28%29%2A%2C%3B%3A",
            ),
            ("🎉", "%F0%9F%8E%89"),
            ("\n\u{0}", "%0A%00"),
        ] {
            let got = eval(&[Value::str(s)], &EvalContext::default());
            assert_eq!(
                got.ok().as_ref().and_then(Value::as_str),
                Some(want),
                "{s:?}"
            );
        }
        assert!(eval(&[Value::Int(1)], &EvalContext::default()).is_err());
    }
}
