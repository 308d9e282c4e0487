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

use super::lookup::{FoundRow, found_row, select_list};
use super::migrations::{self, Dialect};
use super::pg_copy::CopyFormat;
use super::{
    Column, ColumnKind, Commit, DlqEntry, SqlValue, StoreError, TableRows, quote, table_ddl,
};

const DLQ_TEMPLATE: &str = include_str!("../../../migrations/postgres/dlq.sql");

pub struct Postgres {
    pool: PgPool,
    pub url: String,
    /// Tables with a key: their rows go through a staging table.
    keyed: std::sync::Mutex<Vec<String>>,
    format: CopyFormat,
}

impl Postgres {
    pub async fn open(url: &str, shown: &str, format: CopyFormat) -> Result<Postgres, StoreError> {
        let err = |e: sqlx::Error| StoreError::database(shown, e);
        let options = PgConnectOptions::from_str(url).map_err(err)?;
        let pool = PgPoolOptions::new()
            .max_connections(2)
            // Short: an unreachable server surfaces as a retryable error,
            // and the writer's backoff (logged, bounded by `retry_for`)
            // takes over rather than a silent wait inside the pool.
            .acquire_timeout(std::time::Duration::from_secs(5))
            .connect_with(options)
            .await
            .map_err(err)?;
        let store = Postgres {
            pool,
            url: shown.to_string(),
            keyed: Default::default(),
            format,
        };
        store.migrate().await?;
        Ok(store)
    }

    fn err(&self, e: sqlx::Error) -> StoreError {
        StoreError::database(&self.url, e)
    }

