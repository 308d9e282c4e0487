//! Storage options that a database cannot honour are said at run start,
//! on stderr, never silently ignored (LANGUAGE §8 "Storage"): on SQLite
//! `chunk`, `retention`, `compress_after` and `rollup` of a `table` sink;
//! on PostgreSQL without TimescaleDB, `compress_after`.

#[path = "../runtime/tests/common/db.rs"]
mod db;

use std::path::PathBuf;
use std::process::Command;

fn program(options: &str) -> String {
    format!(
        "type Reading {{\n  station: string\n  ts: timestamp\n  temp: float\n}}\n\n\
         source readings: Reading from file {{\n  path: \"in.jsonl\"\n}}\n\n\
         sink series: Reading into table {{\n  table: \"series\"\n  key: [station, ts]\n  time: ts\n{options}}}\n\n\
         pipeline load {{\n  readings -> series\n}}\n"
    )
}

fn project(name: &str, options: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dash-storage-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("p.dash"), program(options)).unwrap();
    std::fs::write(
        dir.join("in.jsonl"),
        "{\"station\": \"a\", \"ts\": \"2026-01-01T00:00:00Z\", \"temp\": 1.0}\n",
    )
    .unwrap();
    dir
}

/// `dashc run DIR [args]`: it must succeed; its stderr.
fn run(dir: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_dashc"))
        .arg("run")
        .arg(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run dashc");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{stderr}");
    stderr
}

#[test]
fn sqlite_warns_of_each_partition_option() {
    let dir = project(
        "sqlite",
        "  chunk: 1d\n  retention: 30d\n  compress_after: 7d\n  rollup daily every 1d {\n    n: count()\n  }\n",
    );
    let stderr = run(&dir, &[]);
    for option in ["chunk", "retention", "compress_after", "rollup"] {
        assert!(
            stderr.contains(&format!(
                "warning: sink `series`: `{option}` works on PostgreSQL partitions"
            )),
            "{option}: {stderr}"
        );
    }
}

#[test]
fn vanilla_postgres_warns_of_compression_and_partitions() {
    let db = db::pg_schema("storage_warn");
    let dir = project("vanilla", "  chunk: 1d\n  compress_after: 7d\n");
    let stderr = run(&dir, &["--db", &db]);
    assert!(
        stderr.contains(
            "warning: sink `series`: `compress_after` needs TimescaleDB, which is not installed"
        ),
        "{stderr}"
    );
    assert_eq!(
        db::texts(
            &db,
            "SELECT relkind::text FROM pg_class WHERE oid = to_regclass('series')"
        ),
        vec!["p".to_string()]
    );
}
