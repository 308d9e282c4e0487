//! Dash's own tables (checkpoints, runs; `migrations/`), applied with
//! sqlx's migrator from SQL embedded in the binary: each migration once,
//! recorded in `_sqlx_migrations` with its checksum, under sqlx's lock on
//! PostgreSQL so concurrent runs do not race.

use std::borrow::Cow;

use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

/// Which engine's SQL.
#[derive(Clone, Copy)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// (version, description, SQL) per engine, in order.
const SQLITE: &[(i64, &str, &str)] = &[
    (
        1,
        "dash tables",
        include_str!("../../../migrations/sqlite/0001_dash_tables.sql"),
    ),
    (
        2,
        "counts and file identity",
        include_str!("../../../migrations/sqlite/0002_counts_and_file_identity.sql"),
    ),
    (
        3,
        "checkpoint state",
        include_str!("../../../migrations/sqlite/0003_checkpoint_state.sql"),
    ),
];
const POSTGRES: &[(i64, &str, &str)] = &[
    (
        1,
        "dash tables",
        include_str!("../../../migrations/postgres/0001_dash_tables.sql"),
    ),
    (
        2,
        "counts and file identity",
        include_str!("../../../migrations/postgres/0002_counts_and_file_identity.sql"),
    ),
    (
        3,
        "checkpoint state",
        include_str!("../../../migrations/postgres/0003_checkpoint_state.sql"),
    ),
];

/// Why migrating failed, as a store error (never retryable: the same SQL
/// would fail again).
pub fn failed(url: &str, e: sqlx::migrate::MigrateError) -> super::StoreError {
    super::StoreError::Database {
        url: url.to_string(),
        message: format!("migrating Dash's tables: {e}"),
        retryable: false,
    }
}

fn all(dialect: Dialect) -> &'static [(i64, &'static str, &'static str)] {
    match dialect {
        Dialect::Sqlite => SQLITE,
        Dialect::Postgres => POSTGRES,
    }
}

/// The migrations not in `applied` (version, description, SQL).
pub fn pending(dialect: Dialect, applied: &[i64]) -> Vec<(i64, &'static str, &'static str)> {
    all(dialect)
        .iter()
        .filter(|(version, _, _)| !applied.contains(version))
        .copied()
        .collect()
}

pub fn migrator(dialect: Dialect) -> Migrator {
    let table = all(dialect);
    Migrator::with_migrations(
        table
            .iter()
            .map(|(version, description, sql)| {
                Migration::new(
                    *version,
                    Cow::Borrowed(*description),
                    MigrationType::Simple,
                    sql.into_sql_str(),
                    false,
                )
            })
            .collect(),
    )
}
