//! The interpreter: the reference semantics of the IR. Slow and obvious;
//! the JIT must agree with it on every program and input.

mod ops;

use crate::{FailKind, FuncId, OnFail, Op, Program, Term};
use dash_check::stdlib::EvalContext;
use dash_check::value::Value;
use dash_syntax::source::{FileId, Span};

/// Why a row failed at run time. Codes are stable like compile-time codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RowErrorCode {
    /// `require … else "msg"` was false.
    Require,
    /// `fail "msg"`.
    Fail,
    DivisionByZero,
    Overflow,
    /// A built-in function failed (a conversion, a parse, a bad regex…).
    Function,
    /// `list[i]` out of range.
    Index,
    /// The input could not be decoded into the declared type.
    Decode,
    /// A reactor's effectful step failed (a required lookup found no row,
    /// the database or service failed after its retries).
    Step,
}

impl RowErrorCode {
    pub const ALL: &'static [RowErrorCode] = &[
        RowErrorCode::Require,
        RowErrorCode::Fail,
        RowErrorCode::DivisionByZero,
        RowErrorCode::Overflow,
        RowErrorCode::Function,
        RowErrorCode::Index,
        RowErrorCode::Decode,
        RowErrorCode::Step,
    ];

    /// Look a code up by its text (`R0003`, case-insensitive).
    pub fn parse(text: &str) -> Option<RowErrorCode> {
        Self::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(text.trim()))
    }

    /// The explanation page (`docs/errors/<CODE>.md`).
    pub fn explanation(self) -> &'static str {
        match self {
            RowErrorCode::Require => include_str!("../../../../docs/errors/R0001.md"),
            RowErrorCode::Fail => include_str!("../../../../docs/errors/R0002.md"),
            RowErrorCode::DivisionByZero => include_str!("../../../../docs/errors/R0003.md"),
            RowErrorCode::Overflow => include_str!("../../../../docs/errors/R0004.md"),
            RowErrorCode::Function => include_str!("../../../../docs/errors/R0005.md"),
            RowErrorCode::Index => include_str!("../../../../docs/errors/R0006.md"),
            RowErrorCode::Decode => include_str!("../../../../docs/errors/R0007.md"),
            RowErrorCode::Step => include_str!("../../../../docs/errors/R0008.md"),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RowErrorCode::Require => "R0001",
            RowErrorCode::Fail => "R0002",
            RowErrorCode::DivisionByZero => "R0003",
            RowErrorCode::Overflow => "R0004",
            RowErrorCode::Function => "R0005",
            RowErrorCode::Index => "R0006",
            RowErrorCode::Decode => "R0007",
            RowErrorCode::Step => "R0008",
        }
    }
}

/// A row failure: code, message and the source location of the failing
/// expression.
#[derive(Clone, Debug, PartialEq)]
pub struct RowError {
    pub code: RowErrorCode,
    pub message: String,
    pub file: FileId,
    pub span: Span,
}

/// What became of one row.
#[derive(Clone, Debug)]
pub enum Outcome {
    Value(Value),
    Skipped,
    Failed(RowError),
}

/// Run a function over a batch of rows (each row: its arguments).
pub fn run_batch(
    program: &Program,
    func: FuncId,
    rows: &[Vec<Value>],
    cx: &EvalContext,
) -> Vec<Outcome> {
    rows.iter()
        .map(|args| run(program, func, args, cx))
        .collect()
}

