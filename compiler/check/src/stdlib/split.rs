//! `split`: Splits a string at every occurrence of `separator`.

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const SPLIT: Builtin = Builtin {
    name: "split",
    signatures: &[Signature {
        params: &[("s", SigTy::String), ("separator", SigTy::String)],
        required: 2,
        ret: SigTy::StringList,
    }],
    doc: r#"Splits a string at every occurrence of `separator`: `n` separators give `n + 1` parts, empty ones included (`split("", ",")` is `[""]`). An empty separator splits into single characters."#,
    fallible: false,
    examples: &[
        Example {
            call: r#"split("a,b,c", ",")"#,
            result: r#"["a", "b", "c"]"#,
        },
        Example {
            call: r#"split("abc", "")"#,
            result: r#"["a", "b", "c"]"#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Str(s), Value::Str(sep)] = args else {
        return Err(bad_args("split", args));
    };
    let parts: Vec<Value> = if sep.is_empty() {
        s.chars().map(|c| Value::string(c.to_string())).collect()
    } else {
        s.split(&**sep).map(Value::str).collect()
    };
    Ok(Value::list(parts))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str, sep: &str) -> Option<Vec<String>> {
        let v = eval(&[Value::str(s), Value::str(sep)], &EvalContext::default()).ok()?;
        let Value::List(items) = v else { return None };
        items
            .iter()
            .map(|i| i.as_str().map(str::to_string))
            .collect()
    }

    #[test]
    fn cases() {
        let cases: &[(&str, &str, &[&str])] = &[
            ("a,b,c", ",", &["a", "b", "c"]),
            ("a,,b,", ",", &["a", "", "b", ""]),
            (",", ",", &["", ""]),
            ("", ",", &[""]),
            ("abc", "", &["a", "b", "c"]),
            ("", "", &[]),
            ("héllo", "", &["h", "é", "l", "l", "o"]),
            ("e\u{301}", "", &["e", "\u{301}"]),
            ("a::b", "::", &["a", "b"]),
            ("a:::b", "::", &["a", ":b"]),
            ("🎉x🎉", "x", &["🎉", "🎉"]),
            ("abc", "abcd", &["abc"]),
        ];
        for (s, sep, want) in cases {
            let want: Vec<String> = want.iter().map(|w| w.to_string()).collect();
            assert_eq!(split(s, sep), Some(want), "{s:?} {sep:?}");
        }
        assert_eq!(
            split(&"a,".repeat(100_000), ",").map(|v| v.len()),
            Some(100_001)
        );
        assert!(eval(&[Value::str("a")], &EvalContext::default()).is_err());
    }
}
