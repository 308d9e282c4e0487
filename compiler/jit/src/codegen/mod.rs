//! IR function → Cranelift function: the translator's state, control
//! flow, instructions and terminators. Scalars (int, float, bool,
//! timestamp, duration) live in native registers, with a null flag when
//! nullable, strings as (pointer, length) (`repr.rs`); arithmetic and
//! comparisons are inline (`arith.rs`), as are null checks and branches;
//! json, lists and records are `*const Value`s handled by the helpers
//! (`../helpers/`). `batch.rs` turns a function into a loop over a
//! columnar batch.

mod arith;
mod batch;
mod imports;
mod repr;
mod strings;

pub use batch::{Shapes, eligible};
pub use imports::{Imports, batch_signature, function_signature};
pub use repr::{RegRepr, Repr, repr_of};
use repr::{Scalar, Vars};

const I64: types::Type = types::I64;
const F64: types::Type = types::F64;

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    Block, FuncRef, InstBuilder, MemFlagsData, StackSlot, Value as CValue, types,
};
use cranelift_frontend::FunctionBuilder;
use cranelift_module::Module;

use super::helpers::{KIND_INT, STATUS_FAILED, STATUS_SKIPPED, STATUS_VALUE, Site};
use dash_check::value::Value;
use dash_ir::interp::RowErrorCode;
use dash_ir::{BlockId, FailKind, Function, OnFail, Op, Reg, Term};

pub struct Translator<'a, 'b> {
    pub b: FunctionBuilder<'a>,
    pub module: &'b mut dyn Module,
    pub imports: &'b Imports,
    pub sites: &'b mut Vec<Site>,
    pub func: &'b Function,
    vars: Vec<Vars>,
    /// Each helper imported into this function once.
    refs: Vec<Option<FuncRef>>,
    reprs: Vec<RegRepr>,
    blocks: Vec<Block>,
    ctx: CValue,
    /// Row functions: the argument array and the result slot.
    args: CValue,
    out: CValue,
    /// Where helpers put a second result: a string's length, a rounded
    /// float.
    result_slot: Option<StackSlot>,
    /// Batch functions: the loop and the columns.
    batch: Option<batch::Batch>,
}

impl<'a, 'b> Translator<'a, 'b> {
    /// Translate `func` as a row function (`shapes` is `None`) or as a
    /// batch function over columns of `shapes`.
    pub fn new(
        mut b: FunctionBuilder<'a>,
        module: &'b mut dyn Module,
        imports: &'b Imports,
        sites: &'b mut Vec<Site>,
        func: &'b Function,
        shapes: Option<&batch::Shapes>,
    ) -> Translator<'a, 'b> {
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let params = b.block_params(entry).to_vec();
        let reprs: Vec<RegRepr> = func.regs.iter().map(repr_of).collect();
        let mut vars = Vec::new();
        for r in &reprs {
            let ty = if r.repr == Repr::Float { F64 } else { I64 };
            let value = b.declare_var(ty);
            let null = b.declare_var(types::I8);
            // Defined on every path: a register read before any write
            // (never in checked programs) is zero, not undefined.
            let zero = if ty == F64 {
                b.ins().f64const(0.0)
            } else {
                b.ins().iconst(I64, 0)
            };
            b.def_var(value, zero);
            let z8 = b.ins().iconst(types::I8, 0);
            b.def_var(null, z8);
            let len = (r.repr == Repr::Str).then(|| {
                let len = b.declare_var(I64);
                let z = b.ins().iconst(I64, 0);
                b.def_var(len, z);
                len
            });
            vars.push(Vars { value, null, len });
        }
        let blocks: Vec<Block> = func.blocks.iter().map(|_| b.create_block()).collect();
        let batch = match (shapes, blocks.first()) {
            (Some(shapes), Some(first)) => {
                Some(batch::Batch::enter(&mut b, &params, shapes, func, *first))
            }
            (None, Some(first)) => {
                b.ins().jump(*first, &[]);
                None
            }
            _ => None,
        };
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
            result_slot: None,
            batch,
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
        self.end_batch();
        self.b.seal_all_blocks();
        let config = self.module.isa().frontend_config();
        self.b.finalize(config);
    }

    /// The row ends with `status`: a row function returns it, a batch
    /// function records it and goes on with the next row.
    fn finish_row(&mut self, status: i64) {
        if self.batch.is_some() {
            self.batch_status(status);
        } else {
            let status = self.iconst(status);
            self.b.ins().return_(&[status]);
        }
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

    fn new_site(&self, span: dash_syntax::source::Span) -> Site {
        Site::new(self.func.file, span)
    }

    fn iconst(&mut self, v: i64) -> CValue {
        self.b.ins().iconst(I64, v)
    }

    fn not_null(&mut self) -> CValue {
        self.b.ins().iconst(types::I8, 0)
    }

    /// Branch to the failure path of `on_fail` when `cond` (an integer:
    /// an i8 test, a helper's i64 flag) is not zero.
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
                self.finish_row(STATUS_FAILED);
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
            self.finish_row(STATUS_SKIPPED);
            self.b.switch_to_block(failed);
        }
        self.fail(on_fail, site);
        self.b.switch_to_block(ok);
    }

    fn error_site(
        &mut self,
        span: dash_syntax::source::Span,
        code: RowErrorCode,
        message: String,
    ) -> i64 {
        let mut s = self.new_site(span);
        s.code = code;
        s.message = message;
        self.site(s)
    }

    fn inst(&mut self, inst: &dash_ir::Inst) {
        if self.batch_inst(inst) {
            return;
        }
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
                        let s = Scalar::new(value, s.null);
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
            Op::Call(builtin, args) if self.str_builtin(inst, builtin, args) => {}
            Op::Call(builtin, args) if self.native_round(builtin.name, args) => {
                let x = self.get(args[0]);
                let digits = match args.get(1) {
                    Some(d) => self.get(*d).value,
                    None => self.iconst(0),
                };
                // The rounded float comes back in the result slot; a
                // set flag means the rounding panicked (R0005 pending).
                let site = self.error_site(inst.span, RowErrorCode::Function, String::new());
                let out = self.result_addr();
                let failed = self.call1("dash_round", &[ctx, x.value, digits, out]);
                self.fail_if(failed, inst.on_fail, site);
                let slot = self.result_slot();
                let value = self.b.ins().stack_load(I64, F64, slot, 0);
                let null = self.not_null();
                let from = RegRepr {
                    repr: Repr::Float,
                    nullable: false,
                };
                let s = self.convert(Scalar::new(value, null), from, to);
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

    fn constant(&mut self, dst: Reg, v: &Value, span: dash_syntax::source::Span) {
        if self.str_constant(dst, v, span) {
            return;
        }
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
            self.set(dst, Scalar::new(value, null));
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
                if self.batch.is_some() {
                    self.write_output(*r);
                } else {
                    let p = self.boxed(*r);
                    self.b.ins().store(MemFlagsData::trusted(), p, self.out, 0);
                }
                self.finish_row(STATUS_VALUE);
            }
            Term::Skip => {
                self.finish_row(STATUS_SKIPPED);
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
                self.finish_row(STATUS_FAILED);
            }
        }
    }
}
