//! IR function → Cranelift function. Scalars (int, float, bool,
//! timestamp, duration) live in native registers, with a null flag when
//! nullable; arithmetic, comparisons, null checks and branches are
//! emitted inline, integer overflow and division by zero are checked
//! explicitly (Cranelift would trap). Strings, json, lists and records
//! are `*const Value`s handled by the helpers (`helpers.rs`).

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{
    AbiParam, Block, FuncRef, InstBuilder, MemFlagsData, Signature, StackSlotData, StackSlotKind,
    Value as CValue, types,
};
use cranelift_frontend::{FunctionBuilder, Variable};
use cranelift_module::{FuncId as ModuleFuncId, Module};

use super::helpers::{
    KIND_BOOL, KIND_DURATION, KIND_FLOAT, KIND_INT, KIND_TIMESTAMP, STATUS_FAILED, STATUS_SKIPPED,
    STATUS_VALUE, Site,
};
use crate::check::Ty;
use crate::interp::RowErrorCode;
use crate::ir::{Arith, ArithOp, BlockId, CmpOp, FailKind, Function, OnFail, Op, Reg, Term};
use crate::value::Value;

/// How a register is held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repr {
    /// i64: int, timestamp, duration (the kind says which).
    Int(i64),
    Float,
    Bool,
    /// A `*const Value`: strings, json, lists, records, null, unknown.
    Boxed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegRepr {
    pub repr: Repr,
    pub nullable: bool,
}

pub fn repr_of(ty: &Ty) -> RegRepr {
    let nullable = ty.is_nullable();
    let repr = match ty.strip() {
        Ty::Int => Repr::Int(KIND_INT),
        Ty::Timestamp => Repr::Int(KIND_TIMESTAMP),
        Ty::Duration => Repr::Int(KIND_DURATION),
        Ty::Float => Repr::Float,
        Ty::Bool => Repr::Bool,
        _ => Repr::Boxed,
    };
    RegRepr {
        repr,
        nullable: nullable && repr != Repr::Boxed,
    }
}

/// A register's value: native (bits, null flag) or a boxed pointer.
#[derive(Clone, Copy)]
struct Scalar {
    /// i64 for ints/bools/pointers, f64 for floats.
    value: CValue,
    /// i8, non-zero when null (constant 0 for non-nullable).
    null: CValue,
}

