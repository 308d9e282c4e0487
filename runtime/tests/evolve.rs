//! Schema evolution: a new nullable field adds its column before the run
//! writes; a new non-nullable field, a changed type or a removed NOT NULL
//! field stops the run before anything is read. SQLite and PostgreSQL.

mod common;

use common::db::{pg_schema, texts};
use dash_runtime::executor::{RunOptions, run_blocking};

fn program(fields: &str) -> String {
    format!(
        "type Row {{\n  id: int\n{fields}}}\n\
         source rows: Row from file {{ path: \"in.jsonl\" }}\n\
         sink out: Row into table {{ table: \"rows\"  key: id }}\n\
         pipeline p {{ rows -> out }}\n"
    )
}

fn go(
    dir: &std::path::Path,
    db: &str,
    fields: &str,
) -> Result<dash_runtime::executor::Summary, String> {
    let text = program(fields);
    std::fs::write(dir.join("p.dash"), &text).unwrap();
    let analysis = dash_check::analyze(vec![dash_syntax::SourceFile::new("p.dash", text)]);
    assert_eq!(analysis.error_count(), 0, "{:?}", analysis.diagnostics);
    let options = RunOptions {
        db: Some(db.to_string()),
        ..Default::default()
    };
    run_blocking(&dash_ir::compile(&analysis), dir, &options, &mut |_| {})
        .map_err(|e| e.to_string())
}

fn check(name: &str, db: impl Fn(&std::path::Path) -> String) {
    let dir = std::env::temp_dir().join(format!("dash-evolve-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = db(&dir);
    let append = |line: &str| {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("in.jsonl"))
            .unwrap();
        std::io::Write::write_all(&mut f, line.as_bytes()).unwrap();
    };
    append("{\"id\": 1, \"name\": \"a\"}\n");
    assert_eq!(
        go(&dir, &db, "  name: string\n")
            .expect("first run")
            .written,
        1
    );
    // A new nullable field: its column is added, old rows get NULL.
    append("{\"id\": 2, \"name\": \"b\", \"note\": \"new\"}\n");
    assert_eq!(
        go(&dir, &db, "  name: string\n  note: string?\n")
            .expect("evolved")
            .written,
        1
    );
    assert_eq!(
        texts(&db, "SELECT COALESCE(note, '-') FROM rows ORDER BY id"),
        vec!["-".to_string(), "new".to_string()]
    );
    // A new non-nullable field: refused, naming the column and the ways out.
    let e =
        go(&dir, &db, "  name: string\n  note: string?\n  level: int\n").expect_err("non-nullable");
    assert!(
        e.contains("no column `level` for the new non-nullable field") && e.contains("`table:`"),
        "{e}"
    );
    // A changed type.
    let e = go(&dir, &db, "  name: int\n  note: string?\n").expect_err("type change");
    assert!(e.contains("whose column `name` is"), "{e}");
    // A NOT NULL column whose field became nullable.
    let e = go(&dir, &db, "  name: string?\n  note: string?\n").expect_err("now nullable");
    assert!(
        e.contains("whose column `name` is NOT NULL, but its field is now nullable"),
        "{e}"
    );
    // A removed field whose column is NOT NULL.
    let e = go(&dir, &db, "  note: string?\n").expect_err("removed");
    assert!(
        e.contains("whose column `name` is NOT NULL") && e.contains("DROP NOT NULL"),
        "{e}"
    );
}

#[test]
fn schema_evolution_on_sqlite() {
    check("sqlite", |dir| {
        format!("sqlite://{}", dir.join("dash.db").display())
    });
}

#[test]
fn schema_evolution_on_postgres() {
    check("pg", |_| pg_schema("evolve"));
}
