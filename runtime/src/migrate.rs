//! `dashc migrate`: the DDL the project's sinks need of the database —
//! Dash's own tables, dead-letter tables, sink tables (hypertables or
//! partitioned tables), added columns, key indexes, policies and rollups
//! — planned as steps (`store::schema`) from what the database has, and
//! applied on request. A database in step with the project needs no step,
//! so a second apply does nothing. A run makes the same changes itself;
//! `migrate` lets them be reviewed, or made ahead by someone allowed to.

use std::path::Path;

use dash_ir::Compiled;

use crate::config;
use crate::executor::RunOptions;
use crate::owner::schema_lock;
use crate::plan::{Output, Plan};
use crate::store::schema::{Db, Step, TableSpec, table_steps};
use crate::store::{Store, columns_of, mask_url};
use crate::summary::RunError;

/// What `migrate` found and did.
#[derive(Debug)]
pub struct Migration {
    /// The database, as it may be printed.
    pub database: String,
    /// `SQLite`, `PostgreSQL` or `PostgreSQL with TimescaleDB 2.28.3`.
    pub engine: String,
    /// The steps needed, in order; with `apply`, all were applied.
    pub steps: Vec<Step>,
    pub applied: bool,
}

/// Plan the steps of every pipeline (or `options.pipeline`); apply them
/// in order when `apply` (each reported to `on_applied` once done).
pub fn migrate(
    compiled: &Compiled,
    dir: &Path,
    options: &RunOptions,
    apply: bool,
    on_applied: &mut dyn FnMut(&Step),
) -> Result<Migration, RunError> {
    let config = config::load(dir, options.env.as_deref())?;
    let url = config.database_url(options.db.as_deref(), dir);
    let database = mask_url(&url);
    let names: Vec<String> = match &options.pipeline {
        Some(name) => vec![name.clone()],
        None => compiled
            .plan()
            .pipelines
            .iter()
            .map(|p| p.name.clone())
            .collect(),
    };
    if names.is_empty() {
        return Err(crate::plan::PlanError::NoPipeline.into());
    }
    let mut plans = Vec::new();
    for name in &names {
        let plan = crate::plan::plan(compiled, dir, Some(name), &config)?;
        if options.db.is_none() && config.database.is_none() {
            crate::preflight::no_postgres_sink(&plan)?;
        }
        plans.push(plan);
    }
    let runtime = crate::executor::new_runtime()?;
    runtime.block_on(async {
        // Held while planning and applying: runs and other migrations of
        // this database wait.
        let _lock = if apply {
            Some(schema_lock(&url).await?)
        } else {
            None
        };
        let store = if apply {
            Store::open_for_ddl(&url, &database, config.copy_format).await?
        } else {
            Store::inspect(&url, &database, config.copy_format).await?
        };
        let result = plan_and_apply(&store, compiled, &plans, apply, on_applied).await;
        let engine = match (store.engine(), store.timescale()) {
            ("sqlite", _) => "SQLite".to_string(),
            (_, Some(version)) => format!("PostgreSQL with TimescaleDB {version}"),
            _ => "PostgreSQL".to_string(),
        };
        store.close().await;
        Ok(Migration {
            database,
            engine,
            steps: result?,
            applied: apply,
        })
    })
}

async fn plan_and_apply(
    store: &Store,
    compiled: &Compiled,
    plans: &[Plan],
    apply: bool,
    on_applied: &mut dyn FnMut(&Step),
) -> Result<Vec<Step>, RunError> {
    for plan in plans {
        crate::preflight::check_sinks(store, &plan.sinks)?;
    }
    let mut steps = store.migration_steps().await?;
    let mut seen = Vec::new();
    for plan in plans {
        if !seen.contains(&plan.dlq_table) {
            steps.extend(store.dlq_steps(&plan.dlq_table).await?);
            seen.push(plan.dlq_table.clone());
        }
    }
    // A table two sinks share is planned from the first.
    let mut tables: Vec<&str> = Vec::new();
    for sink in plans.iter().flat_map(|p| &p.sinks) {
        let Output::Table { table, .. } = &sink.output else {
            continue;
        };
        if tables.contains(&table.as_str()) {
            continue;
        }
        tables.push(table);
        let columns = columns_of(&compiled.checked, sink.record);
        let added = crate::evolve::columns_to_add(store, sink, table, &columns).await?;
        let spec = TableSpec {
            table,
            columns: &columns,
            key: &sink.key,
            time: sink.time_column(),
            rollups: &sink.rollups,
        };
        let facts = store.table_facts(&spec).await?;
        if let (Db::Postgres, Some(time)) = (store.db(), &sink.time)
            && facts.exists
            && !facts.partitioned
        {
            return Err(RunError::Environment(crate::store::not_partitioned(
                table, time,
            )));
        }
        steps.extend(table_steps(
            store.db(),
            store.sql_type(),
            &spec,
            &facts,
            &added,
        ));
    }
    if apply {
        for step in &steps {
            store.apply(step).await?;
            on_applied(step);
        }
    }
    Ok(steps)
}
