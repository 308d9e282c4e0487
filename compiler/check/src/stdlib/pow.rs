//! `pow`: `base` raised to `exponent` (IEEE 754 `pow`).

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const POW: Builtin = Builtin {
    name: "pow",
    signatures: &[Signature {
        params: &[("base", SigTy::Float), ("exponent", SigTy::Float)],
        required: 2,
        ret: SigTy::Float,
    }],
    doc: r#"`base` raised to `exponent`, following IEEE 754 `pow`: `pow(0.0, -1.0)` is infinite, a negative base with a fractional exponent gives NaN, and `pow(x, 0.0)` is 1 even for NaN."#,
    fallible: false,
    examples: &[Example {
        call: r#"pow(2.0, 10.0)"#,
        result: r#"1024.0"#,
    }],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    match args {
        [base, exponent] => match (base.as_float(), exponent.as_float()) {
            (Some(b), Some(e)) => Ok(Value::Float(b.powf(e))),
            _ => Err(bad_args("pow", args)),
        },
        _ => Err(bad_args("pow", args)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pow(b: Value, e: Value) -> f64 {
        eval(&[b, e], &EvalContext::default())
            .ok()
            .and_then(|v| v.as_float())
            .unwrap_or(-12345.0)
    }

    #[test]
    fn cases() {
        let f = Value::Float;
        for (b, e, want) in [
            (f(2.0), f(10.0), 1024.0),
            (Value::Int(2), Value::Int(10), 1024.0),
            (f(2.0), f(-1.0), 0.5),
            (f(9.0), f(0.5), 3.0),
            (f(0.0), f(0.0), 1.0),
            (f(f64::NAN), f(0.0), 1.0),
            (f(1.0), f(f64::NAN), 1.0),
            (f(0.0), f(-1.0), f64::INFINITY),
            (f(10.0), f(400.0), f64::INFINITY),
            (f(-8.0), f(3.0), -512.0),
        ] {
            assert_eq!(pow(b.clone(), e.clone()), want, "pow({b:?}, {e:?})");
        }
        assert!(pow(f(-8.0), f(1.0 / 3.0)).is_nan());
        assert!(pow(f(f64::NAN), f(2.0)).is_nan());
        assert!(eval(&[f(1.0)], &EvalContext::default()).is_err());
        assert!(eval(&[f(1.0), Value::str("2")], &EvalContext::default()).is_err());
    }
}
