//! `dashc run`: source -> batches -> transforms -> sinks, with every
//! batch's rows, dead letters and source checkpoint committed in one
//! transaction.
//!
//! Three threads of work, joined by bounded channels so a slow database
//! slows reading and memory stays bounded by a few batches: the source
//! reader, this thread (decode + transform), and the writer (`writer.rs`)
//! committing on the tokio runtime.

use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};

use dash_compiler::Analysis;
use dash_compiler::check::Program;
use dash_compiler::engine::Engine;
use dash_compiler::jit::Jit;

use crate::batch::{self, Reactors};
use crate::config::{self, mask_url};
use crate::file_sink::FileSinks;
use crate::plan::{self, Output, Plan};
use crate::source::{self, RawRecord};
use crate::store::{CopyFormat, Store, StoreError, columns_of};
use crate::writer::{self, Target, Written};

#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// `--db URL`, over `dash.yaml`'s `database:`.
    pub db: Option<String>,
    /// `--env NAME`: the `dash.yaml` overrides to apply.
    pub env: Option<String>,
    /// `--pipeline NAME`, when the project has several.
    pub pipeline: Option<String>,
    /// `--engine interp`: run transforms on the reference interpreter
    /// instead of the JIT.
    pub interpret: bool,
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
    /// Batch commits retried after the database went away.
    pub retries: u32,
    /// Queries made by reactors' `lookup` steps (one per batch and step,
    /// fewer with `cache`).
    pub lookup_queries: u64,
    /// The committed source position (bytes) and the input's size, when
    /// known: progress.
    pub position: u64,
    pub total_bytes: Option<u64>,
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
    #[error("the async runtime failed: {0}")]
    Runtime(String),
    #[error(transparent)]
    Jit(#[from] dash_compiler::jit::JitError),
}

/// Progress reports during a run (records read so far, written, DLQ).
pub type Progress<'a> = &'a mut dyn FnMut(&Summary);

/// Run a pipeline to the end of its input: set up the database, then
/// [`pump`] batches through. Builds its own tokio runtime (two workers:
/// the database writer runs there while this thread transforms).
pub fn run_blocking(
    analysis: &Analysis,
    dir: &Path,
    options: &RunOptions,
    progress: Progress<'_>,
) -> Result<Summary, RunError> {
    let started = Instant::now();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| RunError::Runtime(e.to_string()))?;
    let config = config::load(dir, options.env.as_deref())?;
    let plan = plan::plan(analysis, dir, options.pipeline.as_deref(), &config)?;
    let url = config.database_url(options.db.as_deref(), dir);
    let jit = compile(options, &plan)?;
    let engine = Engine::of(jit.as_ref(), &plan.program);
    let program = &analysis.program;
    let (store, tables) = runtime.block_on(prepare(&plan, program, &url, config.copy_format))?;
    let store = Arc::new(store);
    let start = runtime.block_on(store.checkpoint(&plan.pipeline, &plan.source.name))?;
    let run_id = runtime.block_on(store.start_run(&plan.pipeline))?;
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
        position: start,
        total_bytes: source::total_bytes(&plan.source),
        ..Summary::default()
    };
    let result = pump(
        &runtime,
        &plan,
        analysis,
        engine,
        store.clone(),
        start,
        &mut summary,
        progress,
    );
    summary.elapsed = started.elapsed();
    let status = if result.is_ok() { "finished" } else { "failed" };
    tracing::info!(
        pipeline = %summary.pipeline,
        status,
        read = summary.read,
        written = summary.written,
        skipped = summary.skipped,
        dead_lettered = summary.dead_lettered,
        retries = summary.retries,
        "run ended"
    );
    let finished = runtime.block_on(store.finish_run(
        run_id,
        status,
        [
            summary.read,
            summary.written + summary.duplicates,
            summary.skipped,
            summary.dead_lettered,
        ],
    ));
    if let Ok(store) = Arc::try_unwrap(store) {
        runtime.block_on(store.close());
    }
    result?;
    finished?;
    Ok(summary)
}

