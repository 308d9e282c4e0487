//! One owner per pipeline and database: a pipeline runs in at most one
//! process at a time, so its checkpoint advances in one place.
//!
//! PostgreSQL: a session advisory lock on a connection of its own, named
//! after the process (`application_name`), so a waiting process can say
//! who holds the pipeline; the server frees the lock when that process
//! dies. SQLite: an exclusive `flock` on `DB-PIPELINE.lock` beside the
//! database, holding the owner's description; the kernel frees it when
//! the process dies. A `nats` pipeline takes no lock: processes on one consumer share
//! its stream (JetStream hands each message to one of them).

use std::io::{Read, Seek, Write};
use std::str::FromStr;
use std::time::Duration;

use sha2::{Digest, Sha256};
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::sqlite::SqliteConnectOptions;

use crate::config::mask_url;
use crate::shutdown::Shutdown;
use crate::store::StoreError;

/// Held for as long as the pipeline runs; dropping it lets another
/// process take over.
pub enum Owner {
    Postgres(PgConnection),
    File(std::fs::File),
    /// An in-memory SQLite database: no other process can share it.
    Alone,
}

/// How often a waiting process tries again.
const RETRY: Duration = Duration::from_millis(500);

/// This process, as other processes are told.
pub fn me() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "this host".into());
    format!("dashc pid {} on {host}", std::process::id())
}

/// Become the pipeline's owner, waiting for another process to let go
/// (said once on stderr, naming it); `Ok(None)` when `shutdown` came
/// first.
pub async fn acquire(
    url: &str,
    pipeline: &str,
    shutdown: &Shutdown,
) -> Result<Option<Owner>, StoreError> {
    let shown = mask_url(url);
    let err = |e: sqlx::Error| {
        StoreError::database(&shown, e)
            .doing(format_args!("taking ownership of pipeline `{pipeline}`"))
    };
    let mut said = false;
    let mut say = |holder: &str| {
        if !said {
            said = true;
            eprintln!(
                "pipeline `{pipeline}` is running in another process ({holder}); waiting for it to stop"
            );
        }
    };
    if url.starts_with("sqlite:") {
        if url.contains(":memory:") || url.contains("mode=memory") {
            return Ok(Some(Owner::Alone));
        }
        let options = SqliteConnectOptions::from_str(url).map_err(err)?;
        let path = options
            .get_filename()
            .with_extension(format!("{pipeline}.lock"));
        let io = |e: std::io::Error| StoreError::Database {
            url: shown.clone(),
            message: format!("lock file {}: {e}", path.display()),
            retryable: false,
        };
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        loop {
            match file.try_lock() {
                Ok(()) => {
                    file.set_len(0).map_err(io)?;
                    file.rewind().map_err(io)?;
                    writeln!(file, "{} since {}", me(), chrono::Utc::now().to_rfc3339())
                        .map_err(io)?;
                    return Ok(Some(Owner::File(file)));
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    let mut holder = String::new();
                    let _ =
                        std::fs::File::open(&path).and_then(|mut f| f.read_to_string(&mut holder));
                    say(holder.trim());
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
            }
            if wait(shutdown).await {
                return Ok(None);
            }
        }
    }
    let options = PgConnectOptions::from_str(url)
        .map_err(err)?
        .application_name(&me());
    let mut conn = PgConnection::connect_with(&options).await.map_err(err)?;
    let key = lock_key(pipeline);
    loop {
        let (got,): (bool,) = sqlx::query_as("SELECT pg_try_advisory_lock($1)")
            .bind(key)
            .fetch_one(&mut conn)
            .await
            .map_err(err)?;
        if got {
            return Ok(Some(Owner::Postgres(conn)));
        }
        let holder: Option<(String, String)> = sqlx::query_as(
            "SELECT a.application_name, a.backend_start::text FROM pg_locks l \
             JOIN pg_stat_activity a ON a.pid = l.pid \
             WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 \
             AND l.classid = ($1::bigint)::oid AND l.objid = ($2::bigint)::oid",
        )
        .bind((key as u64 >> 32) as i64)
        .bind((key as u64 & 0xffff_ffff) as i64)
        .fetch_optional(&mut conn)
        .await
        .map_err(err)?;
        match holder {
            Some((name, since)) if !name.is_empty() => {
                say(&format!("{name}, connected since {since}"))
            }
            _ => say("a process that holds its lock"),
        }
        if wait(shutdown).await {
            return Ok(None);
        }
    }
}

/// Held while creating and altering tables (and migrating Dash's own):
/// pipelines of this process or others that share a database do not race
/// in `CREATE TABLE IF NOT EXISTS` or in the migrations. PostgreSQL: a
/// session advisory lock; SQLite: a lock on `DB-schema.lock`.
pub enum SchemaLock {
    Postgres(PgConnection),
    File(std::fs::File),
    None,
}

pub async fn schema_lock(url: &str) -> Result<SchemaLock, StoreError> {
    let shown = mask_url(url);
    let err = |e: sqlx::Error| {
        StoreError::database(&shown, e).doing("locking the schema to create tables")
    };
    if url.starts_with("sqlite:") {
        if url.contains(":memory:") || url.contains("mode=memory") {
            return Ok(SchemaLock::None);
        }
        let options = SqliteConnectOptions::from_str(url).map_err(err)?;
        let mut path = options.get_filename().as_os_str().to_owned();
        path.push("-schema.lock");
        let io = |e: std::io::Error| StoreError::Database {
            url: shown.clone(),
            message: format!("lock file {}: {e}", std::path::Path::new(&path).display()),
            retryable: false,
        };
        let Some(parent) = std::path::Path::new(&path).parent() else {
            return Ok(SchemaLock::None);
        };
        if !parent.as_os_str().is_empty() && !parent.exists() {
            // The database's directory does not exist: opening the
            // database says so better than the lock file would.
            return Ok(SchemaLock::None);
        }
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        file.lock().map_err(io)?;
        return Ok(SchemaLock::File(file));
    }
    let options = PgConnectOptions::from_str(url)
        .map_err(err)?
        .application_name(&me());
    let mut conn = PgConnection::connect_with(&options).await.map_err(err)?;
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(lock_key("\0schema"))
        .execute(&mut conn)
        .await
        .map_err(err)?;
    Ok(SchemaLock::Postgres(conn))
}

/// Sleep before the next try; true when `shutdown` came first.
async fn wait(shutdown: &Shutdown) -> bool {
    tokio::select! {
        () = tokio::time::sleep(RETRY) => false,
        () = shutdown.wait() => true,
    }
}

/// The advisory lock's key: the first 8 bytes of a SHA-256 of the name.
fn lock_key(pipeline: &str) -> i64 {
    let digest = Sha256::digest(format!("dash pipeline {pipeline}").as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_differ_by_pipeline() {
        assert_ne!(super::lock_key("a"), super::lock_key("b"));
        assert_eq!(super::lock_key("a"), super::lock_key("a"));
    }
}
