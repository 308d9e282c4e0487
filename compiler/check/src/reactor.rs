//! Reactors: steps form a graph by the names they mention. Cycles are
//! errors; steps are typed in dependency order; step options are checked.

use std::collections::{HashMap, HashSet};

use super::Checker;
use super::env::{Context, Env, LocalKind};
use super::expr::list_names;
use super::ty::Ty;
use dash_syntax::ast::{
    Effect, EffectKind, Else, Expr, ExprKind, OptionValue, ReactorDecl, Step, StepValue, StrPart,
};
use dash_syntax::diag::{Code, suggest};

const STEP_OPTIONS: &[&str] = &[
    "retry",
    "backoff",
    "timeout",
    "compensate",
    "undo",
    "required",
    "cache",
    "concurrency",
];

impl Checker<'_> {
    pub(super) fn reactor(&mut self, r: &ReactorDecl) {
        self.current = Some(r.name.name.clone());
        let output = self.resolve_type(&r.output);
        let mut env = Env::new(Context::Reactor);
        self.bind_params(&r.params, &mut env);
        let params: HashSet<String> = r.params.iter().map(|p| p.name.name.clone()).collect();

        // Step names: unique, and not shadowing a parameter.
        let mut steps: Vec<&Step> = Vec::new();
        for step in &r.steps {
            let clash = steps
                .iter()
                .find(|s| s.name.name == step.name.name)
                .map(|s| (s.name.span, "first declared here"))
                .or_else(|| {
                    r.params
                        .iter()
                        .find(|p| p.name.name == step.name.name)
                        .map(|p| (p.name.span, "the parameter is declared here"))
                });
            if let Some((first, label)) = clash {
                let d = self
                    .diag(
                        Code::DuplicateBinding,
                        step.name.span,
                        format!(
                            "the name `{}` is used twice in reactor `{}`",
                            step.name.name, r.name.name
                        ),
                        "declared again here",
                    )
                    .with_label(self.file, first, label);
                self.report(d);
                continue;
            }
            steps.push(step);
        }
        let names: HashSet<&str> = steps.iter().map(|s| s.name.name.as_str()).collect();
        let deps: Vec<Vec<usize>> = steps
            .iter()
            .map(|s| {
                let mut mentioned = Vec::new();
                step_mentions(s, &mut mentioned);
                let mut d: Vec<usize> = mentioned
                    .iter()
                    .filter(|m| names.contains(m.as_str()) && !params.contains(*m))
                    .filter_map(|m| steps.iter().position(|o| &o.name.name == m))
                    .collect();
                d.sort_unstable();
                d.dedup();
                d
            })
            .collect();
        let (order, cyclic) = self.order_steps(&steps, &deps);

        // Type the steps in dependency order; steps in a cycle are unknown.
        let mut types: HashMap<usize, Ty> = HashMap::new();
        for &i in &cyclic {
            types.insert(i, Ty::Unknown);
        }
        for &i in &order {
            let mut step_env = env.clone();
            step_env.context = Context::Step;
            for (j, ty) in &types {
                step_env.bind(
                    &steps[*j].name.name,
                    ty.clone(),
                    steps[*j].name.span,
                    LocalKind::Step,
                );
            }
            let ty = self.step(steps[i], &mut step_env);
            types.insert(i, ty);
        }
        for (i, step) in steps.iter().enumerate() {
            let ty = types.get(&i).cloned().unwrap_or(Ty::Unknown);
            self.refer(
                step.name.span,
                super::Symbol::Local(self.file, step.name.span),
            );
            env.bind(&step.name.name, ty, step.name.span, LocalKind::Step);
        }
        match &r.ret {
            Some(ret) => {
                let ty = self.expr(ret, &mut env);
                self.check_result(
                    &r.name.name,
                    "reactor",
                    ret.span,
                    &ty,
                    &output,
                    r.output.span,
                );
            }
            None => {
                let d = self
                    .diag(
                        Code::MissingResult,
                        super::body::closing_brace(r.body_span),
                        format!("reactor `{}` has no `return`", r.name.name),
                        "expected `return …` before the end of the body",
                    )
                    .with_help(format!(
                        "end the reactor with `return …`{}",
                        super::body::example_value(&output, &self.show(&output))
                    ));
                self.report(d);
            }
        }
        // Unused pure and lookup steps (HTTP steps act for their effect).
        let mut used: HashSet<usize> = deps.iter().flatten().copied().collect();
        if let Some(ret) = &r.ret {
            let mut mentioned = Vec::new();
            expr_mentions(ret, &mut mentioned);
            used.extend(
                mentioned
                    .iter()
                    .filter_map(|m| steps.iter().position(|s| &s.name.name == m)),
            );
        }
        if r.ret.is_some() {
            for (i, step) in steps.iter().enumerate() {
                let effectful = matches!(
                    &step.value,
                    StepValue::Effect(Effect {
                        kind: EffectKind::Http { .. },
                        ..
                    })
                );
                if !used.contains(&i) && !effectful && !step.name.name.starts_with('_') {
                    let d = self
                        .diag(
                            Code::UnusedStep,
                            step.name.span,
                            format!("step `{}` is never used", step.name.name),
                            "no other step or `return` uses it",
                        )
                        .with_help("use its result, or remove the step");
                    self.report(d);
                }
            }
        }
        self.current = None;
    }

    /// A topological order of the steps, and the steps caught in cycles
    /// (each cycle reported once, E0023).
    fn order_steps(&mut self, steps: &[&Step], deps: &[Vec<usize>]) -> (Vec<usize>, Vec<usize>) {
        let n = steps.len();
        let mut state = vec![0u8; n];
        let mut order = Vec::new();
        let mut cyclic = Vec::new();
        for start in 0..n {
            let mut path = Vec::new();
            self.visit_step(
                start,
                steps,
                deps,
                &mut state,
                &mut path,
                &mut order,
                &mut cyclic,
            );
        }
        order.retain(|i| !cyclic.contains(i));
        (order, cyclic)
    }

    #[allow(clippy::too_many_arguments)]
    fn visit_step(
        &mut self,
        i: usize,
        steps: &[&Step],
        deps: &[Vec<usize>],
        state: &mut Vec<u8>,
        path: &mut Vec<usize>,
        order: &mut Vec<usize>,
        cyclic: &mut Vec<usize>,
    ) {
        match state[i] {
            2 => return,
            1 => {
                let pos = path.iter().position(|p| *p == i).unwrap_or(0);
                let cycle: Vec<usize> = path[pos..].to_vec();
                if cycle.iter().any(|c| cyclic.contains(c)) {
                    return;
                }
                cyclic.extend(&cycle);
                let names: Vec<String> = cycle
                    .iter()
                    .chain(std::iter::once(&i))
                    .map(|c| format!("`{}`", steps[*c].name.name))
                    .collect();
                let first = steps[cycle[0]];
                let mut d = self
                    .diag(
                        Code::StepCycle,
                        first.name.span,
                        format!(
                            "steps depend on each other in a cycle: {}",
                            names.join(" -> ")
                        ),
                        "this step is part of the cycle",
                    )
                    .with_help(
                        "a step can use only steps that do not use it back; break the cycle",
                    );
                for c in &cycle[1..] {
                    d = d.with_label(self.file, steps[*c].name.span, "… and this one");
                }
                self.report(d);
                return;
            }
            _ => {}
        }
        state[i] = 1;
        path.push(i);
        for &d in &deps[i] {
            if d == i {
                // A step mentioning itself outside its `undo`.
                if !cyclic.contains(&i) {
                    cyclic.push(i);
                    let d = self
                        .diag(
                            Code::StepCycle,
                            steps[i].name.span,
                            format!("step `{}` uses its own result", steps[i].name.name),
                            "depends on itself",
                        )
                        .with_help("only its `undo` may refer to a step's own result");
                    self.report(d);
                }
                continue;
            }
            self.visit_step(d, steps, deps, state, path, order, cyclic);
        }
        path.pop();
        state[i] = 2;
        order.push(i);
    }

    /// Type one step and check its options.
    fn step(&mut self, step: &Step, env: &mut Env) -> Ty {
        let (ty, is_lookup, is_pure) = match &step.value {
            StepValue::Expr(e) => (self.expr(e, env), false, !is_call_of_reactor(self, e)),
            StepValue::Effect(effect) => {
                let ty = self.effect(effect, env, true);
                let is_lookup = matches!(effect.kind, EffectKind::Lookup { .. });
                (ty, is_lookup, false)
            }
        };
        let required = step.options.items.iter().any(|o| {
            o.key.name == "required"
                && matches!(&o.value, OptionValue::Expr(e) if matches!(e.kind, ExprKind::Bool(true)))
        });
        let ty = if is_lookup && !required {
            ty.nullable()
        } else {
            ty
        };
        let mut seen: Vec<&str> = Vec::new();
        env.context = Context::Reactor;
        for item in &step.options.items {
            let key = item.key.name.as_str();
            if seen.contains(&key) {
                let d = self.diag(
                    Code::DuplicateField,
                    item.key.span,
                    format!("option `{key}` is given twice"),
                    "given again here",
                );
                self.report(d);
                continue;
            }
            seen.push(key);
            if !STEP_OPTIONS.contains(&key) {
                let help = suggest::did_you_mean(key, STEP_OPTIONS.iter().copied())
                    .unwrap_or_else(|| format!("step options are {}", list_names(STEP_OPTIONS)));
                let d = self
                    .diag(
                        Code::UnknownOption,
                        item.key.span,
                        format!("unknown step option `{key}`"),
                        "unknown option",
                    )
                    .with_help(help);
                self.report(d);
                continue;
            }
            // A step calling a reactor runs that reactor's own steps, with
            // their own retries and timeouts.
            let is_compose = !is_pure && !is_lookup && matches!(step.value, StepValue::Expr(_));
            let applies = match key {
                "required" | "cache" => is_lookup,
                "concurrency" => !is_pure && !is_lookup && !is_compose,
                "retry" | "backoff" | "timeout" => !is_pure && !is_compose,
                "compensate" | "undo" => !is_pure,
                _ => true,
            };
            if !applies {
                let why = if matches!(key, "required" | "cache") {
                    "only applies to `lookup` steps"
                } else if is_pure {
                    "does not apply to a pure step: it cannot fail for outside reasons"
                } else if is_compose {
                    "does not apply to a step that calls a reactor: set it on that reactor's own steps"
                } else {
                    "only applies to `http` steps: a lookup is one query per batch"
                };
                let d = self.diag(
                    Code::OptionNotApplicable,
                    item.key.span,
                    format!("option `{key}` {why}"),
                    "does not apply here",
                );
                self.report(d);
                continue;
            }
            self.step_option(step, key, &item.value, &ty, env);
        }
        ty
    }

    fn step_option(&mut self, step: &Step, key: &str, value: &OptionValue, ty: &Ty, env: &mut Env) {
        let expr = match value {
            OptionValue::Expr(e) => Some(e),
            _ => None,
        };
        let (ok, expected) = match key {
            "retry" => (
                expr.is_some_and(|e| matches!(e.kind, ExprKind::Int(n) if n >= 0)),
                "a whole number, e.g. `3`",
            ),
            "concurrency" => (
                expr.is_some_and(|e| matches!(e.kind, ExprKind::Int(n) if n >= 1)),
                "a whole number of at least 1",
            ),
            "backoff" | "timeout" | "cache" => (
                expr.is_some_and(|e| matches!(e.kind, ExprKind::Duration(n) if n > 0)),
                "a positive duration, e.g. `100ms`",
            ),
            "required" => (
                expr.is_some_and(|e| matches!(e.kind, ExprKind::Bool(_))),
                "`true` or `false`",
            ),
            "compensate" => match expr {
                Some(e) => {
                    let what = format!("the `compensate` value of step `{}`", step.name.name);
                    self.expect(e, ty.strip(), env, &what);
                    (true, "")
                }
                None => (false, "a value of the step's type"),
            },
            _ => {
                // undo: an HTTP call or a call of a transform/reactor; the
                // step's own name refers to its result.
                let mut undo_env = env.clone();
                undo_env.bind(
                    &step.name.name,
                    ty.strip().clone(),
                    step.name.span,
                    LocalKind::Step,
                );
                undo_env.context = Context::Step;
                match value {
                    OptionValue::Effect(effect) => {
                        self.effect(effect, &mut undo_env, false);
                        if matches!(effect.kind, EffectKind::Lookup { .. }) {
                            let d = self.diag(
                                Code::OptionNotApplicable,
                                effect.span,
                                "an `undo` that is a `lookup` undoes nothing: it only reads",
                                "has no effect",
                            );
                            self.report(d);
                        }
                        (true, "")
                    }
                    OptionValue::Expr(e) if is_call_of_reactor(self, e) => {
                        self.expr(e, &mut undo_env);
                        let d = self
                            .diag(
                                Code::NotSupportedYet,
                                e.span,
                                "an `undo` that calls a reactor is not supported yet",
                                "not supported yet",
                            )
                            .with_help("undo with an `http` call: `undo: http post \"…\" { … }`");
                        self.report(d);
                        (true, "")
                    }
                    OptionValue::Expr(e) if matches!(e.kind, ExprKind::Call { .. }) => {
                        self.expr(e, &mut undo_env);
                        let d = self
                            .diag(
                                Code::OptionNotApplicable,
                                e.span,
                                "an `undo` that calls a transform undoes nothing: a transform has no effect",
                                "has no effect",
                            )
                            .with_help("undo with an `http` call: `undo: http post \"…\" { … }`");
                        self.report(d);
                        (true, "")
                    }
                    _ => (false, "an action: `http post \"…\" { … }` or a call"),
                }
            }
        };
        if !ok {
            let span = match value {
                OptionValue::Expr(e) => e.span,
                OptionValue::Effect(e) => e.span,
                _ => step.name.span,
            };
            let d = self.diag(
                Code::OptionType,
                span,
                format!("step option `{key}` takes {expected}"),
                format!("expected {expected}"),
            );
            self.report(d);
        }
    }

    /// Type an effect: `lookup` gives its row type, `http` its response type.
    fn effect(&mut self, effect: &Effect, env: &mut Env, needs_type: bool) -> Ty {
        match &effect.kind {
            EffectKind::Lookup { keys, ty, .. } => {
                for key in keys {
                    let t = self.expr(&key.value, env);
                    if !t.strip().is_scalar() && !t.is_quiet() {
                        let what = format!("lookup column `{}`", key.key.name);
                        let d = self.diag(
                            Code::TypeMismatch,
                            key.value.span,
                            format!(
                                "{what} must be a scalar value, but this is `{}`",
                                self.show(&t)
                            ),
                            "expected a scalar",
                        );
                        self.report(d);
                    }
                }
                self.resolve_type(ty)
            }
            EffectKind::Http { url, body, ty, .. } => {
                self.expr(url, env);
                for entry in body.iter().flatten() {
                    self.expr(&entry.value, env);
                }
                match ty {
                    Some(t) => self.resolve_type(t),
                    None if needs_type => Ty::Json,
                    None => Ty::Unknown,
                }
            }
        }
    }
}

