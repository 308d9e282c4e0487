//! `to_string`: Formats a scalar like string interpolation does.

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const TO_STRING: Builtin = Builtin {
    name: "to_string",
    signatures: &[
        Signature {
            params: &[("x", SigTy::Scalar)],
            required: 1,
            ret: SigTy::String,
        },
        Signature {
            params: &[("x", SigTy::Json)],
            required: 1,
            ret: SigTy::String,
        },
    ],
    doc: r#"Formats a scalar like string interpolation does (`1.5`, `true`, RFC 3339 timestamps, `90m` durations); json is written as JSON text, except that a json string gives its contents."#,
    fallible: false,
    examples: &[
        Example {
            call: r#"to_string(42)"#,
            result: r#""42""#,
        },
        Example {
            call: r#"to_string(90m)"#,
            result: r#""1h30m""#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    match args {
        [Value::Str(_)] => Ok(args[0].clone()),
        [
            v @ (Value::Bool(_)
            | Value::Int(_)
            | Value::Float(_)
            | Value::Timestamp(_)
            | Value::Duration(_)
            | Value::Json(_)),
        ] => Ok(Value::string(v.to_text())),
        _ => Err(bad_args("to_string", args)),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn to_string(v: Value) -> Option<String> {
        eval(&[v], &EvalContext::default())
            .ok()?
            .as_str()
            .map(str::to_string)
    }

    #[test]
    fn cases() {
        let j = |v: serde_json::Value| Value::Json(Arc::new(v));
        for (v, want) in [
            (Value::Int(42), "42"),
            (Value::Int(i64::MIN), "-9223372036854775808"),
            (Value::Float(1.5), "1.5"),
            (Value::Float(86.0), "86.0"),
            (Value::Float(-0.0), "-0.0"),
            (Value::Float(f64::NAN), "NaN"),
            (Value::Float(f64::NEG_INFINITY), "-inf"),
            (Value::Float(1e-7), "1e-7"),
            (Value::Bool(true), "true"),
            (Value::str(""), ""),
            (Value::str("é🎉"), "é🎉"),
            (Value::Duration(90 * 60_000_000), "1h30m"),
            (Value::Duration(0), "0s"),
            (Value::Timestamp(0), "1970-01-01T00:00:00Z"),
            (Value::Timestamp(-1), "1969-12-31T23:59:59.999999Z"),
            (j(serde_json::json!("a\"b")), "a\"b"),
            (j(serde_json::json!({"a": [1, null]})), r#"{"a":[1,null]}"#),
            (j(serde_json::json!(null)), "null"),
            (j(serde_json::json!(2.5)), "2.5"),
        ] {
            assert_eq!(to_string(v.clone()).as_deref(), Some(want), "{v:?}");
        }
        assert!(to_string(Value::Timestamp(i64::MAX)).is_some());
        assert!(to_string(Value::Null).is_none());
        assert!(to_string(Value::list(vec![])).is_none());
    }
}
