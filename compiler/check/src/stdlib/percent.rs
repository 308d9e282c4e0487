//! Percent-encoding (RFC 3986) for `url_encode`, `url_decode` and
//! `parse_query` (not a built-in itself).

/// `s` with every byte of its UTF-8 except the unreserved characters
/// (`A-Z a-z 0-9 - . _ ~`) written as `%XX`, uppercase hex.
pub(super) fn encode(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
    out
}

/// `s` with every `%XX` (hex digits of either case) replaced by its byte,
/// and `+` by a space when `plus_is_space`; the bytes must be UTF-8.
/// Everything else is kept as it is. `Err` says why it does not decode.
pub(super) fn decode(s: &str, plus_is_space: bool) -> Result<String, String> {
    let bytes = s.as_bytes();
    if !(bytes.contains(&b'%') || plus_is_space && bytes.contains(&b'+')) {
        return Ok(s.to_string());
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let byte = match (bytes.get(i + 1), bytes.get(i + 2)) {
                    (Some(&h), Some(&l)) => hex_digit(h).zip(hex_digit(l)).map(|(h, l)| h << 4 | l),
                    _ => None,
                };
                let Some(byte) = byte else {
                    let at = s[..i].chars().count();
                    return Err(format!(
                        "the \"%\" at character {at} is not followed by two hex digits"
                    ));
                };
                out.push(byte);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| "the decoded bytes are not UTF-8 text".to_string())
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for s in [
            "",
            "abc",
            "a b&c=d/e?f#g",
            "héllo wörld 🎉",
            "%+~-._",
            "\u{0}\n\u{7f}",
        ] {
            assert_eq!(decode(&encode(s), false).as_deref(), Ok(s), "{s:?}");
            assert_eq!(decode(&encode(s), true).as_deref(), Ok(s), "{s:?}");
        }
        for b in 0u8..=127 {
            let s = char::from(b).to_string();
            let e = encode(&s);
            assert!(e == s || e.len() == 3, "{b}");
            assert_eq!(decode(&e, false).as_deref(), Ok(s.as_str()));
        }
    }

    #[test]
    fn decoding() {
        assert_eq!(decode("a+b%2Bc", true).as_deref(), Ok("a b+c"));
        assert_eq!(decode("a+b%2bc", false).as_deref(), Ok("a+b+c"));
        assert_eq!(decode("%C3%A9%c3%a9", false).as_deref(), Ok("éé"));
        assert_eq!(decode("é%20", false).as_deref(), Ok("é "));
        for bad in ["%", "%2", "%2g", "%%", "é%zz", "a%"] {
            assert!(
                decode(bad, false).is_err_and(|e| e.contains("two hex digits")),
                "{bad}"
            );
        }
        assert_eq!(
            decode("é%zz", false).err().as_deref(),
            Some("the \"%\" at character 1 is not followed by two hex digits")
        );
        for bad in ["%FF", "%C3", "%C3%28", "%ED%A0%80"] {
            assert!(
                decode(bad, false).is_err_and(|e| e.contains("UTF-8")),
                "{bad}"
            );
        }
    }
}
