//! The typed IR: what the interpreter runs and the JIT compiles.
//!
//! Each transform (and each test body) becomes one [`Function`]: typed
//! virtual registers and basic blocks of instructions ending in a
//! terminator. Control flow is explicit (`if`, `match`, `and`/`or`, `??`
//! are branches), nullability is explicit (`IsNull`, `SafeField`), and every
//! operation that can fail the row says where failure goes: to the
//! enclosing `??` default (`OnFail::Catch`) or out of the row
//! (`OnFail::Row`). Records are read by field index paths into the record
//! layout (see [`layout`]).

pub mod columns;
mod compiled;
pub mod decode;
pub mod interp;
pub mod layout;
pub mod lower;
mod print;
mod reactor;

use dash_check::stdlib::Builtin;
use dash_check::value::Value;
use dash_check::{RecordId, Ty};
use dash_syntax::source::{FileId, Span};

pub use compiled::{Compiled, compile};
pub use print::print_program;
pub use reactor::{EffectPlan, ReactorPlan, StepKind, StepPlan};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reg(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlockId(pub u32);

/// Index of a function in [`Program::functions`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FuncId(pub u32);

/// All lowered functions of a project.
#[derive(Clone, Debug, Default)]
pub struct Program {
    pub functions: Vec<Function>,
    /// Record names by id, for printing.
    pub record_names: Vec<String>,
    /// The record types by id (field names and types), for printing.
    pub records: Vec<dash_check::Record>,
    /// Every reactor as steps for the runtime to schedule.
    pub reactors: Vec<ReactorPlan>,
}

impl Program {
    pub fn reactor(&self, name: &str) -> Option<&ReactorPlan> {
        self.reactors.iter().find(|r| r.name == name)
    }

    pub fn function(&self, name: &str) -> Option<(FuncId, &Function)> {
        self.functions
            .iter()
            .enumerate()
            .find(|(_, f)| f.name == name)
            .map(|(i, f)| (FuncId(i as u32), f))
    }
}

#[derive(Clone, Debug)]
pub struct Function {
    pub name: String,
    pub file: FileId,
    pub params: Vec<Ty>,
    pub output: Ty,
    /// The type of each register.
    pub regs: Vec<Ty>,
    /// `blocks[0]` is the entry.
    pub blocks: Vec<Block>,
}

#[derive(Clone, Debug)]
pub struct Block {
    pub insts: Vec<Inst>,
    pub term: Term,
}

#[derive(Clone, Debug)]
pub struct Inst {
    pub dst: Reg,
    pub op: Op,
    /// The source expression, for row-failure locations.
    pub span: Span,
    /// Where a failure of this operation goes (only fallible ops fail).
    pub on_fail: OnFail,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnFail {
    /// The row fails with this operation's error.
    Row,
    /// Jump to the default of the enclosing `??`.
    Catch(BlockId),
}

/// Which arithmetic: the operand types are fixed at lowering.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arith {
    /// Checked i64: overflow and division by zero fail the row.
    Int,
    /// IEEE f64 (ints are promoted before).
    Float,
    /// String concatenation (`+` only).
    Str,
    /// timestamp ± duration, timestamp - timestamp, duration ± duration,
    /// duration * int, duration / int: checked i64 microseconds.
    Time,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Debug)]
pub enum Op {
    Const(Value),
    /// The n-th parameter.
    Param(u32),
    Copy(Reg),
    /// A field by index path into nested records (`r.loc.lat` = [2, 0]).
    /// A null record anywhere on the path gives null (`?.`, and `.` on a
    /// narrowed value that is never null).
    Field {
        base: Reg,
        path: Vec<u32>,
    },
    IsNull(Reg),
    Not(Reg),
    /// Negation; fails on `-i64::MIN`.
    Neg(Arith, Reg),
    Arith(ArithOp, Arith, Reg, Reg),
    /// `==`/`!=` on any values; ordering on non-null scalars.
    Compare(CmpOp, Reg, Reg),
    /// int -> float (also inside lists); other values unchanged.
    ToFloat(Reg),
    /// A built-in function; fails if the function fails.
    Call(&'static Builtin, Vec<Reg>),
    /// A transform; its failure fails here, its skip skips the row.
    CallFn(FuncId, Vec<Reg>),
    Record(RecordId, Vec<Reg>),
    List(Vec<Reg>),
    /// `list[i]`; out of range fails.
    Index(Reg, Reg),
    /// String interpolation: the text of every part, concatenated.
    Concat(Vec<Reg>),
}

impl Op {
    /// Whether this operation can fail the row.
    pub fn can_fail(&self) -> bool {
        match self {
            Op::Arith(_, kind, _, _) => *kind != Arith::Float && *kind != Arith::Str,
            Op::Neg(kind, _) => *kind == Arith::Int || *kind == Arith::Time,
            Op::Call(b, _) => b.fallible,
            Op::CallFn(..) | Op::Index(..) => true,
            _ => false,
        }
    }
}

#[derive(Clone, Debug)]
pub enum Term {
    Jump(BlockId),
    Branch {
        cond: Reg,
        then: BlockId,
        otherwise: BlockId,
    },
    Return(Reg),
    /// `skip if`: the row is dropped and counted.
    Skip,
    /// `require … else msg` / `fail msg`: the row fails with the message.
    Fail {
        message: Reg,
        kind: FailKind,
        span: Span,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailKind {
    Require,
    Fail,
}
