//! Lowering expressions: values, fields, operators, calls, records,
//! lists, `if`, `match` and the short-circuit operators.

use super::builder::FnBuilder;
use crate::{Arith, ArithOp, CmpOp, Op, Reg, Term};
use dash_check::stdlib;
use dash_check::value::Value;
use dash_check::{GlobalKind, Ty, call::resolve_overload};
use dash_syntax::ast::{BinOp, Else, Expr, ExprKind, MatchArm, Pattern, StrPart, UnaryOp};
use dash_syntax::source::Span;

impl FnBuilder<'_> {
    /// Lower an expression; returns the register holding its value.
    pub(super) fn expr(&mut self, e: &Expr) -> Reg {
        let ty = self.checked.type_of(self.file, e.span);
        let span = e.span;
        match &e.kind {
            ExprKind::Int(v) => self.constant(Value::Int(*v), ty, span),
            ExprKind::Float(v) => self.constant(Value::Float(*v), ty, span),
            ExprKind::Bool(v) => self.constant(Value::Bool(*v), ty, span),
            ExprKind::Null | ExprKind::Invalid => self.constant(Value::Null, ty, span),
            ExprKind::Duration(v) => self.constant(Value::Duration(*v), ty, span),
            ExprKind::Timestamp(v) => self.constant(Value::Timestamp(*v), ty, span),
            ExprKind::Str(parts) => self.string(parts, span),
            ExprKind::Name(id) => match self.lookup(&id.name) {
                Some(r) => r,
                None => self.constant(Value::Null, Ty::Unknown, span),
            },
            ExprKind::Paren(inner) => self.expr(inner),
            ExprKind::Field { base, name, .. } => {
                let b = self.expr(base);
                let index = match self.checked.type_of(self.file, base.span).strip() {
                    Ty::Record(id) => self
                        .checked
                        .record(*id)
                        .fields
                        .iter()
                        .position(|f| f.name == name.name)
                        .unwrap_or(0),
                    _ => 0,
                };
                self.emit(
                    Op::Field {
                        base: b,
                        path: vec![index as u32],
                    },
                    ty,
                    span,
                )
            }
            ExprKind::Index { base, index } => {
                let b = self.expr(base);
                let i = self.expr(index);
                self.emit(Op::Index(b, i), ty, span)
            }
            ExprKind::Call { func, args } => self.call(&func.name, args, ty, span),
            ExprKind::Record { ty: name, fields } => {
                let Ty::Record(id) = ty else {
                    return self.constant(Value::Null, ty, span);
                };
                // Evaluate in source order, store in declaration order.
                let given: Vec<(String, Reg)> = fields
                    .iter()
                    .map(|f| (f.name.name.clone(), self.expr(&f.value)))
                    .collect();
                let decl = self.checked.record(id).clone();
                let mut regs = Vec::new();
                for field in &decl.fields {
                    let r = match given.iter().find(|(n, _)| *n == field.name) {
                        Some((_, r)) => self.coerce(*r, &field.ty, span),
                        None => self.constant(Value::Null, field.ty.clone(), name.span),
                    };
                    regs.push(r);
                }
                self.emit(Op::Record(id, regs), ty, span)
            }
            ExprKind::List(items) => {
                let element = match &ty {
                    Ty::List(inner) => (**inner).clone(),
                    _ => Ty::Unknown,
                };
                let regs: Vec<Reg> = items
                    .iter()
                    .map(|item| {
                        let r = self.expr(item);
                        self.coerce(r, &element, item.span)
                    })
                    .collect();
                self.emit(Op::List(regs), ty, span)
            }
            ExprKind::Unary { op, operand } => {
                let r = self.expr(operand);
                match op {
                    UnaryOp::Not => self.emit(Op::Not(r), Ty::Bool, span),
                    UnaryOp::Neg => {
                        let kind = match self.reg_ty(r).strip() {
                            Ty::Float => Arith::Float,
                            Ty::Duration => Arith::Time,
                            _ => Arith::Int,
                        };
                        self.emit(Op::Neg(kind, r), ty, span)
                    }
                }
            }
            ExprKind::Binary { op, lhs, rhs, .. } => self.binary(*op, lhs, rhs, ty, span),
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => {
                let c = self.expr(cond);
                let dst = self.new_reg(ty.clone());
                let then_b = self.new_block();
                let else_b = self.new_block();
                let join = self.new_block();
                self.terminate(Term::Branch {
                    cond: c,
                    then: then_b,
                    otherwise: else_b,
                });
                self.switch_to(then_b);
                let r = self.block(then);
                self.assign(dst, r, &ty, then.span, join);
                self.switch_to(else_b);
                match otherwise.as_deref() {
                    Some(Else::Block(b)) => {
                        let r = self.block(b);
                        self.assign(dst, r, &ty, b.span, join);
                    }
                    Some(Else::If(inner)) => {
                        let r = self.expr(inner);
                        self.assign(dst, r, &ty, inner.span, join);
                    }
                    None => {
                        let r = self.constant(Value::Null, Ty::Null, span);
                        self.assign(dst, r, &ty, span, join);
                    }
                }
                self.switch_to(join);
                dst
            }
            ExprKind::Match { scrutinee, arms } => self.match_expr(scrutinee, arms, ty, span),
        }
    }

    fn constant(&mut self, value: Value, ty: Ty, span: Span) -> Reg {
        self.emit(Op::Const(value), ty, span)
    }

    /// `dst = value` at the end of a branch, then jump to `join`.
    fn assign(&mut self, dst: Reg, value: Reg, ty: &Ty, span: Span, join: crate::BlockId) {
        if self.is_open() {
            let v = self.coerce(value, ty, span);
            self.emit_to(dst, Op::Copy(v), span);
            self.terminate(Term::Jump(join));
        }
    }

    fn string(&mut self, parts: &[StrPart], span: Span) -> Reg {
        if let [StrPart::Text(t)] = parts {
            return self.constant(Value::str(t), Ty::String, span);
        }
        if parts.is_empty() {
            return self.constant(Value::str(""), Ty::String, span);
        }
        let regs: Vec<Reg> = parts
            .iter()
            .map(|p| match p {
                StrPart::Text(t) => self.constant(Value::str(t), Ty::String, span),
                StrPart::Interp(e) => self.expr(e),
            })
            .collect();
        self.emit(Op::Concat(regs), Ty::String, span)
    }

    fn call(&mut self, name: &str, args: &[Expr], ty: Ty, span: Span) -> Reg {
        let regs: Vec<Reg> = args.iter().map(|a| self.expr(a)).collect();
        if let Some(builtin) = stdlib::lookup(name) {
            let arg_tys: Vec<Ty> = regs.iter().map(|r| self.reg_ty(*r)).collect();
            let params = resolve_overload(builtin, &arg_tys)
                .map(|(p, _)| p)
                .unwrap_or_default();
            let regs = self.coerce_args(&regs, &params, span);
            return self.emit(Op::Call(builtin, regs), ty, span);
        }
        let is_transform = matches!(
            self.checked.globals.get(name).map(|g| g.kind),
            Some(GlobalKind::Transform | GlobalKind::Reactor)
        );
        match (self.ids.get(name), is_transform) {
            (Some(id), true) => {
                let id = *id;
                let params = self
                    .checked
                    .callables
                    .get(name)
                    .map(|c| c.params.clone())
                    .unwrap_or_default();
                let regs = self.coerce_args(&regs, &params, span);
                self.emit(Op::CallFn(id, regs), ty, span)
            }
            // Reactors run in the runtime, not in the IR.
            _ => self.constant(Value::Null, ty, span),
        }
    }

    /// Promote each argument to its parameter's type.
    fn coerce_args(&mut self, args: &[Reg], params: &[Ty], span: Span) -> Vec<Reg> {
        args.iter()
            .enumerate()
            .map(|(i, r)| match params.get(i) {
                Some(p) => self.coerce(*r, p, span),
                None => *r,
            })
            .collect()
    }

    fn binary(&mut self, op: BinOp, lhs: &Expr, rhs: &Expr, ty: Ty, span: Span) -> Reg {
        match op {
            BinOp::And | BinOp::Or => {
                let l = self.expr(lhs);
                let dst = self.new_reg(Ty::Bool);
                let rhs_b = self.new_block();
                let short = self.new_block();
                let join = self.new_block();
                let (then, otherwise) = if op == BinOp::And {
                    (rhs_b, short)
                } else {
                    (short, rhs_b)
                };
                self.terminate(Term::Branch {
                    cond: l,
                    then,
                    otherwise,
                });
                self.switch_to(short);
                let k = self.constant(Value::Bool(op == BinOp::Or), Ty::Bool, span);
                self.assign(dst, k, &Ty::Bool, span, join);
                self.switch_to(rhs_b);
                let r = self.expr(rhs);
                self.assign(dst, r, &Ty::Bool, span, join);
                self.switch_to(join);
                dst
            }
            BinOp::Coalesce => {
                // Failures inside the left side go to the default, too.
                let dst = self.new_reg(ty.clone());
                let default = self.new_block();
                let join = self.new_block();
                self.catch.push(default);
                let l = self.expr(lhs);
                self.catch.pop();
                if self.is_open() {
                    let is_null = self.emit(Op::IsNull(l), Ty::Bool, span);
                    let keep = self.new_block();
                    self.terminate(Term::Branch {
                        cond: is_null,
                        then: default,
                        otherwise: keep,
                    });
                    self.switch_to(keep);
                    self.assign(dst, l, &ty, lhs.span, join);
                }
                self.switch_to(default);
                let r = self.expr(rhs);
                self.assign(dst, r, &ty, rhs.span, join);
                self.switch_to(join);
                dst
            }
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let l = self.expr(lhs);
                let r = self.expr(rhs);
                let cmp = match op {
                    BinOp::Eq => CmpOp::Eq,
                    BinOp::Ne => CmpOp::Ne,
                    BinOp::Lt => CmpOp::Lt,
                    BinOp::Le => CmpOp::Le,
                    BinOp::Gt => CmpOp::Gt,
                    _ => CmpOp::Ge,
                };
                self.emit(Op::Compare(cmp, l, r), Ty::Bool, span)
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem => {
                let l = self.expr(lhs);
                let r = self.expr(rhs);
                let (lt, rt) = (self.reg_ty(l), self.reg_ty(r));
                let kind = match (lt.strip(), rt.strip(), ty.strip()) {
                    (Ty::String, _, _) => Arith::Str,
                    (Ty::Timestamp | Ty::Duration, _, _) | (_, Ty::Timestamp | Ty::Duration, _) => {
                        Arith::Time
                    }
                    (_, _, Ty::Float) => Arith::Float,
                    _ => Arith::Int,
                };
                let (l, r) = if kind == Arith::Float {
                    (
                        self.coerce(l, &Ty::Float, lhs.span),
                        self.coerce(r, &Ty::Float, rhs.span),
                    )
                } else {
                    (l, r)
                };
                let arith = match op {
                    BinOp::Add => ArithOp::Add,
                    BinOp::Sub => ArithOp::Sub,
                    BinOp::Mul => ArithOp::Mul,
                    BinOp::Div => ArithOp::Div,
                    _ => ArithOp::Rem,
                };
                self.emit(Op::Arith(arith, kind, l, r), ty, span)
            }
        }
    }

    fn match_expr(&mut self, scrutinee: &Expr, arms: &[MatchArm], ty: Ty, span: Span) -> Reg {
        let s = self.expr(scrutinee);
        let dst = self.new_reg(ty.clone());
        let join = self.new_block();
        for arm in arms {
            let body = self.new_block();
            for pattern in &arm.patterns {
                let miss = self.new_block();
                match pattern {
                    Pattern::Wildcard(_) => self.terminate(Term::Jump(body)),
                    Pattern::Literal(lit) => {
                        let v = self.expr(lit);
                        let hit = self.emit(Op::Compare(CmpOp::Eq, s, v), Ty::Bool, lit.span);
                        self.terminate(Term::Branch {
                            cond: hit,
                            then: body,
                            otherwise: miss,
                        });
                    }
                }
                self.switch_to(miss);
            }
            let miss = self.current();
            self.switch_to(body);
            let r = self.expr(&arm.body);
            self.assign(dst, r, &ty, arm.body.span, join);
            self.switch_to(miss);
        }
        // The last miss is unreachable for a checked (exhaustive) match;
        // `finish` closes it with a failure.
        let _ = span;
        self.switch_to(join);
        dst
    }
}
