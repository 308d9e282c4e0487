//! Reactors at run time: a batch of records goes through the reactor's
//! steps in dependency order. Pure steps run as compiled code per record;
//! a `lookup` step reads the project database once for the whole batch
//! (the distinct keys of every record that reached it), with an optional
//! per-run cache. A step that fails uses its `compensate` value, or else
//! the `undo` of the record's completed steps runs in reverse order and
//! the record fails with stage `reactor.step`.
//!
//! HTTP steps, `undo` over HTTP and calls of other reactors are refused
//! when the pipeline is planned (`plan.rs`): they do not run yet.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dash_compiler::check::{Program as Checked, Ty};
use dash_compiler::engine::Engine;
use dash_compiler::interp::{Outcome, RowError, RowErrorCode};
use dash_compiler::lower::reactor_plan::{EffectPlan, ReactorPlan, StepKind, StepPlan};
use dash_compiler::stdlib::EvalContext;
use dash_compiler::value::Value;

use crate::store::{Column, SqlValue, Store, columns_of, sql_value};
use crate::writer::Backoff;

/// How a record left a reactor.
pub enum Reacted {
    Value(Value),
    Skipped,
    /// `stage` is `reactor.step` (or the reactor's name for its `return`).
    Failed {
        stage: String,
        error: RowError,
    },
}

/// A reactor and what it keeps between batches (its lookup caches).
pub struct ReactorRunner {
    pub plan: ReactorPlan,
    /// Per step: rendered key → (row, when it was read).
    caches: Vec<HashMap<String, (Value, Instant)>>,
    /// Lookup queries made (for tests and logs).
    pub queries: u64,
}

/// What a batch needs from the outside.
pub struct Effects<'a> {
    pub store: Arc<Store>,
    pub runtime: &'a tokio::runtime::Runtime,
    pub checked: &'a Checked,
}

impl ReactorRunner {
    pub fn new(plan: ReactorPlan) -> ReactorRunner {
        let caches = plan.steps.iter().map(|_| HashMap::new()).collect();
        ReactorRunner {
            plan,
            caches,
            queries: 0,
        }
    }

    /// Run the reactor over a batch of inputs (one per record).
    pub fn run_batch(
        &mut self,
        inputs: Vec<Value>,
        engine: Engine,
        cx: &EvalContext,
        effects: &Effects,
    ) -> Vec<Reacted> {
        let slots = self.plan.env.len();
        let mut envs: Vec<Vec<Value>> = inputs
            .into_iter()
            .map(|input| {
                let mut env = vec![Value::Null; slots];
                env[0] = input;
                env
            })
            .collect();
        let mut outcome: Vec<Option<Reacted>> = envs.iter().map(|_| None).collect();
        // Completed steps per record, in completion order (for undo).
        let mut completed: Vec<Vec<usize>> = envs.iter().map(|_| Vec::new()).collect();
        for &i in &self.plan.order.clone() {
            let step = self.plan.steps[i].clone();
            let slot = self.plan.params + i;
            let live: Vec<usize> = (0..envs.len()).filter(|r| outcome[*r].is_none()).collect();
            let results: Vec<Result<Value, StepFailure>> = match &step.kind {
                StepKind::Pure(f) => live
                    .iter()
                    .map(|r| match engine.run(*f, &envs[*r], cx) {
                        Outcome::Value(v) => Ok(v),
                        Outcome::Skipped => Err(StepFailure::Skipped),
                        Outcome::Failed(e) => Err(StepFailure::Error(e)),
                    })
                    .collect(),
                StepKind::Effect(EffectPlan::Lookup {
                    table,
                    keys,
                    record,
                }) => self.lookup(
                    i, &step, table, keys, record, &live, &envs, engine, cx, effects,
                ),
                // Refused by the planner; fail loudly rather than guess.
                StepKind::Effect(_) | StepKind::Compose { .. } => live
                    .iter()
                    .map(|_| Err(self.failure(&step, "this kind of step cannot run yet".into())))
                    .collect(),
            };
            for (r, result) in live.into_iter().zip(results) {
                match result {
                    Ok(v) => {
                        envs[r][slot] = v;
                        completed[r].push(i);
                    }
                    Err(StepFailure::Skipped) => outcome[r] = Some(Reacted::Skipped),
                    Err(StepFailure::Error(error)) => {
                        match step.compensate.map(|f| engine.run(f, &envs[r], cx)) {
                            Some(Outcome::Value(v)) => {
                                envs[r][slot] = v;
                                completed[r].push(i);
                            }
                            _ => {
                                self.undo(&completed[r], &envs[r], engine, cx);
                                outcome[r] = Some(Reacted::Failed {
                                    stage: format!("{}.{}", self.plan.name, step.name),
                                    error,
                                });
                            }
                        }
                    }
                }
            }
        }
        envs.iter()
            .zip(outcome)
            .map(|(env, done)| match done {
                Some(o) => o,
                None => match engine.run(self.plan.ret, env, cx) {
                    Outcome::Value(v) => Reacted::Value(v),
                    Outcome::Skipped => Reacted::Skipped,
                    Outcome::Failed(error) => Reacted::Failed {
                        stage: self.plan.name.clone(),
                        error,
                    },
                },
            })
            .collect()
    }

