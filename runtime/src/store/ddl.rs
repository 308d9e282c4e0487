//! The store's side of `dashc migrate`: open a database without changing
//! it, read what it has of a sink table, and apply the steps `schema.rs`
//! plans from that.

use sqlx::AssertSqlSafe;

use super::migrations::{self, Dialect};
use super::schema::{Db, How, Step, TableFacts, TableSpec};
use super::{ColumnKind, CopyFormat, Postgres, Sqlite, Store, StoreError, quote};

impl Store {
    /// Open `url` changing nothing: no migration, and a SQLite file that
    /// is not there is not created (it reads as an empty database).
    pub async fn inspect(url: &str, shown: &str, copy: CopyFormat) -> Result<Store, StoreError> {
        if url.starts_with("sqlite:") {
            return Ok(Store::Sqlite(if Sqlite::exists(url)? {
                Sqlite::connect(url).await?
            } else {
                Sqlite::absent(url).await?
            }));
        }
        if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            return Ok(Store::Postgres(
                Postgres::connect(url, shown, copy, 2).await?,
            ));
        }
        Store::open(url, shown, copy).await // says which schemes work
    }

    /// Open `url` to apply steps: the SQLite file is created if missing,
    /// no migration is applied (they are steps too).
    pub async fn open_for_ddl(
        url: &str,
        shown: &str,
        copy: CopyFormat,
    ) -> Result<Store, StoreError> {
        if url.starts_with("sqlite:") {
            return Ok(Store::Sqlite(Sqlite::connect(url).await?));
        }
        Store::inspect(url, shown, copy).await
    }

    /// The database steps are planned for.
    pub fn db(&self) -> Db<'_> {
        match self {
            Store::Sqlite(_) => Db::Sqlite,
            Store::Postgres(s) if s.timescale.is_some() => Db::Timescale(&s.ts),
            Store::Postgres(_) => Db::Postgres,
        }
    }

    /// The column type Dash creates for a kind, in this engine.
    pub fn sql_type(&self) -> fn(ColumnKind) -> &'static str {
        match self {
            Store::Sqlite(_) => super::sqlite::type_name,
            Store::Postgres(_) => super::postgres::type_name,
        }
    }

    /// Dash's own migrations not applied yet, as one step (or none).
    pub async fn migration_steps(&self) -> Result<Vec<Step>, StoreError> {
        let (dialect, applied) = match self {
            Store::Sqlite(s) => {
                let there: bool = sqlx::query_scalar(
                    "SELECT count(*) > 0 FROM sqlite_master WHERE name = '_sqlx_migrations'",
                )
                .fetch_one(&s.pool)
                .await
                .map_err(|e| StoreError::database(&s.url, e))?;
                let applied = if there {
                    sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
                        .fetch_all(&s.pool)
                        .await
                        .map_err(|e| StoreError::database(&s.url, e))?
                } else {
                    Vec::new()
                };
                (Dialect::Sqlite, applied)
            }
            Store::Postgres(s) => {
                let applied = sqlx::query_scalar(
                    "SELECT version FROM _sqlx_migrations WHERE success \
                     AND to_regclass('_sqlx_migrations') IS NOT NULL",
                )
                .fetch_all(&s.pool)
                .await;
                // The table is not there: nothing applied yet.
                let applied = match applied {
                    Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("42P01") => {
                        Vec::new()
                    }
                    other => other.map_err(|e| StoreError::database(&s.url, e))?,
                };
                (Dialect::Postgres, applied)
            }
        };
        Ok(migrations::pending(dialect, &applied)
            .into_iter()
            .map(|(version, description, sql)| Step {
                about: format!("Dash's own tables: migration {version} ({description})"),
                sql: format!("{}\n", sql.trim_end()),
                how: How::Migrations,
            })
            .collect())
    }

    /// The dead-letter table `table`, when it is not there.
    pub async fn dlq_steps(&self, table: &str) -> Result<Vec<Step>, StoreError> {
        if self.has_table(table).await? {
            return Ok(Vec::new());
        }
        let template = match self {
            Store::Sqlite(_) => super::sqlite::DLQ_TEMPLATE,
            Store::Postgres(_) => super::postgres::DLQ_TEMPLATE,
        };
        let sql = template
            .lines()
            .filter(|l| !l.starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n")
            .replace("{table}", &quote(table));
        Ok(vec![Step::new(
            format!("create the dead-letter table `{table}`"),
            format!("{}\n", sql.trim()),
        )])
    }

    /// What the database has of `spec`'s table.
    pub async fn table_facts(&self, spec: &TableSpec<'_>) -> Result<TableFacts, StoreError> {
        let table = spec.table;
        let doing =
            |e: StoreError| e.doing(format_args!("reading the catalog for table `{table}`"));
        match self {
            Store::Sqlite(s) => {
                let index = |name: String| async move {
                    sqlx::query_scalar::<_, bool>(
                        "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'index' AND name = ?",
                    )
                    .bind(name)
                    .fetch_one(&s.pool)
                    .await
                    .map_err(|e| StoreError::database(&s.url, e))
                };
                Ok(TableFacts {
                    exists: s.has_table(table).await.map_err(doing)?,
                    key_index: s.key_columns(table).await.map_err(doing)?,
                    time_index: index(format!("{table}_time")).await.map_err(doing)?,
                    ..TableFacts::default()
                })
            }
            Store::Postgres(s) => {
                super::pg_catalog::table_facts(&s.pool, spec, s.timescale.is_some())
                    .await
                    .map_err(|e| doing(StoreError::database(&s.url, e)))
            }
        }
    }

    /// Apply one step.
    pub async fn apply(&self, step: &Step) -> Result<(), StoreError> {
        let doing = |e: StoreError| e.doing(format_args!("applying step: {}", step.about));
        match (self, step.how) {
            (Store::Sqlite(s), How::Migrations) => s.migrate().await,
            (Store::Postgres(s), How::Migrations) => s.migrate().await,
            (Store::Sqlite(s), _) => {
                let mut tx = s
                    .pool
                    .begin()
                    .await
                    .map_err(|e| StoreError::database(&s.url, e))?;
                sqlx::raw_sql(AssertSqlSafe(step.sql.clone()))
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| StoreError::database(&s.url, e))?;
                tx.commit()
                    .await
                    .map_err(|e| StoreError::database(&s.url, e))
            }
            (Store::Postgres(s), How::Transaction) => {
                let tx = s.ddl(step.sql.clone()).await?;
                tx.commit()
                    .await
                    .map_err(|e| StoreError::database(&s.url, e))
            }
            (Store::Postgres(s), How::Alone) => sqlx::raw_sql(AssertSqlSafe(step.sql.clone()))
                .execute(&s.pool)
                .await
                .map(|_| ())
                .map_err(|e| StoreError::database(&s.url, e)),
        }
        .map_err(doing)
    }
}
