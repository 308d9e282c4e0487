//! `sqrt`: The square root (NaN for negative numbers).

use super::{Builtin, EvalContext, Example, SigTy, Signature, float_unary};
use crate::value::Value;

pub const SQRT: Builtin = Builtin {
    name: "sqrt",
    signatures: &[Signature {
        params: &[("x", SigTy::Float)],
        required: 1,
        ret: SigTy::Float,
    }],
    doc: r#"The square root (NaN for negative numbers)."#,
    fallible: false,
    examples: &[Example {
        call: r#"sqrt(9.0)"#,
        result: r#"3.0"#,
    }],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    float_unary("sqrt", args, f64::sqrt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        for (x, want) in [
            (9.0, 3.0),
            (2.0, std::f64::consts::SQRT_2),
            (0.0, 0.0),
            (1e300, 1e150),
            (f64::INFINITY, f64::INFINITY),
        ] {
            let got = eval(&[Value::Float(x)], &EvalContext::default());
            assert_eq!(got.ok().and_then(|v| v.as_float()), Some(want), "sqrt({x})");
        }
        let got = eval(&[Value::Int(i64::MIN)], &EvalContext::default());
        assert!(got.is_ok_and(|v| v.as_float().is_some()));
        for x in [-1.0, -1e-300, f64::NEG_INFINITY, f64::NAN] {
            let r = eval(&[Value::Float(x)], &EvalContext::default())
                .ok()
                .and_then(|v| v.as_float());
            assert!(r.is_some_and(f64::is_nan), "sqrt({x})");
        }
        let z = eval(&[Value::Float(-0.0)], &EvalContext::default())
            .ok()
            .and_then(|v| v.as_float());
        assert!(z.is_some_and(|z| z == 0.0 && z.is_sign_negative()));
        assert!(eval(&[Value::str("1")], &EvalContext::default()).is_err());
        assert!(eval(&[], &EvalContext::default()).is_err());
    }
}
