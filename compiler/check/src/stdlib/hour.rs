//! `hour`: The hour of a timestamp, in UTC, from 0 to 23.

use super::calendar::Civil;
use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const HOUR: Builtin = Builtin {
    name: "hour",
    signatures: &[Signature {
        params: &[("t", SigTy::Timestamp)],
        required: 1,
        ret: SigTy::Int,
    }],
    doc: r#"The hour of a timestamp, in UTC, from 0 to 23."#,
    fallible: false,
    examples: &[
        Example {
            call: r#"hour(@2026-03-15T13:45:30Z)"#,
            result: r#"13"#,
        },
        Example {
            call: r#"hour(@2026-03-15T13:45:30+02:00)"#,
            result: r#"11"#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Timestamp(t)] = args else {
        return Err(bad_args("hour", args));
    };
    let c = Civil::of(*t);
    Ok(Value::Int(c.micros_of_day / 3_600_000_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-03-15T13:45:30.25Z, a Sunday.
    const T: i64 = 1_773_582_330_250_000;

    #[test]
    fn cases() {
        for (t, want) in [(T, 13), (0, 0), (-1, 23), (i64::MAX, 4), (i64::MIN, 19)] {
            let got = eval(&[Value::Timestamp(t)], &EvalContext::default());
            assert_eq!(got.ok().and_then(|v| v.as_int()), Some(want), "hour({t})");
        }
        assert!(eval(&[Value::Int(0)], &EvalContext::default()).is_err());
        assert!(eval(&[], &EvalContext::default()).is_err());
    }
}
