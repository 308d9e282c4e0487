//! The line and indentation writer, and where comments go.
//!
//! The printer receives tokens in source order. It remembers how far into
//! the source it has printed (`src_pos`) and places every comment by its
//! source position:
//!
//! - a comment before a token that starts an output line goes on its own
//!   line(s) before it, at that line's indentation;
//! - a comment after the last token of an output line, on the same source
//!   line, stays at the end of that line after two spaces;
//! - a comment the printer has passed in the middle of a line (inside an
//!   expression printed on one line) moves to the end of that line; as a
//!   `//` comment must end its line, only one `//` comment ends a line and
//!   the rest go on their own lines before the next line;
//! - a comment before a closing `}` stays before it (see `close_flush`).
//!
//! Blank lines: at most one is kept where the source had one or more
//! between two lines that start items or comments, never right after an
//! opening `{`.

use super::comments::{Comments, has_blank_line, same_line_gap};
use crate::source::Span;

pub struct Printer<'a> {
    text: &'a str,
    comments: Comments<'a>,
    out: String,
    /// The current line, without its indentation.
    cur: String,
    cur_width: usize,
    indent: usize,
    /// End of the last source token printed.
    src_pos: usize,
    /// End of the last source token or comment printed.
    gap_from: usize,
    /// Whether a blank line may come before the next line.
    blank_ok: bool,
}

impl<'a> Printer<'a> {
    pub fn new(text: &'a str, comments: &'a [Span]) -> Printer<'a> {
        Printer {
            text,
            comments: Comments::new(text, comments),
            out: String::with_capacity(text.len() + text.len() / 4),
            cur: String::new(),
            cur_width: 0,
            indent: 0,
            src_pos: 0,
            gap_from: 0,
            blank_ok: false,
        }
    }

    /// The column the next token would start at.
    pub fn column(&self) -> usize {
        self.indent + self.cur_width
    }

    /// A token; with a span, its source position (see [`super::doc::Doc::Text`]).
    pub fn token(&mut self, s: &str, span: Option<Span>) {
        if let Some(span) = span {
            let (start, end) = (span.start as usize, span.end as usize);
            if self.cur.is_empty() {
                self.flush_own_line(start, true);
            }
            self.comments.consume_within(start, end);
            self.advance(end);
        }
        self.push(s);
    }

    /// Punctuation or a keyword, found in the source after what was printed.
    pub fn punct(&mut self, s: &str) {
        if let Some(at) = self.comments.find_token(self.src_pos, s) {
            if self.cur.is_empty() {
                let closing = s.starts_with(['}', ']', ')']);
                self.flush_own_line(at, !closing);
            }
            self.advance(at + s.len());
        }
        self.push(s);
    }

    /// A space between two tokens of a line.
    pub fn space(&mut self) {
        if !self.cur.is_empty() {
            self.push(" ");
        }
    }

    /// End the current line (if it has anything) with its trailing
    /// comments; the next line is indented by `indent`.
    pub fn break_line(&mut self, indent: usize) {
        if !self.cur.is_empty() {
            let opens = self.cur.trim_end().ends_with('{');
            let trailing = self.take_trailing();
            push_indent(&mut self.out, self.indent);
            self.out.push_str(self.cur.trim_end());
            for (k, c) in trailing.iter().enumerate() {
                self.out.push_str(if k == 0 { "  " } else { " " });
                self.out.push_str(c);
            }
            self.out.push('\n');
            self.cur.clear();
            self.cur_width = 0;
            self.blank_ok = !opens;
        }
        self.indent = indent;
    }

    /// End the last line of a block and print, at `indent`, the comments
    /// before the block's closing bracket at `close`.
    pub fn close_flush(&mut self, close: usize, indent: usize) {
        self.break_line(indent);
        self.flush_own_line(close, false);
    }

    /// Exactly one blank line between two declarations.
    pub fn decl_sep(&mut self) {
        self.break_line(0);
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        self.blank_ok = false;
    }

    /// The formatted text: what was printed, then the comments left.
    pub fn finish(mut self) -> String {
        self.break_line(0);
        self.flush_own_line(usize::MAX, false);
        self.out
    }

    fn push(&mut self, s: &str) {
        self.cur.push_str(s);
        self.cur_width += s.chars().count();
    }

    fn advance(&mut self, end: usize) {
        self.src_pos = self.src_pos.max(end);
        self.gap_from = self.gap_from.max(end);
    }

    /// At the start of a line: print the comments before `pos` on their own
    /// lines, then a blank line if the source had one before `pos` and
    /// `blank_for_token`.
    fn flush_own_line(&mut self, pos: usize, blank_for_token: bool) {
        let mut previous: Option<usize> = None;
        while let Some(i) = self.comments.next_before(pos) {
            let span = self.comments.span(i);
            let same_line = previous.is_some_and(|p| {
                !self.comments.is_line_comment(p)
                    && same_line_gap(
                        self.text,
                        self.comments.span(p).end as usize,
                        span.start as usize,
                    )
            });
            if same_line && self.out.ends_with('\n') {
                // `/* a */ /* b */` or `/* a */ // b` stay on one line.
                self.out.pop();
                self.out.push(' ');
            } else {
                if self.blank_ok && has_blank_line(self.text, self.gap_from, span.start as usize) {
                    self.out.push('\n');
                }
                push_indent(&mut self.out, self.indent);
            }
            self.out.push_str(self.comments.text(i));
            self.out.push('\n');
            previous = Some(i);
            self.comments.mark_done(i);
            self.gap_from = self.gap_from.max(span.end as usize);
            self.blank_ok = true;
        }
        if blank_for_token && self.blank_ok && has_blank_line(self.text, self.gap_from, pos) {
            self.out.push('\n');
        }
    }

    /// The comments that end the current line: those passed in the middle
    /// of it, then those after its last token on the same source line; at
    /// most one `//` comment, last.
    fn take_trailing(&mut self) -> Vec<&'a str> {
        let mut taken = Vec::new();
        let mut pos = self.src_pos;
        while let Some(i) = self.comments.first_pending() {
            let span = self.comments.span(i);
            let (start, end) = (span.start as usize, span.end as usize);
            let passed = start < self.src_pos;
            if !passed && !same_line_gap(self.text, pos, start) {
                break;
            }
            taken.push(self.comments.text(i));
            self.comments.mark_done(i);
            pos = pos.max(end);
            self.gap_from = self.gap_from.max(end);
            if self.comments.is_line_comment(i) {
                break;
            }
        }
        taken
    }
}

fn push_indent(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}
