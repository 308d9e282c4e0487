//! Decoding literal tokens: integers, floats, durations, timestamps and
//! string escapes. Errors are messages for an `E0029` diagnostic.

/// `1_000` -> 1000. Errors when it does not fit an i64. `negative` lets
/// `-9223372036854775808` through.
pub fn int(text: &str, negative: bool) -> Result<i64, String> {
    let digits: String = text.chars().filter(|c| *c != '_').collect();
    let magnitude: u64 = digits
        .parse()
        .map_err(|_| format!("integer `{text}` is too large for `int` (64-bit)"))?;
    if negative {
        if magnitude == 1 << 63 {
            return Ok(i64::MIN);
        }
        i64::try_from(magnitude)
            .map(|v| -v)
            .map_err(|_| format!("integer `-{text}` is too small for `int` (64-bit)"))
    } else {
        i64::try_from(magnitude)
            .map_err(|_| format!("integer `{text}` is too large for `int` (64-bit)"))
    }
}

pub fn float(text: &str) -> Result<f64, String> {
    let digits: String = text.chars().filter(|c| *c != '_').collect();
    match digits.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!("float `{text}` is out of range")),
    }
}

/// `250ms` -> microseconds.
pub fn duration(text: &str) -> Result<i64, String> {
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value = int(number, false)?;
    let scale: i64 = match unit {
        "us" => 1,
        "ms" => 1_000,
        "s" => 1_000_000,
        "m" => 60 * 1_000_000,
        "h" => 3_600 * 1_000_000,
        "d" => 86_400 * 1_000_000,
        _ => return Err(format!("unknown duration unit `{unit}`")),
    };
    value
        .checked_mul(scale)
        .ok_or_else(|| format!("duration `{text}` is too long"))
}

/// `@2026-01-01T00:00:00Z` -> microseconds since the epoch (UTC).
pub fn timestamp(text: &str) -> Result<i64, String> {
    let body = text.strip_prefix('@').unwrap_or(text);
    let parsed = chrono::DateTime::parse_from_rfc3339(body).map_err(|e| {
        format!("`{text}` is not a valid RFC 3339 timestamp ({e}); write it like `@2026-01-01T00:00:00Z`")
    })?;
    Ok(parsed.timestamp_micros())
}

/// Decode one escape sequence such as `\n` or `\u{1F600}`.
pub fn escape(text: &str) -> Result<char, String> {
    let rest = text.strip_prefix('\\').unwrap_or(text);
    match rest {
        "n" => Ok('\n'),
        "t" => Ok('\t'),
        "r" => Ok('\r'),
        "0" => Ok('\0'),
        "\\" => Ok('\\'),
        "\"" => Ok('"'),
        "$" => Ok('$'),
        _ => {
            if let Some(hex) = rest.strip_prefix("u{").and_then(|r| r.strip_suffix('}')) {
                u32::from_str_radix(hex, 16)
                    .ok()
                    .filter(|_| !hex.is_empty() && hex.len() <= 6)
                    .and_then(char::from_u32)
                    .ok_or_else(|| format!("`{text}` is not a valid Unicode escape"))
            } else {
                Err(format!(
                    "unknown escape `{text}`; Dash knows \\n \\t \\r \\0 \\\\ \\\" \\$ and \\u{{…}}"
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints() {
        assert_eq!(int("1_000", false), Ok(1000));
        assert_eq!(int("9223372036854775808", true), Ok(i64::MIN));
        assert!(int("9223372036854775808", false).is_err());
        assert!(int("99999999999999999999999", false).is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(duration("250ms"), Ok(250_000));
        assert_eq!(duration("7d"), Ok(7 * 86_400_000_000));
        assert!(duration("9999999999999999d").is_err());
    }

    #[test]
    fn timestamps() {
        assert_eq!(timestamp("@1970-01-01T00:00:01Z"), Ok(1_000_000));
        assert_eq!(timestamp("@1970-01-01T01:00:00+01:00"), Ok(0));
        assert!(timestamp("@2026-13-01T00:00:00Z").is_err());
    }

    #[test]
    fn escapes() {
        assert_eq!(escape("\\n"), Ok('\n'));
        assert_eq!(escape("\\u{1F600}"), Ok('😀'));
        assert!(escape("\\q").is_err());
        assert!(escape("\\u{110000}").is_err());
    }
}
