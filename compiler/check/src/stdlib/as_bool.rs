//! `as_bool`: The bool a json value holds, or null.

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const AS_BOOL: Builtin = Builtin {
    name: "as_bool",
    signatures: &[Signature {
        params: &[("j", SigTy::NullableJson)],
        required: 1,
        ret: SigTy::NullableBool,
    }],
    doc: r#"The bool a json value holds (JSON `true` or `false`). Null for anything else, never a failure: another kind of value (`1`, `"true"`; nothing is converted), JSON null, or a null argument."#,
    fallible: false,
    examples: &[
        Example {
            call: r#"as_bool(parse_json("false"))"#,
            result: r#"false"#,
        },
        Example {
            call: r#"as_bool(get(parse_json("{\"ok\": true}"), "ok")) ?? false"#,
            result: r#"true"#,
        },
        Example {
            call: r#"as_bool(parse_json("1"))"#,
            result: r#"null"#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    Ok(match args {
        [Value::Null] => Value::Null,
        [Value::Json(j)] => j.as_bool().map_or(Value::Null, Value::Bool),
        _ => return Err(bad_args("as_bool", args)),
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn as_bool(text: &str) -> Option<bool> {
        let j = serde_json::from_str(text).expect("JSON");
        match eval(&[Value::Json(Arc::new(j))], &EvalContext::default()) {
            Ok(Value::Bool(b)) => Some(b),
            Ok(Value::Null) => None,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn cases() {
        for (text, want) in [
            ("true", Some(true)),
            ("false", Some(false)),
            ("1", None),
            ("0", None),
            ("\"true\"", None),
            ("null", None),
            ("[true]", None),
        ] {
            assert_eq!(as_bool(text), want, "{text}");
        }
        assert!(matches!(
            eval(&[Value::Null], &EvalContext::default()),
            Ok(Value::Null)
        ));
        assert!(eval(&[Value::Bool(true)], &EvalContext::default()).is_err());
    }
}
