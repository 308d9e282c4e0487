//! Transform bodies: parameters, statements, blocks and their results.

use super::Checker;
use super::env::{Context, Env, LocalKind, facts};
use super::ty::{Fit, Ty};
use dash_syntax::ast::{Block, Param, Stmt, StmtKind, TransformDecl};
use dash_syntax::diag::Code;
use dash_syntax::source::Span;

impl Checker<'_> {
    pub(super) fn transform(&mut self, t: &TransformDecl) {
        self.current = Some(t.name.name.clone());
        let mut env = Env::new(Context::Transform);
        self.bind_params(&t.params, &mut env);
        let output = self.resolve_type(&t.output);
        let (ty, diverges) = self.block(&t.body, &mut env);
        match &t.body.result {
            Some(result) => self.check_result(
                &t.name.name,
                "transform",
                result.span,
                &ty,
                &output,
                t.output.span,
            ),
            None if !diverges => {
                let d = self
                    .diag(
                        Code::MissingResult,
                        closing_brace(t.body.span),
                        format!("transform `{}` has no result", t.name.name),
                        format!(
                            "expected a `{}` value before the end of the body",
                            self.show(&output)
                        ),
                    )
                    .with_help(format!(
                        "end the body with the value it produces{}",
                        example_value(&output, &self.show(&output))
                    ));
                self.report(d);
            }
            None => {}
        }
        self.warn_unused(&env, 0);
        self.current = None;
    }

    /// Report when the result of a transform or reactor is not its output type.
    pub(super) fn check_result(
        &mut self,
        name: &str,
        what: &str,
        span: Span,
        ty: &Ty,
        output: &Ty,
        output_span: Span,
    ) {
        match ty.fits(output) {
            Fit::Yes => {}
            Fit::Nullable => {
                let noun = format!("the result of {what} `{name}`");
                self.nullable_error(span, ty, output, &noun);
            }
            Fit::No => {
                let d = self
                    .diag(
                        Code::ResultType,
                        span,
                        format!(
                            "{what} `{name}` must return `{}`, but this is `{}`",
                            self.show(output),
                            self.show(ty)
                        ),
                        format!("expected `{}`", self.show(output)),
                    )
                    .with_label(self.file, output_span, "the declared output type");
                self.report(d);
            }
        }
    }

    pub(super) fn bind_params(&mut self, params: &[Param], env: &mut Env) {
        for p in params {
            if let Some(first) = env.locals.iter().find(|l| l.name == p.name.name) {
                let d = self
                    .diag(
                        Code::DuplicateBinding,
                        p.name.span,
                        format!("parameter `{}` is declared twice", p.name.name),
                        "declared again here",
                    )
                    .with_label(self.file, first.span, "first declared here");
                self.report(d);
            }
            let ty = self.resolve_type(&p.ty);
            self.refer(p.name.span, super::Symbol::Local(self.file, p.name.span));
            env.bind(&p.name.name, ty, p.name.span, LocalKind::Param);
        }
    }

    /// Check a block; returns its type and whether it always fails.
    pub(super) fn block(&mut self, b: &Block, env: &mut Env) -> (Ty, bool) {
        let mark = env.locals.len();
        let narrowed = env.narrowed.clone();
        let mut diverges = false;
        for stmt in &b.stmts {
            diverges |= self.stmt(stmt, env);
        }
        let ty = match &b.result {
            Some(e) => self.expr(e, env),
            None if diverges => Ty::Never,
            None => Ty::Unknown,
        };
        self.warn_unused(env, mark);
        env.locals.truncate(mark);
        env.narrowed = narrowed;
        (ty, diverges)
    }

    /// A block used as a value (an `if` branch).
    pub(super) fn block_value(&mut self, b: &Block, env: &mut Env) -> Ty {
        let (ty, diverges) = self.block(b, env);
        if b.result.is_none() && !diverges {
            let d = self
                .diag(
                    Code::MissingResult,
                    closing_brace(b.span),
                    "this block has no value",
                    "expected an expression before `}`",
                )
                .with_help("end the block with the value it should produce, or `fail \"…\"`");
            self.report(d);
        }
        ty
    }

    /// Check a statement; returns whether it always fails the row.
    pub(super) fn stmt(&mut self, stmt: &Stmt, env: &mut Env) -> bool {
        match &stmt.kind {
            StmtKind::Let { name, ty, value } => {
                let value_ty = self.expr(value, env);
                let bound = match ty {
                    Some(annotation) => {
                        let declared = self.resolve_type(annotation);
                        let what = format!("the value of `{}`", name.name);
                        self.expect_ty(value.span, &value_ty, &declared, &what);
                        declared
                    }
                    None => value_ty,
                };
                self.refer(name.span, super::Symbol::Local(self.file, name.span));
                env.bind(&name.name, bound, name.span, LocalKind::Let);
                false
            }
            StmtKind::Require { cond, message } => {
                let c = self.expr(cond, env);
                self.condition(cond.span, &c, "the condition of `require`");
                self.expect(message, &Ty::String, env, "the message of `require`");
                env.narrowed.extend(facts(cond, true));
                false
            }
            StmtKind::SkipIf(cond) => {
                let c = self.expr(cond, env);
                self.condition(cond.span, &c, "the condition of `skip if`");
                env.narrowed.extend(facts(cond, false));
                false
            }
            StmtKind::Fail(message) => {
                self.expect(message, &Ty::String, env, "the message of `fail`");
                true
            }
        }
    }

    /// W0002 for `let` bindings above `mark` that were never read.
    pub(super) fn warn_unused(&mut self, env: &Env, mark: usize) {
        let unused: Vec<(String, Span)> = env.locals[mark.min(env.locals.len())..]
            .iter()
            .filter(|l| l.kind == LocalKind::Let && !l.used && !l.name.starts_with('_'))
            .map(|l| (l.name.clone(), l.span))
            .collect();
        for (name, span) in unused {
            let d = self
                .diag(
                    Code::UnusedVariable,
                    span,
                    format!("variable `{name}` is never used"),
                    "never read",
                )
                .with_help(format!(
                    "remove it, or name it `_{name}` if that is intended"
                ));
            self.report(d);
        }
    }
}

/// `, e.g. `Metric { … }`` for a record output.
pub(super) fn example_value(ty: &Ty, shown: &str) -> String {
    match ty {
        Ty::Record(_) => format!(", e.g. `{shown} {{ … }}`"),
        _ => format!(" (a `{shown}`)"),
    }
}

/// The `}` at the end of a block, for "missing value" reports.
pub(super) fn closing_brace(span: Span) -> Span {
    Span {
        start: span.end.saturating_sub(1).max(span.start),
        end: span.end,
    }
}
