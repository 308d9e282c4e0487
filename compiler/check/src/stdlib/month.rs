//! `month`: The month of a timestamp, in UTC, from 1 (January) to 12.

use super::calendar::Civil;
use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const MONTH: Builtin = Builtin {
    name: "month",
    signatures: &[Signature {
        params: &[("t", SigTy::Timestamp)],
        required: 1,
        ret: SigTy::Int,
    }],
    doc: r#"The month of a timestamp, in UTC, from 1 (January) to 12 (December)."#,
    fallible: false,
    examples: &[Example {
        call: r#"month(@2026-03-15T13:45:30Z)"#,
        result: r#"3"#,
    }],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Timestamp(t)] = args else {
        return Err(bad_args("month", args));
    };
    let c = Civil::of(*t);
    Ok(Value::Int(c.month))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-03-15T13:45:30.25Z, a Sunday.
    const T: i64 = 1_773_582_330_250_000;

    #[test]
    fn cases() {
        for (t, want) in [(T, 3), (0, 1), (-1, 12), (i64::MAX, 1), (i64::MIN, 12)] {
            let got = eval(&[Value::Timestamp(t)], &EvalContext::default());
            assert_eq!(got.ok().and_then(|v| v.as_int()), Some(want), "month({t})");
        }
        assert!(eval(&[Value::Int(0)], &EvalContext::default()).is_err());
        assert!(eval(&[], &EvalContext::default()).is_err());
    }
}
