//! Typing expressions: literals, names, fields, operators, records, lists,
//! `if` and `match`. Calls are in `call.rs`, blocks in `body.rs`.

use super::env::{Env, facts, path_of};
use super::ty::{Fit, Ty};
use super::{Checker, GlobalKind};
use dash_syntax::ast::{
    BinOp, Else, Expr, ExprKind, FieldInit, MatchArm, Pattern, StrPart, UnaryOp,
};
use dash_syntax::diag::{Code, suggest};
use dash_syntax::source::Span;

impl Checker<'_> {
    /// Type an expression, recording its type for lowering and hover.
    pub(super) fn expr(&mut self, e: &Expr, env: &mut Env) -> Ty {
        let ty = self.expr_kind(e, env);
        self.program
            .expr_types
            .insert((self.file, e.span), ty.clone());
        ty
    }

    fn expr_kind(&mut self, e: &Expr, env: &mut Env) -> Ty {
        match &e.kind {
            ExprKind::Int(_) => Ty::Int,
            ExprKind::Float(_) => Ty::Float,
            ExprKind::Bool(_) => Ty::Bool,
            ExprKind::Null => Ty::Null,
            ExprKind::Duration(_) => Ty::Duration,
            ExprKind::Timestamp(_) => Ty::Timestamp,
            ExprKind::Invalid => Ty::Unknown,
            ExprKind::Str(parts) => {
                for part in parts {
                    if let StrPart::Interp(inner) = part {
                        let ty = self.expr(inner, env);
                        self.interpolated(inner.span, &ty);
                    }
                }
                Ty::String
            }
            ExprKind::Name(id) => self.name(&id.name, id.span, env),
            ExprKind::Paren(inner) => self.expr(inner, env),
            ExprKind::Field { base, name, safe } => {
                let base_ty = self.expr(base, env);
                let ty = self.field(e, &base_ty, &name.name, name.span, *safe);
                self.narrow(e, ty, env)
            }
            ExprKind::Index { base, index } => self.index(base, index, env),
            ExprKind::Call { func, args } => self.call(func, args, e.span, env),
            ExprKind::Record { ty, fields } => self.record(ty, fields, e.span, env),
            ExprKind::List(items) => self.list(items, env),
            ExprKind::Unary { op, operand } => self.unary(*op, operand, e.span, env),
            ExprKind::Binary {
                op,
                op_span,
                lhs,
                rhs,
            } => self.binary(*op, *op_span, lhs, rhs, env),
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => self.if_expr(e, cond, then, otherwise.as_deref(), env),
            ExprKind::Match { scrutinee, arms } => self.match_expr(e.span, scrutinee, arms, env),
        }
    }

    /// Type `e` and require it to fit `expected`, reporting E0009/E0010.
    pub(super) fn expect(&mut self, e: &Expr, expected: &Ty, env: &mut Env, what: &str) -> Ty {
        let ty = self.expr(e, env);
        self.expect_ty(e.span, &ty, expected, what);
        ty
    }

    /// Report if `ty` (of the expression at `span`) does not fit `expected`.
    pub(super) fn expect_ty(&mut self, span: Span, ty: &Ty, expected: &Ty, what: &str) -> bool {
        match ty.fits(expected) {
            Fit::Yes => true,
            Fit::Nullable => {
                self.nullable_error(span, ty, expected, what);
                false
            }
            Fit::No => {
                let help = conversion_hint(ty, expected);
                let d = self
                    .diag(
                        Code::TypeMismatch,
                        span,
                        format!(
                            "{what} must be `{}`, but this is `{}`",
                            self.show(expected),
                            self.show(ty)
                        ),
                        format!(
                            "expected `{}`, found `{}`",
                            self.show(expected),
                            self.show(ty)
                        ),
                    )
                    .with_help_opt(help);
                self.report(d);
                false
            }
        }
    }

    pub(super) fn nullable_error(&mut self, span: Span, ty: &Ty, expected: &Ty, what: &str) {
        let d = self
            .diag(
                Code::NullableValue,
                span,
                format!(
                    "{what} must be `{}`, but this may be null (`{}`)",
                    self.show(expected),
                    self.show(ty)
                ),
                "may be null",
            )
            .with_help(
                "give a default with `?? value`, check with `if x != null { … }`, or `require x != null else \"…\"`",
            );
        self.report(d);
    }

    /// A non-null value of one of the accepted types, for operators.
    fn non_null(&mut self, span: Span, ty: Ty, what: &str) -> Ty {
        if let Ty::Nullable(inner) = &ty {
            let inner = (**inner).clone();
            self.nullable_error(span, &ty, &inner, what);
            return inner;
        }
        if ty == Ty::Null {
            let d = self.diag(
                Code::NullableValue,
                span,
                format!("{what} cannot be `null`"),
                "always null",
            );
            self.report(d);
            return Ty::Unknown;
        }
        ty
    }

    fn interpolated(&mut self, span: Span, ty: &Ty) {
        if ty.strip().is_scalar() || ty.is_quiet() || *ty == Ty::Null {
            return;
        }
        let help = if *ty.strip() == Ty::Json {
            "convert it first, e.g. `${to_string(j)}`"
        } else {
            "interpolate its fields one by one, e.g. `${r.station}`"
        };
        let d = self
            .diag(
                Code::InvalidInterpolation,
                span,
                format!("a `{}` cannot be interpolated into a string", self.show(ty)),
                "not a scalar",
            )
            .with_help(help);
        self.report(d);
    }

    fn name(&mut self, name: &str, span: Span, env: &mut Env) -> Ty {
        if let Some(local) = env.use_local(name) {
            let ty = local.ty.clone();
            let def = local.span;
            self.refer(span, super::Symbol::Local(self.file, def));
            return if env.is_narrowed(name) {
                ty.strip().clone()
            } else {
                ty
            };
        }
        if let Some(global) = self.program.globals.get(name) {
            let kind = global.kind;
            self.refer(span, super::Symbol::Global(name.to_string()));
            let help = match kind {
                GlobalKind::Transform | GlobalKind::Reactor => format!("call it: `{name}(…)`"),
                GlobalKind::Type(_) => format!("build a value with `{name} {{ field: value, … }}`"),
                _ => "sources, sinks and pipelines are wired in a `pipeline`, not used in expressions"
                    .into(),
            };
            let d = self
                .diag(
                    Code::NotAValue,
                    span,
                    format!("`{name}` is a {}, not a value", kind.word()),
                    "not a value",
                )
                .with_help(help);
            self.report(d);
            return Ty::Unknown;
        }
        if self.broken.contains(name) {
            return Ty::Unknown;
        }
        let candidates: Vec<&str> = env.locals.iter().map(|l| l.name.as_str()).collect();
        let help = suggest::did_you_mean(name, candidates).or_else(|| {
            // `temp_c` where `r.temp_c` was meant.
            env.locals.iter().rev().find_map(|l| match l.ty.strip() {
                Ty::Record(id) if self.program.record(*id).field(name).is_some() => {
                    Some(format!("did you mean `{}.{name}`?", l.name))
                }
                _ => None,
            })
        });
        let d = self
            .diag(
                Code::UnknownName,
                span,
                format!("unknown name `{name}`"),
                "not found in this scope",
            )
            .with_help_opt(help);
        self.report(d);
        Ty::Unknown
    }

    /// A narrowed path reads as its non-null type.
    fn narrow(&self, e: &Expr, ty: Ty, env: &Env) -> Ty {
        match path_of(e) {
            Some(path) if env.is_narrowed(&path) => ty.strip().clone(),
            _ => ty,
        }
    }

    fn field(&mut self, e: &Expr, base: &Ty, name: &str, span: Span, safe: bool) -> Ty {
        let (record, nullable) = match base {
            Ty::Unknown | Ty::Never => return Ty::Unknown,
            Ty::Record(id) => (*id, false),
            Ty::Nullable(inner) => match **inner {
                Ty::Record(id) => (id, true),
                _ => return self.no_fields(span, base),
            },
            _ => return self.no_fields(span, base),
        };
        let rec = self.program.record(record);
        if let Some(i) = rec.fields.iter().position(|f| f.name == name) {
            self.refer(span, super::Symbol::Field(record, i as u32));
        }
        let rec = self.program.record(record);
        let Some(field) = rec.field(name) else {
            let candidates: Vec<&str> = rec.fields.iter().map(|f| f.name.as_str()).collect();
            let help =
                suggest::did_you_mean(name, candidates.iter().copied()).unwrap_or_else(|| {
                    format!("`{}` has the fields {}", rec.name, list_names(&candidates))
                });
            let d = self
                .diag(
                    Code::UnknownField,
                    span,
                    format!("`{}` has no field `{name}`", rec.name),
                    "unknown field",
                )
                .with_help(help);
            self.report(d);
            return Ty::Unknown;
        };
        let ty = field.ty.clone();
        if nullable && !safe {
            let base_span = Span {
                start: e.span.start,
                end: span.start,
            };
            let d = self
                .diag(
                    Code::NullableValue,
                    base_span,
                    format!(
                        "`.{name}` reads a field of a value that may be null (`{}`)",
                        self.show(base)
                    ),
                    "may be null",
                )
                .with_help(format!(
                    "use `?.{name}` to get null when it is null, or check it with `if … != null`"
                ));
            self.report(d);
            // Reported once here; read on as if it were checked.
            return ty;
        }
        if nullable { ty.nullable() } else { ty }
    }

    fn no_fields(&mut self, span: Span, base: &Ty) -> Ty {
        let help = if *base.strip() == Ty::Json {
            "read json with `get(value, \"a.b\")`".to_string()
        } else {
            "only records have fields".to_string()
        };
        let d = self
            .diag(
                Code::NoFields,
                span,
                format!("a `{}` has no fields", self.show(base)),
                "field access on a non-record",
            )
            .with_help(help);
        self.report(d);
        Ty::Unknown
    }

    fn index(&mut self, base: &Expr, index: &Expr, env: &mut Env) -> Ty {
        let base_ty = self.expr(base, env);
        let index_ty = self.expr(index, env);
        if index_ty.fits(&Ty::Int) == Fit::No {
            let d = self.diag(
                Code::NotIndexable,
                index.span,
                format!(
                    "a list index must be an `int`, but this is `{}`",
                    self.show(&index_ty)
                ),
                "expected `int`",
            );
            self.report(d);
        } else {
            self.expect_ty(index.span, &index_ty, &Ty::Int, "a list index");
        }
        let base_ty = self.non_null(base.span, base_ty, "an indexed list");
        match base_ty {
            Ty::List(inner) => *inner,
            ty if ty.is_quiet() => Ty::Unknown,
            ty => {
                let help = if ty == Ty::Json {
                    "read json with `get(value, \"a[0]\")`"
                } else {
                    "only lists can be indexed"
                };
                let d = self
                    .diag(
                        Code::NotIndexable,
                        base.span,
                        format!("a `{}` cannot be indexed", self.show(&ty)),
                        "not a list",
                    )
                    .with_help(help);
                self.report(d);
                Ty::Unknown
            }
        }
    }

    fn record(
        &mut self,
        name: &dash_syntax::ast::Ident,
        fields: &[FieldInit],
        span: Span,
        env: &mut Env,
    ) -> Ty {
        let id = match self.resolve_type(&dash_syntax::ast::TypeExpr {
            kind: dash_syntax::ast::TypeExprKind::Named(name.clone()),
            span: name.span,
        }) {
            Ty::Record(id) => id,
            other => {
                if !other.is_quiet() {
                    let d = self.diag(
                        Code::UnknownType,
                        name.span,
                        format!("`{}` is not a record type", name.name),
                        "not a record",
                    );
                    self.report(d);
                }
                for f in fields {
                    self.expr(&f.value, env);
                }
                return Ty::Unknown;
            }
        };
        let record = self.program.record(id).clone();
        let mut given: Vec<&str> = Vec::new();
        for init in fields {
            if given.contains(&init.name.name.as_str()) {
                let d = self.diag(
                    Code::DuplicateField,
                    init.name.span,
                    format!("field `{}` is given twice", init.name.name),
                    "given again here",
                );
                self.report(d);
                self.expr(&init.value, env);
                continue;
            }
            given.push(&init.name.name);
            if let Some(i) = record.fields.iter().position(|f| f.name == init.name.name) {
                self.refer(init.name.span, super::Symbol::Field(id, i as u32));
            }
            match record.field(&init.name.name) {
                Some(field) => {
                    let what = format!("field `{}` of `{}`", field.name, record.name);
                    self.expect(&init.value, &field.ty, env, &what);
                }
                None => {
                    let candidates = record.fields.iter().map(|f| f.name.as_str());
                    let help = suggest::did_you_mean(&init.name.name, candidates);
                    let d = self
                        .diag(
                            Code::UnknownRecordField,
                            init.name.span,
                            format!("`{}` has no field `{}`", record.name, init.name.name),
                            "unknown field",
                        )
                        .with_help_opt(help)
                        .with_label(
                            record.file,
                            record.span,
                            format!("`{}` is declared here", record.name),
                        );
                    self.report(d);
                    self.expr(&init.value, env);
                }
            }
        }
        let missing: Vec<&str> = record
            .fields
            .iter()
            .filter(|f| !f.ty.is_nullable() && !given.contains(&f.name.as_str()))
            .map(|f| f.name.as_str())
            .collect();
        if !missing.is_empty() {
            let (noun, these) = if missing.len() == 1 {
                ("field", "it")
            } else {
                ("fields", "them")
            };
            let d = self
                .diag(
                    Code::MissingRecordField,
                    name.span,
                    format!(
                        "missing {noun} {} in `{}`",
                        list_names(&missing),
                        record.name
                    ),
                    format!("missing {}", list_names(&missing)),
                )
                .with_help(format!(
                    "give {these} a value; only nullable (`T?`) fields may be left out"
                ))
                .with_label(
                    record.file,
                    record.span,
                    format!("`{}` is declared here", record.name),
                );
            let _ = span;
            self.report(d);
        }
        Ty::Record(id)
    }

    fn list(&mut self, items: &[Expr], env: &mut Env) -> Ty {
        let mut element = Ty::Never;
        for item in items {
            let ty = self.expr(item, env);
            match Ty::join(&element, &ty) {
                Some(joined) => element = joined,
                None => {
                    let d = self.diag(
                        Code::ListElementMismatch,
                        item.span,
                        format!(
                            "list elements must have one type: this is `{}`, earlier ones are `{}`",
                            self.show(&ty),
                            self.show(&element)
                        ),
                        format!("expected `{}`", self.show(&element)),
                    );
                    self.report(d);
                }
            }
        }
        if element == Ty::Never {
            element = Ty::Unknown;
        }
        Ty::List(Box::new(element))
    }

    fn unary(&mut self, op: UnaryOp, operand: &Expr, span: Span, env: &mut Env) -> Ty {
        let ty = self.expr(operand, env);
        match op {
            UnaryOp::Not => {
                self.condition(operand.span, &ty, "the operand of `not`");
                Ty::Bool
            }
            UnaryOp::Neg => {
                let ty = self.non_null(operand.span, ty, "the operand of `-`");
                if matches!(ty, Ty::Int | Ty::Float | Ty::Duration) || ty.is_quiet() {
                    ty
                } else {
                    let d = self.diag(
                        Code::InvalidOperands,
                        span,
                        format!("cannot negate a `{}`", self.show(&ty)),
                        "`-` needs a number or a duration",
                    );
                    self.report(d);
                    Ty::Unknown
                }
            }
        }
    }

    /// A condition must be a non-null `bool`.
    pub(super) fn condition(&mut self, span: Span, ty: &Ty, what: &str) {
        match ty.fits(&Ty::Bool) {
            Fit::Yes => {}
            Fit::Nullable => self.nullable_error(span, ty, &Ty::Bool, what),
            Fit::No => {
                let d = self
                    .diag(
                        Code::ConditionNotBool,
                        span,
                        format!("{what} must be a `bool`, but this is `{}`", self.show(ty)),
                        "expected `bool`",
                    )
                    .with_help("compare it to something, e.g. `x > 0` or `s != \"\"`");
                self.report(d);
            }
        }
    }

    fn binary(&mut self, op: BinOp, op_span: Span, lhs: &Expr, rhs: &Expr, env: &mut Env) -> Ty {
        let l = self.expr(lhs, env);
        let r = match op {
            // The right side of `and` runs only when the left is true.
            BinOp::And => env.with_facts(facts(lhs, true), |env| self.expr(rhs, env)),
            BinOp::Or => env.with_facts(facts(lhs, false), |env| self.expr(rhs, env)),
            _ => self.expr(rhs, env),
        };
        if l.is_quiet() && r.is_quiet() {
            return match op {
                BinOp::And
                | BinOp::Or
                | BinOp::Eq
                | BinOp::Ne
                | BinOp::Lt
                | BinOp::Le
                | BinOp::Gt
                | BinOp::Ge => Ty::Bool,
                _ => Ty::Unknown,
            };
        }
        match op {
            // `null ?? x` is just `x`.
            BinOp::Coalesce if l == Ty::Null => r,
            BinOp::Coalesce => match Ty::join(l.strip(), &r) {
                Some(ty) => ty,
                None => {
                    let d = self.diag(
                        Code::TypeMismatch,
                        rhs.span,
                        format!(
                            "the default after `??` must be `{}`, but this is `{}`",
                            self.show(l.strip()),
                            self.show(&r)
                        ),
                        format!("expected `{}`", self.show(l.strip())),
                    );
                    self.report(d);
                    Ty::Unknown
                }
            },
            BinOp::And | BinOp::Or => {
                let what = format!("an operand of `{}`", op.symbol());
                self.condition(lhs.span, &l, &what);
                self.condition(rhs.span, &r, &what);
                Ty::Bool
            }
            BinOp::Eq | BinOp::Ne => {
                if Ty::join(l.strip(), r.strip()).is_none() && l != Ty::Null && r != Ty::Null {
                    self.operand_error(op, op_span, &l, &r);
                }
                Ty::Bool
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let what = format!("an operand of `{}`", op.symbol());
                let l = self.non_null(lhs.span, l, &what);
                let r = self.non_null(rhs.span, r, &what);
                let ordered = match (&l, &r) {
                    (a, b) if a.is_numeric() && b.is_numeric() => true,
                    (Ty::String, Ty::String)
                    | (Ty::Timestamp, Ty::Timestamp)
                    | (Ty::Duration, Ty::Duration) => true,
                    (a, b) => a.is_quiet() || b.is_quiet(),
                };
                if !ordered {
                    self.operand_error(op, op_span, &l, &r);
                }
                Ty::Bool
            }
            _ => {
                let what = format!("an operand of `{}`", op.symbol());
                let l = self.non_null(lhs.span, l, &what);
                let r = self.non_null(rhs.span, r, &what);
                if l.is_quiet() || r.is_quiet() {
                    return Ty::Unknown;
                }
                match arithmetic(op, &l, &r) {
                    Some(ty) => ty,
                    None => {
                        self.operand_error(op, op_span, &l, &r);
                        Ty::Unknown
                    }
                }
            }
        }
    }

    fn operand_error(&mut self, op: BinOp, span: Span, l: &Ty, r: &Ty) {
        let help = match (op, l, r) {
            (BinOp::Add, Ty::String, _) | (BinOp::Add, _, Ty::String) => {
                Some("to build a string from other values, interpolate them: \"${a}${b}\"".to_string())
            }
            (BinOp::Eq | BinOp::Ne, _, _) => {
                Some("only values of the same type can be compared; convert one side with to_string/to_int/to_float".into())
            }
            _ => None,
        };
        let d = self
            .diag(
                Code::InvalidOperands,
                span,
                format!(
                    "`{}` cannot be applied to `{}` and `{}`",
                    op.symbol(),
                    self.show(l),
                    self.show(r)
                ),
                format!("`{}` and `{}`", self.show(l), self.show(r)),
            )
            .with_help_opt(help);
        self.report(d);
    }

    fn if_expr(
        &mut self,
        e: &Expr,
        cond: &Expr,
        then: &dash_syntax::ast::Block,
        otherwise: Option<&Else>,
        env: &mut Env,
    ) -> Ty {
        let c = self.expr(cond, env);
        self.condition(cond.span, &c, "the condition of `if`");
        let then_ty = env.with_facts(facts(cond, true), |env| self.block_value(then, env));
        let Some(otherwise) = otherwise else {
            let d = self
                .diag(
                    Code::MissingElse,
                    e.span,
                    "this `if` has no `else`, so it has no value when the condition is false",
                    "`if` without `else`",
                )
                .with_help("add `else { … }` with the value for the other case");
            self.report(d);
            return Ty::Unknown;
        };
        let (else_ty, else_span) = env.with_facts(facts(cond, false), |env| match otherwise {
            Else::Block(b) => (self.block_value(b, env), b.span),
            Else::If(inner) => (self.expr(inner, env), inner.span),
        });
        self.branches(then.span, &then_ty, else_span, &else_ty, "`if` and `else`")
    }

    fn branches(&mut self, first: Span, a: &Ty, span: Span, b: &Ty, what: &str) -> Ty {
        match Ty::join(a, b) {
            Some(ty) => ty,
            None => {
                let d = self
                    .diag(
                        Code::BranchMismatch,
                        span,
                        format!(
                            "{what} have different types: `{}` and `{}`",
                            self.show(a),
                            self.show(b)
                        ),
                        format!("this is `{}`", self.show(b)),
                    )
                    .with_label(self.file, first, format!("this is `{}`", self.show(a)));
                self.report(d);
                Ty::Unknown
            }
        }
    }

    fn match_expr(&mut self, span: Span, scrutinee: &Expr, arms: &[MatchArm], env: &mut Env) -> Ty {
        let s = self.expr(scrutinee, env);
        let mut result = Ty::Never;
        let mut first_span: Option<Span> = None;
        let mut wildcard: Option<Span> = None;
        let mut seen_bools = (false, false, false); // true, false, null
        for arm in arms {
            for pattern in &arm.patterns {
                if let Some(w) = wildcard {
                    let d = self
                        .diag(
                            Code::InvalidPattern,
                            pattern.span(),
                            "this pattern can never match: `_` above already matches everything",
                            "unreachable",
                        )
                        .with_label(self.file, w, "matches everything")
                        .with_help("move `_` to the last arm");
                    self.report(d);
                }
                match pattern {
                    Pattern::Wildcard(w) => wildcard = Some(*w),
                    Pattern::Literal(lit) => {
                        match &lit.kind {
                            ExprKind::Bool(true) => seen_bools.0 = true,
                            ExprKind::Bool(false) => seen_bools.1 = true,
                            ExprKind::Null => seen_bools.2 = true,
                            _ => {}
                        }
                        self.pattern(lit, &s, env);
                    }
                }
            }
            let ty = self.expr(&arm.body, env);
            match first_span {
                None => {
                    first_span = Some(arm.body.span);
                    result = ty;
                }
                Some(first) => {
                    result =
                        self.branches(first, &result, arm.body.span, &ty, "the arms of `match`");
                }
            }
        }
        let exhaustive = wildcard.is_some()
            || (*s.strip() == Ty::Bool
                && seen_bools.0
                && seen_bools.1
                && (!s.is_nullable() || seen_bools.2))
            || s.is_quiet();
        if !exhaustive {
            let d = self
                .diag(
                    Code::NonExhaustiveMatch,
                    span,
                    format!(
                        "this `match` on a `{}` does not cover every value",
                        self.show(&s)
                    ),
                    "not every value is matched",
                )
                .with_help("add a last arm `_ => …` for the other values");
            self.report(d);
        }
        if result == Ty::Never && arms.is_empty() {
            Ty::Unknown
        } else {
            result
        }
    }

    fn pattern(&mut self, lit: &Expr, scrutinee: &Ty, env: &mut Env) {
        if let ExprKind::Str(parts) = &lit.kind
            && parts.iter().any(|p| matches!(p, StrPart::Interp(_)))
        {
            let d = self.diag(
                Code::InvalidPattern,
                lit.span,
                "a pattern must be a constant; `${…}` is not allowed here",
                "interpolation in a pattern",
            );
            self.report(d);
            return;
        }
        let ty = self.expr(lit, env);
        let fits = match (&ty, scrutinee) {
            (Ty::Null, s) => s.is_nullable() || s.is_quiet(),
            (t, s) => t == s.strip() || s.is_quiet() || (*t == Ty::Int && *s.strip() == Ty::Float),
        };
        if !fits {
            let d = self.diag(
                Code::InvalidPattern,
                lit.span,
                format!(
                    "this pattern has type `{}`, but the matched value is `{}`",
                    self.show(&ty),
                    self.show(scrutinee)
                ),
                format!("expected a `{}` pattern", self.show(scrutinee)),
            );
            self.report(d);
        }
    }
}

