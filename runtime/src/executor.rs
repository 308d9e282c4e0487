//! One pipeline's run: source -> batches -> transforms -> sinks, with
//! every batch's rows, dead letters and source checkpoint committed in
//! one transaction. This module sets the run up (database, ownership,
//! checkpoint, source); `pump.rs` moves the batches.
//!
//! Three threads of work, joined by bounded channels so a slow database
//! slows reading and memory stays bounded by a few batches: the source
//! reader, the pipeline's thread (decode + transform), and the writer
//! (`writer.rs`) committing on the tokio runtime.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use dash_check::Program;
use dash_ir::Compiled;
use dash_jit::Jit;
use dash_jit::engine::Engine;

use crate::config::{self, mask_url};
use crate::plan::{self, Input, Output, Plan};
use crate::shutdown::Shutdown;
use crate::source;
use crate::store::{CopyFormat, Store, columns_of};

pub use crate::summary::{RunError, Summary};

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
    /// `--from-start`: read the source from its first byte, whatever its
    /// checkpoint says (after a truncated or replaced input).
    pub from_start: bool,
    /// `--workers N`: over every pipeline's `workers:`.
    pub workers: Option<usize>,
}

pub use crate::summary::Progress;

/// Run one pipeline (`options.pipeline`, or the project's only one) to
/// the end of its input, with no signal handling: for tests and tools.
/// `dashc run` goes through [`crate::service`], which runs several.
pub fn run_blocking(
    compiled: &Compiled,
    dir: &Path,
    options: &RunOptions,
    progress: Progress<'_>,
) -> Result<Summary, RunError> {
    let runtime = new_runtime()?;
    let config = config::load(dir, options.env.as_deref())?;
    let plan = plan::plan(compiled, dir, options.pipeline.as_deref(), &config)?;
    let (_trigger, shutdown) = crate::shutdown::channel();
    let webhooks = crate::source::webhook::Listeners::new(1, shutdown.clone());
    let process = Process {
        runtime: &runtime,
        shutdown,
        webhooks,
    };
    let result = run_pipeline(compiled, dir, options, &config, plan, &process, progress);
    process.webhooks.close();
    result
}

/// The tokio runtime of a process: two workers (the database writers,
/// sources and listeners) while pipeline threads transform.
pub fn new_runtime() -> Result<tokio::runtime::Runtime, RunError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| RunError::Runtime(e.to_string()))
}

/// What the pipelines of one process share.
pub struct Process<'a> {
    pub runtime: &'a tokio::runtime::Runtime,
    /// Set on SIGINT/SIGTERM: sources stop intake.
    pub shutdown: Shutdown,
    pub webhooks: Arc<crate::source::webhook::Listeners>,
}

/// Run one planned pipeline: set up the database, take ownership of the
/// pipeline, then [`pump`] batches through until the input ends (or, for
/// a live source, until shutdown).
pub fn run_pipeline(
    compiled: &Compiled,
    dir: &Path,
    options: &RunOptions,
    config: &config::Config,
    plan: Plan,
    process: &Process<'_>,
    progress: Progress<'_>,
) -> Result<Summary, RunError> {
    let started = Instant::now();
    let runtime = process.runtime;
    // Whatever happens below, this pipeline no longer holds up `/ready`.
    struct Started<'a>(&'a crate::source::webhook::Listeners);
    impl Drop for Started<'_> {
        fn drop(&mut self) {
            self.0.started();
        }
    }
    let mut started_guard = Some(Started(&process.webhooks));
    if options.db.is_none() && config.database.is_none() {
        crate::preflight::no_postgres_sink(&plan)?;
    }
    let url = config.database_url(options.db.as_deref(), dir);
    let mut plan = plan;
    if let Some(workers) = options.workers {
        plan.workers = workers.max(1);
    }
    let jit = compile(options, &plan)?;
    let engine = Engine::of(jit.as_ref(), &plan.program);
    let program = &compiled.checked;
    let (store, tables) = runtime.block_on(prepare(&plan, program, &url, config.copy_format))?;
    runtime.block_on(crate::preflight::check_lookups(&plan, program, &store))?;
    let shared = matches!(plan.source.input, Input::Nats(_));
    let _owner = if shared {
        None
    } else {
        match runtime.block_on(crate::owner::acquire(
            &url,
            &plan.pipeline,
            &process.shutdown,
        ))? {
            Some(owner) => Some(owner),
            // Stopped while waiting for another process: nothing to do.
            None => return Ok(empty_summary(&plan, &url, tables)),
        }
    };
    if process.shutdown.is_set() {
        // Stopped before it started (a signal, or another pipeline failed).
        return Ok(empty_summary(&plan, &url, tables));
    }
    let store = Arc::new(store);
    let committed = runtime.block_on(store.source_checkpoint(&plan.pipeline, &plan.source.name))?;
    // Standard input is new input every run, and `--from-start` rereads
    // the source: both start at 0, and the old checkpoint goes first (the
    // writer compares a retried commit with the stored checkpoint).
    let stdin = matches!(plan.source.input, Input::Stdin);
    let (start, stored) = match committed {
        Some((position, state)) if !options.from_start && !stdin => (position, state),
        Some(_) => {
            runtime.block_on(store.reset_checkpoint(&plan.pipeline, &plan.source.name))?;
            (0, None)
        }
        None => (0, None),
    };
    let units = plan.source.input.has_units();
    // A single file's checkpoint is checked against the file; other
    // sources resume from their committed state.
    let (identity, state) = if units {
        (None, stored)
    } else {
        (
            source::verify(&plan.source, start, stored.as_deref())?,
            None,
        )
    };
    let run_id = runtime.block_on(store.start_run(&plan.pipeline))?;
    tracing::info!(
        pipeline = %plan.pipeline,
        database = %mask_url(&url),
        from = start,
        run = run_id,
        "run started"
    );
    let mut summary = empty_summary(&plan, &url, tables);
    summary.position = start;
    summary.settle();
    let context = source::Context {
        handle: runtime.handle().clone(),
        shutdown: process.shutdown.clone(),
        webhooks: process.webhooks.clone(),
        pipeline: plan.pipeline.clone(),
        batch_size: plan.batch_size(),
    };
    let batch_size = plan.batch_size();
    // Buffers grow with what arrives: a huge `batch` is a bound, never an
    // allocation made up front. Live sources buffer units (requests,
    // pages, messages), a bounded number of them.
    const PREALLOCATE: usize = 1 << 16;
    let capacity = if units {
        LIVE_UNITS
    } else {
        batch_size.saturating_mul(2).min(PREALLOCATE)
    };
    let source::Started { feeds, task } =
        source::spawn(&plan.source, program, start, state, capacity, &context)?;
    drop(started_guard.take());
    let result = crate::pump::pump(
        crate::pump::Feed {
            feeds,
            identity,
            units,
            live: plan.source.input.is_live(),
            shared,
            start,
        },
        runtime,
        &plan,
        compiled,
        engine,
        store.clone(),
        &mut summary,
        progress,
    );
    if let Some(task) = task {
        // Its last acknowledgements (bounded: the run is over either way).
        // (`timeout` makes its timer at once: inside the runtime.)
        let _ = runtime.block_on(async { tokio::time::timeout(SOURCE_FINISH, task).await });
    }
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
    let finished = runtime.block_on(store.finish_run(run_id, status, &summary));
    if let Ok(store) = Arc::try_unwrap(store) {
        runtime.block_on(store.close());
    }
    result?;
    finished?;
    Ok(summary)
}

