//! Reactors at run time: a batch of records goes through the reactor's
//! steps in dependency order. Pure steps run as compiled code per record;
//! a `lookup` step reads the project database once for the whole batch
//! (the distinct keys of every record that reached it), with an optional
//! per-run cache. A step that fails uses its `compensate` value, or else
//! the `undo` of the record's completed steps runs in reverse order and
//! the record fails with stage `reactor.step`.
//!
//! An HTTP step sends the batch's requests concurrently (`http.rs`) and
//! decodes each JSON answer into the step's type. A step calling another
//! reactor runs that reactor over the batch (its own waves, lookups and
//! undos), keeping it between batches.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dash_check::stdlib::EvalContext;
use dash_check::value::Value;
use dash_check::{Program as Checked, Ty};
use dash_ir::interp::{Outcome, RowError, RowErrorCode};
use dash_ir::{EffectPlan, ReactorPlan, StepKind, StepPlan};
use dash_jit::engine::Engine;

use crate::http::{self, Policy, Request};
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
    /// The reactors this one calls as steps, made when first called.
    inner: HashMap<String, ReactorRunner>,
    /// An error of the environment (a lookup query that still failed
    /// after its retries): the run stops instead of dead-lettering the
    /// batch, whose records are read again by the next run.
    fatal: Option<String>,
}

/// What a batch needs from the outside.
pub struct Effects<'a> {
    pub store: Arc<Store>,
    pub runtime: &'a tokio::runtime::Runtime,
    pub checked: &'a Checked,
    pub http: http::Client,
    /// Every reactor's plan, for steps that call another reactor.
    pub plans: &'a [ReactorPlan],
}

impl ReactorRunner {
    pub fn new(plan: ReactorPlan) -> ReactorRunner {
        let caches = plan.steps.iter().map(|_| HashMap::new()).collect();
        ReactorRunner {
            plan,
            caches,
            queries: 0,
            inner: HashMap::new(),
            fatal: None,
        }
    }

    /// Lookup queries of this reactor and the ones it calls.
    pub fn total_queries(&self) -> u64 {
        self.queries
            + self
                .inner
                .values()
                .map(ReactorRunner::total_queries)
                .sum::<u64>()
    }

    #[allow(clippy::too_many_arguments)]
    /// A step calling another reactor: the inner reactor runs over the
    /// batch's argument lists like a stage would.
    fn compose(
        &mut self,
        step: &StepPlan,
        reactor: &str,
        args: &[dash_ir::FuncId],
        live: &[usize],
        envs: &[Vec<Value>],
        engine: Engine,
        cx: &EvalContext,
        effects: &Effects,
    ) -> Vec<Result<Value, StepFailure>> {
        let mut inputs = Vec::new();
        let mut prepared: Vec<Result<(), StepFailure>> = Vec::new();
        for r in live {
            let values: Result<Vec<Value>, StepFailure> = args
                .iter()
                .map(|f| match engine.run(*f, &envs[*r], cx) {
                    Outcome::Value(v) => Ok(v),
                    Outcome::Skipped => Err(StepFailure::Skipped),
                    Outcome::Failed(e) => Err(StepFailure::Error(e)),
                })
                .collect();
            prepared.push(values.map(|v| inputs.push(v)));
        }
        let mut runner = match self.inner.remove(reactor) {
            Some(r) => r,
            None => match effects.plans.iter().find(|p| p.name == reactor) {
                Some(plan) => ReactorRunner::new(plan.clone()),
                None => {
                    return live
                        .iter()
                        .map(|_| Err(self.failure(step, format!("no reactor `{reactor}`"))))
                        .collect();
                }
            },
        };
        let mut out = runner.run_batch(inputs, engine, cx, effects).into_iter();
        self.inner.insert(reactor.to_string(), runner);
        prepared
            .into_iter()
            .map(|p| {
                p?;
                match out.next() {
                    Some(Reacted::Value(v)) => Ok(v),
                    Some(Reacted::Skipped) => Err(StepFailure::Skipped),
                    Some(Reacted::Failed { stage, mut error }) => {
                        error.message = format!("{stage}: {}", error.message);
                        Err(StepFailure::Error(error))
                    }
                    None => Err(self.failure(step, "no result".into())),
                }
            })
            .collect()
    }

    /// The environment error of the last batch, if one stopped it (see
    /// `fatal`); the caller must not commit that batch.
    pub fn take_fatal(&mut self) -> Option<String> {
        let inner = self.inner.values_mut().find_map(|r| r.take_fatal());
        self.fatal.take().or(inner)
    }

