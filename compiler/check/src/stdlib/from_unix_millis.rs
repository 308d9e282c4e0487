//! `from_unix_millis`: The timestamp a number of milliseconds after the Unix epoch.

use super::calendar::{EARLIEST, LATEST};
use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const FROM_UNIX_MILLIS: Builtin = Builtin {
    name: "from_unix_millis",
    signatures: &[Signature {
        params: &[("millis", SigTy::Int)],
        required: 1,
        ret: SigTy::Timestamp,
    }],
    doc: r#"The timestamp `millis` milliseconds after 1970-01-01T00:00:00Z (before it when negative). The result must lie in the years 0000 to 9999, the timestamps input decoding reads (from -62167219200000 to 253402300799999 milliseconds); outside them the row fails."#,
    fallible: true,
    examples: &[
        Example {
            call: r#"from_unix_millis(1767225600250)"#,
            result: r#"@2026-01-01T00:00:00.250Z"#,
        },
        Example {
            call: r#"from_unix_millis(-1)"#,
            result: r#"@1969-12-31T23:59:59.999Z"#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Int(millis)] = args else {
        return Err(bad_args("from_unix_millis", args));
    };
    match millis.checked_mul(1_000) {
        Some(t) if (EARLIEST..=LATEST).contains(&t) => Ok(Value::Timestamp(t)),
        _ => Err(format!(
            "from_unix_millis: {millis} milliseconds is out of range for `timestamp` (years 0000 to 9999)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(millis: i64) -> Result<i64, String> {
        match eval(&[Value::Int(millis)], &EvalContext::default())? {
            Value::Timestamp(t) => Ok(t),
            other => Err(format!("{other:?}")),
        }
    }

    #[test]
    fn cases() {
        for (ms, want) in [
            (0, 0),
            (1, 1_000),
            (-1, -1_000),
            (1_767_225_600_250, 1_767_225_600_250_000),
            (-62_167_219_200_000, EARLIEST),
            (253_402_300_799_999, LATEST - 999),
        ] {
            assert_eq!(from(ms), Ok(want), "{ms}");
        }
    }

    #[test]
    fn out_of_range_fails() {
        for ms in [-62_167_219_200_001, 253_402_300_800_000, i64::MAX, i64::MIN] {
            assert!(from(ms).is_err_and(|e| e.contains("out of range")), "{ms}");
        }
        assert!(eval(&[Value::Float(1.0)], &EvalContext::default()).is_err());
    }
}
