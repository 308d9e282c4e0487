//! `clamp`: `x` limited to the range `low..=high`.

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const CLAMP: Builtin = Builtin {
    name: "clamp",
    signatures: &[
        Signature {
            params: &[("x", SigTy::Int), ("low", SigTy::Int), ("high", SigTy::Int)],
            required: 3,
            ret: SigTy::Int,
        },
        Signature {
            params: &[
                ("x", SigTy::Float),
                ("low", SigTy::Float),
                ("high", SigTy::Float),
            ],
            required: 3,
            ret: SigTy::Float,
        },
    ],
    doc: r#"`x` limited to the range `low..=high` (three ints give an int, otherwise a float; a NaN `x` stays NaN). A `low` above `high`, or a NaN bound, fails the row."#,
    fallible: true,
    examples: &[
        Example {
            call: r#"clamp(15, 0, 10)"#,
            result: r#"10"#,
        },
        Example {
            call: r#"clamp(-0.5, 0.0, 1.0)"#,
            result: r#"0.0"#,
        },
        Example {
            call: r#"clamp(5, 10, 0) ?? -1"#,
            result: r#"-1"#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    match args {
        [Value::Int(x), Value::Int(low), Value::Int(high)] => {
            if low > high {
                return Err(format!("clamp: low {low} is above high {high}"));
            }
            Ok(Value::Int((*x).clamp(*low, *high)))
        }
        [x, low, high] => {
            let (Some(x), Some(low), Some(high)) = (x.as_float(), low.as_float(), high.as_float())
            else {
                return Err(bad_args("clamp", args));
            };
            if low.is_nan() || high.is_nan() {
                return Err(format!(
                    "clamp: a bound is NaN (low {low:?}, high {high:?})"
                ));
            }
            if low > high {
                return Err(format!("clamp: low {low:?} is above high {high:?}"));
            }
            // NaN stays NaN.
            Ok(Value::Float(x.clamp(low, high)))
        }
        _ => Err(bad_args("clamp", args)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clamp(x: Value, low: Value, high: Value) -> Result<Value, String> {
        eval(&[x, low, high], &EvalContext::default())
    }

    #[test]
    fn ints() {
        let i = Value::Int;
        for (x, low, high, want) in [
            (15, 0, 10, 10),
            (-5, 0, 10, 0),
            (5, 0, 10, 5),
            (5, 5, 5, 5),
            (i64::MIN, i64::MIN, i64::MAX, i64::MIN),
            (i64::MAX, 0, 1, 1),
        ] {
            let got = clamp(i(x), i(low), i(high));
            assert!(
                matches!(got, Ok(Value::Int(g)) if g == want),
                "clamp({x}, {low}, {high}) = {got:?}"
            );
        }
        assert!(clamp(i(1), i(10), i(0)).is_err_and(|e| e.contains("above")));
    }

    #[test]
    fn floats() {
        let f = Value::Float;
        for (x, low, high, want) in [
            (f(-0.5), f(0.0), f(1.0), 0.0),
            (f(1.5), f(0.0), f(1.0), 1.0),
            (f(0.5), f(0.0), f(1.0), 0.5),
            (Value::Int(15), f(0.0), Value::Int(10), 10.0),
            (f(f64::INFINITY), f(0.0), f(1.0), 1.0),
            (
                f(f64::NEG_INFINITY),
                f(f64::NEG_INFINITY),
                f(1.0),
                f64::NEG_INFINITY,
            ),
        ] {
            let got = clamp(x.clone(), low.clone(), high.clone());
            assert!(
                matches!(got, Ok(Value::Float(g)) if g == want),
                "clamp({x:?}, {low:?}, {high:?}) = {got:?}"
            );
        }
        let nan = clamp(f(f64::NAN), f(0.0), f(1.0));
        assert!(matches!(nan, Ok(Value::Float(g)) if g.is_nan()));
        assert!(clamp(f(0.5), f(f64::NAN), f(1.0)).is_err());
        assert!(clamp(f(0.5), f(0.0), f(f64::NAN)).is_err());
        assert!(clamp(f(0.5), f(1.0), f(0.0)).is_err());
        assert!(clamp(f(0.5), f(0.0), Value::str("1")).is_err());
    }
}
