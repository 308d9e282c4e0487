//! Reading and replaying the dead-letter table (`dash_runtime::dlq`): the
//! table `--table` names, `--since`, databases that do not exist, the sink
//! checks of a run, what a letter that fails again records, and projects
//! with several pipelines. SQLite, and PostgreSQL for one replay.

mod common;

use std::path::{Path, PathBuf};

use common::db::{execute, int, pg_schema, texts};
use dash_runtime::dlq::{self, DlqError, ReplayOptions, Since};
use dash_runtime::executor::{RunOptions, run_blocking};
use dash_runtime::summary::RunError;

/// Readings in, metrics out; empty stations fail `require` (stage
/// `to_metric`, R0001), readings without `temp_c` fail decoding (R0007).
const PROGRAM: &str = r#"type Reading {
  station: string
  temp_c: float
}

type Metric {
  station: string
  temp_f: float
}

source readings: Reading from file {
  path: "in.jsonl"
}

transform to_metric(r: Reading) -> Metric {
  let station = lower(trim(r.station))
  require station != "" else "empty station"
  Metric { station: station, temp_f: r.temp_c * 9.0 / 5.0 + 32.0 }
}

sink metrics: Metric into table {
  table: "metrics"
  key: [station]
}

pipeline weather {
  readings -> to_metric -> metrics
}
"#;

/// One good reading, one empty station, one without a temperature.
const READINGS: &str = "{\"station\": \"KSEA\", \"temp_c\": 1.0}\n\
{\"station\": \"  \", \"temp_c\": 2.0}\n\
{\"station\": \"KPDX\"}\n";

const REQUIRE: &str = "require station != \"\" else \"empty station\"";

fn project(name: &str, program: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dash-dlq-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("p.dash"), program).unwrap();
    std::fs::write(dir.join("in.jsonl"), READINGS).unwrap();
    dir
}

fn compiled(dir: &Path) -> dash_ir::Compiled {
    let text = std::fs::read_to_string(dir.join("p.dash")).unwrap();
    let analysis = dash_check::analyze(vec![dash_syntax::SourceFile::new("p.dash", text)]);
    assert_eq!(analysis.error_count(), 0, "{:?}", analysis.diagnostics);
    dash_ir::compile(&analysis)
}

fn options(db: Option<&str>, pipeline: Option<&str>) -> RunOptions {
    RunOptions {
        db: db.map(str::to_string),
        pipeline: pipeline.map(str::to_string),
        ..RunOptions::default()
    }
}

/// Run the project (one pipeline of it) to the end.
fn run(dir: &Path, db: Option<&str>, pipeline: Option<&str>) {
    run_blocking(&compiled(dir), dir, &options(db, pipeline), &mut |_| {}).expect("run");
}

/// Rewrite `p.dash`: `from` (which must be there) becomes `to`.
fn edit(dir: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(dir.join("p.dash")).unwrap();
    assert!(text.contains(from), "{from} in {text}");
    std::fs::write(dir.join("p.dash"), text.replace(from, to)).unwrap();
}

fn sqlite(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("dash.db").display())
}

/// Decoding failures that, with `temp_c` optional, fail in the transform.
const OPTIONAL_TEMP: [(&str, &str); 3] = [
    (
        "  temp_c: float\n}\n\ntype Metric",
        "  temp_c: float?\n}\n\ntype Metric",
    ),
    (REQUIRE, "require r.temp_c != null else \"no temperature\""),
    ("r.temp_c * 9.0", "(r.temp_c ?? 0.0) * 9.0"),
];

