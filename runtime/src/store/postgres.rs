//! PostgreSQL through sqlx: batches are written with `COPY … FROM STDIN`
//! (binary format, see `pg_copy`); with a `key`, a batch whose keys are
//! already there goes through a temporary staging table and
//! `INSERT … SELECT … ON CONFLICT DO NOTHING`, so replays are idempotent.
//! Rows, dead letters and the checkpoint commit in one transaction.

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
// Dynamic SQL here only splices quoted identifiers (`quote`) and `$n`
// placeholders; values are always bound or sent through COPY.
use sqlx::{AssertSqlSafe, PgPool, Row};

use super::lookup::{Cell, FoundRow, found_row, read, select_list};
use super::migrations::{self, Dialect};
use super::partitions::{self, Partitioned};
use super::pg_copy::CopyFormat;
use super::pg_rollup::Rollups;
use super::pg_write::copy_rows;
use super::timescale::{continuous_aggregate, hypertable_sql, no_policies};
use super::{
    Column, ColumnKind, Commit, DeadLetter, DlqEntry, SqlValue, StoreError, TableRows, TimeColumn,
    add_column_sql, column_defs, quote, table_ddl,
};

pub(super) const DLQ_TEMPLATE: &str = include_str!("../../../migrations/postgres/dlq.sql");

pub struct Postgres {
    pub(super) pool: PgPool,
    pub url: String,
    /// Tables with a key: their rows go through a staging table.
    keyed: std::sync::Mutex<Vec<String>>,
    /// Tables range-partitioned by Dash (`time` without TimescaleDB).
    partitioned: std::sync::Mutex<Vec<std::sync::Arc<Partitioned>>>,
    /// Rollup tables maintained by Dash (rollups without TimescaleDB).
    rollups: std::sync::Mutex<Vec<std::sync::Arc<Rollups>>>,
    format: CopyFormat,
    /// The TimescaleDB version installed in the database, if any: a sink
    /// with `time` is then a hypertable.
    pub timescale: Option<String>,
    /// `schema.` of TimescaleDB's functions (empty without it).
    pub(super) ts: String,
}

