//! The batch loop of one pipeline: take records from the source, cut
//! them into batches, decode and transform each on this thread, and hand
//! the batch's [`Commit`] to the writer on the tokio runtime.
//!
//! Where a batch ends:
//! - at `batch` records, or `linger` after its first record;
//! - for sources that hand over units (requests, pages, messages,
//!   stretches of followed files), only between units, and as soon as the
//!   source has nothing more at hand: while the writer is busy, records
//!   gather into the next batch (group commit), and a trickle is committed
//!   at once rather than after `linger`.
//!
//! A unit's acknowledgement (a webhook's 202, a NATS ack) runs after its
//! batch committed; the records of a unit get numbers that continue the
//! source's committed position, so dead letters can be told apart.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dash_ir::Compiled;
use dash_jit::engine::Engine;
use tokio::sync::mpsc::error::TryRecvError;

use crate::batch::{self, Reactors};
use crate::breaker::{Breaker, most_common};
use crate::file_sink::FileSinks;
use crate::plan::{Output, Plan};
use crate::source::{self, Acked, Feeds, RawRecord};
use crate::store::{Commit, Store};
use crate::summary::{Progress, RunError, Summary};
use crate::writer::{self, Target, Written};

/// A started source and how to batch it.
pub struct Feed {
    pub feeds: Feeds,
    /// A single file's identity, committed with each position.
    pub identity: Option<String>,
    /// The source hands over units (see the module doc).
    pub units: bool,
    /// It runs until a signal.
    pub live: bool,
    /// It keeps no position of its own (NATS).
    pub shared: bool,
    /// The committed position it starts from.
    pub start: u64,
}

/// How long an idle live pipeline waits between progress reports.
const IDLE_REPORT: Duration = Duration::from_secs(1);

type Ack = Box<dyn FnOnce(Acked) + Send + Sync>;

/// One batch being gathered.
#[derive(Default)]
struct Gathered {
    records: Vec<RawRecord>,
    /// Each unit's records (a range of `records`) and whom to tell.
    acks: Vec<(std::ops::Range<usize>, Ack)>,
    units: usize,
    /// The source state after the last unit that had one.
    state: Option<String>,
    first_arrived: Option<Instant>,
}