/// Run a function on one row.
pub fn run(program: &Program, func: FuncId, args: &[Value], cx: &EvalContext) -> Outcome {
    let Some(f) = program.functions.get(func.0 as usize) else {
        return Outcome::Failed(RowError {
            code: RowErrorCode::Fail,
            message: "no such function".into(),
            file: FileId(0),
            span: Span::default(),
        });
    };
    let mut regs: Vec<Value> = vec![Value::Null; f.regs.len()];
    let mut block = 0usize;
    // Every block ends in a terminator; a checked program has no loops,
    // so this terminates. The bound guards against a malformed IR.
    for _ in 0..=f.blocks.len() * 4 + 16 {
        let Some(b) = f.blocks.get(block) else {
            break;
        };
        let mut jumped = false;
        for inst in &b.insts {
            match eval(program, &inst.op, &regs, args, cx) {
                Ok(v) => regs[inst.dst.0 as usize] = v,
                Err(Failure::Row(code, message)) => match inst.on_fail {
                    OnFail::Catch(target) => {
                        block = target.0 as usize;
                        jumped = true;
                        break;
                    }
                    OnFail::Row => {
                        return Outcome::Failed(RowError {
                            code,
                            message,
                            file: f.file,
                            span: inst.span,
                        });
                    }
                },
                Err(Failure::Nested(error)) => match inst.on_fail {
                    OnFail::Catch(target) => {
                        block = target.0 as usize;
                        jumped = true;
                        break;
                    }
                    OnFail::Row => return Outcome::Failed(error),
                },
                Err(Failure::Skip) => return Outcome::Skipped,
            }
        }
        if jumped {
            continue;
        }
        match &b.term {
            Term::Jump(t) => block = t.0 as usize,
            Term::Branch {
                cond,
                then,
                otherwise,
            } => {
                let c = regs[cond.0 as usize].as_bool().unwrap_or(false);
                block = if c { then.0 } else { otherwise.0 } as usize;
            }
            Term::Return(r) => return Outcome::Value(regs[r.0 as usize].clone()),
            Term::Skip => return Outcome::Skipped,
            Term::Fail {
                message,
                kind,
                span,
            } => {
                return Outcome::Failed(RowError {
                    code: match kind {
                        FailKind::Require => RowErrorCode::Require,
                        FailKind::Fail => RowErrorCode::Fail,
                    },
                    message: regs[message.0 as usize].to_text(),
                    file: f.file,
                    span: *span,
                });
            }
        }
    }
    Outcome::Failed(RowError {
        code: RowErrorCode::Fail,
        message: "malformed IR: no terminator reached".into(),
        file: f.file,
        span: Span::default(),
    })
}

/// How evaluating one operation went wrong.
pub enum Failure {
    /// This operation failed.
    Row(RowErrorCode, String),
    /// A called transform failed (its error keeps its own location).
    Nested(RowError),
    /// A called transform skipped the row.
    Skip,
}

fn eval(
    program: &Program,
    op: &Op,
    regs: &[Value],
    args: &[Value],
    cx: &EvalContext,
) -> Result<Value, Failure> {
    let r = |reg: &crate::Reg| &regs[reg.0 as usize];
    Ok(match op {
        Op::Const(v) => v.clone(),
        Op::Param(i) => args.get(*i as usize).cloned().unwrap_or(Value::Null),
        Op::Copy(a) => r(a).clone(),
        Op::Field { base, path } => ops::field(r(base), path),
        Op::IsNull(a) => Value::Bool(r(a).is_null()),
        Op::Not(a) => Value::Bool(!r(a).as_bool().unwrap_or(false)),
        Op::Neg(kind, a) => ops::neg(*kind, r(a))?,
        Op::Arith(op, kind, a, b) => ops::arith(*op, *kind, r(a), r(b))?,
        Op::Compare(op, a, b) => Value::Bool(ops::compare(*op, r(a), r(b))),
        Op::ToFloat(a) => ops::to_float(r(a)),
        Op::Call(builtin, call_args) => {
            let values: Vec<Value> = call_args.iter().map(|a| r(a).clone()).collect();
            (builtin.eval)(&values, cx).map_err(|m| Failure::Row(RowErrorCode::Function, m))?
        }
        Op::CallFn(id, call_args) => {
            let values: Vec<Value> = call_args.iter().map(|a| r(a).clone()).collect();
            match run(program, *id, &values, cx) {
                Outcome::Value(v) => v,
                Outcome::Skipped => return Err(Failure::Skip),
                Outcome::Failed(e) => return Err(Failure::Nested(e)),
            }
        }
        Op::Record(id, fields) => Value::record(*id, fields.iter().map(|f| r(f).clone()).collect()),
        Op::List(items) => Value::list(items.iter().map(|i| r(i).clone()).collect()),
        Op::Index(list, index) => ops::index(r(list), r(index))?,
        Op::Concat(parts) => Value::string(parts.iter().map(|p| r(p).to_text()).collect()),
    })
}

pub use ops::canonical_nan;

/// The comparison semantics, for the JIT's helpers.
pub fn compare(op: crate::CmpOp, a: &Value, b: &Value) -> bool {
    ops::compare(op, a, b)
}

/// `ToFloat`, for the JIT's helpers.
pub fn to_float(v: &Value) -> Value {
    ops::to_float(v)
}

/// `list[i]`, for the JIT's helpers.
pub fn index(list: &Value, index: &Value) -> Result<Value, (RowErrorCode, String)> {
    ops::index(list, index).map_err(|f| match f {
        Failure::Row(code, message) => (code, message),
        Failure::Nested(e) => (e.code, e.message),
        Failure::Skip => (RowErrorCode::Index, "skipped".into()),
    })
}
