//! SQLite through sqlx: one transaction per batch, multi-row prepared
//! inserts, `INSERT … ON CONFLICT DO NOTHING` on the sink's `key`.

use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
// Dynamic SQL here only splices quoted identifiers (`quote`) and `?`
// placeholders; values are always bound.
use sqlx::{AssertSqlSafe, Row, SqlitePool};

use super::lookup::{Cell, FoundRow, found_row, read, select_list};
use super::migrations::{self, Dialect};
use super::{
    Column, ColumnKind, Commit, DeadLetter, DlqEntry, SqlValue, StoreError, TableRows, TimeColumn,
    add_column_sql, quote, table_ddl,
};

pub(super) const DLQ_TEMPLATE: &str = include_str!("../../../migrations/sqlite/dlq.sql");

/// SQLite allows 32766 parameters per statement; stay below.
const MAX_PARAMS: usize = 30_000;

pub struct Sqlite {
    pub(super) pool: SqlitePool,
    /// The URL as shown to users.
    pub url: String,
}

impl Sqlite {
    /// Open (creating the file if needed) a `sqlite://path` database.
    pub async fn open(url: &str) -> Result<Sqlite, StoreError> {
        let store = Sqlite::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Open (creating the file if needed), changing nothing inside.
    pub async fn connect(url: &str) -> Result<Sqlite, StoreError> {
        let err = |e: sqlx::Error| StoreError::database(url, e);
        let options = SqliteConnectOptions::from_str(url)
            .map_err(err)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(std::time::Duration::from_secs(10));
        Sqlite::with(url, options).await
    }

    /// An empty in-memory database standing for `url`, whose file is not
    /// there yet (`dashc migrate` without `--apply` creates nothing).
    pub async fn absent(url: &str) -> Result<Sqlite, StoreError> {
        let err = |e: sqlx::Error| StoreError::database(url, e);
        let options = SqliteConnectOptions::from_str("sqlite::memory:").map_err(err)?;
        Sqlite::with(url, options).await
    }

    /// One connection (SQLite writes one at a time) with `options`,
    /// shown as `url`.
    async fn with(url: &str, options: SqliteConnectOptions) -> Result<Sqlite, StoreError> {
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .map_err(|e| StoreError::database(url, e))?;
        Ok(Sqlite {
            pool,
            url: url.to_string(),
        })
    }

    /// Whether the database file of `url` is there (an in-memory
    /// database always is).
    pub fn exists(url: &str) -> Result<bool, StoreError> {
        if url.contains(":memory:") || url.contains("mode=memory") {
            return Ok(true);
        }
        let options =
            SqliteConnectOptions::from_str(url).map_err(|e| StoreError::database(url, e))?;
        Ok(options.get_filename().exists())
    }

    fn err(&self, e: sqlx::Error) -> StoreError {
        StoreError::database(&self.url, e)
    }

    /// Apply the embedded migrations not applied yet (`migrations.rs`).
    pub(super) async fn migrate(&self) -> Result<(), StoreError> {
        migrations::migrator(Dialect::Sqlite)
            .run(&self.pool)
            .await
            .map_err(|e| migrations::failed(&self.url, e))
    }

    pub async fn ensure_dlq(&self, table: &str) -> Result<(), StoreError> {
        let sql = DLQ_TEMPLATE.replace("{table}", &quote(table));
        sqlx::raw_sql(AssertSqlSafe(sql))
            .execute(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Create a sink table from its columns when missing, with a unique
    /// index on `key` and an index on `time`.
    pub async fn ensure_table(
        &self,
        table: &str,
        columns: &[Column],
        key: &[String],
        time: Option<TimeColumn<'_>>,
    ) -> Result<(), StoreError> {
        // SQLite has no partitions: `time` is an index (`chunk` is refused
        // or warned about before this).
        let time = time.map(|t| t.name);
        let sql = table_ddl(table, columns, key, time, type_name);
        sqlx::raw_sql(AssertSqlSafe(sql))
            .execute(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    pub async fn position(&self, pipeline: &str, source: &str) -> Result<Option<u64>, StoreError> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT position FROM dash_checkpoints WHERE pipeline = ? AND source = ?",
        )
        .bind(pipeline)
        .bind(source)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        Ok(row.map(|(p,)| p.max(0) as u64))
    }

    /// The columns of the unique index Dash makes for a sink's `key`
    /// (`{table}_key`); empty when there is none.
    pub async fn key_columns(&self, table: &str) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT name FROM pragma_index_info(?) ORDER BY seqno")
                .bind(format!("{table}_key"))
                .fetch_all(&self.pool)
                .await
                .map_err(|e| self.err(e))?;
        Ok(rows.into_iter().map(|(n,)| n).collect())
    }

    /// The columns of `table` (name, declared type, NOT NULL); empty when
    /// there is no such table.
    pub async fn table_columns(
        &self,
        table: &str,
    ) -> Result<Vec<(String, String, bool)>, StoreError> {
        sqlx::query_as("SELECT name, type, \"notnull\" != 0 FROM pragma_table_info(?)")
            .bind(table)
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.err(e))
    }

    /// `ALTER TABLE … ADD COLUMN` of a nullable column.
    pub async fn add_column(&self, table: &str, column: &Column) -> Result<(), StoreError> {
        let sql = add_column_sql(table, column, type_name(column.kind), false);
        sqlx::raw_sql(AssertSqlSafe(sql))
            .execute(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    pub async fn reset_checkpoint(&self, pipeline: &str, source: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM dash_checkpoints WHERE pipeline = ? AND source = ?")
            .bind(pipeline)
            .bind(source)
            .execute(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    pub async fn source_checkpoint(
        &self,
        pipeline: &str,
        source: &str,
    ) -> Result<Option<(u64, Option<String>)>, StoreError> {
        let row: Option<(i64, Option<String>)> = sqlx::query_as(
            "SELECT position, state FROM dash_checkpoints WHERE pipeline = ? AND source = ?",
        )
        .bind(pipeline)
        .bind(source)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        Ok(row.map(|(p, state)| (p.max(0) as u64, state)))
    }

    /// Rows, dead letters and the checkpoint, in one transaction.
    /// Returns how many rows were written into each of `c.tables`
    /// (duplicates of `key` are not).
    pub async fn commit(
        &self,
        pipeline: &str,
        source: &str,
        dlq: &str,
        c: &Commit,
    ) -> Result<Vec<u64>, StoreError> {
        let mut tx = self.pool.begin().await.map_err(|e| self.err(e))?;
        let written = insert_rows(&mut tx, &c.tables)
            .await
            .map_err(|e| self.err(e))?;
        let at = now();
        for d in &c.dead {
            let sql = format!(
                "INSERT INTO {} (pipeline, stage, code, message, location, raw, source, position, attempts, first_failed_at, last_failed_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
                quote(dlq)
            );
            sqlx::query(AssertSqlSafe(sql))
                .bind(pipeline)
                .bind(&d.stage)
                .bind(&d.code)
                .bind(&d.message)
                .bind(&d.location)
                .bind(&d.raw)
                .bind(source)
                .bind(d.position as i64)
                .bind(&at)
                .bind(&at)
                .execute(&mut *tx)
                .await
                .map_err(|e| self.err(e))?;
        }
        let positions = (!c.shared_source)
            .then_some((source, c.position))
            .into_iter()
            .chain(c.sink_positions.iter().map(|(k, p)| (k.as_str(), *p)));
        save_positions(&mut tx, pipeline, positions)
            .await
            .map_err(|e| self.err(e))?;
        if let Some(state) = &c.state {
            sqlx::query("UPDATE dash_checkpoints SET state = ? WHERE pipeline = ? AND source = ?")
                .bind(state)
                .bind(pipeline)
                .bind(source)
                .execute(&mut *tx)
                .await
                .map_err(|e| self.err(e))?;
        }
        tx.commit().await.map_err(|e| self.err(e))?;
        Ok(written)
    }

    pub async fn replay(
        &self,
        dlq: &str,
        tables: &[TableRows],
        resolved: &[i64],
        failed: &[(i64, DeadLetter)],
        pipeline: &str,
        sink_positions: &[(String, u64)],
    ) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin().await.map_err(|e| self.err(e))?;
        let written = insert_rows(&mut tx, tables)
            .await
            .map_err(|e| self.err(e))?;
        for id in resolved {
            let sql = format!("DELETE FROM {} WHERE id = ?", quote(dlq));
            sqlx::query(AssertSqlSafe(sql))
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(|e| self.err(e))?;
        }
        let at = now();
        for (id, d) in failed {
            let sql = format!(
                "UPDATE {} SET attempts = attempts + 1, last_failed_at = ?, stage = ?, code = ?, \
                 message = ?, location = ? WHERE id = ?",
                quote(dlq)
            );
            sqlx::query(AssertSqlSafe(sql))
                .bind(&at)
                .bind(&d.stage)
                .bind(&d.code)
                .bind(&d.message)
                .bind(&d.location)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(|e| self.err(e))?;
        }
        // File sinks' new lengths commit with the replay, so the next run
        // does not cut the replayed lines away.
        let positions = sink_positions.iter().map(|(k, p)| (k.as_str(), *p));
        save_positions(&mut tx, pipeline, positions)
            .await
            .map_err(|e| self.err(e))?;
        tx.commit().await.map_err(|e| self.err(e))?;
        Ok(written.iter().sum())
    }

    pub async fn has_table(&self, table: &str) -> Result<bool, StoreError> {
        let row: (i64,) =
            sqlx::query_as("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?")
                .bind(table)
                .fetch_one(&self.pool)
                .await
                .map_err(|e| self.err(e))?;
        Ok(row.0 > 0)
    }

    pub async fn start_run(&self, pipeline: &str) -> Result<i64, StoreError> {
        let row = sqlx::query("INSERT INTO dash_runs (pipeline, started_at, status) VALUES (?, ?, 'running') RETURNING id")
            .bind(pipeline)
            .bind(now())
            .fetch_one(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(row.get::<i64, _>(0))
    }

    pub async fn finish_run(
        &self,
        id: i64,
        status: &str,
        s: &crate::summary::Summary,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(|e| self.err(e))?;
        sqlx::query(
            "UPDATE dash_runs SET ended_at = ?, status = ?, read = ?, delivered = ?, written = ?, already_there = ?, skipped = ?, dead_lettered = ? WHERE id = ?",
        )
        .bind(now())
        .bind(status)
        .bind(s.read as i64)
        .bind(s.delivered as i64)
        .bind(s.written as i64)
        .bind(s.split_known.then_some(s.duplicates as i64))
        .bind(s.skipped as i64)
        .bind(s.dead_lettered as i64)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| self.err(e))?;
        for sink in &s.sinks {
            sqlx::query(
                "INSERT INTO dash_run_sinks (run_id, sink, target, written, already_there) VALUES (?, ?, ?, ?, ?)",
            )
            .bind(id)
            .bind(&sink.name)
            .bind(&sink.target)
            .bind(sink.written as i64)
            .bind(sink.duplicates as i64)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
        }
        tx.commit().await.map_err(|e| self.err(e))?;
        Ok(())
    }

    pub async fn dlq_entries(
        &self,
        dlq: &str,
        pipeline: Option<&str>,
        id: Option<i64>,
    ) -> Result<Vec<DlqEntry>, StoreError> {
        let sql = format!(
            "SELECT id, pipeline, stage, code, message, location, raw, source, position, attempts, \
             first_failed_at, last_failed_at FROM {} \
             WHERE (? IS NULL OR pipeline = ?) AND (? IS NULL OR id = ?) ORDER BY id",
            quote(dlq)
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(pipeline)
            .bind(pipeline)
            .bind(id)
            .bind(id)
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(rows
            .iter()
            .map(|r| DlqEntry {
                id: r.get(0),
                pipeline: r.get(1),
                stage: r.get(2),
                code: r.get(3),
                message: r.get(4),
                location: r.get(5),
                raw: r.get(6),
                source: r.get(7),
                position: r.get(8),
                attempts: r.get(9),
                first_failed_at: r.get(10),
                last_failed_at: r.get(11),
            })
            .collect())
    }

    /// How many rows a table has (for summaries and tests).
    pub async fn count(&self, table: &str) -> Result<i64, StoreError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM {}",
            quote(table)
        )))
        .fetch_one(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        Ok(row.get::<i64, _>(0))
    }

    pub async fn close(self) {
        self.pool.close().await;
    }
}

impl Sqlite {
    /// Rows of `table` whose `key` columns (as text) equal one of `keys`.
    pub async fn lookup(
        &self,
        table: &str,
        key: &[String],
        keys: &[Vec<String>],
        columns: &[Column],
    ) -> Result<Vec<FoundRow>, StoreError> {
        let mut found = Vec::new();
        if keys.is_empty() || key.is_empty() {
            return Ok(found);
        }
        let (key_cols, select) = select_list(key, columns, |k| format!("CAST({k} AS TEXT)"));
        let tuple = format!("({})", vec!["?"; key.len()].join(", "));
        for chunk in keys.chunks((MAX_PARAMS / key.len()).max(1)) {
            let sql = format!(
                "SELECT {} FROM {} WHERE ({}) IN (VALUES {})",
                select.join(", "),
                quote(table),
                key_cols.join(", "),
                vec![tuple.as_str(); chunk.len()].join(", ")
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for k in chunk {
                for part in k {
                    q = q.bind(part.as_str());
                }
            }
            let rows = q.fetch_all(&self.pool).await.map_err(|e| self.err(e))?;
            found.extend(
                rows.iter()
                    .map(|row| found_row(row, key.len(), columns, cell)),
            );
        }
        Ok(found)
    }
}

/// One column of a row, read as its kind (SQLite stores timestamps as
/// text and booleans as integers).
fn cell(row: &sqlx::sqlite::SqliteRow, i: usize, kind: ColumnKind) -> Cell {
    match kind {
        ColumnKind::Int => read(row, i, SqlValue::Int),
        ColumnKind::Real => read(row, i, SqlValue::Real),
        ColumnKind::Bool => read(row, i, |b: i64| SqlValue::Bool(b != 0)),
        ColumnKind::Text => read(row, i, SqlValue::Text),
        ColumnKind::Timestamp => match read(row, i, SqlValue::Text)? {
            SqlValue::Text(t) => chrono::DateTime::parse_from_rfc3339(&t)
                .map(|d| SqlValue::Timestamp(d.timestamp_micros()))
                .map_err(|_| format!("`{t}` is not an RFC 3339 timestamp")),
            other => Ok(other),
        },
        ColumnKind::Json => read(row, i, SqlValue::Json),
    }
}

/// Multi-row prepared inserts of every table's rows; returns the rows
/// written into each table (duplicates of a `key` are not), in order.
async fn insert_rows(
    tx: &mut sqlx::SqliteConnection,
    tables: &[TableRows],
) -> Result<Vec<u64>, sqlx::Error> {
    let mut out = Vec::with_capacity(tables.len());
    for t in tables {
        let mut written = 0;
        if t.rows.is_empty() || t.columns.is_empty() {
            out.push(0);
            continue;
        }
        let cols: Vec<String> = t.columns.iter().map(|c| quote(c)).collect();
        let per_row = format!("({})", vec!["?"; t.columns.len()].join(", "));
        let chunk = (MAX_PARAMS / t.columns.len()).max(1);
        for rows in t.rows.chunks(chunk) {
            let sql = format!(
                "INSERT INTO {} ({}) VALUES {} {}",
                quote(&t.table),
                cols.join(", "),
                vec![per_row.as_str(); rows.len()].join(", "),
                t.on_conflict()
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for row in rows {
                for v in row {
                    q = match v {
                        SqlValue::Null => q.bind(None::<i64>),
                        SqlValue::Int(i) => q.bind(*i),
                        SqlValue::Real(f) => q.bind(*f),
                        SqlValue::Bool(b) => q.bind(i64::from(*b)),
                        SqlValue::Text(s) | SqlValue::Json(s) => q.bind(s.as_str()),
                        SqlValue::Timestamp(t) => q.bind(SqlValue::timestamp_text(*t)),
                    };
                }
            }
            written += q.execute(&mut *tx).await?.rows_affected();
        }
        out.push(written);
    }
    Ok(out)
}

fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}

/// Upsert committed positions (a source's, file sinks' `sink:NAME`).
async fn save_positions(
    tx: &mut sqlx::SqliteConnection,
    pipeline: &str,
    positions: impl Iterator<Item = (&str, u64)>,
) -> Result<(), sqlx::Error> {
    let at = now();
    for (key, position) in positions {
        sqlx::query(
            "INSERT INTO dash_checkpoints (pipeline, source, position, updated_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT (pipeline, source) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at",
        )
        .bind(pipeline)
        .bind(key)
        .bind(position as i64)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// The SQLite type of a column of this kind, as Dash creates it.
pub fn type_name(kind: ColumnKind) -> &'static str {
    match kind {
        ColumnKind::Int | ColumnKind::Bool => "INTEGER",
        ColumnKind::Real => "REAL",
        _ => "TEXT",
    }
}
