//! `workers: N` writes N batches at once: with the sink table locked by
//! the test, exactly N of Dash's COPYs wait on it (never more), and
//! `--workers 1` overrides the pipeline's option down to one. Once the
//! lock goes, every record is there once.

#[path = "../runtime/tests/common/db.rs"]
mod db;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PROGRAM: &str = "type Row {\n  n: int\n}\n\n\
source rows: Row from file {\n  path: \"in.jsonl\"\n}\n\n\
sink stored: Row into postgres {\n  table: \"parallel_rows\"\n  batch: 100\n  linger: 10ms\n}\n\n\
pipeline load {\n  rows -> stored\n  workers: 3\n}\n";

fn input(from: usize, to: usize) -> String {
    (from..to).map(|n| format!("{{\"n\": {n}}}\n")).collect()
}

/// Dash's COPYs into the table waiting on a lock now.
fn waiting(url: &str) -> i64 {
    db::int(
        url,
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' \
         AND query LIKE 'COPY \"parallel_rows\"%'",
    )
}

fn run(dir: &std::path::Path, url: &str, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_dashc"))
        .arg("run")
        .arg(dir)
        .args(["--db", url])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start dashc")
}

/// With the table locked, wait until `expected` COPYs wait on it, then
/// watch a while that no more do; release the lock; the run finishes.
fn writes_at_once(dir: &std::path::Path, url: &str, args: &[&str], expected: i64) {
    // The lock's connection lives on this runtime until it commits.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let lock = rt.block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
        sqlx::raw_sql("BEGIN; LOCK TABLE parallel_rows IN EXCLUSIVE MODE")
            .execute(&mut c)
            .await
            .expect("lock");
        c
    });
    let child = run(dir, url, args);
    let deadline = Instant::now() + Duration::from_secs(20);
    while waiting(url) < expected {
        assert!(Instant::now() < deadline, "{expected} COPYs never waited");
        std::thread::sleep(Duration::from_millis(20));
    }
    for _ in 0..50 {
        let now = waiting(url);
        assert!(now <= expected, "{now} COPYs at once, more than {expected}");
        std::thread::sleep(Duration::from_millis(20));
    }
    rt.block_on(async {
        use sqlx::Connection;
        let mut lock = lock;
        sqlx::raw_sql("COMMIT")
            .execute(&mut lock)
            .await
            .expect("unlock");
        lock.close().await.ok();
    });
    let out = child.wait_with_output().expect("dashc");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn workers_write_that_many_batches_at_once() {
    let url = db::pg_schema("workers");
    let dir = std::env::temp_dir().join(format!("dash-workers-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("p.dash"), PROGRAM).unwrap();
    // A first run makes the table.
    std::fs::write(dir.join("in.jsonl"), input(0, 10)).unwrap();
    let out = run(&dir, &url, &[]).wait_with_output().expect("dashc");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // `workers: 3`: three batches written at once.
    std::fs::write(dir.join("in.jsonl"), input(0, 5_000)).unwrap();
    writes_at_once(&dir, &url, &[], 3);
    // `--workers 1` over the pipeline's option: one at a time.
    std::fs::write(dir.join("in.jsonl"), input(0, 10_000)).unwrap();
    writes_at_once(&dir, &url, &["--workers", "1"], 1);

    assert_eq!(db::int(&url, "SELECT count(*) FROM parallel_rows"), 10_000);
    assert_eq!(
        db::int(&url, "SELECT count(DISTINCT n) FROM parallel_rows"),
        10_000
    );
    std::fs::remove_dir_all(&dir).ok();
}
