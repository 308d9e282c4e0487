//! The dead-letter table: reading it (`dashc dlq list|show`) and replaying
//! it through the current code (`dashc dlq replay`).
//!
//! Reading never creates anything: a database that does not exist, or a
//! DLQ table that is not in it, is an error that says so.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use dash_ir::Compiled;

use crate::config::{self, Config, mask_url};
use crate::executor::{RunError, RunOptions};
use crate::plan::{DEFAULT_DLQ, Output, PlanError};
use crate::store::{DlqEntry, Store};

/// Why reading or replaying the DLQ failed.
#[derive(Debug, thiserror::Error)]
pub enum DlqError {
    #[error(transparent)]
    Run(#[from] RunError),
    #[error("invalid `--since {value}`: {reason}")]
    Since { value: String, reason: BadSince },
    #[error(
        "the database {url} does not exist, so it has no dead letters; run the pipeline first \
         (`dashc run`), or name the project's database with `--project DIR` or `--db URL`"
    )]
    NoDatabase { url: String },
    #[error(
        "the database {url} has no dead-letter table `{table}`; a pipeline that names its own \
         (`dlq: \"…\"`) is read with `--table NAME`"
    )]
    NoTable { url: String, table: String },
}

impl From<crate::store::StoreError> for DlqError {
    fn from(e: crate::store::StoreError) -> DlqError {
        DlqError::Run(e.into())
    }
}

impl From<config::ConfigError> for DlqError {
    fn from(e: config::ConfigError) -> DlqError {
        DlqError::Run(e.into())
    }
}

impl From<PlanError> for DlqError {
    fn from(e: PlanError) -> DlqError {
        DlqError::Run(e.into())
    }
}

impl From<crate::source::SourceError> for DlqError {
    fn from(e: crate::source::SourceError) -> DlqError {
        DlqError::Run(e.into())
    }
}

/// `--since`: an instant, or a duration back from now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Since {
    /// An RFC 3339 time with its offset (`2026-11-30T10:00:00+01:00`).
    At(DateTime<Utc>),
    /// `30m`, `2h`, `7d`, `1h30m` (units `s`, `m`, `h`, `d`, `w`).
    Ago(TimeDelta),
}

/// Text that is neither an RFC 3339 time with an offset nor a duration.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "expected an RFC 3339 time with an offset (2026-11-30T10:00:00Z, \
     2026-11-30T10:00:00+01:00) or a duration back from now (30m, 2h, 7d)"
)]
pub struct BadSince;

impl FromStr for Since {
    type Err = BadSince;

    fn from_str(text: &str) -> Result<Since, BadSince> {
        if let Ok(t) = DateTime::parse_from_rfc3339(text) {
            return Ok(Since::At(t.with_timezone(&Utc)));
        }
        duration(text).map(Since::Ago).ok_or(BadSince)
    }
}

impl Since {
    /// `text` as `--since`, or the error naming the flag and the value.
    pub fn parse(text: &str) -> Result<Since, DlqError> {
        text.parse().map_err(|reason| DlqError::Since {
            value: text.to_string(),
            reason,
        })
    }

    /// The earliest first failure kept, for a replay at `now`.
    pub fn cutoff(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Since::At(t) => *t,
            Since::Ago(d) => now
                .checked_sub_signed(*d)
                .unwrap_or(DateTime::<Utc>::MIN_UTC),
        }
    }
}

/// `2h`, `30m`, `1h30m`: one or more whole numbers each with its unit.
fn duration(text: &str) -> Option<TimeDelta> {
    let mut total = TimeDelta::zero();
    let mut rest = text;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let number: i64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let seconds: i64 = match &rest[..unit] {
            "s" => 1,
            "m" => 60,
            "h" => 3_600,
            "d" => 86_400,
            "w" => 7 * 86_400,
            _ => return None,
        };
        rest = &rest[unit..];
        let part = TimeDelta::try_seconds(number.checked_mul(seconds)?)?;
        total = total.checked_add(&part)?;
    }
    Some(total)
}

/// Dead letters read from one DLQ table.
#[derive(Clone, Debug)]
pub struct Letters {
    /// The database, password masked.
    pub database: String,
    pub table: String,
    pub entries: Vec<DlqEntry>,
}

