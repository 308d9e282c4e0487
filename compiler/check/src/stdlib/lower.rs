//! `lower`: Lowercases a string, with full Unicode case mapping.

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const LOWER: Builtin = Builtin {
    name: "lower",
    signatures: &[Signature {
        params: &[("s", SigTy::String)],
        required: 1,
        ret: SigTy::String,
    }],
    doc: r#"Lowercases a string, with full Unicode case mapping."#,
    fallible: false,
    examples: &[Example {
        call: r#"lower("ÀBC")"#,
        result: r#""àbc""#,
    }],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    match args {
        [Value::Str(s)] => Ok(Value::string(s.to_lowercase())),
        _ => Err(bad_args("lower", args)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        for (input, want) in [
            ("", ""),
            ("ÀBC", "àbc"),
            ("abc", "abc"),
            ("ΣΑΣ", "σας"),
            ("İ", "i\u{307}"),
            ("E\u{301}", "e\u{301}"),
            ("🎉A", "🎉a"),
            ("STRASSE", "strasse"),
        ] {
            let got = eval(&[Value::str(input)], &EvalContext::default());
            assert_eq!(
                got.ok().as_ref().and_then(Value::as_str),
                Some(want),
                "{input}"
            );
        }
        let huge = "AB".repeat(100_000);
        let got = eval(&[Value::str(&huge)], &EvalContext::default());
        assert_eq!(
            got.ok().as_ref().and_then(Value::as_str),
            Some("ab".repeat(100_000).as_str())
        );
        assert!(eval(&[Value::Int(1)], &EvalContext::default()).is_err());
        assert!(eval(&[], &EvalContext::default()).is_err());
    }
}
