//! `hmac_sha256`: The HMAC-SHA256 of a message under a key, as lowercase hex.

use sha2::{Digest, Sha256};

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args, lower_hex};
use crate::value::Value;

pub const HMAC_SHA256: Builtin = Builtin {
    name: "hmac_sha256",
    signatures: &[Signature {
        params: &[("key", SigTy::String), ("message", SigTy::String)],
        required: 2,
        ret: SigTy::String,
    }],
    doc: r#"The HMAC (RFC 2104) with SHA-256 of `message` under `key`, both taken as their UTF-8 bytes, as 64 lowercase hex digits: what webhook signatures like `X-Hub-Signature-256` carry. Compare it with `==` to a signature in lowercase hex (`lower` it first if it may be uppercase)."#,
    fallible: false,
    examples: &[Example {
        call: r#"hmac_sha256("key", "The quick brown fox jumps over the lazy dog")"#,
        result: r#""f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8""#,
    }],
    eval,
};

/// SHA-256's block size in bytes.
const BLOCK: usize = 64;

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Str(key), Value::Str(message)] = args else {
        return Err(bad_args("hmac_sha256", args));
    };
    Ok(Value::string(lower_hex(&hmac(
        key.as_bytes(),
        message.as_bytes(),
    ))))
}

/// HMAC-SHA256 (RFC 2104): H((K ^ opad) || H((K ^ ipad) || message)),
/// where K is the key, hashed first when longer than a block, padded with
/// zeros to a block.
fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        let digest = Sha256::digest(key);
        k[..digest.len()].copy_from_slice(&digest);
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| k.map(|b| b ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hmac_hex(key: &[u8], message: &[u8]) -> String {
        lower_hex(&hmac(key, message))
    }

    /// RFC 4231's test cases 2 and 6 (a key longer than a block), and
    /// keys around the block size.
    #[test]
    fn known_macs() {
        for (key, message, want) in [
            (
                b"Jefe".to_vec(),
                b"what do ya want for nothing?".to_vec(),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
            (
                vec![0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            ),
            (
                Vec::new(),
                Vec::new(),
                "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad",
            ),
            (
                vec![b'k'; 64],
                b"msg".to_vec(),
                "d62ad25bb128e96ab6ef43464aaf2bb91b5b85f013381e9ba6be747e8d0911b2",
            ),
            (
                vec![b'k'; 65],
                b"msg".to_vec(),
                "c65585780e821bd312cfaa440c33cb28d6af6b323d4977ae83934834ce589e38",
            ),
        ] {
            assert_eq!(hmac_hex(&key, &message), want);
        }
        let got = eval(
            &[Value::str("clé"), Value::str("données")],
            &EvalContext::default(),
        );
        assert_eq!(
            got.ok().as_ref().and_then(Value::as_str),
            Some("cd72a91ba5a05906c66d495237885ed3400eee56e4c204e2d42b82cd75fedbda")
        );
        assert!(eval(&[Value::str("k")], &EvalContext::default()).is_err());
    }
}
