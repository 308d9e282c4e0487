//! Input decoding: one JSON value (or one JSONL line) into a record of a
//! declared type, and the inverse for sinks and test output. Shared by
//! `dashc test` and the runtime.
//!
//! Rules (LANGUAGE.md §3/§4, and these decisions):
//! - A record is a JSON object; anything else fails
//!   (`expected an object (`Reading`), found a string ("x")`).
//! - Each field is read from its JSON key: `@json("Key")`, else the field
//!   name. Extra keys are ignored. When a key appears twice, the last wins.
//! - A missing key or JSON `null` gives `null` for a nullable field (`T?`)
//!   and fails for a non-nullable one. Exception: a non-nullable `json`
//!   field keeps JSON `null` as the json value `null` (but a missing key
//!   still fails); a `json?` field reads JSON `null` as Dash `null`.
//! - Errors carry the path of the bad value in the input, written with the
//!   JSON keys: `loc.lat`, `tags[2]`, `["odd key"].x` (keys that are not
//!   plain identifiers are quoted). Text quoted in messages is cut at 60
//!   characters.
//! - `bool`: a JSON bool only.
//! - `int`: a JSON integer in the i64 range. A number written with a zero
//!   fraction or an exponent (`3.0`, `1e3`) is accepted when it is a whole
//!   number of magnitude below 2^53 (where floats are exact); `3.5` and
//!   numbers beyond the range fail.
//! - `float`: any JSON number (integers are converted). JSON has no NaN or
//!   infinity, so such text (`NaN`, `1e999`) is invalid JSON.
//! - `string`: a JSON string only. Nothing is converted to or from text:
//!   `"3"` is not an int, `3` is not a string, `"1.5"` is not a float.
//! - `timestamp`: an RFC 3339 string with any offset, converted to UTC;
//!   digits beyond microseconds are truncated. Or a JSON number of seconds
//!   since the Unix epoch, integer or fractional (`1767225600.5`), rounded
//!   to the nearest microsecond. Either way years 0000–9999 only.
//! - `duration`: a string in Dash duration syntax, units largest first and
//!   each at most once, optionally negative (`"250ms"`, `"1h30m"`,
//!   `"-5m"`, `"2d3h"`; units `d h m s ms us`) — the form
//!   [`encode_record`] writes. Or a JSON number of seconds, integer or
//!   fractional (`1.5` = 1500ms), rounded to the nearest microsecond.
//! - `json`: any JSON value, embedded as-is.
//! - `[T]`: a JSON array, each element decoded as `T` (a `null` element
//!   only for `[T?]`).
//! - A nested record: a nested JSON object, by the same rules.
//! - Hostile input: serde_json limits nesting to 128 when parsing text, and
//!   decoding recursion follows the declared type, which cannot be
//!   recursive, so neither can overflow the stack.
//!
//! Encoding ([`encode_record`]): a JSON object keyed by the fields' JSON
//! keys (every field present, `null` as `null`); timestamps as RFC 3339
//! strings in UTC (`2026-01-01T00:00:00Z`), durations as Dash duration
//! strings (`1h30m`), json values as-is. Floats that are NaN or infinite
//! have no JSON form and are written as `null` (as JavaScript does), so
//! they do not survive a round trip. Keys come out sorted (serde_json's
//! map), not in declaration order.

mod text;

use std::fmt;
use std::sync::Arc;

use serde_json::Value as Json;

use dash_check::value::{self, Value};
use dash_check::{Program, RecordField, RecordId, Ty};

