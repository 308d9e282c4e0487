//! HTTP steps: a wave's requests sent together with the step's retry
//! policy, answers decoded into the step's type; a service that cannot be
//! reached at all stops the run unless the step has a `compensate`.

use std::collections::HashMap;
use std::time::Duration;

use dash_check::Program as Checked;
use dash_check::stdlib::EvalContext;
use dash_check::value::Value;
use dash_ir::interp::Outcome;
use dash_ir::{EffectPlan, StepKind, StepPlan};
use dash_jit::engine::Engine;

use super::{Effects, ReactorRunner, StepFailure};
use crate::http::{self, Policy, Request};

impl ReactorRunner {
    /// Send the requests of several HTTP steps at once (each within its
    /// own concurrency); decode each answer into its step's type.
    pub(super) fn http_steps(
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
}

/// A step's retry policy for HTTP.
pub(super) fn policy(step: &StepPlan) -> Policy {
    Policy {
        retry: step.retry,
        backoff: Duration::from_micros(step.backoff.unwrap_or(100_000).max(0) as u64),
        timeout: step.timeout.map(|t| Duration::from_micros(t.max(0) as u64)),
    }
}

/// The request of an HTTP step (or undo) for one record's environment.
pub(super) fn request(
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
