//! `lookup` steps: one query per batch and step for the distinct keys of
//! the records that reached it, a cache across batches, rows decoded
//! against the step's type (a NULL or mistyped column fails the record,
//! naming it), and a query that still fails after its retries stops the
//! run (an error of the environment, not of a record).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use dash_check::stdlib::EvalContext;
use dash_check::value::Value;
use dash_check::{Program as Checked, Ty};
use dash_ir::StepPlan;
use dash_ir::interp::Outcome;
use dash_jit::engine::Engine;

use super::{Effects, ReactorRunner, StepFailure};
use crate::store::{Column, SqlValue, columns_of, sql_value};
use crate::writer::Backoff;

impl ReactorRunner {
    /// One query for the batch: the distinct keys of the live records
    /// (less those cached), then each record's row or `null`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn lookup(
        &mut self,
        index: usize,
        step: &StepPlan,
        table: &str,
        keys: &[(String, dash_ir::FuncId)],
        record: &Ty,
        live: &[usize],
        envs: &[Vec<Value>],
        engine: Engine,
        cx: &EvalContext,
        effects: &Effects,
    ) -> Vec<Result<Value, StepFailure>> {
        let Ty::Record(record_id) = record else {
            return live
                .iter()
                .map(|_| Err(self.failure(step, format!("lookup {table}: not a record type"))))
                .collect();
        };
        let columns: Vec<Column> = columns_of(effects.checked, *record_id);
        let key_columns: Vec<String> = keys.iter().map(|(k, _)| k.clone()).collect();
        // Each record's key tuple as text, or why it has none.
        let mut tuples: Vec<Result<Option<Vec<String>>, StepFailure>> = Vec::new();
        for r in live {
            let mut parts = Some(Vec::new());
            let mut failed = None;
            for (_, f) in keys {
                match engine.run(*f, &envs[*r], cx) {
                    Outcome::Value(v) => {
                        let text = effects.store.key_text(&sql_value(effects.checked, &v));
                        match (&mut parts, text) {
                            (Some(p), Some(t)) => p.push(t),
                            _ => parts = None, // a null key matches no row
                        }
                    }
                    Outcome::Skipped => failed = Some(StepFailure::Skipped),
                    Outcome::Failed(e) => failed = Some(StepFailure::Error(e)),
                }
            }
            tuples.push(match failed {
                Some(f) => Err(f),
                None => Ok(parts),
            });
        }
        let ttl = step
            .cache
            .map(|micros| Duration::from_micros(micros.max(0) as u64));
        let fresh = |at: &Instant| ttl.is_some_and(|t| at.elapsed() < t);
        let mut wanted: Vec<Vec<String>> = tuples
            .iter()
            .filter_map(|t| t.as_ref().ok().and_then(|p| p.clone()))
            .filter(|p| {
                !self.caches[index]
                    .get(&crate::store::lookup::joined(p))
                    .is_some_and(|(_, at)| fresh(at))
            })
            .collect();
        wanted.sort();
        wanted.dedup();
        // Each key's row, or why a column of it does not fit the type.
        let mut found: HashMap<String, Result<Value, String>> = HashMap::new();
        let mut query_error = None;
        if !wanted.is_empty() {
            let mut backoff = Backoff::new(
                Duration::from_micros(step.backoff.unwrap_or(100_000).max(0) as u64),
                Duration::from_secs(10),
            );
            let mut attempt = 0;
            loop {
                self.queries += 1;
                let query = effects.store.lookup(table, &key_columns, &wanted, &columns);
                let result = match step.timeout {
                    Some(t) => effects
                        .runtime
                        .block_on(async {
                            tokio::time::timeout(Duration::from_micros(t.max(0) as u64), query)
                                .await
                        })
                        .unwrap_or_else(|_| {
                            Err(crate::store::StoreError::Unsupported(format!(
                                "lookup {table} timed out"
                            )))
                        }),
                    None => effects.runtime.block_on(query),
                };
                match result {
                    Ok(rows) => {
                        let record = effects.checked.record(*record_id);
                        for (key, cells) in rows {
                            let fields: Result<Vec<Value>, String> = columns
                                .iter()
                                .zip(cells)
                                .zip(&record.fields)
                                .map(|((column, cell), field)| {
                                    value_of(cell, field, effects.checked).map_err(|why| {
                                        format!(
                                            "column `{}` of table `{table}` {why} (field `{}.{}` is `{}`)",
                                            column.name,
                                            record.name,
                                            field.name,
                                            effects.checked.show(&field.ty)
                                        )
                                    })
                                })
                                .collect();
                            found
                                .entry(key)
                                .or_insert(fields.map(|f| Value::record(*record_id, f)));
                        }
                        break;
                    }
                    Err(e) if attempt < step.retry => {
                        attempt += 1;
                        let delay = backoff.next_delay();
                        tracing::warn!(step = %step.name, error = %e, retry_in = ?delay, "lookup failed; retrying");
                        std::thread::sleep(delay);
                    }
                    Err(e) => {
                        query_error = Some(e.to_string());
                        break;
                    }
                }
            }
            if query_error.is_none() {
                for key in &wanted {
                    let joined = crate::store::lookup::joined(key);
                    // A row that does not fit its type is not cached: the
                    // next batch asks again.
                    let row = match found.get(&joined) {
                        Some(Ok(v)) => v.clone(),
                        Some(Err(_)) => continue,
                        None => Value::Null,
                    };
                    if ttl.is_some() {
                        self.caches[index].insert(joined, (row, Instant::now()));
                    }
                }
            }
        }
        tuples
            .into_iter()
            .map(|t| {
                let parts = t?;
                if let Some(e) = &query_error {
                    self.fatal.get_or_insert_with(|| {
                        format!(
                            "step `{}.{}`: lookup {table} failed after {} retries: {e}",
                            self.plan.name, step.name, step.retry
                        )
                    });
                    return Err(self.failure(step, format!("lookup {table}: {e}")));
                }
                let row = parts.as_ref().and_then(|p| {
                    let joined = crate::store::lookup::joined(p);
                    found
                        .get(&joined)
                        .cloned()
                        .or_else(|| self.caches[index].get(&joined).map(|(v, _)| Ok(v.clone())))
                        .filter(|v| !matches!(v, Ok(v) if v.is_null()))
                });
                match row {
                    Some(Ok(v)) => Ok(v),
                    Some(Err(why)) => Err(self.failure(step, format!("lookup {table}: {why}"))),
                    None if step.required => Err(self.failure(
                        step,
                        format!(
                            "lookup {table}: no row with {}",
                            describe_key(&key_columns, parts.as_deref())
                        ),
                    )),
                    None => Ok(Value::Null),
                }
            })
            .collect()
    }
}

