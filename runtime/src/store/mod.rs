//! The project database: Dash's own tables (checkpoints, runs, DLQ), sink
//! tables created from record types, and the one transaction per batch
//! that commits rows, dead letters and the source checkpoint together.
//! Two engines: SQLite (the embedded default) and PostgreSQL.

mod columns;
mod ddl;
pub mod lookup;
mod migrations;
mod partitions;
mod pg_catalog;
mod pg_copy;
mod pg_rollup;
mod pg_write;
mod postgres;
pub mod schema;
mod sqlite;
mod timescale;
pub mod turn;

pub use columns::{Column, ColumnKind, SqlValue, columns_of, row_values, sql_value};
pub use partitions::not_partitioned;
pub use pg_copy::CopyFormat;
pub use postgres::{Postgres, formatted_type_name as formatted_pg_type};
pub use sqlite::Sqlite;

/// The project database, whichever engine.
pub enum Store {
    Sqlite(Sqlite),
    Postgres(Postgres),
}

impl Store {
    /// Open `sqlite://…` or `postgres://…`; `shown` is the URL for messages
    /// (password masked); `copy` is PostgreSQL's COPY format.
    pub async fn open(url: &str, shown: &str, copy: CopyFormat) -> Result<Store, StoreError> {
        Store::open_with(url, shown, copy, 2).await
    }