/// How long a source's task may take to finish after its pipeline.
const SOURCE_FINISH: std::time::Duration = std::time::Duration::from_secs(10);

/// How many units (webhook requests, HTTP pages, NATS messages, stretches
/// of followed files) a live source buffers ahead of the pipeline; a
/// webhook answers 429 beyond.
pub const LIVE_UNITS: usize = 256;

/// A pipeline's summary before anything was read.
fn empty_summary(plan: &Plan, url: &str, tables: Vec<String>) -> Summary {
    let mut summary = Summary {
        pipeline: plan.pipeline.clone(),
        database: mask_url(url),
        dlq_table: plan.dlq_table.clone(),
        tables,
        total_bytes: source::total_bytes(&plan.source),
        live: plan.source.input.is_live(),
        sinks: plan.sinks.iter().map(sink_count).collect(),
        ..Summary::default()
    };
    summary.settle();
    summary
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
    // Released when this returns (the connection closes).
    let _schema = crate::owner::schema_lock(url).await?;
    // A connection per batch written at once, and one for the rest.
    let connections = u32::try_from(plan.workers)
        .unwrap_or(u32::MAX)
        .saturating_add(1);
    let store = Store::open_with(url, &mask_url(url), copy, connections).await?;
    crate::preflight::check_sinks(&store, &plan.sinks)?;
    store.ensure_dlq(&plan.dlq_table).await?;
    let mut tables = Vec::new();
    for sink in &plan.sinks {
        if let Output::Table { table, .. } = &sink.output {
            let columns = columns_of(program, sink.record);
            for column in crate::evolve::evolve(&store, sink, table, &columns).await? {
                eprintln!(
                    "note: sink `{}`: added column `{column}` to table `{table}`",
                    sink.name
                );
            }
            store
                .ensure_table(table, &columns, &sink.key, sink.time_column())
                .await?;
            if let Some(time) = &sink.time {
                let group_by: Vec<String> =
                    sink.key.iter().filter(|k| *k != time).cloned().collect();
                store
                    .ensure_rollups(table, time, &group_by, &sink.rollups, sink.retention)
                    .await?;
            }
            tables.push(table.clone());
        }
    }
    Ok((store, tables))
}

/// A sink's counts before anything was written.
pub(crate) fn sink_count(sink: &crate::plan::SinkPlan) -> crate::summary::SinkCount {
    let (target, keyed) = match &sink.output {
        Output::Table { table, .. } => (format!("table \"{table}\""), !sink.key.is_empty()),
        Output::Stdout => ("stdout".to_string(), false),
        Output::File(_) if sink.secret => ("file (its path from the environment)".into(), false),
        Output::File(_) => (format!("file {}", sink.shown_path()), false),
    };
    crate::summary::SinkCount {
        name: sink.name.clone(),
        target,
        keyed,
        ..Default::default()
    }
}
