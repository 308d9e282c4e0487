//! A reactor as the runtime schedules it: its steps in dependency order,
//! each effect (lookup, HTTP, call of another reactor) a node with its
//! options, and every expression it needs — pure steps, lookup keys,
//! URLs, bodies, `compensate` values, `undo` calls and the `return` —
//! lowered to an IR function, so both engines (and the JIT) run them.
//!
//! Every such function takes the reactor's whole *environment* as
//! parameters: its parameters, then one slot per step in declaration
//! order (a step not computed yet is `null`; the checker made sure a
//! function reads only steps it depends on).

use std::collections::HashMap;

use super::builder::FnBuilder;
use crate::{self as ir, EffectPlan, FuncId, ReactorPlan, StepKind, StepPlan};
use dash_check::{Program as Checked, Ty};
use dash_syntax::ast::{
    Effect, EffectKind, Expr, ExprKind, OptionValue, ReactorDecl, Step, StepValue,
};
use dash_syntax::source::FileId;

/// Lowers the functions of reactor plans into the program being built.
pub(super) struct Planner<'a> {
    pub checked: &'a Checked,
    pub ids: &'a HashMap<String, FuncId>,
    pub functions: &'a mut Vec<ir::Function>,
    /// Reactors by name (for compose).
    pub reactors: &'a [String],
}

