//! `hex_encode`: The string's UTF-8 bytes as lowercase hex.

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args, lower_hex};
use crate::value::Value;

pub const HEX_ENCODE: Builtin = Builtin {
    name: "hex_encode",
    signatures: &[Signature {
        params: &[("s", SigTy::String)],
        required: 1,
        ret: SigTy::String,
    }],
    doc: r#"The string's UTF-8 bytes as lowercase hex, two digits per byte (so twice as long as the string's bytes)."#,
    fallible: false,
    examples: &[
        Example {
            call: r#"hex_encode("Hi!")"#,
            result: r#""486921""#,
        },
        Example {
            call: r#"hex_encode("é")"#,
            result: r#""c3a9""#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Str(s)] = args else {
        return Err(bad_args("hex_encode", args));
    };
    Ok(Value::string(lower_hex(s.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        for (s, want) in [
            ("", ""),
            ("Hi!", "486921"),
            ("é", "c3a9"),
            ("🎉", "f09f8e89"),
            ("\u{0}\u{7f}\n", "007f0a"),
        ] {
            let got = eval(&[Value::str(s)], &EvalContext::default());
            assert_eq!(
                got.ok().as_ref().and_then(Value::as_str),
                Some(want),
                "{s:?}"
            );
        }
        assert!(eval(&[Value::Int(1)], &EvalContext::default()).is_err());
    }
}
