//! `dashc dlq` end to end: the built binary on SQLite projects in
//! temporary directories (`list`, `show`, `replay` and their flags).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

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

fn dashc(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dashc"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run dashc")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A project directory holding `p.dash` and `in.jsonl`.
fn project(name: &str, program: &str, data: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dash-dlq-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("p.dash"), program).unwrap();
    std::fs::write(dir.join("in.jsonl"), data).unwrap();
    dir
}

/// `dashc run` in `dir`, which must succeed.
fn run(dir: &Path, args: &[&str]) {
    let out = dashc(dir, &[&["run", "."], args].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// Rewrite `p.dash`: `from` (which must be there) becomes `to`.
fn edit(dir: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(dir.join("p.dash")).unwrap();
    assert!(text.contains(from), "{from} in {text}");
    std::fs::write(dir.join("p.dash"), text.replace(from, to)).unwrap();
}

/// `dashc dlq list --format json` as values.
fn letters(dir: &Path, args: &[&str]) -> Vec<serde_json::Value> {
    let out = dashc(dir, &[&["dlq", "list", "--format", "json"], args].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    match serde_json::from_slice(&out.stdout) {
        Ok(serde_json::Value::Array(all)) => all,
        other => panic!("{other:?}: {}", stdout(&out)),
    }
}

#[test]
fn replay_reads_the_table_given_with_dash_dash_table() {
    let dir = project(
        "table",
        &PROGRAM.replace(
            "readings -> to_metric -> metrics\n",
            "readings -> to_metric -> metrics\n  dlq: \"old_dlq\"\n",
        ),
        READINGS,
    );
    run(&dir, &[]);
    assert_eq!(letters(&dir, &["--table", "old_dlq"]).len(), 2);
    // The pipeline no longer names that table, and empty stations pass.
    edit(&dir, "  dlq: \"old_dlq\"\n", "");
    edit(&dir, REQUIRE, "let _checked = true");
    let out = dashc(&dir, &["dlq", "replay", "--table", "old_dlq"]);
    // The report is on stderr: stdout belongs to `stdout` sinks.
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("replayed 2 dead letter(s)") && text.contains("1 resolved (1 rows written)"),
        "{text}"
    );
    let left = letters(&dir, &["--table", "old_dlq"]);
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0]["code"], "R0007");
    assert_eq!(left[0]["attempts"], 2);
}

#[test]
fn since_takes_rfc_3339_with_an_offset_or_a_duration() {
    let dir = project("since", PROGRAM, READINGS);
    run(&dir, &[]);
    for bad in [
        "garbage",
        "2026-11-30",
        "2026-11-30T10:00:00",
        "2 hours",
        "-2h",
        "2",
    ] {
        let flag = format!("--since={bad}");
        let out = dashc(&dir, &["dlq", "replay", &flag]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "--since {bad}: {err}");
        assert!(
            err.contains("--since") && err.contains(bad) && err.contains("RFC 3339"),
            "--since {bad}: {err}"
        );
        assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    }
    // Nothing was replayed by the refused commands.
    assert!(letters(&dir, &[]).iter().all(|l| l["attempts"] == 1));
    for (since, replayed) in [
        ("2999-01-01T00:00:00Z", 0),
        ("2999-01-01T00:00:00+01:00", 0),
        ("2020-01-01T00:00:00+01:00", 2),
        ("30m", 2),
        ("2h", 2),
        ("7d", 2),
    ] {
        let out = dashc(&dir, &["dlq", "replay", "--since", since]);
        let text = stderr(&out);
        assert_eq!(out.status.code(), Some(0), "{since}: {text}");
        assert!(
            text.contains(&format!("replayed {replayed} dead letter(s)")),
            "--since {since}: {text}"
        );
    }
}

