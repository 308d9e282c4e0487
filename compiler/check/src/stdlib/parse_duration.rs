//! `parse_duration`: Parses a duration written like `1h30m`.

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args, quote};
use crate::value::Value;

pub const PARSE_DURATION: Builtin = Builtin {
    name: "parse_duration",
    signatures: &[Signature {
        params: &[("s", SigTy::String)],
        required: 1,
        ret: SigTy::Duration,
    }],
    doc: r#"Parses a duration written as Dash writes durations: whole numbers, each followed by a unit (`d`, `h`, `m`, `s`, `ms` or `us`), largest unit first and each unit at most once, like `250ms`, `30s`, `5m`, `1h`, `7d` or `1h30m`; a leading `-` negates the whole (`-1h30m`). This is the text `to_string` gives for a duration and the one input decoding reads for a `duration` field. Anything else fails the row: spaces, a number without a unit, fractions (`1.5h`), units out of order (`30m1h`) or repeated, and durations beyond what a `duration` holds (about 292,000 years)."#,
    fallible: true,
    examples: &[
        Example {
            call: r#"parse_duration("1h30m")"#,
            result: r#"90m"#,
        },
        Example {
            call: r#"parse_duration("250ms")"#,
            result: r#"250ms"#,
        },
        Example {
            call: r#"parse_duration("-5m")"#,
            result: r#"-5m"#,
        },
        Example {
            call: r#"parse_duration("1.5h") ?? 0s"#,
            result: r#"0s"#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Str(s)] = args else {
        return Err(bad_args("parse_duration", args));
    };
    parse(s).map(Value::Duration).map_err(|why| {
        format!(
            "parse_duration: {} is not a duration ({why}); write it like \"1h30m\", \"250ms\" or \"-5m\"",
            quote(s)
        )
    })
}

/// Microseconds, or why `text` is not a duration: `1h30m`, `-5m`,
/// `250ms`, whole numbers with units `d h m s ms us`, largest first, each
/// at most once. Input decoding reads `duration` fields with it too.
pub fn parse(text: &str) -> Result<i64, &'static str> {
    let (negative, mut rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if rest.is_empty() {
        return Err("it is empty");
    }
    let mut total: i64 = 0;
    let mut last_rank = None;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err("expected a whole number");
        }
        let number: i64 = rest[..digits].parse().map_err(|_| "it is too long")?;
        rest = &rest[digits..];
        let letters = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let (rank, scale) = match &rest[..letters] {
            "d" => (0, 86_400_000_000),
            "h" => (1, 3_600_000_000),
            "m" => (2, 60_000_000),
            "s" => (3, 1_000_000),
            "ms" => (4, 1_000),
            "us" => (5, 1),
            "" => return Err("a number needs a unit: d h m s ms us"),
            _ => return Err("unknown unit; units are d h m s ms us"),
        };
        rest = &rest[letters..];
        if last_rank.is_some_and(|last| rank <= last) {
            return Err("units must come largest first, each once");
        }
        last_rank = Some(rank);
        let part = number.checked_mul(scale).ok_or("it is too long")?;
        total = if negative {
            total.checked_sub(part)
        } else {
            total.checked_add(part)
        }
        .ok_or("it is too long")?;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::format_duration;

    const S: i64 = 1_000_000;

    #[test]
    fn cases() {
        for (text, want) in [
            ("250ms", 250_000),
            ("30s", 30 * S),
            ("5m", 300 * S),
            ("1h", 3_600 * S),
            ("7d", 7 * 86_400 * S),
            ("1h30m", 5_400 * S),
            (
                "2d3h4m5s6ms7us",
                ((2 * 24 + 3) * 3_600 + 4 * 60 + 5) * S + 6_007,
            ),
            ("0s", 0),
            ("-0s", 0),
            ("-5m", -300 * S),
            ("-1h30m", -5_400 * S),
            ("10us", 10),
            ("05m", 300 * S),
            ("1h0m", 3_600 * S),
            ("106751991d4h0m54s775ms807us", i64::MAX),
            ("-106751991d4h0m54s775ms808us", i64::MIN),
            ("9223372036854775807us", i64::MAX),
        ] {
            assert_eq!(parse(text), Ok(want), "{text:?}");
        }
        // The text of every duration parses back to it.
        for d in [
            0,
            1,
            -1,
            999,
            90 * 60 * S,
            -7 * 86_400 * S - 1,
            i64::MAX,
            i64::MIN,
        ] {
            assert_eq!(parse(&format_duration(d)), Ok(d), "{d}");
        }
    }

    #[test]
    fn failures() {
        for bad in [
            "",
            "-",
            "5",
            "5x",
            "30m1h",
            "1h1h",
            "1.5h",
            "h",
            " 1h",
            "1h ",
            "1 h",
            "+1h",
            "--1h",
            "1H",
            "1h-5m",
            "1hour",
            "106751992d",
            "106751991d4h0m54s775ms808us",
            "9223372036854775808us",
            "١h",
            "1ms1s",
        ] {
            let got = eval(&[Value::str(bad)], &EvalContext::default());
            assert!(
                got.as_ref().is_err_and(
                    |e| e.starts_with("parse_duration: ") && e.contains("not a duration")
                ),
                "{bad:?} gave {got:?}"
            );
        }
        assert!(eval(&[Value::Duration(1)], &EvalContext::default()).is_err());
    }
}
