//! Strings held natively as (pointer, byte length): constants point into
//! the site table, `trim` returns a slice of its argument, `lower` and
//! `upper` write into the call's scratch bytes (or fail the row, R0005,
//! if the Unicode case mapping panicked), comparisons and `len` read the
//! bytes in place. No `Value` is built for any of them.

use cranelift_codegen::ir::InstBuilder;
use cranelift_codegen::ir::condcodes::IntCC;

use super::{I64, RegRepr, Repr, Scalar, Translator};
use crate::helpers::{KIND_INT, STR_CONTAINS, STR_ENDS_WITH, STR_STARTS_WITH};
use dash_check::stdlib::Builtin;
use dash_check::value::Value;
use dash_ir::interp::RowErrorCode;
use dash_ir::{CmpOp, Reg};

const STR: RegRepr = RegRepr::new(Repr::Str, false);

impl Translator<'_, '_> {
    /// A string constant: its bytes stay in the site table.
    pub(super) fn str_constant(
        &mut self,
        dst: Reg,
        v: &Value,
        span: dash_syntax::source::Span,
    ) -> bool {
        let Value::Str(s) = v else { return false };
        if self.reg_repr(dst).repr != Repr::Str {
            return false;
        }
        // The site keeps the string (and so its bytes) alive as long as
        // the compiled code.
        let (ptr, len) = (s.as_ptr() as i64, s.len() as i64);
        let mut site = self.new_site(span);
        site.value = v.clone();
        self.site(site);
        let value = self.iconst(ptr);
        let len = self.iconst(len);
        let null = self.not_null();
        self.set(dst, Scalar { value, null, len });
        true
    }

    /// `a + b` of two non-null strings, into the scratch bytes.
    pub(super) fn str_concat(&mut self, dst: Reg, a: Reg, b: Reg) -> bool {
        if self.reg_repr(a) != STR || self.reg_repr(b) != STR {
            return false;
        }
        let (x, y) = (self.get(a), self.get(b));
        let (ctx, len) = (self.ctx, self.result_addr());
        let ptr = self.call1(
            "dash_str_concat",
            &[ctx, x.value, x.len, y.value, y.len, len],
        );
        let s = self.str_result(ptr);
        let to = self.reg_repr(dst);
        let s = self.convert(s, STR, to);
        self.set(dst, s);
        true
    }

    /// `contains`, `starts_with` and `ends_with` of two non-null strings.
    fn str_test(&mut self, dst: Reg, name: &str, args: &[Reg]) -> bool {
        let test = match name {
            "contains" => STR_CONTAINS,
            "starts_with" => STR_STARTS_WITH,
            "ends_with" => STR_ENDS_WITH,
            _ => return false,
        };
        let [a, b] = args else { return false };
        if self.reg_repr(*a) != STR || self.reg_repr(*b) != STR {
            return false;
        }
        let (x, y) = (self.get(*a), self.get(*b));
        let test = self.iconst(test);
        let value = self.call1("dash_str_test", &[test, x.value, x.len, y.value, y.len]);
        let null = self.not_null();
        self.set_bool(dst, value, null);
        true
    }

    /// `trim`, `lower`, `upper`, `len`, `contains`, `starts_with` and
    /// `ends_with` of non-null strings (`inst` calls `builtin`).
    pub(super) fn str_builtin(
        &mut self,
        inst: &dash_ir::Inst,
        builtin: &Builtin,
        args: &[Reg],
    ) -> bool {
        let dst = inst.dst;
        if args.len() == 2 {
            return self.str_test(dst, builtin.name, args);
        }
        let [arg] = args else { return false };
        if self.reg_repr(*arg) != STR {
            return false;
        }
        let to = self.reg_repr(dst);
        let ctx = self.ctx;
        let (s, from) = match builtin.name {
            "trim" => {
                let x = self.get(*arg);
                let len = self.result_addr();
                let ptr = self.call1("dash_str_trim", &[x.value, x.len, len]);
                (self.str_result(ptr), STR)
            }
            "lower" | "upper" => {
                let x = self.get(*arg);
                let len = self.result_addr();
                let helper = if builtin.name == "lower" {
                    "dash_str_lower"
                } else {
                    "dash_str_upper"
                };
                let ptr = self.call1(helper, &[ctx, x.value, x.len, len]);
                // Of a non-null string, a null result means the case
                // mapping panicked (R0005 pending): the row fails here.
                let site = self.error_site(inst.span, RowErrorCode::Function, String::new());
                self.fail_if_null(ptr, inst.on_fail, site, false);
                (self.str_result(ptr), STR)
            }
            "len" => {
                let x = self.get(*arg);
                let n = self.call1("dash_str_len", &[x.value, x.len]);
                let null = self.not_null();
                (
                    Scalar::new(n, null),
                    RegRepr::new(Repr::Int(KIND_INT), false),
                )
            }
            _ => return false,
        };
        let s = self.convert(s, from, to);
        self.set(dst, s);
        true
    }

    /// Comparison of two non-null strings, byte-wise (as `str`'s `Ord`).
    pub(super) fn str_compare(&mut self, dst: Reg, op: CmpOp, a: Reg, b: Reg) -> bool {
        if self.reg_repr(a) != STR || self.reg_repr(b) != STR {
            return false;
        }
        let (x, y) = (self.get(a), self.get(b));
        if matches!(op, CmpOp::Eq | CmpOp::Ne) {
            // Strings of different lengths differ: the bytes are compared
            // only when the lengths agree.
            let same_len = self.b.ins().icmp(IntCC::Equal, x.len, y.len);
            let (bytes, done) = (self.b.create_block(), self.b.create_block());
            self.b.append_block_param(done, I64);
            let zero = self.iconst(0);
            self.b
                .ins()
                .brif(same_len, bytes, &[], done, &[zero.into()]);
            self.b.switch_to_block(bytes);
            let ord = self.call1("dash_str_cmp", &[x.value, x.len, y.value, y.len]);
            let c = self.b.ins().icmp_imm_s(IntCC::Equal, ord, 0);
            let equal = self.b.ins().uextend(I64, c);
            self.b.ins().jump(done, &[equal.into()]);
            self.b.switch_to_block(done);
            let equal = self.b.block_params(done)[0];
            let value = if op == CmpOp::Eq {
                equal
            } else {
                self.b.ins().bxor_imm_s(equal, 1)
            };
            let null = self.not_null();
            self.set_bool(dst, value, null);
            return true;
        }
        let ord = self.call1("dash_str_cmp", &[x.value, x.len, y.value, y.len]);
        let c = self.b.ins().icmp_imm_s(super::arith::int_cc(op), ord, 0);
        let value = self.b.ins().uextend(I64, c);
        let null = self.not_null();
        self.set_bool(dst, value, null);
        true
    }
}
