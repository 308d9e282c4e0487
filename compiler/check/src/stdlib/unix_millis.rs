//! `unix_millis`: Whole milliseconds since the Unix epoch, rounded down.

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const UNIX_MILLIS: Builtin = Builtin {
    name: "unix_millis",
    signatures: &[Signature {
        params: &[("t", SigTy::Timestamp)],
        required: 1,
        ret: SigTy::Int,
    }],
    doc: r#"The number of whole milliseconds from 1970-01-01T00:00:00Z to the timestamp, rounded down like `unix_seconds` (microseconds are dropped after the epoch; before it, `@1969-12-31T23:59:59.999999Z` gives -1)."#,
    fallible: false,
    examples: &[
        Example {
            call: r#"unix_millis(@2026-01-01T00:00:00.250Z)"#,
            result: r#"1767225600250"#,
        },
        Example {
            call: r#"unix_millis(@1969-12-31T23:59:59.999999Z)"#,
            result: r#"-1"#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Timestamp(t)] = args else {
        return Err(bad_args("unix_millis", args));
    };
    Ok(Value::Int(t.div_euclid(1_000)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        for (t, want) in [
            (0, 0),
            (999, 0),
            (1_000, 1),
            (-1, -1),
            (-1_000, -1),
            (-1_001, -2),
            (1_767_225_600_250_000, 1_767_225_600_250),
            (i64::MAX, 9_223_372_036_854_775),
            (i64::MIN, -9_223_372_036_854_776),
        ] {
            let got = eval(&[Value::Timestamp(t)], &EvalContext::default());
            assert_eq!(got.ok().and_then(|v| v.as_int()), Some(want), "{t}");
        }
        assert!(eval(&[Value::Int(0)], &EvalContext::default()).is_err());
    }
}
