//! `upper`: Uppercases a string, with full Unicode case mapping (`ß` becomes `SS`).

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const UPPER: Builtin = Builtin {
    name: "upper",
    signatures: &[Signature {
        params: &[("s", SigTy::String)],
        required: 1,
        ret: SigTy::String,
    }],
    doc: r#"Uppercases a string, with full Unicode case mapping (`ß` becomes `SS`)."#,
    fallible: false,
    examples: &[Example {
        call: r#"upper("straße")"#,
        result: r#""STRASSE""#,
    }],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    match args {
        [Value::Str(s)] => Ok(Value::string(s.to_uppercase())),
        _ => Err(bad_args("upper", args)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        for (input, want) in [
            ("", ""),
            ("straße", "STRASSE"),
            ("àbc", "ÀBC"),
            ("ﬁ", "FI"),
            ("e\u{301}", "E\u{301}"),
            ("🎉a", "🎉A"),
            ("123", "123"),
        ] {
            let got = eval(&[Value::str(input)], &EvalContext::default());
            assert_eq!(
                got.ok().as_ref().and_then(Value::as_str),
                Some(want),
                "{input}"
            );
        }
        assert!(eval(&[Value::Null], &EvalContext::default()).is_err());
    }
}