    /// [`Store::open`] with up to `connections` PostgreSQL connections.
    pub async fn open_with(
        url: &str,
        shown: &str,
        copy: CopyFormat,
        connections: u32,
    ) -> Result<Store, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Store::Sqlite(Sqlite::open(url).await?))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Store::Postgres(
                Postgres::open(url, shown, copy, connections).await?,
            ))
        } else {
            Err(StoreError::Unsupported(format!(
                "the database {shown} (use sqlite://… or postgres://…)"
            )))
        }
    }

    /// Open a database that must already exist: `Ok(None)` when the
    /// SQLite file is not there (it is not created, unlike [`Store::open`]).
    /// For reading and replaying the DLQ, where an empty new database
    /// would only hide a wrong path.
    pub async fn open_existing(
        url: &str,
        shown: &str,
        copy: CopyFormat,
    ) -> Result<Option<Store>, StoreError> {
        if url.starts_with("sqlite:") && !Sqlite::exists(url)? {
            return Ok(None);
        }
        Store::open(url, shown, copy).await.map(Some)
    }

    /// The URL as shown to users (password masked).
    pub fn shown_url(&self) -> String {
        match self {
            Store::Sqlite(s) => mask_url(&s.url),
            Store::Postgres(s) => s.url.clone(),
        }
    }

    pub fn engine(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "sqlite",
            Store::Postgres(_) => "postgres",
        }
    }

    /// The columns of `table` (name, type as the engine writes it); empty
    /// when there is no such table.
    pub async fn table_columns(
        &self,
        table: &str,
    ) -> Result<Vec<(String, String, bool)>, StoreError> {
        match self {
            Store::Sqlite(s) => s
                .table_columns(table)
                .await
                .map_err(|e| e.doing(format_args!("reading the columns of table `{table}`"))),
            Store::Postgres(s) => s
                .table_columns(table)
                .await
                .map_err(|e| e.doing(format_args!("reading the columns of table `{table}`"))),
        }
    }

    /// Rollups: TimescaleDB continuous aggregates, or tables maintained
    /// in each batch's transaction without it (PostgreSQL only: SQLite
    /// warned at run start).
    pub async fn ensure_rollups(
        &self,
        table: &str,
        time: &str,
        group_by: &[String],
        rollups: &[dash_check::plan::RollupSpec],
        retention: Option<std::time::Duration>,
    ) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(_) => Ok(()),
            Store::Postgres(s) => {
                s.ensure_rollups(table, time, group_by, rollups, retention)
                    .await
            }
        }
    }

    /// The TimescaleDB version installed in the database, if any.
    pub fn timescale(&self) -> Option<&str> {
        match self {
            Store::Sqlite(_) => None,
            Store::Postgres(s) => s.timescale.as_deref(),
        }
    }

    /// Add a nullable column to a sink table (schema evolution).
    pub async fn add_column(&self, table: &str, column: &Column) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => s.add_column(table, column).await,
            Store::Postgres(s) => s.add_column(table, column).await,
        }
        .map_err(|e| {
            e.doing(format_args!(
                "adding column `{}` to table `{table}`",
                column.name
            ))
        })
    }

    /// The type a column of this kind has in this engine, as the engine
    /// reports it (`format_type` on PostgreSQL, the declared type on SQLite).
    pub fn reported_type(&self, kind: ColumnKind) -> &'static str {
        match self {
            Store::Sqlite(_) => sqlite::type_name(kind),
            Store::Postgres(_) => postgres::formatted_type_name(kind),
        }
    }

    /// The columns of a sink table's key index; empty when there is none.
    pub async fn key_columns(&self, table: &str) -> Result<Vec<String>, StoreError> {
        match self {
            Store::Sqlite(s) => s.key_columns(table).await,
            Store::Postgres(s) => s.key_columns(table).await,
        }
        .map_err(|e| e.doing(format_args!("reading the key index of table `{table}`")))
    }

    pub async fn ensure_dlq(&self, table: &str) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => s
                .ensure_dlq(table)
                .await
                .map_err(|e| e.doing(format_args!("creating the dead-letter table `{table}`"))),
            Store::Postgres(s) => s
                .ensure_dlq(table)
                .await
                .map_err(|e| e.doing(format_args!("creating the dead-letter table `{table}`"))),
        }
    }

    pub async fn ensure_table(
        &self,
        table: &str,
        columns: &[Column],
        key: &[String],
        time: Option<TimeColumn<'_>>,
    ) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => s
                .ensure_table(table, columns, key, time)
                .await
                .map_err(|e| e.doing(format_args!("creating table `{table}`"))),
            Store::Postgres(s) => s
                .ensure_table(table, columns, key, time)
                .await
                .map_err(|e| e.doing(format_args!("creating table `{table}`"))),
        }
    }

    /// The committed position of a source (0 before the first commit).
    pub async fn checkpoint(&self, pipeline: &str, source: &str) -> Result<u64, StoreError> {
        Ok(self.position(pipeline, source).await?.unwrap_or(0))
    }

    /// A committed position: a source's, or a file sink's length
    /// (`sink:NAME`); `None` when none was ever committed.
    pub async fn position(&self, pipeline: &str, key: &str) -> Result<Option<u64>, StoreError> {
        match self {
            Store::Sqlite(s) => s.position(pipeline, key).await.map_err(|e| {
                e.doing(format_args!(
                    "reading the checkpoint of pipeline `{pipeline}`"
                ))
            }),
            Store::Postgres(s) => s.position(pipeline, key).await.map_err(|e| {
                e.doing(format_args!(
                    "reading the checkpoint of pipeline `{pipeline}`"
                ))
            }),
        }
    }

    /// A source's committed position and the identity of the file it was
    /// read from; `None` when nothing was committed.
    pub async fn source_checkpoint(
        &self,
        pipeline: &str,
        source: &str,
    ) -> Result<Option<(u64, Option<String>)>, StoreError> {
        match self {
            Store::Sqlite(s) => s.source_checkpoint(pipeline, source).await,
            Store::Postgres(s) => s.source_checkpoint(pipeline, source).await,
        }
        .map_err(|e| {
            e.doing(format_args!(
                "reading the checkpoint of pipeline `{pipeline}`"
            ))
        })
    }

    /// Forget a source's checkpoint (standard input, `--from-start`).
    pub async fn reset_checkpoint(&self, pipeline: &str, source: &str) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => s.reset_checkpoint(pipeline, source).await,
            Store::Postgres(s) => s.reset_checkpoint(pipeline, source).await,
        }
        .map_err(|e| {
            e.doing(format_args!(
                "resetting the checkpoint of pipeline `{pipeline}`"
            ))
        })
    }

    pub async fn commit(
        &self,
        pipeline: &str,
        source: &str,
        dlq: &str,
        c: &Commit,
        turn: Option<&mut turn::Turn>,
    ) -> Result<Vec<u64>, StoreError> {
        match self {
            // One connection: its commits are one at a time anyway.
            Store::Sqlite(s) => s.commit(pipeline, source, dlq, c).await.map_err(|e| e.doing(format_args!("committing a batch of pipeline `{pipeline}` (its rows, dead letters in `{dlq}` and checkpoint)"))),
            Store::Postgres(s) => s.commit(pipeline, source, dlq, c, turn).await.map_err(|e| e.doing(format_args!("committing a batch of pipeline `{pipeline}` (its rows, dead letters in `{dlq}` and checkpoint)"))),
        }
    }

    pub async fn start_run(&self, pipeline: &str) -> Result<i64, StoreError> {
        match self {
            Store::Sqlite(s) => s
                .start_run(pipeline)
                .await
                .map_err(|e| e.doing("recording the run in `dash_runs`")),
            Store::Postgres(s) => s
                .start_run(pipeline)
                .await
                .map_err(|e| e.doing("recording the run in `dash_runs`")),
        }
    }

    pub async fn finish_run(
        &self,
        id: i64,
        status: &str,
        summary: &crate::summary::Summary,
    ) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => s
                .finish_run(id, status, summary)
                .await
                .map_err(|e| e.doing("recording the run in `dash_runs`")),
            Store::Postgres(s) => s
                .finish_run(id, status, summary)
                .await
                .map_err(|e| e.doing("recording the run in `dash_runs`")),
        }
    }

    pub async fn dlq_entries(
        &self,
        dlq: &str,
        pipeline: Option<&str>,
        id: Option<i64>,
    ) -> Result<Vec<DlqEntry>, StoreError> {
        match self {
            Store::Sqlite(s) => s.dlq_entries(dlq, pipeline, id).await,
            Store::Postgres(s) => s.dlq_entries(dlq, pipeline, id).await,
        }
    }

    /// Whether `table` exists (the DLQ is read only where it is).
    pub async fn has_table(&self, table: &str) -> Result<bool, StoreError> {
        match self {
            Store::Sqlite(s) => s.has_table(table).await,
            Store::Postgres(s) => s.has_table(table).await,
        }
    }

    /// Replay: write the rows of records that now succeed, delete the DLQ
    /// rows `resolved`, and record the new failure of each of `failed` (DLQ
    /// id, how it failed this time: stage, code, message and location, one
    /// more attempt, the time), in one transaction. Returns the rows
    /// written, over all tables.
    pub async fn replay(
        &self,
        dlq: &str,
        tables: &[TableRows],
        resolved: &[i64],
        failed: &[(i64, DeadLetter)],
        pipeline: &str,
        sink_positions: &[(String, u64)],
    ) -> Result<u64, StoreError> {
        match self {
            Store::Sqlite(s) => {
                s.replay(dlq, tables, resolved, failed, pipeline, sink_positions)
                    .await
            }
            Store::Postgres(s) => {
                s.replay(dlq, tables, resolved, failed, pipeline, sink_positions)
                    .await
            }
        }
    }

    /// A lookup step's query (see `lookup.rs`): `keys` are key tuples as
    /// rendered by [`Store::key_text`].
    pub async fn lookup(
        &self,
        table: &str,
        key: &[String],
        keys: &[Vec<String>],
        columns: &[Column],
    ) -> Result<Vec<lookup::FoundRow>, StoreError> {
        match self {
            Store::Sqlite(s) => s
                .lookup(table, key, keys, columns)
                .await
                .map_err(|e| e.doing(format_args!("looking up rows of table `{table}`"))),
            Store::Postgres(s) => s
                .lookup(table, key, keys, columns)
                .await
                .map_err(|e| e.doing(format_args!("looking up rows of table `{table}`"))),
        }
    }

    /// A key value as the text a lookup compares (`None` for null).
    pub fn key_text(&self, v: &SqlValue) -> Option<String> {
        let how = match self {
            Store::Sqlite(_) => lookup::KeyText::Sqlite,
            Store::Postgres(_) => lookup::KeyText::Postgres,
        };
        lookup::key_text(v, how)
    }

    pub async fn close(self) {
        match self {
            Store::Sqlite(s) => s.close().await,
            Store::Postgres(s) => s.close().await,
        }
    }
}

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
    /// File sinks' lengths after the batch, keyed `sink:NAME`: at start a
    /// run cuts a file back to its committed length (exactly once).
    pub sink_positions: Vec<(String, u64)>,
    /// The source's resume state, committed with its position: a file's
    /// identity (`source::identity`), an `http` source's cursor or next
    /// URL, followed files' offsets by fingerprint.
    pub state: Option<String>,
    /// The source keeps no position of its own (a NATS consumer, shared
    /// by several processes, knows what was acknowledged): none is saved,
    /// and a commit whose outcome is unknown is retried, never assumed.
    pub shared_source: bool,
    /// Run once the batch is committed: acknowledgements to the source
    /// (a webhook's 202, a NATS ack). Dropped unrun when it fails.
    pub after: AfterCommit,
}

