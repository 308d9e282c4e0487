//! `to_int`: Converts a string, float, int or json number to an int.

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args, json_kind, quote};
use crate::value::{Value, format_float};

pub const TO_INT: Builtin = Builtin {
    name: "to_int",
    signatures: &[
        Signature {
            params: &[("x", SigTy::String)],
            required: 1,
            ret: SigTy::Int,
        },
        Signature {
            params: &[("x", SigTy::Float)],
            required: 1,
            ret: SigTy::Int,
        },
        Signature {
            params: &[("x", SigTy::Int)],
            required: 1,
            ret: SigTy::Int,
        },
        Signature {
            params: &[("x", SigTy::Json)],
            required: 1,
            ret: SigTy::Int,
        },
    ],
    doc: r#"Converts to an int. Strings must hold an optional sign and decimal digits, with surrounding whitespace allowed (no `_`, decimal point or exponent); floats are truncated toward zero and must be finite and in range; json must be a number (truncated likewise) or a string like those. Anything else fails the row."#,
    fallible: true,
    examples: &[
        Example {
            call: r#"to_int("42")"#,
            result: r#"42"#,
        },
        Example {
            call: r#"to_int(2.9)"#,
            result: r#"2"#,
        },
        Example {
            call: r#"to_int("x") ?? -1"#,
            result: r#"-1"#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    match args {
        [Value::Int(i)] => Ok(Value::Int(*i)),
        [Value::Float(f)] => from_float(*f).map(Value::Int),
        [Value::Str(s)] => from_str(s).map(Value::Int),
        [Value::Json(j)] => from_json(j).map(Value::Int),
        _ => Err(bad_args("to_int", args)),
    }
}

/// An optional sign and ASCII digits, with surrounding whitespace.
fn from_str(s: &str) -> Result<i64, String> {
    let t = s.trim();
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("to_int: {} is not an integer", quote(s)));
    }
    t.parse::<i64>()
        .map_err(|_| format!("to_int: {} is out of range for an int", quote(s)))
}

/// Truncated toward zero; must be finite and in range.
fn from_float(f: f64) -> Result<i64, String> {
    // -2^63 and 2^63 are exact floats; every float in between truncates
    // to a valid int.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    let t = f.trunc();
    if (-LIMIT..LIMIT).contains(&t) {
        // In range, so `as` is exact.
        Ok(t as i64)
    } else {
        Err(format!(
            "to_int: {} is out of range for an int",
            format_float(f)
        ))
    }
}

fn from_json(j: &serde_json::Value) -> Result<i64, String> {
    match j {
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Ok(i),
            (None, Some(f)) => from_float(f),
            (None, None) => Err(format!("to_int: {n} is out of range for an int")),
        },
        serde_json::Value::String(s) => from_str(s),
        other => Err(format!("to_int: json {} is not a number", json_kind(other))),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn to_int(v: Value) -> Result<i64, String> {
        eval(&[v], &EvalContext::default())?
            .as_int()
            .ok_or_else(|| "not an int".to_string())
    }

    #[test]
    fn strings() {
        for (s, want) in [
            ("42", 42),
            ("-42", -42),
            ("+42", 42),
            (" 42\n", 42),
            ("\u{a0}7\u{3000}", 7),
            ("007", 7),
            ("-0", 0),
            ("9223372036854775807", i64::MAX),
            ("-9223372036854775808", i64::MIN),
        ] {
            assert_eq!(to_int(Value::str(s)), Ok(want), "{s:?}");
        }
        for s in [
            "",
            " ",
            "x",
            "1_000",
            "1.0",
            "1e3",
            "--1",
            "+-1",
            "+",
            "-",
            "0x10",
            "1 2",
            "٣",
            "１",
            "9223372036854775808",
            "-9223372036854775809",
            "NaN",
        ] {
            let err = to_int(Value::str(s));
            assert!(err.is_err(), "{s:?} gave {err:?}");
        }
        assert_eq!(
            to_int(Value::str("x")),
            Err("to_int: \"x\" is not an integer".to_string())
        );
        let long = to_int(Value::str(&"9".repeat(10_000)))
            .err()
            .unwrap_or_default();
        assert!(long.len() < 100, "{long}");
    }

    #[test]
    fn floats_truncate() {
        for (f, want) in [
            (2.9, 2),
            (-2.9, -2),
            (-0.0, 0),
            (0.999, 0),
            (-9_223_372_036_854_775_808.0, i64::MIN),
            (9_223_372_036_854_774_784.0, 9_223_372_036_854_774_784),
            (1e18, 1_000_000_000_000_000_000),
        ] {
            assert_eq!(to_int(Value::Float(f)), Ok(want), "{f}");
        }
        for f in [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            9_223_372_036_854_775_808.0,
            -9.3e18,
            1e300,
        ] {
            assert!(to_int(Value::Float(f)).is_err(), "{f}");
        }
    }

    #[test]
    fn ints_and_json() {
        assert_eq!(to_int(Value::Int(i64::MIN)), Ok(i64::MIN));
        let j = |v: serde_json::Value| Value::Json(Arc::new(v));
        assert_eq!(to_int(j(serde_json::json!(42))), Ok(42));
        assert_eq!(to_int(j(serde_json::json!(-2.9))), Ok(-2));
        assert_eq!(to_int(j(serde_json::json!(i64::MIN))), Ok(i64::MIN));
        assert_eq!(to_int(j(serde_json::json!(" 17 "))), Ok(17));
        assert!(to_int(j(serde_json::json!(u64::MAX))).is_err());
        assert!(to_int(j(serde_json::json!(1e300))).is_err());
        assert!(to_int(j(serde_json::json!("x"))).is_err());
        assert!(to_int(j(serde_json::json!(null))).is_err());
        assert!(to_int(j(serde_json::json!(true))).is_err_and(|e| e.contains("bool")));
        assert!(to_int(j(serde_json::json!([1]))).is_err());
        assert!(to_int(j(serde_json::json!({"a": 1}))).is_err());
        assert!(to_int(Value::Null).is_err());
        assert!(to_int(Value::Bool(true)).is_err());
    }
}
