//! `lookup` steps: the rows of a project table whose key columns equal
//! one of a batch's key tuples, in one query per batch (chunked only
//! beyond the engines' parameter limits). Keys are compared as text on
//! both sides (`CAST(col AS TEXT)` / `col::text`), so a key of any scalar
//! type finds its row; `key_text` renders a batch's keys the same way.

use super::{Column, ColumnKind, SqlValue, quote};

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

/// One column's value, or why it cannot be read as the column's kind
/// (a value of another SQL type): never silently null.
pub type Cell = Result<SqlValue, String>;

/// One row found: its key as text (columns joined by `\u{1f}`) and the
/// values of the requested columns.
pub type FoundRow = (String, Vec<Cell>);

/// Column `i` of `row` as a `T`, wrapped; SQL NULL is `SqlValue::Null`.
pub fn read<R, T>(row: &R, i: usize, wrap: impl FnOnce(T) -> SqlValue) -> Cell
where
    R: sqlx::Row,
    usize: sqlx::ColumnIndex<R>,
    for<'r> Option<T>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    match row.try_get::<Option<T>, _>(i) {
        Ok(Some(v)) => Ok(wrap(v)),
        Ok(None) => Ok(SqlValue::Null),
        Err(e) => {
            let text = match e {
                sqlx::Error::ColumnDecode { source, .. } => source.to_string(),
                e => e.to_string(),
            };
            // sqlx: "mismatched types; Rust type `…` (as SQL type `BOOL`) is
            // not compatible with SQL type `TEXT`": say it in Dash's words.
            let sql_type = text
                .rsplit_once("compatible with SQL type `")
                .and_then(|(_, t)| t.split_once('`'))
                .map(|(t, _)| t.to_string());
            Err(match sql_type {
                Some(t) => format!("is of SQL type `{t}`, which does not hold that type"),
                None => format!("cannot be read: {text}"),
            })
        }
    }
}

/// The join of a key tuple's texts.
pub fn joined(parts: &[String]) -> String {
    parts.join("\u{1f}")
}

/// The key columns as text (`cast` writes one) and the select list: the
/// key columns, then the wanted columns.
pub fn select_list(
    key: &[String],
    columns: &[Column],
    cast: fn(&str) -> String,
) -> (Vec<String>, Vec<String>) {
    let key_cols: Vec<String> = key.iter().map(|k| cast(&quote(k))).collect();
    let select = key_cols
        .iter()
        .cloned()
        .chain(columns.iter().map(|c| quote(&c.name)))
        .collect();
    (key_cols, select)
}

/// One answered row: its first `keys` columns are the key as text, the
/// rest the wanted `columns`, read by `cell` as their kinds.
pub fn found_row<R>(
    row: &R,
    keys: usize,
    columns: &[Column],
    cell: fn(&R, usize, ColumnKind) -> Cell,
) -> FoundRow
where
    R: sqlx::Row,
    usize: sqlx::ColumnIndex<R>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let parts: Vec<String> = (0..keys)
        .map(|i| {
            row.try_get::<Option<String>, _>(i)
                .ok()
                .flatten()
                .unwrap_or_default()
        })
        .collect();
    let values = columns
        .iter()
        .enumerate()
        .map(|(j, c)| cell(row, keys + j, c.kind))
        .collect();
    (joined(&parts), values)
}