/// The DLQ table read when none is named: `dlq:` in `dash.yaml`, else
/// `dash_dlq`.
fn default_table(config: &Config) -> String {
    config.dlq.clone().unwrap_or_else(|| DEFAULT_DLQ.into())
}

fn tokio_runtime() -> Result<tokio::runtime::Runtime, RunError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| RunError::Runtime(e.to_string()))
}

/// The dead letters of the project in `dir` (all, one pipeline's, or
/// one): from `table`, else the default table. Creates nothing.
pub fn read(
    dir: &Path,
    db: Option<&str>,
    env: Option<&str>,
    table: Option<&str>,
    pipeline: Option<&str>,
    id: Option<i64>,
) -> Result<Letters, DlqError> {
    let config = config::load(dir, env)?;
    let url = config.database_url(db, dir);
    let database = mask_url(&url);
    let table = table.map_or_else(|| default_table(&config), str::to_string);
    tokio_runtime()?.block_on(async {
        let store = Store::open_existing(&url, &database, config.copy_format)
            .await?
            .ok_or_else(|| DlqError::NoDatabase {
                url: database.clone(),
            })?;
        let entries = match store.has_table(&table).await {
            Ok(true) => store.dlq_entries(&table, pipeline, id).await.map(Some),
            Ok(false) => Ok(None),
            Err(e) => Err(e),
        };
        store.close().await;
        match entries? {
            Some(entries) => Ok(Letters {
                database,
                table,
                entries,
            }),
            None => Err(DlqError::NoTable {
                url: database,
                table,
            }),
        }
    })
}

/// The DLQ entries of the project in `dir` (all, one pipeline's, or one)
/// and the database they are in: [`read`] without the table's name.
pub fn entries(
    dir: &Path,
    db: Option<&str>,
    env: Option<&str>,
    table: Option<&str>,
    pipeline: Option<&str>,
    id: Option<i64>,
) -> Result<(String, Vec<DlqEntry>), DlqError> {
    let letters = read(dir, db, env, table, pipeline, id)?;
    Ok((letters.database, letters.entries))
}

/// What a replay did, for one pipeline.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Replayed {
    pub pipeline: String,
    /// The DLQ table its letters were read from (and stay in).
    pub table: String,
    pub attempted: usize,
    /// Now written (or skipped by the pipeline): removed from the DLQ.
    pub resolved: usize,
    /// Still failing: kept, with how they failed this time and one more
    /// attempt counted.
    pub failing: usize,
    pub written: u64,
}

/// Dead letters a replay left alone: their pipeline is not in the project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unknown {
    pub table: String,
    pub pipeline: String,
    pub letters: usize,
}

/// What `dashc dlq replay` did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Replay {
    /// One per pipeline considered, in the project's order.
    pub pipelines: Vec<Replayed>,
    /// Letters of pipelines the project does not have (only looked for
    /// when no pipeline is named).
    pub unknown: Vec<Unknown>,
}

/// How to replay: which DLQ table and which letters.
#[derive(Clone, Debug, Default)]
pub struct ReplayOptions {
    /// `--table T`: read and update this DLQ table instead of each
    /// pipeline's own (`dlq:`, else `dlq:` in `dash.yaml`, else
    /// `dash_dlq`).
    pub table: Option<String>,
    /// `--since`: only letters that first failed at or after this.
    pub since: Option<Since>,
}

/// Re-run the raw records of the DLQ through the *current* code of one
/// pipeline (`options.pipeline`, or the project's only one). `since`, as
/// `--since`, keeps letters first failed at or after an RFC 3339 time or
/// within a duration. See [`replay_with`].
pub fn replay(
    compiled: &Compiled,
    dir: &Path,
    options: &RunOptions,
    since: Option<&str>,
) -> Result<Replayed, DlqError> {
    if options.pipeline.is_none() {
        let pipelines = &compiled.plan().pipelines;
        if pipelines.len() > 1 {
            let names: Vec<String> = pipelines.iter().map(|p| format!("`{}`", p.name)).collect();
            return Err(PlanError::SeveralPipelines(names.join(", ")).into());
        }
    }
    let replay = ReplayOptions {
        table: None,
        since: since.map(Since::parse).transpose()?,
    };
    let mut done = replay_with(compiled, dir, options, &replay)?;
    Ok(done.pipelines.pop().unwrap_or_default())
}

