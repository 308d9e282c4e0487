//! `uuid_v5`: The name-based (SHA-1) UUID of a name in a namespace, RFC 4122 version 5.

use sha1::{Digest, Sha1};

use super::{Builtin, EvalContext, Example, SigTy, Signature, bad_args, lower_hex, quote};
use crate::value::Value;

pub const UUID_V5: Builtin = Builtin {
    name: "uuid_v5",
    signatures: &[Signature {
        params: &[("namespace", SigTy::String), ("name", SigTy::String)],
        required: 2,
        ret: SigTy::String,
    }],
    doc: r#"The version 5 UUID (RFC 4122: name-based, SHA-1) of `name`'s UTF-8 bytes in `namespace`, in lowercase hyphenated form: the same for the same namespace and name in every run and version, and equal to other implementations' (Python's `uuid.uuid5`, PostgreSQL's `uuid_generate_v5`). `namespace` is a UUID written `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (hex digits of either case, no braces or `urn:uuid:`), such as the standard namespaces `6ba7b810-9dad-11d1-80b4-00c04fd430c8` (DNS names) and `6ba7b811-9dad-11d1-80b4-00c04fd430c8` (URLs), or one of your own. A literal `namespace` is checked with the program (E0029); another that is not a UUID fails the row."#,
    fallible: true,
    examples: &[Example {
        call: r#"uuid_v5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "python.org")"#,
        result: r#""886313e1-3b8a-5372-9b90-0c9aee199e5d""#,
    }],
    eval,
};

fn eval(args: &[Value], _cx: &EvalContext) -> Result<Value, String> {
    let [Value::Str(namespace), Value::Str(name)] = args else {
        return Err(bad_args("uuid_v5", args));
    };
    let namespace = parse(namespace).map_err(|why| format!("uuid_v5: {why}"))?;
    let digest = Sha1::new()
        .chain_update(namespace)
        .chain_update(name.as_bytes())
        .finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x50; // version 5
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // the RFC 4122 variant
    let hex = lower_hex(&bytes);
    Ok(Value::string(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )))
}

/// The compile-time check of a literal namespace (see `LITERAL_CHECKS`).
pub(super) fn check_namespace(text: &str) -> Result<(), String> {
    parse(text).map(|_| ())
}

/// The 16 bytes of a hyphenated UUID.
fn parse(text: &str) -> Result<[u8; 16], String> {
    let invalid = || {
        format!(
            "the namespace {} is not a UUID written like \"6ba7b810-9dad-11d1-80b4-00c04fd430c8\"",
            quote(text)
        )
    };
    let bytes = text.as_bytes();
    if bytes.len() != 36 {
        return Err(invalid());
    }
    let mut out = [0u8; 16];
    let mut nibbles = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            if b != b'-' {
                return Err(invalid());
            }
            continue;
        }
        let v = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            _ => return Err(invalid()),
        };
        out[nibbles / 2] |= if nibbles % 2 == 0 { v << 4 } else { v };
        nibbles += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DNS: &str = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
    const URL: &str = "6ba7b811-9dad-11d1-80b4-00c04fd430c8";
    const OID: &str = "6BA7B812-9DAD-11D1-80B4-00C04FD430C8";

    fn uuid(namespace: &str, name: &str) -> Result<String, String> {
        let v = eval(
            &[Value::str(namespace), Value::str(name)],
            &EvalContext::default(),
        )?;
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| "not a string".to_string())
    }

    /// Python's `uuid.uuid5` gives the same.
    #[test]
    fn known_uuids() {
        for (namespace, name, want) in [
            (DNS, "python.org", "886313e1-3b8a-5372-9b90-0c9aee199e5d"),
            (DNS, "example.com", "cfbff0d1-9375-5685-968c-48ce8b15ae17"),
            (
                URL,
                "https://example.com/é",
                "20ecd233-a9e7-5067-a96f-fd6600ca3fda",
            ),
            (OID, "", "0a68eb57-c88a-5f34-9e9d-27f85e68af4f"),
        ] {
            assert_eq!(uuid(namespace, name).as_deref(), Ok(want), "{name:?}");
        }
    }

    #[test]
    fn bad_namespaces_fail() {
        for bad in [
            "",
            "dns",
            "6ba7b8109dad11d180b400c04fd430c8",
            "{6ba7b810-9dad-11d1-80b4-00c04fd430c8}",
            "urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8",
            "6ba7b810-9dad-11d1-80b4-00c04fd430cg",
            "6ba7b810-9dad-11d1-80b4+00c04fd430c8",
            "6ba7b810-9dad-11d1-80b4-00c04fd430c8 ",
            "6ba7b810-9dad-11d1-80b4-00c04fd430é",
        ] {
            let got = uuid(bad, "x");
            assert!(
                got.as_ref().is_err_and(
                    |e| e.starts_with("uuid_v5: the namespace") && e.contains("not a UUID")
                ),
                "{bad:?} gave {got:?}"
            );
            assert!(check_namespace(bad).is_err());
        }
        assert!(check_namespace(DNS).is_ok());
        assert!(eval(&[Value::str(DNS)], &EvalContext::default()).is_err());
    }
}
