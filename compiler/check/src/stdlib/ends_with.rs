//! `ends_with`: Whether a string ends with a suffix.

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const ENDS_WITH: Builtin = Builtin {
    name: "ends_with",
    signatures: &[Signature {
        params: &[("s", SigTy::String), ("suffix", SigTy::String)],
        required: 2,
        ret: SigTy::Bool,
    }],
    doc: r#"Whether a string ends with a suffix."#,
    fallible: false,
    examples: &[Example {
        call: r#"ends_with("data.csv", ".csv")"#,
        result: r#"true"#,
    }],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    match args {
        [Value::Str(s), Value::Str(suffix)] => Ok(Value::Bool(s.ends_with(&**suffix))),
        _ => Err(bad_args("ends_with", args)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        for (s, suffix, want) in [
            ("data.csv", ".csv", true),
            ("data.csv", "", true),
            ("", "", true),
            ("", "x", false),
            ("data.CSV", ".csv", false),
            ("café", "é", true),
            ("e\u{301}", "\u{301}", true),
            ("x🎉", "🎉", true),
        ] {
            let got = eval(
                &[Value::str(s), Value::str(suffix)],
                &EvalContext::default(),
            );
            assert_eq!(
                got.ok().and_then(|v| v.as_bool()),
                Some(want),
                "{s} {suffix}"
            );
        }
        assert!(eval(&[Value::Int(1), Value::str("")], &EvalContext::default()).is_err());
    }
}