#[test]
fn list_without_a_database_says_so_and_creates_none() {
    let dir = project("no-db", PROGRAM, READINGS);
    for args in [
        &["dlq", "list"][..],
        &["dlq", "show", "1"],
        &["dlq", "replay"],
        &["dlq", "list", "--db", "sqlite://other.db"],
    ] {
        let out = dashc(&dir, args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains("does not exist"), "{args:?}: {err}");
        assert!(!dir.join("dash.db").exists(), "{args:?} created dash.db");
        assert!(!dir.join("other.db").exists(), "{args:?} created other.db");
    }
    // A project directory that is not there is not its parent.
    let out = dashc(&dir, &["dlq", "list", "--project", "no/such/dir"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("no/such/dir"), "{}", stderr(&out));
    // A project that ran, but not with that DLQ table: named in the error.
    run(&dir, &[]);
    let out = dashc(&dir, &["dlq", "list", "--table", "nope"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("`nope`") && err.contains("--table"), "{err}");
}

#[test]
fn replay_refuses_a_sink_of_the_other_engine() {
    let dir = project("engine", PROGRAM, READINGS);
    run(&dir, &[]);
    edit(&dir, "into table", "into postgres");
    edit(&dir, REQUIRE, "let _checked = true");
    // No database configured, as `dashc run` says; then SQLite named.
    for (args, says) in [
        (&["dlq", "replay"][..], "but no database is configured"),
        (
            &["dlq", "replay", "--db", "sqlite://dash.db"],
            "but the project database is sqlite://dash.db",
        ),
    ] {
        let out = dashc(&dir, args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains("sink `metrics` is a `postgres` sink") && err.contains(says),
            "{args:?}: {err}"
        );
    }
    // Nothing moved: both letters are still there, tried once.
    let left = letters(&dir, &[]);
    assert_eq!(left.len(), 2);
    assert!(left.iter().all(|l| l["attempts"] == 1), "{left:?}");
}

#[test]
fn wide_and_json_lists_show_whole_messages() {
    let message = "the station is empty once trimmed; every reading needs a station \
                   name such as KSEA or KPDX before it can be stored";
    assert!(message.len() > 100);
    let dir = project(
        "wide",
        &PROGRAM.replace("\"empty station\"", &format!("\"{message}\"")),
        READINGS,
    );
    run(&dir, &[]);
    let out = dashc(&dir, &["dlq", "list"]);
    let narrow = stdout(&out);
    assert!(!narrow.contains(message), "{narrow}");
    assert!(
        narrow.contains("…") && narrow.contains("--wide"),
        "{narrow}"
    );
    let out = dashc(&dir, &["dlq", "list", "--wide"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains(message), "{}", stdout(&out));
    let all = letters(&dir, &[]);
    assert_eq!(all.len(), 2);
    let first = &all[0];
    assert_eq!(first["message"], message);
    assert_eq!(first["id"], 1);
    assert_eq!(first["pipeline"], "weather");
    assert_eq!(first["stage"], "to_metric");
    assert_eq!(first["code"], "R0001");
    assert_eq!(first["attempts"], 1);
    assert_eq!(first["source"], "readings");
    assert!(first["position"].as_u64().unwrap() > 0, "{first}");
    assert!(
        first["location"].as_str().unwrap().starts_with("p.dash:"),
        "{first}"
    );
    assert_eq!(first["raw"], "{\"station\": \"  \", \"temp_c\": 2.0}");
    for time in ["first_failed_at", "last_failed_at"] {
        let t = first[time].as_str().unwrap();
        assert!(
            chrono_like(t),
            "{time} is not an RFC 3339 UTC time: {t} in {first}"
        );
    }
    assert_eq!(all[1]["stage"], "decode");
    assert_eq!(all[1]["location"], serde_json::Value::Null);
    // No letters: still one array.
    let out = dashc(
        &dir,
        &["dlq", "list", "--format", "json", "--pipeline", "x"],
    );
    assert_eq!(stdout(&out).trim(), "[]");
}

/// `2026-11-30T10:00:00.123456Z`: what both stores give.
fn chrono_like(t: &str) -> bool {
    let b = t.as_bytes();
    t.len() >= 20 && b[4] == b'-' && b[10] == b'T' && t.ends_with('Z')
}

#[test]
fn a_closed_pipe_stops_the_list_quietly() {
    let lines: String = (0..5000)
        .map(|i| format!("{{\"station\": \"S{i}\"}}\n"))
        .collect();
    let dir = project(
        "pipe",
        &PROGRAM.replace(
            "readings -> to_metric -> metrics\n",
            "readings -> to_metric -> metrics\n  max_error_rate: 1.0\n",
        ),
        &lines,
    );
    run(&dir, &[]);
    for args in [
        &["dlq", "list"][..],
        &["dlq", "list", "--wide"],
        &["dlq", "list", "--format", "json"],
    ] {
        // `dashc dlq list | head -1`
        let mut child = Command::new(env!("CARGO_BIN_EXE_dashc"))
            .args(args)
            .current_dir(&dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(!first.is_empty());
        let out = child.wait_with_output().unwrap();
        let err = stderr(&out);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(err.is_empty(), "{args:?}: {err}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
    }
}

/// Two pipelines; only `weather` has dead letters. `extra` reads CSV with
/// a header from stdin, whose dead letters could not be replayed.
const TWO_PIPELINES: &str = r#"
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
fn replay_with_several_pipelines() {
    let dir = project("pipelines", &format!("{PROGRAM}{TWO_PIPELINES}"), READINGS);
    run(&dir, &["--pipeline", "weather"]);
    edit(&dir, REQUIRE, "let _checked = true");
    // A pipeline without letters: nothing to do, and nothing to refuse.
    let out = dashc(&dir, &["dlq", "replay", "--pipeline", "extra"]);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("replayed 0 dead letter(s)"), "{text}");
    assert_eq!(letters(&dir, &[]).len(), 2);
    // No `--pipeline`: every pipeline with letters is replayed.
    let out = dashc(&dir, &["dlq", "replay"]);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("replayed 2 dead letter(s) of pipeline `weather`")
            && text.contains("1 resolved (1 rows written)"),
        "{text}"
    );
    assert!(text.contains("`extra`"), "{text}");
    let left = letters(&dir, &[]);
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["attempts"], 2);
    // `--pipeline weather` replays only its own.
    let out = dashc(&dir, &["dlq", "replay", "--pipeline", "weather"]);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("replayed 1 dead letter(s)"), "{text}");
}
