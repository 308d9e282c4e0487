//! `get`: Reads a value from json by a path like `"a.b[0].c"`.

use std::sync::Arc;

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args, quote};
use crate::value::Value;

pub const GET: Builtin = Builtin {
    name: "get",
    signatures: &[Signature {
        params: &[("j", SigTy::Json), ("path", SigTy::String)],
        required: 2,
        ret: SigTy::NullableJson,
    }],
    doc: r#"Reads a value from json by a path like `"a.b[0].c"` (it may start with an index, `[0].a`; `["a.b"]` is a key with dots or brackets in it; the empty path is the whole value). Null when a key or index is missing, a step meets the wrong kind of value, or the value found is JSON null. A malformed path, like `"a[x]"`, fails the row."#,
    fallible: true,
    examples: &[
        Example {
            call: r#"get(j, "a.b[0]")"#,
            result: r#"(for j = {"a": {"b": [7, 8]}}: json 7)"#,
        },
        Example {
            call: r#"get(j, "a.c")"#,
            result: r#"(for j = {"a": {"b": [7, 8]}}: null)"#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Json(j), Value::Str(path)] = args else {
        return Err(bad_args("get", args));
    };
    let steps = parse_path(path)?;
    let mut at: &serde_json::Value = j;
    for step in &steps {
        let next = match (step, at) {
            (Step::Key(key), serde_json::Value::Object(map)) => map.get(key.as_str()),
            (Step::Index(Some(i)), serde_json::Value::Array(items)) => items.get(*i),
            _ => None,
        };
        match next {
            Some(v) => at = v,
            None => return Ok(Value::Null),
        }
    }
    Ok(match at {
        serde_json::Value::Null => Value::Null,
        _ if steps.is_empty() => args[0].clone(),
        v => Value::Json(Arc::new(v.clone())),
    })
}

/// One step of a path: an object key, or an array index (`None` when the
/// index is too large to exist).
#[derive(Debug, PartialEq)]
enum Step {
    Key(String),
    Index(Option<usize>),
}

/// `a.b[0].c`, `[0].a`, `a["key.with dots"]`; the empty path is the value
/// itself.
fn parse_path(path: &str) -> Result<Vec<Step>, String> {
    let malformed = |at: usize, what: &str| {
        format!(
            "get: malformed path {}: {what} at character {}",
            quote(path),
            path[..at].chars().count() + 1
        )
    };
    let mut steps = Vec::new();
    let bytes = path.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'[' => {
                let inner = &path[i + 1..];
                if inner.starts_with('"') {
                    let (key, used) =
                        quoted_key(inner).ok_or_else(|| malformed(i, "unclosed quoted key"))?;
                    i += 1 + used;
                    if bytes.get(i) != Some(&b']') {
                        return Err(malformed(i, "expected `]`"));
                    }
                    steps.push(Step::Key(key));
                } else {
                    let digits = inner.bytes().take_while(u8::is_ascii_digit).count();
                    if digits == 0 {
                        return Err(malformed(
                            i + 1,
                            "expected an index (digits) or a quoted key after `[`",
                        ));
                    }
                    i += 1 + digits;
                    if bytes.get(i) != Some(&b']') {
                        return Err(malformed(i, "expected `]`"));
                    }
                    steps.push(Step::Index(inner[..digits].parse().ok()));
                }
                i += 1;
            }
            b'.' if steps.is_empty() => return Err(malformed(i, "a path cannot start with `.`")),
            b']' => return Err(malformed(i, "`]` without `[`")),
            first => {
                if first == b'.' {
                    i += 1;
                } else if !steps.is_empty() {
                    return Err(malformed(i, "expected `.` or `[` between steps"));
                }
                let len = path[i..]
                    .bytes()
                    .take_while(|b| !matches!(b, b'.' | b'[' | b']'))
                    .count();
                if len == 0 {
                    return Err(malformed(i, "expected a key"));
                }
                steps.push(Step::Key(path[i..i + len].to_string()));
                i += len;
            }
        }
    }
    Ok(steps)
}

