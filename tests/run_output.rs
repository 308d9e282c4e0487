//! `dashc run` end to end: a `stdout` sink gives clean JSON lines (the
//! summary goes to stderr), a closed stdout fails the run before its
//! checkpoint moves, and the counts add up per pipeline and per sink with
//! fan-out and with stdout/file sinks.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const PROGRAM: &str = r#"
type Reading { station: string  temp_c: float }
type Metric { station: string  temp_f: float }

source readings: Reading from file { path: "in.jsonl" }

transform to_metric(r: Reading) -> Metric {
  require r.station != "" else "empty station"
  skip if r.temp_c < -100.0
  Metric { station: r.station, temp_f: r.temp_c * 9.0 / 5.0 + 32.0 }
}

sink out: Metric into stdout {}
sink table_copy: Metric into table { table: "metrics"  key: [station] }
sink lines: Metric into file { path: "out.jsonl" }

pipeline to_stdout { readings -> to_metric -> out }
pipeline fan_out { readings -> to_metric -> [table_copy, lines, out] }
pipeline keyed { readings -> to_metric -> table_copy }
"#;

/// 6 readings: 4 good (one station twice), 1 empty station, 1 skipped.
const INPUT: &str = r#"{"station": "a", "temp_c": 1.0}
{"station": "b", "temp_c": 2.0}
{"station": "", "temp_c": 3.0}
{"station": "c", "temp_c": -300.0}
{"station": "d", "temp_c": 4.0}
{"station": "a", "temp_c": 5.0}
"#;

fn project(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dash-out-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("p.dash"), PROGRAM).unwrap();
    std::fs::write(dir.join("in.jsonl"), INPUT).unwrap();
    dir
}

fn run(dir: &Path, pipeline: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dashc"))
        .args(["run", dir.to_str().unwrap(), "--pipeline", pipeline])
        .env("NO_COLOR", "1")
        .output()
        .expect("run dashc")
}

/// The number on the summary line `what` (`  read   6`).
fn count(summary: &str, what: &str) -> u64 {
    summary
        .lines()
        .find(|l| l.trim_start().starts_with(what) && l.trim_start()[what.len()..].starts_with(' '))
        .and_then(|l| l.split_whitespace().last())
        .and_then(|n| n.replace(',', "").parse().ok())
        .unwrap_or_else(|| panic!("no `{what}` in:\n{summary}"))
}

#[test]
fn stdout_gets_clean_json_lines_and_the_summary_goes_to_stderr() {
    let dir = project("clean");
    let out = run(&dir, "to_stdout");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?}")))
        .collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    assert_eq!(lines[0]["station"], "a");
    let summary = String::from_utf8(out.stderr).unwrap();
    assert!(summary.contains("pipeline to_stdout finished"), "{summary}");
    assert_eq!(count(&summary, "read"), 6);
    assert_eq!(count(&summary, "written"), 4);
    assert_eq!(count(&summary, "skipped"), 1);
    assert_eq!(count(&summary, "dead-lettered"), 1);
    // The hint names the project, which is not the current directory.
    assert!(
        summary.contains(&format!("dashc dlq list --project {}", dir.display())),
        "{summary}"
    );
}

#[test]
fn a_closed_stdout_fails_the_run_before_its_checkpoint() {
    let dir = project("closed");
    let mut child = Command::new(env!("CARGO_BIN_EXE_dashc"))
        .args(["run", dir.to_str().unwrap(), "--pipeline", "to_stdout"])
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the reading end before anything is read.
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_ne!(status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("broken pipe"), "{stderr}");
    // Nothing was committed: the next run reads every record again.
    let again = run(&dir, "to_stdout");
    let summary = String::from_utf8(again.stderr).unwrap();
    assert_eq!(count(&summary, "read"), 6, "{summary}");
    assert_eq!(String::from_utf8(again.stdout).unwrap().lines().count(), 4);
}

#[test]
fn counts_add_up_with_fan_out_and_per_sink() {
    let dir = project("fanout");
    let out = run(&dir, "fan_out");
    let summary = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{summary}");
    let (read, written, there, skipped, dead) = (
        count(&summary, "read"),
        count(&summary, "written"),
        count(&summary, "already there"),
        count(&summary, "skipped"),
        count(&summary, "dead-lettered"),
    );
    assert_eq!(read, written + there + skipped + dead, "{summary}");
    assert_eq!((read, written, there), (6, 4, 0), "{summary}");
    // Each sink's own counts: the keyed table stored station `a` once.
    assert!(
        summary.contains("sink table_copy (table \"metrics\"): written 3, already there 1"),
        "{summary}"
    );
    assert!(summary.contains("sink lines (file "), "{summary}");
    assert!(
        summary.contains("sink out (stdout): written 4"),
        "{summary}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("out.jsonl"))
            .unwrap()
            .lines()
            .count(),
        4
    );

    // A keyed table alone: a record already there counts as such.
    let out = run(&dir, "keyed");
    let summary = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        (
            count(&summary, "read"),
            count(&summary, "written"),
            count(&summary, "already there")
        ),
        (6, 0, 4),
        "{summary}"
    );
}

#[test]
fn dash_runs_stores_each_count_apart() {
    let dir = project("runs");
    assert_eq!(run(&dir, "keyed").status.code(), Some(0));
    let db = dir.join("dash.db");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        let url = format!("sqlite://{}", db.display());
        let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
        let row: (i64, i64, i64, Option<i64>, i64, i64) = sqlx::query_as(
            "SELECT read, delivered, written, already_there, skipped, dead_lettered FROM dash_runs",
        )
        .fetch_one(&mut c)
        .await
        .unwrap();
        assert_eq!(row, (6, 4, 3, Some(1), 1, 1));
        let sinks: Vec<(String, String, i64, i64)> =
            sqlx::query_as("SELECT sink, target, written, already_there FROM dash_run_sinks")
                .fetch_all(&mut c)
                .await
                .unwrap();
        assert_eq!(
            sinks,
            vec![("table_copy".into(), "table \"metrics\"".into(), 3, 1)]
        );
    });
}

/// Standard input is new input every run: a second run reads all of it,
/// not from the first run's checkpoint.
#[test]
fn stdin_is_read_from_its_start_every_run() {
    use std::io::Write;
    let dir = project("stdin");
    std::fs::write(
        dir.join("p.dash"),
        "type Row { id: int  name: string }\n\
         source rows: Row from stdin { format: csv }\n\
         sink out: Row into table { table: \"rows\" }\n\
         pipeline p { rows -> out }\n",
    )
    .unwrap();
    let feed = |input: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dashc"))
            .args(["run", dir.to_str().unwrap()])
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let summary = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(0), "{summary}");
        count(&summary, "written")
    };
    assert_eq!(feed("id,name\n1,a\n2,b\n"), 2);
    assert_eq!(feed("id,name\n3,c\n4,d\n5,e\n"), 3);
}
