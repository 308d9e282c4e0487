//! A sink with `time` on PostgreSQL: a TimescaleDB hypertable (`chunk`
//! wide partitions) when the extension is in the database; refused at run
//! start on vanilla PostgreSQL, where native partitioning does not run
//! yet. Both for real: a database of its own with the extension, and a
//! schema of the shared test database without it.

mod common;

use common::db::{PG, execute, pg_schema, texts};
use common::*;
use dash_runtime::executor::{RunOptions, run_blocking};

const SINK: &str = "sink series: Metric into postgres {\n  table: \"series\"\n  time: ts\n  chunk: 1d\n  key: [station, ts]\n}\n\npipeline to_series {\n  readings -> to_metric -> series\n}\n";

fn readings() -> String {
    (0..10)
        .map(|i| {
            format!(
                "{{\"station\": \"S{}\", \"ts\": \"2026-01-{:02}T06:00:00Z\", \"temp_c\": {i}.0}}\n",
                i % 2,
                i + 1
            )
        })
        .collect()
}

fn run_series(dir: &std::path::Path, db: &str) -> Result<dash_runtime::executor::Summary, String> {
    let text = std::fs::read_to_string(dir.join("p.dash")).unwrap();
    let analysis = dash_check::analyze(vec![dash_syntax::SourceFile::new("p.dash", text)]);
    assert_eq!(analysis.error_count(), 0, "{:?}", analysis.diagnostics);
    let options = RunOptions {
        db: Some(db.to_string()),
        pipeline: Some("to_series".into()),
        ..Default::default()
    };
    run_blocking(&dash_ir::compile(&analysis), dir, &options, &mut |_| {})
        .map_err(|e| e.to_string())
}

#[test]
fn time_makes_a_hypertable_with_timescaledb() {
    let name = format!("dash_ts_{}", std::process::id());
    execute(PG, &format!("DROP DATABASE IF EXISTS {name}"));
    execute(PG, &format!("CREATE DATABASE {name}"));
    let db = PG.replace("/test", &format!("/{name}"));
    execute(&db, "CREATE EXTENSION IF NOT EXISTS timescaledb");
    let source = format!("{FILE_SOURCE}\n{SINK}");
    let dir = project("timescale", &source, "in.jsonl", readings().as_bytes());
    let s = run_series(&dir, &db).expect("run");
    assert_eq!((s.read, s.written), (10, 10));
    assert_eq!(
        texts(
            &db,
            "SELECT hypertable_name || ' ' || column_name || ' ' || CAST(time_interval AS TEXT) \
             FROM timescaledb_information.dimensions"
        ),
        vec!["series ts 1 day".to_string()]
    );
    assert_eq!(
        texts(
            &db,
            "SELECT CAST(count(*) AS TEXT) FROM timescaledb_information.chunks"
        ),
        vec!["10".to_string()]
    );
    // The key still keeps replays out, across chunks.
    execute(&db, "DELETE FROM dash_checkpoints");
    let s = run_series(&dir, &db).expect("rerun");
    assert_eq!((s.read, s.written, s.duplicates), (10, 0, 10));
    execute(PG, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
}

#[test]
fn time_is_refused_at_start_on_vanilla_postgres() {
    let db = pg_schema("vanilla_time");
    let source = format!("{FILE_SOURCE}\n{SINK}");
    let dir = project("vanilla-time", &source, "in.jsonl", readings().as_bytes());
    let error = run_series(&dir, &db).expect_err("no TimescaleDB");
    assert!(
        error.contains("TimescaleDB is not installed in this database"),
        "{error}"
    );
    assert!(
        texts(&db, "SELECT CAST(count(*) AS TEXT) FROM dash_checkpoints")
            .iter()
            .all(|n| n == "0")
    );
}