#[test]
fn a_letter_that_fails_again_records_how() {
    let dir = project("again", PROGRAM);
    run(&dir, None, None);
    let (_, before) = dlq::entries(&dir, None, None, None, None, Some(2)).unwrap();
    assert_eq!(
        (before[0].stage.as_str(), before[0].code.as_str()),
        ("decode", "R0007")
    );
    assert_eq!(before[0].location, None);
    std::thread::sleep(std::time::Duration::from_millis(20));
    for (from, to) in OPTIONAL_TEMP {
        edit(&dir, from, to);
    }
    let replayed = dlq::replay(&compiled(&dir), &dir, &RunOptions::default(), None).unwrap();
    assert_eq!(
        (replayed.attempted, replayed.resolved, replayed.failing),
        (2, 1, 1)
    );
    assert_eq!(replayed.written, 1);
    let (_, after) = dlq::entries(&dir, None, None, None, None, None).unwrap();
    assert_eq!(after.len(), 1);
    let e = &after[0];
    assert_eq!(e.id, 2);
    assert_eq!(
        (e.stage.as_str(), e.code.as_str(), e.message.as_str()),
        ("to_metric", "R0001", "no temperature")
    );
    let location = e.location.as_deref().unwrap_or_default();
    assert!(location.starts_with("p.dash:17:"), "{location}");
    assert_eq!(e.attempts, 2);
    assert_eq!(e.first_failed_at, before[0].first_failed_at);
    assert!(e.last_failed_at > before[0].last_failed_at, "{e:?}");
    assert_eq!(e.raw, before[0].raw);
}

#[test]
fn since_is_a_time_with_an_offset_or_a_duration() {
    let dir = project("since", PROGRAM);
    run(&dir, None, None);
    let replay = |since| dlq::replay(&compiled(&dir), &dir, &RunOptions::default(), Some(since));
    for bad in ["garbage", "2h ago", "2026-11-30", "2026-11-30T10:00:00"] {
        let error = replay(bad).expect_err(bad);
        assert!(matches!(error, DlqError::Since { .. }), "{error:?}");
        let text = error.to_string();
        assert!(
            text.contains(&format!("`--since {bad}`")) && text.contains("RFC 3339"),
            "{text}"
        );
    }
    let (_, letters) = dlq::entries(&dir, None, None, None, None, None).unwrap();
    assert!(letters.iter().all(|e| e.attempts == 1));
    assert_eq!(replay("2h").unwrap().attempted, 2);
    assert_eq!(replay("2020-01-01T00:00:00+01:00").unwrap().attempted, 2);
    assert_eq!(replay("2999-01-01T00:00:00+01:00").unwrap().attempted, 0);
    // A duration is counted back from the replay.
    let options = ReplayOptions {
        since: Some(Since::Ago(chrono::TimeDelta::zero())),
        ..ReplayOptions::default()
    };
    std::thread::sleep(std::time::Duration::from_millis(20));
    let done = dlq::replay_with(&compiled(&dir), &dir, &RunOptions::default(), &options).unwrap();
    assert_eq!(done.pipelines[0].attempted, 0);
}

#[test]
fn a_database_that_does_not_exist_is_not_created() {
    let dir = project("no-db", PROGRAM);
    let error = dlq::entries(&dir, None, None, None, None, None).expect_err("no database");
    assert!(matches!(error, DlqError::NoDatabase { .. }), "{error:?}");
    assert!(error.to_string().contains("does not exist"), "{error}");
    let error =
        dlq::replay(&compiled(&dir), &dir, &RunOptions::default(), None).expect_err("no database");
    assert!(matches!(error, DlqError::NoDatabase { .. }), "{error:?}");
    assert!(!dir.join("dash.db").exists());
    // After a run: a DLQ table that is not there is named, not created.
    run(&dir, None, None);
    let error = dlq::entries(&dir, None, None, Some("nope"), None, None).expect_err("no table");
    assert!(matches!(&error, DlqError::NoTable { table, .. } if table == "nope"));
    let url = sqlite(&dir);
    assert_eq!(
        int(
            &url,
            "SELECT count(*) FROM sqlite_master WHERE name = 'nope'"
        ),
        0
    );
}

