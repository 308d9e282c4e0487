//! Batch functions: a transform compiled as one loop over the rows of a
//! columnar batch (`dash_ir::columns`). Input fields are loaded straight
//! from their columns, the output record's fields stored straight into
//! the output columns, and each row's status written to a status byte;
//! everything between is the row function's code.
//!
//! Signature: `(ctx, input table, output table, rows, status) -> 0`, the
//! tables being [`Columns::raw`](dash_ir::columns::Columns::raw) of batches
//! of the shapes the function was compiled for.

use std::collections::HashMap;
use std::sync::Arc;

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{Block, InstBuilder, MemFlagsData, Value as CValue, types};
use cranelift_frontend::{FunctionBuilder, Variable};

use super::{F64, I64, RegRepr, Repr, Scalar, Translator};
use crate::helpers::{CTX_DIRTY, KIND_DURATION, KIND_INT, KIND_TIMESTAMP, STATUS_FAILED};
use dash_check::{RecordId, Ty};
use dash_ir::columns::{ColumnKind, NodeKind, Shape};
use dash_ir::{Function, Op, Reg};

/// The shapes of a batch function's input and output batches.
#[derive(Clone, Debug)]
pub struct Shapes {
    pub input: Arc<Shape>,
    pub output: Arc<Shape>,
}

/// Whether `func` can be compiled as a batch function: one record
/// parameter, a record result (neither nullable).
pub fn eligible(func: &Function) -> Option<(RecordId, RecordId)> {
    match (&func.params[..], &func.output) {
        ([Ty::Record(input)], Ty::Record(output)) if !func.blocks.is_empty() => {
            Some((*input, *output))
        }
        _ => None,
    }
}

pub(super) struct Batch {
    shapes: Shapes,
    input: CValue,
    output: CValue,
    status: CValue,
    row: Variable,
    /// Where every row ends.
    next: Block,
    head: Block,
    /// Registers holding the parameter (their only definition): fields
    /// of them are read from the input columns; the record itself is
    /// built only where it is used whole.
    param_views: Vec<bool>,
    /// Registers whose only definition is an output record: its fields
    /// are kept in registers and stored into the output columns, the
    /// record itself built only where it is used whole.
    deferrable: Vec<bool>,
    deferred: HashMap<Reg, (RecordId, Vec<(Scalar, RegRepr)>)>,
}

impl Batch {
    /// The loop around the function's blocks (starting at `first`).
    pub(super) fn enter(
        b: &mut FunctionBuilder,
        params: &[CValue],
        shapes: &Shapes,
        func: &Function,
        first: Block,
    ) -> Batch {
        let (input, output, n, status) = (params[1], params[2], params[3], params[4]);
        let row = b.declare_var(I64);
        let zero = b.ins().iconst(I64, 0);
        b.def_var(row, zero);
        let (head, next, exit) = (b.create_block(), b.create_block(), b.create_block());
        b.ins().jump(head, &[]);
        b.switch_to_block(head);
        let r = b.use_var(row);
        let done = b.ins().icmp(IntCC::SignedGreaterThanOrEqual, r, n);
        b.ins().brif(done, exit, &[], first, &[]);
        b.switch_to_block(exit);
        let zero = b.ins().iconst(I64, 0);
        b.ins().return_(&[zero]);

        let mut defs = vec![0u32; func.regs.len()];
        for inst in func.blocks.iter().flat_map(|b| &b.insts) {
            defs[inst.dst.0 as usize] += 1;
        }
        let mut param_views = vec![false; func.regs.len()];
        let mut deferrable = vec![false; func.regs.len()];
        for inst in func.blocks.iter().flat_map(|b| &b.insts) {
            let single = defs[inst.dst.0 as usize] == 1;
            match &inst.op {
                Op::Param(0) if single => param_views[inst.dst.0 as usize] = true,
                Op::Record(id, _) if single && *id == shapes.output.record => {
                    deferrable[inst.dst.0 as usize] = true;
                }
                _ => {}
            }
        }
        Batch {
            shapes: shapes.clone(),
            input,
            output,
            status,
            row,
            next,
            head,
            param_views,
            deferrable,
            deferred: HashMap::new(),
        }
    }
}

fn column_repr(kind: ColumnKind, ty: &Ty, nullable: bool) -> Option<RegRepr> {
    let repr = match (kind, ty) {
        (ColumnKind::Int, Ty::Timestamp) => Repr::Int(KIND_TIMESTAMP),
        (ColumnKind::Int, Ty::Duration) => Repr::Int(KIND_DURATION),
        (ColumnKind::Int, _) => Repr::Int(KIND_INT),
        (ColumnKind::Float, _) => Repr::Float,
        (ColumnKind::Bool, _) => Repr::Bool,
        (ColumnKind::Str, _) => Repr::Str,
        (ColumnKind::Value, _) => return None,
    };
    Some(RegRepr::new(repr, nullable))
}

impl Translator<'_, '_> {
    fn row(&mut self) -> Option<CValue> {
        let row = self.batch.as_ref()?.row;
        Some(self.b.use_var(row))
    }

