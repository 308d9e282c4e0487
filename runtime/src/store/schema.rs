//! What a sink table needs of the database, as steps of DDL: compared
//! with what the database has ([`TableFacts`], read by the engine's
//! store), each missing or different piece is one [`Step`]. `dashc
//! migrate` prints and applies them; a database in step with the project
//! needs none, so a second apply does nothing.
//!
//! The SQL of each step comes from the builders a run uses
//! (`table_ddl`, `timescale`, `partitions`, `pg_rollup`): what `migrate`
//! prints is what a run would do.

use dash_check::plan::RollupSpec;

use super::pg_rollup::Rollups;
use super::timescale::{
    chunk_interval, continuous_aggregate, create_hypertable, hypertable_sql, no_policies, policies,
};
use super::{Column, ColumnKind, TimeColumn, add_column_sql, key_index_sql, quote, table_ddl};

/// One change to the database.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// What it makes or changes, for people.
    pub about: String,
    pub sql: String,
    pub how: How,
}

/// How a step is applied.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum How {
    /// In a transaction, under the lock that serializes Dash's DDL.
    Transaction,
    /// Alone, outside any transaction (TimescaleDB makes continuous
    /// aggregates so).
    Alone,
    /// Dash's own migrations, through the migrator that records them.
    Migrations,
}

impl Step {
    pub fn new(about: String, sql: String) -> Step {
        Step {
            about,
            sql,
            how: How::Transaction,
        }
    }
}

/// The database a step is for.
#[derive(Clone, Copy)]
pub enum Db<'a> {
    Sqlite,
    Postgres,
    /// PostgreSQL with TimescaleDB; `schema.` of its functions.
    Timescale(&'a str),
}

/// What a sink asks of its table.
pub struct TableSpec<'a> {
    pub table: &'a str,
    pub columns: &'a [Column],
    pub key: &'a [String],
    pub time: Option<TimeColumn<'a>>,
    pub rollups: &'a [RollupSpec],
}

impl TableSpec<'_> {
    /// The rollups' groups: the key fields other than the time.
    pub fn group_by(&self) -> Vec<String> {
        let time = self.time.as_ref().map(|t| t.name);
        self.key
            .iter()
            .filter(|k| Some(k.as_str()) != time)
            .cloned()
            .collect()
    }
}

/// What the database has of a sink table.
#[derive(Clone, Debug, Default)]
pub struct TableFacts {
    pub exists: bool,
    /// A natively partitioned table (PostgreSQL).
    pub partitioned: bool,
    /// The columns of the key index Dash makes (`TABLE_key`).
    pub key_index: Vec<String>,
    /// SQLite: the index on `time` (`TABLE_time`) is there.
    pub time_index: bool,
    /// Without TimescaleDB: the default partition is there.
    pub default_partition: bool,
    /// With TimescaleDB: the table is a hypertable.
    pub hypertable: Option<Hypertable>,
    /// Per rollup of the spec, in order.
    pub rollups: Vec<RollupFacts>,
}

/// A hypertable's width and policies, in microseconds.
#[derive(Clone, Debug, Default)]
pub struct Hypertable {
    pub chunk: Option<i64>,
    pub compression: bool,
    pub compress_after: Option<i64>,
    pub drop_after: Option<i64>,
}

#[derive(Clone, Debug, Default)]
pub struct RollupFacts {
    pub exists: bool,
    /// TimescaleDB: its refresh policy is there.
    pub policy: bool,
}

