//! `lookup` steps: the rows of a project table whose key columns equal
//! one of a batch's key tuples, in one query per batch (chunked only
//! beyond the engines' parameter limits). Keys are compared as text on
//! both sides (`CAST(col AS TEXT)` / `col::text`), so a key of any scalar
//! type finds its row; `key_text` renders a batch's keys the same way.

use super::SqlValue;

/// How a key value is written as text to match `CAST(column AS TEXT)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyText {
    /// SQLite: booleans are integers.
    Sqlite,
    /// PostgreSQL: booleans are `true`/`false`.
    Postgres,
}

pub fn key_text(v: &SqlValue, how: KeyText) -> Option<String> {
    Some(match v {
        SqlValue::Null => return None,
        SqlValue::Int(i) => i.to_string(),
        SqlValue::Real(f) => format!("{f:?}"),
        SqlValue::Bool(b) => match how {
            KeyText::Sqlite => i64::from(*b).to_string(),
            KeyText::Postgres => b.to_string(),
        },
        SqlValue::Text(s) | SqlValue::Json(s) => s.clone(),
        SqlValue::Timestamp(t) => SqlValue::timestamp_text(*t),
    })
}

/// One row found: its key as text (columns joined by `\u{1f}`) and the
/// values of the requested columns.
pub type FoundRow = (String, Vec<SqlValue>);

/// The join of a key tuple's texts.
pub fn joined(parts: &[String]) -> String {
    parts.join("\u{1f}")
}
