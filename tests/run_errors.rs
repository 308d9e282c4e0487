//! Errors of the environment, as a user meets them through `dashc run`:
//! each says what Dash was doing and how to go on, at once, and leaves
//! nothing behind.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const PROGRAM: &str = r#"
type Reading { station: string  temp_c: float }

source readings: Reading from file { path: "in.jsonl" }

sink SINK_NAME: Reading into SINK_KIND { table: "readings" }

pipeline load { readings -> SINK_NAME }
"#;

fn project(name: &str, kind: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dash-err-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let program = PROGRAM
        .replace("SINK_KIND", kind)
        .replace("SINK_NAME", "stored");
    std::fs::write(dir.join("p.dash"), program).unwrap();
    std::fs::write(
        dir.join("in.jsonl"),
        "{\"station\": \"a\", \"temp_c\": 1.0}\n",
    )
    .unwrap();
    dir
}

fn dashc(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dashc"))
        .arg("run")
        .arg(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run dashc")
}

#[test]
fn a_closed_port_is_connection_refused_at_once() {
    let dir = project("refused", "table");
    let started = Instant::now();
    let out = dashc(&dir, &["--db", "postgres://postgres@127.0.0.1:1/test"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("connection refused"), "{stderr}");
    assert!(!stderr.contains("timed out"), "{stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_postgres_sink_without_a_database_says_how_and_leaves_no_dash_db() {
    let dir = project("no-db", "postgres");
    let out = dashc(&dir, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("sink `stored` is a `postgres` sink, but no database is configured")
            && stderr.contains("--db")
            && stderr.contains("database:"),
        "{stderr}"
    );
    assert!(!dir.join("dash.db").exists());
}

#[test]
fn a_database_error_says_what_dash_was_doing_without_server_source_lines() {
    let schema = format!("dash_err_{}", std::process::id());
    let psql = |sql: &str| {
        let ok = Command::new("psql")
            .args([
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-d",
                "test",
                "-q",
                "-c",
                sql,
            ])
            .output()
            .expect("psql")
            .status
            .success();
        assert!(ok, "{sql}");
    };
    psql(&format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}; \
         CREATE TABLE {schema}.readings (station TEXT NOT NULL, \
           temp_c DOUBLE PRECISION NOT NULL CHECK (temp_c > 100));"
    ));
    let dir = project("doing", "postgres");
    let db = format!("postgres://postgres@127.0.0.1:5432/test?options=-c%20search_path%3D{schema}");
    let out = dashc(&dir, &["--db", &db]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    // The existing table refuses the row: which operation, which
    // pipeline, in the server's words, at once (not retried).
    assert!(
        stderr.contains("committing a batch of pipeline `load`")
            && stderr.contains("violates check constraint"),
        "{stderr}"
    );
    assert!(!stderr.contains(" at line "), "{stderr}");
    // A table without a column of the type, or with a column of another
    // type, is refused before reading.
    psql(&format!(
        "DROP TABLE {schema}.readings; CREATE TABLE {schema}.readings (station TEXT NOT NULL)"
    ));
    let out = dashc(&dir, &["--db", &db]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "sink `stored` writes table `readings`, which has no column `temp_c` for the new non-nullable field `temp_c`"
        ),
        "{stderr}"
    );
    psql(&format!(
        "ALTER TABLE {schema}.readings ADD COLUMN temp_c INT"
    ));
    let out = dashc(&dir, &["--db", &db]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "whose column `temp_c` is `integer`, but its field is written as `double precision`"
        ),
        "{stderr}"
    );
    psql(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
}
