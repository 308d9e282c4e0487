//! `as_int`: The int a json value holds, or null.

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const AS_INT: Builtin = Builtin {
    name: "as_int",
    signatures: &[Signature {
        params: &[("j", SigTy::NullableJson)],
        required: 1,
        ret: SigTy::NullableInt,
    }],
    doc: r#"The int a json value holds: a JSON number that is a whole number in the int range. Null for anything else, never a failure: another kind of value (`"3"`, `true`; nothing is converted), a fraction (`1.5`), a number beyond 64 bits, JSON null, or a null argument (so `as_int(get(j, "a"))` needs no `??` inside). A whole number written with a fraction or an exponent (`2.0`, `1e3`) is an int when its magnitude is below 2^53, where floats are exact, as for an `int` field read from JSON input."#,
    fallible: false,
    examples: &[
        Example {
            call: r#"as_int(parse_json("42"))"#,
            result: r#"42"#,
        },
        Example {
            call: r#"as_int(parse_json("2.0"))"#,
            result: r#"2"#,
        },
        Example {
            call: r#"as_int(parse_json("1.5"))"#,
            result: r#"null"#,
        },
        Example {
            call: r#"as_int(parse_json("\"3\""))"#,
            result: r#"null"#,
        },
        Example {
            call: r#"as_int(get(parse_json("{}"), "a")) ?? 0"#,
            result: r#"0"#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    Ok(match args {
        [Value::Null] => Value::Null,
        [Value::Json(j)] => j
            .as_number()
            .and_then(whole)
            .map_or(Value::Null, Value::Int),
        _ => return Err(bad_args("as_int", args)),
    })
}

/// Floats are exact integers below this magnitude (2^53).
const EXACT_FLOAT_INT: f64 = 9_007_199_254_740_992.0;

/// The int a JSON number stands for: an integer in the i64 range, or a
/// whole float below 2^53 in magnitude.
fn whole(n: &serde_json::Number) -> Option<i64> {
    if let Some(i) = n.as_i64() {
        return Some(i);
    }
    if n.is_u64() {
        return None;
    }
    let f = n.as_f64()?;
    (f.fract() == 0.0 && f.abs() < EXACT_FLOAT_INT).then_some(f as i64)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn as_int(text: &str) -> Option<i64> {
        let j = serde_json::from_str(text).expect("JSON");
        match eval(&[Value::Json(Arc::new(j))], &EvalContext::default()) {
            Ok(Value::Int(i)) => Some(i),
            Ok(Value::Null) => None,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn cases() {
        for (text, want) in [
            ("0", Some(0)),
            ("-0", Some(0)),
            ("-0.0", Some(0)),
            ("42", Some(42)),
            ("9223372036854775807", Some(i64::MAX)),
            ("-9223372036854775808", Some(i64::MIN)),
            ("9223372036854775808", None),
            ("18446744073709551616", None),
            ("2.0", Some(2)),
            ("1e3", Some(1000)),
            ("-1E2", Some(-100)),
            ("9007199254740991.0", Some(9_007_199_254_740_991)),
            ("9007199254740992.0", None),
            ("1e20", None),
            ("1.5", None),
            ("-0.5", None),
            ("1e-3", None),
            ("\"3\"", None),
            ("true", None),
            ("null", None),
            ("[1]", None),
            ("{\"a\": 1}", None),
        ] {
            assert_eq!(as_int(text), want, "{text}");
        }
        assert!(matches!(
            eval(&[Value::Null], &EvalContext::default()),
            Ok(Value::Null)
        ));
        assert!(eval(&[Value::Int(1)], &EvalContext::default()).is_err());
        assert!(eval(&[Value::str("1")], &EvalContext::default()).is_err());
    }
}
