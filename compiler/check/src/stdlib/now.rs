//! `now`: The time the current batch started processing.

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const NOW: Builtin = Builtin {
    name: "now",
    signatures: &[Signature {
        params: &[],
        required: 0,
        ret: SigTy::Timestamp,
    }],
    doc: r#"The time the current batch started processing (the same for every row of a batch)."#,
    fallible: false,
    examples: &[Example {
        call: r#"now() > @2020-01-01T00:00:00Z"#,
        result: r#"true"#,
    }],
    eval,
};

fn eval(args: &[Value], cx: &EvalContext) -> Result<Value, String> {
    match args {
        [] => Ok(Value::Timestamp(cx.now)),
        _ => Err(bad_args("now", args)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_the_batch_time() {
        for now in [0, -1, 1_767_225_600_000_000, i64::MIN, i64::MAX] {
            let got = eval(&[], &EvalContext { now });
            assert!(matches!(got, Ok(Value::Timestamp(t)) if t == now));
        }
        assert!(eval(&[Value::Int(1)], &EvalContext::default()).is_err());
    }
}
