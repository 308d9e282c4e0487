//! Arithmetic, negation and comparisons: inline on native registers,
//! with integer overflow and division by zero checked explicitly.

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{InstBuilder, Value as CValue};

use super::{I64, RegRepr, Repr, Scalar, Translator};
use crate::helpers::{KIND_DURATION, KIND_INT, KIND_TIMESTAMP};
use dash_ir::interp::RowErrorCode;
use dash_ir::{Arith, ArithOp, CmpOp, Reg};

/// The signed integer condition of a comparison.
pub(super) fn int_cc(op: CmpOp) -> IntCC {
    match op {
        CmpOp::Eq => IntCC::Equal,
        CmpOp::Ne => IntCC::NotEqual,
        CmpOp::Lt => IntCC::SignedLessThan,
        CmpOp::Le => IntCC::SignedLessThanOrEqual,
        CmpOp::Gt => IntCC::SignedGreaterThan,
        CmpOp::Ge => IntCC::SignedGreaterThanOrEqual,
    }
}

impl Translator<'_, '_> {
    pub(super) fn neg(&mut self, inst: &dash_ir::Inst, a: Reg) {
        let to = self.reg_repr(inst.dst);
        let from = self.reg_repr(a);
        match from.repr {
            Repr::Float => {
                let s = self.get(a);
                let value = self.b.ins().fneg(s.value);
                self.set_converted(inst.dst, value, s.null, from);
            }
            Repr::Int(_) => {
                let s = self.get(a);
                let is_min = self.b.ins().icmp_imm_s(IntCC::Equal, s.value, i64::MIN);
                let present = self.b.ins().icmp_imm_s(IntCC::Equal, s.null, 0);
                let overflow = self.b.ins().band(is_min, present);
                let site = self.error_site(
                    inst.span,
                    RowErrorCode::Overflow,
                    "negation overflows a 64-bit integer".into(),
                );
                self.fail_if(overflow, inst.on_fail, site);
                let value = self.b.ins().ineg(s.value);
                self.set_converted(inst.dst, value, s.null, from);
            }
            // Negating anything else gives it back (the interpreter's rule).
            _ => {
                let s = self.get_as(a, to);
                self.set(inst.dst, s);
            }
        }
    }

    pub(super) fn arith(&mut self, inst: &dash_ir::Inst, op: ArithOp, kind: Arith, a: Reg, b: Reg) {
        let dst = inst.dst;
        let to = self.reg_repr(dst);
        match kind {
            Arith::Str if self.str_concat(dst, a, b) => {}
            Arith::Str => {
                let (pa, pb) = (self.boxed(a), self.boxed(b));
                let ctx = self.ctx;
                let p = self.call1("dash_concat2", &[ctx, pa, pb]);
                self.set_from_box(dst, p);
            }
            Arith::Float => {
                let f = RegRepr {
                    repr: Repr::Float,
                    nullable: true,
                };
                let (x, y) = (self.get_as(a, f), self.get_as(b, f));
                let null = self.b.ins().bor(x.null, y.null);
                let value = match op {
                    ArithOp::Add => self.b.ins().fadd(x.value, y.value),
                    ArithOp::Sub => self.b.ins().fsub(x.value, y.value),
                    ArithOp::Mul => self.b.ins().fmul(x.value, y.value),
                    ArithOp::Div => self.b.ins().fdiv(x.value, y.value),
                    ArithOp::Rem => match self.call("dash_fmod", &[x.value, y.value]) {
                        Some(v) => v,
                        None => self.b.ins().f64const(f64::NAN),
                    },
                };
                let s = self.convert(Scalar::new(value, null), f, to);
                self.set(dst, s);
            }
            Arith::Int => {
                let i = RegRepr {
                    repr: Repr::Int(KIND_INT),
                    nullable: true,
                };
                let (x, y) = (self.get_as(a, i), self.get_as(b, i));
                let value = self.int_op(inst, op, x, y, None);
                let null = self.b.ins().bor(x.null, y.null);
                let s = self.convert(Scalar::new(value, null), i, to);
                self.set(dst, s);
            }
            Arith::Time => self.time_op(inst, op, a, b),
        }
    }

    /// Checked i64 `op`, failing (unless either side is null) like the
    /// interpreter's `int_op`; `what` overrides the overflow message.
    pub(super) fn int_op(
        &mut self,
        inst: &dash_ir::Inst,
        op: ArithOp,
        x: Scalar,
        y: Scalar,
        what: Option<&str>,
    ) -> CValue {
        let any_null = self.b.ins().bor(x.null, y.null);
        let present = self.b.ins().icmp_imm_s(IntCC::Equal, any_null, 0);
        let message =
            |default: &str| format!("{} overflows a 64-bit integer", what.unwrap_or(default));
        let (value, overflow, name) = match op {
            ArithOp::Add => {
                let (v, o) = self.b.ins().sadd_overflow(x.value, y.value);
                (v, Some(o), "addition")
            }
            ArithOp::Sub => {
                let (v, o) = self.b.ins().ssub_overflow(x.value, y.value);
                (v, Some(o), "subtraction")
            }
            ArithOp::Mul => {
                let (v, o) = self.b.ins().smul_overflow(x.value, y.value);
                (v, Some(o), "multiplication")
            }
            ArithOp::Div | ArithOp::Rem => {
                let zero = self.b.ins().icmp_imm_s(IntCC::Equal, y.value, 0);
                let div_zero = self.b.ins().band(zero, present);
                let site = self.error_site(
                    inst.span,
                    RowErrorCode::DivisionByZero,
                    "division by zero".into(),
                );
                self.fail_if(div_zero, inst.on_fail, site);
                let is_min = self.b.ins().icmp_imm_s(IntCC::Equal, x.value, i64::MIN);
                let minus_one = self.b.ins().icmp_imm_s(IntCC::Equal, y.value, -1);
                let min_by_minus_one = self.b.ins().band(is_min, minus_one);
                // Null operands and the divisor 0 (never reached when
                // present) must not trap: divide by 1 instead.
                let one = self.iconst(1);
                let safe_y = self.b.ins().select(zero, one, y.value);
                let safe_y = self.b.ins().select(min_by_minus_one, one, safe_y);
                if op == ArithOp::Div {
                    let q = self.b.ins().sdiv(x.value, safe_y);
                    (q, Some(min_by_minus_one), "division")
                } else {
                    // i64::MIN % -1 is 0; the safe divisor 1 gives 0 too.
                    (self.b.ins().srem(x.value, safe_y), None, "remainder")
                }
            }
        };
        if let Some(overflow) = overflow {
            let fails = self.b.ins().band(overflow, present);
            let site = self.error_site(inst.span, RowErrorCode::Overflow, message(name));
            self.fail_if(fails, inst.on_fail, site);
        }
        value
    }

