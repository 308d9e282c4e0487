//! Dash syntax: source files and byte spans, diagnostics with their stable
//! codes, the AST, the parser (text -> AST, never failing) and the
//! formatter. The bottom layer of the compiler: it depends on no other
//! Dash crate, and performs no I/O.

pub mod ast;
pub mod diag;
pub mod fmt;
mod parser;
pub mod source;

pub use diag::{Code, Diagnostic, Severity};
pub use parser::{DECLARATION_KEYWORDS, KEYWORDS, Parsed, Rule, is_identifier, parse, split};
pub use source::{FileId, SourceFile, Span};
