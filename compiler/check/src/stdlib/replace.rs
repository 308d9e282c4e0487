//! `replace`: Replaces every occurrence of `from` by `to`.

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const REPLACE: Builtin = Builtin {
    name: "replace",
    signatures: &[Signature {
        params: &[
            ("s", SigTy::String),
            ("from", SigTy::String),
            ("to", SigTy::String),
        ],
        required: 3,
        ret: SigTy::String,
    }],
    doc: r#"Replaces every occurrence of `from` by `to`, from left to right without overlaps. An empty `from` leaves the string unchanged."#,
    fallible: false,
    examples: &[
        Example {
            call: r#"replace("a-b-c", "-", "_")"#,
            result: r#""a_b_c""#,
        },
        Example {
            call: r#"replace("aaa", "aa", "b")"#,
            result: r#""ba""#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    match args {
        [Value::Str(s), Value::Str(from), Value::Str(to)] => {
            if from.is_empty() || !s.contains(&**from) {
                Ok(args[0].clone())
            } else {
                Ok(Value::string(s.replace(&**from, to)))
            }
        }
        _ => Err(bad_args("replace", args)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        for (s, from, to, want) in [
            ("a-b-c", "-", "_", "a_b_c"),
            ("aaa", "a", "", ""),
            ("aaa", "aa", "b", "ba"),
            ("abc", "", "x", "abc"),
            ("", "", "x", ""),
            ("", "a", "x", ""),
            ("héllo", "é", "e", "hello"),
            ("e\u{301}", "\u{301}", "", "e"),
            ("🎉🎉", "🎉", "🎊", "🎊🎊"),
            ("abc", "abcd", "x", "abc"),
        ] {
            let got = eval(
                &[Value::str(s), Value::str(from), Value::str(to)],
                &EvalContext::default(),
            );
            assert_eq!(
                got.ok().as_ref().and_then(Value::as_str),
                Some(want),
                "{s} {from} {to}"
            );
        }
        let huge = "ab".repeat(100_000);
        let got = eval(
            &[Value::str(&huge), Value::str("b"), Value::str("")],
            &EvalContext::default(),
        );
        assert_eq!(
            got.ok().as_ref().and_then(Value::as_str),
            Some("a".repeat(100_000).as_str())
        );
        assert!(eval(&[Value::str("a"), Value::str("a")], &EvalContext::default()).is_err());
    }
}