    /// The `undo` of every completed step, newest first. Their values
    /// are computed for their effect; a failing undo is logged with the
    /// record's step (it never hides the record's own failure).
    fn undo(&self, completed: &[usize], env: &[Value], engine: Engine, cx: &EvalContext) {
        for &i in completed.iter().rev() {
            let step = &self.plan.steps[i];
            if let Some(EffectPlan::Call(f)) = &step.undo
                && let Outcome::Failed(e) = engine.run(*f, env, cx)
            {
                tracing::warn!(reactor = %self.plan.name, step = %step.name, error = %e.message, "undo failed");
            }
        }
    }

    fn failure(&self, step: &StepPlan, message: String) -> StepFailure {
        StepFailure::Error(RowError {
            code: RowErrorCode::Step,
            message,
            file: self.plan.file,
            span: step.span,
        })
    }

    /// One query for the batch: the distinct keys of the live records
    /// (less those cached), then each record's row or `null`.
    #[allow(clippy::too_many_arguments)]
    fn lookup(
        &mut self,
        index: usize,
        step: &StepPlan,
        table: &str,
        keys: &[(String, dash_compiler::ir::FuncId)],
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
        let mut found: HashMap<String, Value> = HashMap::new();
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
                        for (key, cells) in rows {
                            let fields = columns
                                .iter()
                                .zip(cells)
                                .zip(&effects.checked.records[record_id.0 as usize].fields)
                                .map(|((_, cell), field)| {
                                    value_of(cell, &field.ty, effects.checked)
                                })
                                .collect();
                            found
                                .entry(key)
                                .or_insert(Value::record(*record_id, fields));
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
                    let row = found.get(&joined).cloned().unwrap_or(Value::Null);
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
                    return Err(self.failure(step, format!("lookup {table}: {e}")));
                }
                let row = parts.as_ref().and_then(|p| {
                    let joined = crate::store::lookup::joined(p);
                    found
                        .get(&joined)
                        .cloned()
                        .or_else(|| self.caches[index].get(&joined).map(|(v, _)| v.clone()))
                        .filter(|v| !v.is_null())
                });
                match row {
                    Some(v) => Ok(v),
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

enum StepFailure {
    Skipped,
    Error(RowError),
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

/// A column's value as a field of type `ty`.
fn value_of(cell: SqlValue, ty: &Ty, checked: &Checked) -> Value {
    match (cell, ty.strip()) {
        (SqlValue::Null, _) => Value::Null,
        (SqlValue::Int(i), Ty::Duration) => Value::Duration(i),
        (SqlValue::Int(i), Ty::Float) => Value::Float(i as f64),
        (SqlValue::Int(i), _) => Value::Int(i),
        (SqlValue::Real(f), _) => Value::Float(f),
        (SqlValue::Bool(b), _) => Value::Bool(b),
        (SqlValue::Timestamp(t), _) => Value::Timestamp(t),
        (SqlValue::Text(s), _) => Value::string(s),
        (SqlValue::Json(text), t) => match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(json) => {
                dash_compiler::decode::decode_value(&json, t, checked).unwrap_or(Value::Null)
            }
            Err(_) => Value::Null,
        },
    }
}
