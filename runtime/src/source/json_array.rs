//! One JSON array of records, streamed element by element (never loaded
//! whole): a small scanner finds where each element ends.

use std::io::BufRead;

use super::{RawRecord, text_of};

pub enum Error {
    Io(std::io::Error),
    Format(String),
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error::Io(e)
    }
}

struct Bytes<'a> {
    reader: &'a mut dyn BufRead,
    offset: u64,
}

impl Bytes<'_> {
    fn peek(&mut self) -> Result<Option<u8>, Error> {
        Ok(self.reader.fill_buf()?.first().copied())
    }

    fn next(&mut self) -> Result<Option<u8>, Error> {
        let b = self.peek()?;
        if b.is_some() {
            self.reader.consume(1);
            self.offset += 1;
        }
        Ok(b)
    }

    fn skip_whitespace(&mut self) -> Result<(), Error> {
        while let Some(b) = self.peek()? {
            if b.is_ascii_whitespace() {
                self.next()?;
            } else {
                break;
            }
        }
        Ok(())
    }
}

pub fn read(
    reader: &mut dyn BufRead,
    start: u64,
    emit: &mut dyn FnMut(RawRecord) -> bool,
) -> Result<(), Error> {
    let mut input = Bytes {
        reader,
        offset: start,
    };
    input.skip_whitespace()?;
    if start == 0 {
        match input.next()? {
            Some(b'[') => {}
            None => return Ok(()),
            Some(other) => {
                return Err(Error::Format(format!(
                    "a `json` source is one array of records, but it starts with `{}`",
                    other as char
                )));
            }
        }
    }
    loop {
        input.skip_whitespace()?;
        match input.peek()? {
            None | Some(b']') => return Ok(()),
            Some(b',') => {
                input.next()?;
                continue;
            }
            _ => {}
        }
        let mut element = Vec::new();
        let (mut depth, mut in_string, mut escaped) = (0i64, false, false);
        while let Some(b) = input.peek()? {
            if !in_string && depth == 0 && (b == b',' || b == b']') {
                break;
            }
            input.next()?;
            element.push(b);
            if in_string {
                match (escaped, b) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'"') => in_string = false,
                    _ => {}
                }
            } else {
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => depth -= 1,
                    _ => {}
                }
            }
        }
        let trimmed = element.trim_ascii_end();
        let (raw, broken) = text_of(trimmed);
        if !emit(RawRecord {
            raw,
            json: None,
            broken,
            end: input.offset,
        }) {
            return Ok(());
        }
    }
}
