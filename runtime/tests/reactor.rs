//! Reactors in `dashc run`: lookup steps read the project database once
//! per batch, missing rows are `null` (or fail with `required: true`,
//! unless the step has a `compensate`), failed records go to the DLQ with
//! stage `reactor.step`. On SQLite and on the machine's PostgreSQL.

mod common;

use common::db::{execute, pg_schema, texts};
use dash_runtime::executor::{RunOptions, Summary, run_blocking};

const PROGRAM: &str = r#"type Order {
  id: string
  customer_id: int
  amount: float
}

type Customer {
  id: int
  name: string
  vip: bool
}

type Out {
  id: string
  customer: string
  vip: bool
  total: float
}

source orders: Order from file {
  path: "orders.jsonl"
}

reactor enrich(o: Order) -> Out {
  step customer = lookup customers { id: o.customer_id } as Customer
  step checked = lookup customers { id: o.customer_id } as Customer {
    required: true
  }
  step total = o.amount * 2.0
  return Out { id: o.id, customer: customer?.name ?? "unknown", vip: checked.vip, total: total }
}

reactor lenient(o: Order) -> Out {
  step checked = lookup customers { id: o.customer_id } as Customer {
    required: true
    cache: 10m
    compensate: Customer { id: 0, name: "nobody", vip: false }
  }
  return Out { id: o.id, customer: checked.name, vip: checked.vip, total: o.amount }
}

sink out: Out into table {
  table: "orders_out"
  batch: BATCH
}

pipeline strict {
  orders -> enrich -> out
}

pipeline relaxed {
  orders -> lenient -> out
}
"#;

/// 10 orders: customers 1..=4 exist, 9 does not.
fn orders() -> String {
    (0..10)
        .map(|i| {
            let customer = if i % 5 == 4 { 9 } else { i % 5 + 1 };
            format!("{{\"id\": \"o{i}\", \"customer_id\": {customer}, \"amount\": {i}.5}}\n")
        })
        .collect()
}

const CUSTOMERS: &str = "CREATE TABLE customers (id BIGINT PRIMARY KEY, name TEXT NOT NULL, vip BOOLEAN NOT NULL);\
INSERT INTO customers VALUES (1, 'Ada', true), (2, 'Bo', false), (3, 'Cy', false), (4, 'Di', true), (5, 'Ed', false);";

fn project(name: &str, batch: usize) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("dash-reactor-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("p.dash"),
        PROGRAM.replace("BATCH", &batch.to_string()),
    )
    .unwrap();
    std::fs::write(dir.join("orders.jsonl"), orders()).unwrap();
    dir
}

fn run(dir: &std::path::Path, db: &str, pipeline: &str) -> Summary {
    let text = std::fs::read_to_string(dir.join("p.dash")).unwrap();
    let analysis = dash_check::analyze(vec![dash_syntax::SourceFile::new("p.dash", text)]);
    assert_eq!(analysis.error_count(), 0, "{:?}", analysis.diagnostics);
    let options = RunOptions {
        db: Some(db.to_string()),
        pipeline: Some(pipeline.to_string()),
        ..Default::default()
    };
    run_blocking(&dash_ir::compile(&analysis), dir, &options, &mut |_| {}).expect("run")
}

fn check(db: &str, dir: &std::path::Path) {
    execute(db, CUSTOMERS);
    // Batches of 4 records: 3 batches, 2 lookup steps → 6 queries.
    let s = run(dir, db, "strict");
    assert_eq!(
        (s.read, s.written, s.skipped, s.dead_lettered),
        (10, 8, 0, 2)
    );
    assert_eq!(s.lookup_queries, 6);
    let rows = texts(
        db,
        "SELECT id || ' ' || customer || ' ' || CAST(total AS TEXT) FROM orders_out ORDER BY id",
    );
    assert_eq!(rows.len(), 8);
    assert!(
        rows[0] == "o0 Ada 1" || rows[0] == "o0 Ada 1.0",
        "{}",
        rows[0]
    );
    assert!(rows.iter().all(|r| !r.contains("unknown")), "{rows:?}");
    let dead = texts(
        db,
        "SELECT stage || ' ' || code || ' ' || message FROM dash_dlq ORDER BY id",
    );
    assert_eq!(
        dead,
        vec![
            "enrich.checked R0008 lookup customers: no row with id = \"9\"".to_string(),
            "enrich.checked R0008 lookup customers: no row with id = \"9\"".to_string(),
        ]
    );
    // With a compensate value, nothing fails.
    execute(db, "DELETE FROM orders_out; DELETE FROM dash_checkpoints;");
    let s = run(dir, db, "relaxed");
    assert_eq!((s.read, s.written, s.dead_lettered), (10, 10, 0));
    // Cached keys (missing ones too) are not read again: batch 1 reads
    // customers 1-4, batch 2 only 9, batch 3 (4 and 9) nothing.
    assert_eq!(s.lookup_queries, 2);
    assert_eq!(
        texts(db, "SELECT customer FROM orders_out WHERE id = 'o4'"),
        vec!["nobody"]
    );
}

