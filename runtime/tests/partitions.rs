//! A sink with `time` on vanilla PostgreSQL (no TimescaleDB in the
//! database): a table range-partitioned on the time column, `chunk`-wide
//! partitions made by each batch as its rows need them, a default
//! partition, and `retention` dropping whole partitions. Each test has a
//! schema of its own in the shared test database, which has no extension.

mod common;

use common::db::{execute, pg_schema, texts};
use common::*;

use dash_runtime::executor::{RunOptions, Summary, run_blocking};

const SINK: &str = "sink series: Metric into postgres {\n  table: \"series\"\n  time: ts\n  chunk: 1d\n  key: [station, ts]\n}\n\npipeline to_series {\n  readings -> to_metric -> series\n}\n";

/// Readings on `days` consecutive days of January 2026, from day `from`.
fn readings(from: u32, days: u32) -> String {
    (from..from + days)
        .map(|d| {
            format!(
                "{{\"station\": \"S{}\", \"ts\": \"2026-01-{d:02}T06:00:00Z\", \"temp_c\": {d}.0}}\n",
                d % 2
            )
        })
        .collect()
}

fn run_series(dir: &std::path::Path, db: &str) -> Result<Summary, String> {
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

/// The partitions of `series` with their rows: `name rows`, in order.
fn partitions(db: &str) -> Vec<String> {
    texts(
        db,
        "SELECT c.relname || ' ' || (xpath('/row/n/text()', \
           query_to_xml(format('SELECT count(*) AS n FROM %I', c.relname), false, true, '')))[1]::text \
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
         WHERE i.inhparent = to_regclass('series') ORDER BY c.relname",
    )
}

#[test]
fn time_partitions_the_table_as_the_data_advances() {
    let db = pg_schema("part_advance");
    let source = format!("{FILE_SOURCE}\n{SINK}");
    let dir = project(
        "part-advance",
        &source,
        "in.jsonl",
        readings(1, 3).as_bytes(),
    );
    let s = run_series(&dir, &db).expect("run");
    assert_eq!((s.read, s.written), (3, 3));
    assert_eq!(
        texts(
            &db,
            "SELECT relkind::text FROM pg_class WHERE oid = to_regclass('series')"
        ),
        vec!["p".to_string()],
        "a partitioned table"
    );
    assert_eq!(
        partitions(&db),
        vec![
            "series_default 0",
            "series_p20260101_000000 1",
            "series_p20260102_000000 1",
            "series_p20260103_000000 1",
        ]
    );
    assert_eq!(
        texts(
            &db,
            "SELECT pg_get_expr(c.relpartbound, c.oid) FROM pg_class c \
             WHERE c.oid = to_regclass('series_p20260102_000000')"
        ),
        vec![
            "FOR VALUES FROM ('2026-01-02 00:00:00+00') TO ('2026-01-03 00:00:00+00')".to_string()
        ]
    );

    // More data, later in time: new partitions; the earlier ones gain rows.
    let mut more = readings(1, 3).replace("T06:", "T07:");
    more.push_str(&readings(4, 2));
    std::fs::write(dir.join("in.jsonl"), format!("{}{more}", readings(1, 3))).unwrap();
    let s = run_series(&dir, &db).expect("second run");
    assert_eq!((s.read, s.written), (5, 5));
    assert_eq!(
        partitions(&db),
        vec![
            "series_default 0",
            "series_p20260101_000000 2",
            "series_p20260102_000000 2",
            "series_p20260103_000000 2",
            "series_p20260104_000000 1",
            "series_p20260105_000000 1",
        ]
    );

    // The key keeps a replay out, across partitions.
    execute(&db, "DELETE FROM dash_checkpoints");
    let s = run_series(&dir, &db).expect("replay");
    assert_eq!((s.read, s.written, s.duplicates), (8, 0, 8));
    assert_eq!(
        texts(&db, "SELECT CAST(count(*) AS TEXT) FROM series"),
        vec!["8"]
    );
}

#[test]
fn retention_drops_whole_expired_partitions() {
    let db = pg_schema("part_retention");
    let sink = SINK.replace("  chunk: 1d\n", "  chunk: 1d\n  retention: 30d\n");
    let source = format!("{FILE_SOURCE}\n{sink}");
    let now = chrono::Utc::now();
    let mut input =
        String::from("{\"station\": \"OLD\", \"ts\": \"2020-01-01T00:00:00Z\", \"temp_c\": 1.0}\n");
    for i in 0..3 {
        let ts = (now - chrono::Duration::minutes(i)).to_rfc3339();
        input.push_str(&format!(
            "{{\"station\": \"S{i}\", \"ts\": \"{ts}\", \"temp_c\": {i}.0}}\n"
        ));
    }
    let dir = project("part-retention", &source, "in.jsonl", input.as_bytes());
    let s = run_series(&dir, &db).expect("run");
    assert_eq!((s.read, s.written), (4, 4));
    assert!(
        partitions(&db).contains(&"series_p20200101_000000 1".to_string()),
        "the batch made the 2020 partition: {:?}",
        partitions(&db)
    );
    // The next run starts by dropping what is past the retention.
    let s = run_series(&dir, &db).expect("second run");
    assert_eq!(s.read, 0);
    let left = partitions(&db);
    assert!(
        !left.iter().any(|p| p.starts_with("series_p2020")),
        "{left:?}"
    );
    assert_eq!(
        texts(&db, "SELECT CAST(count(*) AS TEXT) FROM series"),
        vec!["3"]
    );
}

#[test]
fn a_row_no_partition_could_take_goes_to_the_default_partition() {
    let db = pg_schema("part_default");
    let source = format!("{FILE_SOURCE}\n{SINK}");
    let dir = project(
        "part-default",
        &source,
        "in.jsonl",
        readings(1, 1).as_bytes(),
    );
    run_series(&dir, &db).expect("run");
    // A row of Jan 2 put in the default partition by someone else: the
    // partition of Jan 2 can no longer be made, yet Dash's rows go in.
    execute(
        &db,
        "INSERT INTO series_default (station, ts, temp_f, humidity) VALUES ('x', '2026-01-02T01:00:00Z', 1.0, 0.0)",
    );
    std::fs::write(dir.join("in.jsonl"), readings(1, 2)).unwrap();
    let s = run_series(&dir, &db).expect("second run");
    assert_eq!((s.read, s.written), (1, 1));
    assert_eq!(
        partitions(&db),
        vec!["series_default 2", "series_p20260101_000000 1"]
    );
}

#[test]
fn an_existing_plain_table_is_refused_with_the_ways_out() {
    let db = pg_schema("part_plain");
    execute(
        &db,
        "CREATE TABLE series (station TEXT NOT NULL, ts TIMESTAMPTZ NOT NULL, temp_f DOUBLE PRECISION NOT NULL, humidity DOUBLE PRECISION NOT NULL)",
    );
    let source = format!("{FILE_SOURCE}\n{SINK}");
    let dir = project("part-plain", &source, "in.jsonl", readings(1, 1).as_bytes());
    let error = run_series(&dir, &db).expect_err("not partitioned");
    assert!(
        error.contains("table `series` exists and is not partitioned")
            && error.contains("PostgreSQL cannot partition an existing table: rename it")
            && error.contains("CREATE EXTENSION timescaledb")
            && !error.contains("  "),
        "{error}"
    );
}

#[test]
fn a_key_without_the_time_and_rollups_with_updates_are_refused_before_anything_is_read() {
    let db = pg_schema("part_refused");
    let sink = SINK.replace("key: [station, ts]", "key: station");
    let dir = project(
        "part-key",
        &format!("{FILE_SOURCE}\n{sink}"),
        "in.jsonl",
        readings(1, 1).as_bytes(),
    );
    let error = run_series(&dir, &db).expect_err("key without time");
    assert!(error.contains("its `key` must include `ts`"), "{error}");

    let sink = SINK.replace(
        "  key: [station, ts]\n",
        "  key: [station, ts]\n  on_conflict: update\n  rollup daily every 1d {\n    n: count()\n  }\n",
    );
    let dir = project(
        "part-rollup",
        &format!("{FILE_SOURCE}\n{sink}"),
        "in.jsonl",
        readings(1, 1).as_bytes(),
    );
    let error = run_series(&dir, &db).expect_err("rollups with updates");
    assert!(
        error.contains("rollups and `on_conflict: update`"),
        "{error}"
    );
    assert_eq!(
        texts(&db, "SELECT CAST(count(*) AS TEXT) FROM dash_checkpoints"),
        vec!["0"]
    );
}

const ROLLUPS: &str = "  rollup daily every 1d {\n    n: count()\n    total: sum(temp_f)\n    mean: avg(temp_f)\n    low: min(temp_f)\n    high: max(temp_f)\n    opening: first(temp_f)\n    closing: last(temp_f)\n  }\n  rollup six_hours every 6h {\n    n: count()\n    high: max(temp_f)\n  }\n";

/// Readings of two stations every 5 hours for `hours` hours from
/// 2026-01-01T00:00Z, starting at hour `from`.
fn hourly(from: u32, hours: u32) -> String {
    (from..from + hours)
        .step_by(5)
        .map(|h| {
            format!(
                "{{\"station\": \"S{}\", \"ts\": \"2026-01-{:02}T{:02}:00:00Z\", \"temp_c\": {}.5}}\n",
                h % 2,
                1 + h / 24,
                h % 24,
                (h * 7) % 30
            )
        })
        .collect()
}

/// Rollup `daily` and `six_hours` as rows of text, and the same from
/// GROUP BYs over the table: they must be equal.
fn rollups_and_group_bys(db: &str) -> (Vec<String>, Vec<String>) {
    let daily = |from: &str, cols: &str| {
        texts(
            db,
            &format!(
                "SELECT concat_ws(' ', bucket, station, {cols}) FROM ({from}) x ORDER BY bucket, station"
            ),
        )
    };
    // Float sums in another order may differ in the last bit.
    let cols = "n, round(total::numeric, 6), round(mean::numeric, 6), low, high, opening, closing";
    let six = "n, high";
    let mut stored = daily("SELECT * FROM daily", cols);
    stored.extend(daily("SELECT * FROM six_hours", six));
    let mut expected = daily(
        "SELECT date_bin('1 day', ts, '2000-01-03') AS bucket, station, count(*) AS n, \
         sum(temp_f) AS total, avg(temp_f) AS mean, min(temp_f) AS low, max(temp_f) AS high, \
         (array_agg(temp_f ORDER BY ts))[1] AS opening, \
         (array_agg(temp_f ORDER BY ts DESC))[1] AS closing FROM series GROUP BY 1, 2",
        cols,
    );
    expected.extend(daily(
        "SELECT date_bin('6 hours', ts, '2000-01-03') AS bucket, station, count(*) AS n, \
         max(temp_f) AS high FROM series GROUP BY 1, 2",
        six,
    ));
    (stored, expected)
}

#[test]
fn rollup_tables_equal_their_group_bys_after_every_run_and_replay() {
    let db = pg_schema("part_rollups");
    // First without rollups: the rollup tables made later count these rows.
    let plain = SINK.replace("  chunk: 1d\n", "  chunk: 1d\n  batch: 4\n");
    let dir = project(
        "part-rollups",
        &format!("{FILE_SOURCE}\n{plain}"),
        "in.jsonl",
        hourly(0, 30).as_bytes(),
    );
    run_series(&dir, &db).expect("run without rollups");

    let sink = SINK.replace(
        "  chunk: 1d\n",
        &format!("  chunk: 1d\n  batch: 4\n{ROLLUPS}"),
    );
    std::fs::write(
        dir.join("p.dash"),
        format!("{TYPES}\n{FILE_SOURCE}\n{sink}"),
    )
    .unwrap();
    std::fs::write(
        dir.join("in.jsonl"),
        format!("{}{}", hourly(0, 30), hourly(30, 60)),
    )
    .unwrap();
    let s = run_series(&dir, &db).expect("run with rollups");
    assert_eq!(s.written, 12);
    let (stored, expected) = rollups_and_group_bys(&db);
    assert!(stored.len() > 6, "{stored:?}");
    assert_eq!(stored, expected);

    // A replay of everything: all already there, the rollups unchanged.
    execute(&db, "DELETE FROM dash_checkpoints");
    let s = run_series(&dir, &db).expect("replay");
    assert_eq!((s.written, s.duplicates), (0, 18));
    let (again, expected) = rollups_and_group_bys(&db);
    assert_eq!(again, expected);
    assert_eq!(again, stored);

    // Late rows in buckets already there, mixed with rows already there.
    let mut late = hourly(0, 90);
    late.push_str(&hourly(2, 40));
    std::fs::write(dir.join("in.jsonl"), late).unwrap();
    execute(&db, "DELETE FROM dash_checkpoints");
    let s = run_series(&dir, &db).expect("late rows");
    assert_eq!((s.written, s.duplicates), (8, 18));
    let (stored, expected) = rollups_and_group_bys(&db);
    assert_eq!(stored, expected);
}
