//! `index_of`: The character index of the first occurrence of a substring, or null.

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const INDEX_OF: Builtin = Builtin {
    name: "index_of",
    signatures: &[Signature {
        params: &[("s", SigTy::String), ("sub", SigTy::String)],
        required: 2,
        ret: SigTy::NullableInt,
    }],
    doc: r#"Where `sub` first occurs in `s`, as a character index (Unicode code points from 0, as `substr` counts), or null when it does not occur. The empty `sub` occurs at 0. Matching is exact (case- and accent-sensitive, code point by code point)."#,
    fallible: false,
    examples: &[
        Example {
            call: r#"index_of("héllo wörld", "wö")"#,
            result: r#"6"#,
        },
        Example {
            call: r#"index_of("abc", "x")"#,
            result: r#"null"#,
        },
        Example {
            call: r#"index_of("abc", "x") ?? -1"#,
            result: r#"-1"#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Str(s), Value::Str(sub)] = args else {
        return Err(bad_args("index_of", args));
    };
    Ok(match s.find(&**sub) {
        Some(byte) => Value::Int(s[..byte].chars().count() as i64),
        None => Value::Null,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index_of(s: &str, sub: &str) -> Option<i64> {
        match eval(&[Value::str(s), Value::str(sub)], &EvalContext::default()) {
            Ok(Value::Int(i)) => Some(i),
            Ok(Value::Null) => None,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn cases() {
        for (s, sub, want) in [
            ("héllo wörld", "wö", Some(6)),
            ("abc", "x", None),
            ("abc", "", Some(0)),
            ("", "", Some(0)),
            ("", "a", None),
            ("abcabc", "c", Some(2)),
            ("abc", "abcd", None),
            ("🎉🎊x", "x", Some(2)),
            ("e\u{301}x", "\u{301}", Some(1)),
            ("é", "e", None),
            ("ABC", "b", None),
        ] {
            assert_eq!(index_of(s, sub), want, "{s:?} {sub:?}");
        }
        let huge = "é".repeat(1_000_000) + "x";
        assert_eq!(index_of(&huge, "x"), Some(1_000_000));
        assert!(eval(&[Value::str("a")], &EvalContext::default()).is_err());
    }
}
