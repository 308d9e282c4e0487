//! Checks of the environment at run start, before any record is read: an
//! error of the environment must stop the run with a message naming what
//! is missing, not dead-letter every record. Today: every `lookup` step's
//! table exists and has its key columns and the fields of its `as T` type
//! (SQLite reads an unknown double-quoted name as a string literal, so a
//! misspelt column would otherwise be a silent constant).

use dash_check::{Program, Ty};
use dash_ir::{EffectPlan, StepKind};

use crate::plan::{Output, Plan};
use crate::store::Store;
use crate::summary::RunError;

/// Every lookup table the plan's reactors read, checked against the
/// database.
pub async fn check_lookups(plan: &Plan, checked: &Program, store: &Store) -> Result<(), RunError> {
    // The pipeline's reactors and those they call as steps.
    let mut used: Vec<&str> = plan.stages.iter().map(|s| s.name.as_str()).collect();
    let mut i = 0;
    while i < used.len() {
        if let Some(r) = plan.program.reactor(used[i]) {
            for step in &r.steps {
                if let StepKind::Compose { reactor, .. } = &step.kind
                    && !used.contains(&reactor.as_str())
                {
                    used.push(reactor);
                }
            }
        }
        i += 1;
    }
    let reactors = plan
        .program
        .reactors
        .iter()
        .filter(|r| used.contains(&r.name.as_str()));
    for reactor in reactors {
        for step in &reactor.steps {
            let StepKind::Effect(EffectPlan::Lookup {
                table,
                keys,
                record,
            }) = &step.kind
            else {
                continue;
            };
            let columns: Vec<String> = store
                .table_columns(table)
                .await?
                .into_iter()
                .map(|(name, _, _)| name)
                .collect();
            let what = format!("step `{}.{}`", reactor.name, step.name);
            if columns.is_empty() {
                return Err(RunError::Environment(format!(
                    "{what} looks up table `{table}`, which does not exist in the database; \
                     create it (or fix the name) and run again"
                )));
            }
            let mut wanted: Vec<(&str, &str)> = keys
                .iter()
                .map(|(k, _)| (k.as_str(), "a key column"))
                .collect();
            if let Ty::Record(id) = record {
                let rec = checked.record(*id);
                wanted.extend(
                    rec.fields
                        .iter()
                        .map(|f| (f.name.as_str(), "a field of its type")),
                );
            }
            for (column, role) in wanted {
                if !columns.iter().any(|c| c == column) {
                    let known = columns.join(", ");
                    return Err(RunError::Environment(format!(
                        "{what} looks up table `{table}`, which has no column `{column}` \
                         ({role}); its columns are {known}"
                    )));
                }
            }
        }
    }
    Ok(())
}

/// Without `--db` or `database:`, the project database is the embedded
/// SQLite file: a `postgres` sink cannot run there, and saying so before
/// opening it leaves no `dash.db` behind.
pub fn no_postgres_sink(plan: &Plan) -> Result<(), RunError> {
    let postgres = plan.sinks.iter().find(|s| {
        matches!(
            s.output,
            Output::Table {
                engine: Some(dash_check::plan::DbEngine::Postgres),
                ..
            }
        )
    });
    match postgres {
        Some(sink) => Err(RunError::Environment(format!(
            "sink `{}` is a `postgres` sink, but no database is configured; give one with \
             `--db postgres://USER@HOST/DB` or `database: postgres://…` in dash.yaml \
             (without either, the project database is an embedded SQLite file)",
            sink.name
        ))),
        None => Ok(()),
    }
}

/// The checks `dashc run` and `dashc dlq replay` make of a pipeline's
/// sinks before writing anything: a `postgres` sink refuses SQLite and a
/// `sqlite` sink PostgreSQL; `time` on PostgreSQL needs a `key` that
/// includes it (a hypertable, or a partitioned table without TimescaleDB,
/// where `compress_after` is a warning and rollups cannot follow
/// `on_conflict: update`).
pub fn check_sinks(store: &Store, sinks: &[crate::plan::SinkPlan]) -> Result<(), RunError> {
    for sink in sinks {
        let Output::Table { engine, .. } = &sink.output else {
            continue;
        };
        if let Some(engine) = engine
            && engine.name() != store.engine()
        {
            return Err(crate::store::StoreError::WrongEngine {
                sink: sink.name.clone(),
                engine: engine.name().into(),
                url: store.shown_url(),
            }
            .into());
        }
        if store.engine() == "sqlite" {
            // A warning at run start, never silently ignored.
            let options = [
                ("chunk", sink.chunk.is_some()),
                ("retention", sink.retention.is_some()),
                ("compress_after", sink.compress_after.is_some()),
                ("rollup", !sink.rollups.is_empty()),
            ];
            for (option, _) in options.iter().filter(|(_, set)| *set) {
                eprintln!(
                    "warning: sink `{}`: `{option}` works on PostgreSQL partitions (TimescaleDB); \
                     on SQLite `time` is an index and `{option}` has no effect",
                    sink.name
                );
            }
        }
        let Some(time) = &sink.time else {
            continue;
        };
        if store.engine() != "postgres" {
            continue;
        }
        let partitions = if store.timescale().is_some() {
            "a unique index of a hypertable covers its time column"
        } else {
            "a unique index of a partitioned table covers its partition column"
        };
        if !sink.key.is_empty() && !sink.key.contains(time) {
            return Err(RunError::Environment(format!(
                "sink `{}` is partitioned by `{time}`, so its `key` must include `{time}` \
                 ({partitions}); add it: `key: [{}, {time}]`",
                sink.name,
                sink.key.join(", ")
            )));
        }
        if store.timescale().is_none() {
            if sink.compress_after.is_some() {
                // LANGUAGE §8: a warning, never silently ignored.
                eprintln!(
                    "warning: sink `{}`: `compress_after` needs TimescaleDB, which is not \
                     installed in this database; its partitions stay uncompressed",
                    sink.name
                );
            }
            if !sink.rollups.is_empty() && sink.update {
                return Err(RunError::NotSupported(format!(
                    "sink `{}` has rollups and `on_conflict: update`: without TimescaleDB, Dash \
                     keeps rollups as tables that only ever add rows, so a replaced row would \
                     be counted twice. Use `on_conflict: skip`, or install TimescaleDB \
                     (`CREATE EXTENSION timescaledb`), whose continuous aggregates follow updates",
                    sink.name
                )));
            }
        }
    }
    Ok(())
}
