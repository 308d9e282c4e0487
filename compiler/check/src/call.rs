//! Calls: built-in functions (resolved against their overloads) and calls
//! of transforms and reactors.

use super::env::{Context, Env};
use super::ty::{Fit, Ty};
use super::{Checker, GlobalKind};
use crate::stdlib::{self, Builtin, SigTy, Signature};
use dash_syntax::ast::{Expr, ExprKind, Ident, StrPart};
use dash_syntax::diag::{Code, suggest};
use dash_syntax::source::Span;

impl Checker<'_> {
    pub(super) fn call(&mut self, func: &Ident, args: &[Expr], span: Span, env: &mut Env) -> Ty {
        let arg_tys: Vec<Ty> = args.iter().map(|a| self.expr(a, env)).collect();
        if let Some(builtin) = stdlib::lookup(&func.name) {
            return self.builtin_call(builtin, func, args, &arg_tys);
        }
        match self.program.globals.get(&func.name).map(|g| g.kind) {
            Some(GlobalKind::Transform) => self.user_call(func, args, &arg_tys, span),
            Some(GlobalKind::Reactor) => {
                if env.context == Context::Transform || env.context == Context::Reactor {
                    let help = if env.context == Context::Transform {
                        "transforms are pure; call reactors as a reactor `step`, or wire them into a pipeline"
                    } else {
                        "call a reactor as the whole value of a step: `step x = other(…)`"
                    };
                    let d = self
                        .diag(
                            Code::NotCallable,
                            func.span,
                            format!("reactor `{}` cannot be called here", func.name),
                            "reactor called here",
                        )
                        .with_help(help);
                    self.report(d);
                }
                self.user_call(func, args, &arg_tys, span)
            }
            Some(kind) => {
                let d = self.diag(
                    Code::NotCallable,
                    func.span,
                    format!("`{}` is a {}, it cannot be called", func.name, kind.word()),
                    "not a function",
                );
                self.report(d);
                Ty::Unknown
            }
            None if self.broken.contains(&func.name) => Ty::Unknown,
            None => {
                let candidates: Vec<&str> = stdlib::BUILTINS
                    .iter()
                    .map(|b| b.name)
                    .chain(
                        self.program
                            .globals
                            .iter()
                            .filter(|(_, g)| {
                                matches!(g.kind, GlobalKind::Transform | GlobalKind::Reactor)
                            })
                            .map(|(n, _)| n.as_str()),
                    )
                    .collect();
                let help = suggest::did_you_mean(&func.name, candidates);
                let d = self
                    .diag(
                        Code::UnknownFunction,
                        func.span,
                        format!("unknown function `{}`", func.name),
                        "not a built-in function, transform or reactor",
                    )
                    .with_help_opt(help);
                self.report(d);
                Ty::Unknown
            }
        }
    }

    fn user_call(&mut self, func: &Ident, args: &[Expr], arg_tys: &[Ty], span: Span) -> Ty {
        self.refer(func.span, super::Symbol::Global(func.name.clone()));
        let Some(callable) = self.program.callables.get(&func.name).cloned() else {
            return Ty::Unknown;
        };
        if let Some(current) = &self.current {
            self.calls
                .push((current.clone(), func.name.clone(), self.file, func.span));
        }
        if args.len() != callable.params.len() {
            self.arity_error(
                func,
                args.len(),
                callable.params.len(),
                callable.params.len(),
                span,
            );
            return callable.output;
        }
        for (i, (arg, ty)) in args.iter().zip(arg_tys).enumerate() {
            let what = format!("argument {} of `{}`", i + 1, func.name);
            self.expect_ty(arg.span, ty, &callable.params[i], &what);
        }
        callable.output
    }

    fn arity_error(&mut self, func: &Ident, given: usize, min: usize, max: usize, span: Span) {
        let expected = if min == max {
            format!("{min} argument{}", if min == 1 { "" } else { "s" })
        } else {
            format!("{min} to {max} arguments")
        };
        let d = self.diag(
            Code::ArgumentCount,
            span,
            format!(
                "`{}` takes {expected}, but {given} {} given",
                func.name,
                if given == 1 { "was" } else { "were" }
            ),
            format!("expected {expected}"),
        );
        let d = match stdlib::lookup(&func.name) {
            Some(b) => d.with_help(format!(
                "signature: {}",
                b.signature_text().replace('\n', " | ")
            )),
            None => d,
        };
        self.report(d);
    }

    fn builtin_call(
        &mut self,
        builtin: &'static Builtin,
        func: &Ident,
        args: &[Expr],
        arg_tys: &[Ty],
    ) -> Ty {
        let span = func.span.to(args.last().map_or(func.span, |a| a.span));
        let arity_ok: Vec<&Signature> = builtin
            .signatures
            .iter()
            .filter(|s| args.len() >= s.required && args.len() <= s.params.len())
            .collect();
        if arity_ok.is_empty() {
            let min = builtin
                .signatures
                .iter()
                .map(|s| s.required)
                .min()
                .unwrap_or(0);
            let max = builtin
                .signatures
                .iter()
                .map(|s| s.params.len())
                .max()
                .unwrap_or(0);
            self.arity_error(func, args.len(), min, max, span);
            return result_hint(builtin);
        }
        self.check_literal_args(builtin, args);
        match best_overload(builtin, arg_tys) {
            Some((2, sig, ret)) => {
                // Fits except for nullability: report each nullable argument.
                for (i, (arg, ty)) in args.iter().zip(arg_tys).enumerate() {
                    if let Some(expected) = concrete(sig.params[i].1, arg_tys)
                        && ty.fits(&expected) == Fit::Nullable
                    {
                        let what = format!("argument `{}` of `{}`", sig.params[i].0, builtin.name);
                        self.nullable_error(arg.span, ty, &expected, &what);
                    }
                }
                ret
            }
            Some((_, _, ret)) => ret,
            None => {
                let shown: Vec<String> = arg_tys.iter().map(|t| self.show(t)).collect();
                let (span, label) = match first_bad_arg(arity_ok[0], args, arg_tys) {
                    Some((s, expected)) => (s, format!("expected `{expected}`")),
                    None => (span, "no signature fits".to_string()),
                };
                let d = self
                    .diag(
                        Code::TypeMismatch,
                        span,
                        format!(
                            "`{}` cannot be called with ({})",
                            builtin.name,
                            shown.join(", ")
                        ),
                        label,
                    )
                    .with_help(format!(
                        "signature: {}",
                        builtin.signature_text().replace('\n', " | ")
                    ));
                self.report(d);
                result_hint(builtin)
            }
        }
    }

    /// Checks the string literals passed where a built-in validates a
    /// literal (`stdlib::LITERAL_CHECKS`: a unit, a separator, a fill
    /// character), so a literal that would fail every row is an error on
    /// the literal (E0029) instead.
    fn check_literal_args(&mut self, builtin: &'static Builtin, args: &[Expr]) {
        for (i, arg) in args.iter().enumerate() {
            let Some(text) = literal_text(arg) else {
                continue;
            };
            let param = builtin
                .signatures
                .iter()
                .find_map(|s| s.params.get(i))
                .map_or("argument", |(name, _)| *name);
            for check in stdlib::literal_checks(builtin.name, i) {
                if let Err(why) = (check.check)(&text) {
                    let d = self
                        .diag(
                            Code::InvalidLiteral,
                            arg.span,
                            format!("invalid `{param}` for `{}`: {why}", builtin.name),
                            format!("not a valid `{param}`"),
                        )
                        .with_help(format!(
                            "signature: {}",
                            builtin.signature_text().replace('\n', " | ")
                        ));
                    self.report(d);
                }
            }
        }
    }
}

