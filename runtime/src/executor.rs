//! `dashc run`: source -> batches -> transforms -> sinks, with every
//! batch's rows, dead letters and source checkpoint committed in one
//! transaction.
//!
//! The reader runs on its own thread behind a bounded channel, so a slow
//! database slows reading and memory stays bounded by the batch size.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use dash_compiler::Analysis;
use dash_compiler::check::Program;
use dash_compiler::interp::{self, Outcome, RowErrorCode};
use dash_compiler::stdlib::EvalContext;
use dash_compiler::value::Value;

use crate::config::{self, mask_url};
use crate::plan::{self, Output, Plan};
use crate::source::{self, RawRecord};
use crate::store::{Commit, DeadLetter, Store, StoreError, TableRows, columns_of, row_values};

#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// `--db URL`, over `dash.yaml`'s `database:`.
    pub db: Option<String>,
    /// `--env NAME`: the `dash.yaml` overrides to apply.
    pub env: Option<String>,
    /// `--pipeline NAME`, when the project has several.
    pub pipeline: Option<String>,
}

/// What a run did; `read = written + skipped + dead_lettered + duplicates`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    pub pipeline: String,
    /// The database, password masked.
    pub database: String,
    pub dlq_table: String,
    pub tables: Vec<String>,
    pub read: u64,
    pub written: u64,
    /// Rows whose `key` was already in the table (not written twice).
    pub duplicates: u64,
    pub skipped: u64,
    pub dead_lettered: u64,
    pub elapsed: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error(transparent)]
    Plan(#[from] plan::PlanError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Source(#[from] source::SourceError),
    #[error("cannot write `{path}`: {message}")]
    Output { path: String, message: String },
}

/// Progress reports during a run (records read so far, written, DLQ).
pub type Progress<'a> = &'a mut dyn FnMut(&Summary);

pub async fn run(
    analysis: &Analysis,
    dir: &Path,
    options: &RunOptions,
    progress: Progress<'_>,
) -> Result<Summary, RunError> {
    let started = Instant::now();
    let config = config::load(dir, options.env.as_deref())?;
    let plan = plan::plan(analysis, dir, options.pipeline.as_deref(), &config)?;
    let url = options
        .db
        .clone()
        .or(config.database.clone())
        .unwrap_or_else(|| format!("sqlite://{}", dir.join("dash.db").display()));
    let store = Store::open(&url, &mask_url(&url)).await?;
    store.ensure_dlq(&plan.dlq_table).await?;
    let program = &analysis.program;
    let mut tables = Vec::new();
    for sink in &plan.sinks {
        if let Output::Table { table, engine } = &sink.output {
            if let Some(engine) = engine
                && *engine != store.engine()
            {
                return Err(StoreError::WrongEngine {
                    sink: sink.name.clone(),
                    engine: (*engine).into(),
                    url: mask_url(&url),
                }
                .into());
            }
            store
                .ensure_table(
                    table,
                    &columns_of(program, sink.record),
                    &sink.key,
                    sink.time.as_deref(),
                )
                .await?;
            tables.push(table.clone());
        }
    }
    let start = store.checkpoint(&plan.pipeline, &plan.source.name).await?;
    let run_id = store.start_run(&plan.pipeline).await?;
    tracing::info!(
        pipeline = %plan.pipeline,
        database = %mask_url(&url),
        from_byte = start,
        run = run_id,
        "run started"
    );
    let mut summary = Summary {
        pipeline: plan.pipeline.clone(),
        database: mask_url(&url),
        dlq_table: plan.dlq_table.clone(),
        tables,
        ..Summary::default()
    };
    let result = pump(&plan, analysis, &store, start, &mut summary, progress).await;
    summary.elapsed = started.elapsed();
    let status = if result.is_ok() { "finished" } else { "failed" };
    tracing::info!(
        pipeline = %summary.pipeline,
        status,
        read = summary.read,
        written = summary.written,
        skipped = summary.skipped,
        dead_lettered = summary.dead_lettered,
        "run ended"
    );
    store
        .finish_run(
            run_id,
            status,
            [
                summary.read,
                summary.written + summary.duplicates,
                summary.skipped,
                summary.dead_lettered,
            ],
        )
        .await?;
    store.close().await;
    result.map(|()| summary)
}

async fn pump(
    plan: &Plan,
    analysis: &Analysis,
    store: &Store,
    start: u64,
    summary: &mut Summary,
    progress: Progress<'_>,
) -> Result<(), RunError> {
    let batch_size = plan
        .sinks
        .iter()
        .map(|s| s.batch)
        .min()
        .unwrap_or(1000)
        .max(1);
    let linger = plan
        .sinks
        .iter()
        .map(|s| s.linger)
        .min()
        .unwrap_or(Duration::from_millis(500));
    let program = &analysis.program;
    let mut records = source::spawn(&plan.source, program, start, batch_size * 2);
    let mut files = open_files(plan)?;
    loop {
        let mut batch: Vec<RawRecord> = Vec::with_capacity(batch_size);
        let deadline = tokio::time::Instant::now() + linger;
        let mut finished = false;
        while batch.len() < batch_size {
            match tokio::time::timeout_at(deadline, records.recv()).await {
                Ok(Some(Ok(r))) => batch.push(r),
                Ok(Some(Err(e))) => return Err(e.into()),
                Ok(None) => {
                    finished = true;
                    break;
                }
                Err(_) => break, // linger elapsed: flush what we have
            }
        }
        if !batch.is_empty() {
            let commit = process(plan, analysis, &batch, summary, &mut files)?;
            let written = store
                .commit(&plan.pipeline, &plan.source.name, &plan.dlq_table, &commit)
                .await?;
            let rows: u64 = commit.tables.iter().map(|t| t.rows.len() as u64).sum();
            tracing::debug!(
                records = batch.len(),
                rows,
                written,
                dead = commit.dead.len(),
                position = commit.position,
                "batch committed"
            );
            summary.written += written;
            summary.duplicates += rows.saturating_sub(written);
            progress(summary);
        }
        if finished {
            return Ok(());
        }
    }
}

