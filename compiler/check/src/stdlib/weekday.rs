//! `weekday`: The day of the week of a timestamp, in UTC: 1 (Monday) to 7 (Sunday).

use super::calendar::Civil;
use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const WEEKDAY: Builtin = Builtin {
    name: "weekday",
    signatures: &[Signature {
        params: &[("t", SigTy::Timestamp)],
        required: 1,
        ret: SigTy::Int,
    }],
    doc: r#"The day of the week of a timestamp, in UTC, as ISO 8601 numbers it: 1 for Monday through 7 for Sunday."#,
    fallible: false,
    examples: &[
        Example {
            call: r#"weekday(@2026-03-15T13:45:30Z)"#,
            result: r#"7"#,
        },
        Example {
            call: r#"weekday(@2026-03-16T00:00:00Z)"#,
            result: r#"1"#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Timestamp(t)] = args else {
        return Err(bad_args("weekday", args));
    };
    let c = Civil::of(*t);
    Ok(Value::Int(c.weekday()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-03-15T13:45:30.25Z, a Sunday.
    const T: i64 = 1_773_582_330_250_000;

    #[test]
    fn cases() {
        for (t, want) in [(T, 7), (0, 4), (-1, 3), (T + 86_400_000_000, 1)] {
            let got = eval(&[Value::Timestamp(t)], &EvalContext::default());
            assert_eq!(
                got.ok().and_then(|v| v.as_int()),
                Some(want),
                "weekday({t})"
            );
        }
        assert!(eval(&[Value::Int(0)], &EvalContext::default()).is_err());
        assert!(eval(&[], &EvalContext::default()).is_err());
    }
}
