//! `repeat`: A string repeated a number of times.

use super::{Builtin, EvalContext, Example, MAX_BUILT_BYTES, SigTy, Signature, bad_args};
use crate::value::Value;

pub const REPEAT: Builtin = Builtin {
    name: "repeat",
    signatures: &[Signature {
        params: &[("s", SigTy::String), ("n", SigTy::Int)],
        required: 2,
        ret: SigTy::String,
    }],
    doc: r#"`s` repeated `n` times, one copy after another (`n` = 0 gives `""`). A negative `n`, or a result over 10 MiB (10,485,760 bytes of UTF-8), fails the row."#,
    fallible: true,
    examples: &[
        Example {
            call: r#"repeat("ab", 3)"#,
            result: r#""ababab""#,
        },
        Example {
            call: r#"repeat("é", 0)"#,
            result: r#""""#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Str(s), Value::Int(n)] = args else {
        return Err(bad_args("repeat", args));
    };
    let Ok(count) = usize::try_from(*n) else {
        return Err(format!("repeat: the count must not be negative, not {n}"));
    };
    if s.len()
        .checked_mul(count)
        .is_none_or(|b| b > MAX_BUILT_BYTES)
    {
        return Err(format!(
            "repeat: the result would be longer than 10 MiB ({} bytes × {n})",
            s.len()
        ));
    }
    Ok(Value::string(s.repeat(count)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repeat(s: &str, n: i64) -> Result<String, String> {
        let v = eval(&[Value::str(s), Value::Int(n)], &EvalContext::default())?;
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| "not a string".to_string())
    }

    #[test]
    fn cases() {
        for (s, n, want) in [
            ("ab", 3, "ababab"),
            ("é", 0, ""),
            ("é🎉", 2, "é🎉é🎉"),
            ("", 0, ""),
            ("", 5, ""),
            ("x", 1, "x"),
        ] {
            assert_eq!(repeat(s, n).as_deref(), Ok(want), "{s:?} {n}");
        }
        // The empty string any number of times is empty: nothing is built.
        assert_eq!(repeat("", i64::MAX).as_deref(), Ok(""));
        assert_eq!(
            repeat("ab", 5 * 1024 * 1024).map(|s| s.len()),
            Ok(MAX_BUILT_BYTES)
        );
    }

    #[test]
    fn failures() {
        assert!(repeat("x", -1).is_err_and(|e| e.contains("negative")));
        assert!(repeat("x", i64::MIN).is_err());
        assert!(repeat("ab", 5 * 1024 * 1024 + 1).is_err_and(|e| e.contains("10 MiB")));
        assert!(repeat("x", i64::MAX).is_err_and(|e| e.contains("10 MiB")));
        assert!(repeat(&"x".repeat(100_000), 1_000).is_err());
        assert!(
            eval(
                &[Value::str("x"), Value::Float(1.0)],
                &EvalContext::default()
            )
            .is_err()
        );
    }
}