impl Postgres {
    /// Connect and apply Dash's own migrations.
    pub async fn open(
        url: &str,
        shown: &str,
        format: CopyFormat,
        connections: u32,
    ) -> Result<Postgres, StoreError> {
        let store = Postgres::connect(url, shown, format, connections).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Connect, changing nothing (`dashc migrate` without `--apply`).
    pub async fn connect(
        url: &str,
        shown: &str,
        format: CopyFormat,
        connections: u32,
    ) -> Result<Postgres, StoreError> {
        let err = |e: sqlx::Error| StoreError::database(shown, e);
        let options = PgConnectOptions::from_str(url).map_err(err)?;
        // One plain connection first: a refused or unknown server is said
        // at once, not after the pool's acquire timeout.
        use sqlx::Connection as _;
        sqlx::PgConnection::connect_with(&options)
            .await
            .map_err(|e| err(e).doing("connecting"))?
            .close()
            .await
            .map_err(err)?;
        let pool = PgPoolOptions::new()
            .max_connections(connections.max(2))
            // Short: an unreachable server surfaces as a retryable error,
            // and the writer's backoff (logged, bounded by `retry_for`)
            // takes over rather than a silent wait inside the pool.
            .acquire_timeout(std::time::Duration::from_secs(5))
            .connect_with(options)
            .await
            .map_err(err)?;
        let timescale: Option<(String, String)> = sqlx::query_as(
            "SELECT extversion::text, quote_ident(extnamespace::regnamespace::text) \
             FROM pg_extension WHERE extname = 'timescaledb'",
        )
        .fetch_optional(&pool)
        .await
        .map_err(|e| err(e).doing("looking for TimescaleDB"))?;
        let store = Postgres {
            pool,
            url: shown.to_string(),
            keyed: Default::default(),
            partitioned: Default::default(),
            rollups: Default::default(),
            format,
            timescale: timescale.as_ref().map(|(v, _)| v.clone()),
            // TimescaleDB's functions, called by their schema: a session
            // whose `search_path` is another schema still finds them.
            ts: timescale.map_or_else(String::new, |(_, schema)| format!("{schema}.")),
        };
        Ok(store)
    }

    fn err(&self, e: sqlx::Error) -> StoreError {
        StoreError::database(&self.url, e)
    }

    /// Apply the embedded migrations not applied yet (`migrations.rs`).
    pub(super) async fn migrate(&self) -> Result<(), StoreError> {
        migrations::migrator(Dialect::Postgres)
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

    pub async fn ensure_table(
        &self,
        table: &str,
        columns: &[Column],
        key: &[String],
        time: Option<TimeColumn<'_>>,
    ) -> Result<(), StoreError> {
        // With `time` (TimescaleDB: the run checked it is there), the table
        // becomes a hypertable before its key index, which must then
        // include the time column.
        if let Some(t) = &time
            && self.timescale.is_none()
        {
            return self.ensure_partitioned(table, columns, key, t).await;
        }
        let ts = &self.ts;
        let sql = match &time {
            Some(t) => hypertable_sql(ts, table, columns, key, t, type_name),
            None => {
                let mut sql = table_ddl(table, columns, key, None, type_name);
                // No `time` (any more): no retention or compression policy
                // of an earlier run may go on working on the table.
                if self.timescale.is_some() {
                    sql.push_str(&no_policies(ts, table));
                }
                sql
            }
        };
        if !key.is_empty()
            && let Ok(mut keyed) = self.keyed.lock()
        {
            keyed.push(table.to_string());
        }
        let tx = self.ddl(sql).await?;
        tx.commit().await.map_err(|e| self.err(e))?;
        Ok(())
    }

    /// A transaction that has run `sql` under the advisory lock that
    /// serializes Dash's DDL (so pipelines sharing a table do not race).
    pub(super) async fn ddl(
        &self,
        sql: String,
    ) -> Result<sqlx::Transaction<'_, sqlx::Postgres>, StoreError> {
        let mut tx = self.pool.begin().await.map_err(|e| self.err(e))?;
        sqlx::query("SELECT pg_advisory_xact_lock(7305414)")
            .execute(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
        sqlx::raw_sql(AssertSqlSafe(sql))
            .execute(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
        Ok(tx)
    }

    /// `time` without TimescaleDB: a table range-partitioned on it, with a
    /// default partition (`partitions.rs`); partitions past `retention`
    /// are dropped now, and then periodically by [`Postgres::commit`].
    async fn ensure_partitioned(
        &self,
        table: &str,
        columns: &[Column],
        key: &[String],
        t: &TimeColumn<'_>,
    ) -> Result<(), StoreError> {
        let kind: Option<String> =
            sqlx::query_scalar("SELECT relkind::text FROM pg_class WHERE oid = to_regclass($1)")
                .bind(quote(table))
                .fetch_optional(&self.pool)
                .await
                .map_err(|e| self.err(e))?;
        if kind.as_deref().is_some_and(|k| k != "p") {
            return Err(StoreError::Database {
                url: self.url.clone(),
                retryable: false,
                message: partitions::not_partitioned(table, t.name),
            });
        }
        let sql = partitions::table_sql(table, &column_defs(columns, type_name), key, t.name);
        if !key.is_empty()
            && let Ok(mut keyed) = self.keyed.lock()
        {
            keyed.push(table.to_string());
        }
        let mut tx = self.ddl(sql).await?;
        let p = std::sync::Arc::new(Partitioned::new(table, t.name, t.chunk, t.retention));
        let dropped = partitions::drop_expired(&mut tx, &p).await.map_err(|e| {
            self.err(e)
                .doing("dropping partitions past their retention")
        })?;
        tx.commit().await.map_err(|e| self.err(e))?;
        for name in dropped {
            eprintln!("note: table `{table}`: dropped partition `{name}` (past its retention)");
        }
        if let Ok(mut partitioned) = self.partitioned.lock() {
            partitioned.retain(|q| q.table != table);
            partitioned.push(p);
        }
        Ok(())
    }

    /// Drop the partitions past their retention of tables due a look.
    async fn drop_expired(&self, tables: &[std::sync::Arc<Partitioned>]) -> Result<(), StoreError> {
        for p in tables.iter().filter(|p| partitions::retention_due(p)) {
            let mut conn = self.pool.acquire().await.map_err(|e| self.err(e))?;
            let dropped = partitions::drop_expired(&mut conn, p).await.map_err(|e| {
                self.err(e).doing(format_args!(
                    "dropping partitions of `{}` past their retention",
                    p.table
                ))
            })?;
            for name in dropped {
                tracing::info!(table = %p.table, partition = %name, "dropped a partition past its retention");
            }
        }
        Ok(())
    }

    pub async fn position(&self, pipeline: &str, source: &str) -> Result<Option<u64>, StoreError> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT position FROM dash_checkpoints WHERE pipeline = $1 AND source = $2",
        )
        .bind(pipeline)
        .bind(source)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        Ok(row.map(|(p,)| p.max(0) as u64))
    }

    /// `ALTER TABLE … ADD COLUMN` of a nullable column (hypertables too,
    /// compressed chunks included).
    pub async fn add_column(&self, table: &str, column: &Column) -> Result<(), StoreError> {
        let sql = add_column_sql(table, column, type_name(column.kind), true);
        sqlx::raw_sql(AssertSqlSafe(sql))
            .execute(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The columns of the unique index Dash makes for a sink's `key`
    /// (`{table}_key`); empty when there is none.
    pub async fn key_columns(&self, table: &str) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT a.attname::text FROM pg_index i \
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) \
             WHERE i.indexrelid = to_regclass(quote_ident($1)) \
             ORDER BY array_position(i.indkey::int2[], a.attnum)",
        )
        .bind(format!("{table}_key"))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        Ok(rows.into_iter().map(|(n,)| n).collect())
    }

