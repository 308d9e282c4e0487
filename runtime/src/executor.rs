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

use dash_check::Program;
use dash_ir::Compiled;
use dash_jit::Jit;
use dash_jit::engine::Engine;

use crate::batch::{self, Reactors};
use crate::breaker::Breaker;
use crate::config::{self, mask_url};
use crate::file_sink::FileSinks;
use crate::plan::{self, Output, Plan};
use crate::source::{self, RawRecord};
use crate::store::{CopyFormat, Store, columns_of};
use crate::writer::{self, Target, Written};

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
}

/// Progress reports during a run (records read so far, written, DLQ).
pub type Progress<'a> = &'a mut dyn FnMut(&Summary);

/// Run a pipeline to the end of its input: set up the database, then
/// [`pump`] batches through. Builds its own tokio runtime (two workers:
/// the database writer runs there while this thread transforms).
pub fn run_blocking(
    compiled: &Compiled,
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
    let plan = plan::plan(compiled, dir, options.pipeline.as_deref(), &config)?;
    if options.db.is_none() && config.database.is_none() {
        crate::preflight::no_postgres_sink(&plan)?;
    }
    let url = config.database_url(options.db.as_deref(), dir);
    let jit = compile(options, &plan)?;
    let engine = Engine::of(jit.as_ref(), &plan.program);
    let program = &compiled.checked;
    let (store, tables) = runtime.block_on(prepare(&plan, program, &url, config.copy_format))?;
    runtime.block_on(crate::preflight::check_lookups(&plan, program, &store))?;
    let store = Arc::new(store);
    let committed = runtime.block_on(store.source_checkpoint(&plan.pipeline, &plan.source.name))?;
    // Standard input is new input every run, and `--from-start` rereads
    // the file: both start at 0, and the old checkpoint goes first (the
    // writer compares a retried commit with the stored checkpoint).
    let stdin = matches!(plan.source.input, crate::plan::Input::Stdin);
    let (start, stored) = match committed {
        Some((position, identity)) if !options.from_start && !stdin => (position, identity),
        Some(_) => {
            runtime.block_on(store.reset_checkpoint(&plan.pipeline, &plan.source.name))?;
            (0, None)
        }
        None => (0, None),
    };
    let identity = source::verify(&plan.source, start, stored.as_deref())?;
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
        sinks: plan.sinks.iter().map(sink_count).collect(),
        ..Summary::default()
    };
    summary.settle();
    let result = pump(
        identity,
        &runtime,
        &plan,
        compiled,
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
    let finished = runtime.block_on(store.finish_run(run_id, status, &summary));
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

/// Read, batch and transform on this thread; commit on the runtime. At
/// most one batch waits for the writer while the next is processed, so
/// memory stays bounded by about three batches whatever the speeds.
#[allow(clippy::too_many_arguments)]
fn pump(
    identity: Option<String>,
    runtime: &tokio::runtime::Runtime,
    plan: &Plan,
    compiled: &Compiled,
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
    let program = &compiled.checked;
    // Buffers grow with what arrives: a huge `batch` is a bound, never an
    // allocation made up front.
    const PREALLOCATE: usize = 1 << 16;
    let records = source::spawn(
        &plan.source,
        program,
        start,
        batch_size.saturating_mul(2).min(PREALLOCATE),
    );
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
    let mut reactors = Reactors::new(plan, store.clone(), runtime, &compiled.checked);
    let writer = runtime.spawn(writer::write(store, target, queue, acks));
    // The commit's tables are the plan's table sinks, in order.
    let table_sinks: Vec<usize> = plan
        .sinks
        .iter()
        .enumerate()
        .filter(|(_, s)| matches!(s.output, Output::Table { .. }))
        .map(|(i, _)| i)
        .collect();
    let count = |summary: &mut Summary, w: Written| {
        for (&sink, (rows, written)) in table_sinks.iter().zip(&w.tables) {
            let counts = &mut summary.sinks[sink];
            counts.written += written;
            counts.duplicates += rows.saturating_sub(*written);
        }
        summary.settle();
        summary.position = w.position;
        summary.retries += w.retries;
    };
    let mut breaker = Breaker::new(plan.max_error_rate);
    let result = (|| loop {
        let mut batch: Vec<RawRecord> = Vec::with_capacity(batch_size.min(PREALLOCATE));
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
            let before = summary.clone();
            let processed = batch::process(
                plan,
                compiled,
                engine,
                &batch,
                summary,
                &mut files,
                Some(&mut reactors),
            );
            // A batch that did not commit is not counted.
            let mut commit = processed.inspect_err(|_| *summary = before.clone())?;
            commit.identity = identity.clone();
            breaker.add(batch.len(), commit.dead.len());
            if let Some((failed, of)) = breaker.tripped() {
                *summary = before;
                return Err(RunError::Breaker {
                    failed,
                    of,
                    rate: breaker.rate(),
                    common: most_common(&commit.dead),
                });
            }
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

/// The most frequent failure of a batch's dead letters, as
/// `stage: CODE message`, for the circuit breaker's error.
fn most_common(dead: &[crate::store::DeadLetter]) -> String {
    let mut counts: std::collections::HashMap<(&str, &str), (usize, &str)> =
        std::collections::HashMap::new();
    for d in dead {
        let entry = counts.entry((&d.stage, &d.code)).or_insert((0, &d.message));
        entry.0 += 1;
    }
    counts
        .into_iter()
        .max_by_key(|(key, (n, _))| (*n, std::cmp::Reverse(*key)))
        .map(|((stage, code), (n, message))| format!("{n} × stage `{stage}`: {code} {message}"))
        .unwrap_or_default()
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
