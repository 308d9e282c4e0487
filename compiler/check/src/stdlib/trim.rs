//! `trim`: Removes leading and trailing whitespace.

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const TRIM: Builtin = Builtin {
    name: "trim",
    signatures: &[Signature {
        params: &[("s", SigTy::String)],
        required: 1,
        ret: SigTy::String,
    }],
    doc: r#"Removes leading and trailing whitespace (Unicode `White_Space`, which includes non-breaking and ideographic spaces)."#,
    fallible: false,
    examples: &[Example {
        call: r#"trim("  a b ")"#,
        result: r#""a b""#,
    }],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    match args {
        [Value::Str(s)] => {
            let t = s.trim();
            if t.len() == s.len() {
                Ok(args[0].clone())
            } else {
                Ok(Value::str(t))
            }
        }
        _ => Err(bad_args("trim", args)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        for (input, want) in [
            ("", ""),
            ("   ", ""),
            ("  a b ", "a b"),
            ("\t\n a \r\n", "a"),
            ("\u{a0}\u{3000}x\u{2003}", "x"),
            ("\u{200b}x", "\u{200b}x"),
            ("é", "é"),
        ] {
            let got = eval(&[Value::str(input)], &EvalContext::default());
            assert_eq!(
                got.ok().as_ref().and_then(Value::as_str),
                Some(want),
                "{input:?}"
            );
        }
        assert!(eval(&[Value::Int(1)], &EvalContext::default()).is_err());
    }
}
