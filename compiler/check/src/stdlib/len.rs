//! `len`: The number of characters of a string (not bytes), or of elements of a list.

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const LEN: Builtin = Builtin {
    name: "len",
    signatures: &[
        Signature {
            params: &[("s", SigTy::String)],
            required: 1,
            ret: SigTy::Int,
        },
        Signature {
            params: &[("list", SigTy::ListOfT)],
            required: 1,
            ret: SigTy::Int,
        },
    ],
    doc: r#"The number of characters of a string (Unicode code points, not bytes: a combining accent counts on its own), or of elements of a list."#,
    fallible: false,
    examples: &[
        Example {
            call: r#"len("héllo")"#,
            result: r#"5"#,
        },
        Example {
            call: r#"len([1, 2, 3])"#,
            result: r#"3"#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let n = match args {
        [Value::Str(s)] => s.chars().count(),
        [Value::List(items)] => items.len(),
        _ => return Err(bad_args("len", args)),
    };
    i64::try_from(n)
        .map(Value::Int)
        .map_err(|_| "len: too long".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn len(v: Value) -> Option<i64> {
        eval(&[v], &EvalContext::default()).ok()?.as_int()
    }

    #[test]
    fn strings_count_characters() {
        for (input, want) in [
            ("", 0),
            ("a", 1),
            ("héllo", 5),
            ("e\u{301}", 2),
            ("🎉", 1),
            ("👩‍👩‍👧", 5),
            ("日本語", 3),
        ] {
            assert_eq!(len(Value::str(input)), Some(want), "{input}");
        }
        assert_eq!(len(Value::str(&"é".repeat(1_000_000))), Some(1_000_000));
    }

    #[test]
    fn lists_count_elements() {
        assert_eq!(len(Value::list(vec![])), Some(0));
        assert_eq!(
            len(Value::list(vec![Value::Null, Value::str("ab")])),
            Some(2)
        );
        assert_eq!(len(Value::Int(3)), None);
        assert_eq!(len(Value::Null), None);
    }
}
