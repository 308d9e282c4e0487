//! `pad_left`: Pads a string on the left with a character, up to a number of characters.

use super::{Builtin, EvalContext, Example, MAX_BUILT_BYTES, SigTy, Signature, bad_args, quote};
use crate::value::Value;

pub const PAD_LEFT: Builtin = Builtin {
    name: "pad_left",
    signatures: &[Signature {
        params: &[
            ("s", SigTy::String),
            ("n", SigTy::Int),
            ("c", SigTy::String),
        ],
        required: 3,
        ret: SigTy::String,
    }],
    doc: r#"`s` with copies of the character `c` added in front until it is `n` characters long (Unicode code points, as `len` counts); a string already that long or longer is returned unchanged, never cut. `c` must be exactly one character (one code point: `"é"` written precomposed, not `e` with a combining accent): a literal `c` is checked with the program (E0029), another fails the row. A negative `n`, or a result over 10 MiB (10,485,760 bytes of UTF-8), fails the row."#,
    fallible: true,
    examples: &[
        Example {
            call: r#"pad_left("42", 5, "0")"#,
            result: r#""00042""#,
        },
        Example {
            call: r#"pad_left("héllo", 3, "*")"#,
            result: r#""héllo""#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    pad("pad_left", args, true)
}

/// The compile-time check of a literal fill character (see
/// `LITERAL_CHECKS`), for `pad_left` and `pad_right`.
pub(super) fn check_fill(c: &str) -> Result<(), String> {
    fill(c).map(|_| ())
}

fn fill(c: &str) -> Result<char, String> {
    let mut chars = c.chars();
    match (chars.next(), chars.next()) {
        (Some(first), None) => Ok(first),
        _ => Err(format!(
            "the fill {} must be exactly one character, not {}",
            quote(c),
            c.chars().count()
        )),
    }
}

/// `pad_left` (`left`) and `pad_right`, named `name` in messages.
pub(super) fn pad(name: &str, args: &[Value], left: bool) -> Result<Value, String> {
    let [Value::Str(s), Value::Int(n), Value::Str(c)] = args else {
        return Err(bad_args(name, args));
    };
    let c = fill(c).map_err(|why| format!("{name}: {why}"))?;
    let Ok(n) = usize::try_from(*n) else {
        return Err(format!("{name}: the length must not be negative, not {n}"));
    };
    let missing = n.saturating_sub(s.chars().count());
    if missing == 0 {
        return Ok(Value::Str(s.clone()));
    }
    let bytes = missing
        .checked_mul(c.len_utf8())
        .and_then(|b| b.checked_add(s.len()))
        .filter(|b| *b <= MAX_BUILT_BYTES);
    let Some(bytes) = bytes else {
        return Err(format!(
            "{name}: the result would be longer than 10 MiB ({n} characters)"
        ));
    };
    let mut out = String::with_capacity(bytes);
    if !left {
        out.push_str(s);
    }
    out.extend(std::iter::repeat_n(c, missing));
    if left {
        out.push_str(s);
    }
    Ok(Value::string(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pad_left(s: &str, n: i64, c: &str) -> Result<String, String> {
        let v = eval(
            &[Value::str(s), Value::Int(n), Value::str(c)],
            &EvalContext::default(),
        )?;
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| "not a string".to_string())
    }

    #[test]
    fn cases() {
        for (s, n, c, want) in [
            ("42", 5, "0", "00042"),
            ("héllo", 3, "*", "héllo"),
            ("héllo", 5, "*", "héllo"),
            ("héllo", 6, "*", "*héllo"),
            ("", 3, "é", "ééé"),
            ("", 0, "x", ""),
            ("x", 0, "y", "x"),
            ("ab", 4, "🎉", "🎉🎉ab"),
            ("e\u{301}", 3, " ", " e\u{301}"),
        ] {
            assert_eq!(pad_left(s, n, c).as_deref(), Ok(want), "{s:?} {n} {c:?}");
        }
        let big = pad_left("x", 10 * 1024 * 1024, " ");
        assert_eq!(big.map(|s| s.len()), Ok(MAX_BUILT_BYTES));
    }

    #[test]
    fn failures() {
        for c in ["", "ab", "e\u{301}"] {
            let got = pad_left("x", 3, c);
            assert!(
                got.as_ref().is_err_and(
                    |e| e.starts_with("pad_left: the fill") && e.contains("exactly one")
                ),
                "{c:?} gave {got:?}"
            );
            assert!(check_fill(c).is_err());
        }
        assert!(check_fill("é").is_ok());
        assert!(pad_left("x", -1, "0").is_err_and(|e| e.contains("negative")));
        assert!(pad_left("x", i64::MIN, "0").is_err());
        for n in [10 * 1024 * 1024 + 1, i64::MAX] {
            assert!(
                pad_left("x", n, "0").is_err_and(|e| e.contains("10 MiB")),
                "{n}"
            );
        }
        assert!(pad_left("x", 6 * 1024 * 1024, "é").is_err_and(|e| e.contains("10 MiB")));
        assert!(eval(&[Value::str("x"), Value::Int(3)], &EvalContext::default()).is_err());
    }
}
