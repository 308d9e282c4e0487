//! `as_float`: The float a json number holds, or null.

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const AS_FLOAT: Builtin = Builtin {
    name: "as_float",
    signatures: &[Signature {
        params: &[("j", SigTy::NullableJson)],
        required: 1,
        ret: SigTy::NullableFloat,
    }],
    doc: r#"The float a json number holds: any JSON number, integers included (`3` gives `3.0`; beyond 2^53 the nearest float), as for a `float` field read from JSON input. Null for anything else, never a failure: another kind of value (`"1.5"` is a string; nothing is converted), JSON null, or a null argument. A json number is never NaN or infinite."#,
    fallible: false,
    examples: &[
        Example {
            call: r#"as_float(parse_json("1.5"))"#,
            result: r#"1.5"#,
        },
        Example {
            call: r#"as_float(parse_json("3"))"#,
            result: r#"3.0"#,
        },
        Example {
            call: r#"as_float(parse_json("\"1.5\""))"#,
            result: r#"null"#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    Ok(match args {
        [Value::Null] => Value::Null,
        [Value::Json(j)] => j.as_f64().map_or(Value::Null, Value::Float),
        _ => return Err(bad_args("as_float", args)),
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn as_float(text: &str) -> Option<f64> {
        let j = serde_json::from_str(text).expect("JSON");
        match eval(&[Value::Json(Arc::new(j))], &EvalContext::default()) {
            Ok(Value::Float(f)) => Some(f),
            Ok(Value::Null) => None,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn cases() {
        for (text, want) in [
            ("1.5", Some(1.5)),
            ("3", Some(3.0)),
            ("-9223372036854775808", Some(i64::MIN as f64)),
            ("18446744073709551615", Some(u64::MAX as f64)),
            ("1e308", Some(1e308)),
            ("5e-324", Some(5e-324)),
            ("0.1", Some(0.1)),
            ("\"1.5\"", None),
            ("false", None),
            ("null", None),
            ("[1.5]", None),
            ("{}", None),
        ] {
            assert_eq!(as_float(text), want, "{text}");
        }
        assert_eq!(
            as_float("-0.0").map(f64::to_bits),
            Some((-0.0f64).to_bits())
        );
        assert!(matches!(
            eval(&[Value::Null], &EvalContext::default()),
            Ok(Value::Null)
        ));
        assert!(eval(&[Value::Float(1.0)], &EvalContext::default()).is_err());
    }
}