/// Why a record could not be decoded: the path of the bad value in the
/// input (`loc.lat`, `tags[2]`; empty for the record itself) and what was
/// wrong with it.
#[derive(Clone, Debug, PartialEq)]
pub struct DecodeError {
    pub path: String,
    pub message: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for DecodeError {}

/// Decode one JSON value into a record of type `ty`.
pub fn decode_record(json: &Json, ty: RecordId, program: &Program) -> Result<Value, DecodeError> {
    record(json, ty, program).map_err(Fail::finish)
}

/// Decode one JSON value into a value of type `ty` (a field's type).
pub fn decode_value(json: &Json, ty: &Ty, program: &Program) -> Result<Value, DecodeError> {
    decode(json, ty, program).map_err(Fail::finish)
}

/// Parse one line of JSON text (a JSONL line) and decode it. Text that is
/// not JSON fails with serde_json's message and an empty path. A leading
/// byte order mark (the first line of some files) is skipped.
pub fn decode_line(line: &str, ty: RecordId, program: &Program) -> Result<Value, DecodeError> {
    let line = line.strip_prefix('\u{feff}').unwrap_or(line);
    if let Some(value) = text::decode_text(line, ty, program) {
        return Ok(value);
    }
    let json: Json = serde_json::from_str(line).map_err(|e| DecodeError {
        path: String::new(),
        message: format!("invalid JSON: {e}"),
    })?;
    decode_record(&json, ty, program)
}

/// A timestamp's text as decoding reads it (RFC 3339, any offset), in
/// microseconds since the epoch; `None` where decoding fails.
pub fn parse_timestamp(text: &str) -> Option<i64> {
    timestamp_text(text).ok()
}

/// A duration's text as decoding reads it (`1h30m`); `None` where
/// decoding fails.
pub fn parse_duration(text: &str) -> Option<i64> {
    duration_text(text).ok()
}

/// A value as JSON: a record as an object keyed by its fields' JSON keys.
/// See the module documentation for the form of each type; the rules are
/// [`value::to_json`]'s, which `to_json` and `encode_json` use too.
pub fn encode_record(value: &Value, program: &Program) -> Json {
    value::to_json(value, &program.records)
}

/// One step of an error path, innermost first while unwinding.
enum Seg {
    Key(String),
    Index(usize),
}

/// An error on its way out, collecting its path as the recursion unwinds
/// (nothing is allocated for paths while decoding succeeds).
pub(crate) struct Fail {
    rev_path: Vec<Seg>,
    message: String,
}

pub(crate) type Decoded<T> = Result<T, Fail>;

fn fail(message: String) -> Fail {
    Fail {
        rev_path: Vec::new(),
        message,
    }
}

impl Fail {
    fn at(mut self, seg: Seg) -> Fail {
        self.rev_path.push(seg);
        self
    }