/// The key of `"…"]` (`\"` and `\\` escape) and the bytes it used, quotes
/// included; `None` when the quote is not closed.
fn quoted_key(text: &str) -> Option<(String, usize)> {
    let mut key = String::new();
    let mut chars = text.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((key, i + 1)),
            '\\' => key.push(chars.next()?.1),
            c => key.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        Value::Json(Arc::new(serde_json::json!({
            "a": {"b": [7, {"c": "x"}, null], "n": null, "e": {}},
            "k.dot": 1,
            "q\"uote": 2,
            "": 3,
            "ü": [true],
            "0": "zero",
        })))
    }

    fn get(j: Value, path: &str) -> Result<Value, String> {
        eval(&[j, Value::str(path)], &EvalContext::default())
    }

    fn json(v: &Value) -> Option<serde_json::Value> {
        match v {
            Value::Json(j) => Some((**j).clone()),
            _ => None,
        }
    }

    #[test]
    fn found() {
        for (path, want) in [
            ("a.b[0]", serde_json::json!(7)),
            ("a.b[1].c", serde_json::json!("x")),
            ("a.e", serde_json::json!({})),
            (r#"["k.dot"]"#, serde_json::json!(1)),
            (r#"["q\"uote"]"#, serde_json::json!(2)),
            (r#"[""]"#, serde_json::json!(3)),
            ("ü[0]", serde_json::json!(true)),
            ("0", serde_json::json!("zero")),
            (r#"a["b"][0]"#, serde_json::json!(7)),
        ] {
            let got = get(doc(), path);
            assert_eq!(
                got.as_ref().ok().and_then(json),
                Some(want),
                "{path}: {got:?}"
            );
        }
        let whole = get(doc(), "");
        assert!(whole.is_ok_and(|v| v.equals(&doc())));
        let list = Value::Json(Arc::new(serde_json::json!([[1, 2], [3]])));
        assert_eq!(
            get(list, "[1][0]").ok().as_ref().and_then(json),
            Some(serde_json::json!(3))
        );
    }

    #[test]
    fn missing_is_null() {
        for path in [
            "x",
            "a.x",
            "a.b[3]",
            "a.b[2]",
            "a.n",
            "a.b.c",
            "a[0]",
            "a.b[0].c",
            "a.b[99999999999999999999999]",
            "k.dot",
            "[0]",
        ] {
            let got = get(doc(), path);
            assert!(matches!(got, Ok(Value::Null)), "{path}: {got:?}");
        }
        let null = Value::Json(Arc::new(serde_json::Value::Null));
        assert!(matches!(get(null.clone(), ""), Ok(Value::Null)));
        assert!(matches!(get(null, "a"), Ok(Value::Null)));
        let scalar = Value::Json(Arc::new(serde_json::json!("abc")));
        assert!(matches!(get(scalar, "[0]"), Ok(Value::Null)));
    }

    /// Every short path over a tricky alphabet gives a value or a
    /// failure, never a panic.
    #[test]
    fn no_panics_on_any_path() {
        let alphabet = ["a", ".", "[", "]", "\"", "\\", "0", "é"];
        let mut paths = vec![String::new()];
        for _ in 0..5 {
            paths = paths
                .iter()
                .flat_map(|p| alphabet.iter().map(move |c| format!("{p}{c}")))
                .collect();
            for p in &paths {
                let _ = get(doc(), p);
            }
        }
    }

    #[test]
    fn malformed_paths_fail() {
        for path in [
            "a[x]",
            "a[",
            "a[0",
            "[",
            "]",
            "a]",
            ".a",
            "a.",
            "a..b",
            "a[-1]",
            "a[ 0]",
            "a[0]b",
            "a[0].",
            r#"a["b"#,
            r#"a["b""#,
            r#"a["b"x]"#,
            "[0",
            "a[1.5]",
            "a[]",
        ] {
            let got = get(doc(), path);
            assert!(
                got.as_ref()
                    .is_err_and(|e| e.starts_with("get: malformed path")),
                "{path}: {got:?}"
            );
        }
        let got = get(doc(), "a.b[x]");
        assert_eq!(
            got.err().as_deref(),
            Some(
                "get: malformed path \"a.b[x]\": expected an index (digits) or a quoted key after `[` at character 5"
            )
        );
        assert!(get(Value::str("{}"), "a").is_err());
    }
}