/// Re-run the raw records of the DLQ through the *current* pipeline code.
/// Per pipeline, rows that now succeed are written and their letters
/// deleted, in one transaction; the others stay, updated with how they
/// failed this time (stage, code, message, location), one more attempt
/// and the time.
///
/// The pipelines: `options.pipeline`, else every pipeline of the project
/// (each from its own DLQ table unless `replay.table` names one). A
/// pipeline named, or the project's only one, is planned and checked
/// (the checks of `dashc run`: sink engines, lookup tables) even without
/// letters; otherwise pipelines without letters are only reported.
/// Letters of pipelines the project does not have are counted in
/// [`Replay::unknown`] and left alone. Every pipeline with
/// letters is planned and checked before any is replayed. The database
/// must exist; nothing is created for a pipeline without letters.
pub fn replay_with(
    compiled: &Compiled,
    dir: &Path,
    options: &RunOptions,
    replay: &ReplayOptions,
) -> Result<Replay, DlqError> {
    let config = config::load(dir, options.env.as_deref())?;
    let url = config.database_url(options.db.as_deref(), dir);
    let database = mask_url(&url);
    let run_plan = compiled.plan();
    let names: Vec<String> = match &options.pipeline {
        Some(name) => vec![name.clone()],
        None => run_plan.pipelines.iter().map(|p| p.name.clone()).collect(),
    };
    if names.is_empty() {
        return Err(PlanError::NoPipeline.into());
    }
    // Planned and checked even without letters.
    let always = options.pipeline.is_some() || names.len() == 1;
    // Each pipeline's DLQ table, as `plan` names it.
    let table_of = |name: &str| {
        replay.table.clone().unwrap_or_else(|| {
            run_plan
                .pipeline(name)
                .and_then(|p| p.dlq.clone())
                .unwrap_or_else(|| default_table(&config))
        })
    };
    let cutoff = replay.since.map(|s| s.cutoff(Utc::now()));
    let runtime = tokio_runtime()?;
    let store = runtime
        .block_on(Store::open_existing(&url, &database, config.copy_format))?
        .ok_or_else(|| DlqError::NoDatabase {
            url: database.clone(),
        })?;
    let store = Arc::new(store);
    let result = replay_pipelines(
        &runtime, &store, compiled, dir, options, &config, &names, always, &table_of, cutoff,
        replay,
    );
    if let Ok(store) = Arc::try_unwrap(store) {
        runtime.block_on(store.close());
    }
    result
}

