//! Writing a batch's rows to PostgreSQL tables inside the commit's
//! transaction: binary (or text) `COPY … FROM STDIN`, the staging table
//! and `INSERT … ON CONFLICT` when keys are already there, and the one
//! statement that also folds the inserted rows into the rollup tables
//! Dash keeps without TimescaleDB.

use sqlx::AssertSqlSafe;

use super::pg_copy::CopyFormat;
use super::pg_rollup::Rollups;
use super::{TableRows, quote};

/// COPY every table's rows; returns rows written. A keyed table is
/// first copied straight in, under a savepoint: when a key is already
/// there (a replay) the savepoint is rolled back and the batch goes
/// through a staging table and `INSERT … ON CONFLICT DO NOTHING`.
pub(super) async fn copy_rows(
    tx: &mut sqlx::PgConnection,
    tables: &[TableRows],
    keyed: &[String],
    rollups: &[std::sync::Arc<Rollups>],
    format: CopyFormat,
) -> Result<Vec<u64>, sqlx::Error> {
    let mut out = Vec::with_capacity(tables.len());
    for t in tables {
        let rollup = rollups.iter().find(|r| r.table == t.table);
        out.push(copy_table(tx, t, keyed, rollup.map(|r| &**r), format).await?);
    }
    Ok(out)
}

/// One table's rows of [`copy_rows`]; returns the rows written. A table
/// with rollup tables always goes through the staging table, and one
/// statement inserts its rows and folds those inserted into the rollups.
async fn copy_table(
    tx: &mut sqlx::PgConnection,
    t: &TableRows,
    keyed: &[String],
    rollup: Option<&Rollups>,
    format: CopyFormat,
) -> Result<u64, sqlx::Error> {
    {
        if t.rows.is_empty() || t.columns.is_empty() {
            return Ok(0);
        }
        let cols: Vec<String> = t.columns.iter().map(|c| quote(c)).collect();
        let cols = cols.join(", ");
        let is_keyed = keyed.contains(&t.table);
        if let Some(rollup) = rollup {
            let stage = stage_table(tx, t).await?;
            copy_in(tx, &stage, &cols, t, format).await?;
            let conflict = if is_keyed {
                "ON CONFLICT DO NOTHING"
            } else {
                ""
            };
            let sql = rollup.insert_sql(&cols, &stage, conflict);
            let written: i64 = sqlx::query_scalar(AssertSqlSafe(sql))
                .fetch_one(&mut *tx)
                .await?;
            let sql = format!("TRUNCATE {stage}");
            sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *tx).await?;
            return Ok(written as u64);
        }
        if !is_keyed {
            return copy_in(tx, &quote(&t.table), &cols, t, format).await;
        }
        sqlx::raw_sql("SAVEPOINT dash_copy")
            .execute(&mut *tx)
            .await?;
        match copy_in(tx, &quote(&t.table), &cols, t, format).await {
            Ok(n) => {
                sqlx::raw_sql("RELEASE SAVEPOINT dash_copy")
                    .execute(&mut *tx)
                    .await?;
                return Ok(n);
            }
            Err(e) if is_unique_violation(&e) => {
                sqlx::raw_sql("ROLLBACK TO SAVEPOINT dash_copy")
                    .execute(&mut *tx)
                    .await?;
            }
            Err(e) => return Err(e),
        }
        let stage = stage_table(tx, t).await?;
        copy_in(tx, &stage, &cols, t, format).await?;
        let sql = match &t.upsert {
            None => format!(
                "INSERT INTO {} ({cols}) SELECT {cols} FROM {stage} ON CONFLICT DO NOTHING",
                quote(&t.table),
            ),
            // One row per key (the batch's last: rows are staged in order),
            // as `DO UPDATE` may change a row only once per statement.
            Some(key) => {
                let keys: Vec<String> = key.iter().map(|k| quote(k)).collect();
                let keys = keys.join(", ");
                format!(
                    "INSERT INTO {} ({cols}) SELECT DISTINCT ON ({keys}) {cols} FROM {stage} \
                     ORDER BY {keys}, ctid DESC {}",
                    quote(&t.table),
                    t.on_conflict()
                )
            }
        };
        let written = sqlx::query(AssertSqlSafe(sql))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let sql = format!("TRUNCATE {stage}");
        sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *tx).await?;
        Ok(written)
    }
}

/// The session's staging table of `t` (made when missing); its name.
async fn stage_table(tx: &mut sqlx::PgConnection, t: &TableRows) -> Result<String, sqlx::Error> {
    let stage = quote(&format!("dash_stage_{}", t.table));
    let sql = format!(
        "CREATE TEMP TABLE IF NOT EXISTS {stage} (LIKE {} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS",
        quote(&t.table)
    );
    sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *tx).await?;
    Ok(stage)
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
