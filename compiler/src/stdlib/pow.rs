//! `pow`: `base` raised to `exponent`.

use super::{Builtin, Example, SigTy, Signature};

pub const POW: Builtin = Builtin {
    name: "pow",
    signatures: &[Signature {
        params: &[("base", SigTy::Float), ("exponent", SigTy::Float)],
        required: 2,
        ret: SigTy::Float,
    }],
    doc: r#"`base` raised to `exponent`."#,
    fallible: false,
    examples: &[Example {
        call: r#"pow(2.0, 10.0)"#,
        result: r#"1024.0"#,
    }],
};
