//! The circuit breaker (`max_error_rate`): when most recent records fail,
//! the run stops with an error before committing the batch that tipped
//! it, so the records are read again once the cause is fixed.

mod common;

use common::*;
use dash_check::analyze;
use dash_runtime::executor::{RunOptions, run_blocking};
use dash_runtime::summary::RunError;
use dash_syntax::SourceFile;

/// 300 readings: the first 100 good, then 200 with an empty station,
/// which fail `require` (batches of 100).
fn readings() -> String {
    (0..300)
        .map(|i| {
            let station = if i < 100 { "KSEA" } else { "  " };
            format!(
                "{{\"station\": \"{station}\", \"ts\": \"2026-01-01T00:00:{:02}Z\", \"temp_c\": {i}.0}}\n",
                i % 60
            )
        })
        .collect()
}

fn program(rate: Option<&str>) -> String {
    let option = rate.map_or(String::new(), |r| format!("  max_error_rate: {r}\n"));
    format!(
        "{FILE_SOURCE}\nsink all: Metric into table {{\n  table: \"all_metrics\"\n  batch: 100\n}}\n\n\
         pipeline strict {{\n  readings -> to_metric -> all\n{option}}}\n"
    )
}

fn run_strict(dir: &std::path::Path) -> Result<dash_runtime::executor::Summary, RunError> {
    let text = std::fs::read_to_string(dir.join("p.dash")).unwrap();
    let analysis = analyze(vec![SourceFile::new("p.dash", text)]);
    assert_eq!(analysis.error_count(), 0, "{:?}", analysis.diagnostics);
    let options = RunOptions {
        pipeline: Some("strict".into()),
        ..RunOptions::default()
    };
    run_blocking(&dash_ir::compile(&analysis), dir, &options, &mut |_| {})
}

#[test]
fn most_records_failing_stops_the_run_before_the_batch_commits() {
    let dir = project("breaker", &program(None), "in.jsonl", readings().as_bytes());
    let error = run_strict(&dir).expect_err("the breaker trips");
    let RunError::Breaker { failed, of, .. } = &error else {
        panic!("{error}");
    };
    // 100 good, then 100 bad: 100 of 200 is not more than half; the third
    // batch makes it 200 of 300.
    assert_eq!((*failed, *of), (200, 300));
    let text = error.to_string();
    assert!(
        text.contains("empty station") && text.contains("max_error_rate"),
        "{text}"
    );
    // The first two batches committed (100 rows, 100 dead letters); the
    // batch that tipped it did not.
    let (_, dead) = dash_runtime::dlq::entries(&dir, None, None, None, None, None).unwrap();
    assert_eq!(dead.len(), 100);
}

#[test]
fn max_error_rate_one_turns_it_off() {
    let dir = project(
        "breaker-off",
        &program(Some("1")),
        "in.jsonl",
        readings().as_bytes(),
    );
    let s = run_strict(&dir).expect("run");
    assert_eq!((s.read, s.written, s.dead_lettered), (300, 100, 200));
}
