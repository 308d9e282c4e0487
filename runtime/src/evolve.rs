//! Schema evolution: a sink table that already exists is brought in step
//! with the sink's record type before anything is read, or the run stops
//! naming the column and the ways out. A new nullable field adds its
//! column (`ALTER TABLE … ADD COLUMN`, hypertables too). A new
//! non-nullable field, a column of another type, a NOT NULL column the
//! type no longer has or whose field became nullable, or a key index on
//! other columns stop the run.

use crate::plan::SinkPlan;
use crate::store::{Column, Store};
use crate::summary::RunError;

/// Check `table` (of `sink`, whose record type gives `columns`) against
/// the database; add the columns of new nullable fields. Returns the
/// columns added.
pub async fn evolve(
    store: &Store,
    sink: &SinkPlan,
    table: &str,
    columns: &[Column],
) -> Result<Vec<String>, RunError> {
    let mut added = Vec::new();
    for column in columns_to_add(store, sink, table, columns).await? {
        store.add_column(table, column).await?;
        added.push(column.name.clone());
    }
    Ok(added)
}

/// What [`evolve`] would add, changing nothing (`dashc migrate`); the
/// same errors.
pub async fn columns_to_add<'c>(
    store: &Store,
    sink: &SinkPlan,
    table: &str,
    columns: &'c [Column],
) -> Result<Vec<&'c Column>, RunError> {
    let existing = store.table_columns(table).await?;
    if existing.is_empty() {
        return Ok(Vec::new()); // created from the type
    }
    let name = &sink.name;
    let stop = |what: String| {
        Err(RunError::Environment(format!(
            "sink `{name}` writes table `{table}`, {what}. Nothing was read"
        )))
    };
    // The key decides what counts as "already there": an index on other
    // columns would silently skip rows, or let them in twice.
    let index = store.key_columns(table).await?;
    let sorted = |v: &[String]| {
        let mut v = v.to_vec();
        v.sort();
        v
    };
    if !index.is_empty() && sorted(&index) != sorted(&sink.key) {
        let declared = if sink.key.is_empty() {
            "no `key`".to_string()
        } else {
            format!("`key: [{}]`", sink.key.join(", "))
        };
        return stop(format!(
            "but the sink declares {declared} and the table already has the key index \
             `{table}_key` on ({}); Dash does not change keys of existing tables. Drop the \
             index (`DROP INDEX \"{table}_key\"`) to key the table anew, or give the sink a \
             new `table:` name",
            index.join(", ")
        ));
    }
    let mut add = Vec::new();
    for column in columns {
        match existing.iter().find(|(e, _, _)| *e == column.name) {
            None if column.nullable => add.push(column),
            None => {
                return stop(format!(
                    "which has no column `{}` for the new non-nullable field `{0}`; make the \
                     field nullable (`{0}: T?`) so the run adds the column, add the column \
                     yourself with a default (`ALTER TABLE … ADD COLUMN … DEFAULT …`), or give \
                     the sink a new `table:` name",
                    column.name
                ));
            }
            Some((_, _, true)) if column.nullable => {
                return stop(format!(
                    "whose column `{}` is NOT NULL, but its field is now nullable, so a row \
                     without it would be refused; drop the constraint (`ALTER TABLE … ALTER \
                     COLUMN \"{0}\" DROP NOT NULL`; on SQLite, a new table), make the field \
                     non-nullable again, or give the sink a new `table:` name",
                    column.name
                ));
            }
            Some((_, found, _)) => {
                let wanted = store.reported_type(column.kind);
                let differs = match store.engine() {
                    // SQLite stores by type affinity: `BIGINT` holds what
                    // `INTEGER` does.
                    "sqlite" => affinity(found) != affinity(wanted),
                    _ => !found.eq_ignore_ascii_case(wanted),
                };
                if differs {
                    return stop(format!(
                        "whose column `{}` is `{found}`, but its field is written as `{wanted}` \
                         (the field's type changed?); Dash does not change column types. Change \
                         the column yourself, or give the sink a new `table:` name",
                        column.name
                    ));
                }
            }
        }
    }
    for (column, _, not_null) in &existing {
        if *not_null && !columns.iter().any(|c| c.name == *column) {
            return stop(format!(
                "whose column `{column}` is NOT NULL, but the sink's record type has no field \
                 `{column}` (removed?), so every row would be refused; drop the constraint \
                 (`ALTER TABLE … ALTER COLUMN \"{column}\" DROP NOT NULL`), bring the field \
                 back, or give the sink a new `table:` name"
            ));
        }
    }
    Ok(add)
}

/// SQLite's type affinity of a declared column type (its rules, in order).
fn affinity(declared: &str) -> &'static str {
    let t = declared.to_ascii_uppercase();
    if t.contains("INT") {
        "INTEGER"
    } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
        "TEXT"
    } else if t.is_empty() || t.contains("BLOB") {
        "BLOB"
    } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
        "REAL"
    } else {
        "NUMERIC"
    }
}