    /// Apply the embedded migrations not applied yet (`migrations.rs`).
    async fn migrate(&self) -> Result<(), StoreError> {
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
        time: Option<&str>,
    ) -> Result<(), StoreError> {
        let sql = table_ddl(table, columns, key, time, |kind| match kind {
            ColumnKind::Int => "BIGINT",
            ColumnKind::Real => "DOUBLE PRECISION",
            ColumnKind::Bool => "BOOLEAN",
            ColumnKind::Text => "TEXT",
            ColumnKind::Timestamp => "TIMESTAMPTZ",
            ColumnKind::Json => "JSONB",
        });
        if !key.is_empty()
            && let Ok(mut keyed) = self.keyed.lock()
        {
            keyed.push(table.to_string());
        }
        let mut tx = self.pool.begin().await.map_err(|e| self.err(e))?;
        sqlx::query("SELECT pg_advisory_xact_lock(7305414)")
            .execute(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
        sqlx::raw_sql(AssertSqlSafe(sql))
            .execute(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
        tx.commit().await.map_err(|e| self.err(e))?;
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

    pub async fn commit(
        &self,
        pipeline: &str,
        source: &str,
        dlq: &str,
        c: &Commit,
    ) -> Result<u64, StoreError> {
        let keyed = self.keyed.lock().map(|k| k.clone()).unwrap_or_default();
        let mut tx = self.pool.begin().await.map_err(|e| self.err(e))?;
        let written = copy_rows(&mut tx, &c.tables, &keyed, self.format)
            .await
            .map_err(|e| self.err(e))?;
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
        let positions = std::iter::once((source, c.position))
            .chain(c.sink_positions.iter().map(|(k, p)| (k.as_str(), *p)));
        for (key, position) in positions {
            sqlx::query(
                "INSERT INTO dash_checkpoints (pipeline, source, position, updated_at) VALUES ($1, $2, $3, now()) \
                 ON CONFLICT (pipeline, source) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at",
            )
            .bind(pipeline)
            .bind(key)
            .bind(position as i64)
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
        failed: &[(i64, String, String)],
    ) -> Result<u64, StoreError> {
        let keyed = self.keyed.lock().map(|k| k.clone()).unwrap_or_default();
        let mut tx = self.pool.begin().await.map_err(|e| self.err(e))?;
        let written = copy_rows(&mut tx, tables, &keyed, self.format)
            .await
            .map_err(|e| self.err(e))?;
        let sql = format!("DELETE FROM {} WHERE id = ANY($1)", quote(dlq));
        sqlx::query(AssertSqlSafe(sql))
            .bind(resolved)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.err(e))?;
        for (id, code, message) in failed {
            let sql = format!(
                "UPDATE {} SET attempts = attempts + 1, last_failed_at = now(), code = $1, message = $2 WHERE id = $3",
                quote(dlq)
            );
            sqlx::query(AssertSqlSafe(sql))
                .bind(code)
                .bind(message)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(|e| self.err(e))?;
        }
        tx.commit().await.map_err(|e| self.err(e))?;
        Ok(written)
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
        counts: [u64; 4],
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE dash_runs SET ended_at = now(), status = $1, read = $2, written = $3, skipped = $4, dead_lettered = $5 WHERE id = $6",
        )
        .bind(status)
        .bind(counts[0] as i64)
        .bind(counts[1] as i64)
        .bind(counts[2] as i64)
        .bind(counts[3] as i64)
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    pub async fn dlq_entries(
        &self,
        dlq: &str,
        pipeline: Option<&str>,
        id: Option<i64>,
    ) -> Result<Vec<DlqEntry>, StoreError> {
        let sql = format!(
            "SELECT id, pipeline, stage, code, message, location, raw, attempts::BIGINT, \
             to_char(first_failed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), \
             to_char(last_failed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM {} \
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
                attempts: r.get(7),
                first_failed_at: r.get(8),
                last_failed_at: r.get(9),
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
fn cell(row: &sqlx::postgres::PgRow, i: usize, kind: ColumnKind) -> SqlValue {
    let value = match kind {
        ColumnKind::Int => row
            .try_get::<Option<i64>, _>(i)
            .ok()
            .flatten()
            .map(SqlValue::Int),
        ColumnKind::Real => row
            .try_get::<Option<f64>, _>(i)
            .ok()
            .flatten()
            .map(SqlValue::Real),
        ColumnKind::Bool => row
            .try_get::<Option<bool>, _>(i)
            .ok()
            .flatten()
            .map(SqlValue::Bool),
        ColumnKind::Text => row
            .try_get::<Option<String>, _>(i)
            .ok()
            .flatten()
            .map(SqlValue::Text),
        ColumnKind::Timestamp => row
            .try_get::<Option<chrono::DateTime<chrono::Utc>>, _>(i)
            .ok()
            .flatten()
            .map(|d| SqlValue::Timestamp(d.timestamp_micros())),
        ColumnKind::Json => row
            .try_get::<Option<serde_json::Value>, _>(i)
            .ok()
            .flatten()
            .map(|j| SqlValue::Json(j.to_string())),
    };
    value.unwrap_or(SqlValue::Null)
}

/// COPY every table's rows; returns rows written. A keyed table is
/// first copied straight in, under a savepoint: when a key is already
/// there (a replay) the savepoint is rolled back and the batch goes
/// through a staging table and `INSERT … ON CONFLICT DO NOTHING`.
async fn copy_rows(
    tx: &mut sqlx::PgConnection,
    tables: &[TableRows],
    keyed: &[String],
    format: CopyFormat,
) -> Result<u64, sqlx::Error> {
    let mut written = 0;
    for t in tables {
        if t.rows.is_empty() || t.columns.is_empty() {
            continue;
        }
        let cols: Vec<String> = t.columns.iter().map(|c| quote(c)).collect();
        let cols = cols.join(", ");
        if !keyed.contains(&t.table) {
            written += copy_in(tx, &quote(&t.table), &cols, t, format).await?;
            continue;
        }
        sqlx::raw_sql("SAVEPOINT dash_copy")
            .execute(&mut *tx)
            .await?;
        match copy_in(tx, &quote(&t.table), &cols, t, format).await {
            Ok(n) => {
                sqlx::raw_sql("RELEASE SAVEPOINT dash_copy")
                    .execute(&mut *tx)
                    .await?;
                written += n;
                continue;
            }
            Err(e) if is_unique_violation(&e) => {
                sqlx::raw_sql("ROLLBACK TO SAVEPOINT dash_copy")
                    .execute(&mut *tx)
                    .await?;
            }
            Err(e) => return Err(e),
        }
        let stage = quote(&format!("dash_stage_{}", t.table));
        let sql = format!(
            "CREATE TEMP TABLE IF NOT EXISTS {stage} (LIKE {} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS",
            quote(&t.table)
        );
        sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *tx).await?;
        copy_in(tx, &stage, &cols, t, format).await?;
        let sql = format!(
            "INSERT INTO {} ({cols}) SELECT {cols} FROM {stage} ON CONFLICT DO NOTHING",
            quote(&t.table),
        );
        written += sqlx::query(AssertSqlSafe(sql))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let sql = format!("TRUNCATE {stage}");
        sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *tx).await?;
    }
    Ok(written)
}

/// `COPY target (cols) FROM STDIN` of `t`'s rows; returns rows copied.
async fn copy_in(
    tx: &mut sqlx::PgConnection,
    target: &str,
    cols: &str,
    t: &TableRows,
    format: CopyFormat,
) -> Result<u64, sqlx::Error> {
    let statement = format!(
        "COPY {target} ({cols}) FROM STDIN (FORMAT {})",
        format.option()
    );
    let mut copy = tx.copy_in_raw(&statement).await?;
    let mut buffer = Vec::with_capacity(1 << 16);
    format.header(&mut buffer);
    for row in &t.rows {
        format.row(&mut buffer, row);
        if buffer.len() > 1 << 20 {
            copy.send(std::mem::take(&mut buffer)).await?;
        }
    }
    format.trailer(&mut buffer);
    copy.send(buffer).await?;
    copy.finish().await
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.code().as_deref() == Some("23505"))
}
