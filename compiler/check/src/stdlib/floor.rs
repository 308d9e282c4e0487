//! `floor`: The largest whole number not above `x`, as a float.

use super::{Builtin, EvalContext, Example, SigTy, Signature, float_unary};
use crate::value::Value;

pub const FLOOR: Builtin = Builtin {
    name: "floor",
    signatures: &[Signature {
        params: &[("x", SigTy::Float)],
        required: 1,
        ret: SigTy::Float,
    }],
    doc: r#"The largest whole number not above `x`, as a float."#,
    fallible: false,
    examples: &[Example {
        call: r#"floor(2.7)"#,
        result: r#"2.0"#,
    }],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    float_unary("floor", args, f64::floor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        for (x, want) in [
            (2.7, 2.0),
            (-2.1, -3.0),
            (2.0, 2.0),
            (0.5, 0.0),
            (-0.5, -1.0),
            (1e300, 1e300),
            (f64::INFINITY, f64::INFINITY),
            (f64::NEG_INFINITY, f64::NEG_INFINITY),
            (4503599627370495.5, 4503599627370495.0),
        ] {
            let got = eval(&[Value::Float(x)], &EvalContext::default());
            assert_eq!(
                got.ok().and_then(|v| v.as_float()),
                Some(want),
                "floor({x})"
            );
        }
        let got = eval(&[Value::Int(i64::MIN)], &EvalContext::default());
        assert!(got.is_ok_and(|v| v.as_float().is_some()));
        let z = eval(&[Value::Float(-0.0)], &EvalContext::default())
            .ok()
            .and_then(|v| v.as_float());
        assert!(z.is_some_and(|z| z == 0.0 && z.is_sign_negative()));
        assert!(eval(&[Value::str("1")], &EvalContext::default()).is_err());
        assert!(eval(&[], &EvalContext::default()).is_err());
    }
}
