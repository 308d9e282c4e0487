//! Benchmark: `analyze` (parse + check) on a generated 10,000-line project.
//!
//! `cargo bench -p dash-check --bench check` prints a table. Set
//! `DASH_BENCH_WRITE=DIR` to also write the project to DIR, to time the
//! whole CLI: `time target/release/dashc check DIR`.

use std::time::{Duration, Instant};

use dash_check::analyze;
use dash_syntax::SourceFile;

/// One module of a realistic project: types, a source, a transform with
/// lets/require/skip/if/match, a sink, a pipeline and tests (~100 lines).
fn module(i: usize) -> String {
    format!(
        r#"// module {i}: readings from station group {i}
type Reading{i} {{
  station: string
  ts: timestamp
  temp_c: float
  humidity: float?
  wind_kph: int?
  tags: [string]
  raw: json?
}}

type Metric{i} {{
  station: string
  ts: timestamp
  temp_f: float
  humidity: float
  wind: string
  comfort: string
  bucket: timestamp
  label: string
}}

source readings{i}: Reading{i} from file {{
  path: "data/readings{i}.jsonl"
  format: jsonl
}}

transform to_metric{i}(r: Reading{i}) -> Metric{i} {{
  let station = lower(trim(r.station))
  require station != "" else "empty station"
  let temp_f = r.temp_c * 9.0 / 5.0 + 32.0
  skip if temp_f < -100.0
  let wind = match r.wind_kph ?? 0 {{
    0 => "calm",
    1 | 2 | 3 => "light",
    _ => "windy",
  }}
  let humidity = if r.humidity != null {{ r.humidity * 100.0 }} else {{ 0.0 }}
  let first_tag = if len(r.tags) > 0 {{ r.tags[0] }} else {{ "none" }}
  Metric{i} {{
    station: station,
    ts: r.ts,
    temp_f: round(temp_f, 1),
    humidity: clamp(humidity, 0.0, 100.0),
    wind: wind,
    comfort: if temp_f > 80.0 {{ "hot" }} else if temp_f < 50.0 {{ "cold" }} else {{ "ok" }},
    bucket: time_bucket(1h, r.ts),
    label: "${{station}}/${{first_tag}} at ${{format_timestamp(r.ts, "%H:%M")}}",
  }}
}}

sink metrics{i}: Metric{i} into postgres {{
  table: "metrics_{i}"
  time: ts
  key: [station, ts]
  batch: 5000
  linger: 200ms
  retention: 90d
  rollup hourly{i} every 1h {{
    avg_temp: avg(temp_f)
    max_temp: max(temp_f)
    n: count()
  }}
}}

pipeline weather{i} {{
  readings{i} -> to_metric{i} -> metrics{i}
  dlq: "dlq_{i}"
  workers: 2
}}

test "module {i}: hot readings are labelled" {{
  to_metric{i}(Reading{i} {{ station: " KSEA ", ts: @2026-01-01T00:00:00Z, temp_c: 30.0, tags: ["a"] }})
    == Metric{i} {{
      station: "ksea",
      ts: @2026-01-01T00:00:00Z,
      temp_f: 86.0,
      humidity: 0.0,
      wind: "calm",
      comfort: "hot",
      bucket: @2026-01-01T00:00:00Z,
      label: "ksea/a at 00:00",
    }}
}}

test "module {i}: empty station fails" {{
  to_metric{i}(Reading{i} {{ station: "  ", ts: @2026-01-01T00:00:00Z, temp_c: 1.0, tags: [] }})
    fails "empty station"
}}
"#
    )
}

/// A project of `files` files totalling at least `lines` lines.
fn project(lines: usize, files: usize) -> Vec<SourceFile> {
    let mut texts = vec![String::new(); files];
    let mut i = 0;
    while texts.iter().map(|t| t.lines().count()).sum::<usize>() < lines {
        texts[i % files].push_str(&module(i));
        texts[i % files].push('\n');
        i += 1;
    }
    texts
        .into_iter()
        .enumerate()
        .map(|(n, t)| SourceFile::new(format!("gen{n}.dash"), t))
        .collect()
}

fn time(files: &[SourceFile], runs: usize) -> (Duration, Duration) {
    let mut samples = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let analysis = analyze(files.to_vec());
        samples.push(start.elapsed());
        assert_eq!(
            analysis.error_count(),
            0,
            "{:?}",
            analysis.diagnostics.first()
        );
    }
    samples.sort();
    (samples[0], samples[samples.len() / 2])
}

/// Parsing alone, to see where the time goes.
fn time_parse(files: &[SourceFile]) -> Duration {
    let start = Instant::now();
    for (i, f) in files.iter().enumerate() {
        let parsed = dash_syntax::parse(dash_syntax::FileId(i as u32), &f.text);
        assert!(parsed.diagnostics.is_empty());
    }
    start.elapsed()
}

fn main() {
    println!("| project | lines | files | analyze min | analyze median | parse only |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (lines, files) in [(1_000, 1), (10_000, 1), (10_000, 20), (100_000, 50)] {
        let project = project(lines, files);
        let total: usize = project.iter().map(|f| f.text.lines().count()).sum();
        let runs = if lines > 50_000 { 3 } else { 11 };
        let (min, median) = time(&project, runs);
        let parse = time_parse(&project);
        println!(
            "| generated | {total} | {files} | {:.1} ms | {:.1} ms | {:.1} ms |",
            min.as_secs_f64() * 1e3,
            median.as_secs_f64() * 1e3,
            parse.as_secs_f64() * 1e3
        );
        if let (Some(dir), 10_000, 20) = (std::env::var_os("DASH_BENCH_WRITE"), lines, files) {
            std::fs::create_dir_all(&dir).expect("bench dir");
            for f in &project {
                std::fs::write(std::path::Path::new(&dir).join(&f.path), &*f.text).expect("write");
            }
        }
    }
}
