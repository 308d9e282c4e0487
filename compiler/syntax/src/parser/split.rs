//! Splitting a file into top-level declarations before parsing.
//!
//! pest stops at the first error, so each declaration is parsed on its own:
//! one broken declaration must not hide the others. The splitter is a small
//! lexer that knows strings, comments and brackets. A declaration keyword
//! (`type source sink transform reactor pipeline test`) starts a new chunk
//! when it is outside every bracket, or when it stands at column 0 of a
//! line, which resynchronises after an unclosed `{`.
//!
//! It also records every comment (for the formatter) and flags chunks that
//! nest deeper than [`MAX_DEPTH`], which are reported instead of parsed so
//! that no input can overflow the parser's stack.

use super::DECLARATION_KEYWORDS;
use crate::source::Span;

/// The deepest bracket/string-interpolation nesting Dash accepts.
pub const MAX_DEPTH: usize = 100;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chunk {
    pub span: Span,
    /// Where nesting first went deeper than [`MAX_DEPTH`], if it did.
    pub too_deep: Option<Span>,
}

#[derive(Clone, Debug, Default)]
pub struct Split {
    pub chunks: Vec<Chunk>,
    /// Every `//` and `/* */` comment, in order.
    pub comments: Vec<Span>,
    /// A `/*` that is never closed.
    pub unclosed_comment: Option<Span>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Frame {
    Bracket,
    /// Inside a string literal.
    Str,
    /// Inside `${ … }` of a string.
    Interp,
}

pub fn split(text: &str) -> Split {
    let bytes = text.as_bytes();
    let mut out = Split::default();
    let mut stack: Vec<Frame> = Vec::new();
    let mut chunk_start = 0usize;
    let mut too_deep: Option<Span> = None;
    let mut line_start = 0usize;
    let mut i = 0usize;

    while i < bytes.len() {
        let b = bytes[i];
        if stack.last() == Some(&Frame::Str) {
            match b {
                b'\\' => i += 2,
                b'"' => {
                    stack.pop();
                    i += 1;
                }
                b'$' if bytes.get(i + 1) == Some(&b'{') => {
                    stack.push(Frame::Interp);
                    i += 2;
                }
                b'\n' => {
                    // Strings do not span lines: the parser reports it.
                    stack.pop();
                }
                _ => i += 1,
            }
            continue;
        }
        match b {
            b'\n' => {
                i += 1;
                line_start = i;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let end = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                out.comments.push(Span::new(i, end));
                i = end;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = block_comment_end(bytes, i);
                if !text[..end].ends_with("*/") || end < i + 4 {
                    out.unclosed_comment.get_or_insert(Span::new(i, i + 2));
                }
                out.comments.push(Span::new(i, end));
                for (k, c) in bytes[i..end].iter().enumerate() {
                    if *c == b'\n' {
                        line_start = i + k + 1;
                    }
                }
                i = end;
            }
            b'"' => {
                stack.push(Frame::Str);
                i += 1;
            }
            b'(' | b'[' | b'{' => {
                stack.push(Frame::Bracket);
                i += 1;
            }
            b')' | b']' | b'}' => {
                if stack.pop() == Some(Frame::Interp) {
                    // back inside the string
                }
                i += 1;
            }
            b if b.is_ascii_alphabetic() || b == b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                let word = &text[start..i];
                let at_line_start = start == line_start;
                if (stack.is_empty() || at_line_start) && DECLARATION_KEYWORDS.contains(&word) {
                    if has_content(text, chunk_start, start, &out.comments) {
                        out.chunks.push(Chunk {
                            span: Span::new(chunk_start, start),
                            too_deep: too_deep.take(),
                        });
                    }
                    too_deep = None;
                    chunk_start = start;
                    stack.clear();
                }
            }
            _ => i += 1,
        }
        if stack.len() > MAX_DEPTH && too_deep.is_none() {
            too_deep = Some(Span::new(i.saturating_sub(1), i));
        }
    }
    if has_content(text, chunk_start, bytes.len(), &out.comments) {
        out.chunks.push(Chunk {
            span: Span::new(chunk_start, bytes.len()),
            too_deep,
        });
    }
    out
}

/// End (exclusive) of the block comment starting at `start`; comments nest.
fn block_comment_end(bytes: &[u8], start: usize) -> usize {
    let mut depth = 0usize;
    let mut i = start;
    while i + 1 < bytes.len() {
        match (bytes[i], bytes[i + 1]) {
            (b'/', b'*') => {
                depth += 1;
                i += 2;
            }
            (b'*', b'/') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return i;
                }
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Whether `text[start..end]` holds anything but whitespace and comments.
fn has_content(text: &str, start: usize, end: usize, comments: &[Span]) -> bool {
    let mut i = start;
    let bytes = text.as_bytes();
    while i < end {
        if bytes[i].is_ascii_whitespace() {
            i += 1;
        } else if text[i..].starts_with('\u{feff}') {
            i += '\u{feff}'.len_utf8();
        } else if let Ok(k) = comments.binary_search_by_key(&(i as u32), |c| c.start) {
            i = comments[k].end as usize;
        } else {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(text: &str) -> Vec<&str> {
        split(text)
            .chunks
            .iter()
            .map(|c| &text[c.span.range()])
            .collect()
    }

    #[test]
    fn splits_at_top_level_keywords() {
        let text = "type A { x: int }\n// c\nsource s: A from stdin {}\n";
        assert_eq!(
            chunks(text),
            vec!["type A { x: int }\n// c\n", "source s: A from stdin {}\n"]
        );
    }

    #[test]
    fn keywords_in_strings_and_comments_do_not_split() {
        let text = "test \"type x\" { f(\"${\"}\"}\") /* type */ == 1 }";
        assert_eq!(chunks(text).len(), 1);
    }

    #[test]
    fn column_zero_keyword_resyncs_after_unclosed_brace() {
        let text = "transform f(a: A) -> A {\n  a\n\ntype B { x: int }\n";
        assert_eq!(chunks(text).len(), 2);
    }

    #[test]
    fn flags_deep_nesting() {
        let text = format!("test \"t\" {{ {}1{} }}", "(".repeat(500), ")".repeat(500));
        assert!(split(&text).chunks[0].too_deep.is_some());
    }
}
