//! `substr`: The `count` characters starting at character `start` (from 0).

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const SUBSTR: Builtin = Builtin {
    name: "substr",
    signatures: &[Signature {
        params: &[
            ("s", SigTy::String),
            ("start", SigTy::Int),
            ("count", SigTy::Int),
        ],
        required: 3,
        ret: SigTy::String,
    }],
    doc: r#"The `count` characters starting at character `start` (both counted in Unicode code points, from 0). Out-of-range parts are cut off: the result may be shorter or empty; a negative `start` or `count` fails the row."#,
    fallible: true,
    examples: &[
        Example {
            call: r#"substr("weather", 0, 3)"#,
            result: r#""wea""#,
        },
        Example {
            call: r#"substr("héllo", 1, 10)"#,
            result: r#""éllo""#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Str(s), Value::Int(start), Value::Int(count)] = args else {
        return Err(bad_args("substr", args));
    };
    let (Ok(start), Ok(count)) = (usize::try_from(*start), usize::try_from(*count)) else {
        return Err(format!(
            "substr: start and count must not be negative (start {start}, count {count})"
        ));
    };
    let Some((begin, _)) = s.char_indices().nth(start) else {
        return Ok(Value::str(""));
    };
    let rest = &s[begin..];
    let end = rest
        .char_indices()
        .nth(count)
        .map_or(rest.len(), |(i, _)| i);
    Ok(Value::str(&rest[..end]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn substr(s: &str, start: i64, count: i64) -> Result<String, String> {
        let v = eval(
            &[Value::str(s), Value::Int(start), Value::Int(count)],
            &EvalContext::default(),
        )?;
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| "not a string".to_string())
    }

    #[test]
    fn cases() {
        for (s, start, count, want) in [
            ("weather", 0, 3, "wea"),
            ("héllo", 1, 10, "éllo"),
            ("héllo", 1, 1, "é"),
            ("weather", 7, 1, ""),
            ("weather", 100, 1, ""),
            ("weather", 2, 0, ""),
            ("", 0, 0, ""),
            ("", 0, 5, ""),
            ("e\u{301}x", 1, 1, "\u{301}"),
            ("🎉🎊x", 1, 2, "🎊x"),
            ("abc", 0, i64::MAX, "abc"),
            ("abc", i64::MAX, 1, ""),
        ] {
            assert_eq!(
                substr(s, start, count).as_deref(),
                Ok(want),
                "{s} {start} {count}"
            );
        }
        let huge = "é".repeat(1_000_000);
        assert_eq!(substr(&huge, 999_999, 5).as_deref(), Ok("é"));
    }

    #[test]
    fn negative_fails() {
        for (start, count) in [(-1, 1), (0, -1), (i64::MIN, 0), (0, i64::MIN)] {
            assert!(substr("abc", start, count).is_err(), "{start} {count}");
        }
        assert!(eval(&[Value::str("abc"), Value::Int(0)], &EvalContext::default()).is_err());
        assert!(
            eval(
                &[Value::str("abc"), Value::Float(0.0), Value::Int(1)],
                &EvalContext::default()
            )
            .is_err()
        );
    }
}