/// The helpers as imported into the module.
pub struct Imports {
    pub ids: Vec<(&'static str, ModuleFuncId)>,
}

fn sig(module: &dyn Module, params: &[types::Type], returns: &[types::Type]) -> Signature {
    let mut s = module.make_signature();
    s.params.extend(params.iter().map(|t| AbiParam::new(*t)));
    s.returns.extend(returns.iter().map(|t| AbiParam::new(*t)));
    s
}

const I64: types::Type = types::I64;
const F64: types::Type = types::F64;

impl Imports {
    pub fn declare(module: &mut dyn Module) -> Result<Imports, String> {
        let table: &[(&'static str, &[types::Type], &[types::Type])] = &[
            ("dash_box", &[I64, I64, I64, I64], &[I64]),
            ("dash_unbox", &[I64, I64], &[I64]),
            ("dash_is_null", &[I64], &[I64]),
            ("dash_const", &[I64, I64], &[I64]),
            ("dash_field", &[I64, I64, I64], &[I64]),
            ("dash_compare", &[I64, I64, I64], &[I64]),
            ("dash_fmod", &[F64, F64], &[F64]),
            ("dash_round", &[F64, I64], &[F64]),
            ("dash_concat2", &[I64, I64, I64], &[I64]),
            ("dash_concat", &[I64, I64, I64], &[I64]),
            ("dash_to_float", &[I64, I64], &[I64]),
            ("dash_record", &[I64, I64, I64, I64], &[I64]),
            ("dash_list", &[I64, I64, I64], &[I64]),
            ("dash_index", &[I64, I64, I64], &[I64]),
            ("dash_call_builtin", &[I64, I64, I64, I64], &[I64]),
            ("dash_call_fn", &[I64, I64, I64, I64], &[I64]),
            ("dash_skipped", &[I64], &[I64]),
            ("dash_clear", &[I64], &[]),
            ("dash_fail_at", &[I64, I64], &[]),
            ("dash_fail_message", &[I64, I64, I64], &[]),
        ];
        let mut ids = Vec::new();
        for (name, params, returns) in table {
            let s = sig(module, params, returns);
            let id = module
                .declare_function(name, cranelift_module::Linkage::Import, &s)
                .map_err(|e| e.to_string())?;
            ids.push((*name, id));
        }
        Ok(Imports { ids })
    }
}

/// The signature of every compiled function: `(ctx, args, out) -> status`.
pub fn function_signature(module: &dyn Module) -> Signature {
    sig(module, &[I64, I64, I64], &[I64])
}

pub struct Translator<'a, 'b> {
    pub b: FunctionBuilder<'a>,
    pub module: &'b mut dyn Module,
    pub imports: &'b Imports,
    pub sites: &'b mut Vec<Site>,
    pub func: &'b Function,
    vars: Vec<(Variable, Variable)>,
    /// Each helper imported into this function once.
    refs: Vec<Option<FuncRef>>,
    reprs: Vec<RegRepr>,
    blocks: Vec<Block>,
    ctx: CValue,
    args: CValue,
    out: CValue,
}

impl<'a, 'b> Translator<'a, 'b> {
    pub fn new(
        mut b: FunctionBuilder<'a>,
        module: &'b mut dyn Module,
        imports: &'b Imports,
        sites: &'b mut Vec<Site>,
        func: &'b Function,
    ) -> Translator<'a, 'b> {
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let params = b.block_params(entry).to_vec();
        let reprs: Vec<RegRepr> = func.regs.iter().map(repr_of).collect();
        let mut vars = Vec::new();
        for r in &reprs {
            let ty = if r.repr == Repr::Float { F64 } else { I64 };
            let v = b.declare_var(ty);
            let n = b.declare_var(types::I8);
            // Defined on every path: a register read before any write
            // (never in checked programs) is zero, not undefined.
            let zero = if ty == F64 {
                b.ins().f64const(0.0)
            } else {
                b.ins().iconst(I64, 0)
            };
            b.def_var(v, zero);
            let z8 = b.ins().iconst(types::I8, 0);
            b.def_var(n, z8);
            vars.push((v, n));
        }
        let blocks: Vec<Block> = func.blocks.iter().map(|_| b.create_block()).collect();
        if let Some(first) = blocks.first() {
            b.ins().jump(*first, &[]);
        }
        Translator {
            b,
            module,
            imports,
            sites,
            func,
            vars,
            refs: vec![None; imports.ids.len()],
            reprs,
            blocks,
            ctx: params[0],
            args: params[1],
            out: params[2],
        }
    }

    pub fn translate(mut self) {
        if self.blocks.is_empty() {
            let two = self.b.ins().iconst(I64, STATUS_FAILED);
            self.b.ins().return_(&[two]);
        }
        for (i, block) in self.func.blocks.iter().enumerate() {
            self.b.switch_to_block(self.blocks[i]);
            for inst in &block.insts {
                self.inst(inst);
            }
            self.term(&block.term);
        }
        self.b.seal_all_blocks();
        let config = self.module.isa().frontend_config();
        self.b.finalize(config);
    }

    fn func_ref(&mut self, name: &str) -> Option<FuncRef> {
        let i = self.imports.ids.iter().position(|(n, _)| *n == name)?;
        if let Some(f) = self.refs[i] {
            return Some(f);
        }
        let f = self
            .module
            .declare_func_in_func(self.imports.ids[i].1, self.b.func);
        self.refs[i] = Some(f);
        Some(f)
    }

    fn call(&mut self, name: &str, args: &[CValue]) -> Option<CValue> {
        let f = self.func_ref(name)?;
        let call = self.b.ins().call(f, args);
        self.b.inst_results(call).first().copied()
    }

    fn call1(&mut self, name: &str, args: &[CValue]) -> CValue {
        match self.call(name, args) {
            Some(v) => v,
            None => self.b.ins().iconst(I64, 0),
        }
    }

    fn site(&mut self, site: Site) -> i64 {
        self.sites.push(site);
        (self.sites.len() - 1) as i64
    }

    fn new_site(&self, span: crate::source::Span) -> Site {
        Site::new(self.func.file, span)
    }

    fn iconst(&mut self, v: i64) -> CValue {
        self.b.ins().iconst(I64, v)
    }

