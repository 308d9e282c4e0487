//! `hash64`: A stable 64-bit hash of the string's UTF-8 bytes.

use sha2::{Digest, Sha256};

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args};
use crate::value::Value;

pub const HASH64: Builtin = Builtin {
    name: "hash64",
    signatures: &[Signature {
        params: &[("s", SigTy::String)],
        required: 1,
        ret: SigTy::Int,
    }],
    doc: r#"A stable 64-bit hash of the string's UTF-8 bytes (the first 8 bytes of its SHA-256, big-endian, as a signed int); the same in every run and version."#,
    fallible: false,
    examples: &[Example {
        call: r#"hash64("a") == hash64("a")"#,
        result: r#"true"#,
    }],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Str(s)] = args else {
        return Err(bad_args("hash64", args));
    };
    let digest = Sha256::digest(s.as_bytes());
    match digest.first_chunk::<8>() {
        Some(first) => Ok(Value::Int(i64::from_be_bytes(*first))),
        None => Err("hash64: short digest".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_hashes() {
        for (s, want) in [
            ("", -2_039_914_840_885_289_964),
            ("abc", -5_010_229_573_455_851_542),
            ("a", -3_848_465_438_864_589_366),
            ("héllo", 4_343_819_824_053_979_717),
            ("🎉", 7_009_335_623_618_664_608),
        ] {
            let got = eval(&[Value::str(s)], &EvalContext::default());
            assert_eq!(got.ok().and_then(|v| v.as_int()), Some(want), "{s}");
        }
        assert!(eval(&[Value::Null], &EvalContext::default()).is_err());
    }
}
