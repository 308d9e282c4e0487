//! `date_trunc`: The start of the second, minute, hour, day, week, month or year holding a timestamp.

use dash_syntax::diag::suggest;

use super::calendar::{Civil, DAY, SECOND, days_from_civil};
use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args, quote};
use crate::value::Value;

pub const DATE_TRUNC: Builtin = Builtin {
    name: "date_trunc",
    signatures: &[Signature {
        params: &[("unit", SigTy::String), ("t", SigTy::Timestamp)],
        required: 2,
        ret: SigTy::Timestamp,
    }],
    doc: r#"The start, in UTC, of the `unit` holding `t`: `unit` is one of `"second"`, `"minute"`, `"hour"`, `"day"`, `"week"` (weeks start on Monday, as ISO 8601), `"month"` or `"year"`, written exactly so (lowercase). Argument order and results are PostgreSQL's `date_trunc` at time zone UTC. A literal `unit` is checked with the program (an unknown one is E0029); a unit computed at run time that is not one of these fails the row, and so does a start before the earliest timestamp (only for timestamps within a year of it)."#,
    fallible: true,
    examples: &[
        Example {
            call: r#"date_trunc("hour", @2026-03-15T13:45:30Z)"#,
            result: r#"@2026-03-15T13:00:00Z"#,
        },
        Example {
            call: r#"date_trunc("week", @2026-03-15T13:45:30Z)"#,
            result: r#"@2026-03-09T00:00:00Z"#,
        },
        Example {
            call: r#"date_trunc("month", @2026-03-15T13:45:30Z)"#,
            result: r#"@2026-03-01T00:00:00Z"#,
        },
    ],
    eval,
};

/// The units, in the order the message lists them.
const UNITS: [&str; 7] = ["second", "minute", "hour", "day", "week", "month", "year"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unit {
    /// A unit of this many microseconds, counted from the epoch.
    Fixed(i64),
    Week,
    Month,
    Year,
}

fn unit(text: &str) -> Result<Unit, String> {
    Ok(match text {
        "second" => Unit::Fixed(SECOND),
        "minute" => Unit::Fixed(60 * SECOND),
        "hour" => Unit::Fixed(3_600 * SECOND),
        "day" => Unit::Fixed(DAY),
        "week" => Unit::Week,
        "month" => Unit::Month,
        "year" => Unit::Year,
        _ => {
            let hint = suggest::closest(text, UNITS)
                .map(|c| format!(" (did you mean \"{c}\"?)"))
                .unwrap_or_default();
            return Err(format!(
                "unknown unit {}{hint}; the units are \"second\", \"minute\", \"hour\", \"day\", \"week\", \"month\" and \"year\"",
                quote(text)
            ));
        }
    })
}

/// The compile-time check of a literal `unit` (see `LITERAL_CHECKS`).
pub(super) fn check_unit(text: &str) -> Result<(), String> {
    unit(text).map(|_| ())
}

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Str(u), Value::Timestamp(t)] = args else {
        return Err(bad_args("date_trunc", args));
    };
    let u = unit(u).map_err(|why| format!("date_trunc: {why}"))?;
    let start: i128 = match u {
        Unit::Fixed(size) => i128::from(*t) - i128::from(t.rem_euclid(size)),
        Unit::Week => {
            let c = Civil::of(*t);
            i128::from(c.days - (c.weekday() - 1)) * i128::from(DAY)
        }
        Unit::Month => {
            let c = Civil::of(*t);
            i128::from(days_from_civil(c.year, c.month, 1)) * i128::from(DAY)
        }
        Unit::Year => {
            let c = Civil::of(*t);
            i128::from(days_from_civil(c.year, 1, 1)) * i128::from(DAY)
        }
    };
    i64::try_from(start)
        .map(Value::Timestamp)
        .map_err(|_| "date_trunc: the start is before the earliest timestamp".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-03-15T13:45:30.25Z, a Sunday.
    const T: i64 = 1_773_582_330_250_000;
    const H: i64 = 3_600 * SECOND;

    fn trunc(unit: &str, t: i64) -> Result<i64, String> {
        match eval(
            &[Value::str(unit), Value::Timestamp(t)],
            &EvalContext::default(),
        )? {
            Value::Timestamp(b) => Ok(b),
            other => Err(format!("{other:?}")),
        }
    }

    #[test]
    fn cases() {
        // 2026-03-15T00:00:00Z, 2026-03-09 (Monday), 2026-03-01, 2026-01-01.
        let day = T - 13 * H - 45 * 60 * SECOND - 30_250_000;
        for (unit, t, want) in [
            ("second", T, T - 250_000),
            ("minute", T, T - 30_250_000),
            ("hour", T, T - 45 * 60 * SECOND - 30_250_000),
            ("day", T, day),
            ("week", T, day - 6 * DAY),
            ("week", day - 6 * DAY, day - 6 * DAY),
            ("week", day + DAY, day + DAY),
            ("month", T, day - 14 * DAY),
            ("year", T, 1_767_225_600_000_000),
            ("second", -1, -SECOND),
            ("day", -1, -DAY),
            // 1970-01-01 was a Thursday: its week starts on 1969-12-29.
            ("week", 0, -3 * DAY),
            ("month", -1, -31 * DAY),
            ("year", -1, -365 * DAY),
            ("year", 951_782_400_000_000, 946_684_800_000_000),
            ("month", 951_782_400_000_000, 949_363_200_000_000),
            ("second", i64::MAX, i64::MAX - i64::MAX.rem_euclid(SECOND)),
        ] {
            assert_eq!(trunc(unit, t), Ok(want), "date_trunc({unit:?}, {t})");
        }
        for u in UNITS {
            let got = trunc(u, i64::MAX);
            assert!(got.is_ok_and(|s| s > i64::MAX - 366 * DAY), "{u}");
        }
    }

    #[test]
    fn failures() {
        for bad in ["", "Hour", "hours", "fortnight", " day", "quarter"] {
            let got = trunc(bad, T);
            assert!(
                got.as_ref().is_err_and(|e| e.contains("unknown unit")),
                "{bad:?} gave {got:?}"
            );
            assert!(check_unit(bad).is_err());
        }
        assert!(trunc("Hour", T).is_err_and(|e| e.contains("did you mean \"hour\"")));
        for u in UNITS {
            assert!(check_unit(u).is_ok());
            assert!(
                trunc(u, i64::MIN).is_err_and(|e| e.contains("earliest")),
                "{u}"
            );
        }
        assert!(
            eval(
                &[Value::Timestamp(T), Value::str("day")],
                &EvalContext::default()
            )
            .is_err()
        );
    }
}