    /// The columns of `table` as the session's search path finds it
    /// (name, type as `format_type` writes it); empty when there is no
    /// such table.
    pub async fn table_columns(
        &self,
        table: &str,
    ) -> Result<Vec<(String, String, bool)>, StoreError> {
        sqlx::query_as(
            "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull FROM pg_attribute a \
             WHERE a.attrelid = to_regclass(quote_ident($1)) AND a.attnum > 0 AND NOT a.attisdropped \
             ORDER BY a.attnum",
        )
        .bind(table)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))
    }

    pub async fn reset_checkpoint(&self, pipeline: &str, source: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM dash_checkpoints WHERE pipeline = $1 AND source = $2")
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
            "SELECT position, state FROM dash_checkpoints WHERE pipeline = $1 AND source = $2",
        )
        .bind(pipeline)
        .bind(source)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        Ok(row.map(|(p, state)| (p.max(0) as u64, state)))
    }

    pub async fn commit(
        &self,
        pipeline: &str,
        source: &str,
        dlq: &str,
        c: &Commit,
        turn: Option<&mut super::turn::Turn>,
    ) -> Result<Vec<u64>, StoreError> {
        let keyed = self.keyed.lock().map(|k| k.clone()).unwrap_or_default();
        let partitioned = self
            .partitioned
            .lock()
            .map(|p| p.clone())
            .unwrap_or_default();
        self.drop_expired(&partitioned).await?;
        let mut tx = self.pool.begin().await.map_err(|e| self.err(e))?;
        let (written, made) = self
            .write_tables(&mut tx, &c.tables, &keyed, &partitioned)
            .await?;
        for d in &c.dead {
            let sql = format!(
                "INSERT INTO {} (pipeline, stage, code, message, location, raw, source, position, attempts, first_failed_at, last_failed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, now(), now())",
                quote(dlq)
            );
            sqlx::query(AssertSqlSafe(sql))
                .bind(pipeline)
                .bind(&d.stage)
                .bind(&d.code)
                .bind(&d.message)
                .bind(&d.location)
                .bind(d.raw.replace('\0', "\\0"))
                .bind(source)
                .bind(d.position as i64)
                .execute(&mut *tx)
                .await
                .map_err(|e| self.err(e))?;
        }
        // The rows are in; the checkpoint moves in source order.
        if let Some(turn) = turn {
            turn.wait(&mut tx, &self.url).await?;
        }
        let positions = (!c.shared_source)
            .then_some((source, c.position))
            .into_iter()
            .chain(c.sink_positions.iter().map(|(k, p)| (k.as_str(), *p)));
        save_positions(&mut tx, pipeline, positions)
            .await
            .map_err(|e| self.err(e))?;
        if let Some(state) = &c.state {
            sqlx::query(
                "UPDATE dash_checkpoints SET state = $1 WHERE pipeline = $2 AND source = $3",
            )
            .bind(state)
            .bind(pipeline)
            .bind(source)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
        }
        tx.commit().await.map_err(|e| self.err(e))?;
        for (p, indexes) in made {
            p.committed(&indexes);
        }
        Ok(written)
    }

    /// Write `tables`' rows in `tx`: the partitions they need first, then
    /// the rows (and the rollups Dash keeps); returns the rows written and
    /// the partitions made, to record once `tx` commits.
    #[allow(clippy::type_complexity)]
    async fn write_tables(
        &self,
        tx: &mut sqlx::PgConnection,
        tables: &[TableRows],
        keyed: &[String],
        partitioned: &[std::sync::Arc<Partitioned>],
    ) -> Result<(Vec<u64>, Vec<(std::sync::Arc<Partitioned>, Vec<i64>)>), StoreError> {
        let mut made = Vec::new();
        for t in tables {
            if let Some(p) = partitioned.iter().find(|p| p.table == t.table) {
                let indexes = partitions::ensure_for(tx, p, t).await.map_err(|e| {
                    self.err(e)
                        .doing(format_args!("making partitions of `{}`", t.table))
                })?;
                made.push((p.clone(), indexes));
            }
        }
        let rollups = self.rollups.lock().map(|r| r.clone()).unwrap_or_default();
        let written = copy_rows(tx, tables, keyed, &rollups, self.format)
            .await
            .map_err(|e| self.err(e))?;
        Ok((written, made))
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
        let keyed = self.keyed.lock().map(|k| k.clone()).unwrap_or_default();
        let partitioned = self
            .partitioned
            .lock()
            .map(|p| p.clone())
            .unwrap_or_default();
        let mut tx = self.pool.begin().await.map_err(|e| self.err(e))?;
        let (written, made) = self
            .write_tables(&mut tx, tables, &keyed, &partitioned)
            .await?;
        let sql = format!("DELETE FROM {} WHERE id = ANY($1)", quote(dlq));
        sqlx::query(AssertSqlSafe(sql))
            .bind(resolved)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
        for (id, d) in failed {
            let sql = format!(
                "UPDATE {} SET attempts = attempts + 1, last_failed_at = now(), stage = $1, \
                 code = $2, message = $3, location = $4 WHERE id = $5",
                quote(dlq)
            );
            sqlx::query(AssertSqlSafe(sql))
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
        for (p, indexes) in made {
            p.committed(&indexes);
        }
        Ok(written.iter().sum())
    }

    /// Whether `table` exists, as the session's `search_path` finds it.
    pub async fn has_table(&self, table: &str) -> Result<bool, StoreError> {
        let row: (bool,) = sqlx::query_as("SELECT to_regclass($1) IS NOT NULL")
            .bind(quote(table))
            .fetch_one(&self.pool)
            .await
            .map_err(|e| self.err(e))?;
        Ok(row.0)
    }

    pub async fn start_run(&self, pipeline: &str) -> Result<i64, StoreError> {
        let row = sqlx::query("INSERT INTO dash_runs (pipeline, started_at, status) VALUES ($1, now(), 'running') RETURNING id")
            .bind(pipeline)
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
            "UPDATE dash_runs SET ended_at = now(), status = $1, read = $2, delivered = $3, written = $4, already_there = $5, skipped = $6, dead_lettered = $7 WHERE id = $8",
        )
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
                "INSERT INTO dash_run_sinks (run_id, sink, target, written, already_there) VALUES ($1, $2, $3, $4, $5)",
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
            "SELECT id, pipeline, stage, code, message, location, raw, source, position, \
             attempts::BIGINT, \
             to_char(first_failed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), \
             to_char(last_failed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM {} \
             WHERE ($1::TEXT IS NULL OR pipeline = $1) AND ($2::BIGINT IS NULL OR id = $2) ORDER BY id",
            quote(dlq)
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(pipeline)
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

    pub async fn close(self) {
        self.pool.close().await;
    }
}