    fn finish(self) -> DecodeError {
        let mut path = String::new();
        for seg in self.rev_path.iter().rev() {
            match seg {
                Seg::Key(key) if is_plain_key(key) => {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(key);
                }
                Seg::Key(key) => {
                    path.push('[');
                    path.push_str(&Json::String(key.clone()).to_string());
                    path.push(']');
                }
                Seg::Index(i) => {
                    path.push('[');
                    path.push_str(&i.to_string());
                    path.push(']');
                }
            }
        }
        DecodeError {
            path,
            message: self.message,
        }
    }
}

fn is_plain_key(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn record(json: &Json, id: RecordId, program: &Program) -> Decoded<Value> {
    let Some(rec) = program.records.get(id.0 as usize) else {
        return Err(fail(format!("unknown record type #{}", id.0)));
    };
    let Json::Object(map) = json else {
        return Err(fail(format!(
            "expected an object (`{}`), found {}",
            rec.name,
            describe(json)
        )));
    };
    let mut fields = Vec::with_capacity(rec.fields.len());
    for field in &rec.fields {
        let value = record_field(map.get(&field.json_key), field, program)
            .map_err(|e| e.at(Seg::Key(field.json_key.clone())))?;
        fields.push(value);
    }
    Ok(Value::record(id, fields))
}

fn record_field(raw: Option<&Json>, field: &RecordField, program: &Program) -> Decoded<Value> {
    let renamed = if field.name == field.json_key {
        String::new()
    } else {
        format!(" `{}`", field.name)
    };
    match raw {
        None if field.ty.is_nullable() => Ok(Value::Null),
        None => Err(fail(format!(
            "missing required field{renamed} of type `{}`",
            program.show(&field.ty)
        ))),
        Some(Json::Null) if !field.ty.is_nullable() && field.ty != Ty::Json => Err(fail(format!(
            "null for non-nullable field{renamed} of type `{}`",
            program.show(&field.ty)
        ))),
        Some(json) => decode(json, &field.ty, program),
    }
}

fn decode(json: &Json, ty: &Ty, program: &Program) -> Decoded<Value> {
    let mismatch = |expected: &str| fail(format!("expected {expected}, found {}", describe(json)));
    match (ty, json) {
        (Ty::Nullable(_) | Ty::Null, Json::Null) => Ok(Value::Null),
        (Ty::Nullable(inner), _) => decode(json, inner, program),
        (Ty::Json, _) => Ok(Value::Json(Arc::new(json.clone()))),
        (Ty::Bool, Json::Bool(b)) => Ok(Value::Bool(*b)),
        (Ty::Int, Json::Number(n)) => int(n).map(Value::Int),
        (Ty::Float, Json::Number(n)) => n
            .as_f64()
            .map(Value::Float)
            .ok_or_else(|| fail(format!("number {n} is not a float"))),
        (Ty::String, Json::String(s)) => Ok(Value::str(s)),
        (Ty::Timestamp, Json::String(s)) => timestamp_text(s).map(Value::Timestamp),
        (Ty::Timestamp, Json::Number(n)) => epoch_seconds(n).map(Value::Timestamp),
        (Ty::Duration, Json::String(s)) => duration_text(s).map(Value::Duration),
        (Ty::Duration, Json::Number(n)) => duration_seconds(n).map(Value::Duration),
        (Ty::Record(id), _) => record(json, *id, program),
        (Ty::List(inner), Json::Array(items)) => {
            let mut values = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let value = if item.is_null() && !inner.is_nullable() {
                    Err(fail(format!(
                        "null for non-nullable element of type `{}`",
                        program.show(inner)
                    )))
                } else {
                    decode(item, inner, program)
                };
                values.push(value.map_err(|e| e.at(Seg::Index(i)))?);
            }
            Ok(Value::list(values))
        }
        (Ty::Timestamp, _) => Err(mismatch(
            "a `timestamp` (an RFC 3339 string or a number of epoch seconds)",
        )),
        (Ty::Duration, _) => Err(mismatch(
            "a `duration` (a string like \"1h30m\" or a number of seconds)",
        )),
        (Ty::List(_), _) => Err(mismatch(&format!("an array (`{}`)", program.show(ty)))),
        (Ty::Bool | Ty::Int | Ty::Float | Ty::String | Ty::Null, _) => {
            Err(mismatch(&format!("`{}`", program.show(ty))))
        }
        (Ty::Never | Ty::Unknown, _) => Err(fail(
            "cannot decode a value of an unresolved type (the program has errors)".into(),
        )),
    }
}

/// Floats are exact integers below this magnitude.
const EXACT_FLOAT_INT: f64 = 9_007_199_254_740_992.0; // 2^53

/// 2^63 as a float: the first magnitude beyond i64.
const I64_LIMIT: f64 = 9_223_372_036_854_775_808.0;

pub(crate) fn int(n: &serde_json::Number) -> Decoded<i64> {
    if let Some(i) = n.as_i64() {
        return Ok(i);
    }
    if n.is_u64() {
        return Err(fail(format!(
            "number {n} is out of range for `int` (64-bit)"
        )));
    }
    let Some(f) = n.as_f64() else {
        return Err(fail(format!("number {n} is not an `int`")));
    };
    if f.fract() != 0.0 {
        Err(fail(format!(
            "expected `int`, found {n} (not a whole number)"
        )))
    } else if f.abs() >= I64_LIMIT {
        Err(fail(format!(
            "number {n} is out of range for `int` (64-bit)"
        )))
    } else if f.abs() >= EXACT_FLOAT_INT {
        Err(fail(format!(
            "number {n} is not exact; write large ints without a fraction or exponent"
        )))
    } else {
        Ok(f as i64)
    }
}

/// 0000-01-01T00:00:00Z, in microseconds since the epoch.
const MIN_TIMESTAMP: i64 = -62_167_219_200_000_000;
/// 10000-01-01T00:00:00Z (exclusive), in microseconds since the epoch.
const END_TIMESTAMP: i64 = 253_402_300_800_000_000;

const MICROS: i64 = 1_000_000;

pub(crate) fn timestamp_text(text: &str) -> Decoded<i64> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.timestamp_micros())
        .map_err(|e| {
            fail(format!(
                "{} is not an RFC 3339 timestamp ({e}); write it like \"2026-01-01T00:00:00Z\"",
                quote(text)
            ))
        })
}

/// A JSON number of seconds as microseconds, rounded, within `range`.
fn seconds(n: &serde_json::Number, min: i64, end: i64) -> Option<i64> {
    if let Some(i) = n.as_i64() {
        return i.checked_mul(MICROS).filter(|m| (min..end).contains(m));
    }
    if n.is_u64() {
        return None;
    }
    let micros = (n.as_f64()? * MICROS as f64).round();
    // `end as f64` may round up to 2^63; the strict `<` keeps the cast exact.
    (micros.is_finite() && micros >= min as f64 && micros < end as f64).then_some(micros as i64)
}

pub(crate) fn epoch_seconds(n: &serde_json::Number) -> Decoded<i64> {
    seconds(n, MIN_TIMESTAMP, END_TIMESTAMP).ok_or_else(|| {
        fail(format!(
            "{n} epoch seconds is out of range for `timestamp` (years 0000 to 9999)"
        ))
    })
}

