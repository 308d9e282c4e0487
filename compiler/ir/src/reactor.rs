//! A reactor as the runtime schedules it: its steps in dependency order,
//! each effect (lookup, HTTP, call of another reactor) a node with its
//! options, and every expression it needs lowered to an IR function over
//! the reactor's environment (see `lower/reactor_plan.rs`, which builds
//! these).

use dash_check::Ty;
use dash_syntax::source::{FileId, Span};

use crate::FuncId;

#[derive(Clone, Debug)]
pub struct ReactorPlan {
    pub name: String,
    pub file: FileId,
    /// Names of the environment slots: parameters, then steps.
    pub env: Vec<String>,
    pub params: usize,
    /// In declaration order; step `i` is environment slot `params + i`.
    pub steps: Vec<StepPlan>,
    /// Step indices in an order where every step follows its dependencies.
    pub order: Vec<usize>,
    pub ret: FuncId,
}

#[derive(Clone, Debug)]
pub struct StepPlan {
    pub name: String,
    pub span: Span,
    pub ty: Ty,
    /// Steps (indices) this one reads.
    pub deps: Vec<usize>,
    pub kind: StepKind,
    pub retry: u32,
    /// Microseconds.
    pub backoff: Option<i64>,
    pub timeout: Option<i64>,
    pub concurrency: Option<u32>,
    pub required: bool,
    pub cache: Option<i64>,
    pub compensate: Option<FuncId>,
    pub undo: Option<EffectPlan>,
}

#[derive(Clone, Debug)]
pub enum StepKind {
    /// An expression (or a call of a transform): compiled code.
    Pure(FuncId),
    Effect(EffectPlan),
    /// A call of another reactor: its arguments, then its own plan runs.
    Compose {
        reactor: String,
        args: Vec<FuncId>,
    },
}

#[derive(Clone, Debug)]
pub enum EffectPlan {
    Lookup {
        table: String,
        /// Column and the function computing its value.
        keys: Vec<(String, FuncId)>,
        /// The row's record type.
        record: Ty,
    },
    Http {
        method: String,
        url: FuncId,
        body: Vec<(String, FuncId)>,
        /// The response's type (`json` without `as`).
        ty: Ty,
    },
    /// `undo: some_transform(…)`: a call for its effect-free value.
    Call(FuncId),
}

impl StepPlan {
    pub fn is_effect(&self) -> bool {
        !matches!(self.kind, StepKind::Pure(_))
    }
}
