//! Syntax: text -> [`ast::File`] plus diagnostics. Never fails: a file with
//! errors still yields every declaration that parsed.

mod build_decl;
mod build_expr;
mod grammar;
mod literal;
mod parse_error;
pub mod split;

use crate::ast;
use crate::diag::{Code, Diagnostic};
use crate::source::{FileId, Span};

pub use grammar::Rule;

/// The result of parsing one file.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    pub file: ast::File,
    pub diagnostics: Vec<Diagnostic>,
    /// Spans of every comment, in order (the formatter keeps them).
    pub comments: Vec<Span>,
    /// Names of declarations that failed to parse: uses of them elsewhere
    /// are not reported again as unknown.
    pub broken_names: Vec<String>,
}

/// Parse a whole file, declaration by declaration.
pub fn parse(file: FileId, text: &str) -> Parsed {
    let split = split::split(text);
    let mut parsed = Parsed {
        comments: split.comments.clone(),
        ..Parsed::default()
    };
    if let Some(open) = split.unclosed_comment {
        parsed.diagnostics.push(
            Diagnostic::new(
                Code::Syntax,
                file,
                open,
                "unterminated block comment",
                "this `/*` is never closed",
            )
            .with_help("close it with `*/` (block comments nest)"),
        );
    }
    for chunk in &split.chunks {
        if let Some(deep) = chunk.too_deep {
            parsed.diagnostics.push(
                Diagnostic::new(
                    Code::TooDeep,
                    file,
                    deep,
                    format!(
                        "this declaration nests brackets more than {} levels deep",
                        split::MAX_DEPTH
                    ),
                    "too deep",
                )
                .with_help("split the expression with `let` bindings"),
            );
            continue;
        }
        let start = chunk.span.start as usize;
        let chunk_text = &text[chunk.span.range()];
        match grammar::parse_declaration(chunk_text) {
            Ok(pair) => {
                let mut builder =
                    build_decl::Builder::new(file, chunk_text, start, &mut parsed.diagnostics);
                if let Some(decl) = builder.decl(pair) {
                    parsed.file.decls.push(decl);
                }
            }
            // An unclosed `/*` already explains why this chunk fails.
            Err(_)
                if split
                    .unclosed_comment
                    .is_some_and(|c| chunk.span.contains(c.start as usize)) => {}
            Err(error) => {
                parsed.broken_names.extend(declared_name(chunk_text));
                parsed
                    .diagnostics
                    .push(parse_error::diagnostic(file, start, chunk_text, &error))
            }
        }
    }
    parsed
}

/// `transform to_metric(` -> `to_metric`: the name a broken declaration
/// meant to declare, if it gets that far.
fn declared_name(chunk: &str) -> Option<String> {
    let mut words = chunk
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty());
    match words.next()? {
        "type" | "source" | "sink" | "transform" | "reactor" | "pipeline" => words
            .next()
            .filter(|w| is_identifier(w))
            .map(str::to_string),
        _ => None,
    }
}

/// The keywords that start a top-level declaration.
pub const DECLARATION_KEYWORDS: &[&str] = &[
    "type",
    "source",
    "sink",
    "transform",
    "reactor",
    "pipeline",
    "test",
];

/// The reserved words of Dash (`get` and `post` are not among them).
pub const KEYWORDS: &[&str] = &[
    "type",
    "source",
    "sink",
    "transform",
    "reactor",
    "pipeline",
    "test",
    "let",
    "require",
    "else",
    "skip",
    "fail",
    "if",
    "match",
    "step",
    "return",
    "from",
    "into",
    "as",
    "lookup",
    "http",
    "true",
    "false",
    "null",
    "and",
    "or",
    "not",
    "fails",
];

/// Whether `name` can name something: `[A-Za-z_][A-Za-z0-9_]*`, not a keyword.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !KEYWORDS.contains(&name)
}
