//! `second`: The second of a timestamp, in UTC, from 0 to 59.

use super::calendar::Civil;
use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const SECOND: Builtin = Builtin {
    name: "second",
    signatures: &[Signature {
        params: &[("t", SigTy::Timestamp)],
        required: 1,
        ret: SigTy::Int,
    }],
    doc: r#"The second of a timestamp, in UTC, from 0 to 59: whole seconds, the fraction is dropped (`unix_millis` keeps milliseconds). There are no leap seconds."#,
    fallible: false,
    examples: &[Example {
        call: r#"second(@2026-03-15T13:45:30.999Z)"#,
        result: r#"30"#,
    }],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Timestamp(t)] = args else {
        return Err(bad_args("second", args));
    };
    let c = Civil::of(*t);
    Ok(Value::Int(c.micros_of_day / 1_000_000 % 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-03-15T13:45:30.25Z, a Sunday.
    const T: i64 = 1_773_582_330_250_000;

    #[test]
    fn cases() {
        for (t, want) in [(T, 30), (0, 0), (-1, 59), (i64::MAX, 54), (i64::MIN, 5)] {
            let got = eval(&[Value::Timestamp(t)], &EvalContext::default());
            assert_eq!(got.ok().and_then(|v| v.as_int()), Some(want), "second({t})");
        }
        assert!(eval(&[Value::Int(0)], &EvalContext::default()).is_err());
        assert!(eval(&[], &EvalContext::default()).is_err());
    }
}
