//! `abs`: The absolute value.

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const ABS: Builtin = Builtin {
    name: "abs",
    signatures: &[
        Signature {
            params: &[("x", SigTy::Int)],
            required: 1,
            ret: SigTy::Int,
        },
        Signature {
            params: &[("x", SigTy::Float)],
            required: 1,
            ret: SigTy::Float,
        },
    ],
    doc: r#"The absolute value. `abs` of the smallest int overflows and fails the row."#,
    fallible: true,
    examples: &[
        Example {
            call: r#"abs(-3)"#,
            result: r#"3"#,
        },
        Example {
            call: r#"abs(-2.5)"#,
            result: r#"2.5"#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    match args {
        [Value::Int(i)] => i.checked_abs().map(Value::Int).ok_or_else(|| {
            format!("abs: overflow: the absolute value of {i} does not fit in an int")
        }),
        [Value::Float(f)] => Ok(Value::Float(f.abs())),
        _ => Err(bad_args("abs", args)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints() {
        for (x, want) in [
            (-3, 3),
            (3, 3),
            (0, 0),
            (i64::MAX, i64::MAX),
            (-i64::MAX, i64::MAX),
        ] {
            let got = eval(&[Value::Int(x)], &EvalContext::default());
            assert_eq!(got.ok().and_then(|v| v.as_int()), Some(want), "{x}");
        }
        let err = eval(&[Value::Int(i64::MIN)], &EvalContext::default());
        assert!(err.is_err_and(|e| e.contains("overflow")));
    }

    #[test]
    fn floats() {
        for (x, want) in [
            (-2.5, 2.5),
            (2.5, 2.5),
            (f64::NEG_INFINITY, f64::INFINITY),
            (f64::MIN, f64::MAX),
            (-5e-324, 5e-324),
        ] {
            let got = eval(&[Value::Float(x)], &EvalContext::default());
            assert_eq!(got.ok().and_then(|v| v.as_float()), Some(want), "{x}");
        }
        let zero = eval(&[Value::Float(-0.0)], &EvalContext::default());
        assert!(
            zero.ok()
                .and_then(|v| v.as_float())
                .is_some_and(|z| z == 0.0 && z.is_sign_positive())
        );
        let nan = eval(&[Value::Float(f64::NAN)], &EvalContext::default());
        assert!(nan.ok().and_then(|v| v.as_float()).is_some_and(f64::is_nan));
        assert!(eval(&[Value::str("1")], &EvalContext::default()).is_err());
    }
}