    /// Load the `i`-th pointer of a column table. The table is valid and
    /// unchanged for the whole call: the load may move (out of the loop).
    fn table_entry(&mut self, table: CValue, i: usize) -> CValue {
        let flags = MemFlagsData::trusted().with_readonly().with_can_move();
        self.b.ins().load(I64, flags, table, (i * 8) as i32)
    }

    /// The row's status byte; a failed row's error is kept by the
    /// context. Then on to the next row.
    pub(super) fn batch_status(&mut self, status: i64) {
        let Some((row, base, next)) = self.row().and_then(|row| {
            let batch = self.batch.as_ref()?;
            Some((row, batch.status, batch.next))
        }) else {
            return;
        };
        let addr = self.b.ins().iadd(base, row);
        let code = self.b.ins().iconst(types::I8, status);
        self.b.ins().store(MemFlagsData::trusted(), code, addr, 0);
        if status == STATUS_FAILED {
            let ctx = self.ctx;
            self.call("dash_row_failed", &[ctx, row]);
        }
        self.b.ins().jump(next, &[]);
    }

    /// The end of every row: what it left (values, a filling scratch
    /// buffer) is dropped, then the next row.
    pub(super) fn end_batch(&mut self) {
        let Some((next, head, row)) = self.batch.as_ref().map(|b| (b.next, b.head, b.row)) else {
            return;
        };
        self.b.switch_to_block(next);
        let ctx = self.ctx;
        let dirty = self
            .b
            .ins()
            .load(types::I8, MemFlagsData::trusted(), ctx, CTX_DIRTY);
        let (clear, advance) = (self.b.create_block(), self.b.create_block());
        self.b.ins().brif(dirty, clear, &[], advance, &[]);
        self.b.switch_to_block(clear);
        self.call("dash_row_end", &[ctx]);
        self.b.ins().jump(advance, &[]);
        self.b.switch_to_block(advance);
        let r = self.b.use_var(row);
        let r = self.b.ins().iadd_imm_s(r, 1);
        self.b.def_var(row, r);
        self.b.ins().jump(head, &[]);
    }

    /// A register that holds no value of its own in a batch function:
    /// the input record or a deferred output record, built here.
    pub(super) fn batch_value(&mut self, r: Reg) -> Option<CValue> {
        let batch = self.batch.as_ref()?;
        let ctx = self.ctx;
        if batch.param_views[r.0 as usize] {
            let row = self.row()?;
            return Some(self.call1("dash_row_value", &[ctx, row]));
        }
        let (id, fields) = batch.deferred.get(&r).cloned()?;
        let ptrs: Vec<CValue> = fields
            .iter()
            .map(|(s, rr)| self.box_scalar(*s, *rr))
            .collect();
        let array = self.pointer_array(&ptrs);
        let (id, n) = (
            self.iconst(i64::from(id.0)),
            self.iconst(fields.len() as i64),
        );
        Some(self.call1("dash_record", &[ctx, id, array, n]))
    }

    /// Instructions a batch function compiles its own way; false for
    /// the rest.
    pub(super) fn batch_inst(&mut self, inst: &dash_ir::Inst) -> bool {
        let Some(batch) = self.batch.as_ref() else {
            return false;
        };
        let dst = inst.dst;
        match &inst.op {
            Op::Param(_) if batch.param_views[dst.0 as usize] => true,
            Op::Param(_) => {
                let (ctx, row) = (self.ctx, self.row());
                let row = row.unwrap_or(ctx);
                let p = self.call1("dash_row_value", &[ctx, row]);
                self.set_from_box(dst, p);
                true
            }
            Op::Field { base, path } if batch.param_views[base.0 as usize] => {
                self.input_field(inst, path);
                true
            }
            Op::Record(id, fields) if batch.deferrable[dst.0 as usize] => {
                let values = fields
                    .iter()
                    .map(|f| (self.get(*f), self.reg_repr(*f)))
                    .collect();
                if let Some(batch) = self.batch.as_mut() {
                    batch.deferred.insert(dst, (*id, values));
                }
                true
            }
            _ => false,
        }
    }