    /// Run the reactor over a batch: each record's arguments.
    pub fn run_batch(
        &mut self,
        inputs: Vec<Vec<Value>>,
        engine: Engine,
        cx: &EvalContext,
        effects: &Effects,
    ) -> Vec<Reacted> {
        let slots = self.plan.env.len();
        let mut envs: Vec<Vec<Value>> = inputs
            .into_iter()
            .map(|args| {
                let mut env = vec![Value::Null; slots];
                for (slot, a) in env.iter_mut().zip(args) {
                    *slot = a;
                }
                env
            })
            .collect();
        let mut outcome: Vec<Option<Reacted>> = envs.iter().map(|_| None).collect();
        // Completed steps per record, in completion order (for undo).
        let mut completed: Vec<Vec<usize>> = envs.iter().map(|_| Vec::new()).collect();
        for wave in self.waves() {
            let live: Vec<usize> = (0..envs.len()).filter(|r| outcome[*r].is_none()).collect();
            // Every step of a wave depends only on earlier waves: their
            // HTTP requests all go out together.
            let mut http_requests = Vec::new();
            for &i in &wave {
                if let StepKind::Effect(EffectPlan::Http {
                    method, url, body, ..
                }) = &self.plan.steps[i].kind
                {
                    let requests: Vec<Result<Request, StepFailure>> = live
                        .iter()
                        .map(|r| {
                            request(method, *url, body, &envs[*r], engine, cx, effects.checked)
                        })
                        .collect();
                    http_requests.push((i, requests));
                }
            }
            let mut http_results = self.http_steps(http_requests, effects);
            let mut results: Vec<(usize, Vec<Result<Value, StepFailure>>)> = Vec::new();
            for &i in &wave {
                let step = self.plan.steps[i].clone();
                let r: Vec<Result<Value, StepFailure>> = match &step.kind {
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
                    StepKind::Effect(EffectPlan::Http { .. }) => http_results
                        .iter_mut()
                        .find(|(k, _)| *k == i)
                        .map(|(_, r)| std::mem::take(r))
                        .unwrap_or_default(),
                    StepKind::Compose { reactor, args } => {
                        self.compose(&step, reactor, args, &live, &envs, engine, cx, effects)
                    }
                    // An undo-only effect is never a step's value.
                    StepKind::Effect(EffectPlan::Call(_)) => live
                        .iter()
                        .map(|_| Err(self.failure(&step, "not a step".into())))
                        .collect(),
                };
                results.push((i, r));
            }
            // Per record: keep every success of the wave first (so an
            // undo covers steps that ran beside the one that failed), then
            // the failures, in step order.
            let mut per_record: Vec<Vec<(usize, Result<Value, StepFailure>)>> =
                live.iter().map(|_| Vec::new()).collect();
            for (i, r) in results {
                for (k, result) in r.into_iter().enumerate() {
                    if let Some(slot) = per_record.get_mut(k) {
                        slot.push((i, result));
                    }
                }
            }
            for (k, results) in per_record.into_iter().enumerate() {
                let r = live[k];
                let mut failures = Vec::new();
                for (i, result) in results {
                    match result {
                        Ok(v) => {
                            envs[r][self.plan.params + i] = v;
                            completed[r].push(i);
                        }
                        Err(f) => failures.push((i, f)),
                    }
                }
                for (i, failure) in failures {
                    if outcome[r].is_some() {
                        break;
                    }
                    let step = &self.plan.steps[i];
                    match failure {
                        StepFailure::Skipped => outcome[r] = Some(Reacted::Skipped),
                        StepFailure::Error(mut error) => {
                            match step.compensate.map(|f| engine.run(f, &envs[r], cx)) {
                                Some(Outcome::Value(v)) => {
                                    envs[r][self.plan.params + i] = v;
                                    completed[r].push(i);
                                }
                                _ => {
                                    let undone =
                                        self.undo(&completed[r], &envs[r], engine, cx, effects);
                                    if !undone.is_empty() {
                                        error.message =
                                            format!("{}; {}", error.message, undone.join("; "));
                                    }
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

    /// The `undo` of every completed step, newest first, each once. What
    /// failed is returned, to be kept in the record's dead letter (and
    /// logged): an undo failure is never lost.
    fn undo(
        &self,
        completed: &[usize],
        env: &[Value],
        engine: Engine,
        cx: &EvalContext,
        effects: &Effects,
    ) -> Vec<String> {
        let mut failures = Vec::new();
        for &i in completed.iter().rev() {
            let step = &self.plan.steps[i];
            let failed = match &step.undo {
                Some(EffectPlan::Call(f)) => match engine.run(*f, env, cx) {
                    Outcome::Failed(e) => Some(e.message),
                    _ => None,
                },
                Some(EffectPlan::Http {
                    method, url, body, ..
                }) => match request(method, *url, body, env, engine, cx, effects.checked) {
                    Ok(req) => {
                        let policy = policy(step);
                        effects
                            .runtime
                            .block_on(effects.http.send(&req, policy))
                            .err()
                            .map(|f| f.message)
                    }
                    Err(_) => Some("its request could not be built".into()),
                },
                _ => None,
            };
            if let Some(message) = failed {
                tracing::warn!(reactor = %self.plan.name, step = %step.name, error = %message, "undo failed");
                failures.push(format!("undo of `{}` failed: {message}", step.name));
            }
        }
        failures
    }

    /// The waves of the plan: each step in the first wave after all of
    /// its dependencies.
    fn waves(&self) -> Vec<Vec<usize>> {
        let mut wave_of = vec![0usize; self.plan.steps.len()];
        for &i in &self.plan.order {
            wave_of[i] = self.plan.steps[i]
                .deps
                .iter()
                .map(|d| wave_of[*d] + 1)
                .max()
                .unwrap_or(0);
        }
        let count = wave_of.iter().max().map_or(0, |m| m + 1);
        let mut waves = vec![Vec::new(); count];
        for &i in &self.plan.order {
            waves[wave_of[i]].push(i);
        }
        waves
    }

    /// Send the requests of several HTTP steps at once (each within its
    /// own concurrency); decode each answer into its step's type.
    fn http_steps(
        &mut self,
        steps: Vec<(usize, Vec<Result<Request, StepFailure>>)>,
        effects: &Effects,
    ) -> Vec<(usize, Vec<Result<Value, StepFailure>>)> {
        let sends: Vec<(usize, Vec<Request>, Policy, usize)> = steps
            .iter()
            .map(|(i, requests)| {
                let step = &self.plan.steps[*i];
                let ready = requests
                    .iter()
                    .filter_map(|r| r.as_ref().ok().cloned())
                    .collect();
                let concurrency = step
                    .concurrency
                    .map_or(http::DEFAULT_CONCURRENCY, |c| c as usize);
                (*i, ready, policy(step), concurrency)
            })
            .collect();
        let client = effects.http.clone();
        let mut answers: HashMap<usize, Vec<Result<serde_json::Value, http::Failure>>> =
            effects.runtime.block_on(async move {
                let mut set = tokio::task::JoinSet::new();
                for (i, ready, policy, concurrency) in sends {
                    let client = client.clone();
                    set.spawn(
                        async move { (i, client.send_all(ready, policy, concurrency).await) },
                    );
                }
                let mut out = HashMap::new();
                while let Some(Ok((i, answers))) = set.join_next().await {
                    out.insert(i, answers);
                }
                out
            });
        let mut fatal: Option<String> = None;
        let out = steps
            .into_iter()
            .map(|(i, requests)| {
                let step = &self.plan.steps[i];
                let StepKind::Effect(EffectPlan::Http { ty, .. }) = &step.kind else {
                    return (i, Vec::new());
                };
                let mut got = answers.remove(&i).unwrap_or_default().into_iter();
                let results = requests
                    .into_iter()
                    .map(|r| {
                        r?;
                        match got.next() {
                            Some(Ok(json)) => {
                                dash_ir::decode::decode_value(&json, ty, effects.checked).map_err(
                                    |e| {
                                        self.failure(
                                            step,
                                            format!("the answer does not fit the step's type: {e}"),
                                        )
                                    },
                                )
                            }
                            // A service that cannot be reached is down: the
                            // run stops (unless the step has a fallback).
                            Some(Err(f)) if f.unreachable && step.compensate.is_none() => {
                                fatal.get_or_insert_with(|| {
                                    format!(
                                        "step `{}.{}`: {}",
                                        self.plan.name, step.name, f.message
                                    )
                                });
                                Err(self.failure(step, f.message))
                            }
                            Some(Err(f)) => Err(self.failure(step, f.message)),
                            None => Err(self.failure(step, "no answer".into())),
                        }
                    })
                    .collect();
                (i, results)
            })
            .collect();
        if let Some(f) = fatal {
            self.fatal.get_or_insert(f);
        }
        out
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

/// A step's retry policy for HTTP.
fn policy(step: &StepPlan) -> Policy {
    Policy {
        retry: step.retry,
        backoff: Duration::from_micros(step.backoff.unwrap_or(100_000).max(0) as u64),
        timeout: step.timeout.map(|t| Duration::from_micros(t.max(0) as u64)),
    }
}

/// The request of an HTTP step (or undo) for one record's environment.
fn request(
    method: &str,
    url: dash_ir::FuncId,
    body: &[(String, dash_ir::FuncId)],
    env: &[Value],
    engine: Engine,
    cx: &EvalContext,
    checked: &Checked,
) -> Result<Request, StepFailure> {
    let run = |f| match engine.run(f, env, cx) {
        Outcome::Value(v) => Ok(v),
        Outcome::Skipped => Err(StepFailure::Skipped),
        Outcome::Failed(e) => Err(StepFailure::Error(e)),
    };
    let url = run(url)?.to_text();
    let body = if body.is_empty() {
        None
    } else {
        let mut object = serde_json::Map::new();
        for (key, f) in body {
            let v = run(*f)?;
            object.insert(key.clone(), dash_ir::decode::encode_record(&v, checked));
        }
        Some(serde_json::Value::Object(object))
    };
    Ok(Request {
        method: method.to_string(),
        url,
        body,
    })
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
