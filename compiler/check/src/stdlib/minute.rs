//! `minute`: The minute of a timestamp, in UTC, from 0 to 59.

use super::calendar::Civil;
use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const MINUTE: Builtin = Builtin {
    name: "minute",
    signatures: &[Signature {
        params: &[("t", SigTy::Timestamp)],
        required: 1,
        ret: SigTy::Int,
    }],
    doc: r#"The minute of a timestamp, in UTC, from 0 to 59."#,
    fallible: false,
    examples: &[Example {
        call: r#"minute(@2026-03-15T13:45:30Z)"#,
        result: r#"45"#,
    }],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Timestamp(t)] = args else {
        return Err(bad_args("minute", args));
    };
    let c = Civil::of(*t);
    Ok(Value::Int(c.micros_of_day / 60_000_000 % 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-03-15T13:45:30.25Z, a Sunday.
    const T: i64 = 1_773_582_330_250_000;

    #[test]
    fn cases() {
        for (t, want) in [(T, 45), (0, 0), (-1, 59), (i64::MAX, 0), (i64::MIN, 59)] {
            let got = eval(&[Value::Timestamp(t)], &EvalContext::default());
            assert_eq!(got.ok().and_then(|v| v.as_int()), Some(want), "minute({t})");
        }
        assert!(eval(&[Value::Int(0)], &EvalContext::default()).is_err());
        assert!(eval(&[], &EvalContext::default()).is_err());
    }
}
