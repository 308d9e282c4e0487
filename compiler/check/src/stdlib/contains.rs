//! `contains`: Whether a string contains a substring, or a list contains an element.

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const CONTAINS: Builtin = Builtin {
    name: "contains",
    signatures: &[
        Signature {
            params: &[("s", SigTy::String), ("part", SigTy::String)],
            required: 2,
            ret: SigTy::Bool,
        },
        Signature {
            params: &[("list", SigTy::ListOfT), ("item", SigTy::T)],
            required: 2,
            ret: SigTy::Bool,
        },
    ],
    doc: r#"Whether a string contains a substring (every string contains `""`), or a list contains an element (compared like `==`: ints equal floats of the same value, null matches null, NaN matches nothing)."#,
    fallible: false,
    examples: &[
        Example {
            call: r#"contains("weather", "eat")"#,
            result: r#"true"#,
        },
        Example {
            call: r#"contains([1, 2], 3)"#,
            result: r#"false"#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    match args {
        [Value::Str(s), Value::Str(part)] => Ok(Value::Bool(s.contains(&**part))),
        [Value::List(items), item] => Ok(Value::Bool(items.iter().any(|x| x.equals(item)))),
        _ => Err(bad_args("contains", args)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contains(a: Value, b: Value) -> Option<bool> {
        eval(&[a, b], &EvalContext::default()).ok()?.as_bool()
    }

    #[test]
    fn strings() {
        for (s, part, want) in [
            ("weather", "eat", true),
            ("weather", "", true),
            ("", "", true),
            ("", "a", false),
            ("héllo", "él", true),
            ("e\u{301}", "\u{301}", true),
            ("abc", "ABC", false),
            ("🎉🎊", "🎊", true),
        ] {
            assert_eq!(
                contains(Value::str(s), Value::str(part)),
                Some(want),
                "{s} {part}"
            );
        }
    }

    #[test]
    fn lists() {
        let ints = Value::list(vec![Value::Int(1), Value::Int(2)]);
        assert_eq!(contains(ints.clone(), Value::Int(3)), Some(false));
        assert_eq!(contains(ints.clone(), Value::Int(2)), Some(true));
        assert_eq!(contains(ints, Value::Float(2.0)), Some(true));
        let floats = Value::list(vec![Value::Float(f64::NAN), Value::Float(-0.0)]);
        assert_eq!(
            contains(floats.clone(), Value::Float(f64::NAN)),
            Some(false)
        );
        assert_eq!(contains(floats, Value::Float(0.0)), Some(true));
        let nullable = Value::list(vec![Value::str("a"), Value::Null]);
        assert_eq!(contains(nullable.clone(), Value::Null), Some(true));
        assert_eq!(contains(nullable, Value::str("b")), Some(false));
        assert_eq!(contains(Value::list(vec![]), Value::Int(1)), Some(false));
        assert_eq!(contains(Value::str("a"), Value::Int(1)), None);
    }
}
