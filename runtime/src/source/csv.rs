//! CSV: a header row names the columns (matched to fields by JSON key);
//! values are converted to JSON by the field's declared type, so the
//! shared decoder does the rest. Quoted fields may hold the delimiter,
//! quotes (`""`) and newlines.

use std::io::BufRead;

use dash_check::value::Value;
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
    columns: Vec<String>,
    delimiter: u8,
    null: &'a [String],
    fields: &'a [Field],
    /// The record type, and the column each field is read from (the last
    /// of that name, as the JSON object keeps the last key).
    record: RecordId,
    field_columns: Vec<Option<usize>>,
}

impl<'a> Rows<'a> {
    pub fn new(
        columns: Vec<String>,
        delimiter: u8,
        null: &'a [String],
        fields: &'a [Field],
        record: RecordId,
    ) -> Rows<'a> {
        let field_columns = fields
            .iter()
            .map(|f| columns.iter().rposition(|c| *c == f.key))
            .collect();
        Rows {
            columns,
            delimiter,
            null,
            fields,
            record,
            field_columns,
        }
    }

    /// A row of plain fields (numbers, bools, strings, times) straight to
    /// the record's value, as converting it to JSON and decoding that
    /// would give; `None` for anything else, or anything that would fail
    /// (that way gives the message).
    fn direct(&self, values: &[Vec<u8>]) -> Option<Value> {
        let mut out = Vec::with_capacity(self.fields.len());
        for (field, column) in self.fields.iter().zip(&self.field_columns) {
            let nullable = field.ty.is_nullable();
            let Some(column) = column else {
                out.push(nullable.then_some(Value::Null)?);
                continue;
            };
            let text = std::str::from_utf8(values.get(*column)?).ok()?;
            if self.null.iter().any(|n| n == text) {
                out.push(nullable.then_some(Value::Null)?);
                continue;
            }
            let trimmed = text.trim();
            out.push(match field.ty.strip() {
                Ty::Int => Value::Int(trimmed.parse().ok()?),
                Ty::Float => Value::Float(trimmed.parse::<f64>().ok().filter(|f| f.is_finite())?),
                Ty::Bool => Value::Bool(match trimmed {
                    "true" | "TRUE" | "True" | "1" => true,
                    "false" | "FALSE" | "False" | "0" => false,
                    _ => return None,
                }),
                Ty::String => Value::str(text),
                Ty::Timestamp => Value::Timestamp(dash_ir::decode::parse_timestamp(text)?),
                Ty::Duration => Value::Duration(dash_ir::decode::parse_duration(text)?),
                _ => return None,
            });
        }
        Some(Value::record(self.record, out))
    }

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
                decoded: None,
                raw,
                json: None,
                broken,
                end,
            });
        }
        let values = split(line, self.delimiter);
        if values.len() != self.columns.len() {
            return Some(RawRecord {
                decoded: None,
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
        if let Some(value) = self.direct(&values) {
            return Some(RawRecord {
                decoded: Some(value),
                raw,
                json: None,
                broken: None,
                end,
            });
        }
        Some(RawRecord {
            decoded: None,
            raw,
            json: Some(self.object(&values)),
            broken: None,
            end,
        })
    }

    /// A row as the JSON object the decoder reads (each value converted
    /// by its field's type).
    fn object(&self, values: &[Vec<u8>]) -> serde_json::Value {
        let mut object = serde_json::Map::new();
        for (column, value) in self.columns.iter().zip(values) {
            let text = String::from_utf8_lossy(value).into_owned();
            let ty = self
                .fields
                .iter()
                .find(|f| &f.key == column)
                .map(|f| f.ty.strip().clone());
            object.insert(column.clone(), convert(&text, self.null, ty.as_ref()));
        }
        serde_json::Value::Object(object)
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
    record: RecordId,
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
    let rows = Rows::new(columns, delimiter, null, fields, record);
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

#[cfg(test)]
mod tests {
    use super::*;
    use dash_check::{GlobalKind, analyze};
    use dash_syntax::SourceFile;

    const SOURCE: &str = "type Row {\n  id: int\n  n: int?\n  x: float\n  y: float?\n  ok: bool?\n  \
        name: string\n  note: string?\n  ts: timestamp\n  at: timestamp?\n  took: duration?\n  \
        doc: json?\n  tags: [int]?\n}\n";

    const TEXTS: &[&str] = &[
        "7",
        " 7 ",
        "-3",
        "+5",
        "3.0",
        "3.5",
        "1e3",
        "1e400",
        "nan",
        "inf",
        "9223372036854775808",
        "true",
        "TRUE",
        "0",
        "1",
        "yes",
        "",
        " ",
        "NA",
        "null",
        "ksea",
        "2026-01-01T00:00:00Z",
        " 2026-01-01T00:00:00Z",
        "2026-01-01T00:00:00.1234567+02:00",
        "1h30m",
        "-5m",
        "1m1h",
        "[1,2]",
        "{\"a\":1}",
        "é",
    ];

    /// A row decoded straight to its value is the value converting it to
    /// JSON and decoding gives; most plain rows go straight.
    #[test]
    fn direct_rows_agree_with_the_json_path() {
        let analysis = analyze(vec![SourceFile::new("t.dash", SOURCE)]);
        assert_eq!(analysis.error_count(), 0, "{:?}", analysis.diagnostics);
        let program = &analysis.program;
        let Some(GlobalKind::Type(id)) = program.globals.get("Row").map(|g| g.kind) else {
            panic!("no type Row");
        };
        let fields = fields(program, id);
        let null = vec!["NA".to_string(), String::new()];
        let mut columns: Vec<String> = fields.iter().map(|f| f.key.clone()).collect();
        columns.push("extra".into());
        columns.push("n".into()); // a second `n`: the last one counts
        let rows = Rows::new(columns.clone(), b'|', &null, &fields, id);
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let (mut direct, mut good) = (0, 0);
        for _ in 0..20_000 {
            // Mostly good values, some of anything.
            let values: Vec<Vec<u8>> = columns
                .iter()
                .enumerate()
                .map(|(i, _)| {
                    let good = [
                        "7",
                        "7",
                        "1.5",
                        "2.5",
                        "true",
                        "ksea",
                        "x",
                        "2026-01-01T00:00:00Z",
                        "2026-01-01T00:00:00Z",
                        "1h",
                        "NA",
                        "NA",
                        "x",
                        "NA",
                    ];
                    let text = if next(4) == 0 {
                        TEXTS[next(TEXTS.len())]
                    } else {
                        good.get(i).copied().unwrap_or("7")
                    };
                    text.as_bytes().to_vec()
                })
                .collect();
            let slow = dash_ir::decode::decode_record(&rows.object(&values), id, program)
                .map(|v| format!("{v:?}"));
            let fast = rows.direct(&values);
            if let Some(value) = &fast {
                direct += 1;
                assert_eq!(Ok(format!("{value:?}")), slow, "{values:?}");
            }
            // Without json or list values, every good row goes straight.
            let plain = [10, 11]
                .iter()
                .all(|&i| null.iter().any(|n| n.as_bytes() == values[i]));
            if plain && slow.is_ok() {
                good += 1;
                assert!(fast.is_some(), "{values:?} did not go straight");
            }
        }
        assert!(good > 1_000, "only {good} good plain rows");
        assert!(direct >= good, "{direct} rows went straight");
    }
}
