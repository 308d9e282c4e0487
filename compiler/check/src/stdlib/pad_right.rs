//! `pad_right`: Pads a string on the right with a character, up to a number of characters.

use super::pad_left::pad;
use super::{Builtin, EvalContext, Example, SigTy, Signature};
use crate::value::Value;

pub const PAD_RIGHT: Builtin = Builtin {
    name: "pad_right",
    signatures: &[Signature {
        params: &[
            ("s", SigTy::String),
            ("n", SigTy::Int),
            ("c", SigTy::String),
        ],
        required: 3,
        ret: SigTy::String,
    }],
    doc: r#"`s` with copies of the character `c` added after it until it is `n` characters long (Unicode code points, as `len` counts); a string already that long or longer is returned unchanged, never cut. `c` must be exactly one character (one code point): a literal `c` is checked with the program (E0029), another fails the row. A negative `n`, or a result over 10 MiB (10,485,760 bytes of UTF-8), fails the row."#,
    fallible: true,
    examples: &[
        Example {
            call: r#"pad_right("ab", 4, ".")"#,
            result: r#""ab..""#,
        },
        Example {
            call: r#"pad_right("né", 3, "é")"#,
            result: r#""néé""#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    pad("pad_right", args, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pad_right(s: &str, n: i64, c: &str) -> Result<String, String> {
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
            ("ab", 4, ".", "ab.."),
            ("né", 3, "é", "néé"),
            ("abc", 2, ".", "abc"),
            ("", 2, "🎉", "🎉🎉"),
            ("", 0, "x", ""),
        ] {
            assert_eq!(pad_right(s, n, c).as_deref(), Ok(want), "{s:?} {n} {c:?}");
        }
    }

    #[test]
    fn failures() {
        assert!(pad_right("x", 3, "ab").is_err_and(|e| e.starts_with("pad_right: the fill")));
        assert!(pad_right("x", 3, "").is_err());
        assert!(pad_right("x", -1, ".").is_err_and(|e| e.starts_with("pad_right: ")));
        assert!(pad_right("x", i64::MAX, ".").is_err_and(|e| e.contains("10 MiB")));
        assert!(
            eval(
                &[Value::Int(1), Value::Int(3), Value::str(".")],
                &EvalContext::default()
            )
            .is_err()
        );
    }
}
