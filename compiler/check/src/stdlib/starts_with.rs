//! `starts_with`: Whether a string starts with a prefix.

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const STARTS_WITH: Builtin = Builtin {
    name: "starts_with",
    signatures: &[Signature {
        params: &[("s", SigTy::String), ("prefix", SigTy::String)],
        required: 2,
        ret: SigTy::Bool,
    }],
    doc: r#"Whether a string starts with a prefix."#,
    fallible: false,
    examples: &[Example {
        call: r#"starts_with("KSEA", "K")"#,
        result: r#"true"#,
    }],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    match args {
        [Value::Str(s), Value::Str(prefix)] => Ok(Value::Bool(s.starts_with(&**prefix))),
        _ => Err(bad_args("starts_with", args)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        for (s, prefix, want) in [
            ("KSEA", "K", true),
            ("KSEA", "", true),
            ("", "", true),
            ("", "K", false),
            ("KSEA", "k", false),
            ("héllo", "hé", true),
            ("e\u{301}", "e", true),
            ("🎉x", "🎉", true),
        ] {
            let got = eval(
                &[Value::str(s), Value::str(prefix)],
                &EvalContext::default(),
            );
            assert_eq!(
                got.ok().and_then(|v| v.as_bool()),
                Some(want),
                "{s} {prefix}"
            );
        }
        assert!(eval(&[Value::str("a")], &EvalContext::default()).is_err());
    }
}