/// Callbacks run after a commit.
#[derive(Default)]
pub struct AfterCommit(pub Vec<Box<dyn FnOnce() + Send + Sync>>);

impl std::fmt::Debug for AfterCommit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AfterCommit({} callbacks)", self.0.len())
    }
}

#[derive(Debug, Default)]
pub struct TableRows {
    pub table: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<SqlValue>>,
    /// `on_conflict: update`: the key columns; a row whose key is stored
    /// replaces the stored row (`ON CONFLICT (key) DO UPDATE`).
    pub upsert: Option<Vec<String>>,
}

impl TableRows {
    /// `DO UPDATE SET col = excluded.col, …` for the non-key columns (or
    /// `DO NOTHING` when every column is in the key), for an upsert.
    pub fn on_conflict(&self) -> String {
        match &self.upsert {
            None => "ON CONFLICT DO NOTHING".to_string(),
            Some(key) => {
                let keys: Vec<String> = key.iter().map(|k| quote(k)).collect();
                let set: Vec<String> = self
                    .columns
                    .iter()
                    .filter(|c| !key.contains(c))
                    .map(|c| format!("{0} = excluded.{0}", quote(c)))
                    .collect();
                if set.is_empty() {
                    format!("ON CONFLICT ({}) DO NOTHING", keys.join(", "))
                } else {
                    format!(
                        "ON CONFLICT ({}) DO UPDATE SET {}",
                        keys.join(", "),
                        set.join(", ")
                    )
                }
            }
        }
    }
}