#[allow(clippy::too_many_arguments)]
pub fn pump(
    mut feed: Feed,
    runtime: &tokio::runtime::Runtime,
    plan: &Plan,
    compiled: &Compiled,
    engine: Engine,
    store: Arc<Store>,
    summary: &mut Summary,
    progress: Progress<'_>,
) -> Result<(), RunError> {
    let (batch_size, linger) = (plan.batch_size(), plan.linger());
    let mut files = FileSinks::open(plan)?;
    runtime.block_on(files.recover(&store, plan, feed.start))?;
    let (to_writer, queue) = tokio::sync::mpsc::channel(1);
    let (acks, written) = std::sync::mpsc::channel();
    let target = Target {
        pipeline: plan.pipeline.clone(),
        source: plan.source.name.clone(),
        dlq: plan.dlq_table.clone(),
        retry_for: plan.retry_for,
    };
    let mut reactors = Reactors::new(plan, store.clone(), runtime, &compiled.checked);
    let writer = runtime.spawn(writer::write(store, target, queue, acks, plan.workers));
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
    summary.buffer_capacity = feed.feeds.max_capacity();
    let mut breaker = Breaker::new(plan.max_error_rate);
    // The number of the last record handed over in a unit.
    let mut seq = feed.start;
    let result = (|| loop {
        // What waited while the last batch was handed over: the backlog.
        summary.buffered = feed.feeds.len();
        let (batch, finished) = gather(&mut feed, runtime, batch_size, linger, &mut seq)?;
        if batch.records.is_empty() && batch.units == 0 {
            if finished {
                return Ok(());
            }
            while let Ok(w) = written.try_recv() {
                count(summary, w);
            }
            progress(summary); // idle: rates fall to zero
            continue;
        }
        let before = summary.clone();
        let mut commit = if batch.records.is_empty() {
            Commit::default()
        } else {
            batch::process(
                plan,
                compiled,
                engine,
                &batch.records,
                summary,
                &mut files,
                Some(&mut reactors),
            )
            .inspect_err(|_| *summary = before.clone())? // a batch that did not commit is not counted
        };
        commit.position = if feed.units {
            seq
        } else {
            batch.records.last().map_or(summary.position, |r| r.end)
        };
        commit.state = if feed.units {
            batch.state
        } else {
            feed.identity.clone()
        };
        commit.shared_source = feed.shared;
        breaker.add(batch.records.len(), commit.dead.len());
        if let Some((failed, of)) = breaker.tripped() {
            *summary = before;
            return Err(RunError::Breaker {
                failed,
                of,
                rate: breaker.rate(),
                common: most_common(&commit.dead),
            });
        }
        if !batch.acks.is_empty() {
            let dead: HashSet<u64> = commit.dead.iter().map(|d| d.position).collect();
            for (range, ack) in batch.acks {
                let records = &batch.records[range];
                let failed = records.iter().filter(|r| dead.contains(&r.end)).count() as u64;
                let acked = Acked {
                    accepted: records.len() as u64 - failed,
                    dead_lettered: failed,
                };
                commit.after.0.push(Box::new(move || ack(acked)));
            }
        }
        let arrived = batch.first_arrived;
        if to_writer.blocking_send(commit).is_err() {
            return Ok(()); // the writer stopped: its error is below
        }
        while let Ok(w) = written.try_recv() {
            count(summary, w);
        }
        if let Some(at) = arrived {
            summary.lag = at.elapsed();
        }
        progress(summary);
        if finished {
            return Ok(());
        }
    })();
    // Nothing more is read: a source still sending sees the channel close.
    feed.feeds.close();
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

/// Gather the next batch; also says whether the source has ended.
fn gather(
    feed: &mut Feed,
    runtime: &tokio::runtime::Runtime,
    batch_size: usize,
    linger: Duration,
    seq: &mut u64,
) -> Result<(Gathered, bool), RunError> {
    let mut batch = Gathered::default();
    let mut deadline: Option<Instant> = None;
    loop {
        let item = match feed.feeds.try_recv() {
            Ok(item) => item,
            Err(TryRecvError::Disconnected) => return Ok((batch, true)),
            Err(TryRecvError::Empty) => {
                let has_some = !batch.records.is_empty() || batch.units > 0;
                if has_some && feed.units {
                    return Ok((batch, false)); // nothing more at hand: commit now
                }
                let wait = match deadline {
                    Some(d) => d.saturating_duration_since(Instant::now()),
                    None if feed.live => IDLE_REPORT,
                    None => linger,
                };
                if wait.is_zero() {
                    return Ok((batch, false));
                }
                match runtime
                    .block_on(async { tokio::time::timeout(wait, feed.feeds.recv()).await })
                {
                    Ok(Some(item)) => item,
                    Ok(None) => return Ok((batch, true)),
                    // Linger elapsed (or an idle live source reports).
                    Err(_) if has_some || feed.live => return Ok((batch, false)),
                    Err(_) => continue,
                }
            }
        };
        match item.map_err(RunError::from)? {
            source::Feed::Record(r) => batch.records.push(r),
            source::Feed::Unit(records, mark) => {
                let first = batch.records.len();
                for mut r in records {
                    *seq += 1;
                    r.end = *seq;
                    batch.records.push(r);
                }
                if let Some(ack) = mark.ack {
                    batch.acks.push((first..batch.records.len(), ack));
                }
                if mark.state.is_some() {
                    batch.state = mark.state;
                }
                batch.units += 1;
            }
        }
        let now = Instant::now();
        batch.first_arrived.get_or_insert(now);
        deadline.get_or_insert(now + linger);
        if batch.records.len() >= batch_size {
            return Ok((batch, false));
        }
    }
}