/// The plan's functions as native code, unless `--engine interp`.
pub(crate) fn compile(options: &RunOptions, plan: &Plan) -> Result<Option<Jit>, RunError> {
    if options.interpret {
        return Ok(None);
    }
    let jit = Jit::compile(&plan.program)?;
    tracing::info!(compile_time = ?jit.compile_time, "transforms compiled");
    Ok(Some(jit))
}

/// Open the project database, its DLQ and every sink table; returns the
/// store and the sink tables' names.
async fn prepare(
    plan: &Plan,
    program: &Program,
    url: &str,
    copy: CopyFormat,
) -> Result<(Store, Vec<String>), RunError> {
    let store = Store::open(url, &mask_url(url), copy).await?;
    store.ensure_dlq(&plan.dlq_table).await?;
    let mut tables = Vec::new();
    for sink in &plan.sinks {
        if let Output::Table { table, engine } = &sink.output {
            if let Some(engine) = engine
                && *engine != store.engine()
            {
                return Err(StoreError::WrongEngine {
                    sink: sink.name.clone(),
                    engine: (*engine).into(),
                    url: mask_url(url),
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
    Ok((store, tables))
}

/// Read, batch and transform on this thread; commit on the runtime. At
/// most one batch waits for the writer while the next is processed, so
/// memory stays bounded by about three batches whatever the speeds.
#[allow(clippy::too_many_arguments)]
fn pump(
    runtime: &tokio::runtime::Runtime,
    plan: &Plan,
    analysis: &Analysis,
    engine: Engine,
    store: Arc<Store>,
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
    let records = source::spawn(&plan.source, program, start, batch_size * 2);
    let mut files = FileSinks::open(plan)?;
    runtime.block_on(files.recover(&store, plan, start))?;
    let (to_writer, queue) = tokio::sync::mpsc::channel(1);
    let (acks, written) = std::sync::mpsc::channel();
    let target = Target {
        pipeline: plan.pipeline.clone(),
        source: plan.source.name.clone(),
        dlq: plan.dlq_table.clone(),
        retry_for: plan.retry_for,
    };
    let mut reactors = Reactors::new(plan, store.clone(), runtime, &analysis.program);
    let writer = runtime.spawn(writer::write(store, target, queue, acks));
    let count = |summary: &mut Summary, w: Written| {
        summary.written += w.written;
        summary.duplicates += w.rows.saturating_sub(w.written);
        summary.position = w.position;
        summary.retries += w.retries;
    };
    let result = (|| loop {
        let mut batch: Vec<RawRecord> = Vec::with_capacity(batch_size);
        let deadline = Instant::now() + linger;
        let mut finished = false;
        while batch.len() < batch_size {
            let wait = deadline.saturating_duration_since(Instant::now());
            match records.recv_timeout(wait) {
                Ok(Ok(r)) => batch.push(r),
                Ok(Err(e)) => return Err(RunError::from(e)),
                Err(RecvTimeoutError::Disconnected) => {
                    finished = true;
                    break;
                }
                Err(RecvTimeoutError::Timeout) => break, // linger elapsed: flush
            }
        }
        if !batch.is_empty() {
            let commit = batch::process(
                plan,
                analysis,
                engine,
                &batch,
                summary,
                &mut files,
                Some(&mut reactors),
            )?;
            if to_writer.blocking_send(commit).is_err() {
                return Ok(()); // the writer stopped: its error is below
            }
            while let Ok(w) = written.try_recv() {
                count(summary, w);
            }
            progress(summary);
        }
        if finished {
            return Ok(());
        }
    })();
    drop(to_writer);
    summary.lookup_queries = reactors
        .runners
        .iter()
        .flatten()
        .map(|r| r.total_queries())
        .sum();
    let wrote = match runtime.block_on(writer) {
        Ok(r) => r.map_err(RunError::from),
        Err(e) => Err(RunError::Runtime(e.to_string())),
    };
    while let Ok(w) = written.try_recv() {
        count(summary, w);
    }
    progress(summary);
    result.and(wrote)
}
