//! The two encodings of PostgreSQL's `COPY … FROM STDIN`: text (tab
//! separated, escaped) and binary (length-prefixed network-order fields).
//! Binary is the default: the server skips parsing numbers and
//! timestamps, which is where its time goes (see docs/performance.md);
//! `copy_format: text` in `dash.yaml` picks text, to compare.

use super::SqlValue;

/// Microseconds from the Unix epoch to PostgreSQL's, 2000-01-01.
const PG_EPOCH_MICROS: i64 = 946_684_800_000_000;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CopyFormat {
    Text,
    #[default]
    Binary,
}

impl CopyFormat {
    /// The `FORMAT` option of the COPY statement.
    pub fn option(self) -> &'static str {
        match self {
            CopyFormat::Text => "text",
            CopyFormat::Binary => "binary",
        }
    }

    /// What the stream starts with.
    pub fn header(self, out: &mut Vec<u8>) {
        if self == CopyFormat::Binary {
            out.extend_from_slice(b"PGCOPY\n\xff\r\n\0");
            out.extend_from_slice(&0i32.to_be_bytes()); // flags
            out.extend_from_slice(&0i32.to_be_bytes()); // header extension
        }
    }

    pub fn row(self, out: &mut Vec<u8>, row: &[SqlValue]) {
        match self {
            CopyFormat::Text => text_row(out, row),
            CopyFormat::Binary => binary_row(out, row),
        }
    }

    /// What the stream ends with.
    pub fn trailer(self, out: &mut Vec<u8>) {
        if self == CopyFormat::Binary {
            out.extend_from_slice(&(-1i16).to_be_bytes());
        }
    }
}

/// One row in COPY text format: tab-separated, `\N` for null, with
/// backslash, tab, newline and carriage return escaped.
fn text_row(out: &mut Vec<u8>, row: &[SqlValue]) {
    for (i, v) in row.iter().enumerate() {
        if i > 0 {
            out.push(b'\t');
        }
        match v {
            SqlValue::Null => out.extend_from_slice(b"\\N"),
            SqlValue::Int(n) => out.extend_from_slice(n.to_string().as_bytes()),
            SqlValue::Real(f) => {
                out.extend_from_slice(format!("{f:?}").replace("inf", "Infinity").as_bytes())
            }
            SqlValue::Bool(b) => out.push(if *b { b't' } else { b'f' }),
            SqlValue::Timestamp(t) => {
                out.extend_from_slice(SqlValue::timestamp_text(*t).as_bytes())
            }
            SqlValue::Text(s) | SqlValue::Json(s) => text_escaped(out, s),
        }
    }
    out.push(b'\n');
}

fn text_escaped(out: &mut Vec<u8>, s: &str) {
    for b in s.bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            0 => {} // PostgreSQL text cannot hold NUL
            _ => out.push(b),
        }
    }
}

/// One tuple in COPY binary format: the field count, then each field as
/// its byte length (-1 for null) and its value in the type's send format.
fn binary_row(out: &mut Vec<u8>, row: &[SqlValue]) {
    let fields = i16::try_from(row.len()).unwrap_or(i16::MAX);
    out.extend_from_slice(&fields.to_be_bytes());
    for v in row {
        match v {
            SqlValue::Null => out.extend_from_slice(&(-1i32).to_be_bytes()),
            SqlValue::Int(n) => field(out, &n.to_be_bytes()),
            SqlValue::Real(f) => field(out, &f.to_bits().to_be_bytes()),
            SqlValue::Bool(b) => field(out, &[u8::from(*b)]),
            SqlValue::Timestamp(t) => field(out, &t.saturating_sub(PG_EPOCH_MICROS).to_be_bytes()),
            SqlValue::Text(s) => text_field(out, None, s),
            // jsonb's send format: a version byte, then the text.
            SqlValue::Json(s) => text_field(out, Some(1), s),
        }
    }
}

fn field(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as i32).to_be_bytes());
    out.extend_from_slice(bytes);
}

/// A text field without NUL bytes (PostgreSQL text cannot hold them),
/// after an optional prefix byte.
fn text_field(out: &mut Vec<u8>, prefix: Option<u8>, s: &str) {
    let at = out.len();
    out.extend_from_slice(&0i32.to_be_bytes());
    out.extend(prefix);
    out.extend(s.bytes().filter(|b| *b != 0));
    let len = (out.len() - at - 4) as i32;
    out[at..at + 4].copy_from_slice(&len.to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes() {
        let mut out = Vec::new();
        CopyFormat::Text.row(
            &mut out,
            &[
                SqlValue::Int(1),
                SqlValue::Null,
                SqlValue::Text("a\tb\\c\nd".into()),
                SqlValue::Real(f64::NEG_INFINITY),
                SqlValue::Bool(true),
                SqlValue::Timestamp(0),
            ],
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "1\t\\N\ta\\tb\\\\c\\nd\t-Infinity\tt\t1970-01-01T00:00:00.000000Z\n"
        );
    }

    #[test]
    fn binary_fields() {
        let mut out = Vec::new();
        CopyFormat::Binary.row(
            &mut out,
            &[
                SqlValue::Null,
                SqlValue::Timestamp(PG_EPOCH_MICROS + 1),
                SqlValue::Json("{\"a\":\"x\0\"}".into()),
            ],
        );
        let mut want = vec![0, 3, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 8];
        want.extend_from_slice(&1i64.to_be_bytes());
        want.extend_from_slice(&[0, 0, 0, 10, 1]);
        want.extend_from_slice(b"{\"a\":\"x\"}");
        assert_eq!(out, want);
    }
}
