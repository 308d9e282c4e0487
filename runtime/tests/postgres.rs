//! `dashc run` against the real PostgreSQL of the machine (127.0.0.1:5432,
//! user postgres, database test), each test in its own schema: COPY into
//! the table (through a staging table with a key), DLQ and checkpoint in
//! the same transaction, idempotent reruns.

mod common;

use common::*;

use common::db::{execute, int as query_i64, pg_schema as schema, texts};

#[test]
fn writes_good_rows_dead_letters_bad_ones_and_reruns_write_nothing() {
    let url = schema("counts");
    let dir = project("pg-counts", FILE_SOURCE, "in.jsonl", JSONL.as_bytes());
    let s = run_on(&dir, Some(&url));
    assert_eq!(counts(&s), (7, 3, 1, 3));
    assert_eq!(query_i64(&url, "SELECT count(*) FROM metrics"), 3);
    assert_eq!(query_i64(&url, "SELECT count(*) FROM dash_dlq"), 3);
    assert_eq!(
        query_i64(&url, "SELECT count(*) FROM dash_dlq WHERE code = 'R0007'"),
        2
    );
    assert_eq!(
        query_i64(
            &url,
            "SELECT read - written - skipped - dead_lettered FROM dash_runs ORDER BY id DESC LIMIT 1"
        ),
        0
    );
    // A rerun: nothing new.
    assert_eq!(counts(&run_on(&dir, Some(&url))), (0, 0, 0, 0));
    assert_eq!(query_i64(&url, "SELECT count(*) FROM metrics"), 3);
    assert_eq!(query_i64(&url, "SELECT count(*) FROM dash_dlq"), 3);
}

#[test]
fn the_key_makes_replays_idempotent() {
    let url = schema("key");
    let dir = project("pg-key", FILE_SOURCE, "in.jsonl", JSONL.as_bytes());
    run_on(&dir, Some(&url));
    execute(&url, "DELETE FROM dash_checkpoints");
    let s = run_on(&dir, Some(&url));
    assert_eq!((s.read, s.written, s.duplicates), (7, 0, 3));
    assert_eq!(query_i64(&url, "SELECT count(*) FROM metrics"), 3);
}

#[test]
fn many_batches_and_awkward_text() {
    let url = schema("batches");
    let mut data = String::new();
    for i in 0..2_000 {
        data.push_str(&format!(
            "{{\"station\": \"s{i}\\t\\\\x\\n\", \"ts\": \"2026-01-01T00:00:00Z\", \"temp_c\": {}.5}}\n",
            i % 50
        ));
    }
    let dir = project("pg-batches", FILE_SOURCE, "in.jsonl", data.as_bytes());
    let program = std::fs::read_to_string(dir.join("p.dash")).unwrap();
    std::fs::write(
        dir.join("p.dash"),
        program.replace("batch: 3", "batch: 300"),
    )
    .unwrap();
    let s = run_on(&dir, Some(&url));
    assert_eq!(counts(&s), (2000, 2000, 0, 0));
    // `trim` took the trailing newline; the tab and the backslash survive COPY.
    assert_eq!(
        query_i64(
            &url,
            "SELECT count(*) FROM metrics WHERE strpos(station, chr(9) || chr(92) || 'x') > 0"
        ),
        2000
    );
}

#[test]
fn replay_on_postgres() {
    let url = schema("replay");
    let dir = project("pg-replay", FILE_SOURCE, "in.jsonl", JSONL.as_bytes());
    run_on(&dir, Some(&url));
    let program = std::fs::read_to_string(dir.join("p.dash")).unwrap();
    let fixed = program.replace(
        "require station != \"\" else \"empty station\"",
        "let _checked = true",
    );
    std::fs::write(dir.join("p.dash"), &fixed).unwrap();
    let analysis = dash_check::analyze(vec![dash_syntax::SourceFile::new("p.dash", fixed)]);
    let options = dash_runtime::executor::RunOptions {
        db: Some(url.clone()),
        ..Default::default()
    };
    let replayed =
        dash_runtime::dlq::replay(&dash_ir::compile(&analysis), &dir, &options, None).unwrap();
    assert_eq!(
        (
            replayed.attempted,
            replayed.resolved,
            replayed.failing,
            replayed.written
        ),
        (3, 1, 2, 1)
    );
    assert_eq!(query_i64(&url, "SELECT count(*) FROM metrics"), 4);
    assert_eq!(
        query_i64(&url, "SELECT count(*) FROM dash_dlq WHERE attempts = 2"),
        2
    );
}

const WIDE: &str = "type Inner {\n  name: string\n}\n\n\
type Wide {\n  id: int\n  f: float?\n  b: bool\n  s: string\n  t: timestamp\n  d: duration?\n  j: json?\n  l: [int]?\n  r: Inner?\n}\n\n\
source wide_in: Wide from file {\n  path: \"in.jsonl\"\n}\n\n\
transform same(w: Wide) -> Wide {\n  w\n}\n\n\
sink out: Wide into table {\n  table: \"wide\"\n  key: [id]\n  batch: 2\n}\n\n\
pipeline wide {\n  wide_in -> same -> out\n}\n";

