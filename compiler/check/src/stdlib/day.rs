//! `day`: The day of the month of a timestamp, in UTC, from 1 to 31.

use super::calendar::Civil;
use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const DAY: Builtin = Builtin {
    name: "day",
    signatures: &[Signature {
        params: &[("t", SigTy::Timestamp)],
        required: 1,
        ret: SigTy::Int,
    }],
    doc: r#"The day of the month of a timestamp, in UTC, from 1 to 31."#,
    fallible: false,
    examples: &[
        Example {
            call: r#"day(@2026-03-15T13:45:30Z)"#,
            result: r#"15"#,
        },
        Example {
            call: r#"day(@2024-02-29T23:59:59Z)"#,
            result: r#"29"#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Timestamp(t)] = args else {
        return Err(bad_args("day", args));
    };
    let c = Civil::of(*t);
    Ok(Value::Int(c.day))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-03-15T13:45:30.25Z, a Sunday.
    const T: i64 = 1_773_582_330_250_000;

    #[test]
    fn cases() {
        for (t, want) in [(T, 15), (0, 1), (-1, 31), (i64::MAX, 10), (i64::MIN, 21)] {
            let got = eval(&[Value::Timestamp(t)], &EvalContext::default());
            assert_eq!(got.ok().and_then(|v| v.as_int()), Some(want), "day({t})");
        }
        assert!(eval(&[Value::Int(0)], &EvalContext::default()).is_err());
        assert!(eval(&[], &EvalContext::default()).is_err());
    }
}