    fn not_null(&mut self) -> CValue {
        self.b.ins().iconst(types::I8, 0)
    }

    /// A register's value as held.
    fn get(&mut self, r: Reg) -> Scalar {
        let (v, n) = self.vars[r.0 as usize];
        Scalar {
            value: self.b.use_var(v),
            null: self.b.use_var(n),
        }
    }

    fn reg_repr(&self, r: Reg) -> RegRepr {
        self.reprs[r.0 as usize]
    }

    fn set(&mut self, r: Reg, s: Scalar) {
        let (v, n) = self.vars[r.0 as usize];
        self.b.def_var(v, s.value);
        self.b.def_var(n, s.null);
    }

    /// A register's value as a `*const Value`.
    fn boxed(&mut self, r: Reg) -> CValue {
        let rr = self.reg_repr(r);
        let s = self.get(r);
        self.box_scalar(s, rr)
    }

    fn box_scalar(&mut self, s: Scalar, rr: RegRepr) -> CValue {
        let kind = match rr.repr {
            Repr::Boxed => return s.value,
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

    /// A boxed value as `to`.
    fn unbox(&mut self, p: CValue, to: RegRepr) -> Scalar {
        if to.repr == Repr::Boxed {
            let null = self.not_null();
            return Scalar { value: p, null };
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
        Scalar { value, null }
    }

    /// `r`'s value converted to `to` (its kind of scalar, or boxed).
    fn get_as(&mut self, r: Reg, to: RegRepr) -> Scalar {
        let from = self.reg_repr(r);
        let s = self.get(r);
        if from.repr == to.repr {
            return s;
        }
        match (from.repr, to.repr) {
            (_, Repr::Boxed) => {
                let p = self.box_scalar(s, from);
                let null = self.not_null();
                Scalar { value: p, null }
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

    fn set_from_box(&mut self, dst: Reg, p: CValue) {
        let to = self.reg_repr(dst);
        let s = self.unbox(p, to);
        self.set(dst, s);
    }

    /// Store boxed arguments in a stack slot; its address.
    fn boxed_array(&mut self, regs: &[Reg]) -> CValue {
        let ptrs: Vec<CValue> = regs.iter().map(|r| self.boxed(*r)).collect();
        let size = (ptrs.len().max(1) * 8) as u32;
        let slot = self.b.create_sized_stack_slot(StackSlotData::new(
            StackSlotKind::ExplicitSlot,
            size,
            3,
        ));
        for (i, p) in ptrs.into_iter().enumerate() {
            self.b.ins().stack_store(I64, p, slot, (i * 8) as i32);
        }
        self.b.ins().stack_addr(I64, slot, 0)
    }

    /// Branch to the failure path of `on_fail` when `cond` (i8) is set.
    fn fail_if(&mut self, cond: CValue, on_fail: OnFail, site: i64) {
        let fail = self.b.create_block();
        let ok = self.b.create_block();
        self.b.ins().brif(cond, fail, &[], ok, &[]);
        self.b.switch_to_block(fail);
        self.fail(on_fail, site);
        self.b.switch_to_block(ok);
    }

    /// The failure path (in the current block): to the `??` default, or
    /// out of the row.
    fn fail(&mut self, on_fail: OnFail, site: i64) {
        let ctx = self.ctx;
        match on_fail {
            OnFail::Catch(BlockId(target)) => {
                self.call("dash_clear", &[ctx]);
                let t = self.blocks[target as usize];
                self.b.ins().jump(t, &[]);
            }
            OnFail::Row => {
                let s = self.iconst(site);
                self.call("dash_fail_at", &[ctx, s]);
                let status = self.iconst(STATUS_FAILED);
                self.b.ins().return_(&[status]);
            }
        }
    }

    /// A helper returned null: the row failed (or was skipped) there.
    fn fail_if_null(&mut self, p: CValue, on_fail: OnFail, site: i64, may_skip: bool) {
        let is_null = self.b.ins().icmp_imm_s(IntCC::Equal, p, 0);
        let fail = self.b.create_block();
        let ok = self.b.create_block();
        self.b.ins().brif(is_null, fail, &[], ok, &[]);
        self.b.switch_to_block(fail);
        if may_skip {
            let ctx = self.ctx;
            let skipped = self.call1("dash_skipped", &[ctx]);
            let skip = self.b.create_block();
            let failed = self.b.create_block();
            self.b.ins().brif(skipped, skip, &[], failed, &[]);
            self.b.switch_to_block(skip);
            let status = self.iconst(STATUS_SKIPPED);
            self.b.ins().return_(&[status]);
            self.b.switch_to_block(failed);
        }
        self.fail(on_fail, site);
        self.b.switch_to_block(ok);
    }

    fn error_site(
        &mut self,
        span: crate::source::Span,
        code: RowErrorCode,
        message: String,
    ) -> i64 {
        let mut s = self.new_site(span);
        s.code = code;
        s.message = message;
        self.site(s)
    }

    fn inst(&mut self, inst: &crate::ir::Inst) {
        let dst = inst.dst;
        let to = self.reg_repr(dst);
        let ctx = self.ctx;
        match &inst.op {
            Op::Const(v) => self.constant(dst, v, inst.span),
            Op::Param(i) => {
                let addr = self.b.ins().iadd_imm_s(self.args, i64::from(*i) * 8);
                let p = self.b.ins().load(I64, MemFlagsData::trusted(), addr, 0);
                self.set_from_box(dst, p);
            }
            Op::Copy(a) => {
                let s = self.get_as(*a, to);
                self.set(dst, s);
            }
            Op::Field { base, path } => {
                let mut s = self.new_site(inst.span);
                s.path = path.clone();
                let site = self.site(s);
                let base = self.boxed(*base);
                let site = self.iconst(site);
                let p = self.call1("dash_field", &[ctx, base, site]);
                self.set_from_box(dst, p);
            }
            Op::IsNull(a) => {
                let rr = self.reg_repr(*a);
                let s = self.get(*a);
                let value = match rr.repr {
                    Repr::Boxed => self.call1("dash_is_null", &[s.value]),
                    _ => self.b.ins().uextend(I64, s.null),
                };
                let null = self.not_null();
                self.set_bool(dst, value, null);
            }
            Op::Not(a) => {
                // `!null` is true, like the interpreter's `!as_bool().unwrap_or(false)`.
                let s = self.get_as(
                    *a,
                    RegRepr {
                        repr: Repr::Bool,
                        nullable: true,
                    },
                );
                let truthy = self.truthy(s);
                let value = self.b.ins().bxor_imm_s(truthy, 1);
                let null = self.not_null();
                self.set_bool(dst, value, null);
            }
            Op::Neg(_, a) => self.neg(inst, *a),
            Op::Arith(op, kind, a, b) => self.arith(inst, *op, *kind, *a, *b),
            Op::Compare(op, a, b) => self.compare(dst, *op, *a, *b),
            Op::ToFloat(a) => {
                let rr = self.reg_repr(*a);
                match rr.repr {
                    Repr::Int(KIND_INT) => {
                        let s = self.get(*a);
                        let value = self.b.ins().fcvt_from_sint(F64, s.value);
                        let s = Scalar {
                            value,
                            null: s.null,
                        };
                        let from = RegRepr {
                            repr: Repr::Float,
                            nullable: rr.nullable,
                        };
                        let s = self.convert(s, from, to);
                        self.set(dst, s);
                    }
                    Repr::Boxed => {
                        let p = self.boxed(*a);
                        let p = self.call1("dash_to_float", &[ctx, p]);
                        self.set_from_box(dst, p);
                    }
                    _ => {
                        let s = self.get_as(*a, to);
                        self.set(dst, s);
                    }
                }
            }
            Op::Call(builtin, args) if self.native_round(builtin.name, args) => {
                let x = self.get(args[0]);
                let digits = match args.get(1) {
                    Some(d) => self.get(*d).value,
                    None => self.iconst(0),
                };
                let value = self.call1f("dash_round", &[x.value, digits]);
                let null = self.not_null();
                let from = RegRepr {
                    repr: Repr::Float,
                    nullable: false,
                };
                let s = self.convert(Scalar { value, null }, from, to);
                self.set(dst, s);
            }
            Op::Call(builtin, args) => {
                let mut s = self.new_site(inst.span);
                s.builtin = Some(builtin);
                let site = self.site(s);
                let array = self.boxed_array(args);
                let (site_v, n) = (self.iconst(site), self.iconst(args.len() as i64));
                let p = self.call1("dash_call_builtin", &[ctx, site_v, array, n]);
                self.fail_if_null(p, inst.on_fail, site, false);
                self.set_from_box(dst, p);
            }
            Op::CallFn(id, args) => {
                let site = self.error_site(inst.span, RowErrorCode::Fail, String::new());
                let array = self.boxed_array(args);
                let (f, n) = (self.iconst(i64::from(id.0)), self.iconst(args.len() as i64));
                let p = self.call1("dash_call_fn", &[ctx, f, array, n]);
                self.fail_if_null(p, inst.on_fail, site, true);
                self.set_from_box(dst, p);
            }
            Op::Record(id, fields) => {
                let array = self.boxed_array(fields);
                let (id, n) = (
                    self.iconst(i64::from(id.0)),
                    self.iconst(fields.len() as i64),
                );
                let p = self.call1("dash_record", &[ctx, id, array, n]);
                self.set_from_box(dst, p);
            }
            Op::List(items) => {
                let array = self.boxed_array(items);
                let n = self.iconst(items.len() as i64);
                let p = self.call1("dash_list", &[ctx, array, n]);
                self.set_from_box(dst, p);
            }
            Op::Index(list, index) => {
                let site = self.error_site(inst.span, RowErrorCode::Index, String::new());
                let (l, i) = (self.boxed(*list), self.boxed(*index));
                let p = self.call1("dash_index", &[ctx, l, i]);
                self.fail_if_null(p, inst.on_fail, site, false);
                self.set_from_box(dst, p);
            }
            Op::Concat(parts) => {
                let array = self.boxed_array(parts);
                let n = self.iconst(parts.len() as i64);
                let p = self.call1("dash_concat", &[ctx, array, n]);
                self.set_from_box(dst, p);
            }
        }
    }

    /// `round` of a non-null float (and int digits) needs no boxing: it
    /// calls the built-in's rounding on native values.
    fn native_round(&self, name: &str, args: &[Reg]) -> bool {
        let float = RegRepr {
            repr: Repr::Float,
            nullable: false,
        };
        let int = RegRepr {
            repr: Repr::Int(KIND_INT),
            nullable: false,
        };
        name == "round"
            && match args {
                [x] => self.reg_repr(*x) == float,
                [x, d] => self.reg_repr(*x) == float && self.reg_repr(*d) == int,
                _ => false,
            }
    }

    fn call1f(&mut self, name: &str, args: &[CValue]) -> CValue {
        match self.call(name, args) {
            Some(v) => v,
            None => self.b.ins().f64const(f64::NAN),
        }
    }

    /// A bool (i64 0/1) that is false when null.
    fn truthy(&mut self, s: Scalar) -> CValue {
        let is_null = self.b.ins().icmp_imm_s(IntCC::NotEqual, s.null, 0);
        let zero = self.iconst(0);
        let value = self.b.ins().select(is_null, zero, s.value);
        let nonzero = self.b.ins().icmp_imm_s(IntCC::NotEqual, value, 0);
        self.b.ins().uextend(I64, nonzero)
    }

    fn set_bool(&mut self, dst: Reg, value: CValue, null: CValue) {
        let from = RegRepr {
            repr: Repr::Bool,
            nullable: false,
        };
        let to = self.reg_repr(dst);
        let s = self.convert(Scalar { value, null }, from, to);
        self.set(dst, s);
    }

    /// Convert a computed scalar to a register's representation.
    fn convert(&mut self, s: Scalar, from: RegRepr, to: RegRepr) -> Scalar {
        if from.repr == to.repr {
            return s;
        }
        let p = self.box_scalar(s, from);
        if to.repr == Repr::Boxed {
            let null = self.not_null();
            return Scalar { value: p, null };
        }
        self.unbox(p, to)
    }

    fn constant(&mut self, dst: Reg, v: &Value, span: crate::source::Span) {
        let to = self.reg_repr(dst);
        let native = match (to.repr, v) {
            (Repr::Int(_), Value::Int(i) | Value::Timestamp(i) | Value::Duration(i)) => {
                Some(self.iconst(*i))
            }
            (Repr::Float, Value::Float(f)) => Some(self.b.ins().f64const(*f)),
            (Repr::Float, Value::Int(i)) => Some(self.b.ins().f64const(*i as f64)),
            (Repr::Bool, Value::Bool(b)) => Some(self.iconst(i64::from(*b))),
            _ => None,
        };
        if let Some(value) = native {
            let null = self.not_null();
            self.set(dst, Scalar { value, null });
            return;
        }
        let mut s = self.new_site(span);
        s.value = v.clone();
        let site = self.site(s);
        let site = self.iconst(site);
        let ctx = self.ctx;
        let p = self.call1("dash_const", &[ctx, site]);
        self.set_from_box(dst, p);
    }

    /// Set `dst` from a value computed as `from`, converting it.
    fn set_converted(&mut self, dst: Reg, value: CValue, null: CValue, from: RegRepr) {
        let to = self.reg_repr(dst);
        let s = self.convert(Scalar { value, null }, from, to);
        self.set(dst, s);
    }

    fn neg(&mut self, inst: &crate::ir::Inst, a: Reg) {
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

    fn arith(&mut self, inst: &crate::ir::Inst, op: ArithOp, kind: Arith, a: Reg, b: Reg) {
        let dst = inst.dst;
        let to = self.reg_repr(dst);
        match kind {
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
                let s = self.convert(Scalar { value, null }, f, to);
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
                let s = self.convert(Scalar { value, null }, i, to);
                self.set(dst, s);
            }
            Arith::Time => self.time_op(inst, op, a, b),
        }
    }

    /// Checked i64 `op`, failing (unless either side is null) like the
    /// interpreter's `int_op`; `what` overrides the overflow message.
    fn int_op(
        &mut self,
        inst: &crate::ir::Inst,
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

    fn time_op(&mut self, inst: &crate::ir::Inst, op: ArithOp, a: Reg, b: Reg) {
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
        let s = self.convert(Scalar { value, null }, from, to);
        self.set(dst, s);
    }

    fn constant_null(&mut self) -> CValue {
        let kind = self.iconst(KIND_INT);
        let zero = self.iconst(0);
        let one = self.iconst(1);
        let ctx = self.ctx;
        self.call1("dash_box", &[ctx, kind, zero, one])
    }

    fn compare(&mut self, dst: Reg, op: CmpOp, a: Reg, b: Reg) {
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
                let cc = match op {
                    CmpOp::Eq => IntCC::Equal,
                    CmpOp::Ne => IntCC::NotEqual,
                    CmpOp::Lt => IntCC::SignedLessThan,
                    CmpOp::Le => IntCC::SignedLessThanOrEqual,
                    CmpOp::Gt => IntCC::SignedGreaterThan,
                    CmpOp::Ge => IntCC::SignedGreaterThanOrEqual,
                };
                self.b.ins().icmp(cc, x.value, y.value)
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

    fn term(&mut self, term: &Term) {
        match term {
            Term::Jump(t) => {
                let t = self.blocks[t.0 as usize];
                self.b.ins().jump(t, &[]);
            }
            Term::Branch {
                cond,
                then,
                otherwise,
            } => {
                let s = self.get_as(
                    *cond,
                    RegRepr {
                        repr: Repr::Bool,
                        nullable: true,
                    },
                );
                let c = self.truthy(s);
                let (t, o) = (
                    self.blocks[then.0 as usize],
                    self.blocks[otherwise.0 as usize],
                );
                self.b.ins().brif(c, t, &[], o, &[]);
            }
            Term::Return(r) => {
                let p = self.boxed(*r);
                self.b.ins().store(MemFlagsData::trusted(), p, self.out, 0);
                let status = self.iconst(STATUS_VALUE);
                self.b.ins().return_(&[status]);
            }
            Term::Skip => {
                let status = self.iconst(STATUS_SKIPPED);
                self.b.ins().return_(&[status]);
            }
            Term::Fail {
                message,
                kind,
                span,
            } => {
                let code = match kind {
                    FailKind::Require => RowErrorCode::Require,
                    FailKind::Fail => RowErrorCode::Fail,
                };
                let site = self.error_site(*span, code, String::new());
                let p = self.boxed(*message);
                let (ctx, site) = (self.ctx, self.iconst(site));
                self.call("dash_fail_message", &[ctx, site, p]);
                let status = self.iconst(STATUS_FAILED);
                self.b.ins().return_(&[status]);
            }
        }
    }
}
