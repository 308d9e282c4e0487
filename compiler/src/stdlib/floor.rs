//! `floor`: The largest whole number not above `x`.

use super::{Builtin, Example, SigTy, Signature};

pub const FLOOR: Builtin = Builtin {
    name: "floor",
    signatures: &[Signature {
        params: &[("x", SigTy::Float)],
        required: 1,
        ret: SigTy::Float,
    }],
    doc: r#"The largest whole number not above `x`."#,
    fallible: false,
    examples: &[Example {
        call: r#"floor(2.7)"#,
        result: r#"2.0"#,
    }],
};
