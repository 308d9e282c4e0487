//! `parse_key_value`: Parses `key=value` pairs into a json object.

use std::sync::Arc;

use serde_json::{Map, Value as Json};

use super::parse_query::insert;
use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args, quote};
use crate::value::Value;

pub const PARSE_KEY_VALUE: Builtin = Builtin {
    name: "parse_key_value",
    signatures: &[Signature {
        params: &[
            ("s", SigTy::String),
            ("kv_sep", SigTy::String),
            ("pair_sep", SigTy::String),
        ],
        required: 3,
        ret: SigTy::Json,
    }],
    doc: r#"Parses pairs like `level=info user=ann` into a json object: `s` is split at every `pair_sep`, each pair at its first `kv_sep` into a key and a value, and surrounding whitespace (as `trim` removes it) is trimmed from pairs, keys and values. Pairs that are empty once trimmed are skipped; a pair without `kv_sep` is a key with the value `""`. Every value is a json string (no numbers, and quotes are kept as they are); a key given more than once has the list of its values, in order. The separators are matched exactly and must not be empty or equal: literal separators are checked with the program (E0029); others that are fail the row. Read the result with `get`."#,
    fallible: true,
    examples: &[
        Example {
            call: r#"to_string(parse_key_value("level=info tag=a user=ann tag=b", "=", " "))"#,
            result: r#""{\"level\":\"info\",\"tag\":[\"a\",\"b\"],\"user\":\"ann\"}""#,
        },
        Example {
            call: r#"to_string(parse_key_value("a: 1; b: x=y;", ":", ";"))"#,
            result: r#""{\"a\":\"1\",\"b\":\"x=y\"}""#,
        },
    ],
    eval,
};

/// The compile-time check of a literal separator (see `LITERAL_CHECKS`).
pub(super) fn check_separator(sep: &str) -> Result<(), String> {
    if sep.is_empty() {
        Err("a separator must not be empty".to_string())
    } else {
        Ok(())
    }
}

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Str(s), Value::Str(kv_sep), Value::Str(pair_sep)] = args else {
        return Err(bad_args("parse_key_value", args));
    };
    check_separator(kv_sep)
        .and_then(|()| check_separator(pair_sep))
        .map_err(|why| format!("parse_key_value: {why}"))?;
    if kv_sep == pair_sep {
        return Err(format!(
            "parse_key_value: the separators must differ, both are {}",
            quote(kv_sep)
        ));
    }
    let mut map = Map::new();
    for pair in s
        .split(&**pair_sep)
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let (key, value) = pair.split_once(&**kv_sep).unwrap_or((pair, ""));
        insert(&mut map, key.trim().to_string(), value.trim().to_string());
    }
    Ok(Value::Json(Arc::new(Json::Object(map))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(s: &str, kv: &str, pair: &str) -> Result<Json, String> {
        match eval(
            &[Value::str(s), Value::str(kv), Value::str(pair)],
            &EvalContext::default(),
        )? {
            Value::Json(j) => Ok((*j).clone()),
            other => Err(format!("{other:?}")),
        }
    }

    #[test]
    fn cases() {
        for (s, kv, pair, want) in [
            ("", "=", " ", json!({})),
            (
                "level=info user=ann tag=a tag=b",
                "=",
                " ",
                json!({"level": "info", "user": "ann", "tag": ["a", "b"]}),
            ),
            ("a: 1; b: x=y;", ":", ";", json!({"a": "1", "b": "x=y"})),
            ("  a=1   b=2  ", "=", " ", json!({"a": "1", "b": "2"})),
            ("a = 1 , b = 2", "=", ",", json!({"a": "1", "b": "2"})),
            ("flag,a=1", "=", ",", json!({"flag": "", "a": "1"})),
            ("a=\"x y\"", "=", ",", json!({"a": "\"x y\""})),
            ("=1", "=", ",", json!({"": "1"})),
            ("a=", "=", ",", json!({"a": ""})),
            ("a=>1||b=>2", "=>", "||", json!({"a": "1", "b": "2"})),
            ("clé\u{a0}=\u{3000}vé", "=", "&", json!({"clé": "vé"})),
            ("k=v\nk=w\n", "=", "\n", json!({"k": ["v", "w"]})),
        ] {
            assert_eq!(parse(s, kv, pair), Ok(want), "{s:?}");
        }
        let huge = "x".repeat(100_000);
        assert!(parse(&huge, "=", " ").is_ok());
    }

    #[test]
    fn failures() {
        for (kv, pair, why) in [("", " ", "empty"), ("=", "", "empty"), ("=", "=", "differ")] {
            let got = parse("a=1", kv, pair);
            assert!(
                got.as_ref()
                    .is_err_and(|e| e.starts_with("parse_key_value: ") && e.contains(why)),
                "{kv:?} {pair:?} gave {got:?}"
            );
        }
        assert!(check_separator("").is_err());
        assert!(check_separator("=").is_ok());
        assert!(
            eval(
                &[Value::str("a=1"), Value::str("=")],
                &EvalContext::default()
            )
            .is_err()
        );
    }
}
