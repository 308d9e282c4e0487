//! `encode_json`: Writes a value as compact JSON text.

use super::{Builtin, EvalContext, Example, SigTy, Signature, to_json};
use crate::value::Value;

pub const ENCODE_JSON: Builtin = Builtin {
    name: "encode_json",
    signatures: &[Signature {
        params: &[("x", SigTy::AnyButRecord)],
        required: 1,
        ret: SigTy::String,
    }],
    doc: r#"Writes a value as compact JSON text (no spaces or newlines): the text of `to_json(x)`, by the same rules (null is `null`, timestamps and durations are strings, NaN and infinite floats are `null`, records are not accepted yet). Object keys come out sorted; strings are escaped as JSON requires (`"`, `\`, control characters), other characters, non-ASCII included, are written as they are. Unlike `to_string`, a json string keeps its quotes: `encode_json(to_json("a"))` is `"\"a\""`."#,
    fallible: false,
    examples: &[
        Example {
            call: r#"encode_json(["a\"b", "é"])"#,
            result: r#""[\"a\\\"b\",\"é\"]""#,
        },
        Example {
            call: r#"encode_json([1.5, 0.0])"#,
            result: r#""[1.5,0.0]""#,
        },
        Example {
            call: r#"encode_json(null)"#,
            result: r#""null""#,
        },
        Example {
            call: r#"encode_json(parse_json("{\"z\": true, \"a\": [1, \"x\"]}"))"#,
            result: r#""{\"a\":[1,\"x\"],\"z\":true}""#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    to_json::convert("encode_json", args).map(|j| Value::string(j.to_string()))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn encode_json(v: Value) -> Option<String> {
        eval(&[v], &EvalContext::default())
            .ok()?
            .as_str()
            .map(str::to_string)
    }

    #[test]
    fn cases() {
        for (v, want) in [
            (Value::Null, "null"),
            (Value::Int(-3), "-3"),
            (Value::Float(86.0), "86.0"),
            (Value::Float(1e-7), "1e-7"),
            (Value::Float(f64::NAN), "null"),
            (Value::str("a\"\\\n\u{1}é"), r#""a\"\\\n\u0001é""#),
            (Value::Duration(90 * 60_000_000), r#""1h30m""#),
            (Value::Timestamp(1), r#""1970-01-01T00:00:00.000001Z""#),
            (
                Value::Json(Arc::new(serde_json::json!({"b": 1, "a": {"c": []}}))),
                r#"{"a":{"c":[]},"b":1}"#,
            ),
            (Value::Json(Arc::new(serde_json::json!("x"))), r#""x""#),
            (
                Value::list(vec![Value::Bool(true), Value::Null]),
                "[true,null]",
            ),
        ] {
            assert_eq!(encode_json(v.clone()).as_deref(), Some(want), "{v:?}");
        }
        assert!(encode_json(Value::record(crate::RecordId(0), vec![])).is_none());
    }
}
