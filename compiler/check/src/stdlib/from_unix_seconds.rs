//! `from_unix_seconds`: The timestamp a number of seconds after the Unix epoch.

use super::calendar::{EARLIEST, LATEST, SECOND};
use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const FROM_UNIX_SECONDS: Builtin = Builtin {
    name: "from_unix_seconds",
    signatures: &[Signature {
        params: &[("seconds", SigTy::Int)],
        required: 1,
        ret: SigTy::Timestamp,
    }],
    doc: r#"The timestamp `seconds` seconds after 1970-01-01T00:00:00Z (before it when negative). The result must lie in the years 0000 to 9999, the timestamps input decoding reads (from -62167219200 to 253402300799 seconds); outside them the row fails (a number of milliseconds passed by mistake lands there: use `from_unix_millis`)."#,
    fallible: true,
    examples: &[
        Example {
            call: r#"from_unix_seconds(1767225600)"#,
            result: r#"@2026-01-01T00:00:00Z"#,
        },
        Example {
            call: r#"from_unix_seconds(-1)"#,
            result: r#"@1969-12-31T23:59:59Z"#,
        },
        Example {
            call: r#"from_unix_seconds(1767225600000) ?? @1970-01-01T00:00:00Z"#,
            result: r#"@1970-01-01T00:00:00Z"#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Int(seconds)] = args else {
        return Err(bad_args("from_unix_seconds", args));
    };
    match seconds.checked_mul(SECOND) {
        Some(t) if (EARLIEST..=LATEST).contains(&t) => Ok(Value::Timestamp(t)),
        _ => Err(format!(
            "from_unix_seconds: {seconds} seconds is out of range for `timestamp` (years 0000 to 9999)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(seconds: i64) -> Result<i64, String> {
        match eval(&[Value::Int(seconds)], &EvalContext::default())? {
            Value::Timestamp(t) => Ok(t),
            other => Err(format!("{other:?}")),
        }
    }

    #[test]
    fn cases() {
        for (s, want) in [
            (0, 0),
            (1, 1_000_000),
            (-1, -1_000_000),
            (1_767_225_600, 1_767_225_600_000_000),
            (-62_167_219_200, EARLIEST),
            (253_402_300_799, LATEST - 999_999),
        ] {
            assert_eq!(from(s), Ok(want), "{s}");
        }
    }

    #[test]
    fn out_of_range_fails() {
        for s in [
            -62_167_219_201,
            253_402_300_800,
            1_767_225_600_000,
            i64::MAX,
            i64::MIN,
        ] {
            assert!(from(s).is_err_and(|e| e.contains("out of range")), "{s}");
        }
        assert!(eval(&[Value::Float(1.0)], &EvalContext::default()).is_err());
    }
}
