//! Shared helpers of the runtime tests: a project in a temp directory,
//! running it, counting.

#![allow(dead_code)]

pub mod db;

use std::path::{Path, PathBuf};

use dash_check::analyze;
use dash_runtime::executor::{RunOptions, Summary, run_blocking};
use dash_syntax::SourceFile;

pub const TYPES: &str = "type Reading {\n  station: string\n  ts: timestamp\n  temp_c: float\n  humidity: float?\n}\n\n\
type Metric {\n  station: string\n  ts: timestamp\n  temp_f: float\n  humidity: float\n}\n\n\
transform to_metric(r: Reading) -> Metric {\n  let station = lower(trim(r.station))\n  \
require station != \"\" else \"empty station\"\n  let temp_f = r.temp_c * 9.0 / 5.0 + 32.0\n  skip if temp_f < -100.0\n  \
Metric { station: station, ts: r.ts, temp_f: round(temp_f, 1), humidity: r.humidity ?? 0.0 }\n}\n\n\
sink metrics: Metric into table {\n  table: \"metrics\"\n  key: [station, ts]\n  batch: 3\n}\n\n\
pipeline weather {\n  readings -> to_metric -> metrics\n}\n";

pub fn project(name: &str, source: &str, data_file: &str, data: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dash-run-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("p.dash"), format!("{TYPES}\n{source}")).unwrap();
    std::fs::write(dir.join(data_file), data).unwrap();
    dir
}

pub fn run(dir: &Path) -> Summary {
    run_on(dir, None)
}

pub fn run_on(dir: &Path, db: Option<&str>) -> Summary {
    let text = std::fs::read_to_string(dir.join("p.dash")).unwrap();
    let analysis = analyze(vec![SourceFile::new("p.dash", text)]);
    assert_eq!(analysis.error_count(), 0, "{:?}", analysis.diagnostics);
    let options = RunOptions {
        db: db.map(str::to_string),
        ..RunOptions::default()
    };
    run_blocking(&dash_ir::compile(&analysis), dir, &options, &mut |_| {}).expect("run")
}

pub fn counts(s: &Summary) -> (u64, u64, u64, u64) {
    (s.read, s.written, s.skipped, s.dead_lettered)
}

pub const JSONL: &str = r#"{"station": " KSEA ", "ts": "2026-01-01T00:00:00Z", "temp_c": 30.0, "humidity": 0.41}
{"station": "KPDX", "ts": "2026-01-01T00:05:00Z", "temp_c": 12.5}
{"station": "  ", "ts": "2026-01-01T00:15:00Z", "temp_c": 1.0}
{"station": "KBOS", "ts": "not a time", "temp_c": 4.0}
{"station": "KJFK", "ts": "2026-01-01T00:25:00Z", "temp_c": -200.0}
this line is not JSON
{"station": "KORD", "ts": "2026-01-01T00:30:00Z", "temp_c": -3.5, "humidity": 0.77}
"#;

pub const FILE_SOURCE: &str = "source readings: Reading from file {\n  path: \"in.jsonl\"\n}\n";