/// A stored DLQ entry: every column of the DLQ table. Times are RFC 3339
/// in UTC with microseconds (`2026-11-30T10:00:00.123456Z`).
#[derive(Clone, Debug, serde::Serialize)]
pub struct DlqEntry {
    pub id: i64,
    pub pipeline: String,
    pub stage: String,
    pub code: String,
    pub message: String,
    /// `file:line:col` of the failing expression, when there is one.
    pub location: Option<String>,
    pub raw: String,
    /// The source the record came from, and the byte offset after it.
    pub source: String,
    pub position: i64,
    pub attempts: i64,
    pub first_failed_at: String,
    pub last_failed_at: String,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {url}: {message}")]
    Database {
        url: String,
        message: String,
        /// The connection went away or the server is restarting: the
        /// same statement may well succeed later.
        retryable: bool,
    },
    #[error("sink `{sink}` is a `{engine}` sink, but the project database is {url}")]
    WrongEngine {
        sink: String,
        engine: String,
        url: String,
    },
    #[error("{0} is not supported")]
    Unsupported(String),
    /// A commit waiting for its turn rolled back for an earlier one
    /// (`turn.rs`); it is tried again once that one committed.
    #[error("a batch's commit gave way to an earlier batch's")]
    GaveWay,
}

/// A database error in the words of the server, without sqlx's wrapping
/// and without PostgreSQL's `at line N` (a line of the server's own C
/// source, which users read as a line of their file); the detail and hint
/// when the server gave them; connection failures said plainly.
fn describe(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Database(d) => {
            let mut out = d.message().to_string();
            if let Some(pg) = d.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
                if let Some(detail) = pg.detail() {
                    out.push_str(&format!(" ({detail})"));
                }
                if let Some(hint) = pg.hint() {
                    out.push_str(&format!("; hint: {hint}"));
                }
            }
            out
        }
        sqlx::Error::Io(io) => match io.kind() {
            std::io::ErrorKind::ConnectionRefused => {
                "connection refused: no database server listens there".into()
            }
            std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted => {
                "the connection was closed by the server".into()
            }
            _ => format!("connection failed: {io}"),
        },
        sqlx::Error::PoolTimedOut => {
            "no connection could be made in 5 s (the server does not answer)".into()
        }
        other => other.to_string(),
    }
}