fn is_call_of_reactor(checker: &Checker<'_>, e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Call { func, .. } => matches!(
            checker.program.globals.get(&func.name).map(|g| g.kind),
            Some(super::GlobalKind::Reactor)
        ),
        _ => false,
    }
}

/// Names a step mentions in its value and options (not in its own `undo`,
/// where its own name is its result).
pub fn step_mentions(step: &Step, out: &mut Vec<String>) {
    match &step.value {
        StepValue::Expr(e) => expr_mentions(e, out),
        StepValue::Effect(effect) => effect_mentions(effect, out),
    }
    for item in &step.options.items {
        let before = out.len();
        match &item.value {
            OptionValue::Expr(e) => expr_mentions(e, out),
            OptionValue::Effect(effect) => effect_mentions(effect, out),
            _ => {}
        }
        if item.key.name == "undo" {
            let own = &step.name.name;
            let mut kept: Vec<String> = out.drain(before..).filter(|m| m != own).collect();
            out.append(&mut kept);
        }
    }
}

fn effect_mentions(effect: &Effect, out: &mut Vec<String>) {
    match &effect.kind {
        EffectKind::Lookup { keys, .. } => keys.iter().for_each(|k| expr_mentions(&k.value, out)),
        EffectKind::Http { url, body, .. } => {
            expr_mentions(url, out);
            body.iter()
                .flatten()
                .for_each(|k| expr_mentions(&k.value, out));
        }
    }
}

