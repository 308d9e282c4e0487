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
    // What came last: the opening `[`, an element, or a `,` (a resumed
    // read starts just after an element).
    #[derive(PartialEq)]
    enum Last {
        Open,
        Element,
        Comma,
    }
    let mut last = if start == 0 {
        Last::Open
    } else {
        Last::Element
    };
    loop {
        input.skip_whitespace()?;
        match input.peek()? {
            None => {
                return Err(Error::Format(
                    "the array is not closed: the input ends before its `]`".into(),
                ));
            }
            Some(b']') if last == Last::Comma => {
                return Err(Error::Format(format!(
                    "a `,` with no record after it, before the `]` at byte {}",
                    input.offset
                )));
            }
            Some(b']') => {
                input.next()?;
                input.skip_whitespace()?;
                if input.peek()?.is_some() {
                    return Err(Error::Format(format!(
                        "there is more after the array's closing `]` (at byte {}): a `json` \
                         source is one array",
                        input.offset
                    )));
                }
                return Ok(());
            }
            Some(b',') if last != Last::Element => {
                return Err(Error::Format(format!(
                    "a `,` with no record before it, at byte {}",
                    input.offset
                )));
            }
            Some(b',') => {
                input.next()?;
                last = Last::Comma;
                continue;
            }
            _ => {}
        }
        last = Last::Element;
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
            decoded: None,
            raw,
            json: None,
            broken,
            end: input.offset,
        }) {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The records read, or the format error.
    fn records(input: &str) -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        let mut reader = std::io::BufReader::new(input.as_bytes());
        match read(&mut reader, 0, &mut |r| {
            out.push(r.raw);
            true
        }) {
            Ok(()) => Ok(out),
            Err(Error::Format(m)) => Err(m),
            Err(Error::Io(e)) => Err(e.to_string()),
        }
    }

    #[test]
    fn one_array_is_read_and_anything_else_is_an_error() {
        assert_eq!(
            records(" [ {\"a\": 1} , {\"b\": [2, 3]} ]\n"),
            Ok(vec![
                "{\"a\": 1}".to_string(),
                "{\"b\": [2, 3]}".to_string()
            ])
        );
        assert_eq!(records("[]"), Ok(vec![]));
        assert_eq!(records(""), Ok(vec![]));
        for (input, why) in [
            ("[{\"a\": 1}]\n[{\"a\": 2}]", "more after"),
            ("[{\"a\": 1}, {\"a\": 2}", "not closed"),
            ("[{\"a\": 1},, {\"a\": 2}]", "no record before"),
            ("[{\"a\": 1},]", "no record after"),
            ("[, {\"a\": 1}]", "no record before"),
        ] {
            let error = records(input).expect_err(input);
            assert!(error.contains(why), "{input}: {error}");
        }
    }
}
