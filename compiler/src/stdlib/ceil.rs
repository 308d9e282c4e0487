//! `ceil`: The smallest whole number not below `x`.

use super::{Builtin, Example, SigTy, Signature};

pub const CEIL: Builtin = Builtin {
    name: "ceil",
    signatures: &[Signature {
        params: &[("x", SigTy::Float)],
        required: 1,
        ret: SigTy::Float,
    }],
    doc: r#"The smallest whole number not below `x`."#,
    fallible: false,
    examples: &[Example {
        call: r#"ceil(2.1)"#,
        result: r#"3.0"#,
    }],
};
