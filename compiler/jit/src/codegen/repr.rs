//! How registers are held (native scalars with a null flag, strings as
//! pointer and length, boxed `*const Value`s) and the conversions between
//! those forms, boxing and unboxing through helpers.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    InstBuilder, MemFlagsData, StackSlot, StackSlotData, StackSlotKind, Value as CValue, types,
};
use cranelift_frontend::Variable;

use super::{F64, I64, Translator};
use crate::helpers::{KIND_BOOL, KIND_DURATION, KIND_FLOAT, KIND_INT, KIND_TIMESTAMP};
use dash_check::Ty;
use dash_ir::Reg;

/// How a register is held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repr {
    /// i64: int, timestamp, duration (the kind says which).
    Int(i64),
    Float,
    Bool,
    /// A string as (pointer to its UTF-8 bytes, byte length); the pointer
    /// is 0 exactly when the string is null. The bytes live in an input
    /// column, a `Value` of the arena, the site table or the call's
    /// scratch bytes: all alive until the row ends.
    Str,
    /// A `*const Value`: json, lists, records, null, unknown.
    Boxed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegRepr {
    pub repr: Repr,
    pub nullable: bool,
}

impl RegRepr {
    pub(super) const fn new(repr: Repr, nullable: bool) -> RegRepr {
        RegRepr { repr, nullable }
    }
}

pub fn repr_of(ty: &Ty) -> RegRepr {
    let nullable = ty.is_nullable();
    let repr = match ty.strip() {
        Ty::Int => Repr::Int(KIND_INT),
        Ty::Timestamp => Repr::Int(KIND_TIMESTAMP),
        Ty::Duration => Repr::Int(KIND_DURATION),
        Ty::Float => Repr::Float,
        Ty::Bool => Repr::Bool,
        Ty::String => Repr::Str,
        _ => Repr::Boxed,
    };
    RegRepr {
        repr,
        nullable: nullable && repr != Repr::Boxed,
    }
}

/// A register's value: native (bits, null flag), a string or a boxed
/// pointer.
#[derive(Clone, Copy)]
pub(super) struct Scalar {
    /// i64 for ints/bools/pointers, f64 for floats.
    pub(super) value: CValue,
    /// i8, non-zero when null (constant 0 for non-nullable).
    pub(super) null: CValue,
    /// A string's byte length (`Repr::Str` only; anything for the rest).
    pub(super) len: CValue,
}

impl Scalar {
    pub(super) fn new(value: CValue, null: CValue) -> Scalar {
        Scalar {
            value,
            null,
            len: value,
        }
    }
}

/// A register's Cranelift variables.
#[derive(Clone, Copy)]
pub(super) struct Vars {
    pub(super) value: Variable,
    pub(super) null: Variable,
    /// Strings only.
    pub(super) len: Option<Variable>,
}

impl Translator<'_, '_> {
    /// A register's value as held.
    pub(super) fn get(&mut self, r: Reg) -> Scalar {
        if let Some(p) = self.batch_value(r) {
            let null = self.not_null();
            return Scalar::new(p, null);
        }
        let vars = self.vars[r.0 as usize];
        let value = self.b.use_var(vars.value);
        let null = self.b.use_var(vars.null);
        let len = match vars.len {
            Some(len) => self.b.use_var(len),
            None => value,
        };
        Scalar { value, null, len }
    }

    pub(super) fn reg_repr(&self, r: Reg) -> RegRepr {
        self.reprs[r.0 as usize]
    }

    pub(super) fn set(&mut self, r: Reg, s: Scalar) {
        let vars = self.vars[r.0 as usize];
        self.b.def_var(vars.value, s.value);
        self.b.def_var(vars.null, s.null);
        if let Some(len) = vars.len {
            self.b.def_var(len, s.len);
        }
    }

    /// A register's value as a `*const Value`.
    pub(super) fn boxed(&mut self, r: Reg) -> CValue {
        let rr = self.reg_repr(r);
        let s = self.get(r);
        self.box_scalar(s, rr)
    }

    pub(super) fn box_scalar(&mut self, s: Scalar, rr: RegRepr) -> CValue {
        let kind = match rr.repr {
            Repr::Boxed => return s.value,
            Repr::Str => {
                let null = self.b.ins().uextend(I64, s.null);
                let ctx = self.ctx;
                return self.call1("dash_str_box", &[ctx, s.value, s.len, null]);
            }
            Repr::Int(k) => k,
            Repr::Float => KIND_FLOAT,
            Repr::Bool => KIND_BOOL,
        };
        let bits = if rr.repr == Repr::Float {
            self.b.ins().bitcast(I64, MemFlagsData::new(), s.value)
        } else {
            s.value
        };
        let null = self.b.ins().uextend(I64, s.null);
        let kind = self.iconst(kind);
        let ctx = self.ctx;
        self.call1("dash_box", &[ctx, kind, bits, null])
    }

    /// A helper's string result: its pointer (0 when null), and the
    /// length it left in the result slot.
    pub(super) fn str_result(&mut self, ptr: CValue) -> Scalar {
        let slot = self.result_slot();
        let len = self.b.ins().stack_load(I64, I64, slot, 0);
        let null = self.b.ins().icmp_imm_s(IntCC::Equal, ptr, 0);
        Scalar {
            value: ptr,
            null,
            len,
        }
    }

