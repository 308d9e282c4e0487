//! The formatter: one canonical layout for `.dash` files (`dashc fmt`).
//!
//! [`format_source`] parses a file, refuses one with syntax errors, and
//! prints the syntax tree again: two-space indentation, one item per line,
//! one blank line between declarations, every comment kept. Literals are
//! printed as written (`1_000`, escapes, `${…}`), and parentheses exactly
//! where the source had them, so the formatted file means the same thing.
//!
//! The parts:
//! - `decl.rs` and `expr.rs` turn the tree into a layout document;
//! - `doc.rs` is that document and the decision of what fits on a line;
//! - `printer.rs` writes lines and indentation and places comments;
//! - `comments.rs` tracks the comments and answers source queries.

mod comments;
mod decl;
mod doc;
mod expr;
mod printer;

use crate::ast::Ident;
use crate::diag::{Code, Diagnostic};
use crate::parser as syntax;
use crate::source::{FileId, Span};

use doc::Doc;

/// Format one file. Returns the syntax errors instead if it does not parse
/// (a file with a syntax error is never formatted).
pub fn format_source(text: &str) -> Result<String, Vec<Diagnostic>> {
    let parsed = syntax::parse(FileId(0), text);
    let errors: Vec<Diagnostic> = parsed
        .diagnostics
        .iter()
        .filter(|d| matches!(d.code, Code::Syntax | Code::TooDeep))
        .cloned()
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    let ctx = Ctx {
        text,
        comments: &parsed.comments,
    };
    let document = ctx.file(&parsed.file);
    let mut printer = printer::Printer::new(text, &parsed.comments);
    doc::render(&document, &mut printer);
    Ok(printer.finish())
}

/// What the document builders need to know of the source.
struct Ctx<'a> {
    text: &'a str,
    comments: &'a [Span],
}

impl Ctx<'_> {
    /// The source text of a span.
    fn src(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }

    /// A name, at its position.
    fn ident(&self, id: &Ident) -> Doc {
        doc::text(id.name.clone(), id.span)
    }

    /// A token printed as its source text (a literal, a quoted name).
    fn verbatim(&self, span: Span) -> Doc {
        doc::text(self.src(span), span)
    }

    /// The keyword `word` starting at `at` (found in the source if it is
    /// not exactly there).
    fn kw(&self, word: &'static str, at: u32) -> Doc {
        let span = Span::new(at as usize, at as usize + word.len());
        if self.src(span) == word {
            doc::text(word, span)
        } else {
            doc::punct(word)
        }
    }

    /// The offset of the closing `}` of a node spanning `span`.
    fn close_of(&self, span: Span) -> u32 {
        let last = span.end.saturating_sub(1);
        if self.text.as_bytes().get(last as usize) == Some(&b'}') {
            last
        } else {
            span.end
        }
    }

    /// Whether a comment starts strictly between `lo` and `hi`.
    fn has_comment(&self, lo: u32, hi: u32) -> bool {
        let i = self.comments.partition_point(|c| c.start <= lo);
        self.comments.get(i).is_some_and(|c| c.start < hi)
    }

    /// `items` in braces, one per line (a block); `{}` when empty and
    /// without comments. `open` is where the items may start.
    fn block_of(&self, items: Vec<Doc>, open: u32, close: u32) -> Doc {
        let force = !items.is_empty() || self.has_comment(open, close);
        doc::group(doc::braced_body(items, close), force)
    }
}

/// `parts` separated by `, `.
fn comma_separated(parts: impl IntoIterator<Item = Doc>) -> Vec<Doc> {
    let mut out = Vec::new();
    for (i, part) in parts.into_iter().enumerate() {
        if i > 0 {
            out.push(doc::punct(","));
            out.push(doc::plain(" "));
        }
        out.push(part);
    }
    out
}
