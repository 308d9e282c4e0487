//! `parse_json`: Parses JSON text into a json value.

use std::sync::Arc;

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args, quote};
use crate::value::Value;

pub const PARSE_JSON: Builtin = Builtin {
    name: "parse_json",
    signatures: &[Signature {
        params: &[("s", SigTy::String)],
        required: 1,
        ret: SigTy::Json,
    }],
    doc: r#"Parses JSON text (RFC 8259: one value, any kind, whitespace around it allowed) into a json value; read it with `get` and the `as_…` functions. Text that is not JSON fails the row with the parser's reason and position, like `parse_json: "{\"a\": }" is not JSON: expected value at line 1 column 7`: trailing text, single quotes, comments, `NaN` and `Infinity`, numbers beyond the float range (`1e999`), lone surrogate escapes, and nesting deeper than 128 arrays and objects are all refused. Integers are kept exactly within 64 bits (`-2^63` to `2^64 - 1`); larger ones become floats. When an object has a key twice the last value wins. Object keys are kept sorted, so `encode_json(parse_json(s))` may order them differently from `s`."#,
    fallible: true,
    examples: &[
        Example {
            call: r#"as_int(get(parse_json("{\"a\": [1, 2]}"), "a[1]"))"#,
            result: r#"2"#,
        },
        Example {
            call: r#"encode_json(parse_json(" {\"b\": null, \"a\": 1.50} "))"#,
            result: r#""{\"a\":1.5,\"b\":null}""#,
        },
        Example {
            call: r#"as_string(parse_json("\"x\""))"#,
            result: r#""x""#,
        },
        Example {
            call: r#"encode_json(parse_json("{\"a\": 1,}")) ?? "bad""#,
            result: r#""bad""#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Str(s)] = args else {
        return Err(bad_args("parse_json", args));
    };
    parse(s).map(|j| Value::Json(Arc::new(j)))
}

/// JSON text as a json value, or the row's failure message.
pub(super) fn parse(s: &str) -> Result<serde_json::Value, String> {
    serde_json::from_str(s).map_err(|e| format!("parse_json: {} is not JSON: {e}", quote(s)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse_json(s: &str) -> Result<serde_json::Value, String> {
        match eval(&[Value::str(s)], &EvalContext::default())? {
            Value::Json(j) => Ok((*j).clone()),
            other => Err(format!("{other:?}")),
        }
    }

    #[test]
    fn valid() {
        for (text, want) in [
            ("null", json!(null)),
            (" true ", json!(true)),
            ("-0", json!(-0.0)),
            ("0", json!(0)),
            ("1.5e3", json!(1500.0)),
            ("9223372036854775807", json!(i64::MAX)),
            ("-9223372036854775808", json!(i64::MIN)),
            ("18446744073709551615", json!(u64::MAX)),
            ("18446744073709551616", json!(18_446_744_073_709_551_616.0)),
            ("\"\\u00e9\\ud83c\\udf89\"", json!("é🎉")),
            ("{\"a\": 1, \"a\": 2}", json!({"a": 2})),
            ("[[], {}, [null]]", json!([[], {}, [null]])),
            ("\n\t{\"é\": \"x\"}\r\n", json!({"é": "x"})),
        ] {
            assert_eq!(parse_json(text), Ok(want), "{text:?}");
        }
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert!(parse_json(&deep).is_ok());
    }

    #[test]
    fn invalid() {
        for (text, why) in [
            ("", "EOF while parsing a value at line 1 column 0"),
            ("{\"a\": }", "expected value at line 1 column 7"),
            ("{\"a\": 1,}", "trailing comma at line 1 column 9"),
            ("[1] x", "trailing characters at line 1 column 5"),
            ("{'a': 1}", "key must be a string at line 1 column 2"),
            ("NaN", "expected value at line 1 column 1"),
            ("-Infinity", "invalid number at line 1 column 2"),
            ("1e999", "number out of range at line 1 column 5"),
            ("\"\\ud800\"", "unexpected end of hex escape"),
            ("\"\\udc00\"", "lone leading surrogate in hex escape"),
            ("[1,\n2", "EOF while parsing a list at line 2 column 1"),
            ("\u{feff}1", "expected value at line 1 column 1"),
        ] {
            let got = parse_json(text);
            assert!(
                got.as_ref().is_err_and(|e| e
                    .starts_with(&format!("parse_json: {} is not JSON: ", quote(text)))
                    && e.contains(why)),
                "{text:?}: {got:?}"
            );
        }
        let deep = "[".repeat(100_000);
        let got = parse_json(&deep);
        assert!(
            got.as_ref().is_err_and(|e| e.contains("recursion limit")),
            "{got:?}"
        );
        let long = format!("[{}", "1,".repeat(1000));
        let got = parse_json(&long).expect_err("unclosed");
        assert!(got.len() < 200, "{got}");
        assert!(eval(&[Value::Int(1)], &EvalContext::default()).is_err());
    }
}