impl Postgres {
    /// Rows of `table` whose `key` columns (as text) equal one of `keys`:
    /// one query, the key tuples sent as text arrays and `unnest`ed.
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
        let (key_cols, select) = select_list(key, columns, |k| format!("{k}::text"));
        let arrays: Vec<String> = (1..=key.len()).map(|i| format!("${i}::text[]")).collect();
        let sql = format!(
            "SELECT {} FROM {} WHERE ({}) IN (SELECT * FROM unnest({}))",
            select.join(", "),
            quote(table),
            key_cols.join(", "),
            arrays.join(", ")
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for i in 0..key.len() {
            let column: Vec<String> = keys
                .iter()
                .map(|k| k.get(i).cloned().unwrap_or_default())
                .collect();
            q = q.bind(column);
        }
        let rows = q.fetch_all(&self.pool).await.map_err(|e| self.err(e))?;
        found.extend(
            rows.iter()
                .map(|row| found_row(row, key.len(), columns, cell)),
        );
        Ok(found)
    }
}

/// One column of a row, read as its kind.
fn cell(row: &sqlx::postgres::PgRow, i: usize, kind: ColumnKind) -> Cell {
    match kind {
        ColumnKind::Int => read(row, i, SqlValue::Int),
        ColumnKind::Real => read(row, i, SqlValue::Real),
        ColumnKind::Bool => read(row, i, SqlValue::Bool),
        ColumnKind::Text => read(row, i, SqlValue::Text),
        ColumnKind::Timestamp => read(row, i, |d: chrono::DateTime<chrono::Utc>| {
            SqlValue::Timestamp(d.timestamp_micros())
        }),
        ColumnKind::Json => read(row, i, |j: serde_json::Value| SqlValue::Json(j.to_string())),
    }
}

