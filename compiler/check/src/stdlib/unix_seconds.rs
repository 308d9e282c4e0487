//! `unix_seconds`: Whole seconds since the Unix epoch, rounded down.

use super::calendar::SECOND;
use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const UNIX_SECONDS: Builtin = Builtin {
    name: "unix_seconds",
    signatures: &[Signature {
        params: &[("t", SigTy::Timestamp)],
        required: 1,
        ret: SigTy::Int,
    }],
    doc: r#"The number of whole seconds from 1970-01-01T00:00:00Z to the timestamp, rounded down: a fraction of a second is dropped after the epoch, and before it counts as a whole second earlier (`@1969-12-31T23:59:59.5Z` gives -1), so `from_unix_seconds(unix_seconds(t))` is never after `t`."#,
    fallible: false,
    examples: &[
        Example {
            call: r#"unix_seconds(@2026-01-01T00:00:00.750Z)"#,
            result: r#"1767225600"#,
        },
        Example {
            call: r#"unix_seconds(@1969-12-31T23:59:59.500Z)"#,
            result: r#"-1"#,
        },
    ],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Timestamp(t)] = args else {
        return Err(bad_args("unix_seconds", args));
    };
    Ok(Value::Int(t.div_euclid(SECOND)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        for (t, want) in [
            (0, 0),
            (1, 0),
            (999_999, 0),
            (1_000_000, 1),
            (-1, -1),
            (-1_000_000, -1),
            (-1_000_001, -2),
            (1_767_225_600_750_000, 1_767_225_600),
            (i64::MAX, 9_223_372_036_854),
            (i64::MIN, -9_223_372_036_855),
        ] {
            let got = eval(&[Value::Timestamp(t)], &EvalContext::default());
            assert_eq!(got.ok().and_then(|v| v.as_int()), Some(want), "{t}");
        }
        assert!(eval(&[Value::Int(0)], &EvalContext::default()).is_err());
    }
}
