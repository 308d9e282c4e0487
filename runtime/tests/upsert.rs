//! `on_conflict: update`: after a fix of the transform, running again
//! (here with `--from-start`) replaces the stored rows instead of counting
//! them as already there; `skip` (the default) leaves them. SQLite and
//! PostgreSQL.

mod common;

use common::db::{pg_schema, texts};
use common::*;
use dash_runtime::executor::{RunOptions, Summary, run_blocking};

fn program(on_conflict: &str, factor: &str) -> String {
    TYPES
        .replace("temp_c * 9.0 / 5.0 + 32.0", &format!("temp_c * {factor}"))
        .replace(
            "key: [station, ts]",
            &format!("key: [station, ts]\n  on_conflict: {on_conflict}"),
        )
        + "\n"
        + FILE_SOURCE
}

fn go(dir: &std::path::Path, db: &str, text: &str) -> Summary {
    std::fs::write(dir.join("p.dash"), text).unwrap();
    let analysis = dash_check::analyze(vec![dash_syntax::SourceFile::new("p.dash", text)]);
    assert_eq!(analysis.error_count(), 0, "{:?}", analysis.diagnostics);
    let options = RunOptions {
        db: Some(db.to_string()),
        from_start: true,
        ..Default::default()
    };
    run_blocking(&dash_ir::compile(&analysis), dir, &options, &mut |_| {}).expect("run")
}

fn check(db: &str, dir: &std::path::Path) {
    let s = go(dir, db, &program("update", "1.0"));
    assert_eq!((s.read, s.written, s.duplicates), (7, 3, 0));
    // The fix: every row again, replacing the stored ones.
    let s = go(dir, db, &program("update", "10.0"));
    assert_eq!((s.read, s.written, s.duplicates), (7, 3, 0));
    let ksea = texts(
        db,
        "SELECT CAST(temp_f AS TEXT) FROM metrics WHERE station = 'ksea'",
    );
    assert!(ksea == ["300"] || ksea == ["300.0"], "{ksea:?}");
    // `skip`: the stored rows stay as they are.
    let s = go(dir, db, &program("skip", "2.0"));
    assert_eq!((s.read, s.written, s.duplicates), (7, 0, 3));
    let ksea = texts(
        db,
        "SELECT CAST(temp_f AS TEXT) FROM metrics WHERE station = 'ksea'",
    );
    assert!(ksea == ["300"] || ksea == ["300.0"], "{ksea:?}");
}

#[test]
fn update_replaces_stored_rows_on_sqlite() {
    let dir = project("upsert-sqlite", FILE_SOURCE, "in.jsonl", JSONL.as_bytes());
    let db = format!("sqlite://{}", dir.join("dash.db").display());
    check(&db, &dir);
}

#[test]
fn update_replaces_stored_rows_on_postgres() {
    let dir = project("upsert-pg", FILE_SOURCE, "in.jsonl", JSONL.as_bytes());
    check(&pg_schema("upsert"), &dir);
}

#[test]
fn a_key_twice_in_one_batch_keeps_the_last_row_on_postgres() {
    let db = pg_schema("upsert_twice");
    let input = "{\"station\": \"A\", \"ts\": \"2026-01-01T00:00:00Z\", \"temp_c\": 1.0}\n\
                 {\"station\": \"A\", \"ts\": \"2026-01-01T00:00:00Z\", \"temp_c\": 2.0}\n";
    let dir = project("upsert-twice", FILE_SOURCE, "in.jsonl", input.as_bytes());
    let s = go(&dir, &db, &program("update", "1.0"));
    assert_eq!((s.read, s.written + s.duplicates), (2, 2));
    assert_eq!(
        texts(&db, "SELECT CAST(temp_f AS TEXT) FROM metrics"),
        vec!["2".to_string()]
    );
}
