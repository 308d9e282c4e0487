//! The Dash compiler: syntax, checking and diagnostics, formatting.
//!
//! This crate performs no I/O and knows nothing of async, SQL or the
//! network. Its entry point is [`analyze`], which the CLI (`dashc check`)
//! and the language server both call.

pub mod ast;
pub mod diag;
pub mod source;
pub mod syntax;

pub use diag::{Code, Diagnostic, Severity};
pub use source::{FileId, SourceFile, Span};
