//! `year`: The year of a timestamp, in UTC.

use super::calendar::Civil;
use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const YEAR: Builtin = Builtin {
    name: "year",
    signatures: &[Signature {
        params: &[("t", SigTy::Timestamp)],
        required: 1,
        ret: SigTy::Int,
    }],
    doc: r#"The year of a timestamp, in UTC (proleptic Gregorian calendar, as ISO 8601: year 0 is 1 BC, and years before it are negative)."#,
    fallible: false,
    examples: &[
        Example {
            call: r#"year(@2026-03-15T13:45:30Z)"#,
            result: r#"2026"#,
        },
        Example {
            call: r#"year(@1969-12-31T23:59:59Z)"#,
            result: r#"1969"#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Timestamp(t)] = args else {
        return Err(bad_args("year", args));
    };
    let c = Civil::of(*t);
    Ok(Value::Int(c.year))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-03-15T13:45:30.25Z, a Sunday.
    const T: i64 = 1_773_582_330_250_000;
    /// 0000-01-01T00:00:00Z.
    const EARLIEST: i64 = -62_167_219_200_000_000;

    #[test]
    fn cases() {
        for (t, want) in [
            (T, 2026),
            (0, 1970),
            (-1, 1969),
            (EARLIEST, 0),
            (EARLIEST - 1, -1),
            (i64::MAX, 294_247),
            (i64::MIN, -290_308),
        ] {
            let got = eval(&[Value::Timestamp(t)], &EvalContext::default());
            assert_eq!(got.ok().and_then(|v| v.as_int()), Some(want), "year({t})");
        }
        assert!(eval(&[Value::Int(0)], &EvalContext::default()).is_err());
        assert!(eval(&[], &EvalContext::default()).is_err());
    }
}
