//! TimescaleDB, when the extension is in the database: the policies of
//! a hypertable (compression, retention) and rollups as continuous
//! aggregates. The hypertable itself is made by `Postgres::ensure_table`.

use dash_check::plan::{Aggregate, RollupSpec};

use super::{Column, ColumnKind, TimeColumn, key_index_sql, quote, table_ddl};

/// A sink table with `time` as a hypertable: the table, made a hypertable
/// (`by_range(time, chunk)`, converting rows already there) before its key
/// index (which must then include the time column), its chunk width for
/// the chunks made from now on, and its policies. Idempotent.
pub(super) fn hypertable_sql(
    ts: &str,
    table: &str,
    columns: &[Column],
    key: &[String],
    t: &TimeColumn<'_>,
    sql_type: fn(ColumnKind) -> &'static str,
) -> String {
    let mut sql = table_ddl(table, columns, &[], None, sql_type);
    sql.push_str(&create_hypertable(ts, table, t));
    if !key.is_empty() {
        sql.push_str(&key_index_sql(table, key));
    }
    sql.push_str(&chunk_interval(ts, table, t));
    sql.push_str(&policies(ts, table, t));
    sql
}

/// Make an existing table a hypertable on `t` (rows already there move
/// into chunks).
pub(super) fn create_hypertable(ts: &str, table: &str, t: &TimeColumn<'_>) -> String {
    format!(
        "SELECT {ts}create_hypertable(to_regclass({}), {ts}by_range({}, {}), \
         if_not_exists => TRUE, migrate_data => TRUE);\n",
        literal(&quote(table)),
        literal(t.name),
        interval(t.chunk)
    )
}

/// The width of the chunks made from now on (a changed `chunk`).
pub(super) fn chunk_interval(ts: &str, table: &str, t: &TimeColumn<'_>) -> String {
    format!(
        "SELECT {ts}set_chunk_time_interval(to_regclass({}), {});\n",
        literal(&quote(table)),
        interval(t.chunk)
    )
}

/// Remove the retention and compression policies of a table whose sink
/// no longer has `time`: none may go on working on it.
pub(super) fn no_policies(ts: &str, table: &str) -> String {
    format!(
        "SELECT {ts}delete_job(j.job_id) FROM timescaledb_information.jobs j \
         WHERE j.proc_name IN ('policy_retention', 'policy_compression') \
         AND to_regclass(format('%I.%I', j.hypertable_schema, j.hypertable_name)) = \
         to_regclass({});\n",
        literal(&quote(table))
    )
}

/// A SQL string literal: single quotes doubled.
pub(super) fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// TimescaleDB's compression settings and policy (`compress_after`) and
/// retention policy (`retention`) of a hypertable, kept in step with the
/// sink: a policy the sink no longer asks for is removed.
pub(super) fn policies(ts: &str, table: &str, t: &TimeColumn<'_>) -> String {
    let regclass = format!("to_regclass({})", literal(&quote(table)));
    let mut sql = String::new();
    match t.compress_after {
        Some(after) => {
            let segment: Vec<String> = t.segment_by.iter().map(|c| quote(c)).collect();
            sql.push_str(&format!(
                "ALTER TABLE {} SET (timescaledb.compress, timescaledb.compress_segmentby = {}, \
                 timescaledb.compress_orderby = {});\n",
                quote(table),
                literal(&segment.join(", ")),
                literal(&format!("{} DESC", quote(t.name)))
            ));
            sql.push_str(&format!(
                "SELECT {ts}remove_compression_policy({regclass}, if_exists => TRUE);\n\
                 SELECT {ts}add_compression_policy({regclass}, {});\n",
                interval(after)
            ));
        }
        None => sql.push_str(&format!(
            "SELECT {ts}remove_compression_policy({regclass}, if_exists => TRUE);\n"
        )),
    }
    sql.push_str(&format!(
        "SELECT {ts}remove_retention_policy({regclass}, if_exists => TRUE);\n"
    ));
    if let Some(keep) = t.retention {
        sql.push_str(&format!(
            "SELECT {ts}add_retention_policy({regclass}, {});\n",
            interval(keep)
        ));
    }
    sql
}

/// A Dash duration as a PostgreSQL interval, in whole days or hours when
/// it is one (as `timescaledb_information` then shows it).
pub(super) fn interval(d: std::time::Duration) -> String {
    let micros = d.as_micros();
    let (n, unit) = match micros {
        m if m % 86_400_000_000 == 0 => (m / 86_400_000_000, "days"),
        m if m % 3_600_000_000 == 0 => (m / 3_600_000_000, "hours"),
        m => (m, "microseconds"),
    };
    format!("INTERVAL '{n} {unit}'")
}

/// A rollup as a continuous aggregate over `table`: `bucket` is
/// `time_bucket(every, time)`, grouped with `group_by` (the key fields
/// other than the time), real-time aggregation on (buckets after the last
/// refresh are computed from the table when read); and its refresh policy
/// every `every` (a late row in a materialized bucket shows after the next
/// refresh). `ts` is `schema.` of TimescaleDB's functions. Returns the
/// view's DDL and the policy's statement.
pub(super) fn continuous_aggregate(
    ts: &str,
    table: &str,
    time: &str,
    group_by: &[String],
    r: &RollupSpec,
    retention: Option<std::time::Duration>,
) -> (String, String) {
    let groups: Vec<String> = group_by.iter().map(|c| quote(c)).collect();
    let mut select = vec![format!(
        "{ts}time_bucket({}, {}) AS bucket",
        interval(r.every),
        quote(time)
    )];
    select.extend(groups.iter().cloned());
    for c in &r.columns {
        let field = c.field.as_deref().map(quote).unwrap_or_default();
        let agg = match c.aggregate {
            Aggregate::Count => "count(*)".to_string(),
            Aggregate::Sum => format!("sum({field})"),
            Aggregate::Avg => format!("avg({field})"),
            Aggregate::Min => format!("min({field})"),
            Aggregate::Max => format!("max({field})"),
            Aggregate::First => format!("{ts}first({field}, {})", quote(time)),
            Aggregate::Last => format!("{ts}last({field}, {})", quote(time)),
        };
        select.push(format!("{agg} AS {}", quote(&c.name)));
    }
    let group: Vec<String> = std::iter::once("bucket".to_string())
        .chain(groups)
        .collect();
    let view = format!(
        "CREATE MATERIALIZED VIEW IF NOT EXISTS {} WITH (timescaledb.continuous, \
         timescaledb.materialized_only = false) AS SELECT {} FROM {} GROUP BY {} WITH NO DATA",
        quote(&r.name),
        select.join(", "),
        quote(table),
        group.join(", ")
    );
    let policy = format!(
        "SELECT {ts}add_continuous_aggregate_policy(to_regclass({}), start_offset => {}, \
         end_offset => {}, schedule_interval => {}, if_not_exists => TRUE)",
        literal(&quote(&r.name)),
        // Within the retention window: a refresh never reaches buckets
        // whose rows retention dropped (it would empty them).
        retention
            .filter(|keep| *keep >= r.every * 3)
            .map_or_else(|| "NULL".to_string(), interval),
        interval(r.every),
        interval(r.every)
    );
    (view, policy)
}
