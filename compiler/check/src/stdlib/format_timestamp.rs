//! `format_timestamp`: Formats a timestamp (UTC) with a `strftime` format.

use std::fmt::Write as _;

use chrono::DateTime;
use chrono::format::{Item, StrftimeItems};

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args, quote};
use crate::value::Value;

pub const FORMAT_TIMESTAMP: Builtin = Builtin {
    name: "format_timestamp",
    signatures: &[Signature {
        params: &[("t", SigTy::Timestamp), ("format", SigTy::String)],
        required: 2,
        ret: SigTy::String,
    }],
    doc: r#"Formats a timestamp (UTC) with a `strftime` format (chrono's specifiers, like `%Y-%m-%d %H:%M:%S`). An invalid format fails the row."#,
    fallible: true,
    examples: &[
        Example {
            call: r#"format_timestamp(@2026-01-02T03:04:05Z, "%Y-%m-%d")"#,
            result: r#""2026-01-02""#,
        },
        Example {
            call: r#"format_timestamp(@2026-01-02T03:04:05Z, "%H:%M")"#,
            result: r#""03:04""#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Timestamp(t), Value::Str(format)] = args else {
        return Err(bad_args("format_timestamp", args));
    };
    let items: Vec<Item<'_>> = StrftimeItems::new(format).collect();
    if items.iter().any(|i| matches!(i, Item::Error)) {
        return Err(format!(
            "format_timestamp: invalid format {} (see the `strftime` specifiers of chrono)",
            quote(format)
        ));
    }
    let Some(time) = DateTime::from_timestamp_micros(*t) else {
        return Err(format!(
            "format_timestamp: timestamp {t}us is out of the range of dates"
        ));
    };
    let mut out = String::new();
    write!(out, "{}", time.format_with_items(items.iter()))
        .map_err(|_| format!("format_timestamp: cannot format with {}", quote(format)))?;
    Ok(Value::string(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-01-02T03:04:05.678901Z, a Friday.
    const T: i64 = 1_767_323_045_678_901;

    fn format(t: i64, format: &str) -> Result<String, String> {
        let v = eval(
            &[Value::Timestamp(t), Value::str(format)],
            &EvalContext::default(),
        )?;
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| "not a string".to_string())
    }

    #[test]
    fn cases() {
        for (t, f, want) in [
            (T, "%Y-%m-%d", "2026-01-02"),
            (T, "%Y-%m-%dT%H:%M:%SZ", "2026-01-02T03:04:05Z"),
            (T, "%H:%M:%S%.6f", "03:04:05.678901"),
            (T, "%H:%M:%S%.3f", "03:04:05.678"),
            (T, "%a %A %b %B %j", "Fri Friday Jan January 002"),
            (T, "%z %:z %Z", "+0000 +00:00 UTC"),
            (T, "%s", "1767323045"),
            (T, "%-d/%-m", "2/1"),
            (T, "%+", "2026-01-02T03:04:05.678901+00:00"),
            (T, "", ""),
            (T, "no specifiers, é🎉", "no specifiers, é🎉"),
            (T, "%%", "%"),
            (0, "%Y-%m-%d %H:%M:%S", "1970-01-01 00:00:00"),
            (-1, "%Y-%m-%d %H:%M:%S%.6f", "1969-12-31 23:59:59.999999"),
        ] {
            assert_eq!(format(t, f).as_deref(), Ok(want), "{t} {f:?}");
        }
        let long = "%Y".repeat(10_000);
        assert_eq!(format(T, &long).map(|s| s.len()), Ok(40_000));
    }

    #[test]
    fn failures() {
        for f in ["%Q", "%", "%Y-%", "%-", "%:"] {
            let got = format(T, f);
            assert!(
                got.as_ref().is_err_and(|e| e.contains("invalid format")),
                "{f:?} gave {got:?}"
            );
        }
        for t in [i64::MIN, i64::MAX] {
            assert!(
                format(t, "%Y").is_err_and(|e| e.contains("out of the range")),
                "{t}"
            );
        }
        assert!(eval(&[Value::Int(0), Value::str("%Y")], &EvalContext::default()).is_err());
    }
}
