//! `dashc run` on SQLite: counts, dead letters, checkpoints, idempotent
//! reruns, every source format.

mod common;

use common::*;

#[test]
fn counts_add_up_and_failures_are_dead_lettered() {
    let dir = project("counts", FILE_SOURCE, "in.jsonl", JSONL.as_bytes());
    let s = run(&dir);
    assert_eq!(counts(&s), (7, 3, 1, 3));
    assert_eq!(
        s.read,
        s.written + s.skipped + s.dead_lettered + s.duplicates
    );
    let (_, dead) = dash_runtime::dlq::entries(&dir, None, None, None, None, None).unwrap();
    let codes: Vec<(&str, &str)> = dead
        .iter()
        .map(|d| (d.stage.as_str(), d.code.as_str()))
        .collect();
    assert_eq!(
        codes,
        vec![
            ("to_metric", "R0001"),
            ("decode", "R0007"),
            ("decode", "R0007")
        ]
    );
    assert_eq!(dead[0].location.as_deref(), Some("p.dash:17:11"));
    assert_eq!(dead[2].raw, "this line is not JSON");
}

#[test]
fn a_rerun_writes_nothing_and_appended_lines_are_picked_up() {
    let dir = project("rerun", FILE_SOURCE, "in.jsonl", JSONL.as_bytes());
    assert_eq!(counts(&run(&dir)), (7, 3, 1, 3));
    assert_eq!(counts(&run(&dir)), (0, 0, 0, 0));
    let mut more = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.join("in.jsonl"))
        .unwrap();
    std::io::Write::write_all(
        &mut more,
        b"{\"station\": \"KLAX\", \"ts\": \"2026-01-01T01:00:00Z\", \"temp_c\": 20.0}\n",
    )
    .unwrap();
    assert_eq!(counts(&run(&dir)), (1, 1, 0, 0));
}

#[test]
fn the_key_keeps_replayed_rows_out() {
    let dir = project("key", FILE_SOURCE, "in.jsonl", JSONL.as_bytes());
    run(&dir);
    // Forget the checkpoint: the same rows come again, the key refuses them.
    let db = dir.join("dash.db");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        sqlx::query("DELETE FROM dash_checkpoints")
            .execute(&mut c)
            .await
            .unwrap();
    });
    let s = run(&dir);
    assert_eq!((s.read, s.written, s.duplicates), (7, 0, 3));
}

#[test]
fn csv_and_json_array_sources() {
    let csv = "station,ts,temp_c,humidity\nKSEA,2026-01-01T00:00:00Z,30.0,\n\"K,X\",2026-01-01T00:01:00Z,abc,0.5\nKPDX,2026-01-01T00:02:00Z,10,0.2\n";
    let dir = project(
        "csv",
        "source readings: Reading from file {\n  path: \"in.csv\"\n}\n",
        "in.csv",
        csv.as_bytes(),
    );
    assert_eq!(counts(&run(&dir)), (3, 2, 0, 1));

    let json = r#"[ {"station": "A", "ts": 1767225600, "temp_c": 1.0},
                    {"station": "B", "ts": "2026-01-01T00:00:00Z", "temp_c": "x"} ,
                    {"station": "C", "ts": "2026-01-01T00:00:00Z", "temp_c": 2.0, "nested": [1, {"a": "]"}]} ]"#;
    let dir = project(
        "json",
        "source readings: Reading from file {\n  path: \"in.json\"\n}\n",
        "in.json",
        json.as_bytes(),
    );
    assert_eq!(counts(&run(&dir)), (3, 2, 0, 1));
    assert_eq!(counts(&run(&dir)), (0, 0, 0, 0));
}

#[test]
fn invalid_utf8_and_huge_lines_are_dead_lettered() {
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
        b"{\"station\": \"ok\", \"ts\": \"2026-01-01T00:00:00Z\", \"temp_c\": 1.0}\n",
    );
    let dir = project("utf8", FILE_SOURCE, "in.jsonl", &data);
    assert_eq!(counts(&run(&dir)), (3, 1, 0, 2));
    let (_, dead) = dash_runtime::dlq::entries(&dir, None, None, None, None, None).unwrap();
    assert!(
        dead[0].message.contains("invalid UTF-8"),
        "{}",
        dead[0].message
    );
    assert!(dead[0].raw.contains("\\xff\\xfe"), "{}", dead[0].raw);
}