#[test]
fn lookups_on_sqlite_are_batched_and_missing_rows_fail_or_compensate() {
    let dir = project("sqlite", 4);
    let db = format!("sqlite://{}", dir.join("dash.db").display());
    check(&db, &dir);
}

#[test]
fn lookups_on_postgres_are_batched_and_missing_rows_fail_or_compensate() {
    let db = pg_schema("reactor");
    let dir = project("pg", 4);
    check(&db, &dir);
}

#[test]
fn a_reactor_calls_another_as_a_step_and_dead_letters_replay_through_lookups() {
    let dir = project("compose", 4);
    let program = std::fs::read_to_string(dir.join("p.dash")).unwrap()
        + "\nreactor outer(o: Order) -> Out {\n  step inner = lenient(o)\n  step again = enrich(o)\n  return Out { id: inner.id, customer: inner.customer, vip: again.vip, total: inner.total }\n}\n\npipeline composed {\n  orders -> outer -> out\n}\n";
    std::fs::write(dir.join("p.dash"), program).unwrap();
    let db = format!("sqlite://{}", dir.join("dash.db").display());
    execute(&db, CUSTOMERS);
    // `lenient` compensates customer 9; `enrich` requires it: 2 failures,
    // reported at the outer step with the inner reactor's stage.
    let s = run(&dir, &db, "composed");
    assert_eq!((s.read, s.written, s.dead_lettered), (10, 8, 2));
    let dead = texts(
        &db,
        "SELECT stage || ' | ' || message FROM dash_dlq ORDER BY id",
    );
    assert_eq!(
        dead[0],
        "outer.again | enrich.checked: lookup customers: no row with id = \"9\""
    );
    // The customer arrives; replaying the dead letters runs the reactors
    // (and their lookups) again, and both now go through.
    execute(&db, "INSERT INTO customers VALUES (9, 'Ida', 0)");
    let text = std::fs::read_to_string(dir.join("p.dash")).unwrap();
    let analysis = dash_check::analyze(vec![dash_syntax::SourceFile::new("p.dash", text)]);
    let options = RunOptions {
        db: Some(db.clone()),
        pipeline: Some("composed".into()),
        ..Default::default()
    };
    let replayed =
        dash_runtime::dlq::replay(&dash_ir::compile(&analysis), &dir, &options, None).unwrap();
    assert_eq!(
        (replayed.attempted, replayed.resolved, replayed.written),
        (2, 2, 2)
    );
    assert_eq!(
        texts(&db, "SELECT customer FROM orders_out WHERE id = 'o4'"),
        vec!["Ida"]
    );
}

/// A lookup's row is decoded against the step's type: a NULL in a
/// non-nullable field, or a column of another type, fails the record with
/// the column named, on both engines, never a silent null.
fn mistyped(db: &str, dir: &std::path::Path, create: &str) {
    execute(db, create);
    let s = run(dir, db, "strict");
    // Customer 1's name is NULL; `vip` is TEXT, which no row can give as
    // a bool; 9 has no row.
    let dead = texts(
        db,
        "SELECT message FROM dash_dlq WHERE message NOT LIKE '%no row%' ORDER BY id",
    );
    assert_eq!(s.dead_lettered, 10, "{dead:?}");
    assert_eq!(dead.len(), 8, "{dead:?}");
    assert!(
        dead.iter()
            .any(|m| m.contains("column `name` of table `customers` is NULL")
                && m.contains("`Customer.name` is `string`")),
        "{dead:?}"
    );
    assert!(
        dead.iter().any(|m| m.contains(
            "column `vip` of table `customers` is of SQL type `TEXT`, which does not hold that type (field `Customer.vip` is `bool`)"
        )),
        "{dead:?}"
    );
}

