//! PostgreSQL restarted in the middle of a run: the batch being committed
//! fails, the writer retries with backoff until the server is back, and
//! the run completes with every record written or dead-lettered exactly
//! once.
//!
//! The input is a named pipe the test feeds, so the restart lands
//! mid-run on any machine. It stops and starts the machine's cluster with
//! `pg_ctlcluster 15 main` (the CI machine's PostgreSQL), which is why it
//! is a test binary of its own: cargo runs test binaries one at a time.

mod common;

use std::io::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

use common::db::{pg_schema, try_int};
use common::*;

/// `SELECT count(*)`, or `None` while the server is down.
fn count(url: &str, table: &str) -> Option<i64> {
    try_int(url, &format!("SELECT count(*) FROM {table}")).ok()
}

fn cluster(action: &str) {
    let status = Command::new("pg_ctlcluster")
        .args(["--skip-systemctl-redirect", "15", "main", action])
        .status()
        .expect("pg_ctlcluster (the machine's PostgreSQL 15 cluster) must be available");
    assert!(status.success(), "pg_ctlcluster 15 main {action} failed");
}

/// Starts the cluster again however the test ends.
struct Restart;

impl Drop for Restart {
    fn drop(&mut self) {
        let _ = Command::new("pg_ctlcluster")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .args(["--skip-systemctl-redirect", "15", "main", "start"])
            .status();
    }
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// One good record per `i`, and a bad one (a string temperature) every 10th.
fn records(from: usize, to: usize) -> String {
    let mut out = String::new();
    for i in from..to {
        if i % 10 == 9 {
            out.push_str(&format!("{{\"station\": \"s{i}\", \"ts\": \"2026-01-01T00:00:00Z\", \"temp_c\": \"warm\"}}\n"));
        } else {
            out.push_str(&format!(
                "{{\"station\": \"s{i}\", \"ts\": \"2026-01-01T00:00:00Z\", \"temp_c\": {}.5}}\n",
                i % 40
            ));
        }
    }
    out
}

#[test]
fn a_postgres_restart_mid_run_is_retried_and_nothing_is_lost() {
    let url = pg_schema("restart");
    let dir = project("pg-restart", FILE_SOURCE, "unused", b"");
    let program = std::fs::read_to_string(dir.join("p.dash")).unwrap();
    std::fs::write(
        dir.join("p.dash"),
        program.replace("batch: 3", "batch: 200\n  linger: 50ms"),
    )
    .unwrap();
    let fifo = dir.join("in.jsonl");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );

    let run_dir = dir.clone();
    let run_url = url.clone();
    let run = std::thread::spawn(move || run_on(&run_dir, Some(&run_url)));
    let mut pipe = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
    let _restart = Restart;

    // A first part, committed before the server goes away.
    pipe.write_all(records(0, 1_000).as_bytes()).unwrap();
    pipe.flush().unwrap();
    wait_for("the first 1,000 records", || {
        count(&url, "metrics").zip(count(&url, "dash_dlq")) == Some((900, 100))
    });

    cluster("stop");
    // Records read while the server is down: their batches cannot commit.
    // Down longer than the pool's 5 s connect wait, so the writer's own
    // retry (counted in the summary) must bring them through.
    pipe.write_all(records(1_000, 2_000).as_bytes()).unwrap();
    pipe.flush().unwrap();
    std::thread::sleep(Duration::from_secs(8));
    cluster("start");

    pipe.write_all(records(2_000, 3_000).as_bytes()).unwrap();
    drop(pipe);
    let summary = run.join().expect("the run finishes");

    assert_eq!(counts(&summary), (3_000, 2_700, 0, 300));
    assert!(summary.retries >= 1, "no commit was retried: {summary:?}");
    assert_eq!(count(&url, "metrics"), Some(2_700));
    assert_eq!(count(&url, "dash_dlq"), Some(300));
    assert_eq!(
        count(&url, "(SELECT DISTINCT station FROM metrics) s"),
        Some(2_700)
    );
}
