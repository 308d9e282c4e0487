//! The Dash compiler: syntax, checking and diagnostics, formatting.
//!
//! This crate performs no I/O and knows nothing of async, SQL or the
//! network. Its entry point is [`analyze`], which the CLI (`dashc check`)
//! and the language server both call.

mod analysis;
pub mod ast;
pub mod check;
pub mod columns;
pub mod decode;
pub mod diag;
pub mod engine;
pub mod fmt;
pub mod graph;
pub mod ide;
pub mod interp;
pub mod ir;
pub mod jit;
pub mod lower;
pub mod source;
pub mod stdlib;
pub mod syntax;
pub mod testing;
pub mod value;

pub use analysis::{Analysis, Input, analyze, analyze_inputs};
pub use diag::{Code, Diagnostic, Severity};
pub use source::{FileId, SourceFile, Span};
