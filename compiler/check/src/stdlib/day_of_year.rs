//! `day_of_year`: The day of the year of a timestamp, in UTC, from 1 to 366.

use super::calendar::Civil;
use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const DAY_OF_YEAR: Builtin = Builtin {
    name: "day_of_year",
    signatures: &[Signature {
        params: &[("t", SigTy::Timestamp)],
        required: 1,
        ret: SigTy::Int,
    }],
    doc: r#"The day of the year of a timestamp, in UTC, from 1 (January 1st) to 365, or 366 on December 31st of a leap year."#,
    fallible: false,
    examples: &[
        Example {
            call: r#"day_of_year(@2026-03-15T13:45:30Z)"#,
            result: r#"74"#,
        },
        Example {
            call: r#"day_of_year(@2024-12-31T12:00:00Z)"#,
            result: r#"366"#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Timestamp(t)] = args else {
        return Err(bad_args("day_of_year", args));
    };
    let c = Civil::of(*t);
    Ok(Value::Int(c.day_of_year()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-03-15T13:45:30.25Z, a Sunday.
    const T: i64 = 1_773_582_330_250_000;
    /// 2024-12-31T12:00:00Z.
    const LEAP_DEC_31: i64 = 1_735_646_400_000_000;

    #[test]
    fn cases() {
        for (t, want) in [(T, 74), (0, 1), (-1, 365), (LEAP_DEC_31, 366)] {
            let got = eval(&[Value::Timestamp(t)], &EvalContext::default());
            assert_eq!(
                got.ok().and_then(|v| v.as_int()),
                Some(want),
                "day_of_year({t})"
            );
        }
        assert!(eval(&[Value::Int(0)], &EvalContext::default()).is_err());
        assert!(eval(&[], &EvalContext::default()).is_err());
    }
}
