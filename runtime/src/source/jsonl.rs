//! JSON Lines: one record per line; blank lines are skipped.

use std::io::BufRead;

use super::{RawRecord, read_line, text_of};

pub fn read(
    reader: &mut dyn BufRead,
    start: u64,
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
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let (raw, broken) = text_of(line);
        if !emit(RawRecord {
            raw,
            json: None,
            broken,
            end: offset,
        }) {
            return Ok(());
        }
    }
}

pub(super) fn trim_newline(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}
