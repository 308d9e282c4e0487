//! CSV: a header row names the columns (matched to fields by JSON key);
//! values are converted to JSON by the field's declared type, so the
//! shared decoder does the rest. Quoted fields may hold the delimiter,
//! quotes (`""`) and newlines.

use std::io::BufRead;

use dash_check::{Program, RecordId, Ty};

use super::{RawRecord, jsonl::trim_newline, text_of};

/// A field of the record: its JSON key and type.
#[derive(Clone, Debug)]
pub struct Field {
    pub key: String,
    pub ty: Ty,
}

pub fn fields(program: &Program, record: RecordId) -> Vec<Field> {
    program
        .records
        .get(record.0 as usize)
        .map(|r| {
            r.fields
                .iter()
                .map(|f| Field {
                    key: f.json_key.clone(),
                    ty: f.ty.clone(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Read one CSV record (possibly several lines when quoted).
fn read_record(reader: &mut dyn BufRead, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    buf.clear();
    let mut total = 0;
    loop {
        let n = reader.read_until(b'\n', buf)?;
        total += n;
        let quotes = buf.iter().filter(|b| **b == b'"').count();
        if n == 0 || quotes % 2 == 0 {
            return Ok(total);
        }
    }
}

fn split(line: &[u8], delimiter: u8) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut field = Vec::new();
    let mut quoted = false;
    let mut i = 0;
    while i < line.len() {
        let b = line[i];
        if quoted {
            if b == b'"' {
                if line.get(i + 1) == Some(&b'"') {
                    field.push(b'"');
                    i += 1;
                } else {
                    quoted = false;
                }
            } else {
                field.push(b);
            }
        } else if b == b'"' && field.is_empty() {
            quoted = true;
        } else if b == delimiter {
            out.push(std::mem::take(&mut field));
        } else {
            field.push(b);
        }
        i += 1;
    }
    out.push(field);
    out
}

/// How one CSV record becomes a raw record: the columns (from the header
/// or the fields' order), the delimiter, the null marker and the types.
pub struct Rows<'a> {
    pub columns: Vec<String>,
    pub delimiter: u8,
    pub null: &'a [String],
    pub fields: &'a [Field],
}

impl Rows<'_> {
    /// The columns named by a header record.
    pub fn header_columns(line: &[u8], delimiter: u8) -> Vec<String> {
        split(trim_newline(line), delimiter)
            .into_iter()
            .map(|c| String::from_utf8_lossy(&c).trim().to_string())
            .collect()
    }

    /// One record's bytes (without its line end) as a raw record; `None`
    /// for a blank line.
    pub fn record(&self, line: &[u8], end: u64) -> Option<RawRecord> {
        if line.iter().all(u8::is_ascii_whitespace) {
            return None;
        }
        let (raw, broken) = text_of(line);
        if broken.is_some() {
            return Some(RawRecord {
                raw,
                json: None,
                broken,
                end,
            });
        }
        let values = split(line, self.delimiter);
        if values.len() != self.columns.len() {
            return Some(RawRecord {
                raw,
                json: None,
                broken: Some(format!(
                    "expected {} columns, found {}",
                    self.columns.len(),
                    values.len()
                )),
                end,
            });
        }
        let mut object = serde_json::Map::new();
        for (column, value) in self.columns.iter().zip(values) {
            let text = String::from_utf8_lossy(&value).into_owned();
            let ty = self
                .fields
                .iter()
                .find(|f| &f.key == column)
                .map(|f| f.ty.strip().clone());
            object.insert(column.clone(), convert(&text, self.null, ty.as_ref()));
        }
        Some(RawRecord {
            raw,
            json: Some(serde_json::Value::Object(object)),
            broken: None,
            end,
        })
    }
}

#[allow(clippy::too_many_arguments)]
pub fn read(
    reader: &mut dyn BufRead,
    start: u64,
    delimiter: u8,
    header: bool,
    null: &[String],
    fields: &[Field],
    emit: &mut dyn FnMut(RawRecord) -> bool,
) -> std::io::Result<()> {
    // Without a header the caller has already seeked to `start`; with one,
    // the file is read from its first byte (for the header).
    let mut offset = if header { 0 } else { start };
    let mut buf = Vec::new();
    let columns: Vec<String> = if header {
        let n = read_record(reader, &mut buf)?;
        offset += n as u64;
        Rows::header_columns(&buf, delimiter)
    } else {
        fields.iter().map(|f| f.key.clone()).collect()
    };
    let rows = Rows {
        columns,
        delimiter,
        null,
        fields,
    };
    // Skip to the checkpoint (the header was read from the start).
    while offset < start {
        let n = read_record(reader, &mut buf)?;
        if n == 0 {
            return Ok(());
        }
        offset += n as u64;
    }
    loop {
        let n = read_record(reader, &mut buf)?;
        if n == 0 {
            return Ok(());
        }
        offset += n as u64;
        if let Some(record) = rows.record(trim_newline(&buf), offset)
            && !emit(record)
        {
            return Ok(());
        }
    }
}

/// CSV text to the JSON the decoder expects for the field's type; text
/// that does not parse stays a string, so the decoder reports it.
fn convert(text: &str, null: &[String], ty: Option<&Ty>) -> serde_json::Value {
    use serde_json::Value as J;
    if null.iter().any(|n| n == text) {
        return J::Null;
    }
    let trimmed = text.trim();
    match ty {
        Some(Ty::Int) => trimmed
            .parse::<i64>()
            .map(J::from)
            .unwrap_or_else(|_| J::String(text.into())),
        Some(Ty::Float) => trimmed
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(J::Number)
            .unwrap_or_else(|| J::String(text.into())),
        Some(Ty::Bool) => match trimmed {
            "true" | "TRUE" | "True" | "1" => J::Bool(true),
            "false" | "FALSE" | "False" | "0" => J::Bool(false),
            _ => J::String(text.into()),
        },
        Some(Ty::Json | Ty::List(_) | Ty::Record(_)) => {
            serde_json::from_str(text).unwrap_or_else(|_| J::String(text.into()))
        }
        _ => J::String(text.into()),
    }
}
