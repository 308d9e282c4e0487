//! `time_bucket`: The start of the `width`-long bucket holding `t`, aligned like TimescaleDB's.

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::{Value, format_duration};

pub const TIME_BUCKET: Builtin = Builtin {
    name: "time_bucket",
    signatures: &[Signature {
        params: &[("width", SigTy::Duration), ("t", SigTy::Timestamp)],
        required: 2,
        ret: SigTy::Timestamp,
    }],
    doc: r#"The start of the `width`-long bucket holding `t`, with TimescaleDB's argument order and alignment: buckets are counted from 2000-01-03T00:00:00Z (a Monday), as TimescaleDB does for widths shorter than a month, so a Dash bucket equals the database's (`7d` buckets start on Mondays). A zero or negative width fails the row."#,
    fallible: true,
    examples: &[
        Example {
            call: r#"time_bucket(1h, @2026-01-01T10:42:00Z)"#,
            result: r#"@2026-01-01T10:00:00Z"#,
        },
        Example {
            call: r#"time_bucket(15m, @2026-01-01T10:42:00Z)"#,
            result: r#"@2026-01-01T10:30:00Z"#,
        },
    ],
    eval,
};

/// 2000-01-03T00:00:00Z, TimescaleDB's default origin, in microseconds.
const ORIGIN: i64 = 946_857_600_000_000;

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Duration(width), Value::Timestamp(t)] = args else {
        return Err(bad_args("time_bucket", args));
    };
    if *width <= 0 {
        return Err(format!(
            "time_bucket: the width must be positive, not {}",
            format_duration(*width)
        ));
    }
    // Offset from TimescaleDB's origin, floored to a multiple of the width.
    let offset = (i128::from(*t) - i128::from(ORIGIN)).rem_euclid(i128::from(*width));
    i64::try_from(i128::from(*t) - offset)
        .ok()
        .map(Value::Timestamp)
        .ok_or_else(|| "time_bucket: the bucket starts before the earliest timestamp".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000_000;
    const D: i64 = 24 * H;
    /// 2026-01-01T00:00:00Z, a Thursday.
    const T: i64 = 1_767_225_600_000_000;

    fn bucket(width: i64, t: i64) -> Result<i64, String> {
        match eval(
            &[Value::Duration(width), Value::Timestamp(t)],
            &EvalContext::default(),
        )? {
            Value::Timestamp(b) => Ok(b),
            other => Err(format!("{other:?}")),
        }
    }

    #[test]
    fn cases() {
        for (width, t, want) in [
            (H, T + 10 * H + 42 * 60_000_000, T + 10 * H),
            (H, T, T),
            (H, T - 1, T - H),
            (D, T + D - 1, T),
            // 2026-01-01 is a Thursday: its week bucket starts on Monday
            // 2025-12-29, as in TimescaleDB.
            (7 * D, T + 3 * D, T - 3 * D),
            (15 * 60_000_000, T + 29 * 60_000_000, T + 15 * 60_000_000),
            (1, T + 123, T + 123),
            (H, 0, 0),
            (H, -1, -H),
            (H, -H, -H),
            (H, -H - 1, -2 * H),
            (i64::MAX, 946_857_600_000_000, 946_857_600_000_000),
            (H, i64::MAX, i64::MAX - i64::MAX.rem_euclid(H)),
        ] {
            assert_eq!(bucket(width, t), Ok(want), "time_bucket({width}, {t})");
        }
    }

    #[test]
    fn failures() {
        assert!(bucket(0, T).is_err_and(|e| e.contains("positive")));
        assert!(bucket(-H, T).is_err_and(|e| e.contains("-1h")));
        assert!(bucket(i64::MIN, T).is_err());
        assert!(bucket(H, i64::MIN).is_err());
        assert!(bucket(i64::MAX, i64::MIN).is_err());
        assert_eq!(bucket(2, i64::MIN), Ok(i64::MIN));
        assert!(
            eval(
                &[Value::Timestamp(T), Value::Duration(H)],
                &EvalContext::default()
            )
            .is_err()
        );
    }
}
