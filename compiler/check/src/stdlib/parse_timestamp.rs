//! `parse_timestamp`: Parses a timestamp, RFC 3339 or with a `strftime` format.

use chrono::DateTime;
use chrono::format::{Item, ParseError, Parsed, StrftimeItems};

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args, quote};
use crate::value::Value;

pub const PARSE_TIMESTAMP: Builtin = Builtin {
    name: "parse_timestamp",
    signatures: &[Signature {
        params: &[("s", SigTy::String), ("format", SigTy::String)],
        required: 1,
        ret: SigTy::Timestamp,
    }],
    doc: r#"Parses a timestamp: RFC 3339 without a format (surrounding whitespace allowed), else a `strftime` format (`%Y-%m-%d %H:%M:%S`, chrono's specifiers). Times without an offset are UTC; a date without a time of day is midnight. Digits past the microsecond are dropped. A string that does not parse, or an invalid format, fails the row."#,
    fallible: true,
    examples: &[
        Example {
            call: r#"parse_timestamp("2026-01-01T00:00:00Z")"#,
            result: r#"@2026-01-01T00:00:00Z"#,
        },
        Example {
            call: r#"parse_timestamp("2026-01-01 12:00", "%Y-%m-%d %H:%M")"#,
            result: r#"@2026-01-01T12:00:00Z"#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    match args {
        [Value::Str(s)] => rfc3339(s).map(Value::Timestamp),
        [Value::Str(s), Value::Str(format)] => with_format(s, format).map(Value::Timestamp),
        _ => Err(bad_args("parse_timestamp", args)),
    }
}

/// RFC 3339, like `2026-01-01T00:00:00Z` or `2026-01-01 02:00:00.5+02:00`,
/// with surrounding whitespace; digits past microseconds are dropped.
fn rfc3339(s: &str) -> Result<i64, String> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.timestamp_micros())
        .map_err(|e| {
            format!(
                "parse_timestamp: {} is not an RFC 3339 timestamp like \"2026-01-01T00:00:00Z\" ({e})",
                quote(s)
            )
        })
}