fn micros(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

/// The steps that bring `spec`'s table in step, given `facts` and the
/// columns schema evolution adds (`added`, checked by the caller).
pub fn table_steps(
    db: Db<'_>,
    sql_type: fn(ColumnKind) -> &'static str,
    spec: &TableSpec<'_>,
    facts: &TableFacts,
    added: &[&Column],
) -> Vec<Step> {
    let table = spec.table;
    let mut steps = Vec::new();
    let shown = format!("table `{table}`");
    if !facts.exists {
        let (about, sql) = match (db, &spec.time) {
            (Db::Timescale(ts), Some(t)) => (
                format!("create {shown}, a hypertable on `{}`", t.name),
                hypertable_sql(ts, table, spec.columns, spec.key, t, sql_type),
            ),
            (Db::Postgres, Some(t)) => {
                let sql = super::partitions::table_sql(
                    table,
                    &super::column_defs(spec.columns, sql_type),
                    spec.key,
                    t.name,
                );
                (
                    format!(
                        "create {shown}, range-partitioned on `{}` (partitions are made as \
                         rows arrive)",
                        t.name
                    ),
                    sql,
                )
            }
            (Db::Sqlite, time) => (
                format!("create {shown}"),
                table_ddl(
                    table,
                    spec.columns,
                    spec.key,
                    time.as_ref().map(|t| t.name),
                    sql_type,
                ),
            ),
            (_, None) => (
                format!("create {shown}"),
                table_ddl(table, spec.columns, spec.key, None, sql_type),
            ),
        };
        steps.push(Step::new(about, sql));
    } else {
        let if_not_exists = !matches!(db, Db::Sqlite);
        for column in added {
            steps.push(Step::new(
                format!("add column `{}` to {shown}", column.name),
                add_column_sql(table, column, sql_type(column.kind), if_not_exists),
            ));
        }
        existing_table_steps(db, spec, facts, &mut steps);
    }
    rollup_steps(db, spec, facts, &mut steps);
    steps
}

/// The steps of a table that exists: its key and time indexes, its
/// hypertable, partitions and policies.
fn existing_table_steps(
    db: Db<'_>,
    spec: &TableSpec<'_>,
    facts: &TableFacts,
    steps: &mut Vec<Step>,
) {
    let table = spec.table;
    let shown = format!("table `{table}`");
    let key_index = |steps: &mut Vec<Step>| {
        if !spec.key.is_empty() && facts.key_index.is_empty() {
            steps.push(Step::new(
                format!("add the key index `{table}_key` to {shown}"),
                key_index_sql(table, spec.key),
            ));
        }
    };
    match (db, &spec.time) {
        (Db::Timescale(ts), Some(t)) => {
            let Some(h) = &facts.hypertable else {
                // Made a hypertable before its key index, as a run does.
                steps.push(Step::new(
                    format!("make {shown} a hypertable on `{}`", t.name),
                    create_hypertable(ts, table, t),
                ));
                key_index(steps);
                steps.push(Step::new(
                    format!("set the policies of {shown}"),
                    policies(ts, table, t),
                ));
                return;
            };
            key_index(steps);
            if h.chunk != Some(micros(t.chunk)) {
                steps.push(Step::new(
                    format!("set the chunk width of {shown} (for new chunks)"),
                    chunk_interval(ts, table, t),
                ));
            }
            let compression_ok = match t.compress_after {
                Some(after) => h.compression && h.compress_after == Some(micros(after)),
                None => h.compress_after.is_none(),
            };
            if !compression_ok || h.drop_after != t.retention.map(micros) {
                steps.push(Step::new(
                    format!("set the compression and retention policies of {shown}"),
                    policies(ts, table, t),
                ));
            }
        }
        (Db::Timescale(ts), None) => {
            key_index(steps);
            if facts
                .hypertable
                .as_ref()
                .is_some_and(|h| h.compress_after.is_some() || h.drop_after.is_some())
            {
                steps.push(Step::new(
                    format!("remove the compression and retention policies of {shown}"),
                    no_policies(ts, table),
                ));
            }
        }
        (Db::Postgres, Some(_)) => {
            // A plain table here is refused before any step is planned.
            if !facts.default_partition {
                steps.push(Step::new(
                    format!("add the default partition `{table}_default` to {shown}"),
                    format!(
                        "CREATE TABLE IF NOT EXISTS {} PARTITION OF {} DEFAULT;\n",
                        quote(&format!("{table}_default")),
                        quote(table)
                    ),
                ));
            }
            key_index(steps);
        }
        (Db::Sqlite, Some(t)) => {
            key_index(steps);
            if !facts.time_index {
                steps.push(Step::new(
                    format!("add the index `{table}_time` to {shown}"),
                    super::time_index_sql(table, t.name),
                ));
            }
        }
        (Db::Postgres | Db::Sqlite, None) => key_index(steps),
    }
}

/// Rollups: continuous aggregates and their refresh policies with
/// TimescaleDB, tables kept by Dash without it; none on SQLite.
fn rollup_steps(db: Db<'_>, spec: &TableSpec<'_>, facts: &TableFacts, steps: &mut Vec<Step>) {
    let Some(t) = &spec.time else {
        return;
    };
    let group_by = spec.group_by();
    let missing = RollupFacts::default();
    for (i, r) in spec.rollups.iter().enumerate() {
        let found = facts.rollups.get(i).unwrap_or(&missing);
        match db {
            Db::Sqlite => {}
            Db::Timescale(ts) => {
                let (view, policy) =
                    continuous_aggregate(ts, spec.table, t.name, &group_by, r, t.retention);
                if !found.exists {
                    steps.push(Step {
                        about: format!("create the rollup `{}` (a continuous aggregate)", r.name),
                        sql: format!("{view};\n"),
                        how: How::Alone,
                    });
                }
                if !found.policy {
                    steps.push(Step::new(
                        format!("add the refresh policy of rollup `{}`", r.name),
                        format!("{policy};\n"),
                    ));
                }
            }
            Db::Postgres if !found.exists => {
                let tables = Rollups::new(spec.table, t.name, &group_by, std::slice::from_ref(r));
                steps.push(Step::new(
                    format!(
                        "create the rollup `{}` (a table kept by each batch)",
                        r.name
                    ),
                    tables.create_sql(r),
                ));
            }
            Db::Postgres => {}
        }
    }
}
