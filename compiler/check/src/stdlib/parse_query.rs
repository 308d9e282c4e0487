//! `parse_query`: Parses a URL query string into a json object.

use std::sync::Arc;

use serde_json::{Map, Value as Json};

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args, percent, quote};
use crate::value::Value;

pub const PARSE_QUERY: Builtin = Builtin {
    name: "parse_query",
    signatures: &[Signature {
        params: &[("s", SigTy::String)],
        required: 1,
        ret: SigTy::Json,
    }],
    doc: r#"Parses a URL query string (`a=1&b=x%20y`, as browsers and HTML forms send it; one leading `?` is dropped) into a json object. Pairs are separated by `&` (empty ones, as in `a=1&&b=2`, are skipped) and split at their first `=`; a pair without `=` has the value `""`. Keys and values are decoded as `application/x-www-form-urlencoded`: `+` is a space and `%XX` a byte, and the bytes must be UTF-8. Every value is a json string; a key given more than once has the list of its values, in order. `#` is not special. A `%` not followed by two hex digits, or bytes that are not UTF-8, fail the row. Read the result with `get`."#,
    fallible: true,
    examples: &[
        Example {
            call: r#"to_string(parse_query("?a=1&b=x+y%21&a=2&flag"))"#,
            result: r#""{\"a\":[\"1\",\"2\"],\"b\":\"x y!\",\"flag\":\"\"}""#,
        },
        Example {
            call: r#"to_string(parse_query("q=caf%C3%A9"))"#,
            result: r#""{\"q\":\"café\"}""#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Str(s)] = args else {
        return Err(bad_args("parse_query", args));
    };
    let query = s.strip_prefix('?').unwrap_or(s);
    let mut map = Map::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |part: &str| {
            percent::decode(part, true)
                .map_err(|why| format!("parse_query: cannot decode {}: {why}", quote(part)))
        };
        insert(&mut map, decode(key)?, decode(value)?);
    }
    Ok(Value::Json(Arc::new(Json::Object(map))))
}

/// Adds `key: value` to `map`: a string the first time, then a list of
/// every value given in order.
pub(super) fn insert(map: &mut Map<String, Json>, key: String, value: String) {
    match map.get_mut(&key) {
        None => {
            map.insert(key, Json::String(value));
        }
        Some(Json::Array(values)) => values.push(Json::String(value)),
        Some(first) => {
            let first = first.take();
            map.insert(key, Json::Array(vec![first, Json::String(value)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(s: &str) -> Result<Json, String> {
        match eval(&[Value::str(s)], &EvalContext::default())? {
            Value::Json(j) => Ok((*j).clone()),
            other => Err(format!("{other:?}")),
        }
    }

    #[test]
    fn cases() {
        for (s, want) in [
            ("", json!({})),
            ("?", json!({})),
            ("a=1", json!({"a": "1"})),
            (
                "?a=1&b=x+y%21&a=2&flag",
                json!({"a": ["1", "2"], "b": "x y!", "flag": ""}),
            ),
            ("a=1&&b=2&", json!({"a": "1", "b": "2"})),
            ("a=1&a=2&a=3", json!({"a": ["1", "2", "3"]})),
            ("=x", json!({"": "x"})),
            ("a==b", json!({"a": "=b"})),
            ("a%3Db=c%26d", json!({"a=b": "c&d"})),
            ("k=caf%C3%A9&é=ü", json!({"k": "café", "é": "ü"})),
            ("a=1#frag", json!({"a": "1#frag"})),
            ("??a=1", json!({"?a": "1"})),
            ("a=%2B+", json!({"a": "+ "})),
        ] {
            assert_eq!(parse(s), Ok(want), "{s:?}");
        }
    }

    #[test]
    fn failures() {
        for bad in ["a=%", "a=%zz", "%FF=1", "a=%C3"] {
            let got = parse(bad);
            assert!(
                got.as_ref()
                    .is_err_and(|e| e.starts_with("parse_query: cannot decode")),
                "{bad:?} gave {got:?}"
            );
        }
        assert!(eval(&[Value::Int(1)], &EvalContext::default()).is_err());
    }
}