/// With a `strftime` format. Without an offset (`%z`) in the text, the time
/// is UTC; without a time of day, it is midnight (and without minutes, the
/// full hour).
fn with_format(s: &str, format: &str) -> Result<i64, String> {
    let items = StrftimeItems::new(format);
    if items.clone().any(|i| matches!(i, Item::Error)) {
        return Err(format!(
            "parse_timestamp: invalid format {} (see the `strftime` specifiers of chrono)",
            quote(format)
        ));
    }
    let mut parsed = Parsed::new();
    let fail = |e: ParseError| {
        format!(
            "parse_timestamp: {} does not match the format {} ({e})",
            quote(s),
            quote(format)
        )
    };
    chrono::format::parse(&mut parsed, s, items).map_err(fail)?;
    if parsed.timestamp().is_none() {
        let no_hour = parsed.hour_div_12().is_none() && parsed.hour_mod_12().is_none();
        if no_hour && parsed.minute().is_none() {
            parsed.set_hour(0).map_err(fail)?;
        }
        if parsed.minute().is_none() {
            parsed.set_minute(0).map_err(fail)?;
        }
        if parsed.offset().is_none() {
            parsed.set_offset(0).map_err(fail)?;
        }
    }
    parsed
        .to_datetime()
        .map(|t| t.timestamp_micros())
        .map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-01-01T00:00:00Z
    const T: i64 = 1_767_225_600_000_000;
    const S: i64 = 1_000_000;

    fn parse(args: &[&str]) -> Result<i64, String> {
        let args: Vec<Value> = args.iter().map(|a| Value::str(a)).collect();
        match eval(&args, &EvalContext::default())? {
            Value::Timestamp(t) => Ok(t),
            other => Err(format!("{other:?}")),
        }
    }

    #[test]
    fn rfc3339() {
        for (s, want) in [
            ("2026-01-01T00:00:00Z", T),
            ("2026-01-01t00:00:00z", T),
            ("2026-01-01 00:00:00Z", T),
            (" 2026-01-01T00:00:00Z\n", T),
            ("2026-01-01T02:00:00+02:00", T),
            ("2025-12-31T19:00:00-05:00", T),
            ("2026-01-01T00:00:00.5Z", T + S / 2),
            ("2026-01-01T00:00:00.000001Z", T + 1),
            ("2026-01-01T00:00:00.0000019Z", T + 1),
            ("1970-01-01T00:00:00Z", 0),
            ("1969-12-31T23:59:59.999999Z", -1),
            ("0001-01-01T00:00:00Z", -62_135_596_800 * S),
            ("9999-12-31T23:59:59Z", 253_402_300_799 * S),
            ("2016-12-31T23:59:60Z", 1_483_228_800 * S),
        ] {
            assert_eq!(parse(&[s]), Ok(want), "{s:?}");
        }
        for s in [
            "",
            "x",
            "2026-01-01",
            "2026-01-01T00:00:00",
            "2026-13-01T00:00:00Z",
            "2026-02-30T00:00:00Z",
            "2026-01-01T24:00:00Z",
            "2026-01-01T00:00:00+25:00",
            "2026-01-01T00:00:00Zjunk",
            "２０２６-01-01T00:00:00Z",
        ] {
            let got = parse(&[s]);
            assert!(
                got.as_ref()
                    .is_err_and(|e| e.starts_with("parse_timestamp: ")),
                "{s:?} gave {got:?}"
            );
        }
    }

    #[test]
    fn with_format() {
        for (s, format, want) in [
            ("2026-01-01 12:00", "%Y-%m-%d %H:%M", T + 12 * 3600 * S),
            (
                "2026-01-01 12:00:30",
                "%Y-%m-%d %H:%M:%S",
                T + (12 * 3600 + 30) * S,
            ),
            ("2026-01-01", "%Y-%m-%d", T),
            ("01/01/2026", "%m/%d/%Y", T),
            ("2026-01-01 07", "%Y-%m-%d %H", T + 7 * 3600 * S),
            ("2026-01-01 02:00 +0200", "%Y-%m-%d %H:%M %z", T),
            ("2026-01-01 02:00 +02:00", "%Y-%m-%d %H:%M %:z", T),
            (
                "2026-01-01 12:00:00.25",
                "%Y-%m-%d %H:%M:%S%.f",
                T + 12 * 3600 * S + S / 4,
            ),
            ("1767225600", "%s", T),
            ("1767225600 +0200", "%s %z", T),
            (
                "Thu, 01 Jan 2026 00:00:00 GMT",
                "%a, %d %b %Y %H:%M:%S GMT",
                T,
            ),
            ("1 January 2026 3pm", "%-d %B %Y %-I%P", T + 15 * 3600 * S),
            ("2026-01-01T00:00:00Z", "%+", T),
        ] {
            assert_eq!(parse(&[s, format]), Ok(want), "{s:?} {format:?}");
        }
        for (s, format) in [
            ("2026-01-01", "%Y-%m-%d %H:%M"),
            ("2026-01-01 12:00", "%Y-%m-%d"),
            ("2026-02-30", "%Y-%m-%d"),
            ("12:00", "%H:%M"),
            ("", "%Y"),
            ("2026", "%Y"),
            ("x", ""),
            ("2026-01-01 3", "%Y-%m-%d %I"),
            ("2026-01-01 25:00", "%Y-%m-%d %H:%M"),
            ("Fri 2026-01-01", "%a %Y-%m-%d"),
        ] {
            let got = parse(&[s, format]);
            assert!(
                got.as_ref().is_err_and(|e| e.contains("does not match")),
                "{s:?} {format:?} gave {got:?}"
            );
        }
    }

    #[test]
    fn invalid_formats_fail() {
        for format in ["%Q", "%", "%Y-%", "%-", "%:"] {
            let got = parse(&["2026", format]);
            assert!(
                got.as_ref().is_err_and(|e| e.contains("invalid format")),
                "{format:?} gave {got:?}"
            );
        }
        assert!(eval(&[Value::Int(1)], &EvalContext::default()).is_err());
    }
}