pub(crate) fn duration_seconds(n: &serde_json::Number) -> Decoded<i64> {
    seconds(n, i64::MIN, i64::MAX)
        .ok_or_else(|| fail(format!("{n} seconds is out of range for `duration`")))
}

pub(crate) fn duration_text(text: &str) -> Decoded<i64> {
    dash_check::stdlib::parse_duration_text(text).map_err(|why| {
        fail(format!(
            "{} is not a duration ({why}); write it like \"1h30m\", \"250ms\" or \"-5m\"",
            quote(text)
        ))
    })
}

/// A short description of a JSON value for messages.
fn describe(json: &Json) -> String {
    match json {
        Json::Null => "null".into(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => format!("the number {n}"),
        Json::String(s) => format!("a string ({})", quote(s)),
        Json::Array(_) => "an array".into(),
        Json::Object(_) => "an object".into(),
    }
}

/// Text quoted as a JSON string, cut at 60 characters.
fn quote(text: &str) -> String {
    const LIMIT: usize = 60;
    match text.char_indices().nth(LIMIT) {
        Some((cut, _)) => {
            let quoted = Json::String(text[..cut].to_string()).to_string();
            format!("{}…\"", &quoted[..quoted.len() - 1])
        }
        None => Json::String(text.to_string()).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dash_check::GlobalKind;
    use dash_check::analyze;
    use dash_syntax::SourceFile;

    const SOURCE: &str = r#"
type Loc {
  lat: float
  lon: float
}

type Event {
  id: int
  name: string @json("Name")
  ts: timestamp
  took: duration?
  score: float?
  ok: bool?
  loc: Loc
  home: Loc?
  tags: [string]
  counts: [int?]?
  extra: json
  opt: json?
  dotted: int? @json("a.b")
}
"#;

    fn program() -> Program {
        let analysis = analyze(vec![SourceFile::new("t.dash", SOURCE)]);
        assert_eq!(analysis.error_count(), 0, "{:#?}", analysis.diagnostics);
        analysis.program
    }

    fn id(program: &Program, name: &str) -> RecordId {
        match program.globals.get(name).map(|g| g.kind) {
            Some(GlobalKind::Type(id)) => id,
            other => panic!("no type {name}: {other:?}"),
        }
    }

    /// A valid event, with `patch` applied to its keys (null removes).
    fn event(patch: Json) -> Json {
        let mut base = serde_json::json!({
            "id": 7,
            "Name": "ksea",
            "ts": "2026-01-01T00:00:00Z",
            "loc": { "lat": 47.5, "lon": -122.3 },
            "tags": ["a", "b"],
            "extra": { "k": [1, 2] },
        });
        if let (Json::Object(base), Json::Object(patch)) = (&mut base, patch) {
            for (k, v) in patch {
                if v.is_null() {
                    base.remove(&k);
                } else {
                    base.insert(k, v);
                }
            }
        }
        base
    }

    fn decode_event(json: &Json) -> Result<Value, DecodeError> {
        let p = program();
        decode_record(json, id(&p, "Event"), &p)
    }

    fn field(value: &Value, program: &Program, name: &str) -> Value {
        let Value::Record(r) = value else {
            panic!("not a record: {value:?}")
        };
        let index = program.records[r.ty.0 as usize]
            .fields
            .iter()
            .position(|f| f.name == name)
            .expect("field");
        r.fields[index].clone()
    }

    fn get(json: &Json, name: &str) -> Value {
        let p = program();
        let value = decode_record(json, id(&p, "Event"), &p).expect("decodes");
        field(&value, &p, name)
    }

    fn err(json: &Json) -> DecodeError {
        decode_event(json).expect_err("should fail")
    }

    fn micros(text: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(text)
            .expect("timestamp")
            .timestamp_micros()
    }

    #[test]
    fn decodes_a_full_record() {
        let p = program();
        let value = decode_record(&event(serde_json::json!({})), id(&p, "Event"), &p).expect("ok");
        assert_eq!(field(&value, &p, "id").as_int(), Some(7));
        assert_eq!(field(&value, &p, "name").as_str(), Some("ksea"));
        assert!(field(&value, &p, "took").is_null());
        assert!(field(&value, &p, "home").is_null());
        let loc = field(&value, &p, "loc");
        assert_eq!(field(&loc, &p, "lat").as_float(), Some(47.5));
        assert!(
            field(&value, &p, "tags").equals(&Value::list(vec![Value::str("a"), Value::str("b")]))
        );
    }

    #[test]
    fn renamed_fields_read_their_json_key() {
        let json = event(serde_json::json!({ "name": "ignored", "Name": "used" }));
        assert_eq!(get(&json, "name").as_str(), Some("used"));
        let e = err(&event(serde_json::json!({ "Name": null })));
        assert_eq!(e.path, "Name");
        assert_eq!(e.message, "missing required field `name` of type `string`");
        let e = err(&event(serde_json::json!({ "a.b": "x" })));
        assert_eq!(e.path, "[\"a.b\"]");
        assert_eq!(
            get(&event(serde_json::json!({ "a.b": 3 })), "dotted").as_int(),
            Some(3)
        );
    }

    #[test]
    fn missing_and_null() {
        // Missing nullable fields are null.
        assert!(get(&event(serde_json::json!({})), "score").is_null());
        // JSON null in a nullable field is null.
        let mut json = event(serde_json::json!({}));
        json["score"] = Json::Null;
        json["home"] = Json::Null;
        assert!(get(&json, "score").is_null());
        assert!(get(&json, "home").is_null());
        // Missing non-nullable: the path and "missing".
        let e = err(&event(serde_json::json!({ "ts": null })));
        assert_eq!(e.path, "ts");
        assert_eq!(e.message, "missing required field of type `timestamp`");
        assert_eq!(
            e.to_string(),
            "ts: missing required field of type `timestamp`"
        );
        // JSON null in a non-nullable field.
        let mut json = event(serde_json::json!({}));
        json["ts"] = Json::Null;
        let e = err(&json);
        assert_eq!(e.path, "ts");
        assert_eq!(e.message, "null for non-nullable field of type `timestamp`");
    }

    #[test]
    fn nested_and_list_paths() {
        let e = err(&event(
            serde_json::json!({ "loc": { "lat": "x", "lon": 1 } }),
        ));
        assert_eq!(e.path, "loc.lat");
        assert_eq!(e.message, "expected `float`, found a string (\"x\")");
        let e = err(&event(serde_json::json!({ "loc": { "lon": 1 } })));
        assert_eq!(
            e.to_string(),
            "loc.lat: missing required field of type `float`"
        );
        let e = err(&event(serde_json::json!({ "home": [1] })));
        assert_eq!(e.path, "home");
        assert_eq!(e.message, "expected an object (`Loc`), found an array");
        let e = err(&event(serde_json::json!({ "tags": ["a", 1] })));
        assert_eq!(e.path, "tags[1]");
        let e = err(&event(serde_json::json!({ "tags": ["a", "b", null] })));
        assert_eq!(
            e.to_string(),
            "tags[2]: null for non-nullable element of type `string`"
        );
        let e = err(&event(serde_json::json!({ "tags": "a" })));
        assert_eq!(
            e.message,
            "expected an array (`[string]`), found a string (\"a\")"
        );
        let counts = get(&event(serde_json::json!({ "counts": [1, null] })), "counts");
        assert!(counts.equals(&Value::list(vec![Value::Int(1), Value::Null])));
        let e = err(&event(serde_json::json!({ "counts": [1, 2.5] })));
        assert_eq!(e.path, "counts[1]");
    }

    #[test]
    fn records_must_be_objects() {
        let p = program();
        let e = decode_line("\"x\"", id(&p, "Event"), &p).expect_err("not an object");
        assert_eq!(e.path, "");
        assert_eq!(
            e.message,
            "expected an object (`Event`), found a string (\"x\")"
        );
        assert_eq!(e.to_string(), e.message);
        let e = decode_line("[]", id(&p, "Event"), &p).expect_err("not an object");
        assert_eq!(e.message, "expected an object (`Event`), found an array");
    }

    #[test]
    fn numbers() {
        // int given for float.
        let loc = get(
            &event(serde_json::json!({ "loc": { "lat": 47, "lon": 0 } })),
            "loc",
        );
        let p = program();
        assert!(matches!(field(&loc, &p, "lat"), Value::Float(f) if f == 47.0));
        // float given for int: whole numbers accepted, fractions not.
        assert_eq!(
            get(&event(serde_json::json!({ "id": 3.0 })), "id").as_int(),
            Some(3)
        );
        assert_eq!(
            get(&event(serde_json::json!({ "id": -1e3 })), "id").as_int(),
            Some(-1000)
        );
        let e = err(&event(serde_json::json!({ "id": 3.5 })));
        assert_eq!(
            e.to_string(),
            "id: expected `int`, found 3.5 (not a whole number)"
        );
        // Range.
        let max = get(&event(serde_json::json!({ "id": i64::MAX })), "id");
        assert_eq!(max.as_int(), Some(i64::MAX));
        let min = get(&event(serde_json::json!({ "id": i64::MIN })), "id");
        assert_eq!(min.as_int(), Some(i64::MIN));
        for text in [
            "9223372036854775808",
            "18446744073709551616",
            "-9223372036854775809",
            "1e20",
            "9007199254740993.0",
        ] {
            let line = format!("{{\"id\": {text}}}");
            let json: Json = serde_json::from_str(&line).expect("json");
            let e = err(&event(json));
            assert_eq!(e.path, "id", "{text}");
        }
        // Strings are not numbers, numbers are not strings or bools.
        assert_eq!(err(&event(serde_json::json!({ "id": "3" }))).path, "id");
        assert_eq!(
            err(&event(serde_json::json!({ "score": "1.5" }))).path,
            "score"
        );
        let e = err(&event(serde_json::json!({ "Name": 3 })));
        assert_eq!(e.message, "expected `string`, found the number 3");
        let e = err(&event(serde_json::json!({ "ok": 1 })));
        assert_eq!(e.message, "expected `bool`, found the number 1");
        assert_eq!(
            get(&event(serde_json::json!({ "ok": false })), "ok").as_bool(),
            Some(false)
        );
    }

    #[test]
    fn timestamps() {
        let at = |v: Json| get(&event(serde_json::json!({ "ts": v })), "ts");
        let new_year = micros("2026-01-01T00:00:00Z");
        assert!(matches!(at("2026-01-01T00:00:00Z".into()), Value::Timestamp(t) if t == new_year));
        // Any offset, converted to UTC.
        assert!(
            matches!(at("2026-01-01T01:00:00+01:00".into()), Value::Timestamp(t) if t == new_year)
        );
        assert!(
            matches!(at("2025-12-31T19:00:00-05:00".into()), Value::Timestamp(t) if t == new_year)
        );
        // Fractions beyond microseconds are truncated.
        assert!(matches!(
            at("2026-01-01T00:00:00.1234567Z".into()),
            Value::Timestamp(t) if t == new_year + 123_456
        ));
        // Epoch seconds, integer or fractional.
        assert_eq!(new_year, 1_767_225_600 * MICROS);
        assert!(matches!(at(1_767_225_600.into()), Value::Timestamp(t) if t == new_year));
        assert!(
            matches!(at(1_767_225_600.5.into()), Value::Timestamp(t) if t == new_year + 500_000)
        );
        assert!(matches!(
            at(1_767_225_600.123456.into()),
            Value::Timestamp(t) if t == new_year + 123_456
        ));
        assert!(matches!(at((-1.5).into()), Value::Timestamp(-1_500_000)));
        // Bad text is quoted, long text cut.
        let e = err(&event(serde_json::json!({ "ts": "yesterday" })));
        assert_eq!(e.path, "ts");
        assert!(
            e.message
                .starts_with("\"yesterday\" is not an RFC 3339 timestamp ("),
            "{e}"
        );
        let long = "x".repeat(10_000);
        let e = err(&event(serde_json::json!({ "ts": long })));
        assert!(
            e.message
                .starts_with(&format!("\"{}…\" is not", "x".repeat(60))),
            "{e}"
        );
        assert!(e.message.len() < 200);
        assert_eq!(
            err(&event(serde_json::json!({ "ts": "2026-13-01T00:00:00Z" }))).path,
            "ts"
        );
        assert_eq!(
            err(&event(serde_json::json!({ "ts": "2026-01-01" }))).path,
            "ts"
        );
        // Out of range epoch numbers, and other JSON kinds.
        for v in [
            serde_json::json!(1e300),
            serde_json::json!(i64::MAX),
            serde_json::json!(u64::MAX),
            serde_json::json!(-1e12),
            serde_json::json!(true),
            serde_json::json!([]),
        ] {
            assert_eq!(err(&event(serde_json::json!({ "ts": v }))).path, "ts");
        }
        // The largest and smallest accepted epoch values are formattable.
        assert!(
            matches!(at(253_402_300_799i64.into()), Value::Timestamp(t) if value::format_timestamp(t) == "9999-12-31T23:59:59Z")
        );
        assert!(
            matches!(at((-62_167_219_200i64).into()), Value::Timestamp(t) if value::format_timestamp(t) == "0000-01-01T00:00:00Z")
        );
    }

    #[test]
    fn durations() {
        let took = |v: Json| get(&event(serde_json::json!({ "took": v })), "took");
        let cases: [(Json, i64); 9] = [
            ("250ms".into(), 250_000),
            ("1h30m".into(), 90 * 60 * MICROS),
            ("-5m".into(), -5 * 60 * MICROS),
            ("2d3h".into(), (2 * 24 + 3) * 3600 * MICROS),
            ("0s".into(), 0),
            ("1s1us".into(), MICROS + 1),
            (90.into(), 90 * MICROS),
            (1.5.into(), 1_500_000),
            ((-0.25).into(), -250_000),
        ];
        for (json, expected) in cases {
            assert!(
                matches!(took(json.clone()), Value::Duration(d) if d == expected),
                "{json}"
            );
        }
        let min = value::format_duration(i64::MIN);
        assert!(matches!(took(min.into()), Value::Duration(i64::MIN)));
        for bad in [
            "",
            "-",
            "5",
            "5x",
            "30m1h",
            "1h1h",
            "1.5h",
            "h",
            " 1h",
            "1h ",
            "+1h",
            "99999999999999999999d",
            "106751991167d",
        ] {
            let e = err(&event(serde_json::json!({ "took": bad })));
            assert_eq!(e.path, "took", "{bad}");
            assert!(e.message.contains("is not a duration"), "{bad}: {e}");
        }
        assert_eq!(
            err(&event(serde_json::json!({ "took": 1e300 }))).path,
            "took"
        );
        assert_eq!(
            err(&event(serde_json::json!({ "took": true }))).path,
            "took"
        );
    }

    #[test]
    fn json_fields() {
        let extra = get(
            &event(serde_json::json!({ "extra": { "a": [1, "x"] } })),
            "extra",
        );
        assert!(matches!(&extra, Value::Json(j) if **j == serde_json::json!({ "a": [1, "x"] })));
        // A non-nullable json field keeps JSON null; json? reads it as null.
        let mut json = event(serde_json::json!({ "opt": 5 }));
        json["extra"] = Json::Null;
        assert!(matches!(get(&json, "extra"), Value::Json(j) if j.is_null()));
        assert!(matches!(get(&json, "opt"), Value::Json(j) if *j == serde_json::json!(5)));
        json["opt"] = Json::Null;
        assert!(get(&json, "opt").is_null());
        assert!(get(&event(serde_json::json!({})), "opt").is_null());
        // A missing non-nullable json field still fails.
        let e = err(&event(serde_json::json!({ "extra": null })));
        assert_eq!(
            e.to_string(),
            "extra: missing required field of type `json`"
        );
    }

    #[test]
    fn extra_keys_are_ignored() {
        let json = event(serde_json::json!({ "unknown": [1, 2, { "deep": true }], "ID": "x" }));
        assert_eq!(get(&json, "id").as_int(), Some(7));
        let loc = serde_json::json!({ "loc": { "lat": 1, "lon": 2, "alt": "high" } });
        assert!(decode_event(&event(loc)).is_ok());
    }

    #[test]
    fn invalid_and_hostile_text() {
        let p = program();
        let ty = id(&p, "Event");
        let e = decode_line("{", ty, &p).expect_err("invalid");
        assert_eq!(e.path, "");
        assert!(
            e.message.starts_with("invalid JSON: EOF while parsing"),
            "{e}"
        );
        assert!(decode_line("", ty, &p).is_err());
        assert!(decode_line("{} {}", ty, &p).is_err());
        // No NaN or infinity in JSON.
        for line in [
            r#"{"score": NaN}"#,
            r#"{"score": Infinity}"#,
            r#"{"score": -Infinity}"#,
            r#"{"score": 1e999}"#,
        ] {
            let e = decode_line(line, ty, &p).expect_err(line);
            assert!(e.message.starts_with("invalid JSON"), "{line}: {e}");
        }
        let e = err(&event(serde_json::json!({ "score": "NaN" })));
        assert_eq!(e.path, "score");
        // 100k levels of nesting: a clean error, no stack overflow.
        let deep = "[".repeat(100_000);
        let e = decode_line(&deep, ty, &p).expect_err("deep");
        assert!(e.message.contains("recursion limit"), "{e}");
        let deep_field = format!(
            "{{\"extra\": {}{}}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let e = decode_line(&deep_field, ty, &p).expect_err("deep");
        assert!(e.message.contains("recursion limit"), "{e}");
        // Nesting within the limit is fine in a json field.
        let ok = format!(
            r#"{{"id":1,"Name":"n","ts":0,"loc":{{"lat":0,"lon":0}},"tags":[],"extra":{}{}}}"#,
            "[".repeat(100),
            "]".repeat(100)
        );
        assert!(decode_line(&ok, ty, &p).is_ok());
        // A 10 MB string.
        let big = "é".repeat(5 * 1024 * 1024);
        let line =
            format!(r#"{{"id":1,"Name":"{big}","ts":0,"loc":{{"lat":0,"lon":0}},"tags":[]}}"#);
        assert!(decode_line(&line, ty, &p).is_err()); // `extra` is missing
        let line = line.replace("\"tags\":[]", "\"tags\":[],\"extra\":null");
        let value = decode_line(&line, ty, &p).expect("big string");
        assert_eq!(
            field(&value, &p, "name").as_str().map(str::len),
            Some(big.len())
        );
        // The same 10 MB string where a timestamp belongs: a short message.
        let line = line.replace("\"ts\":0", &format!("\"ts\":\"{big}\""));
        let e = decode_line(&line, ty, &p).expect_err("bad ts");
        assert_eq!(e.path, "ts");
        assert!(e.message.len() < 300, "{}", e.message.len());
        // Large arrays.
        let many = format!(
            r#"{{"id":1,"Name":"n","ts":0,"loc":{{"lat":0,"lon":0}},"extra":0,"tags":[{}"x"]}}"#,
            "\"t\",".repeat(200_000)
        );
        let value = decode_line(&many, ty, &p).expect("many");
        assert!(matches!(field(&value, &p, "tags"), Value::List(items) if items.len() == 200_001));
        // Unusual but valid text.
        let e = decode_line("\u{feff}{}", ty, &p).expect_err("missing fields");
        assert_eq!(e.path, "id");
        assert!(decode_line("{\"\\ud800\": 1}", ty, &p).is_err());
    }

    #[test]
    fn encode_decode_round_trip() {
        let p = program();
        let ty = id(&p, "Event");
        let input = serde_json::json!({
            "id": -42,
            "Name": "ksea \"north\" ✈",
            "ts": "2026-01-01T01:00:00.5+01:00",
            "took": "1h30m",
            "score": 86.0,
            "ok": true,
            "loc": { "lat": 47.5, "lon": -122 },
            "home": { "lat": 0, "lon": 0.1 },
            "tags": ["a", ""],
            "counts": [1, null, 3],
            "extra": { "nested": [null, {"x": 1.5}] },
            "opt": null,
            "a.b": 9,
            "ignored": 1,
        });
        let value = decode_record(&input, ty, &p).expect("decodes");
        let encoded = encode_record(&value, &p);
        assert_eq!(
            encoded,
            serde_json::json!({
                "id": -42,
                "Name": "ksea \"north\" ✈",
                "ts": "2026-01-01T00:00:00.500000Z",
                "took": "1h30m",
                "score": 86.0,
                "ok": true,
                "loc": { "lat": 47.5, "lon": -122.0 },
                "home": { "lat": 0.0, "lon": 0.1 },
                "tags": ["a", ""],
                "counts": [1, null, 3],
                "extra": { "nested": [null, {"x": 1.5}] },
                "opt": null,
                "a.b": 9,
            })
        );
        let again = decode_record(&encoded, ty, &p).expect("decodes again");
        assert!(again.equals(&value));
        // Through text too.
        let text = encoded.to_string();
        let again = decode_line(&text, ty, &p).expect("decodes from text");
        assert!(again.equals(&value));
        // Odd durations and timestamps survive.
        for d in [i64::MIN, i64::MAX, -1, 1, 86_400 * MICROS + 1] {
            let v = Value::Duration(d);
            let json = encode_record(&v, &p);
            assert_eq!(duration_text(json.as_str().expect("string")).ok(), Some(d));
        }
        // Non-finite floats have no JSON form.
        assert_eq!(encode_record(&Value::Float(f64::NAN), &p), Json::Null);
    }

    #[test]
    fn unknown_record_id_does_not_panic() {
        let p = program();
        let e = decode_record(&serde_json::json!({}), RecordId(999), &p).expect_err("unknown");
        assert_eq!(e.path, "");
        let v = Value::record(RecordId(999), vec![Value::Int(1)]);
        assert_eq!(encode_record(&v, &p), serde_json::json!({ "0": 1 }));
    }
}