#[test]
fn replay_refuses_a_sink_of_the_other_engine() {
    let dir = project("engine", PROGRAM);
    run(&dir, None, None);
    edit(&dir, "into table", "into postgres");
    edit(&dir, REQUIRE, "let _checked = true");
    // No database configured: the embedded SQLite file cannot do.
    let error = dlq::replay(&compiled(&dir), &dir, &RunOptions::default(), None)
        .expect_err("a postgres sink without a database");
    assert!(
        matches!(&error, DlqError::Run(RunError::Environment(m)) if m.contains("is a `postgres` sink")),
        "{error:?}"
    );
    // A SQLite database named: the wrong engine.
    let url = sqlite(&dir);
    let error = dlq::replay(&compiled(&dir), &dir, &options(Some(&url), None), None)
        .expect_err("a postgres sink on SQLite");
    assert!(
        matches!(
            error,
            DlqError::Run(RunError::Store(
                dash_runtime::store::StoreError::WrongEngine { .. }
            ))
        ),
        "{error:?}"
    );
    let (_, left) = dlq::entries(&dir, None, None, None, None, None).unwrap();
    assert_eq!(left.len(), 2);
    assert!(left.iter().all(|e| e.attempts == 1));
}

#[test]
fn replay_reads_and_updates_the_table_it_is_given() {
    let dir = project(
        "table",
        &PROGRAM.replace(
            "readings -> to_metric -> metrics\n",
            "readings -> to_metric -> metrics\n  dlq: \"old_dlq\"\n",
        ),
    );
    run(&dir, None, None);
    // The pipeline does not name that table any more.
    edit(&dir, "  dlq: \"old_dlq\"\n", "");
    edit(&dir, REQUIRE, "let _checked = true");
    let options = ReplayOptions {
        table: Some("old_dlq".into()),
        ..ReplayOptions::default()
    };
    let done = dlq::replay_with(&compiled(&dir), &dir, &RunOptions::default(), &options).unwrap();
    let r = &done.pipelines[0];
    assert_eq!(
        (
            r.table.as_str(),
            r.attempted,
            r.resolved,
            r.failing,
            r.written
        ),
        ("old_dlq", 2, 1, 1, 1)
    );
    let url = sqlite(&dir);
    assert_eq!(
        texts(&url, "SELECT station FROM metrics ORDER BY station"),
        ["", "ksea"]
    );
    assert_eq!(
        texts(&url, "SELECT code || ' ' || attempts FROM old_dlq"),
        ["R0007 2"]
    );
    // The pipeline's own table was neither read nor created.
    assert_eq!(
        int(
            &url,
            "SELECT count(*) FROM sqlite_master WHERE name = 'dash_dlq'"
        ),
        0
    );
    // A table that is not there is an error.
    let options = ReplayOptions {
        table: Some("nope".into()),
        ..ReplayOptions::default()
    };
    let error = dlq::replay_with(&compiled(&dir), &dir, &RunOptions::default(), &options)
        .expect_err("no such table");
    assert!(matches!(&error, DlqError::NoTable { table, .. } if table == "nope"));
}

/// A second pipeline, reading CSV with a header from stdin: its dead
/// letters could not be replayed (the header is gone).
const EXTRA: &str = r#"
source more: Reading from stdin {
  format: csv
}

sink others: Metric into table {
  table: "others"
}

pipeline extra {
  more -> to_metric -> others
}
"#;