/// The result of an arithmetic operator on non-null operands.
fn arithmetic(op: BinOp, l: &Ty, r: &Ty) -> Option<Ty> {
    use Ty::*;
    Some(match (op, l, r) {
        (_, Int, Int) => Int,
        (_, a, b) if a.is_numeric() && b.is_numeric() => Float,
        (BinOp::Add, String, String) => String,
        (BinOp::Add, Timestamp, Duration) | (BinOp::Add, Duration, Timestamp) => Timestamp,
        (BinOp::Sub, Timestamp, Duration) => Timestamp,
        (BinOp::Sub, Timestamp, Timestamp) => Duration,
        (BinOp::Add | BinOp::Sub, Duration, Duration) => Duration,
        (BinOp::Mul, Duration, Int) | (BinOp::Mul, Int, Duration) => Duration,
        (BinOp::Div, Duration, Int) => Duration,
        _ => return None,
    })
}

/// A hint for converting between two types, when one is known.
fn conversion_hint(from: &Ty, to: &Ty) -> Option<String> {
    Some(match (from.strip(), to.strip()) {
        (Ty::Float, Ty::Int) => "convert with `to_int(x)` (truncates toward zero)".into(),
        (Ty::String, Ty::Int) => {
            "parse it with `to_int(s)`; catch failures with `?? default`".into()
        }
        (Ty::String, Ty::Float) => {
            "parse it with `to_float(s)`; catch failures with `?? default`".into()
        }
        (Ty::String, Ty::Timestamp) => "parse it with `parse_timestamp(s)`".into(),
        (Ty::Int | Ty::Float | Ty::Bool | Ty::Timestamp | Ty::Duration, Ty::String) => {
            "format it with `to_string(x)` or `\"${x}\"`".into()
        }
        (Ty::Json, Ty::Int) => "convert it with `to_int(j)`".into(),
        (Ty::Json, Ty::Float) => "convert it with `to_float(j)`".into(),
        (Ty::Json, Ty::String) => "convert it with `to_string(j)`".into(),
        _ => return None,
    })
}

/// "`a`, `b` and `c`"
pub(super) fn list_names(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.len() {
        0 => "none".into(),
        1 => quoted[0].clone(),
        n => format!("{} and {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}