fn describe_key(columns: &[String], parts: Option<&[String]>) -> String {
    match parts {
        Some(parts) => columns
            .iter()
            .zip(parts)
            .map(|(c, p)| format!("{c} = {p:?}"))
            .collect::<Vec<_>>()
            .join(", "),
        None => "a null key".into(),
    }
}

/// A column's value as a field: SQL NULL only for a nullable field, and a
/// JSON column decoded by the rules of source decoding; otherwise why not.
fn value_of(
    cell: crate::store::lookup::Cell,
    field: &dash_check::RecordField,
    checked: &Checked,
) -> Result<Value, String> {
    let ty = &field.ty;
    match (cell?, ty.strip()) {
        (SqlValue::Null, _) if ty.is_nullable() => Ok(Value::Null),
        (SqlValue::Null, _) => Err("is NULL".into()),
        (SqlValue::Int(i), Ty::Duration) => Ok(Value::Duration(i)),
        (SqlValue::Int(i), Ty::Float) => Ok(Value::Float(i as f64)),
        (SqlValue::Int(i), _) => Ok(Value::Int(i)),
        (SqlValue::Real(f), _) => Ok(Value::Float(f)),
        (SqlValue::Bool(b), _) => Ok(Value::Bool(b)),
        (SqlValue::Timestamp(t), _) => Ok(Value::Timestamp(t)),
        (SqlValue::Text(s), _) => Ok(Value::string(s)),
        (SqlValue::Json(text), t) => {
            let json = serde_json::from_str::<serde_json::Value>(&text)
                .map_err(|e| format!("holds invalid JSON ({e})"))?;
            dash_ir::decode::decode_value(&json, t, checked).map_err(|e| format!("holds {e}"))
        }
    }
}
