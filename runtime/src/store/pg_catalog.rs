//! What a PostgreSQL database has of a sink table, read from its
//! catalog (and TimescaleDB's information views) for `schema.rs`.

use sqlx::PgPool;

use super::quote;
use super::schema::{Hypertable, RollupFacts, TableFacts, TableSpec};
use super::timescale::literal;

/// The facts of `spec`'s table; `timescale` when the extension is there.
pub async fn table_facts(
    pool: &PgPool,
    spec: &TableSpec<'_>,
    timescale: bool,
) -> Result<TableFacts, sqlx::Error> {
    let table = spec.table;
    let kind: Option<String> =
        sqlx::query_scalar("SELECT relkind::text FROM pg_class WHERE oid = to_regclass($1)")
            .bind(quote(table))
            .fetch_optional(pool)
            .await?;
    let mut facts = TableFacts {
        exists: kind.is_some(),
        partitioned: kind.as_deref() == Some("p"),
        default_partition: exists(pool, &format!("{table}_default")).await?,
        ..TableFacts::default()
    };
    if facts.exists {
        facts.key_index = sqlx::query_scalar(
            "SELECT a.attname::text FROM pg_index i \
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) \
             WHERE i.indexrelid = to_regclass($1) \
             ORDER BY array_position(i.indkey::int2[], a.attnum)",
        )
        .bind(quote(&format!("{table}_key")))
        .fetch_all(pool)
        .await?;
    }
    if timescale && facts.exists {
        facts.hypertable = hypertable(pool, table).await?;
    }
    for r in spec.rollups {
        let exists = exists(pool, &r.name).await?;
        let policy = timescale
            && exists
            && sqlx::query_scalar::<_, bool>(
                "SELECT EXISTS (SELECT 1 FROM timescaledb_information.jobs j \
                 WHERE j.proc_name = 'policy_refresh_continuous_aggregate' \
                 AND to_regclass(format('%I.%I', j.hypertable_schema, j.hypertable_name)) \
                 = to_regclass($1))",
            )
            .bind(quote(&r.name))
            .fetch_one(pool)
            .await?;
        facts.rollups.push(RollupFacts { exists, policy });
    }
    Ok(facts)
}

/// Whether a relation of this name is there (as the search path finds it).
async fn exists(pool: &PgPool, name: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
        .bind(quote(name))
        .fetch_one(pool)
        .await
}

/// `table` as a hypertable: its chunk width, compression and policies;
/// `None` when it is not one.
async fn hypertable(pool: &PgPool, table: &str) -> Result<Option<Hypertable>, sqlx::Error> {
    // The hypertable's rows of an information view, as the search path
    // finds the table.
    let of = |view: &str, extra: &str| {
        format!(
            "FROM timescaledb_information.{view} v WHERE to_regclass(format('%I.%I', \
             v.hypertable_schema, v.hypertable_name)) = to_regclass({}){extra}",
            literal(&quote(table))
        )
    };
    let micros = |e: &str| format!("(extract(epoch FROM ({e})::interval) * 1000000)::bigint");
    let chunk: Option<Option<i64>> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT {} {}",
        micros("v.time_interval"),
        of("dimensions", " AND v.dimension_number = 1")
    )))
    .fetch_optional(pool)
    .await?;
    let Some(chunk) = chunk else {
        return Ok(None);
    };
    let compression: bool = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COALESCE(bool_or(v.compression_enabled), false) {}",
        of("hypertables", "")
    )))
    .fetch_one(pool)
    .await?;
    let job = |proc: &str, field: &str| {
        format!(
            "SELECT {} {}",
            micros(&format!("v.config->>'{field}'")),
            of("jobs", &format!(" AND v.proc_name = '{proc}' LIMIT 1"))
        )
    };
    let compress_after: Option<Option<i64>> = sqlx::query_scalar(sqlx::AssertSqlSafe(job(
        "policy_compression",
        "compress_after",
    )))
    .fetch_optional(pool)
    .await?;
    let drop_after: Option<Option<i64>> =
        sqlx::query_scalar(sqlx::AssertSqlSafe(job("policy_retention", "drop_after")))
            .fetch_optional(pool)
            .await?;
    Ok(Some(Hypertable {
        chunk,
        compression,
        compress_after: compress_after.flatten(),
        drop_after: drop_after.flatten(),
    }))
}