    /// The stack slot helpers write a second result to: a string's
    /// length, a rounded float (8 bytes, aligned to 8).
    pub(super) fn result_slot(&mut self) -> StackSlot {
        match self.result_slot {
            Some(slot) => slot,
            None => {
                let slot = self.b.create_sized_stack_slot(StackSlotData::new(
                    StackSlotKind::ExplicitSlot,
                    8,
                    3,
                ));
                self.result_slot = Some(slot);
                slot
            }
        }
    }

    pub(super) fn result_addr(&mut self) -> CValue {
        let slot = self.result_slot();
        self.b.ins().stack_addr(I64, slot, 0)
    }

    /// A boxed value as `to`.
    pub(super) fn unbox(&mut self, p: CValue, to: RegRepr) -> Scalar {
        match to.repr {
            Repr::Boxed => {
                let null = self.not_null();
                return Scalar::new(p, null);
            }
            Repr::Str => {
                let len = self.result_addr();
                let ptr = self.call1("dash_str_parts", &[p, len]);
                return self.str_result(ptr);
            }
            _ => {}
        }
        let kind = self.iconst(match to.repr {
            Repr::Int(k) => k,
            Repr::Float => KIND_FLOAT,
            _ => KIND_BOOL,
        });
        let bits = self.call1("dash_unbox", &[p, kind]);
        let null = if to.nullable {
            let n = self.call1("dash_is_null", &[p]);
            self.b.ins().ireduce(types::I8, n)
        } else {
            self.not_null()
        };
        let value = if to.repr == Repr::Float {
            self.b.ins().bitcast(F64, MemFlagsData::new(), bits)
        } else {
            bits
        };
        Scalar::new(value, null)
    }

    /// `r`'s value converted to `to` (its kind of scalar, or boxed).
    pub(super) fn get_as(&mut self, r: Reg, to: RegRepr) -> Scalar {
        let from = self.reg_repr(r);
        let s = self.get(r);
        if from.repr == to.repr {
            return s;
        }
        match (from.repr, to.repr) {
            (_, Repr::Boxed) => {
                let p = self.box_scalar(s, from);
                let null = self.not_null();
                Scalar::new(p, null)
            }
            (Repr::Boxed, _) => self.unbox(s.value, to),
            // Different scalar kinds never meet in a checked program; go
            // through a box, which is what the interpreter would see.
            _ => {
                let p = self.box_scalar(s, from);
                self.unbox(p, to)
            }
        }
    }

    pub(super) fn set_from_box(&mut self, dst: Reg, p: CValue) {
        let to = self.reg_repr(dst);
        let s = self.unbox(p, to);
        self.set(dst, s);
    }

    /// Store boxed arguments in a stack slot; its address.
    pub(super) fn boxed_array(&mut self, regs: &[Reg]) -> CValue {
        let ptrs: Vec<CValue> = regs.iter().map(|r| self.boxed(*r)).collect();
        self.pointer_array(&ptrs)
    }

    /// Store pointers in a stack slot; its address.
    pub(super) fn pointer_array(&mut self, ptrs: &[CValue]) -> CValue {
        let size = (ptrs.len().max(1) * 8) as u32;
        let slot = self.b.create_sized_stack_slot(StackSlotData::new(
            StackSlotKind::ExplicitSlot,
            size,
            3,
        ));
        for (i, p) in ptrs.iter().enumerate() {
            self.b.ins().stack_store(I64, *p, slot, (i * 8) as i32);
        }
        self.b.ins().stack_addr(I64, slot, 0)
    }

    /// A bool (i64 0/1) that is false when null.
    pub(super) fn truthy(&mut self, s: Scalar) -> CValue {
        let is_null = self.b.ins().icmp_imm_s(IntCC::NotEqual, s.null, 0);
        let zero = self.iconst(0);
        let value = self.b.ins().select(is_null, zero, s.value);
        let nonzero = self.b.ins().icmp_imm_s(IntCC::NotEqual, value, 0);
        self.b.ins().uextend(I64, nonzero)
    }

    pub(super) fn set_bool(&mut self, dst: Reg, value: CValue, null: CValue) {
        let from = RegRepr {
            repr: Repr::Bool,
            nullable: false,
        };
        let to = self.reg_repr(dst);
        let s = self.convert(Scalar::new(value, null), from, to);
        self.set(dst, s);
    }

    /// Convert a computed scalar to a register's representation.
    pub(super) fn convert(&mut self, s: Scalar, from: RegRepr, to: RegRepr) -> Scalar {
        if from.repr == to.repr {
            return s;
        }
        let p = self.box_scalar(s, from);
        if to.repr == Repr::Boxed {
            let null = self.not_null();
            return Scalar::new(p, null);
        }
        self.unbox(p, to)
    }

    /// Set `dst` from a value computed as `from`, converting it.
    pub(super) fn set_converted(&mut self, dst: Reg, value: CValue, null: CValue, from: RegRepr) {
        let to = self.reg_repr(dst);
        let s = self.convert(Scalar::new(value, null), from, to);
        self.set(dst, s);
    }
}