/// Every plain name an expression reads.
pub fn expr_mentions(e: &Expr, out: &mut Vec<String>) {
    match &e.kind {
        ExprKind::Name(id) => out.push(id.name.clone()),
        ExprKind::Field { base, .. } => expr_mentions(base, out),
        ExprKind::Index { base, index } => {
            expr_mentions(base, out);
            expr_mentions(index, out);
        }
        ExprKind::Call { args, .. } | ExprKind::List(args) => {
            args.iter().for_each(|a| expr_mentions(a, out))
        }
        ExprKind::Record { fields, .. } => fields.iter().for_each(|f| expr_mentions(&f.value, out)),
        ExprKind::Unary { operand, .. } | ExprKind::Paren(operand) => expr_mentions(operand, out),
        ExprKind::Binary { lhs, rhs, .. } => {
            expr_mentions(lhs, out);
            expr_mentions(rhs, out);
        }
        ExprKind::Str(parts) => parts.iter().for_each(|p| {
            if let StrPart::Interp(inner) = p {
                expr_mentions(inner, out)
            }
        }),
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => {
            expr_mentions(cond, out);
            block_mentions(then, out);
            match otherwise.as_deref() {
                Some(Else::Block(b)) => block_mentions(b, out),
                Some(Else::If(e)) => expr_mentions(e, out),
                None => {}
            }
        }
        ExprKind::Match { scrutinee, arms } => {
            expr_mentions(scrutinee, out);
            arms.iter().for_each(|a| expr_mentions(&a.body, out));
        }
        _ => {}
    }
}

fn block_mentions(b: &dash_syntax::ast::Block, out: &mut Vec<String>) {
    use dash_syntax::ast::StmtKind;
    for s in &b.stmts {
        match &s.kind {
            StmtKind::Let { value, .. } => expr_mentions(value, out),
            StmtKind::Require { cond, message } => {
                expr_mentions(cond, out);
                expr_mentions(message, out);
            }
            StmtKind::SkipIf(e) | StmtKind::Fail(e) => expr_mentions(e, out),
        }
    }
    if let Some(r) = &b.result {
        expr_mentions(r, out);
    }
}