#[test]
fn several_pipelines_only_some_with_letters() {
    let dir = project("pipelines", &format!("{PROGRAM}{EXTRA}"));
    run(&dir, None, Some("weather"));
    let url = sqlite(&dir);
    // A letter of a pipeline the project no longer has.
    execute(
        &url,
        "INSERT INTO dash_dlq (pipeline, stage, code, message, raw, source, position, \
         first_failed_at, last_failed_at) VALUES ('gone', 'decode', 'R0007', 'old', '{}', \
         'old', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
    );
    edit(&dir, REQUIRE, "let _checked = true");
    // The pipeline without letters: nothing to replay, nothing refused.
    let extra = dlq::replay(&compiled(&dir), &dir, &options(None, Some("extra")), None).unwrap();
    assert_eq!((extra.pipeline.as_str(), extra.attempted), ("extra", 0));
    // Without a pipeline the one-pipeline call says to choose one...
    let error = dlq::replay(&compiled(&dir), &dir, &RunOptions::default(), None)
        .expect_err("several pipelines");
    assert!(error.to_string().contains("--pipeline"), "{error}");
    // ...and `replay_with` replays every pipeline's letters.
    let done = dlq::replay_with(
        &compiled(&dir),
        &dir,
        &RunOptions::default(),
        &ReplayOptions::default(),
    )
    .unwrap();
    let summary: Vec<(&str, usize, usize)> = done
        .pipelines
        .iter()
        .map(|r| (r.pipeline.as_str(), r.attempted, r.resolved))
        .collect();
    assert_eq!(summary, [("weather", 2, 1), ("extra", 0, 0)]);
    assert_eq!(done.unknown.len(), 1);
    assert_eq!(
        (done.unknown[0].pipeline.as_str(), done.unknown[0].letters),
        ("gone", 1)
    );
    assert_eq!(
        texts(
            &url,
            "SELECT pipeline || ' ' || attempts FROM dash_dlq ORDER BY id"
        ),
        ["weather 2", "gone 1"]
    );
    assert_eq!(int(&url, "SELECT count(*) FROM metrics"), 2);
    // The other table was not created: `extra` had nothing to write.
    assert_eq!(
        int(
            &url,
            "SELECT count(*) FROM sqlite_master WHERE name = 'others'"
        ),
        0
    );
}

#[test]
fn replay_on_postgres_records_new_failures_in_the_named_table() {
    let url = pg_schema("dlq_replay");
    let dir = project(
        "pg",
        &PROGRAM.replace(
            "readings -> to_metric -> metrics\n",
            "readings -> to_metric -> metrics\n  dlq: \"old_dlq\"\n",
        ),
    );
    run(&dir, Some(&url), None);
    edit(&dir, "  dlq: \"old_dlq\"\n", "");
    let (_, before) = dlq::entries(&dir, Some(&url), None, Some("old_dlq"), None, Some(2)).unwrap();
    assert_eq!(before[0].stage, "decode");
    // A `sqlite` sink refuses PostgreSQL, as in a run.
    edit(&dir, "into table", "into sqlite");
    let options = ReplayOptions {
        table: Some("old_dlq".into()),
        ..ReplayOptions::default()
    };
    let error = dlq::replay_with(&compiled(&dir), &dir, &options_pg(&url), &options)
        .expect_err("a sqlite sink on PostgreSQL");
    assert!(error.to_string().contains("is a `sqlite` sink"), "{error}");
    edit(&dir, "into sqlite", "into table");
    for (from, to) in OPTIONAL_TEMP {
        edit(&dir, from, to);
    }
    let done = dlq::replay_with(&compiled(&dir), &dir, &options_pg(&url), &options).unwrap();
    let r = &done.pipelines[0];
    assert_eq!(
        (
            r.table.as_str(),
            r.attempted,
            r.resolved,
            r.failing,
            r.written
        ),
        ("old_dlq", 2, 1, 1, 1)
    );
    let (_, after) = dlq::entries(&dir, Some(&url), None, Some("old_dlq"), None, None).unwrap();
    assert_eq!(after.len(), 1);
    let e = &after[0];
    assert_eq!(
        (
            e.stage.as_str(),
            e.code.as_str(),
            e.message.as_str(),
            e.attempts
        ),
        ("to_metric", "R0001", "no temperature", 2)
    );
    assert!(
        e.location
            .as_deref()
            .unwrap_or_default()
            .starts_with("p.dash:17:"),
        "{e:?}"
    );
    assert!(e.last_failed_at > e.first_failed_at, "{e:?}");
    assert_eq!(
        texts(&url, "SELECT station FROM metrics ORDER BY station"),
        ["", "ksea"]
    );
    // The pipeline's own table was never created.
    assert_eq!(
        int(
            &url,
            "SELECT count(*) FROM pg_tables WHERE tablename = 'dash_dlq' AND schemaname = current_schema()"
        ),
        0
    );
}

fn options_pg(url: &str) -> RunOptions {
    options(Some(url), None)
}