impl Planner<'_> {
    pub fn plan(&mut self, file: FileId, r: &ReactorDecl) -> ReactorPlan {
        let callable = self.checked.callables.get(&r.name.name);
        let param_tys: Vec<Ty> = callable.map(|c| c.params.clone()).unwrap_or_default();
        let mut env: Vec<String> = r.params.iter().map(|p| p.name.name.clone()).collect();
        let mut env_tys: Vec<Ty> = r
            .params
            .iter()
            .enumerate()
            .map(|(i, _)| param_tys.get(i).cloned().unwrap_or(Ty::Unknown))
            .collect();
        for step in &r.steps {
            env.push(step.name.name.clone());
            env_tys.push(self.step_type(file, step));
        }
        let params = r.params.len();
        let step_names: Vec<&str> = r.steps.iter().map(|s| s.name.name.as_str()).collect();
        let mut steps = Vec::new();
        for (i, step) in r.steps.iter().enumerate() {
            let prefix = format!("{}::{}", r.name.name, step.name.name);
            let mut mentioned = Vec::new();
            dash_check::reactor::step_mentions(step, &mut mentioned);
            let mut deps: Vec<usize> = mentioned
                .iter()
                .filter_map(|m| step_names.iter().position(|n| n == m))
                .filter(|j| *j != i)
                .collect();
            deps.sort_unstable();
            deps.dedup();
            let kind = match &step.value {
                StepValue::Expr(e) => match &e.kind {
                    ExprKind::Call { func, args } if self.reactors.contains(&func.name) => {
                        StepKind::Compose {
                            reactor: func.name.clone(),
                            args: args
                                .iter()
                                .enumerate()
                                .map(|(k, a)| {
                                    self.function(
                                        file,
                                        &format!("{prefix} (arg {k})"),
                                        &env,
                                        &env_tys,
                                        a,
                                        None,
                                    )
                                })
                                .collect(),
                        }
                    }
                    _ => StepKind::Pure(self.function(
                        file,
                        &prefix,
                        &env,
                        &env_tys,
                        e,
                        Some(&env_tys[params + i]),
                    )),
                },
                StepValue::Effect(effect) => StepKind::Effect(self.effect(
                    file,
                    &prefix,
                    &env,
                    &env_tys,
                    effect,
                    &env_tys[params + i],
                )),
            };
            let mut plan = StepPlan {
                name: step.name.name.clone(),
                span: step.span,
                ty: env_tys[params + i].clone(),
                deps,
                kind,
                retry: 0,
                backoff: None,
                timeout: None,
                concurrency: None,
                required: false,
                cache: None,
                compensate: None,
                undo: None,
            };
            for item in &step.options.items {
                match (item.key.name.as_str(), &item.value) {
                    ("retry", OptionValue::Expr(e)) => {
                        plan.retry = int(e).unwrap_or(0).max(0) as u32
                    }
                    ("backoff", OptionValue::Expr(e)) => plan.backoff = duration(e),
                    ("timeout", OptionValue::Expr(e)) => plan.timeout = duration(e),
                    ("cache", OptionValue::Expr(e)) => plan.cache = duration(e),
                    ("concurrency", OptionValue::Expr(e)) => {
                        plan.concurrency = int(e).map(|n| n.max(1) as u32)
                    }
                    ("required", OptionValue::Expr(e)) => {
                        plan.required = matches!(e.kind, ExprKind::Bool(true))
                    }
                    ("compensate", OptionValue::Expr(e)) => {
                        let ty = plan.ty.clone();
                        plan.compensate = Some(self.function(
                            file,
                            &format!("{prefix} (compensate)"),
                            &env,
                            &env_tys,
                            e,
                            Some(&ty),
                        ));
                    }
                    ("undo", OptionValue::Effect(effect)) => {
                        plan.undo = Some(self.effect(
                            file,
                            &format!("{prefix} (undo)"),
                            &env,
                            &env_tys,
                            effect,
                            &Ty::Json,
                        ));
                    }
                    ("undo", OptionValue::Expr(e)) => {
                        plan.undo = Some(EffectPlan::Call(self.function(
                            file,
                            &format!("{prefix} (undo)"),
                            &env,
                            &env_tys,
                            e,
                            None,
                        )));
                    }
                    _ => {}
                }
            }
            steps.push(plan);
        }
        let order = topological(&steps);
        let ret = match &r.ret {
            Some(e) => {
                let output = callable.map_or(Ty::Unknown, |c| c.output.clone());
                self.function(
                    file,
                    &format!("{} (return)", r.name.name),
                    &env,
                    &env_tys,
                    e,
                    Some(&output),
                )
            }
            None => {
                let null = Expr {
                    kind: ExprKind::Null,
                    span: r.body_span,
                };
                self.function(
                    file,
                    &format!("{} (return)", r.name.name),
                    &env,
                    &env_tys,
                    &null,
                    None,
                )
            }
        };
        ReactorPlan {
            name: r.name.name.clone(),
            file,
            env,
            params,
            steps,
            order,
            ret,
        }
    }

    fn step_type(&self, file: FileId, step: &Step) -> Ty {
        match &step.value {
            StepValue::Expr(e) => self
                .checked
                .expr_types
                .get(&(file, e.span))
                .cloned()
                .unwrap_or(Ty::Unknown),
            StepValue::Effect(effect) => match &effect.kind {
                EffectKind::Lookup { ty, .. } => {
                    let t = self.checked.resolve(ty);
                    let required = step.options.items.iter().any(|o| {
                        o.key.name == "required"
                            && matches!(&o.value, OptionValue::Expr(e) if matches!(e.kind, ExprKind::Bool(true)))
                    });
                    if required { t } else { t.nullable() }
                }
                EffectKind::Http { ty, .. } => {
                    ty.as_ref().map_or(Ty::Json, |t| self.checked.resolve(t))
                }
            },
        }
    }

    fn effect(
        &mut self,
        file: FileId,
        prefix: &str,
        env: &[String],
        env_tys: &[Ty],
        effect: &Effect,
        ty: &Ty,
    ) -> EffectPlan {
        match &effect.kind {
            EffectKind::Lookup { table, keys, .. } => EffectPlan::Lookup {
                table: table.name.clone(),
                keys: keys
                    .iter()
                    .map(|k| {
                        let name = format!("{prefix} (key {})", k.key.name);
                        (
                            k.key.name.clone(),
                            self.function(file, &name, env, env_tys, &k.value, None),
                        )
                    })
                    .collect(),
                record: ty.strip().clone(),
            },
            EffectKind::Http {
                method, url, body, ..
            } => EffectPlan::Http {
                method: method.name.clone(),
                url: self.function(file, &format!("{prefix} (url)"), env, env_tys, url, None),
                body: body
                    .iter()
                    .flatten()
                    .map(|k| {
                        let name = format!("{prefix} (body {})", k.key.name);
                        (
                            k.key.name.clone(),
                            self.function(file, &name, env, env_tys, &k.value, None),
                        )
                    })
                    .collect(),
                ty: ty.clone(),
            },
        }
    }

    /// Lower `e` as a function of the whole environment.
    fn function(
        &mut self,
        file: FileId,
        name: &str,
        env: &[String],
        env_tys: &[Ty],
        e: &Expr,
        output: Option<&Ty>,
    ) -> FuncId {
        let mut b = FnBuilder::new(self.checked, self.ids, file);
        for (i, (n, ty)) in env.iter().zip(env_tys).enumerate() {
            let r = b.emit(ir::Op::Param(i as u32), ty.clone(), e.span);
            b.bind(n, r);
        }
        let mut result = b.expr(e);
        let out = match output {
            Some(t) => {
                result = b.coerce(result, t, e.span);
                t.clone()
            }
            None => b.reg_ty(result),
        };
        b.terminate(ir::Term::Return(result));
        let f = b.finish(name.to_string(), env_tys.to_vec(), out);
        self.functions.push(f);
        FuncId((self.functions.len() - 1) as u32)
    }
}

fn int(e: &Expr) -> Option<i64> {
    match e.kind {
        ExprKind::Int(n) => Some(n),
        _ => None,
    }
}

fn duration(e: &Expr) -> Option<i64> {
    match e.kind {
        ExprKind::Duration(d) => Some(d),
        _ => None,
    }
}

/// Steps ordered so that each follows its dependencies (declaration order
/// among the ready ones); the checker rejected cycles.
fn topological(steps: &[StepPlan]) -> Vec<usize> {
    let mut done = vec![false; steps.len()];
    let mut order = Vec::new();
    while order.len() < steps.len() {
        let before = order.len();
        for (i, s) in steps.iter().enumerate() {
            if !done[i] && s.deps.iter().all(|d| done[*d]) {
                done[i] = true;
                order.push(i);
            }
        }
        if order.len() == before {
            // A cycle (never in a checked program): keep the rest in order.
            order.extend((0..steps.len()).filter(|i| !done[*i]));
            break;
        }
    }
    order
}
