//! `to_json`: Converts a value to json, as sinks write it.

use std::sync::Arc;

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::{self, Value};

pub const TO_JSON: Builtin = Builtin {
    name: "to_json",
    signatures: &[Signature {
        params: &[("x", SigTy::AnyButRecord)],
        required: 1,
        ret: SigTy::Json,
    }],
    doc: r#"Converts a value to json, as sinks write values to JSON: null is JSON `null` (so nullable values are accepted), bools, ints and strings are themselves, floats are numbers (`86.0` stays a float), timestamps are RFC 3339 strings in UTC (`"2026-01-01T00:00:00Z"`, with microseconds when there are any), durations Dash duration strings (`"1h30m"`, which `duration` fields read back), lists are arrays, and json is kept as it is. NaN and infinite floats have no JSON form and become `null`, as in sink output and JavaScript's `JSON.stringify`. `to_json(null)` is the json default for a `json?`: `get(r.extra ?? to_json(null), "a")`. Records are not accepted yet (nor lists of them): a built-in cannot see their JSON keys."#,
    fallible: false,
    examples: &[
        Example {
            call: r#"to_json([1, 2])"#,
            result: r#"parse_json("[1,2]")"#,
        },
        Example {
            call: r#"to_json(90m)"#,
            result: r#"parse_json("\"1h30m\"")"#,
        },
        Example {
            call: r#"to_json(@2026-01-01T00:00:00Z)"#,
            result: r#"parse_json("\"2026-01-01T00:00:00Z\"")"#,
        },
        Example {
            call: r#"to_json(sqrt(-1.0))"#,
            result: r#"parse_json("null")"#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    convert("to_json", args).map(|j| Value::Json(Arc::new(j)))
}

/// The one argument of `to_json`/`encode_json` as JSON; records (which
/// the checker refuses) fail rather than come out keyed by position.
pub(super) fn convert(name: &str, args: &[Value]) -> Result<serde_json::Value, String> {
    match args {
        [x] if !has_record(x) => Ok(value::to_json(x, &[])),
        _ => Err(bad_args(name, args)),
    }
}

fn has_record(v: &Value) -> bool {
    match v {
        Value::Record(_) => true,
        Value::List(items) => items.iter().any(has_record),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RecordId;
    use serde_json::json;

    fn to_json(v: Value) -> Result<serde_json::Value, String> {
        match eval(&[v], &EvalContext::default())? {
            Value::Json(j) => Ok((*j).clone()),
            other => Err(format!("{other:?}")),
        }
    }

    #[test]
    fn cases() {
        for (v, want) in [
            (Value::Null, json!(null)),
            (Value::Bool(false), json!(false)),
            (Value::Int(i64::MAX), json!(i64::MAX)),
            (Value::Float(86.0), json!(86.0)),
            (Value::Float(-0.0), json!(-0.0)),
            (Value::Float(f64::NAN), json!(null)),
            (Value::Float(f64::INFINITY), json!(null)),
            (Value::str("é\n"), json!("é\n")),
            (Value::Timestamp(0), json!("1970-01-01T00:00:00Z")),
            (Value::Duration(250_000), json!("250ms")),
            (
                Value::Json(Arc::new(json!({"a": [null]}))),
                json!({"a": [null]}),
            ),
            (Value::Json(Arc::new(json!(null))), json!(null)),
            (
                Value::list(vec![Value::list(vec![Value::Null, Value::Int(1)])]),
                json!([[null, 1]]),
            ),
            (Value::list(vec![]), json!([])),
        ] {
            assert_eq!(to_json(v.clone()), Ok(want), "{v:?}");
        }
        // Out of chrono's range: the text sinks write, too.
        assert_eq!(
            to_json(Value::Timestamp(i64::MAX)),
            Ok(json!(value::format_timestamp(i64::MAX)))
        );
    }

    /// The errors of `program`, as (code, text of the primary span,
    /// message).
    fn errors(program: &str) -> Vec<(dash_syntax::diag::Code, String, String)> {
        let analysis = crate::analyze_inputs(vec![(
            "t.dash".to_string(),
            crate::Input::Text(program.to_string()),
        )]);
        analysis
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| {
                let span = d.primary.span;
                (
                    d.code,
                    program[span.start as usize..span.end as usize].to_string(),
                    d.message.clone(),
                )
            })
            .collect()
    }

    /// Any type is accepted, nullable ones and lists included, except
    /// records and lists of them (refused where the program is checked).
    #[test]
    fn the_checker_refuses_records() {
        let program = |arg: &str| {
            format!(
                "type P {{\n  x: int @json(\"X\")\n}}\n\n\
                 transform t(p: P, ps: [P]?, np: P?, n: int?, l: [[float?]], j: json?) -> json {{\n  \
                 let s = encode_json({arg})\n  to_json({arg})\n}}\n"
            )
        };
        for arg in [
            "n", "l", "j", "null", "[]", "[n, 1]", "p.x", "np?.x", "1h", "\"s\"",
        ] {
            assert_eq!(errors(&program(arg)), vec![], "{arg}");
        }
        for arg in ["p", "np", "ps", "[p]", "[[np]]"] {
            let errors = errors(&program(arg));
            assert_eq!(errors.len(), 2, "{arg}: {errors:?}");
            for (code, text, message) in &errors {
                assert_eq!(*code, dash_syntax::diag::Code::TypeMismatch, "{arg}");
                assert_eq!(text, arg);
                assert!(message.contains("cannot be called with ("), "{message}");
            }
        }
    }

    #[test]
    fn records_are_refused() {
        let r = Value::record(RecordId(0), vec![Value::Int(1)]);
        assert!(to_json(r.clone()).is_err());
        assert!(to_json(Value::list(vec![Value::Null, r])).is_err());
        assert!(eval(&[], &EvalContext::default()).is_err());
        assert!(eval(&[Value::Null, Value::Null], &EvalContext::default()).is_err());
    }
}
