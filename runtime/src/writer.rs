//! The batch writer: commits processed batches in order, on the tokio
//! runtime, while the next batch is being decoded and transformed.
//!
//! A commit that fails because the database went away (restart, network)
//! is retried with capped exponential backoff and jitter. Before each
//! retry the stored checkpoint is read again: if the connection died
//! after the server committed, the checkpoint already covers the batch,
//! and committing it again would write it twice.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::store::{Commit, Store, StoreError};

/// Where batches go: the pipeline's checkpoint key and its DLQ table.
#[derive(Clone, Debug)]
pub struct Target {
    pub pipeline: String,
    pub source: String,
    pub dlq: String,
    /// How long one batch keeps retrying.
    pub retry_for: Duration,
}

/// What one committed batch did.
#[derive(Clone, Debug, Default)]
pub struct Written {
    /// Per table of the commit, in order: (rows given, rows written);
    /// the difference were already there (their `key` was stored).
    pub tables: Vec<(u64, u64)>,
    /// The source position now committed.
    pub position: u64,
    /// Commit attempts that failed and were retried.
    pub retries: u32,
}

/// Commit every batch from `queue`, in order, reporting each on `acks`.
pub async fn write(
    store: Arc<Store>,
    target: Target,
    mut queue: mpsc::Receiver<Commit>,
    acks: std::sync::mpsc::Sender<Written>,
) -> Result<(), StoreError> {
    while let Some(mut commit) = queue.recv().await {
        let started = std::time::Instant::now();
        let written = commit_with_retry(&store, &target, &commit).await?;
        for acknowledge in std::mem::take(&mut commit.after.0) {
            acknowledge();
        }
        tracing::debug!(
            tables = ?written.tables,
            dead = commit.dead.len(),
            position = commit.position,
            took = ?started.elapsed(),
            "batch committed"
        );
        let _ = acks.send(written);
    }
    Ok(())
}

async fn commit_with_retry(
    store: &Store,
    target: &Target,
    commit: &Commit,
) -> Result<Written, StoreError> {
    let rows: Vec<u64> = commit.tables.iter().map(|t| t.rows.len() as u64).collect();
    let give_up = tokio::time::Instant::now() + target.retry_for;
    let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(5));
    let mut retries = 0;
    loop {
        let error = match store
            .commit(&target.pipeline, &target.source, &target.dlq, commit)
            .await
        {
            Ok(written) => {
                return Ok(Written {
                    tables: rows.iter().copied().zip(written).collect(),
                    position: commit.position,
                    retries,
                });
            }
            Err(e) if e.is_retryable() && tokio::time::Instant::now() < give_up => e,
            Err(e) => return Err(e),
        };
        let delay = backoff.next_delay();
        retries += 1;
        tracing::warn!(error = %error, retry_in = ?delay, attempt = retries, "batch commit failed; retrying");
        tokio::time::sleep(delay).await;
        // Did the failed attempt commit after all?
        if !commit.shared_source
            && let Ok(position) = store.checkpoint(&target.pipeline, &target.source).await
            && position >= commit.position
        {
            tracing::info!(position, "the failed commit had gone through");
            return Ok(Written {
                // Exact counts of that commit are lost with its connection;
                // every row counts as written (a key never writes twice).
                tables: rows.iter().map(|n| (*n, *n)).collect(),
                position,
                retries,
            });
        }
    }
}

/// Exponential backoff, doubled each time up to `cap`, with up to 50%
/// jitter so that several runs do not retry in lockstep.
pub struct Backoff {
    next: Duration,
    cap: Duration,
    seed: u64,
}

impl Backoff {
    pub fn new(first: Duration, cap: Duration) -> Backoff {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
            | 1;
        Backoff {
            next: first,
            cap,
            seed,
        }
    }

    pub fn next_delay(&mut self) -> Duration {
        // xorshift64: jitter needs no cryptographic randomness.
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        let base = self.next;
        self.next = (self.next * 2).min(self.cap);
        let jitter = base.mul_f64((self.seed % 1000) as f64 / 2000.0);
        (base + jitter).min(self.cap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_secs(1));
        let delays: Vec<Duration> = (0..8).map(|_| b.next_delay()).collect();
        assert!(delays[0] >= Duration::from_millis(100) && delays[0] <= Duration::from_millis(150));
        assert!(delays[1] >= Duration::from_millis(200) && delays[1] <= Duration::from_millis(300));
        assert!(delays[3] >= Duration::from_millis(800));
        assert!(delays.iter().all(|d| *d <= Duration::from_secs(1)));
        assert_eq!(delays[7], Duration::from_secs(1));
    }
}
