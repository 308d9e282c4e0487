//! `dashc run` against the real PostgreSQL of the machine (127.0.0.1:5432,
//! user postgres, database test), each test in its own schema: COPY into
//! the table (through a staging table with a key), DLQ and checkpoint in
//! the same transaction, idempotent reruns.

mod common;

use common::*;

/// A fresh schema and a URL whose connections use it.
fn schema(name: &str) -> String {
    let schema = format!("dash_test_{name}_{}", std::process::id());
    let base = "postgres://postgres@127.0.0.1:5432/test";
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::PgConnection::connect(base)
            .await
            .expect("PostgreSQL at 127.0.0.1:5432 (start it: pg_ctlcluster 15 main start)");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};"
        )))
        .execute(&mut c)
        .await
        .unwrap();
    });
    format!("{base}?options=-c%20search_path%3D{schema}")
}

fn query_i64(url: &str, sql: &str) -> i64 {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        let row: (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(&mut c)
            .await
            .unwrap();
        row.0
    })
}

fn execute(url: &str, sql: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut c)
            .await
            .unwrap();
    });
}

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
    let analysis = dash_compiler::analyze(vec![dash_compiler::SourceFile::new("p.dash", fixed)]);
    let options = dash_runtime::executor::RunOptions {
        db: Some(url.clone()),
        ..Default::default()
    };
    let replayed = dash_runtime::dlq::replay(&analysis, &dir, &options, None).unwrap();
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
