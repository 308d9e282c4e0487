//! Crash safety: `dashc run` is killed with SIGKILL at random moments
//! during a 200,000-record ingest, then run to completion. Every good
//! record must be in the table exactly once and every bad one in the DLQ
//! exactly once (no key on this sink: duplicates would show), and every
//! good record once in the `file` sink's output too.

#[path = "../runtime/tests/common/db.rs"]
mod db;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

const PROGRAM: &str = "type Reading {\n  station: string\n  n: int\n  temp_c: float\n}\n\n\
type Metric {\n  station: string\n  n: int\n  temp_f: float\n}\n\n\
source readings: Reading from file {\n  path: \"in.jsonl\"\n}\n\n\
transform to_metric(r: Reading) -> Metric {\n  require r.station != \"\" else \"empty station\"\n  \
Metric { station: r.station, n: r.n, temp_f: r.temp_c * 1.8 + 32.0 }\n}\n\n\
sink metrics: Metric into table {\n  table: \"metrics\"\n  batch: 2000\n}\n\n\
sink copy: Metric into file {\n  path: \"out.jsonl\"\n}\n\n\
pipeline weather {\n  readings -> to_metric -> [metrics, copy]\n}\n";

const RECORDS: usize = 200_000;

/// Every 97th record is bad (empty station), every 89th not JSON.
fn data() -> (String, usize, usize) {
    let (mut text, mut good, mut bad) = (String::new(), 0, 0);
    for i in 0..RECORDS {
        if i % 89 == 0 {
            text.push_str("not json\n");
            bad += 1;
        } else if i % 97 == 0 {
            text.push_str(&format!(
                "{{\"station\": \"\", \"n\": {i}, \"temp_c\": 1.5}}\n"
            ));
            bad += 1;
        } else {
            text.push_str(&format!(
                "{{\"station\": \"s{}\", \"n\": {i}, \"temp_c\": {}.25}}\n",
                i % 100,
                i % 40
            ));
            good += 1;
        }
    }
    (text, good, bad)
}

/// A pseudo-random fraction in [0, 1), deterministic per attempt.
fn fraction(attempt: u64) -> f64 {
    ((attempt * 7919 + 104_729) % 1000) as f64 / 1000.0
}

/// Kill runs until 12 kills landed; returns (kills, kills that landed
/// after some batches committed but before the end). Each kill waits
/// until the committed position passes a random point of what is left,
/// then a random 0–15 ms more (so kills land inside batches too): the
/// kills land mid-ingest however fast the machine is.
fn crash_and_finish(dir: &Path, db: Option<&str>, url: &str) -> (u32, u32) {
    let mut kills = 0;
    let mut mid_ingest = 0;
    let total = std::fs::metadata(dir.join("in.jsonl"))
        .map(|m| m.len() as i64)
        .unwrap_or(0);
    for attempt in 0..40 {
        let from = checkpoint(url);
        let target = from + ((total - from) as f64 * fraction(attempt) * 0.3) as i64;
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_dashc"));
        cmd.arg("run").arg(dir);
        if let Some(db) = db {
            cmd.args(["--db", db]);
        }
        let mut child = cmd
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("dashc run");
        let finished = loop {
            if child.try_wait().expect("wait").is_some() {
                break true;
            }
            if checkpoint(url) >= target {
                break false;
            }
            std::thread::sleep(Duration::from_millis(1));
        };
        if finished {
            break;
        }
        std::thread::sleep(Duration::from_millis((fraction(attempt + 1) * 15.0) as u64));
        if child.try_wait().expect("wait").is_some() {
            break; // finished before the kill
        }
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");
        kills += 1;
        let position = checkpoint(url);
        if position > 0 && position < total {
            mid_ingest += 1;
        }
        if kills >= 12 {
            break;
        }
    }
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dashc"));
    cmd.arg("run").arg(dir);
    if let Some(db) = db {
        cmd.args(["--db", db]);
    }
    let out = cmd.output().expect("final run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (kills, mid_ingest)
}

/// The committed source position (0 before the first commit).
fn checkpoint(url: &str) -> i64 {
    let sql = "SELECT COALESCE(MAX(position), 0) FROM dash_checkpoints";
    try_count(url, sql).unwrap_or(0)
}

/// The `file` sink's output: `good` lines, each record (`n`) once.
fn assert_file_holds_each_once(dir: &Path, good: usize) {
    let text = std::fs::read_to_string(dir.join("out.jsonl")).expect("out.jsonl");
    let mut seen = std::collections::HashSet::new();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        assert!(
            seen.insert(v["n"].as_i64().expect("n")),
            "written twice: {line}"
        );
    }
    assert_eq!(seen.len(), good);
}

