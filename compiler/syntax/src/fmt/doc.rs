//! The layout document and its renderer.
//!
//! The declaration and expression printers (`decl.rs`, `expr.rs`) describe
//! the output as a [`Doc`]: tokens, possible line breaks and groups. This
//! module owns the one layout decision of the formatter, in the style of
//! Wadler's "prettier printer": a [`Doc::Group`] is printed on one line if
//! everything up to the next possible line break after it fits in
//! [`WIDTH`] columns, else every [`Doc::Line`] directly inside it breaks.
//! Writing tokens, indentation and comments is the [`Printer`]'s job.

use super::printer::Printer;
use crate::source::Span;

/// The widest line the formatter aims for.
pub const WIDTH: usize = 100;

#[derive(Debug)]
pub enum Doc {
    /// A source token printed as `text`. With a span, that is the exact
    /// source range of the token: it places comments and, for a literal
    /// printed verbatim, accounts for the comments inside it.
    Text(String, Option<Span>),
    /// Punctuation or a keyword whose position the printer looks up in the
    /// source (it is the next token there, when the source has it).
    Punct(&'static str),
    /// A space when flat, a line break when the group breaks.
    Line,
    /// Nothing when flat, a line break when the group breaks.
    SoftLine,
    Indent(Box<Doc>),
    Concat(Vec<Doc>),
    /// Contents and whether the group must break (a statement, a comment or
    /// a broken group inside).
    Group(Box<Doc>, bool),
    /// Printed only when the enclosing group breaks (trailing commas).
    IfBreak(Box<Doc>),
    /// When the enclosing group breaks: end the line and print, at this
    /// indentation, the comments that come before the closing bracket at
    /// this source offset.
    CloseFlush(u32),
    /// Between two declarations: exactly one blank line.
    DeclSep,
}

pub fn text(s: impl Into<String>, span: Span) -> Doc {
    Doc::Text(s.into(), Some(span))
}

/// Text without a source position (spaces).
pub fn plain(s: &'static str) -> Doc {
    Doc::Text(s.to_string(), None)
}

pub fn punct(s: &'static str) -> Doc {
    Doc::Punct(s)
}

pub fn concat(parts: Vec<Doc>) -> Doc {
    Doc::Concat(parts)
}

pub fn indent(doc: Doc) -> Doc {
    Doc::Indent(Box::new(doc))
}

pub fn if_break(doc: Doc) -> Doc {
    Doc::IfBreak(Box::new(doc))
}

/// A group; it is forced to break if `force` or if a group inside must.
pub fn group(doc: Doc, force: bool) -> Doc {
    let force = force || must_break(&doc);
    Doc::Group(Box::new(doc), force)
}

/// `items` between `{` and `}`, one per line when broken, separated by
/// spaces when flat; an empty list is `{}`. The caller groups it.
pub fn braced_body(items: Vec<Doc>, close: u32) -> Doc {
    if items.is_empty() {
        return concat(vec![
            punct("{"),
            indent(Doc::CloseFlush(close)),
            Doc::SoftLine,
            punct("}"),
        ]);
    }
    let mut inner = Vec::with_capacity(items.len() * 2 + 1);
    for item in items {
        inner.push(Doc::Line);
        inner.push(item);
    }
    inner.push(Doc::CloseFlush(close));
    concat(vec![
        punct("{"),
        indent(concat(inner)),
        Doc::Line,
        punct("}"),
    ])
}

/// Whether a forced group lies inside `doc` (outside any nested group,
/// whose own flag already says so).
fn must_break(doc: &Doc) -> bool {
    let mut stack = vec![doc];
    while let Some(d) = stack.pop() {
        match d {
            Doc::Group(_, force) => {
                if *force {
                    return true;
                }
            }
            Doc::Indent(inner) | Doc::IfBreak(inner) => stack.push(inner),
            Doc::Concat(parts) => stack.extend(parts.iter()),
            Doc::DeclSep => return true,
            Doc::Text(..) | Doc::Punct(_) | Doc::Line | Doc::SoftLine | Doc::CloseFlush(_) => {}
        }
    }
    false
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Flat,
    Break,
}

/// Print `doc` through `printer`.
pub fn render(doc: &Doc, printer: &mut Printer<'_>) {
    let mut stack: Vec<(usize, Mode, &Doc)> = vec![(0, Mode::Break, doc)];
    while let Some((ind, mode, d)) = stack.pop() {
        match d {
            Doc::Text(s, span) => printer.token(s, *span),
            Doc::Punct(s) => printer.punct(s),
            Doc::Line => match mode {
                Mode::Flat => printer.space(),
                Mode::Break => printer.break_line(ind),
            },
            Doc::SoftLine => {
                if mode == Mode::Break {
                    printer.break_line(ind);
                }
            }
            Doc::Indent(inner) => stack.push((ind + 2, mode, inner)),
            Doc::Concat(parts) => stack.extend(parts.iter().rev().map(|p| (ind, mode, p))),
            Doc::Group(inner, force) => {
                let flat = mode == Mode::Flat
                    || (!*force && {
                        let room = WIDTH as isize - printer.column() as isize;
                        fits(room, inner, &stack)
                    });
                let mode = if flat { Mode::Flat } else { Mode::Break };
                stack.push((ind, mode, inner));
            }
            Doc::IfBreak(inner) => {
                if mode == Mode::Break {
                    stack.push((ind, mode, inner));
                }
            }
            Doc::CloseFlush(pos) => {
                if mode == Mode::Break {
                    printer.close_flush(*pos as usize, ind);
                }
            }
            Doc::DeclSep => printer.decl_sep(),
        }
    }
}

/// Whether `first`, flat, and what follows it up to the next line break
/// take at most `room` columns.
fn fits(mut room: isize, first: &Doc, rest: &[(usize, Mode, &Doc)]) -> bool {
    let mut stack: Vec<(Mode, &Doc)> = vec![(Mode::Flat, first)];
    let mut rest_idx = rest.len();
    loop {
        if room < 0 {
            return false;
        }
        let (mode, d) = match stack.pop() {
            Some(entry) => entry,
            None => {
                if rest_idx == 0 {
                    return true;
                }
                rest_idx -= 1;
                let (_, mode, d) = rest[rest_idx];
                (mode, d)
            }
        };
        match d {
            Doc::Text(s, _) => room -= s.chars().count() as isize,
            Doc::Punct(s) => room -= s.len() as isize,
            Doc::Line => match mode {
                Mode::Flat => room -= 1,
                Mode::Break => return true,
            },
            Doc::SoftLine => {
                if mode == Mode::Break {
                    return true;
                }
            }
            Doc::Indent(inner) => stack.push((mode, inner)),
            Doc::Concat(parts) => stack.extend(parts.iter().rev().map(|p| (mode, p))),
            Doc::Group(inner, force) => {
                let mode = if *force { Mode::Break } else { mode };
                stack.push((mode, inner));
            }
            Doc::IfBreak(inner) => {
                if mode == Mode::Break {
                    stack.push((mode, inner));
                }
            }
            Doc::CloseFlush(_) => {
                if mode == Mode::Break {
                    return true;
                }
            }
            Doc::DeclSep => return true,
        }
    }
}
