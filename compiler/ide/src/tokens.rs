//! Semantic tokens: a lexical pass over the text (keywords, literals,
//! comments, operators) refined by the checker's resolved names (types,
//! functions, fields, variables, parameters).

use dash_check::analysis::Analysis;
use dash_check::stdlib;
use dash_check::{GlobalKind, Symbol};
use dash_syntax::KEYWORDS;
use dash_syntax::source::{FileId, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    Keyword,
    Type,
    Function,
    Property,
    Variable,
    Parameter,
    String,
    Number,
    Comment,
    Operator,
    Declaration,
}

impl TokenKind {
    pub const ALL: &'static [TokenKind] = &[
        TokenKind::Keyword,
        TokenKind::Type,
        TokenKind::Function,
        TokenKind::Property,
        TokenKind::Variable,
        TokenKind::Parameter,
        TokenKind::String,
        TokenKind::Number,
        TokenKind::Comment,
        TokenKind::Operator,
        TokenKind::Declaration,
    ];
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub span: Span,
    pub kind: TokenKind,
}

/// Tokens of a file in order, non-overlapping.
pub fn tokens(analysis: &Analysis, file: FileId) -> Vec<Token> {
    let Some(source) = analysis.files.get(file.0 as usize) else {
        return Vec::new();
    };
    let text = &*source.text;
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let refs: std::collections::HashMap<Span, &Symbol> = analysis
        .program
        .references
        .iter()
        .filter(|r| r.file == file)
        .map(|r| (r.span, &r.symbol))
        .collect();
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        let kind = if b == b'/' && bytes.get(i + 1) == Some(&b'/') {
            i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
            Some(TokenKind::Comment)
        } else if b == b'/' && bytes.get(i + 1) == Some(&b'*') {
            i = text[i + 2..].find("*/").map_or(bytes.len(), |n| i + n + 4);
            Some(TokenKind::Comment)
        } else if b == b'"' {
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 1).min(bytes.len());
            Some(TokenKind::String)
        } else if b.is_ascii_digit()
            || (b == b'@' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            i += 1;
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric()
                    || matches!(bytes[i], b'_' | b'.' | b':' | b'-' | b'+'))
            {
                // Stop at `-`/`+`/`.` unless inside a timestamp or exponent.
                if matches!(bytes[i], b'-' | b'+' | b':')
                    && b != b'@'
                    && !matches!(bytes[i - 1], b'e' | b'E')
                {
                    break;
                }
                i += 1;
            }
            Some(TokenKind::Number)
        } else if b.is_ascii_alphabetic() || b == b'_' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            let word = &text[start..i];
            let span = Span::new(start, i);
            let resolved = refs.get(&span).map(|symbol| match symbol {
                Symbol::Global(name) => match analysis.program.globals.get(name).map(|g| g.kind) {
                    Some(GlobalKind::Type(_)) => TokenKind::Type,
                    Some(GlobalKind::Transform | GlobalKind::Reactor) => TokenKind::Function,
                    _ => TokenKind::Declaration,
                },
                Symbol::Field(..) => TokenKind::Property,
                Symbol::Local(..) => TokenKind::Variable,
            });
            resolved.or(if KEYWORDS.contains(&word) {
                Some(TokenKind::Keyword)
            } else if dash_check::ty::builtin(word).is_some() {
                Some(TokenKind::Type)
            } else if stdlib::lookup(word).is_some() && bytes.get(i) == Some(&b'(') {
                Some(TokenKind::Function)
            } else {
                None
            })
        } else if b"+-*/%<>=!?".contains(&b) {
            i += 1;
            Some(TokenKind::Operator)
        } else {
            i += text[i..].chars().next().map_or(1, char::len_utf8);
            None
        };
        if let Some(kind) = kind {
            out.push(Token {
                span: Span::new(start, i.min(bytes.len())),
                kind,
            });
        }
    }
    out
}