#[test]
fn replay_writes_what_now_succeeds_and_keeps_the_rest() {
    let dir = project("replay", FILE_SOURCE, "in.jsonl", JSONL.as_bytes());
    run(&dir);
    // Fix the code: empty stations are accepted now.
    let program = std::fs::read_to_string(dir.join("p.dash")).unwrap();
    let fixed = program.replace(
        "require station != \"\" else \"empty station\"",
        "let _checked = true",
    );
    assert_ne!(program, fixed);
    std::fs::write(dir.join("p.dash"), &fixed).unwrap();
    let analysis = dash_check::analyze(vec![dash_syntax::SourceFile::new("p.dash", fixed)]);
    let replayed = dash_runtime::dlq::replay(
        &dash_ir::compile(&analysis),
        &dir,
        &Default::default(),
        None,
    )
    .unwrap();
    assert_eq!(
        (
            replayed.attempted,
            replayed.resolved,
            replayed.failing,
            replayed.written
        ),
        (3, 1, 2, 1)
    );
    let (_, left) = dash_runtime::dlq::entries(&dir, None, None, None, None, None).unwrap();
    assert_eq!(left.len(), 2);
    assert!(left.iter().all(|e| e.attempts == 2));
    // Nothing to resolve any more; `--since` in the future selects nothing.
    let again = dash_runtime::dlq::replay(
        &dash_ir::compile(&analysis),
        &dir,
        &Default::default(),
        Some("2999-01-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(again.attempted, 0);
}

#[test]
fn csv_dead_letters_replay_through_the_header_columns() {
    // Columns in another order than the record's fields; one row fails
    // the `require`, one has a quoted delimiter and fails decoding.
    let csv = "temp_c;station;ts\n30.0;KSEA;2026-01-01T00:00:00Z\n1.0;\"  \";2026-01-01T00:01:00Z\n2.0;\"K;X\";not a time\n";
    let source =
        "source readings: Reading from file {\n  path: \"in.csv\"\n  delimiter: \";\"\n}\n";
    let dir = project("csv-replay", source, "in.csv", csv.as_bytes());
    assert_eq!(counts(&run(&dir)), (3, 1, 0, 2));
    let program = std::fs::read_to_string(dir.join("p.dash")).unwrap();
    let fixed = program.replace(
        "require station != \"\" else \"empty station\"",
        "let _checked = true",
    );
    std::fs::write(dir.join("p.dash"), &fixed).unwrap();
    let analysis = dash_check::analyze(vec![dash_syntax::SourceFile::new("p.dash", fixed)]);
    let replayed = dash_runtime::dlq::replay(
        &dash_ir::compile(&analysis),
        &dir,
        &Default::default(),
        None,
    )
    .unwrap();
    assert_eq!(
        (
            replayed.attempted,
            replayed.resolved,
            replayed.failing,
            replayed.written
        ),
        (2, 1, 1, 1)
    );
    let (_, left) = dash_runtime::dlq::entries(&dir, None, None, None, None, None).unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].raw, "2.0;\"K;X\";not a time");
    assert_eq!(left[0].code, "R0007");
}

#[test]
fn a_file_sink_is_cut_back_to_its_committed_length() {
    let dir = project("file-sink", FILE_SOURCE, "in.jsonl", JSONL.as_bytes());
    let program = std::fs::read_to_string(dir.join("p.dash")).unwrap();
    let program = program
        .replace(
            "pipeline weather {\n  readings -> to_metric -> metrics\n}",
            "sink copy: Metric into file {\n  path: \"out.jsonl\"\n}\n\npipeline weather {\n  readings -> to_metric -> [metrics, copy]\n}",
        );
    std::fs::write(dir.join("p.dash"), &program).unwrap();
    assert_eq!(counts(&run(&dir)), (7, 3, 1, 3));
    let written = std::fs::read_to_string(dir.join("out.jsonl")).unwrap();
    assert_eq!(written.lines().count(), 3);
    // Lines of a batch that never committed (as after a crash) …
    let mut torn = written.clone();
    torn.push_str("{\"station\": \"uncommitted\"}\n{\"stat");
    std::fs::write(dir.join("out.jsonl"), torn).unwrap();
    // … are gone after the next run.
    assert_eq!(counts(&run(&dir)), (0, 0, 0, 0));
    assert_eq!(
        std::fs::read_to_string(dir.join("out.jsonl")).unwrap(),
        written
    );
}