/// [`replay_with`] once the store is open.
#[allow(clippy::too_many_arguments)]
fn replay_pipelines(
    runtime: &tokio::runtime::Runtime,
    store: &Arc<Store>,
    compiled: &Compiled,
    dir: &Path,
    options: &RunOptions,
    config: &Config,
    names: &[String],
    always: bool,
    table_of: &dyn Fn(&str) -> String,
    cutoff: Option<DateTime<Utc>>,
    replay: &ReplayOptions,
) -> Result<Replay, DlqError> {
    let kept = |e: &DlqEntry| cutoff.is_none_or(|c| failed_since(&e.first_failed_at, c));
    if let Some(table) = &replay.table
        && !runtime.block_on(store.has_table(table))?
    {
        return Err(DlqError::NoTable {
            url: store.shown_url(),
            table: table.clone(),
        });
    }
    // The letters of each table, all pipelines' when none is named (to
    // find those of pipelines the project does not have).
    let mut tables: BTreeMap<String, Vec<DlqEntry>> = BTreeMap::new();
    for name in names {
        let table = table_of(name);
        if tables.contains_key(&table) {
            continue;
        }
        let only = options.pipeline.as_deref();
        let letters = if runtime.block_on(store.has_table(&table))? {
            runtime.block_on(store.dlq_entries(&table, only, None))?
        } else {
            Vec::new()
        };
        tables.insert(table, letters.into_iter().filter(|e| kept(e)).collect());
    }
    let mut done = Replay::default();
    // Plan and check every pipeline with letters before replaying any.
    let mut work = Vec::new();
    for name in names {
        let table = table_of(name);
        let letters: Vec<DlqEntry> = tables[&table]
            .iter()
            .filter(|e| &e.pipeline == name)
            .cloned()
            .collect();
        if letters.is_empty() && !always {
            done.pipelines.push(Replayed {
                pipeline: name.clone(),
                table,
                ..Replayed::default()
            });
            continue;
        }
        // The checks of `dashc run`, before anything is written.
        let mut plan = crate::plan::plan(compiled, dir, Some(name), config)?;
        if options.db.is_none() && config.database.is_none() {
            crate::preflight::no_postgres_sink(&plan)?;
        }
        crate::preflight::check_sinks(store, &plan.sinks)?;
        runtime.block_on(crate::preflight::check_lookups(
            &plan,
            &compiled.checked,
            store,
        ))?;
        plan.dlq_table = table;
        work.push((plan, letters));
    }
    if options.pipeline.is_none() {
        let mut unknown: BTreeMap<(String, String), usize> = BTreeMap::new();
        for (table, letters) in &tables {
            for e in letters.iter().filter(|e| !names.contains(&e.pipeline)) {
                *unknown
                    .entry((table.clone(), e.pipeline.clone()))
                    .or_default() += 1;
            }
        }
        done.unknown = unknown
            .into_iter()
            .map(|((table, pipeline), letters)| Unknown {
                table,
                pipeline,
                letters,
            })
            .collect();
    }
    for (plan, letters) in work {
        let replayed = replay_pipeline(runtime, store, compiled, options, &plan, &letters)?;
        done.pipelines.push(replayed);
    }
    // In the project's order.
    done.pipelines
        .sort_by_key(|r| names.iter().position(|n| *n == r.pipeline));
    Ok(done)
}

/// Replay one pipeline's letters (all from `plan.dlq_table`).
fn replay_pipeline(
    runtime: &tokio::runtime::Runtime,
    store: &Arc<Store>,
    compiled: &Compiled,
    options: &RunOptions,
    plan: &crate::plan::Plan,
    letters: &[DlqEntry],
) -> Result<Replayed, DlqError> {
    let mut replayed = Replayed {
        pipeline: plan.pipeline.clone(),
        table: plan.dlq_table.clone(),
        attempted: letters.len(),
        ..Replayed::default()
    };
    if letters.is_empty() {
        return Ok(replayed);
    }
    let program = &compiled.checked;
    runtime.block_on(async {
        for sink in &plan.sinks {
            if let Output::Table { table, .. } = &sink.output {
                // As a run: the table is brought in step with the type first.
                let columns = crate::store::columns_of(program, sink.record);
                for column in crate::evolve::evolve(store, sink, table, &columns).await? {
                    eprintln!(
                        "note: sink `{}`: added column `{column}` to table `{table}`",
                        sink.name
                    );
                }
                store
                    .ensure_table(
                        table,
                        &crate::store::columns_of(program, sink.record),
                        &sink.key,
                        sink.time_column(),
                    )
                    .await?;
                // Rollups kept by Dash (without TimescaleDB) count what a
                // replay writes, too.
                if let Some(time) = &sink.time {
                    let group_by: Vec<String> =
                        sink.key.iter().filter(|k| *k != time).cloned().collect();
                    store
                        .ensure_rollups(table, time, &group_by, &sink.rollups, sink.retention)
                        .await?;
                }
            }
        }
        Ok::<_, DlqError>(())
    })?;
    // The position of a replayed record carries its DLQ id.
    let raws: Vec<(String, u64)> = letters
        .iter()
        .map(|e| (e.raw.clone(), e.id as u64))
        .collect();
    let records = crate::source::reparse(&plan.source, program, &raws)?;
    let mut summary = crate::executor::Summary {
        sinks: plan.sinks.iter().map(crate::executor::sink_count).collect(),
        ..Default::default()
    };
    let mut files = crate::file_sink::FileSinks::open(plan)?;
    // Lines of a run that never committed are cut away first, as a run
    // would; the source's checkpoint stays where it is.
    let checkpoint = runtime.block_on(store.checkpoint(&plan.pipeline, &plan.source.name))?;
    runtime.block_on(files.recover(store, plan, checkpoint))?;
    let jit = crate::executor::compile(options, plan)?;
    let engine = dash_jit::engine::Engine::of(jit.as_ref(), &plan.program);
    // The batch is processed here, outside the runtime, so reactors'
    // lookups and HTTP calls can use it.
    let mut reactors = crate::batch::Reactors::new(plan, store.clone(), runtime, program);
    let commit = crate::batch::process(
        plan,
        compiled,
        engine,
        &records,
        &mut summary,
        &mut files,
        Some(&mut reactors),
    )?;
    drop(reactors);
    let failed: Vec<(i64, crate::store::DeadLetter)> = commit
        .dead
        .iter()
        .map(|d| (d.position as i64, d.clone()))
        .collect();
    let failing: HashSet<i64> = failed.iter().map(|(id, _)| *id).collect();
    let resolved: Vec<i64> = letters
        .iter()
        .map(|e| e.id)
        .filter(|id| !failing.contains(id))
        .collect();
    // Lines written to `stdout` and `file` sinks count as written too.
    let lines: u64 = plan
        .sinks
        .iter()
        .zip(&summary.sinks)
        .filter(|(sink, _)| !matches!(sink.output, crate::plan::Output::Table { .. }))
        .map(|(_, counts)| counts.written)
        .sum();
    replayed.written = lines
        + runtime.block_on(store.replay(
            &plan.dlq_table,
            &commit.tables,
            &resolved,
            &failed,
            &plan.pipeline,
            &commit.sink_positions,
        ))?;
    replayed.resolved = resolved.len();
    replayed.failing = failed.len();
    Ok(replayed)
}

