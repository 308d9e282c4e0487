//! JSON Lines: one record per line; blank lines are skipped. Also
//! `format: lines`: each line, blank or not, is a record whose one field
//! (JSON key `key`) is the line's text.

use std::io::BufRead;

use super::{RawRecord, read_line, text_of};

pub fn read(
    reader: &mut dyn BufRead,
    start: u64,
    lines: Option<&str>,
    emit: &mut dyn FnMut(RawRecord) -> bool,
) -> std::io::Result<()> {
    let mut offset = start;
    let mut buf = Vec::new();
    loop {
        let n = read_line(reader, &mut buf)?;
        if n == 0 {
            return Ok(());
        }
        offset += n as u64;
        let line = trim_newline(&buf);
        if lines.is_none() && line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if !emit(record(line, offset, lines)) {
            return Ok(());
        }
    }
}

pub(super) fn trim_newline(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// One line as a record: JSON to decode, or (`lines`) the text itself
/// under `key`.
pub(super) fn record(line: &[u8], end: u64, lines: Option<&str>) -> RawRecord {
    let (raw, broken) = text_of(line);
    let json = match lines {
        Some(key) if broken.is_none() => {
            let mut object = serde_json::Map::new();
            object.insert(key.to_string(), serde_json::Value::String(raw.clone()));
            Some(serde_json::Value::Object(object))
        }
        _ => None,
    };
    RawRecord {
        decoded: None,
        raw,
        json,
        broken,
        end,
    }
}
