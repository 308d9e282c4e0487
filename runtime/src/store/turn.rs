//! Commit order across parallel commits (`workers`): batches are written
//! over several connections at once, but each commits only after the one
//! before it did, so the committed batches are always a prefix of the
//! source and the checkpoint stays exact.
//!
//! A commit that waits for its turn holds its locks (keys, rollup rows,
//! partitions). If an earlier commit needs one of them, neither could go
//! on, and PostgreSQL cannot see it (one of them waits in Dash). So while
//! it waits, a commit checks every [`CHECK_EVERY`] whether any session is
//! blocked by its own; if so, and whenever the earlier commit failed, it
//! gives way ([`StoreError::GaveWay`]): it rolls back, releasing its locks,
//! and is tried again once the earlier one has committed.

use std::time::Duration;

use tokio::sync::watch;

use super::StoreError;

/// How often a commit waiting for its turn looks for sessions it blocks.
const CHECK_EVERY: Duration = Duration::from_millis(50);

/// Where one commit stands, as its successor sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// Being written (or waiting for its own turn).
    Pending,
    /// An attempt failed; it is being tried again.
    Failed,
    Committed,
}

/// The standing of the commit before this one (none for the first).
#[derive(Clone)]
pub struct Turn {
    previous: watch::Receiver<Standing>,
}

impl Turn {
    /// After the commit that reports on `previous`.
    pub fn after(previous: watch::Receiver<Standing>) -> Turn {
        Turn { previous }
    }

    /// Wait until the earlier commit has committed (`Ok`); give way when
    /// it failed or stopped, or when this commit's transaction (`conn`)
    /// blocks another session meanwhile.
    pub async fn wait(
        &mut self,
        conn: &mut sqlx::PgConnection,
        url: &str,
    ) -> Result<(), StoreError> {
        loop {
            let standing = tokio::time::timeout(
                CHECK_EVERY,
                self.previous.wait_for(|s| *s != Standing::Pending),
            )
            .await
            .map(|s| s.map(|s| *s));
            match standing {
                Ok(Ok(Standing::Committed)) => return Ok(()),
                Ok(_) => return Err(StoreError::GaveWay),
                Err(_) => {
                    let blocking: bool = sqlx::query_scalar(
                        "SELECT EXISTS (SELECT 1 FROM pg_stat_activity a \
                         WHERE pg_backend_pid() = ANY(pg_blocking_pids(a.pid)))",
                    )
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(|e| StoreError::database(url, e))?;
                    if blocking {
                        return Err(StoreError::GaveWay);
                    }
                }
            }
        }
    }

    /// Once the earlier commit has committed (after this one gave way);
    /// `false` when it stopped without committing.
    pub async fn committed(&mut self) -> bool {
        self.previous
            .wait_for(|s| *s == Standing::Committed)
            .await
            .is_ok()
    }
}
