//! A sink with `time` on PostgreSQL with TimescaleDB: a hypertable
//! (`chunk` wide partitions), its policies and continuous aggregates, in a
//! database of its own with the extension. (Without the extension, see
//! `partitions.rs`.)

mod common;

use common::db::{PG, execute, texts, try_execute};
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

/// A fresh database `{tag}_{pid}` with TimescaleDB: its name and URL.
fn timescale_database(tag: &str) -> (String, String) {
    common::db::database(tag, true)
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
    let (name, db) = timescale_database("dash_ts");
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

/// `retention` and `compress_after` become TimescaleDB policies (and the
/// compression settings segment by the key fields other than `time`); a
/// run of the retention job drops the expired chunks.
#[test]
fn retention_and_compression_are_timescaledb_policies() {
    let (name, db) = timescale_database("dash_ts_pol");
    let sink = SINK.replace(
        "  chunk: 1d\n",
        "  chunk: 1d\n  retention: 30d\n  compress_after: 7d\n",
    );
    let source = format!("{FILE_SOURCE}\n{sink}");
    // One reading from 2020, the rest now-ish.
    let now = chrono::Utc::now();
    let mut input =
        String::from("{\"station\": \"OLD\", \"ts\": \"2020-01-01T00:00:00Z\", \"temp_c\": 1.0}\n");
    for i in 0..3 {
        let ts = (now - chrono::Duration::hours(i)).to_rfc3339();
        input.push_str(&format!(
            "{{\"station\": \"S\", \"ts\": \"{ts}\", \"temp_c\": {i}.0}}\n"
        ));
    }
    let dir = project("timescale-policies", &source, "in.jsonl", input.as_bytes());
    let s = run_series(&dir, &db).expect("run");
    assert_eq!((s.read, s.written), (4, 4));
    let jobs = texts(
        &db,
        "SELECT proc_name || ' ' || CAST(config->>'drop_after' AS TEXT) FROM timescaledb_information.jobs \
         WHERE hypertable_name = 'series' AND proc_name = 'policy_retention'",
    );
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    assert!(jobs[0].starts_with("policy_retention 30 days"), "{jobs:?}");
    assert_eq!(
        texts(
            &db,
            "SELECT CAST(count(*) AS TEXT) FROM timescaledb_information.jobs \
             WHERE hypertable_name = 'series' AND proc_name = 'policy_compression'",
        ),
        vec!["1".to_string()]
    );
    assert_eq!(
        texts(
            &db,
            "SELECT attname || ' ' || COALESCE(CAST(segmentby_column_index AS TEXT), '-') || ' ' || \
             COALESCE(CAST(orderby_asc AS TEXT), '-') FROM timescaledb_information.compression_settings \
             WHERE hypertable_name = 'series' ORDER BY attname",
        ),
        vec!["station 1 -".to_string(), "ts - false".to_string()]
    );
    // Compress every chunk (the policy would, later): rows stay readable.
    // The policy's job may be compressing a chunk at the same moment, and
    // then TimescaleDB says "already compressed" despite
    // `if_not_compressed`: that chunk is compressed, which is the point.
    for attempt in 0.. {
        match try_execute(
            &db,
            "SELECT compress_chunk(c, if_not_compressed => true) FROM show_chunks('series') c",
        ) {
            Ok(()) => break,
            Err(e) if e.to_string().contains("already compressed") && attempt < 20 => {
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            Err(e) => panic!("compressing the chunks: {e}"),
        }
    }
    assert_ne!(
        texts(
            &db,
            "SELECT CAST(count(*) AS TEXT) FROM timescaledb_information.chunks \
             WHERE hypertable_name = 'series' AND is_compressed",
        ),
        vec!["0".to_string()]
    );
    // The 2020 row is expired: the retention policy's background job may
    // already have dropped it, so only the recent rows are counted.
    assert_eq!(
        texts(
            &db,
            "SELECT CAST(count(*) AS TEXT) FROM series WHERE ts > '2021-01-01'"
        ),
        vec!["3".to_string()]
    );
    // Schema evolution on the compressed hypertable: a new nullable field
    // adds its column, and the run writes the new rows.
    let text = std::fs::read_to_string(dir.join("p.dash"))
        .unwrap()
        .replace(
            "  humidity: float\n}\n\ntransform",
            "  humidity: float\n  note: string?\n}\n\ntransform",
        );
    assert!(text.contains("note: string?"));
    std::fs::write(dir.join("p.dash"), text).unwrap();
    let later = (now + chrono::Duration::minutes(5)).to_rfc3339();
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.join("in.jsonl"))
        .unwrap();
    std::io::Write::write_all(
        &mut f,
        format!("{{\"station\": \"S\", \"ts\": \"{later}\", \"temp_c\": 5.0}}\n").as_bytes(),
    )
    .unwrap();
    let s = run_series(&dir, &db).expect("evolved run");
    assert_eq!((s.read, s.written), (1, 1));
    assert_eq!(
        texts(
            &db,
            "SELECT CAST(count(*) AS TEXT) || ' ' || CAST(count(*) FILTER (WHERE note IS NULL) AS TEXT) \
             FROM series WHERE ts > '2021-01-01'"
        ),
        vec!["4 4".to_string()]
    );
    // The retention job drops the 2020 chunk.
    execute(
        &db,
        "DO $$ DECLARE j int; BEGIN SELECT job_id INTO j FROM timescaledb_information.jobs \
         WHERE hypertable_name = 'series' AND proc_name = 'policy_retention'; \
         CALL run_job(j); END $$",
    );
    assert_eq!(
        texts(&db, "SELECT station FROM series ORDER BY ts LIMIT 1"),
        vec!["s".to_string()]
    );
    // Without `time` (and so its policies) the next run removes the
    // policies: no old retention keeps dropping chunks.
    let text = std::fs::read_to_string(dir.join("p.dash"))
        .unwrap()
        .replace(
            "  time: ts\n  chunk: 1d\n  retention: 30d\n  compress_after: 7d\n",
            "",
        );
    assert!(!text.contains("retention"));
    std::fs::write(dir.join("p.dash"), text).unwrap();
    run_series(&dir, &db).expect("run without time");
    assert_eq!(
        texts(
            &db,
            "SELECT CAST(count(*) AS TEXT) FROM timescaledb_information.jobs \
             WHERE hypertable_name = 'series' AND proc_name IN ('policy_retention', 'policy_compression')",
        ),
        vec!["0".to_string()]
    );
    execute(PG, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
}

/// A session whose `search_path` is another schema of a TimescaleDB
/// database still finds TimescaleDB's functions.
#[test]
fn a_hypertable_in_another_schema() {
    let (name, base) = timescale_database("dash_ts_schema");
    execute(&base, "CREATE SCHEMA s2");
    let db = format!("{base}?options=-c%20search_path%3Ds2");
    let sink = SINK.replace(
        "  chunk: 1d\n",
        "  chunk: 1d\n  rollup daily every 1d { n: count(), latest: last(temp_f) }\n",
    );
    let dir = project(
        "timescale-schema",
        &format!("{FILE_SOURCE}\n{sink}"),
        "in.jsonl",
        readings().as_bytes(),
    );
    let s = run_series(&dir, &db).expect("run");
    assert_eq!(s.written, 10);
    assert_eq!(
        texts(
            &base,
            "SELECT hypertable_schema || '.' || hypertable_name FROM timescaledb_information.hypertables"
        ),
        vec!["s2.series".to_string()]
    );
    execute(PG, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
}

/// A `rollup` is a continuous aggregate with real-time aggregation:
/// reading it gives the GROUP BY over the table, grouped by `bucket` and
/// the key fields other than `time`.
#[test]
fn a_rollup_equals_the_group_by_over_the_table() {
    let (name, db) = timescale_database("dash_ts_rollup");
    let sink = SINK.replace(
        "  chunk: 1d\n",
        "  chunk: 1d\n  rollup daily every 1d { avg_temp: avg(temp_f), n: count(), top: max(temp_f), latest: last(temp_f) }\n",
    );
    let source = format!("{FILE_SOURCE}\n{sink}");
    let input: String = (0..24)
        .map(|i| {
            format!(
                "{{\"station\": \"S{}\", \"ts\": \"2026-01-0{}T{:02}:00:00Z\", \"temp_c\": {i}.5}}\n",
                i % 2,
                1 + i / 12,
                i % 12
            )
        })
        .collect();
    let dir = project("timescale-rollup", &source, "in.jsonl", input.as_bytes());
    let s = run_series(&dir, &db).expect("run");
    assert_eq!((s.read, s.written), (24, 24));
    let rollup = texts(
        &db,
        "SELECT CAST(bucket AS TEXT) || ' ' || station || ' ' || CAST(round(CAST(avg_temp AS numeric), 3) AS TEXT) \
         || ' ' || CAST(n AS TEXT) || ' ' || CAST(top AS TEXT) || ' ' || CAST(latest AS TEXT) \
         FROM daily ORDER BY bucket, station",
    );
    let group_by = texts(
        &db,
        "SELECT CAST(b AS TEXT) || ' ' || station || ' ' || CAST(round(CAST(a AS numeric), 3) AS TEXT) \
         || ' ' || CAST(n AS TEXT) || ' ' || CAST(top AS TEXT) || ' ' || CAST(latest AS TEXT) FROM \
         (SELECT time_bucket(INTERVAL '1 day', ts) AS b, station, avg(temp_f) AS a, count(*) AS n, \
         max(temp_f) AS top, last(temp_f, ts) AS latest FROM series GROUP BY b, station) g \
         ORDER BY b, station",
    );
    assert_eq!(rollup.len(), 4, "{rollup:?}");
    assert_eq!(rollup, group_by);
    // A second run (the view exists) and more rows: still equal.
    let more = "{\"station\": \"S0\", \"ts\": \"2026-01-02T23:00:00Z\", \"temp_c\": 99.0}\n";
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.join("in.jsonl"))
        .unwrap();
    std::io::Write::write_all(&mut f, more.as_bytes()).unwrap();
    run_series(&dir, &db).expect("rerun");
    // A late row in a bucket the refresh policy may already have
    // materialized shows once the aggregate is refreshed (its policy runs
    // every bucket width; here at once).
    execute(
        &db,
        "CALL refresh_continuous_aggregate('daily', NULL, NULL)",
    );
    let n = texts(&db, "SELECT CAST(sum(n) AS TEXT) FROM daily");
    assert_eq!(n, vec!["25".to_string()]);
    execute(PG, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
}