/// The text of a string literal without interpolation.
fn literal_text(e: &Expr) -> Option<String> {
    let ExprKind::Str(parts) = &e.kind else {
        return None;
    };
    let mut text = String::new();
    for part in parts {
        match part {
            StrPart::Text(t) => text.push_str(t),
            StrPart::Interp(_) => return None,
        }
    }
    Some(text)
}

/// The best overload for these argument types: exact, then with int->float
/// promotion, then one that fits once nulls are handled (score 0, 1, 2).
fn best_overload(builtin: &'static Builtin, args: &[Ty]) -> Option<(u8, &'static Signature, Ty)> {
    let mut best: Option<(u8, &Signature, Ty)> = None;
    for sig in builtin
        .signatures
        .iter()
        .filter(|s| args.len() >= s.required && args.len() <= s.params.len())
    {
        let Some((score, ret)) = score(sig, args) else {
            continue;
        };
        if best.as_ref().is_none_or(|(s, _, _)| score < *s) {
            best = Some((score, sig, ret));
        }
    }
    best
}

/// The overload a checked call uses, with the concrete type of each
/// parameter and the result type (for lowering).
pub fn resolve_overload(builtin: &'static Builtin, args: &[Ty]) -> Option<(Vec<Ty>, Ty)> {
    let (_, sig, ret) = best_overload(builtin, args)?;
    let params = (0..args.len())
        .map(|i| concrete(sig.params[i].1, args).unwrap_or(Ty::Unknown))
        .collect();
    Some((params, ret))
}

