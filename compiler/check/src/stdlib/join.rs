//! `join`: Joins strings with a separator between them.

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const JOIN: Builtin = Builtin {
    name: "join",
    signatures: &[Signature {
        params: &[("parts", SigTy::StringList), ("separator", SigTy::String)],
        required: 2,
        ret: SigTy::String,
    }],
    doc: r#"Joins strings with a separator between them."#,
    fallible: false,
    examples: &[Example {
        call: r#"join(["a", "b"], "-")"#,
        result: r#""a-b""#,
    }],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::List(parts), Value::Str(sep)] = args else {
        return Err(bad_args("join", args));
    };
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        let Value::Str(part) = part else {
            return Err(bad_args("join", args));
        };
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(part);
    }
    Ok(Value::string(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn join(parts: &[&str], sep: &str) -> Option<String> {
        let list = Value::list(parts.iter().map(|p| Value::str(p)).collect());
        let v = eval(&[list, Value::str(sep)], &EvalContext::default()).ok()?;
        v.as_str().map(str::to_string)
    }

    #[test]
    fn cases() {
        let cases: &[(&[&str], &str, &str)] = &[
            (&["a", "b"], "-", "a-b"),
            (&[], "-", ""),
            (&["a"], "-", "a"),
            (&["", ""], ",", ","),
            (&["a", "b", "c"], "", "abc"),
            (&["é", "🎉"], "\u{301}", "é\u{301}🎉"),
        ];
        for (parts, sep, want) in cases {
            assert_eq!(
                join(parts, sep).as_deref(),
                Some(*want),
                "{parts:?} {sep:?}"
            );
        }
        let mixed = Value::list(vec![Value::str("a"), Value::Int(1)]);
        assert!(eval(&[mixed, Value::str(",")], &EvalContext::default()).is_err());
        let with_null = Value::list(vec![Value::str("a"), Value::Null]);
        assert!(eval(&[with_null, Value::str(",")], &EvalContext::default()).is_err());
    }
}
