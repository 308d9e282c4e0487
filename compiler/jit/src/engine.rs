//! Which engine runs IR functions: the reference interpreter or the JIT.
//! Both give the same [`Outcome`] for every function and input.

use crate::Jit;
use dash_check::stdlib::EvalContext;
use dash_check::value::Value;
use dash_ir::interp::{self, Outcome};
use dash_ir::{FuncId, Program};

#[derive(Clone, Copy)]
pub enum Engine<'a> {
    Interp(&'a Program),
    Jit(&'a Jit),
}

impl<'a> Engine<'a> {
    /// The JIT when one was compiled, else the interpreter of `program`.
    pub fn of(jit: Option<&'a Jit>, program: &'a Program) -> Engine<'a> {
        match jit {
            Some(jit) => Engine::Jit(jit),
            None => Engine::Interp(program),
        }
    }
}

impl Engine<'_> {
    pub fn run(&self, func: FuncId, args: &[Value], cx: &EvalContext) -> Outcome {
        match self {
            Engine::Interp(program) => interp::run(program, func, args, cx),
            Engine::Jit(jit) => jit.run(func, args, cx),
        }
    }

    /// Run a one-parameter function over many records (the JIT's batch
    /// function when it has one); the same outcomes as `run` on each.
    pub fn run_records(&self, func: FuncId, records: &[Value], cx: &EvalContext) -> Vec<Outcome> {
        match self {
            Engine::Interp(program) => records
                .iter()
                .map(|r| interp::run(program, func, std::slice::from_ref(r), cx))
                .collect(),
            Engine::Jit(jit) => jit.run_records(func, records, cx),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Engine::Interp(_) => "interp",
            Engine::Jit(_) => "jit",
        }
    }
}