    pub(super) fn time_op(&mut self, inst: &dash_ir::Inst, op: ArithOp, a: Reg, b: Reg) {
        let dst = inst.dst;
        let to = self.reg_repr(dst);
        let (ka, kb) = (self.reg_repr(a).repr, self.reg_repr(b).repr);
        let ts = Repr::Int(KIND_TIMESTAMP);
        let dur = Repr::Int(KIND_DURATION);
        let int = Repr::Int(KIND_INT);
        // (result kind, overflow message) of each valid combination.
        let shape = match (op, ka, kb) {
            (ArithOp::Add, x, y) if (x == ts && y == dur) || (x == dur && y == ts) => {
                Some((KIND_TIMESTAMP, Some("timestamp arithmetic")))
            }
            (ArithOp::Sub, x, y) if x == ts && y == dur => {
                Some((KIND_TIMESTAMP, Some("timestamp arithmetic")))
            }
            (ArithOp::Sub, x, y) if x == ts && y == ts => {
                Some((KIND_DURATION, Some("timestamp arithmetic")))
            }
            (_, x, y) if x == dur && y == dur => Some((KIND_DURATION, None)),
            (ArithOp::Mul, x, y) if (x == dur && y == int) || (x == int && y == dur) => {
                Some((KIND_DURATION, Some("duration arithmetic")))
            }
            (ArithOp::Div, x, y) if x == dur && y == int => Some((KIND_DURATION, None)),
            _ => None,
        };
        let Some((kind, what)) = shape else {
            // Any other combination is null in the interpreter.
            let p = self.constant_null();
            self.set_from_box(dst, p);
            return;
        };
        let (ra, rb) = (self.reg_repr(a), self.reg_repr(b));
        let (x, y) = (self.get(a), self.get(b));
        let (x, y) = (
            self.convert(
                x,
                ra,
                RegRepr {
                    repr: ra.repr,
                    nullable: true,
                },
            ),
            self.convert(
                y,
                rb,
                RegRepr {
                    repr: rb.repr,
                    nullable: true,
                },
            ),
        );
        let value = self.int_op(inst, op, x, y, what);
        let null = self.b.ins().bor(x.null, y.null);
        let from = RegRepr {
            repr: Repr::Int(kind),
            nullable: true,
        };
        let s = self.convert(Scalar::new(value, null), from, to);
        self.set(dst, s);
    }

    pub(super) fn constant_null(&mut self) -> CValue {
        let kind = self.iconst(KIND_INT);
        let zero = self.iconst(0);
        let one = self.iconst(1);
        let ctx = self.ctx;
        self.call1("dash_box", &[ctx, kind, zero, one])
    }

    pub(super) fn compare(&mut self, dst: Reg, op: CmpOp, a: Reg, b: Reg) {
        if self.str_compare(dst, op, a, b) {
            return;
        }
        let (ra, rb) = (self.reg_repr(a), self.reg_repr(b));
        let inline = ra == rb && !ra.nullable && matches!(ra.repr, Repr::Int(_) | Repr::Float)
            || ra == rb
                && !ra.nullable
                && ra.repr == Repr::Bool
                && matches!(op, CmpOp::Eq | CmpOp::Ne);
        let value = if inline {
            let (x, y) = (self.get(a), self.get(b));
            let c = if ra.repr == Repr::Float {
                let cc = match op {
                    CmpOp::Eq => FloatCC::Equal,
                    CmpOp::Ne => FloatCC::NotEqual,
                    CmpOp::Lt => FloatCC::LessThan,
                    CmpOp::Le => FloatCC::LessThanOrEqual,
                    CmpOp::Gt => FloatCC::GreaterThan,
                    CmpOp::Ge => FloatCC::GreaterThanOrEqual,
                };
                self.b.ins().fcmp(cc, x.value, y.value)
            } else {
                self.b.ins().icmp(int_cc(op), x.value, y.value)
            };
            self.b.ins().uextend(I64, c)
        } else {
            let (pa, pb) = (self.boxed(a), self.boxed(b));
            let code = self.iconst(match op {
                CmpOp::Eq => 0,
                CmpOp::Ne => 1,
                CmpOp::Lt => 2,
                CmpOp::Le => 3,
                CmpOp::Gt => 4,
                CmpOp::Ge => 5,
            });
            self.call1("dash_compare", &[code, pa, pb])
        };
        let null = self.not_null();
        self.set_bool(dst, value, null);
    }
}
