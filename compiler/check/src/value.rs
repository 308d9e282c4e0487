//! Run-time values of Dash, as the interpreter and the decoder see them,
//! with the language's equality, ordering and text formatting.

use std::cmp::Ordering;
use std::fmt::Write as _;
use std::sync::Arc;

use crate::RecordId;

#[derive(Clone, Debug)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Arc<str>),
    /// Microseconds since the Unix epoch, UTC.
    Timestamp(i64),
    /// Microseconds.
    Duration(i64),
    Json(Arc<serde_json::Value>),
    List(Arc<[Value]>),
    Record(Arc<RecordValue>),
}

/// A record: its type and its field values in declaration order.
#[derive(Clone, Debug)]
pub struct RecordValue {
    pub ty: RecordId,
    pub fields: Vec<Value>,
}

impl Value {
    pub fn str(s: &str) -> Value {
        Value::Str(Arc::from(s))
    }

    pub fn string(s: String) -> Value {
        Value::Str(Arc::from(s))
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn record(ty: RecordId, fields: Vec<Value>) -> Value {
        Value::Record(Arc::new(RecordValue { ty, fields }))
    }

    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Arc::from(items))
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// An int or a float, as a float (int -> float promotion).
    pub fn as_float(&self) -> Option<f64> {
        match self {
            Value::Float(f) => Some(*f),
            Value::Int(i) => Some(*i as f64),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Language equality: structural, floats by IEEE `==` (so NaN is not
    /// equal to itself), ints equal to floats of the same value, null
    /// equal only to null.
    pub fn equals(&self, other: &Value) -> bool {
        use Value::*;
        match (self, other) {
            (Null, Null) => true,
            (Null, _) | (_, Null) => false,
            (Bool(a), Bool(b)) => a == b,
            (Int(a), Int(b)) => a == b,
            (Int(_) | Float(_), Int(_) | Float(_)) => self.as_float() == other.as_float(),
            (Str(a), Str(b)) => a == b,
            (Timestamp(a), Timestamp(b)) | (Duration(a), Duration(b)) => a == b,
            (Json(a), Json(b)) => a == b,
            (List(a), List(b)) => {
                a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.equals(y))
            }
            (Record(a), Record(b)) => {
                a.ty == b.ty
                    && a.fields.len() == b.fields.len()
                    && a.fields.iter().zip(&b.fields).all(|(x, y)| x.equals(y))
            }
            _ => false,
        }
    }

    /// Language ordering of two non-null scalars of comparable types;
    /// `None` for NaN or incomparable values.
    pub fn compare(&self, other: &Value) -> Option<Ordering> {
        use Value::*;
        match (self, other) {
            (Int(a), Int(b)) => Some(a.cmp(b)),
            (Int(_) | Float(_), Int(_) | Float(_)) => {
                self.as_float()?.partial_cmp(&other.as_float()?)
            }
            (Str(a), Str(b)) => Some(a.cmp(b)),
            (Timestamp(a), Timestamp(b)) | (Duration(a), Duration(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }

    /// The text `${value}` interpolates: `1.5`, `86.0`, `true`, RFC 3339
    /// timestamps, `1h30m` durations; json as JSON text (a json string
    /// gives its contents); null as `null`.
    pub fn to_text(&self) -> String {
        match self {
            Value::Null => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => format_float(*f),
            Value::Str(s) => s.to_string(),
            Value::Timestamp(t) => format_timestamp(*t),
            Value::Duration(d) => format_duration(*d),
            Value::Json(j) => match &**j {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            },
            Value::List(_) | Value::Record(_) => self.to_literal(&[]),
        }
    }

    /// The value written as a Dash literal, for test diffs:
    /// `"ksea"`, `86.0`, `@2026-01-01T00:00:00Z`, `Metric { … }`.
    pub fn to_literal(&self, records: &[crate::Record]) -> String {
        match self {
            Value::Str(s) => format!("{s:?}"),
            Value::Timestamp(t) => format!("@{}", format_timestamp(*t)),
            Value::Json(j) => format!("json({j})"),
            Value::List(items) => {
                let parts: Vec<String> = items.iter().map(|v| v.to_literal(records)).collect();
                format!("[{}]", parts.join(", "))
            }
            Value::Record(r) => {
                let decl = records.get(r.ty.0 as usize);
                let name = decl.map_or("record", |d| d.name.as_str());
                let parts: Vec<String> = r
                    .fields
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let field = decl
                            .and_then(|d| d.fields.get(i))
                            .map_or_else(|| i.to_string(), |f| f.name.clone());
                        format!("{field}: {}", v.to_literal(records))
                    })
                    .collect();
                format!("{name} {{ {} }}", parts.join(", "))
            }
            other => other.to_text(),
        }
    }
}

/// A value as JSON, by the rules sinks write records with: a record is
/// an object keyed by its fields' JSON keys (`@json("…")`, else the field
/// name; every field present, null as `null`), looked up in `records` (a
/// record of a type not in `records` is keyed by field position, `"0"`,
/// `"1"`, …); a list is an array; timestamps are RFC 3339 strings in UTC
/// (`2026-01-01T00:00:00Z`), durations Dash duration strings (`1h30m`),
/// json values are embedded as they are. NaN and infinite floats have no
/// JSON form and become `null` (as JavaScript's `JSON.stringify` does).
/// Object keys come out sorted (serde_json's map).
pub fn to_json(value: &Value, records: &[crate::Record]) -> serde_json::Value {
    use serde_json::Value as Json;
    match value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Value::Str(s) => Json::String(s.to_string()),
        Value::Timestamp(t) => Json::String(format_timestamp(*t)),
        Value::Duration(d) => Json::String(format_duration(*d)),
        Value::Json(j) => (**j).clone(),
        Value::List(items) => Json::Array(items.iter().map(|v| to_json(v, records)).collect()),
        Value::Record(r) => {
            let fields = records.get(r.ty.0 as usize).map(|rec| &rec.fields);
            let mut map = serde_json::Map::new();
            for (i, v) in r.fields.iter().enumerate() {
                let key = fields
                    .and_then(|f| f.get(i))
                    .map_or_else(|| i.to_string(), |f| f.json_key.clone());
                map.insert(key, to_json(v, records));
            }
            Json::Object(map)
        }
    }
}

/// Floats always show a decimal point or exponent: `86.0`, `1.5`, `1e-7`,
/// `NaN`, `inf`.
pub fn format_float(f: f64) -> String {
    format!("{f:?}")
}

/// RFC 3339 in UTC with `Z`; fractional seconds only when present.
pub fn format_timestamp(micros: i64) -> String {
    match chrono::DateTime::from_timestamp_micros(micros) {
        Some(t) => {
            if micros.rem_euclid(1_000_000) == 0 {
                t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
            } else {
                t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
            }
        }
        None => format!("<timestamp {micros}>"),
    }
}

/// `1h30m`, `250ms`, `2d3h`, `0s`, `-5m`: largest units first.
pub fn format_duration(micros: i64) -> String {
    if micros == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    if micros < 0 {
        out.push('-');
    }
    let mut rest = micros.unsigned_abs();
    for (unit, size) in [
        ("d", 86_400_000_000u64),
        ("h", 3_600_000_000),
        ("m", 60_000_000),
        ("s", 1_000_000),
        ("ms", 1_000),
        ("us", 1),
    ] {
        if rest >= size {
            let _ = write!(out, "{}{unit}", rest / size);
            rest %= size;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text() {
        assert_eq!(Value::Float(86.0).to_text(), "86.0");
        assert_eq!(Value::Float(1.5).to_text(), "1.5");
        assert_eq!(Value::Duration(90 * 60_000_000).to_text(), "1h30m");
        assert_eq!(Value::Duration(250_000).to_text(), "250ms");
        assert_eq!(Value::Duration(-30_000_000).to_text(), "-30s");
        assert_eq!(Value::Timestamp(0).to_text(), "1970-01-01T00:00:00Z");
        assert_eq!(Value::Timestamp(1).to_text(), "1970-01-01T00:00:00.000001Z");
    }

    #[test]
    fn json() {
        use serde_json::json;
        let v = Value::list(vec![
            Value::Null,
            Value::Bool(true),
            Value::Int(i64::MIN),
            Value::Float(1.5),
            Value::Float(86.0),
            Value::Float(f64::NAN),
            Value::Float(f64::NEG_INFINITY),
            Value::str("é\""),
            Value::Timestamp(1),
            Value::Duration(-90 * 60_000_000),
            Value::Json(std::sync::Arc::new(json!({"b": [1, null], "a": "x"}))),
            Value::record(RecordId(7), vec![Value::Int(1), Value::Null]),
        ]);
        assert_eq!(
            to_json(&v, &[]),
            json!([
                null,
                true,
                i64::MIN,
                1.5,
                86.0,
                null,
                null,
                "é\"",
                "1970-01-01T00:00:00.000001Z",
                "-1h30m",
                {"a": "x", "b": [1, null]},
                {"0": 1, "1": null},
            ])
        );
        assert_eq!(
            to_json(&v, &[]).to_string(),
            r#"[null,true,-9223372036854775808,1.5,86.0,null,null,"é\"","1970-01-01T00:00:00.000001Z","-1h30m",{"a":"x","b":[1,null]},{"0":1,"1":null}]"#
        );
    }

    #[test]
    fn equality() {
        assert!(Value::Int(1).equals(&Value::Float(1.0)));
        assert!(!Value::Float(f64::NAN).equals(&Value::Float(f64::NAN)));
        assert!(Value::Null.equals(&Value::Null));
        assert!(!Value::Null.equals(&Value::Int(0)));
    }
}
