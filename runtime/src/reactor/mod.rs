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

mod http_steps;
mod lookup;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use dash_check::Program as Checked;
use dash_check::stdlib::EvalContext;
use dash_check::value::Value;
use dash_ir::interp::{Outcome, RowError, RowErrorCode};
use dash_ir::{EffectPlan, ReactorPlan, StepKind, StepPlan};
use dash_jit::engine::Engine;

use crate::http::{self, Request};
use crate::store::Store;

use http_steps::{policy, request};

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

    fn failure(&self, step: &StepPlan, message: String) -> StepFailure {
        StepFailure::Error(RowError {
            code: RowErrorCode::Step,
            message,
            file: self.plan.file,
            span: step.span,
        })
    }
}

enum StepFailure {
    Skipped,
    Error(RowError),
}