#[test]
fn lookup_rows_are_decoded_against_the_step_type_on_sqlite() {
    let dir = project("typed-sqlite", 4);
    let db = format!("sqlite://{}", dir.join("dash.db").display());
    mistyped(
        &db,
        &dir,
        "CREATE TABLE customers (id BIGINT PRIMARY KEY, name TEXT, vip TEXT);\
         INSERT INTO customers VALUES (1, NULL, 1), (2, 'Bo', 0), (3, 'Cy', 'maybe'), (4, 'Di', 1);",
    );
}

#[test]
fn lookup_rows_are_decoded_against_the_step_type_on_postgres() {
    let db = pg_schema("typed");
    let dir = project("typed-pg", 4);
    mistyped(
        &db,
        &dir,
        "CREATE TABLE customers (id BIGINT PRIMARY KEY, name TEXT, vip TEXT);\
         INSERT INTO customers VALUES (1, NULL, 'true'), (2, 'Bo', 'false'), (3, 'Cy', 'maybe'), (4, 'Di', 'true');",
    );
}

/// A lookup table that is missing, or lacks a column, stops the run at
/// start with the table and the column named, before any record is read.
fn preflight(db: &str, dir: &std::path::Path) {
    let text = std::fs::read_to_string(dir.join("p.dash")).unwrap();
    let analysis = dash_check::analyze(vec![dash_syntax::SourceFile::new("p.dash", text)]);
    let options = RunOptions {
        db: Some(db.to_string()),
        pipeline: Some("strict".into()),
        ..Default::default()
    };
    let compiled = dash_ir::compile(&analysis);
    let error = run_blocking(&compiled, dir, &options, &mut |_| {})
        .expect_err("no customers table")
        .to_string();
    assert!(
        error.contains("step `enrich.customer` looks up table `customers`, which does not exist"),
        "{error}"
    );
    execute(
        db,
        "CREATE TABLE customers (id BIGINT PRIMARY KEY, name TEXT, vipp BOOLEAN)",
    );
    let error = run_blocking(&compiled, dir, &options, &mut |_| {})
        .expect_err("no vip column")
        .to_string();
    assert!(
        error.contains("has no column `vip` (a field of its type); its columns are id, name, vipp"),
        "{error}"
    );
    // Nothing was read: no dead letters, no checkpoint.
    assert_eq!(
        texts(db, "SELECT CAST(count(*) AS TEXT) FROM dash_dlq"),
        vec!["0"]
    );
}

#[test]
fn lookup_tables_are_checked_before_anything_is_read_on_sqlite() {
    let dir = project("preflight-sqlite", 4);
    preflight(&format!("sqlite://{}", dir.join("dash.db").display()), &dir);
}

#[test]
fn lookup_tables_are_checked_before_anything_is_read_on_postgres() {
    let dir = project("preflight-pg", 4);
    preflight(&pg_schema("preflight"), &dir);
}

/// A lookup query that fails (the database, not the record, is at fault)
/// stops the run after its retries; nothing of the batch is dead-lettered.
#[test]
fn a_failing_lookup_query_stops_the_run_instead_of_dead_lettering() {
    let db = pg_schema("lookup_down");
    let dir = project("lookup-down", 4);
    // A view whose every read fails: division by zero at query time.
    execute(
        &db,
        "CREATE TABLE base (id BIGINT, name TEXT, vip BOOLEAN); CREATE TABLE flag (x INT);\
         CREATE VIEW customers AS SELECT id, name, vip FROM base WHERE 1 / (SELECT count(*) FROM flag) > 0;",
    );
    let text = std::fs::read_to_string(dir.join("p.dash")).unwrap();
    let analysis = dash_check::analyze(vec![dash_syntax::SourceFile::new("p.dash", text)]);
    let options = RunOptions {
        db: Some(db.clone()),
        pipeline: Some("strict".into()),
        ..Default::default()
    };
    let error = run_blocking(&dash_ir::compile(&analysis), &dir, &options, &mut |_| {})
        .expect_err("the lookup fails")
        .to_string();
    assert!(
        error.contains("step `enrich.customer`: lookup customers failed")
            && error.contains("not committed"),
        "{error}"
    );
    assert_eq!(
        texts(&db, "SELECT CAST(count(*) AS TEXT) FROM dash_dlq"),
        vec!["0"]
    );
    assert!(texts(&db, "SELECT CAST(position AS TEXT) FROM dash_checkpoints").is_empty());
}