const WIDE_ROWS: &str = r#"{"id": -9223372036854775808, "f": -0.0, "b": true, "s": "tab\there \\ back", "t": "1999-12-31T23:59:59.999999Z", "d": "1h30m", "j": {"a": [1, "x"]}, "l": [1, 2], "r": {"name": "é"}}
{"id": 9223372036854775807, "f": 1e308, "b": false, "s": "", "t": "2026-01-01T00:00:00Z", "d": null, "j": null, "l": null, "r": null}
{"id": 0, "f": null, "b": false, "s": "日本語 and a NUL \u0000 gone", "t": "1970-01-01T00:00:00Z", "d": "250ms", "j": "text", "l": [], "r": {"name": ""}}
"#;

/// Every column of `wide`, as text PostgreSQL itself renders, in id order.
fn wide_table(url: &str) -> String {
    texts(
        url,
        "SELECT concat_ws(' | ', id, f, b, s, t AT TIME ZONE 'UTC', d, j, l, r) FROM wide ORDER BY id",
    )
    .join("\n")
}

#[test]
fn binary_and_text_copy_write_the_same_values() {
    let mut tables = Vec::new();
    for format in ["binary", "text"] {
        let url = schema(&format!("copy_{format}"));
        let dir =
            std::env::temp_dir().join(format!("dash-run-copy-{format}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("p.dash"), WIDE).unwrap();
        std::fs::write(dir.join("in.jsonl"), WIDE_ROWS).unwrap();
        std::fs::write(dir.join("dash.yaml"), format!("copy_format: {format}\n")).unwrap();
        let s = run_on(&dir, Some(&url));
        assert_eq!(counts(&s), (3, 3, 0, 0), "{format}");
        tables.push(wide_table(&url));
    }
    assert_eq!(tables[0], tables[1]);
    insta::assert_snapshot!(tables[0], @r#"
    -9223372036854775808 | -0 | t | tab	here \ back | 1999-12-31 23:59:59.999999 | 5400000000 | {"a": [1, "x"]} | [1, 2] | {"name": "é"}
    0 | f | 日本語 and a NUL  gone | 1970-01-01 00:00:00 | 250000 | "text" | [] | {"name": ""}
    9223372036854775807 | 1e+308 | f |  | 2026-01-01 00:00:00
    "#);
}

#[test]
fn a_batch_with_some_keys_already_there_writes_only_the_new_rows() {
    let url = schema("partial");
    let dir = project("pg-partial", FILE_SOURCE, "in.jsonl", JSONL.as_bytes());
    run_on(&dir, Some(&url));
    execute(&url, "DELETE FROM metrics WHERE station = 'kpdx'");
    execute(&url, "DELETE FROM dash_checkpoints");
    let s = run_on(&dir, Some(&url));
    assert_eq!((s.read, s.written, s.duplicates), (7, 1, 2));
    assert_eq!(query_i64(&url, "SELECT count(*) FROM metrics"), 3);
}

#[test]
fn bad_inputs_are_dead_lettered_on_postgres() {
    let url = schema("bad");
    let mut data =
        b"{\"station\": \"\xff\xfe\", \"ts\": \"2026-01-01T00:00:00Z\", \"temp_c\": 1.0}\n"
            .to_vec();
    data.extend_from_slice(
        format!(
            "{{\"station\": \"{}\", \"ts\": 5, \"temp_c\": \"NaN\"}}\n",
            "x".repeat(10 << 20)
        )
        .as_bytes(),
    );
    data.extend_from_slice(
        b"{\"station\": \"nul \\u0000\", \"ts\": \"2026-01-01T00:00:00Z\", \"temp_c\": \"warm\"}\n",
    );
    data.extend_from_slice(
        b"{\"station\": \"ok\", \"ts\": \"2026-01-01T00:00:00Z\", \"temp_c\": 1.0}\n",
    );
    data.extend_from_slice(b"{\"station\": \"unterminated\n");
    let dir = project("pg-bad", FILE_SOURCE, "in.jsonl", &data);
    assert_eq!(counts(&run_on(&dir, Some(&url))), (5, 1, 0, 4));
    assert_eq!(query_i64(&url, "SELECT count(*) FROM dash_dlq"), 4);
    assert_eq!(
        query_i64(
            &url,
            "SELECT count(*) FROM dash_dlq WHERE length(raw) > 10000000"
        ),
        1
    );
    assert_eq!(
        query_i64(
            &url,
            "SELECT count(*) FROM dash_dlq WHERE strpos(raw, '\\xff\\xfe') > 0"
        ),
        1
    );
}
