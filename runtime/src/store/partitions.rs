//! A sink with `time` on PostgreSQL without TimescaleDB: a table
//! range-partitioned on the time column (LANGUAGE §8 "Storage").
//!
//! - Partitions are `chunk` wide, aligned on the Unix epoch (as
//!   TimescaleDB aligns its chunks), named `TABLE_pYYYYMMDD_HHMMSS` after
//!   their first instant.
//! - A batch makes the partitions its rows need, in its own transaction,
//!   before writing them ([`ensure_for`]): they exist exactly when the rows
//!   do. Processes that write the same table take turns through an
//!   advisory lock on it.
//! - A default partition (`TABLE_default`) takes any row no partition
//!   covers (a partition that could not be made), so no insert fails for
//!   want of one.
//! - `retention` drops whole partitions whose range ended longer ago than
//!   that ([`drop_expired`]), at run start and then at most every
//!   [`RETENTION_EVERY`] before a commit.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sqlx::{AssertSqlSafe, PgConnection};

use super::{SqlValue, TableRows, quote};

/// How often a long run looks for partitions past their retention.
pub const RETENTION_EVERY: Duration = Duration::from_secs(600);

/// What the store knows of one partitioned sink table.
pub struct Partitioned {
    pub table: String,
    pub time: String,
    chunk_micros: i64,
    pub retention: Option<Duration>,
    /// Partitions (by their index from the epoch) known to exist.
    known: Mutex<HashSet<i64>>,
    /// When expired partitions were last dropped.
    pub retention_run: Mutex<Option<Instant>>,
}

impl Partitioned {
    pub fn new(table: &str, time: &str, chunk: Duration, retention: Option<Duration>) -> Self {
        Partitioned {
            table: table.to_string(),
            time: time.to_string(),
            chunk_micros: i64::try_from(chunk.as_micros()).unwrap_or(i64::MAX).max(1),
            retention,
            known: Mutex::default(),
            retention_run: Mutex::default(),
        }
    }

    /// The indexes of the partitions `rows` fall in, not known to exist.
    fn needed(&self, rows: &TableRows) -> Vec<i64> {
        let Some(at) = rows.columns.iter().position(|c| *c == self.time) else {
            return Vec::new();
        };
        let known = self.known.lock().map(|k| k.clone()).unwrap_or_default();
        let mut needed: Vec<i64> = rows
            .rows
            .iter()
            .filter_map(|row| match row.get(at) {
                Some(SqlValue::Timestamp(micros)) => Some(micros.div_euclid(self.chunk_micros)),
                _ => None,
            })
            .filter(|i| !known.contains(i))
            .collect();
        needed.sort_unstable();
        needed.dedup();
        needed
    }

    /// Partition `index`'s name and its range `[from, to)` as SQL literals.
    fn partition(&self, index: i64) -> (String, String, String) {
        let from = index.saturating_mul(self.chunk_micros);
        let to = from.saturating_add(self.chunk_micros);
        let text = |micros: i64| {
            chrono::DateTime::from_timestamp_micros(micros)
                .map(|d| d.format("%Y-%m-%d %H:%M:%S%.6f+00").to_string())
                .unwrap_or_else(|| "infinity".into())
        };
        let name = chrono::DateTime::from_timestamp_micros(from)
            .map(|d| d.format("%Y%m%d_%H%M%S").to_string())
            .unwrap_or_else(|| index.to_string());
        (
            format!("{}_p{name}", self.table),
            format!("'{}'", text(from)),
            format!("'{}'", text(to)),
        )
    }

    /// After the batch's transaction committed: its partitions exist.
    pub fn committed(&self, made: &[i64]) {
        if let Ok(mut known) = self.known.lock() {
            known.extend(made);
        }
    }
}

/// Why an existing plain table cannot be a sink with `time` without
/// TimescaleDB.
pub fn not_partitioned(table: &str, time: &str) -> String {
    format!(
        "table `{table}` exists and is not partitioned, but its sink has `time: {time}`, \
         which makes a table range-partitioned on `{time}` (TimescaleDB is not installed \
         in this database). PostgreSQL cannot partition an existing table: rename it \
         (and move its rows into the new table after the run, `INSERT INTO … SELECT`), \
         or install TimescaleDB (`CREATE EXTENSION timescaledb`), which converts it"
    )
}

/// The partitioned table, its default partition and its key index
/// (idempotent).
pub fn table_sql(table: &str, column_defs: &str, key: &[String], time: &str) -> String {
    let key = if key.is_empty() {
        String::new()
    } else {
        super::key_index_sql(table, key)
    };
    format!(
        "CREATE TABLE IF NOT EXISTS {} ({column_defs}) PARTITION BY RANGE ({});\n\
         CREATE TABLE IF NOT EXISTS {} PARTITION OF {} DEFAULT;\n{key}",
        quote(table),
        quote(time),
        quote(&format!("{table}_default")),
        quote(table),
    )
}

