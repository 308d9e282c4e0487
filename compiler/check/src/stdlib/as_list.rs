//! `as_list`: The elements of a json array, or null.

use std::sync::Arc;

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const AS_LIST: Builtin = Builtin {
    name: "as_list",
    signatures: &[Signature {
        params: &[("j", SigTy::NullableJson)],
        required: 1,
        ret: SigTy::NullableListOfJson,
    }],
    doc: r#"The elements of a json array, in order, each a json value (a JSON `null` element stays the json value `null`, so elements are never Dash null). Null for anything else, never a failure: another kind of value (an object is not a list of its values), JSON null, or a null argument."#,
    fallible: false,
    examples: &[
        Example {
            call: r#"as_list(parse_json("[1, \"x\", null]"))"#,
            result: r#"[to_json(1), to_json("x"), to_json(null)]"#,
        },
        Example {
            call: r#"as_list(parse_json("[]"))"#,
            result: r#"[]"#,
        },
        Example {
            call: r#"as_list(parse_json("{\"a\": 1}"))"#,
            result: r#"null"#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    Ok(match args {
        [Value::Null] => Value::Null,
        [Value::Json(j)] => match j.as_array() {
            Some(items) => Value::list(
                items
                    .iter()
                    .map(|item| Value::Json(Arc::new(item.clone())))
                    .collect(),
            ),
            None => Value::Null,
        },
        _ => return Err(bad_args("as_list", args)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn as_list(text: &str) -> Option<Vec<serde_json::Value>> {
        let j = serde_json::from_str(text).expect("JSON");
        match eval(&[Value::Json(Arc::new(j))], &EvalContext::default()) {
            Ok(Value::List(items)) => Some(
                items
                    .iter()
                    .map(|v| match v {
                        Value::Json(j) => (**j).clone(),
                        other => panic!("{text}: element {other:?}"),
                    })
                    .collect(),
            ),
            Ok(Value::Null) => None,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn cases() {
        assert_eq!(as_list("[]"), Some(vec![]));
        assert_eq!(
            as_list("[1, \"x\", null, [2], {\"a\": null}]"),
            Some(vec![
                json!(1),
                json!("x"),
                json!(null),
                json!([2]),
                json!({"a": null})
            ])
        );
        for text in ["{}", "{\"0\": 1}", "\"[1]\"", "1", "null", "true"] {
            assert_eq!(as_list(text), None, "{text}");
        }
        assert!(matches!(
            eval(&[Value::Null], &EvalContext::default()),
            Ok(Value::Null)
        ));
        assert!(eval(&[Value::list(vec![])], &EvalContext::default()).is_err());
    }
}