/// The PostgreSQL type of a column of this kind, as Dash creates it.
pub fn type_name(kind: ColumnKind) -> &'static str {
    match kind {
        ColumnKind::Int => "BIGINT",
        ColumnKind::Real => "DOUBLE PRECISION",
        ColumnKind::Bool => "BOOLEAN",
        ColumnKind::Text => "TEXT",
        ColumnKind::Timestamp => "TIMESTAMPTZ",
        ColumnKind::Json => "JSONB",
    }
}

/// `format_type`'s name of [`type_name`] (what `pg_attribute` says).
pub fn formatted_type_name(kind: ColumnKind) -> &'static str {
    match kind {
        ColumnKind::Int => "bigint",
        ColumnKind::Real => "double precision",
        ColumnKind::Bool => "boolean",
        ColumnKind::Text => "text",
        ColumnKind::Timestamp => "timestamp with time zone",
        ColumnKind::Json => "jsonb",
    }
}

/// Upsert committed positions (a source's, file sinks' `sink:NAME`).
async fn save_positions(
    tx: &mut sqlx::PgConnection,
    pipeline: &str,
    positions: impl Iterator<Item = (&str, u64)>,
) -> Result<(), sqlx::Error> {
    for (key, position) in positions {
        sqlx::query(
            "INSERT INTO dash_checkpoints (pipeline, source, position, updated_at) VALUES ($1, $2, $3, now()) \
             ON CONFLICT (pipeline, source) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at",
        )
        .bind(pipeline)
        .bind(key)
        .bind(position as i64)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

impl Postgres {
    /// Rollups: continuous aggregates with TimescaleDB (made once: a view
    /// that exists is left as it is; outside any transaction, as
    /// TimescaleDB requires), tables kept by Dash without it.
    pub async fn ensure_rollups(
        &self,
        table: &str,
        time: &str,
        group_by: &[String],
        rollups: &[dash_check::plan::RollupSpec],
        retention: Option<std::time::Duration>,
    ) -> Result<(), StoreError> {
        if self.timescale.is_none() {
            return self
                .ensure_rollup_tables(table, time, group_by, rollups)
                .await;
        }
        for r in rollups {
            let (view, policy) =
                continuous_aggregate(&self.ts, table, time, group_by, r, retention);
            sqlx::raw_sql(AssertSqlSafe(view))
                .execute(&self.pool)
                .await
                .map_err(|e| {
                    self.err(e)
                        .doing(format_args!("creating the rollup `{}`", r.name))
                })?;
            sqlx::raw_sql(AssertSqlSafe(policy))
                .execute(&self.pool)
                .await
                .map_err(|e| {
                    self.err(e).doing(format_args!(
                        "adding the refresh policy of rollup `{}`",
                        r.name
                    ))
                })?;
        }
        Ok(())
    }

    /// Rollups without TimescaleDB: each a table (`pg_rollup.rs`) made
    /// from the sink table when missing (a table of that name that exists
    /// is used as it is), then kept by every batch.
    async fn ensure_rollup_tables(
        &self,
        table: &str,
        time: &str,
        group_by: &[String],
        rollups: &[dash_check::plan::RollupSpec],
    ) -> Result<(), StoreError> {
        let tables = Rollups::new(table, time, group_by, rollups);
        let mut tx = self.pool.begin().await.map_err(|e| self.err(e))?;
        for r in tables.specs() {
            let exists: Option<String> = sqlx::query_scalar("SELECT to_regclass($1)::text")
                .bind(quote(&r.name))
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| self.err(e))?;
            if exists.is_none() {
                sqlx::raw_sql(AssertSqlSafe(tables.create_sql(r)))
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| {
                        self.err(e)
                            .doing(format_args!("creating the rollup table `{}`", r.name))
                    })?;
            }
        }
        tx.commit().await.map_err(|e| self.err(e))?;
        if let Ok(mut all) = self.rollups.lock() {
            all.retain(|r| r.table != table);
            all.push(std::sync::Arc::new(tables));
        }
        Ok(())
    }
}