/// Whether a letter's first failure (as a store gives it) is at or after
/// `cutoff`.
fn failed_since(first_failed_at: &str, cutoff: DateTime<Utc>) -> bool {
    match DateTime::parse_from_rfc3339(&first_failed_at.replace(' ', "T")) {
        Ok(t) => t >= cutoff,
        // Not RFC 3339: compare as text, to the second, in UTC.
        Err(_) => {
            let text: String = first_failed_at.replace(' ', "T").chars().take(19).collect();
            text >= cutoff.format("%Y-%m-%dT%H:%M:%S").to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_is_a_time_with_an_offset_or_a_duration() {
        let at = |t: &str| DateTime::parse_from_rfc3339(t).unwrap().with_timezone(&Utc);
        assert_eq!(
            "2026-11-30T10:00:00+01:00".parse(),
            Ok(Since::At(at("2026-11-30T09:00:00Z")))
        );
        assert_eq!("2h".parse(), Ok(Since::Ago(TimeDelta::hours(2))));
        assert_eq!("30m".parse(), Ok(Since::Ago(TimeDelta::minutes(30))));
        assert_eq!("7d".parse(), Ok(Since::Ago(TimeDelta::days(7))));
        assert_eq!("1h30m".parse(), Ok(Since::Ago(TimeDelta::minutes(90))));
        for bad in [
            "",
            "2",
            "h",
            "-2h",
            "2 h",
            "2hours",
            "2026-11-30",
            "2026-11-30T10:00:00",
            "yesterday",
            "99999999999999999w",
        ] {
            assert_eq!(bad.parse::<Since>(), Err(BadSince), "{bad}");
        }
        let now = at("2026-11-30T12:00:00Z");
        assert_eq!(
            Since::Ago(TimeDelta::hours(2)).cutoff(now),
            at("2026-11-30T10:00:00Z")
        );
    }

    #[test]
    fn first_failures_compare_as_times() {
        let cutoff = DateTime::parse_from_rfc3339("2026-11-30T10:00:00+01:00")
            .unwrap()
            .with_timezone(&Utc);
        assert!(failed_since("2026-11-30T09:00:00.000001Z", cutoff));
        assert!(failed_since("2026-11-30T09:00:00Z", cutoff));
        assert!(!failed_since("2026-11-30T08:59:59.999999Z", cutoff));
        assert!(failed_since("2026-11-30 09:30:00", cutoff));
    }
}
