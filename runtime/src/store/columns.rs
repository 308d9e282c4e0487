//! How records become table rows: one column per top-level field.
//!
//! | Dash | SQLite | PostgreSQL | value |
//! |---|---|---|---|
//! | `int`, `duration` | INTEGER | BIGINT | i64 (durations in microseconds) |
//! | `float` | REAL | DOUBLE PRECISION | f64 (NaN stored as NULL) |
//! | `bool` | INTEGER | BOOLEAN | 0 / 1 |
//! | `string` | TEXT | TEXT | |
//! | `timestamp` | TEXT | TIMESTAMPTZ | `2026-01-01T00:00:00.000000Z` (fixed width: sorts) |
//! | `json`, lists, nested records | TEXT | JSONB | JSON |
//!
//! A non-nullable field is `NOT NULL`.

use dash_check::value::Value;
use dash_check::{Program, RecordId, Ty};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    Int,
    Real,
    Bool,
    Text,
    Timestamp,
    Json,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub name: String,
    pub kind: ColumnKind,
    pub nullable: bool,
}

/// One column value, typed enough for either engine to encode it
/// (PostgreSQL's binary COPY needs to know a timestamp from an integer).
#[derive(Clone, Debug, PartialEq)]
pub enum SqlValue {
    Null,
    Int(i64),
    Real(f64),
    Bool(bool),
    Text(String),
    /// Microseconds since the Unix epoch, UTC.
    Timestamp(i64),
    /// JSON text.
    Json(String),
}

impl SqlValue {
    /// A timestamp as fixed-width ISO-8601 text (SQLite's column value).
    pub fn timestamp_text(micros: i64) -> String {
        chrono::DateTime::from_timestamp_micros(micros)
            .map(|d| d.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string())
            .unwrap_or_else(|| micros.to_string())
    }
}

pub fn columns_of(program: &Program, record: RecordId) -> Vec<Column> {
    let Some(r) = program.records.get(record.0 as usize) else {
        return Vec::new();
    };
    r.fields
        .iter()
        .map(|f| Column {
            name: f.name.clone(),
            kind: match f.ty.strip() {
                Ty::Int | Ty::Duration => ColumnKind::Int,
                Ty::Float => ColumnKind::Real,
                Ty::Bool => ColumnKind::Bool,
                Ty::String => ColumnKind::Text,
                Ty::Timestamp => ColumnKind::Timestamp,
                _ => ColumnKind::Json,
            },
            nullable: f.ty.is_nullable(),
        })
        .collect()
}

/// The column values of a record value.
pub fn row_values(program: &Program, value: &Value) -> Vec<SqlValue> {
    let Value::Record(r) = value else {
        return Vec::new();
    };
    r.fields.iter().map(|v| sql_value(program, v)).collect()
}

/// One value as a column value.
pub fn sql_value(program: &Program, v: &Value) -> SqlValue {
    match v {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Bool(*b),
        Value::Int(i) | Value::Duration(i) => SqlValue::Int(*i),
        Value::Float(f) if f.is_nan() => SqlValue::Null,
        Value::Float(f) => SqlValue::Real(*f),
        Value::Str(s) => SqlValue::Text(s.to_string()),
        Value::Timestamp(t) => SqlValue::Timestamp(*t),
        Value::Json(j) => SqlValue::Json(j.to_string()),
        Value::Record(_) => SqlValue::Json(dash_ir::decode::encode_record(v, program).to_string()),
        Value::List(items) => {
            let parts: Vec<serde_json::Value> = items
                .iter()
                .map(|i| match i {
                    Value::Record(_) => dash_ir::decode::encode_record(i, program),
                    Value::Json(j) => (**j).clone(),
                    other => match sql_value(program, other) {
                        SqlValue::Null => serde_json::Value::Null,
                        SqlValue::Int(n) => n.into(),
                        SqlValue::Real(f) => serde_json::Number::from_f64(f)
                            .map_or(serde_json::Value::Null, Into::into),
                        SqlValue::Bool(b) => b.into(),
                        SqlValue::Text(t) => serde_json::Value::String(t),
                        SqlValue::Timestamp(t) => {
                            serde_json::Value::String(SqlValue::timestamp_text(t))
                        }
                        SqlValue::Json(j) => serde_json::from_str(&j).unwrap_or_default(),
                    },
                })
                .collect();
            SqlValue::Json(serde_json::Value::Array(parts).to_string())
        }
    }
}
