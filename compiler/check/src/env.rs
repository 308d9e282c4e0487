//! Local scope of a body: parameters, `let` bindings, reactor steps, and
//! the paths known not to be null at this point (null narrowing).

use super::ty::Ty;
use dash_syntax::ast::{BinOp, Expr, ExprKind, UnaryOp};
use dash_syntax::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocalKind {
    Param,
    Let,
    Step,
}

#[derive(Clone, Debug)]
pub struct Local {
    pub name: String,
    pub ty: Ty,
    pub span: Span,
    pub kind: LocalKind,
    pub used: bool,
}

/// Where an expression is checked; decides what it may call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    Transform,
    /// The value of a reactor step: may call reactors.
    Step,
    /// Elsewhere in a reactor (its `return`, step options).
    Reactor,
    Test,
}

#[derive(Clone, Debug)]
pub struct Env {
    pub locals: Vec<Local>,
    /// Paths such as `r.humidity` known to be non-null here.
    pub narrowed: Vec<String>,
    pub context: Context,
}

impl Env {
    pub fn new(context: Context) -> Env {
        Env {
            locals: Vec::new(),
            narrowed: Vec::new(),
            context,
        }
    }

    pub fn bind(&mut self, name: &str, ty: Ty, span: Span, kind: LocalKind) {
        // A new binding of `x` forgets what was known about the old `x`.
        self.narrowed
            .retain(|p| p != name && !p.starts_with(&format!("{name}.")));
        self.locals.push(Local {
            name: name.to_string(),
            ty,
            span,
            kind,
            used: false,
        });
    }

    /// The innermost binding of `name`, marked as used.
    pub fn use_local(&mut self, name: &str) -> Option<&Local> {
        let local = self.locals.iter_mut().rev().find(|l| l.name == name)?;
        local.used = true;
        Some(local)
    }

    pub fn is_narrowed(&self, path: &str) -> bool {
        self.narrowed.iter().any(|p| p == path)
    }

    /// Run `f` with extra non-null facts, then forget them.
    pub fn with_facts<T>(&mut self, facts: Vec<String>, f: impl FnOnce(&mut Env) -> T) -> T {
        let before = self.narrowed.clone();
        self.narrowed.extend(facts);
        let out = f(self);
        self.narrowed = before;
        out
    }
}

/// The path an expression reads (`r`, `r.loc.lat`), if it is one.
pub fn path_of(expr: &Expr) -> Option<String> {
    match &expr.kind {
        ExprKind::Name(id) => Some(id.name.clone()),
        ExprKind::Field { base, name, .. } => Some(format!("{}.{}", path_of(base)?, name.name)),
        ExprKind::Paren(inner) => path_of(inner),
        _ => None,
    }
}

/// The paths known non-null when `cond` evaluates to `positive`.
pub fn facts(cond: &Expr, positive: bool) -> Vec<String> {
    match &cond.kind {
        ExprKind::Paren(inner) => facts(inner, positive),
        ExprKind::Unary {
            op: UnaryOp::Not,
            operand,
        } => facts(operand, !positive),
        ExprKind::Binary { op, lhs, rhs, .. } => match (op, positive) {
            (BinOp::And, true) | (BinOp::Or, false) => {
                let mut all = facts(lhs, positive);
                all.extend(facts(rhs, positive));
                all
            }
            (BinOp::Ne, true) | (BinOp::Eq, false) => {
                let (checked, other) = if matches!(rhs.kind, ExprKind::Null) {
                    (lhs, rhs)
                } else {
                    (rhs, lhs)
                };
                if matches!(other.kind, ExprKind::Null) {
                    path_of(checked).into_iter().collect()
                } else {
                    Vec::new()
                }
            }
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}