#[test]
fn the_jit_and_the_interpreter_write_the_same_rows_and_dead_letters() {
    let mut results = Vec::new();
    for interpret in [false, true] {
        let dir = project(
            &format!("engines-{interpret}"),
            FILE_SOURCE,
            "in.jsonl",
            JSONL.as_bytes(),
        );
        let text = std::fs::read_to_string(dir.join("p.dash")).unwrap();
        let analysis = dash_check::analyze(vec![dash_syntax::SourceFile::new("p.dash", text)]);
        let options = dash_runtime::executor::RunOptions {
            interpret,
            ..Default::default()
        };
        let s = dash_runtime::executor::run_blocking(
            &dash_ir::compile(&analysis),
            &dir,
            &options,
            &mut |_| {},
        )
        .unwrap();
        let (_, dead) = dash_runtime::dlq::entries(&dir, None, None, None, None, None).unwrap();
        let dead: Vec<_> = dead
            .into_iter()
            .map(|d| (d.stage, d.code, d.message, d.location, d.raw))
            .collect();
        results.push((counts(&s), dead));
    }
    assert_eq!(results[0], results[1]);
    assert_eq!(results[0].0, (7, 3, 1, 3));
}

#[test]
fn csv_null_takes_a_list_of_texts() {
    // `humidity` is `float?`: "NA" and "" are null; "n/a" is not in the
    // list, so that row fails to decode.
    let csv = "station,ts,temp_c,humidity\nKSEA,2026-01-01T00:00:00Z,30.0,NA\nKPDX,2026-01-01T00:01:00Z,10,\nKBOS,2026-01-01T00:02:00Z,5,n/a\n";
    let source =
        "source readings: Reading from file {\n  path: \"in.csv\"\n  null: [\"\", \"NA\"]\n}\n";
    let dir = project("csv-null", source, "in.csv", csv.as_bytes());
    assert_eq!(counts(&run(&dir)), (3, 2, 0, 1));
}

#[test]
fn a_path_from_the_environment_is_read_at_start_and_never_printed() {
    let source = "source readings: Reading from file {\n  path: \"${env.DASH_TEST_INPUT_DIR}/in.jsonl\"\n}\n";
    let dir = project("env-path", source, "in.jsonl", JSONL.as_bytes());
    let text = std::fs::read_to_string(dir.join("p.dash")).unwrap();
    let analysis = dash_check::analyze(vec![dash_syntax::SourceFile::new("p.dash", text)]);
    assert_eq!(analysis.error_count(), 0, "{:?}", analysis.diagnostics);
    let compiled = dash_ir::compile(&analysis);
    let options = dash_runtime::executor::RunOptions::default();
    // Unset: the run stops before reading, naming the variable.
    // SAFETY: no other test reads or writes this variable.
    unsafe { std::env::remove_var("DASH_TEST_INPUT_DIR") };
    let error = dash_runtime::executor::run_blocking(&compiled, &dir, &options, &mut |_| {})
        .expect_err("unset")
        .to_string();
    assert!(
        error.contains("source `readings` reads the environment variable `DASH_TEST_INPUT_DIR`, which is not set"),
        "{error}"
    );
    // Set to a directory that lacks the file: the error does not show it.
    // SAFETY: as above.
    unsafe { std::env::set_var("DASH_TEST_INPUT_DIR", "/secret-place") };
    let error = dash_runtime::executor::run_blocking(&compiled, &dir, &options, &mut |_| {})
        .expect_err("no such file")
        .to_string();
    assert!(!error.contains("secret-place"), "{error}");
    assert!(error.contains("the file of source `readings`"), "{error}");
    // Set right: it runs.
    // SAFETY: as above.
    unsafe { std::env::set_var("DASH_TEST_INPUT_DIR", &dir) };
    let s = dash_runtime::executor::run_blocking(&compiled, &dir, &options, &mut |_| {}).unwrap();
    assert_eq!(counts(&s), (7, 3, 1, 3));
}

#[test]
fn a_truncated_or_replaced_input_stops_the_run_until_from_start() {
    let dir = project("identity", FILE_SOURCE, "in.jsonl", JSONL.as_bytes());
    assert_eq!(counts(&run(&dir)), (7, 3, 1, 3));
    let text = std::fs::read_to_string(dir.join("p.dash")).unwrap();
    let analysis = dash_check::analyze(vec![dash_syntax::SourceFile::new("p.dash", text)]);
    let compiled = dash_ir::compile(&analysis);
    let go = |from_start: bool| {
        let options = dash_runtime::executor::RunOptions {
            from_start,
            ..Default::default()
        };
        dash_runtime::executor::run_blocking(&compiled, &dir, &options, &mut |_| {})
    };
    // Truncated: shorter than what was read.
    std::fs::write(dir.join("in.jsonl"), &JSONL.as_bytes()[..40]).unwrap();
    let error = go(false).expect_err("truncated").to_string();
    assert!(
        error.contains("truncated") && error.contains("--from-start"),
        "{error}"
    );
    // Replaced: as long, but other first bytes (a rotated log, say).
    let replaced = JSONL.replace("KSEA", "KSFO");
    std::fs::write(dir.join("in.jsonl"), &replaced).unwrap();
    let error = go(false).expect_err("replaced").to_string();
    assert!(
        error.contains("replaced") && error.contains("--from-start"),
        "{error}"
    );
    // `--from-start` reads it all again; the key keeps the rows that were
    // already stored out (KSFO is new).
    let s = go(true).expect("from the start");
    assert_eq!((s.read, s.written, s.duplicates), (7, 1, 2));
    // The identity of the new file is now the checkpoint's.
    assert_eq!(counts(&run(&dir)), (0, 0, 0, 0));
}

