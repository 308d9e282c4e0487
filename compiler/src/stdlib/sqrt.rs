//! `sqrt`: The square root (NaN for negative numbers).

use super::{Builtin, Example, SigTy, Signature};

pub const SQRT: Builtin = Builtin {
    name: "sqrt",
    signatures: &[Signature {
        params: &[("x", SigTy::Float)],
        required: 1,
        ret: SigTy::Float,
    }],
    doc: r#"The square root (NaN for negative numbers)."#,
    fallible: false,
    examples: &[Example {
        call: r#"sqrt(9.0)"#,
        result: r#"3.0"#,
    }],
};
