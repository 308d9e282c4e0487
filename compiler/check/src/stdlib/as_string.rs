//! `as_string`: The string a json value holds, or null.

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const AS_STRING: Builtin = Builtin {
    name: "as_string",
    signatures: &[Signature {
        params: &[("j", SigTy::NullableJson)],
        required: 1,
        ret: SigTy::NullableString,
    }],
    doc: r#"The string a json value holds (its contents, without quotes). Null for anything else, never a failure: another kind of value (`3` is a number; nothing is converted, use `encode_json` for JSON text), JSON null, or a null argument."#,
    fallible: false,
    examples: &[
        Example {
            call: r#"as_string(parse_json("\"a\\nb\""))"#,
            result: r#""a\nb""#,
        },
        Example {
            call: r#"as_string(parse_json("3"))"#,
            result: r#"null"#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    Ok(match args {
        [Value::Null] => Value::Null,
        [Value::Json(j)] => j.as_str().map_or(Value::Null, Value::str),
        _ => return Err(bad_args("as_string", args)),
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn as_string(text: &str) -> Option<String> {
        let j = serde_json::from_str(text).expect("JSON");
        match eval(&[Value::Json(Arc::new(j))], &EvalContext::default()) {
            Ok(Value::Str(s)) => Some(s.to_string()),
            Ok(Value::Null) => None,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn cases() {
        for (text, want) in [
            ("\"\"", Some("")),
            ("\"é\\u0000\\\"\"", Some("é\u{0}\"")),
            ("\"null\"", Some("null")),
            ("3", None),
            ("true", None),
            ("null", None),
            ("[\"a\"]", None),
            ("{\"a\": \"b\"}", None),
        ] {
            assert_eq!(as_string(text).as_deref(), want, "{text}");
        }
        assert!(matches!(
            eval(&[Value::Null], &EvalContext::default()),
            Ok(Value::Null)
        ));
        assert!(eval(&[Value::str("a")], &EvalContext::default()).is_err());
    }
}
