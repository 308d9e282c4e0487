//! `to_float`: Converts a string, int, float or json number to a float.

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args, json_kind, quote};
use crate::value::Value;

pub const TO_FLOAT: Builtin = Builtin {
    name: "to_float",
    signatures: &[
        Signature {
            params: &[("x", SigTy::String)],
            required: 1,
            ret: SigTy::Float,
        },
        Signature {
            params: &[("x", SigTy::Int)],
            required: 1,
            ret: SigTy::Float,
        },
        Signature {
            params: &[("x", SigTy::Float)],
            required: 1,
            ret: SigTy::Float,
        },
        Signature {
            params: &[("x", SigTy::Json)],
            required: 1,
            ret: SigTy::Float,
        },
    ],
    doc: r#"Converts to a float. Strings must hold a finite decimal number with an optional sign and exponent (`2.5`, `-1e-3`, `.5`), with surrounding whitespace allowed (`NaN`, `inf` and numbers too large for a float fail); json must be a number or a string like those. Anything else fails the row."#,
    fallible: true,
    examples: &[
        Example {
            call: r#"to_float("2.5")"#,
            result: r#"2.5"#,
        },
        Example {
            call: r#"to_float(3)"#,
            result: r#"3.0"#,
        },
        Example {
            call: r#"to_float("NaN") ?? 0.0"#,
            result: r#"0.0"#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    match args {
        [Value::Int(i)] => Ok(Value::Float(*i as f64)),
        [Value::Float(f)] => Ok(Value::Float(*f)),
        [Value::Str(s)] => from_str(s).map(Value::Float),
        [Value::Json(j)] => match &**j {
            serde_json::Value::Number(n) => n
                .as_f64()
                .map(Value::Float)
                .ok_or_else(|| format!("to_float: {n} is not a float")),
            serde_json::Value::String(s) => from_str(s).map(Value::Float),
            other => Err(format!(
                "to_float: json {} is not a number",
                json_kind(other)
            )),
        },
        _ => Err(bad_args("to_float", args)),
    }
}

/// A finite decimal number with an optional sign and exponent (`2.5`,
/// `-1e-3`, `.5`, `7`), with surrounding whitespace. `NaN`, `inf` and
/// numbers too large for a float fail.
fn from_str(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let numeric = t
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'));
    match t.parse::<f64>() {
        Ok(f) if numeric && f.is_finite() => Ok(f),
        Ok(_) if numeric => Err(format!(
            "to_float: {} is out of range for a float",
            quote(s)
        )),
        _ => Err(format!("to_float: {} is not a number", quote(s))),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn to_float(v: Value) -> Result<f64, String> {
        match eval(&[v], &EvalContext::default())? {
            Value::Float(f) => Ok(f),
            other => Err(format!("not a float: {other:?}")),
        }
    }

    #[test]
    fn strings() {
        for (s, want) in [
            ("2.5", 2.5),
            ("-2.5", -2.5),
            ("+2.5", 2.5),
            (" 3 ", 3.0),
            ("1e-3", 0.001),
            ("1E3", 1000.0),
            (".5", 0.5),
            ("5.", 5.0),
            ("1e-400", 0.0),
            ("9223372036854775808", 2f64.powi(63)),
            ("0.1", 0.1),
        ] {
            assert_eq!(to_float(Value::str(s)), Ok(want), "{s:?}");
        }
        let neg_zero = to_float(Value::str("-0"));
        assert!(neg_zero.is_ok_and(|z| z == 0.0 && z.is_sign_negative()));
        for s in [
            "", " ", "x", "NaN", "nan", "inf", "-inf", "infinity", "1e400", "-1e400", "1_000",
            "1,5", "0x10", "1.2.3", "e3", ".", "--1", "٣", "2.5f",
        ] {
            let err = to_float(Value::str(s));
            assert!(err.is_err(), "{s:?} gave {err:?}");
        }
        assert!(to_float(Value::str("1e400")).is_err_and(|e| e.contains("out of range")));
    }

    #[test]
    fn numbers_and_json() {
        assert_eq!(to_float(Value::Int(3)), Ok(3.0));
        assert_eq!(to_float(Value::Int(i64::MIN)), Ok(-(2f64.powi(63))));
        assert_eq!(to_float(Value::Float(-2.5)), Ok(-2.5));
        assert!(to_float(Value::Float(f64::NAN)).is_ok_and(f64::is_nan));
        assert_eq!(to_float(Value::Float(f64::INFINITY)), Ok(f64::INFINITY));
        let j = |v: serde_json::Value| Value::Json(Arc::new(v));
        assert_eq!(to_float(j(serde_json::json!(2.5))), Ok(2.5));
        assert_eq!(
            to_float(j(serde_json::json!(u64::MAX))),
            Ok(1.8446744073709552e19)
        );
        assert_eq!(to_float(j(serde_json::json!("1e3"))), Ok(1000.0));
        assert!(to_float(j(serde_json::json!("abc"))).is_err());
        assert!(to_float(j(serde_json::json!(null))).is_err());
        assert!(to_float(j(serde_json::json!(false))).is_err());
        assert!(to_float(j(serde_json::json!({}))).is_err_and(|e| e.contains("object")));
        assert!(to_float(Value::Null).is_err());
        assert!(to_float(Value::Duration(1)).is_err());
    }
}