#[test]
fn a_headerless_csv_resumes_where_it_stopped() {
    let source = "source readings: Reading from file {\n  path: \"in.csv\"\n  header: false\n}\n";
    let rows = |from: usize, to: usize| -> String {
        (from..to)
            .map(|i| format!("K{i},2026-01-01T00:00:{i:02}Z,1.0,\n"))
            .collect()
    };
    let dir = project("csv-noheader", source, "in.csv", rows(0, 2).as_bytes());
    assert_eq!(counts(&run(&dir)), (2, 2, 0, 0));
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.join("in.csv"))
        .unwrap();
    std::io::Write::write_all(&mut file, rows(2, 6).as_bytes()).unwrap();
    // Rows 2..6, none skipped (the reader was already at the checkpoint).
    assert_eq!(counts(&run(&dir)), (4, 4, 0, 0));
}

/// A dead letter replayed into a `file` sink stays in the file: the
/// replay commits the file's new length, so the next run does not cut it.
#[test]
fn a_replay_into_a_file_sink_survives_the_next_run() {
    let dir = std::env::temp_dir().join(format!("dash-run-replay-file-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let program = |bad: &str| {
        format!(
            "type Row {{ id: int }}\n\
             source rows: Row from file {{ path: \"in.jsonl\" }}\n\
             transform check(r: Row) -> Row {{\n  require r.id != {bad} else \"bad id\"\n  r\n}}\n\
             sink out: Row into file {{ path: \"out.jsonl\" }}\n\
             pipeline p {{ rows -> check -> out }}\n"
        )
    };
    let compile = |text: String| {
        std::fs::write(dir.join("p.dash"), &text).unwrap();
        let analysis = dash_check::analyze(vec![dash_syntax::SourceFile::new("p.dash", text)]);
        assert_eq!(analysis.error_count(), 0, "{:?}", analysis.diagnostics);
        dash_ir::compile(&analysis)
    };
    std::fs::write(dir.join("in.jsonl"), "{\"id\": 1}\n{\"id\": 2}\n").unwrap();
    let options = dash_runtime::executor::RunOptions::default();
    let s =
        dash_runtime::executor::run_blocking(&compile(program("2")), &dir, &options, &mut |_| {})
            .unwrap();
    assert_eq!((s.read, s.written, s.dead_lettered), (2, 1, 1));
    // The fix: id 2 is fine now; replay it into the file.
    let fixed = compile(program("0"));
    let r = dash_runtime::dlq::replay(&fixed, &dir, &options, None).unwrap();
    assert_eq!((r.attempted, r.resolved, r.written), (1, 1, 1));
    // More input, another run: the replayed line is still there.
    let mut input = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.join("in.jsonl"))
        .unwrap();
    std::io::Write::write_all(&mut input, b"{\"id\": 3}\n").unwrap();
    dash_runtime::executor::run_blocking(&fixed, &dir, &options, &mut |_| {}).unwrap();
    let out = std::fs::read_to_string(dir.join("out.jsonl")).unwrap();
    let ids: Vec<&str> = out.lines().collect();
    assert_eq!(ids, vec!["{\"id\":1}", "{\"id\":2}", "{\"id\":3}"], "{out}");
}

#[test]
fn a_changed_key_on_an_existing_table_stops_the_run() {
    let dir = project("key-change", FILE_SOURCE, "in.jsonl", JSONL.as_bytes());
    assert_eq!(counts(&run(&dir)), (7, 3, 1, 3));
    let text = std::fs::read_to_string(dir.join("p.dash"))
        .unwrap()
        .replace("key: [station, ts]", "key: station");
    std::fs::write(dir.join("p.dash"), &text).unwrap();
    let analysis = dash_check::analyze(vec![dash_syntax::SourceFile::new("p.dash", text)]);
    let options = dash_runtime::executor::RunOptions {
        from_start: true,
        ..Default::default()
    };
    let error = dash_runtime::executor::run_blocking(
        &dash_ir::compile(&analysis),
        &dir,
        &options,
        &mut |_| {},
    )
    .expect_err("the key changed")
    .to_string();
    assert!(
        error.contains("declares `key: [station]` and the table already has the key index `metrics_key` on (station, ts)"),
        "{error}"
    );
}
