//! The batch writer: commits processed batches in order, on the tokio
//! runtime, while the next batch is being decoded and transformed. With
//! `workers: N` (PostgreSQL), up to N batches are written at once over N
//! connections, each committing in its turn (`store::turn`).
//!
//! A commit that fails because the database went away (restart, network)
//! is retried with capped exponential backoff and jitter. Before each
//! retry the stored checkpoint is read again: if the connection died
//! after the server committed, the checkpoint already covers the batch,
//! and committing it again would write it twice.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::store::turn::{Standing, Turn};
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

/// Commit every batch from `queue`, up to `parallel` at once (each on its
/// own connection; 1 on SQLite), in order: each commits only after the
/// one before it (`store::turn`). Each is reported on `acks`, in order.
pub async fn write(
    store: Arc<Store>,
    target: Target,
    mut queue: mpsc::Receiver<Commit>,
    acks: std::sync::mpsc::Sender<Written>,
    parallel: usize,
) -> Result<(), StoreError> {
    let parallel = if store.engine() == "postgres" {
        parallel.max(1)
    } else {
        1
    };
    let mut running: VecDeque<JoinHandle<Result<(Written, Commit), StoreError>>> = VecDeque::new();
    let mut previous: Option<watch::Receiver<Standing>> = None;
    let mut open = true;
    let result = loop {
        tokio::select! {
            biased;
            done = async { (&mut running[0]).await }, if !running.is_empty() => {
                running.pop_front();
                let (written, mut commit) = match done {
                    Ok(Ok(done)) => done,
                    Ok(Err(e)) => break Err(e),
                    Err(e) => break Err(StoreError::Database {
                        url: store.shown_url(),
                        message: format!("a commit task failed: {e}"),
                        retryable: false,
                    }),
                };
                for acknowledge in std::mem::take(&mut commit.after.0) {
                    acknowledge();
                }
                let _ = acks.send(written);
            }
            next = queue.recv(), if open && running.len() < parallel => match next {
                Some(commit) => {
                    let (standing, mine) = watch::channel(Standing::Pending);
                    let turn = previous.replace(mine).map(Turn::after);
                    running.push_back(tokio::spawn(commit_in_turn(
                        store.clone(),
                        target.clone(),
                        commit,
                        turn,
                        standing,
                    )));
                }
                None => open = false,
            },
            else => break Ok(()),
        }
    };
    // A failure ends the run: the commits after it roll back.
    for task in running {
        task.abort();
    }
    result
}

/// One batch's commit, in its turn; tells its successor how it stands.
async fn commit_in_turn(
    store: Arc<Store>,
    target: Target,
    commit: Commit,
    mut turn: Option<Turn>,
    standing: watch::Sender<Standing>,
) -> Result<(Written, Commit), StoreError> {
    let started = std::time::Instant::now();
    let written = commit_with_retry(&store, &target, &commit, &mut turn, &standing).await?;
    let _ = standing.send(Standing::Committed);
    tracing::debug!(
        tables = ?written.tables,
        dead = commit.dead.len(),
        position = commit.position,
        took = ?started.elapsed(),
        "batch committed"
    );
    Ok((written, commit))
}

async fn commit_with_retry(
    store: &Store,
    target: &Target,
    commit: &Commit,
    turn: &mut Option<Turn>,
    standing: &watch::Sender<Standing>,
) -> Result<Written, StoreError> {
    let rows: Vec<u64> = commit.tables.iter().map(|t| t.rows.len() as u64).collect();
    let give_up = tokio::time::Instant::now() + target.retry_for;
    let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(5));
    let mut retries = 0;
    loop {
        let error = match store
            .commit(
                &target.pipeline,
                &target.source,
                &target.dlq,
                commit,
                turn.as_mut(),
            )
            .await
        {
            Ok(written) => {
                return Ok(Written {
                    tables: rows.iter().copied().zip(written).collect(),
                    position: commit.position,
                    retries,
                });
            }
            Err(StoreError::GaveWay) => {
                // Rolled back for the batch before; again once it is in.
                let committed = match turn.as_mut() {
                    Some(turn) => turn.committed().await,
                    None => false,
                };
                if !committed {
                    return Err(StoreError::GaveWay);
                }
                continue;
            }
            Err(e) if e.is_retryable() && tokio::time::Instant::now() < give_up => e,
            Err(e) => return Err(e),
        };
        let _ = standing.send(Standing::Failed);
        let delay = backoff.next_delay();
        retries += 1;
        tracing::warn!(error = %error, retry_in = ?delay, attempt = retries, "batch commit failed; retrying");
        tokio::time::sleep(delay).await;
        // Did the failed attempt commit after all? (Batches commit in
        // order, so the checkpoint passes this one only if it did.)
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