/// Make the partitions `rows` need, inside the batch's transaction;
/// returns the indexes made (or found), to pass to
/// [`Partitioned::committed`] once the transaction committed. A partition
/// that cannot be made (its range overlaps rows already in the default
/// partition) is left out: its rows go to the default partition.
pub async fn ensure_for(
    tx: &mut PgConnection,
    p: &Partitioned,
    rows: &TableRows,
) -> Result<Vec<i64>, sqlx::Error> {
    let needed = p.needed(rows);
    if needed.is_empty() {
        return Ok(needed);
    }
    // One process at a time makes this table's partitions (until commit).
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
        .bind(format!("dash partitions of {}", p.table))
        .execute(&mut *tx)
        .await?;
    let mut made = Vec::with_capacity(needed.len());
    for index in needed {
        let (name, from, to) = p.partition(index);
        let sql = format!(
            "SAVEPOINT dash_partition;\n\
             CREATE TABLE IF NOT EXISTS {} PARTITION OF {} FOR VALUES FROM ({from}) TO ({to});\n\
             RELEASE SAVEPOINT dash_partition;",
            quote(&name),
            quote(&p.table)
        );
        match sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *tx).await {
            Ok(_) => made.push(index),
            Err(e) => {
                tracing::warn!(
                    table = %p.table,
                    partition = %name,
                    error = %e,
                    "a partition could not be made; its rows go to the default partition"
                );
                sqlx::raw_sql("ROLLBACK TO SAVEPOINT dash_partition")
                    .execute(&mut *tx)
                    .await?;
            }
        }
    }
    Ok(made)
}

/// Drop `p`'s partitions whose range ended more than `retention` ago;
/// returns their names.
pub async fn drop_expired(
    conn: &mut PgConnection,
    p: &Partitioned,
) -> Result<Vec<String>, sqlx::Error> {
    let Some(keep) = p.retention else {
        return Ok(Vec::new());
    };
    // Each partition's upper bound, from its definition.
    let expired: Vec<(String, i64)> = sqlx::query_as(
        "SELECT c.relname::text, \
                (extract(epoch FROM (regexp_match(pg_get_expr(c.relpartbound, c.oid), \
                 'TO \\(''([^'']+)''\\)'))[1]::timestamptz) * 1000000)::bigint \
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
         WHERE i.inhparent = to_regclass($1) \
           AND pg_get_expr(c.relpartbound, c.oid) LIKE 'FOR VALUES FROM %'",
    )
    .bind(quote(&p.table))
    .fetch_all(&mut *conn)
    .await?;
    let now = chrono::Utc::now().timestamp_micros();
    let keep = i64::try_from(keep.as_micros()).unwrap_or(i64::MAX);
    let mut dropped = Vec::new();
    for (name, to) in expired {
        if to <= now.saturating_sub(keep) {
            let sql = format!("DROP TABLE IF EXISTS {}", quote(&name));
            sqlx::raw_sql(AssertSqlSafe(sql))
                .execute(&mut *conn)
                .await?;
            dropped.push(name);
        }
    }
    if let Ok(mut known) = p.known.lock() {
        // Dropped partitions are made again if late rows come for them.
        known.clear();
    }
    if let Ok(mut at) = p.retention_run.lock() {
        *at = Some(Instant::now());
    }
    Ok(dropped)
}

/// Whether a run of [`drop_expired`] is due.
pub fn retention_due(p: &Partitioned) -> bool {
    p.retention.is_some()
        && p.retention_run
            .lock()
            .map(|at| at.is_none_or(|at| at.elapsed() >= RETENTION_EVERY))
            .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_are_aligned_on_the_epoch_and_named_after_their_start() {
        let p = Partitioned::new("m", "ts", Duration::from_secs(86_400), None);
        // 2026-01-02T12:00:00Z
        let noon = 1_767_355_200_000_000;
        let index = noon / 86_400_000_000;
        let (name, from, to) = p.partition(index);
        assert_eq!(name, "m_p20260102_000000");
        assert_eq!(from, "'2026-01-02 00:00:00.000000+00'");
        assert_eq!(to, "'2026-01-03 00:00:00.000000+00'");
        let rows = TableRows {
            table: "m".into(),
            columns: vec!["id".into(), "ts".into()],
            rows: vec![
                vec![SqlValue::Int(1), SqlValue::Timestamp(noon)],
                vec![SqlValue::Int(2), SqlValue::Timestamp(noon + 1)],
                vec![SqlValue::Int(3), SqlValue::Timestamp(-1)],
            ],
            upsert: None,
        };
        assert_eq!(p.needed(&rows), vec![-1, index]);
        p.committed(&[index]);
        assert_eq!(p.needed(&rows), vec![-1]);
    }
}
