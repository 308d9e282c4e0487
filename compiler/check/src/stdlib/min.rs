//! `min`: The smaller of two numbers (two ints give an int).

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const MIN: Builtin = Builtin {
    name: "min",
    signatures: &[
        Signature {
            params: &[("a", SigTy::Int), ("b", SigTy::Int)],
            required: 2,
            ret: SigTy::Int,
        },
        Signature {
            params: &[("a", SigTy::Float), ("b", SigTy::Float)],
            required: 2,
            ret: SigTy::Float,
        },
    ],
    doc: r#"The smaller of two numbers (two ints give an int; an int and a float give a float). NaN if either is NaN; `-0.0` counts as below `0.0`."#,
    fallible: false,
    examples: &[
        Example {
            call: r#"min(3, 5)"#,
            result: r#"3"#,
        },
        Example {
            call: r#"min(1, 0.5)"#,
            result: r#"0.5"#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    match args {
        [Value::Int(a), Value::Int(b)] => Ok(Value::Int(*a.min(b))),
        [a, b] => match (a.as_float(), b.as_float()) {
            (Some(a), Some(b)) => Ok(Value::Float(float_min(a, b))),
            _ => Err(bad_args("min", args)),
        },
        _ => Err(bad_args("min", args)),
    }
}

/// The smaller float; NaN when either is NaN, and `-0.0` is below `0.0`.
fn float_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a < b || (a == b && a.is_sign_negative()) {
        a
    } else {
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn min(a: Value, b: Value) -> Option<Value> {
        eval(&[a, b], &EvalContext::default()).ok()
    }

    #[test]
    fn ints_stay_ints() {
        for (a, b, want) in [
            (3, 5, 3),
            (5, 3, 3),
            (-1, -1, -1),
            (i64::MIN, i64::MAX, i64::MIN),
            (0, i64::MIN, i64::MIN),
        ] {
            let got = min(Value::Int(a), Value::Int(b));
            assert!(
                matches!(got, Some(Value::Int(g)) if g == want),
                "min({a}, {b}) = {got:?}"
            );
        }
    }

    #[test]
    fn floats() {
        let f = Value::Float;
        for (a, b, want) in [
            (Value::Int(1), f(0.5), 0.5),
            (f(0.5), Value::Int(1), 0.5),
            (Value::Int(1), f(1.5), 1.0),
            (f(-1.0), f(f64::NEG_INFINITY), f64::NEG_INFINITY),
            (f(1e300), f(f64::INFINITY), 1e300),
        ] {
            let got = min(a.clone(), b.clone());
            assert!(
                matches!(got, Some(Value::Float(g)) if g == want),
                "min({a:?}, {b:?}) = {got:?}"
            );
        }
        for (a, b) in [(0.0, -0.0), (-0.0, 0.0), (-0.0, -0.0)] {
            let got = min(f(a), f(b)).and_then(|v| v.as_float());
            assert!(
                got.is_some_and(|g| g == 0.0 && g.is_sign_negative()),
                "min({a}, {b})"
            );
        }
        for (a, b) in [(f64::NAN, 1.0), (1.0, f64::NAN), (f64::NAN, f64::NAN)] {
            let got = min(f(a), f(b)).and_then(|v| v.as_float());
            assert!(got.is_some_and(f64::is_nan), "min({a}, {b})");
        }
        assert!(min(f(1.0), Value::str("a")).is_none());
    }
}
