//! The project database: Dash's own tables (checkpoints, runs, DLQ), sink
//! tables created from record types, and the one transaction per batch
//! that commits rows, dead letters and the source checkpoint together.
//! Today: SQLite (the embedded default); PostgreSQL plugs in here next.

mod columns;
mod sqlite;

pub use columns::{Column, SqlValue, columns_of, row_values};
pub use sqlite::Sqlite;

/// A row that failed, for the DLQ.
#[derive(Clone, Debug)]
pub struct DeadLetter {
    pub stage: String,
    pub code: String,
    pub message: String,
    pub location: Option<String>,
    pub raw: String,
    pub position: u64,
}

/// Everything one batch commits, atomically.
#[derive(Debug, Default)]
pub struct Commit {
    /// Rows per sink table: (table, columns, key columns, rows).
    pub tables: Vec<TableRows>,
    pub dead: Vec<DeadLetter>,
    /// The source position after the batch.
    pub position: u64,
}

#[derive(Debug, Default)]
pub struct TableRows {
    pub table: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<SqlValue>>,
}

/// A stored DLQ entry.
#[derive(Clone, Debug)]
pub struct DlqEntry {
    pub id: i64,
    pub pipeline: String,
    pub stage: String,
    pub code: String,
    pub message: String,
    pub location: Option<String>,
    pub raw: String,
    pub attempts: i64,
    pub first_failed_at: String,
    pub last_failed_at: String,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {url}: {message}")]
    Database { url: String, message: String },
    #[error("sink `{sink}` is a `{engine}` sink, but the project database is {url}")]
    WrongEngine {
        sink: String,
        engine: String,
        url: String,
    },
    #[error(
        "{0} is not supported yet: `dashc run` writes to SQLite today (PostgreSQL arrives next)"
    )]
    Unsupported(String),
}

/// `"name"` with embedded quotes doubled: identifiers are always quoted.
pub fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}