impl StoreError {
    /// A database error, classified: connection loss, pool timeouts and
    /// the SQLSTATEs of a lost connection or of a server shutting down or
    /// starting up (class 08 but 08P01, 57P01–57P03), serialization
    /// failures and deadlocks are retryable;
    /// anything else (a constraint, a type error) would fail again.
    pub fn database(url: &str, e: sqlx::Error) -> StoreError {
        let retryable = match &e {
            sqlx::Error::Io(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
            | sqlx::Error::Protocol(_) => true,
            // Connection exceptions, but not 08P01 (a protocol violation:
            // the same message would be refused again).
            sqlx::Error::Database(d) => d.code().is_some_and(|c| {
                matches!(
                    &*c,
                    "08000"
                        | "08001"
                        | "08003"
                        | "08004"
                        | "08006"
                        | "08007"
                        | "57P01"
                        | "57P02"
                        | "57P03"
                        | "40001"
                        | "40P01"
                )
            }),
            _ => false,
        };
        StoreError::Database {
            url: url.to_string(),
            message: describe(&e),
            retryable,
        }
    }

    /// The error with what Dash was doing in front (`creating table
    /// "metrics": …`).
    pub fn doing(self, what: impl std::fmt::Display) -> StoreError {
        match self {
            StoreError::Database {
                url,
                message,
                retryable,
            } => StoreError::Database {
                url,
                message: format!("{what}: {message}"),
                retryable,
            },
            other => other,
        }
    }

    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            StoreError::Database {
                retryable: true,
                ..
            }
        )
    }
}

/// `CREATE TABLE IF NOT EXISTS` for a sink table, a unique index on its
/// `key` and an index on its `time` column; `sql_type` names each column
/// kind in the engine's dialect.
/// A sink's `time` field and the width of its partitions (`chunk`).
#[derive(Clone, Debug)]
pub struct TimeColumn<'a> {
    pub name: &'a str,
    pub chunk: std::time::Duration,
    /// A TimescaleDB retention policy: drop chunks older than this.
    pub retention: Option<std::time::Duration>,
    /// TimescaleDB compression of chunks older than this, segmented by
    /// `segment_by` (the key fields other than the time) and ordered by
    /// the time, newest first.
    pub compress_after: Option<std::time::Duration>,
    pub segment_by: Vec<String>,
}

pub fn table_ddl(
    table: &str,
    columns: &[Column],
    key: &[String],
    time: Option<&str>,
    sql_type: fn(ColumnKind) -> &'static str,
) -> String {
    let mut sql = format!(
        "CREATE TABLE IF NOT EXISTS {} ({});\n",
        quote(table),
        column_defs(columns, sql_type)
    );
    if !key.is_empty() {
        sql.push_str(&key_index_sql(table, key));
    }
    if let Some(time) = time {
        sql.push_str(&time_index_sql(table, time));
    }
    sql
}

/// The unique index on a sink's `key` (`TABLE_key`).
pub fn key_index_sql(table: &str, key: &[String]) -> String {
    let cols: Vec<String> = key.iter().map(|k| quote(k)).collect();
    format!(
        "CREATE UNIQUE INDEX IF NOT EXISTS {} ON {} ({});\n",
        quote(&format!("{table}_key")),
        quote(table),
        cols.join(", ")
    )
}

/// The index on a sink's `time` where it is only an index (SQLite).
pub fn time_index_sql(table: &str, time: &str) -> String {
    format!(
        "CREATE INDEX IF NOT EXISTS {} ON {} ({});\n",
        quote(&format!("{table}_time")),
        quote(table),
        quote(time)
    )
}

/// Schema evolution's new nullable column (`IF NOT EXISTS` where the
/// engine has it: PostgreSQL).
pub fn add_column_sql(table: &str, column: &Column, sql_type: &str, if_not_exists: bool) -> String {
    let guard = if if_not_exists { "IF NOT EXISTS " } else { "" };
    format!(
        "ALTER TABLE {} ADD COLUMN {guard}{} {sql_type};\n",
        quote(table),
        quote(&column.name),
    )
}

/// `"a" BIGINT NOT NULL, "b" TEXT, …`: a table's column definitions.
pub fn column_defs(columns: &[Column], sql_type: fn(ColumnKind) -> &'static str) -> String {
    let defs: Vec<String> = columns
        .iter()
        .map(|c| {
            let null = if c.nullable { "" } else { " NOT NULL" };
            format!("{} {}{null}", quote(&c.name), sql_type(c.kind))
        })
        .collect();
    defs.join(", ")
}

/// `"name"` with embedded quotes doubled: identifiers are always quoted.
pub fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

/// A database URL safe to print: the password replaced by `***`.
pub fn mask_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let after = &url[scheme_end + 3..];
    let Some(at) = after.find('@') else {
        return url.to_string();
    };
    let credentials = &after[..at];
    match credentials.find(':') {
        Some(colon) => format!(
            "{}://{}:***{}",
            &url[..scheme_end],
            &credentials[..colon],
            &after[at..]
        ),
        None => url.to_string(),
    }
}
