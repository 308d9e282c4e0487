//! Building one IR function: registers, blocks, scopes, the stack of `??`
//! handlers, and statements.

use std::collections::HashMap;

use crate::{self as ir, BlockId, FailKind, FuncId, Inst, OnFail, Op, Reg, Term};
use dash_check::value::Value;
use dash_check::{Program, Ty};
use dash_syntax::ast::{Block, Stmt, StmtKind};
use dash_syntax::source::{FileId, Span};

pub(super) struct FnBuilder<'a> {
    pub(super) checked: &'a Program,
    pub(super) ids: &'a HashMap<String, FuncId>,
    pub(super) file: FileId,
    regs: Vec<Ty>,
    blocks: Vec<ir::Block>,
    /// Whether each block has its terminator yet.
    done: Vec<bool>,
    current: BlockId,
    scope: Vec<(String, Reg)>,
    /// Innermost `??` default block last.
    pub(super) catch: Vec<BlockId>,
}

impl<'a> FnBuilder<'a> {
    pub(super) fn new(
        checked: &'a Program,
        ids: &'a HashMap<String, FuncId>,
        file: FileId,
    ) -> Self {
        let mut b = FnBuilder {
            checked,
            ids,
            file,
            regs: Vec::new(),
            blocks: Vec::new(),
            done: Vec::new(),
            current: BlockId(0),
            scope: Vec::new(),
            catch: Vec::new(),
        };
        b.current = b.new_block();
        b
    }

    pub(super) fn finish(mut self, name: String, params: Vec<Ty>, output: Ty) -> ir::Function {
        // Blocks left open are unreachable (after `fail`); close them.
        for (i, done) in self.done.iter().enumerate() {
            if !done {
                let message = Reg(self.regs.len() as u32);
                self.regs.push(Ty::String);
                self.blocks[i].insts.push(Inst {
                    dst: message,
                    op: Op::Const(Value::str("unreachable")),
                    span: Span::default(),
                    on_fail: OnFail::Row,
                });
                self.blocks[i].term = Term::Fail {
                    message,
                    kind: FailKind::Fail,
                    span: Span::default(),
                };
            }
        }
        ir::Function {
            name,
            file: self.file,
            params,
            output,
            regs: self.regs,
            blocks: self.blocks,
        }
    }

    pub(super) fn new_block(&mut self) -> BlockId {
        self.blocks.push(ir::Block {
            insts: Vec::new(),
            term: Term::Skip,
        });
        self.done.push(false);
        BlockId(self.blocks.len() as u32 - 1)
    }

    pub(super) fn current(&self) -> BlockId {
        self.current
    }

    pub(super) fn switch_to(&mut self, block: BlockId) {
        self.current = block;
    }

    pub(super) fn new_reg(&mut self, ty: Ty) -> Reg {
        self.regs.push(ty);
        Reg(self.regs.len() as u32 - 1)
    }

    /// Append an instruction to the current block; failures go to the
    /// innermost `??` default, else out of the row.
    pub(super) fn emit(&mut self, op: Op, ty: Ty, span: Span) -> Reg {
        let dst = self.new_reg(ty);
        self.emit_to(dst, op, span);
        dst
    }

    pub(super) fn emit_to(&mut self, dst: Reg, op: Op, span: Span) {
        let on_fail = match self.catch.last() {
            Some(b) if op.can_fail() => OnFail::Catch(*b),
            _ => OnFail::Row,
        };
        let block = self.current.0 as usize;
        if self.done[block] {
            // Code after `fail`: never runs; keep it out of the IR.
            return;
        }
        self.blocks[block].insts.push(Inst {
            dst,
            op,
            span,
            on_fail,
        });
    }

    /// End the current block; code after this lands in a fresh block that
    /// nothing jumps to.
    pub(super) fn terminate(&mut self, term: Term) {
        let block = self.current.0 as usize;
        if !self.done[block] {
            self.blocks[block].term = term;
            self.done[block] = true;
        }
    }

    pub(super) fn is_open(&self) -> bool {
        !self.done[self.current.0 as usize]
    }

    pub(super) fn bind(&mut self, name: &str, reg: Reg) {
        self.scope.push((name.to_string(), reg));
    }

    pub(super) fn lookup(&self, name: &str) -> Option<Reg> {
        self.scope
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, r)| *r)
    }

    pub(super) fn reg_ty(&self, reg: Reg) -> Ty {
        self.regs
            .get(reg.0 as usize)
            .cloned()
            .unwrap_or(Ty::Unknown)
    }

    /// Promote ints to float where a float is expected.
    pub(super) fn coerce(&mut self, reg: Reg, to: &Ty, span: Span) -> Reg {
        let from = self.reg_ty(reg);
        let needs = match (from.strip(), to.strip()) {
            (Ty::Int, Ty::Float) => true,
            (Ty::List(a), Ty::List(b)) => **a == Ty::Int && **b == Ty::Float,
            _ => false,
        };
        if needs {
            let ty = if from.is_nullable() {
                to.strip().clone().nullable()
            } else {
                to.strip().clone()
            };
            self.emit(Op::ToFloat(reg), ty, span)
        } else {
            reg
        }
    }

    /// Lower a block; returns the register of its value.
    pub(super) fn block(&mut self, b: &Block) -> Reg {
        let mark = self.scope.len();
        for stmt in &b.stmts {
            self.stmt(stmt);
        }
        let result = match &b.result {
            Some(e) => self.expr(e),
            None => self.emit(Op::Const(Value::Null), Ty::Never, b.span),
        };
        self.scope.truncate(mark);
        result
    }

    pub(super) fn stmt(&mut self, stmt: &Stmt) {
        match &stmt.kind {
            StmtKind::Let { name, ty, value } => {
                let mut r = self.expr(value);
                if let Some(ty) = ty {
                    let declared = self.checked.resolve(ty);
                    r = self.coerce(r, &declared, value.span);
                }
                self.bind(&name.name, r);
            }
            StmtKind::Require { cond, message } => {
                let c = self.expr(cond);
                let ok = self.new_block();
                let bad = self.new_block();
                self.terminate(Term::Branch {
                    cond: c,
                    then: ok,
                    otherwise: bad,
                });
                self.switch_to(bad);
                let m = self.expr(message);
                self.terminate(Term::Fail {
                    message: m,
                    kind: FailKind::Require,
                    span: cond.span,
                });
                self.switch_to(ok);
            }
            StmtKind::SkipIf(cond) => {
                let c = self.expr(cond);
                let skip = self.new_block();
                let go = self.new_block();
                self.terminate(Term::Branch {
                    cond: c,
                    then: skip,
                    otherwise: go,
                });
                self.switch_to(skip);
                self.terminate(Term::Skip);
                self.switch_to(go);
            }
            StmtKind::Fail(message) => {
                let m = self.expr(message);
                self.terminate(Term::Fail {
                    message: m,
                    kind: FailKind::Fail,
                    span: stmt.span,
                });
                let dead = self.new_block();
                self.switch_to(dead);
            }
        }
    }
}