/// Decode, transform and route one batch. Each dead letter keeps the
/// `end` of its record as its position.
pub(crate) fn process(
    plan: &Plan,
    analysis: &Analysis,
    batch: &[RawRecord],
    summary: &mut Summary,
    files: &mut [(PathBuf, std::fs::File)],
) -> Result<Commit, RunError> {
    let program = &analysis.program;
    let cx = EvalContext {
        now: chrono::Utc::now().timestamp_micros(),
    };
    let mut commit = Commit {
        position: batch.last().map_or(0, |r| r.end),
        ..Commit::default()
    };
    for sink in &plan.sinks {
        if let Output::Table { table, .. } = &sink.output {
            commit.tables.push(TableRows {
                table: table.clone(),
                columns: columns_of(program, sink.record)
                    .into_iter()
                    .map(|c| c.name)
                    .collect(),
                rows: Vec::new(),
            });
        }
    }
    let mut stdout = std::io::stdout().lock();
    for record in batch {
        summary.read += 1;
        let value = match decode(record, plan, program) {
            Ok(v) => v,
            Err(message) => {
                summary.dead_lettered += 1;
                commit.dead.push(DeadLetter {
                    stage: "decode".into(),
                    code: RowErrorCode::Decode.as_str().into(),
                    message,
                    location: None,
                    raw: record.raw.clone(),
                    position: record.end,
                });
                continue;
            }
        };
        match transform(plan, value, &cx) {
            Ok(Some(out)) => {
                let mut tables = commit.tables.iter_mut();
                for sink in &plan.sinks {
                    match &sink.output {
                        Output::Table { .. } => {
                            if let Some(t) = tables.next() {
                                t.rows.push(row_values(program, &out));
                            }
                        }
                        Output::Stdout => {
                            let line = dash_compiler::decode::encode_record(&out, program);
                            let _ = writeln!(stdout, "{line}");
                        }
                        Output::File(path) => {
                            let line = dash_compiler::decode::encode_record(&out, program);
                            if let Some((_, f)) = files.iter_mut().find(|(p, _)| p == path) {
                                writeln!(f, "{line}").map_err(|e| RunError::Output {
                                    path: path.display().to_string(),
                                    message: e.to_string(),
                                })?;
                            }
                        }
                    }
                }
            }
            Ok(None) => summary.skipped += 1,
            Err((stage, error)) => {
                summary.dead_lettered += 1;
                let location = location(analysis, &error);
                commit.dead.push(DeadLetter {
                    stage,
                    code: error.code.as_str().into(),
                    message: error.message,
                    location,
                    raw: record.raw.clone(),
                    position: record.end,
                });
            }
        }
    }
    for (path, f) in files.iter_mut() {
        f.flush().map_err(|e| RunError::Output {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
    }
    Ok(commit)
}

fn decode(record: &RawRecord, plan: &Plan, program: &Program) -> Result<Value, String> {
    if let Some(why) = &record.broken {
        return Err(why.clone());
    }
    let decoded = match &record.json {
        Some(json) => dash_compiler::decode::decode_record(json, plan.source.record, program),
        None => dash_compiler::decode::decode_line(&record.raw, plan.source.record, program),
    };
    decoded.map_err(|e| e.to_string())
}

/// Run the stages in order: `Ok(None)` when a stage skipped the row,
/// `Err((stage, error))` when one failed it.
fn transform(
    plan: &Plan,
    mut value: Value,
    cx: &EvalContext,
) -> Result<Option<Value>, (String, interp::RowError)> {
    for stage in &plan.stages {
        match interp::run(&plan.program, stage.func, &[value], cx) {
            Outcome::Value(v) => value = v,
            Outcome::Skipped => return Ok(None),
            Outcome::Failed(e) => return Err((stage.name.clone(), e)),
        }
    }
    Ok(Some(value))
}

/// `file:line:col` of a row error, from the span the IR kept.
fn location(analysis: &Analysis, error: &interp::RowError) -> Option<String> {
    let file = analysis.files.get(error.file.0 as usize)?;
    let (line, col) = file.line_col(error.span.start as usize);
    Some(format!("{}:{line}:{col}", file.path))
}

pub(crate) fn open_files(plan: &Plan) -> Result<Vec<(PathBuf, std::fs::File)>, RunError> {
    plan.sinks
        .iter()
        .filter_map(|s| match &s.output {
            Output::File(p) => Some(p.clone()),
            _ => None,
        })
        .map(|path| {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .map(|f| (path.clone(), f))
                .map_err(|e| RunError::Output {
                    path: path.display().to_string(),
                    message: e.to_string(),
                })
        })
        .collect()
}

/// [`run`] on a fresh tokio runtime (what `dashc run` calls).
pub fn run_blocking(
    analysis: &Analysis,
    dir: &Path,
    options: &RunOptions,
    progress: Progress<'_>,
) -> Result<Summary, RunError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| RunError::Output {
            path: "<runtime>".into(),
            message: e.to_string(),
        })?;
    runtime.block_on(run(analysis, dir, options, progress))
}
