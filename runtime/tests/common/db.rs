//! Talking to the test databases: a fresh PostgreSQL schema per test,
//! statements, and single-column answers as text (SQLite or PostgreSQL).

#![allow(dead_code)]

/// The machine's PostgreSQL (trust auth).
pub const PG: &str = "postgres://postgres@127.0.0.1:5432/test";

pub fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(f)
}

/// A fresh schema `dash_test_{name}_{pid}` and a URL whose sessions use it.
pub fn pg_schema(name: &str) -> String {
    let schema = format!("dash_test_{name}_{}", std::process::id());
    execute(
        PG,
        &format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};"),
    );
    format!("{PG}?options=-c%20search_path%3D{schema}")
}

/// A fresh database `{tag}_{pid}`, with TimescaleDB when `timescale`:
/// its name and URL (drop it with [`drop_database`]).
pub fn database(tag: &str, timescale: bool) -> (String, String) {
    let name = format!("{tag}_{}", std::process::id());
    execute(PG, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    execute(PG, &format!("CREATE DATABASE {name}"));
    let db = PG.replace("/test", &format!("/{name}"));
    if timescale {
        execute(&db, "CREATE EXTENSION IF NOT EXISTS timescaledb");
    }
    (name, db)
}

pub fn drop_database(name: &str) {
    execute(PG, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
}

/// Run statements (several allowed) on `db`.
pub fn execute(db: &str, sql: &str) {
    try_execute(db, sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
}

pub fn try_execute(db: &str, sql: &str) -> Result<(), sqlx::Error> {
    block_on(async {
        use sqlx::Connection;
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        if db.starts_with("sqlite:") {
            // Statements may come before any run: create the file.
            let url = if db.contains('?') {
                db.to_string()
            } else {
                format!("{db}?mode=rwc")
            };
            let mut c = sqlx::SqliteConnection::connect(&url).await?;
            sqlx::raw_sql(sql).execute(&mut c).await?;
        } else {
            let mut c = sqlx::PgConnection::connect(db).await?;
            sqlx::raw_sql(sql).execute(&mut c).await?;
        }
        Ok(())
    })
}

/// The first column of every row, as text (`CAST` in the query).
pub fn texts(db: &str, sql: &str) -> Vec<String> {
    try_texts(db, sql).unwrap_or_else(|e| panic!("{sql}: {e}"))
}

pub fn try_texts(db: &str, sql: &str) -> Result<Vec<String>, sqlx::Error> {
    block_on(async {
        use sqlx::{Connection, Row};
        let q = sqlx::AssertSqlSafe(sql.to_string());
        if db.starts_with("sqlite:") {
            let mut c = sqlx::SqliteConnection::connect(db).await?;
            let rows = sqlx::query(q).fetch_all(&mut c).await?;
            rows.iter().map(|r| r.try_get::<String, _>(0)).collect()
        } else {
            let mut c = sqlx::PgConnection::connect(db).await?;
            let rows = sqlx::query(q).fetch_all(&mut c).await?;
            rows.iter().map(|r| r.try_get::<String, _>(0)).collect()
        }
    })
}

/// A single integer (`SELECT count(*) …`).
pub fn int(db: &str, sql: &str) -> i64 {
    try_int(db, sql).unwrap_or_else(|e| panic!("{sql}: {e}"))
}

pub fn try_int(db: &str, sql: &str) -> Result<i64, sqlx::Error> {
    block_on(async {
        use sqlx::Connection;
        let q = sqlx::AssertSqlSafe(sql.to_string());
        let row: (i64,) = if db.starts_with("sqlite:") {
            let mut c = sqlx::SqliteConnection::connect(db).await?;
            sqlx::query_as(q).fetch_one(&mut c).await?
        } else {
            let mut c = sqlx::PgConnection::connect(db).await?;
            sqlx::query_as(q).fetch_one(&mut c).await?
        };
        Ok(row.0)
    })
}
