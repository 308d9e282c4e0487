//! What a run reports: its counts ([`Summary`]) or why it stopped
//! ([`RunError`]). Shared by the executor, each batch and the sinks.

use std::time::Duration;

use crate::{config, plan, source, store::StoreError};

/// Progress reports during a run (records read so far, written, DLQ).
pub type Progress<'a> = &'a mut dyn FnMut(&Summary);

/// What a run did: `read = delivered + skipped + dead_lettered`, and
/// `delivered = written + duplicates`; each sink's `written + duplicates`
/// is `delivered` too.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    pub pipeline: String,
    /// The database, password masked.
    pub database: String,
    pub dlq_table: String,
    pub tables: Vec<String>,
    pub read: u64,
    /// Records that reached the sinks (neither skipped nor dead-lettered).
    pub delivered: u64,
    /// Delivered records written (new in at least one sink).
    pub written: u64,
    /// Delivered records already stored in every sink (their `key` was
    /// there): not written twice.
    pub duplicates: u64,
    /// False when the pipeline fans out to several keyed tables: a record
    /// may then be new in one and already in another, so `written` counts
    /// every delivered record and only the per-sink counts split them.
    pub split_known: bool,
    pub skipped: u64,
    pub dead_lettered: u64,
    /// Each sink's counts, in the pipeline's order.
    pub sinks: Vec<SinkCount>,
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
    /// A live source (it runs until a signal): progress shows rates,
    /// buffer fill and lag rather than a share of the input.
    pub live: bool,
    /// Units (requests, pages, messages) waiting in the source's buffer,
    /// and how many it holds.
    pub buffered: usize,
    pub buffer_capacity: usize,
    /// How long the oldest record of the last committed batch waited
    /// between arriving and being committed.
    pub lag: Duration,
}

/// What one sink did: `written + duplicates` is the pipeline's `delivered`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SinkCount {
    pub name: String,
    /// `table "metrics"`, `stdout` or `file out.jsonl`.
    pub target: String,
    /// A table with a `key`: the only kind of sink where a record can be
    /// already there.
    pub keyed: bool,
    pub written: u64,
    pub duplicates: u64,
}

impl Summary {
    /// Derive the pipeline's `written` and `duplicates` from its sinks.
    pub fn settle(&mut self) {
        self.split_known = true;
        match self.sinks.as_slice() {
            [one] => {
                self.written = one.written;
                self.duplicates = one.duplicates;
            }
            sinks => {
                // A record delivered to a sink without a key was written
                // there; with only keyed tables, it is unknown per record.
                self.split_known = sinks.iter().any(|s| !s.keyed);
                self.written = self.delivered;
                self.duplicates = 0;
            }
        }
    }
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
    /// `path` is as printed: `` `out.jsonl` ``, standard output, or "the
    /// file of sink `x`" when the path came from the environment.
    #[error("cannot write {path}: {message}")]
    Output { path: String, message: String },
    #[error("{0}")]
    NotSupported(String),
    /// The environment is not as the program needs it (a lookup table or
    /// column missing): stopped before anything was read.
    #[error("{0}")]
    Environment(String),
    #[error(
        "stopped by the circuit breaker: {failed} of the last {of} records failed, more than \
         `max_error_rate: {rate}`; most often {common}. This looks like a broken environment \
         (a missing table, a service down, the wrong database) rather than bad records, so the \
         batch that tipped it was not committed. Fix the cause and run again: the run continues \
         from its checkpoint. (Set `max_error_rate` on the pipeline to change the threshold.)"
    )]
    Breaker {
        failed: usize,
        of: usize,
        rate: f64,
        common: String,
    },
    #[error("the async runtime failed: {0}")]
    Runtime(String),
    #[error(transparent)]
    Jit(#[from] dash_jit::JitError),
}