/// How well arguments fit a signature: 0 exact, 1 with promotion, 2 only
/// if nulls are handled; `None` when they do not fit.
fn score(sig: &Signature, args: &[Ty]) -> Option<(u8, Ty)> {
    let mut worst = 0;
    for (i, ty) in args.iter().enumerate() {
        let expected = concrete(sig.params[i].1, args)?;
        let s = match ty.fits(&expected) {
            Fit::Yes if ty.strip() == expected.strip() || ty.is_quiet() => 0,
            Fit::Yes => 1,
            Fit::Nullable => 2,
            Fit::No => return None,
        };
        worst = worst.max(s);
    }
    Some((worst, result(sig.ret, args)))
}

/// The concrete type a parameter asks for, given all arguments (binding T).
fn concrete(param: SigTy, args: &[Ty]) -> Option<Ty> {
    Some(match param {
        SigTy::Bool => Ty::Bool,
        SigTy::Int => Ty::Int,
        SigTy::Float => Ty::Float,
        SigTy::String => Ty::String,
        SigTy::Timestamp => Ty::Timestamp,
        SigTy::Duration => Ty::Duration,
        SigTy::Json => Ty::Json,
        SigTy::NullableInt => Ty::Int.nullable(),
        SigTy::NullableFloat => Ty::Float.nullable(),
        SigTy::NullableString => Ty::String.nullable(),
        SigTy::NullableBool => Ty::Bool.nullable(),
        SigTy::NullableJson => Ty::Json.nullable(),
        SigTy::NullableListOfJson => Ty::List(Box::new(Ty::Json)).nullable(),
        SigTy::StringList => Ty::List(Box::new(Ty::String)),
        SigTy::T => element(args),
        SigTy::ListOfT => match args.first().map(Ty::strip) {
            Some(Ty::List(_)) | Some(Ty::Unknown) => Ty::List(Box::new(element(args))),
            _ => return None,
        },
        SigTy::Scalar => match args.first().map(Ty::strip) {
            Some(t) if t.is_scalar() || t.is_quiet() => t.clone(),
            _ => return None,
        },
        SigTy::AnyButRecord => match args.first() {
            Some(t) if !has_record(t) => t.clone(),
            _ => return None,
        },
    })
}

/// Whether a value of type `ty` can hold a record.
fn has_record(ty: &Ty) -> bool {
    match ty {
        Ty::Record(_) => true,
        Ty::List(inner) | Ty::Nullable(inner) => has_record(inner),
        _ => false,
    }
}

/// What `T` is bound to: the element type of the first (list) argument.
fn element(args: &[Ty]) -> Ty {
    match args.first().map(Ty::strip) {
        Some(Ty::List(inner)) => (**inner).clone(),
        _ => Ty::Unknown,
    }
}

fn result(ret: SigTy, args: &[Ty]) -> Ty {
    concrete(ret, args).unwrap_or(Ty::Unknown)
}

/// The result type when no overload fits, if all overloads agree on it.
fn result_hint(builtin: &Builtin) -> Ty {
    let first = builtin.signatures.first().map(|s| result(s.ret, &[]));
    if builtin
        .signatures
        .iter()
        .all(|s| Some(result(s.ret, &[])) == first)
    {
        first.unwrap_or(Ty::Unknown)
    } else {
        Ty::Unknown
    }
}

fn first_bad_arg(sig: &Signature, args: &[Expr], tys: &[Ty]) -> Option<(Span, String)> {
    for (i, ty) in tys.iter().enumerate() {
        let (_, param) = sig.params[i];
        match concrete(param, tys) {
            Some(expected) if ty.fits(&expected) != Fit::No => {}
            _ => return Some((args[i].span, param.to_string())),
        }
    }
    None
}
