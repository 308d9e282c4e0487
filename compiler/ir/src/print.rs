//! The text form of the IR (`dashc compile --emit ir`), one line per
//! instruction, stable for snapshot tests.

use std::fmt::Write as _;

use super::layout::Layout;
use super::{Arith, ArithOp, CmpOp, FailKind, Function, Inst, OnFail, Op, Program, Reg, Term};
use dash_check::{RecordId, Ty};

pub fn print_program(program: &Program) -> String {
    let mut out = String::new();
    print_layouts(&mut out, program);
    for (i, f) in program.functions.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        print_function(&mut out, program, f);
    }
    out
}

/// The flattened layout of every record type the functions take or make.
fn print_layouts(out: &mut String, program: &Program) {
    let mut used: Vec<RecordId> = Vec::new();
    for f in &program.functions {
        for ty in f.params.iter().chain([&f.output]).chain(f.regs.iter()) {
            if let Ty::Record(id) = ty.strip()
                && !used.contains(id)
            {
                used.push(*id);
            }
        }
    }
    used.sort();
    for id in used {
        let slots = super::layout::slot_count(&program.records, id);
        if slots > 1024 {
            let _ = writeln!(
                out,
                "layout {} {{ {slots} slots, not listed }}\n",
                record_name(program, id)
            );
            continue;
        }
        let layout = Layout::of(&program.records, id);
        let _ = writeln!(out, "layout {} {{", record_name(program, id));
        for (i, slot) in layout.slots.iter().enumerate() {
            let null = slot
                .null_bit
                .map(|b| format!(" null_bit {b} ({})", layout.null_bits[b as usize]))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  slot {i}: {} {}{null}",
                slot.path,
                slot.ty.display(&program.record_names)
            );
        }
        out.push_str("}\n\n");
    }
}

fn print_function(out: &mut String, program: &Program, f: &Function) {
    let show = |ty: &Ty| ty.display(&program.record_names).to_string();
    let params: Vec<String> = f.params.iter().map(show).collect();
    let _ = writeln!(
        out,
        "fn {}({}) -> {} {{",
        f.name,
        params.join(", "),
        show(&f.output)
    );
    for (b, block) in f.blocks.iter().enumerate() {
        let _ = writeln!(out, "b{b}:");
        for inst in &block.insts {
            let _ = writeln!(out, "  {}", inst_text(program, f, inst));
        }
        let _ = writeln!(out, "  {}", term_text(&block.term));
    }
    out.push_str("}\n");
}

fn inst_text(program: &Program, f: &Function, inst: &Inst) -> String {
    let ty = f
        .regs
        .get(inst.dst.0 as usize)
        .map(|t| t.display(&program.record_names).to_string())
        .unwrap_or_default();
    let mut text = format!(
        "{}: {ty} = {}",
        reg(inst.dst),
        op_text(program, f, &inst.op)
    );
    if inst.op.can_fail() {
        match inst.on_fail {
            OnFail::Row => text.push_str(" !row"),
            OnFail::Catch(b) => {
                let _ = write!(text, " !catch b{}", b.0);
            }
        }
    }
    text
}

fn op_text(program: &Program, f: &Function, op: &Op) -> String {
    match op {
        Op::Const(v) => format!("const {}", v.to_literal(&program.records)),
        Op::Param(i) => format!("param {i}"),
        Op::Copy(r) => format!("copy {}", reg(*r)),
        Op::Field { base, path } => {
            let names = field_path(program, f, *base, path);
            format!("field {}.{names}", reg(*base))
        }
        Op::IsNull(r) => format!("is_null {}", reg(*r)),
        Op::Not(r) => format!("not {}", reg(*r)),
        Op::Neg(kind, r) => format!("neg.{} {}", arith(*kind), reg(*r)),
        Op::Arith(op, kind, a, b) => {
            let name = match op {
                ArithOp::Add => "add",
                ArithOp::Sub => "sub",
                ArithOp::Mul => "mul",
                ArithOp::Div => "div",
                ArithOp::Rem => "rem",
            };
            format!("{name}.{} {}, {}", arith(*kind), reg(*a), reg(*b))
        }
        Op::Compare(op, a, b) => {
            let name = match op {
                CmpOp::Eq => "eq",
                CmpOp::Ne => "ne",
                CmpOp::Lt => "lt",
                CmpOp::Le => "le",
                CmpOp::Gt => "gt",
                CmpOp::Ge => "ge",
            };
            format!("{name} {}, {}", reg(*a), reg(*b))
        }
        Op::ToFloat(r) => format!("to_float {}", reg(*r)),
        Op::Call(b, args) => format!("call {}({})", b.name, regs(args)),
        Op::CallFn(id, args) => {
            let name = program
                .functions
                .get(id.0 as usize)
                .map_or("?", |f| f.name.as_str());
            format!("call_fn {name}({})", regs(args))
        }
        Op::Record(id, fields) => {
            format!("record {}{{{}}}", record_name(program, *id), regs(fields))
        }
        Op::List(items) => format!("list [{}]", regs(items)),
        Op::Index(l, i) => format!("index {}[{}]", reg(*l), reg(*i)),
        Op::Concat(parts) => format!("concat {}", regs(parts)),
    }
}

fn term_text(term: &Term) -> String {
    match term {
        Term::Jump(b) => format!("jump b{}", b.0),
        Term::Branch {
            cond,
            then,
            otherwise,
        } => format!("branch {}, b{}, b{}", reg(*cond), then.0, otherwise.0),
        Term::Return(r) => format!("return {}", reg(*r)),
        Term::Skip => "skip".into(),
        Term::Fail { message, kind, .. } => {
            let kind = match kind {
                FailKind::Require => "require",
                FailKind::Fail => "fail",
            };
            format!("fail.{kind} {}", reg(*message))
        }
    }
}

fn arith(kind: Arith) -> &'static str {
    match kind {
        Arith::Int => "int",
        Arith::Float => "float",
        Arith::Str => "str",
        Arith::Time => "time",
    }
}

fn reg(r: Reg) -> String {
    format!("%{}", r.0)
}

fn regs(rs: &[Reg]) -> String {
    rs.iter().map(|r| reg(*r)).collect::<Vec<_>>().join(", ")
}

fn record_name(program: &Program, id: RecordId) -> &str {
    program
        .record_names
        .get(id.0 as usize)
        .map_or("?", String::as_str)
}

/// `loc.lat` for an index path, following the record types.
fn field_path(program: &Program, f: &Function, base: Reg, path: &[u32]) -> String {
    let mut ty = f.regs.get(base.0 as usize).cloned().unwrap_or(Ty::Unknown);
    let mut names = Vec::new();
    for i in path {
        let field = match ty.strip() {
            Ty::Record(id) => program
                .records
                .get(id.0 as usize)
                .and_then(|r| r.fields.get(*i as usize)),
            _ => None,
        };
        match field {
            Some(field) => {
                names.push(field.name.clone());
                ty = field.ty.clone();
            }
            None => {
                names.push(i.to_string());
                ty = Ty::Unknown;
            }
        }
    }
    names.join(".")
}