    /// A field of the input record: loaded from its column when it is a
    /// scalar or string leaf, else built by a helper.
    fn input_field(&mut self, inst: &dash_ir::Inst, path: &[u32]) {
        let Some(batch) = self.batch.as_ref() else {
            return;
        };
        let (table, shape) = (batch.input, batch.shapes.input.clone());
        let slots = shape.layout.slots.len();
        let to = self.reg_repr(inst.dst);
        let leaf = shape.slot_at(path).and_then(|(i, slot)| {
            let kind = ColumnKind::of(&slot.ty);
            column_repr(kind, &slot.ty, slot.null_bit.is_some())
                .map(|from| (i as usize, kind, from, slot.null_bit))
        });
        let Some(row) = self.row() else { return };
        let Some((slot, kind, from, bit)) = leaf else {
            let mut site = self.new_site(inst.span);
            site.path = path.to_vec();
            let site = self.site(site);
            let (ctx, site) = (self.ctx, self.iconst(site));
            let p = self.call1("dash_in_field", &[ctx, row, site]);
            self.set_from_box(inst.dst, p);
            return;
        };
        let data = self.table_entry(table, 2 * slot);
        let null = match bit {
            Some(bit) => {
                let nulls = self.table_entry(table, 2 * slots + bit as usize);
                let addr = self.b.ins().iadd(nulls, row);
                let flags = MemFlagsData::trusted().with_readonly();
                let byte = self.b.ins().load(types::I8, flags, addr, 0);
                // Any non-zero byte is null; the flag is 0 or 1.
                self.b.ins().icmp_imm_s(IntCC::NotEqual, byte, 0)
            }
            None => self.not_null(),
        };
        // The input is not written during the call.
        let flags = MemFlagsData::trusted().with_readonly();
        let s = match kind {
            ColumnKind::Str => {
                let bytes = self.table_entry(table, 2 * slot + 1);
                let at = self.b.ins().imul_imm_s(row, 16);
                let addr = self.b.ins().iadd(data, at);
                let offset = self.b.ins().load(I64, flags, addr, 0);
                let len = self.b.ins().load(I64, flags, addr, 8);
                let ptr = self.b.ins().iadd(bytes, offset);
                // Null strings are the pointer 0.
                let zero = self.iconst(0);
                let ptr = self.b.ins().select(null, zero, ptr);
                Scalar {
                    value: ptr,
                    null,
                    len,
                }
            }
            ColumnKind::Bool => {
                let addr = self.b.ins().iadd(data, row);
                let byte = self.b.ins().load(types::I8, flags, addr, 0);
                // Any non-zero byte is true (as `Columns::get` reads it).
                let set = self.b.ins().icmp_imm_s(IntCC::NotEqual, byte, 0);
                let value = self.b.ins().uextend(I64, set);
                Scalar::new(value, null)
            }
            _ => {
                let at = self.b.ins().imul_imm_s(row, 8);
                let addr = self.b.ins().iadd(data, at);
                let ty = if kind == ColumnKind::Float { F64 } else { I64 };
                let value = self.b.ins().load(ty, flags, addr, 0);
                Scalar::new(value, null)
            }
        };
        let s = self.convert(s, from, to);
        self.set(inst.dst, s);
    }

    /// `return r` of a batch function: the output record's fields into
    /// their columns.
    pub(super) fn write_output(&mut self, r: Reg) {
        let ctx = self.ctx;
        let Some(row) = self.row() else { return };
        let deferred = self
            .batch
            .as_ref()
            .and_then(|b| b.deferred.get(&r).cloned());
        match deferred {
            Some((_, fields)) => {
                for (j, (s, rr)) in fields.into_iter().enumerate() {
                    self.write_field(row, j, s, rr);
                }
            }
            None => {
                let p = self.boxed(r);
                self.call("dash_out_value", &[ctx, row, p]);
            }
        }
    }

    fn write_field(&mut self, row: CValue, field: usize, s: Scalar, rr: RegRepr) {
        let Some(batch) = self.batch.as_ref() else {
            return;
        };
        let (table, shape) = (batch.output, batch.shapes.output.clone());
        let ctx = self.ctx;
        let direct = shape.fields.get(field).and_then(|node| match node.kind {
            NodeKind::Leaf(slot) => {
                let ty = &shape.layout.slots[slot as usize].ty;
                let kind = ColumnKind::of(ty);
                let want = column_repr(kind, ty, node.bit.is_some())?;
                let fits = want.repr == rr.repr && (node.bit.is_some() || !rr.nullable);
                fits.then_some((slot as usize, kind, node.bit))
            }
            NodeKind::Record(..) => None,
        });
        let Some((slot, kind, bit)) = direct else {
            let p = self.box_scalar(s, rr);
            let field = self.iconst(field as i64);
            self.call("dash_out_field", &[ctx, row, field, p]);
            return;
        };
        let flags = MemFlagsData::trusted();
        match kind {
            ColumnKind::Str => {
                let slot = self.iconst(slot as i64);
                self.call("dash_out_str", &[ctx, row, slot, s.value, s.len]);
            }
            ColumnKind::Bool => {
                let data = self.table_entry(table, 2 * slot);
                let addr = self.b.ins().iadd(data, row);
                let byte = self.b.ins().ireduce(types::I8, s.value);
                self.b.ins().store(flags, byte, addr, 0);
            }
            _ => {
                let data = self.table_entry(table, 2 * slot);
                let at = self.b.ins().imul_imm_s(row, 8);
                let addr = self.b.ins().iadd(data, at);
                self.b.ins().store(flags, s.value, addr, 0);
            }
        }
        if let Some(bit) = bit {
            let slots = shape.layout.slots.len();
            let nulls = self.table_entry(table, 2 * slots + bit as usize);
            let addr = self.b.ins().iadd(nulls, row);
            self.b.ins().store(flags, s.null, addr, 0);
        }
    }
}