fn project(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("dash-crash-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("p.dash"), PROGRAM).unwrap();
    dir
}

fn count(url: &str, sql: &str) -> i64 {
    try_count(url, sql).unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// A count, or why not (the database or its tables may not exist yet).
fn try_count(url: &str, sql: &str) -> Result<i64, sqlx::Error> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(sqlx::Error::Io)?;
    rt.block_on(async {
        use sqlx::Connection;
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        let row: (i64,) = if url.starts_with("sqlite:") {
            let mut c = sqlx::SqliteConnection::connect(url).await?;
            sqlx::query_as(sql).fetch_one(&mut c).await?
        } else {
            let mut c = sqlx::PgConnection::connect(url).await?;
            sqlx::query_as(sql).fetch_one(&mut c).await?
        };
        Ok(row.0)
    })
}

/// Write the input, kill and finish the ingest, then check exact counts:
/// every good record once in the table and the file, every bad one once
/// in the DLQ. `db` is `--db` (none: the SQLite default at `url`).
fn crash_test(dir: &Path, db: Option<&str>, url: &str) {
    let (text, good, bad) = data();
    std::fs::write(dir.join("in.jsonl"), text).unwrap();
    let (kills, mid) = crash_and_finish(dir, db, url);
    assert!(
        kills >= 10,
        "only {kills} kills landed before the run finished"
    );
    assert!(mid >= 5, "only {mid} of {kills} kills landed mid-ingest");
    eprintln!("{kills} kills, {mid} mid-ingest");
    assert_eq!(count(url, "SELECT COUNT(*) FROM metrics") as usize, good);
    assert_eq!(
        count(url, "SELECT COUNT(DISTINCT n) FROM metrics") as usize,
        good
    );
    assert_eq!(count(url, "SELECT COUNT(*) FROM dash_dlq") as usize, bad);
    assert_file_holds_each_once(dir, good);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn sigkill_during_ingest_loses_and_duplicates_nothing_sqlite() {
    let dir = project("sqlite");
    let url = format!("sqlite://{}", dir.join("dash.db").display());
    crash_test(&dir, None, &url);
}

#[test]
fn sigkill_during_ingest_loses_and_duplicates_nothing_postgres() {
    let url = fresh_schema("dash_crash");
    let dir = project("pg");
    crash_test(&dir, Some(&url), &url);
}

/// The same with `workers: 4`: four batches written at once over four
/// connections, each committing in its turn, so the kills land between
/// batches in flight; none may be lost or written twice (no key here:
/// a batch committed out of turn would be written again by the rerun),
/// and the `file` sink's lines stay exactly once.
#[test]
fn sigkill_with_four_workers_loses_and_duplicates_nothing_postgres() {
    let url = fresh_schema("dash_crash_workers");
    let dir = project("pg-workers");
    std::fs::write(dir.join("p.dash"), four_workers(PROGRAM)).unwrap();
    crash_test(&dir, Some(&url), &url);
}

/// `program` whose pipeline has `workers: 4`.
fn four_workers(program: &str) -> String {
    let start = program.find("pipeline weather {").expect("the pipeline");
    let end = start + program[start..].find("\n}").expect("its end");
    format!("{}\n  workers: 4{}", &program[..end], &program[end..])
}

/// The same on a table partitioned by time (PostgreSQL without
/// TimescaleDB: partitions made by the batches) with two rollup tables
/// kept in the batches' transactions: after the kills, each rollup equals
/// its GROUP BY over the table.
#[test]
fn sigkill_keeps_partitions_and_rollups_exact_on_vanilla_postgres() {
    let url = fresh_schema("dash_crash_part");
    rollups_after_kills("pg-part", &url, false);
}

/// The same on a hypertable whose rollups are continuous aggregates:
/// after the kills, each equals its GROUP BY once refreshed, and then
/// through real-time aggregation for rows of a later day.
#[test]
fn sigkill_keeps_hypertable_and_continuous_aggregates_exact_with_timescaledb() {
    let (name, url) = db::database("dash_crash_ts", true);
    rollups_after_kills("ts", &url, true);
    db::drop_database(&name);
}

fn rollups_after_kills(tag: &str, url: &str, timescale: bool) {
    let dir = project(tag);
    let program = PROGRAM
        .replace("type Reading {\n", "type Reading {\n  ts: timestamp\n")
        .replace("type Metric {\n", "type Metric {\n  ts: timestamp\n")
        .replace("Metric { station:", "Metric { ts: r.ts, station:")
        .replace(
            "  table: \"metrics\"\n",
            "  table: \"metrics\"\n  time: ts\n  chunk: 1d\n  \
             rollup hourly every 1h {\n    rows: count()\n    total: sum(temp_f)\n    high: max(temp_f)\n  }\n  \
             rollup daily every 1d {\n    rows: count()\n    low: min(temp_f)\n  }\n",
        )
        .replace("[metrics, copy]", "metrics");
    // Batches in flight fold into the same rollup rows.
    std::fs::write(dir.join("p.dash"), four_workers(&program)).unwrap();
    // A time on every JSON record: one second apart from 2026-01-01.
    let (text, good, bad) = data();
    let timed: String = text
        .lines()
        .enumerate()
        .map(|(i, line)| match line.strip_prefix('{') {
            Some(rest) => {
                let ts = format!(
                    "2026-01-{:02}T{:02}:{:02}:{:02}Z",
                    1 + i / 86_400,
                    i / 3600 % 24,
                    i / 60 % 60,
                    i % 60
                );
                format!("{{\"ts\": \"{ts}\", {rest}\n")
            }
            None => format!("{line}\n"),
        })
        .collect();
    std::fs::write(dir.join("in.jsonl"), timed).unwrap();
    let (kills, mid) = crash_and_finish(&dir, Some(url), url);
    assert!(
        kills >= 10,
        "only {kills} kills landed before the run finished"
    );
    assert!(mid >= 5, "only {mid} of {kills} kills landed mid-ingest");
    assert_eq!(count(url, "SELECT COUNT(*) FROM metrics") as usize, good);
    assert_eq!(
        count(url, "SELECT COUNT(DISTINCT n) FROM metrics") as usize,
        good
    );
    assert_eq!(count(url, "SELECT COUNT(*) FROM dash_dlq") as usize, bad);
    if timescale {
        // 200,000 seconds from 2026-01-01: three days, a chunk each.
        assert_eq!(count(url, "SELECT COUNT(*) FROM show_chunks('metrics')"), 3);
    } else {
        assert_eq!(
            count(url, "SELECT COUNT(*) FROM metrics_default"),
            0,
            "every row in a partition of its own day"
        );
    }
    let hourly = "SELECT bucket, rows, round(total::numeric, 6), high FROM hourly";
    let hourly_by = "SELECT date_bin('1 hour', ts, '2000-01-03'), count(*), \
                     round(sum(temp_f)::numeric, 6), max(temp_f) FROM metrics GROUP BY 1";
    let daily = "SELECT bucket, rows, low FROM daily";
    let daily_by = "SELECT date_bin('1 day', ts, '2000-01-03'), count(*), min(temp_f) \
                    FROM metrics GROUP BY 1";
    let same = |when: &str| {
        for (stored, group_by) in [(hourly, hourly_by), (daily, daily_by)] {
            assert!(count(url, &format!("SELECT COUNT(*) FROM ({stored}) x")) > 0);
            assert_eq!(
                count(
                    url,
                    &format!(
                        "SELECT COUNT(*) FROM (({stored} EXCEPT {group_by}) \
                         UNION ALL ({group_by} EXCEPT {stored})) x"
                    )
                ),
                0,
                "{when}: {stored} differs from its GROUP BY"
            );
        }
    };
    if !timescale {
        same("after the kills");
    } else {
        // The refresh policy ran while the kills went on and materialized
        // buckets then partly written: as TimescaleDB documents, they show
        // later rows after the next refresh.
        for view in ["hourly", "daily"] {
            db::execute(
                url,
                &format!("CALL refresh_continuous_aggregate('{view}', NULL, NULL)"),
            );
        }
        same("refreshed after the kills");
        // Rows of a later day, never refreshed: read through real-time
        // aggregation.
        let more: String = (0..5000)
            .map(|i| {
                format!(
                    "{{\"ts\": \"2026-01-04T{:02}:{:02}:{:02}Z\", \"station\": \"s{}\", \
                     \"n\": {}, \"temp_c\": {}.5}}\n",
                    i / 3600,
                    i / 60 % 60,
                    i % 60,
                    i % 7,
                    RECORDS + i,
                    i % 30
                )
            })
            .collect();
        let path = dir.join("in.jsonl");
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str(&more);
        std::fs::write(&path, text).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_dashc"))
            .arg("run")
            .arg(&dir)
            .args(["--db", url])
            .output()
            .expect("run dashc");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            count(url, "SELECT COUNT(*) FROM metrics") as usize,
            good + 5000
        );
        same("a later day through real-time aggregation");
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// A fresh schema `{prefix}_{pid}` of the test database: a URL using it.
fn fresh_schema(prefix: &str) -> String {
    let schema = format!("{prefix}_{}", std::process::id());
    let base = "postgres://postgres@127.0.0.1:5432/test";
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::PgConnection::connect(base)
            .await
            .expect("PostgreSQL at 127.0.0.1:5432");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};"
        )))
        .execute(&mut c)
        .await
        .unwrap();
    });
    format!("{base}?options=-c%20search_path%3D{schema}")
}
