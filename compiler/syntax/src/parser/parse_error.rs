//! Turning pest errors into Dash diagnostics that say, in Dash words, what
//! was expected and what was found.

use std::collections::BTreeSet;

use pest::error::{Error, ErrorVariant, InputLocation};

use super::grammar::{self, Rule};
use crate::diag::{Code, Diagnostic};
use crate::source::{FileId, Span};

pub fn diagnostic(file: FileId, base: usize, chunk: &str, error: &Error<Rule>) -> Diagnostic {
    let detailed = grammar::parse_with_detail(chunk);
    let error = detailed.as_ref().unwrap_or(error);
    let pos = position(error).min(chunk.len());

    if let Some(d) = keyword_as_name(file, base, chunk) {
        return d;
    }
    if let Some(start) = unterminated_string(chunk, pos) {
        let line_end = chunk[start..].find('\n').map_or(chunk.len(), |n| start + n);
        return Diagnostic::new(
            Code::Syntax,
            file,
            Span::new(base + start, base + line_end),
            "unterminated string",
            "this string is not closed before the end of the line",
        )
        .with_help("close it with `\"`; strings cannot span lines, write `\\n` for a newline");
    }

    // Describe the next token, not the whitespace before it.
    let pos = chunk[pos..]
        .find(|c: char| !c.is_whitespace())
        .map_or(chunk.len(), |n| pos + n);
    let (found, found_len) = found_at(chunk, pos);
    let at_start = chunk[..pos].trim().is_empty() || pos == 0;
    let expected = expected(error, at_start);
    let message = if expected.is_empty() {
        format!("unexpected {found}")
    } else {
        format!("expected {expected}, found {found}")
    };
    let label = if expected.is_empty() {
        "unexpected here".to_string()
    } else {
        format!("expected {expected}")
    };
    let span = Span::new(base + pos, base + pos + found_len);
    let word = &chunk[pos..pos + found_len];
    let (message, hint_text) = if super::KEYWORDS.contains(&word) && expected.contains("a name") {
        (
            format!("expected {expected}, found the keyword `{word}`"),
            Some(format!("`{word}` is a reserved word; choose another name")),
        )
    } else {
        let typo = crate::diag::suggest::closest(word, super::DECLARATION_KEYWORDS.iter().copied())
            .filter(|_| word.len() > 2 && chunk[..pos].trim_end().ends_with('}') || pos == 0)
            .map(|k| format!("did you mean `{k}`?"));
        (message, typo)
    };
    let diag = Diagnostic::new(Code::Syntax, file, span, message, label).with_help_opt(hint_text);
    match hint(chunk, pos, &expected) {
        Some(help) if diag.help.is_none() => diag.with_help(help),
        _ => diag,
    }
}

/// A reserved word used to name a declaration (`type match`), a `let`
/// binding (`let type = …`), a parameter or a field (`source: string`).
fn keyword_as_name(file: FileId, base: usize, chunk: &str) -> Option<Diagnostic> {
    let words = words_with_offsets(chunk);
    let is_decl = |w: &str| w != "test" && super::DECLARATION_KEYWORDS.contains(&w);
    let mut found = None;
    for (i, (word, at)) in words.iter().enumerate() {
        if !super::KEYWORDS.contains(word) {
            continue;
        }
        let prev = i.checked_sub(1).map(|p| words[p].0);
        let next_char = chunk[at + word.len()..].trim_start().chars().next();
        let names_something = (i == 1 && prev.is_some_and(is_decl))
            || prev == Some("let")
            || (next_char == Some(':')
                && words
                    .first()
                    .is_some_and(|(w, _)| matches!(*w, "type" | "transform" | "reactor")));
        if names_something && i != 0 {
            found = Some((*word, *at));
            break;
        }
    }
    let (word, at) = found?;
    Some(
        Diagnostic::new(
            Code::Syntax,
            file,
            Span::new(base + at, base + at + word.len()),
            format!("expected a name, found the keyword `{word}`"),
            "a reserved word",
        )
        .with_help(format!(
            "`{word}` is a reserved word of Dash; choose another name"
        )),
    )
}

/// The identifier-like words of a chunk outside strings and comments,
/// with their offsets.
fn words_with_offsets(chunk: &str) -> Vec<(&str, usize)> {
    let bytes = chunk.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = chunk[i..].find('\n').map_or(bytes.len(), |n| i + n);
            }
            b if b.is_ascii_alphabetic() || b == b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                out.push((&chunk[start..i], start));
            }
            _ => i += 1,
        }
    }
    out
}

/// If the error sits in a string that is not closed on its line, where
/// that string starts.
fn unterminated_string(chunk: &str, pos: usize) -> Option<usize> {
    let line_start = chunk[..pos].rfind('\n').map_or(0, |n| n + 1);
    let line_end = chunk[pos..].find('\n').map_or(chunk.len(), |n| pos + n);
    let line = &chunk[line_start..line_end];
    let mut open: Option<usize> = None;
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if open.is_some() => i += 1,
            b'"' => open = if open.is_some() { None } else { Some(i) },
            b'/' if open.is_none() && bytes.get(i + 1) == Some(&b'/') => break,
            _ => {}
        }
        i += 1;
    }
    open.map(|o| line_start + o).filter(|o| *o <= pos)
}

/// What stands at `pos`, described for a person, and its length in bytes.
fn found_at(chunk: &str, pos: usize) -> (String, usize) {
    let rest = &chunk[pos..];
    let Some(first) = rest.chars().next() else {
        return ("the end of the declaration".into(), 0);
    };
    if first.is_alphanumeric() || first == '_' {
        let word: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let len = word.len();
        return (format!("`{word}`"), len);
    }
    if first == '"' {
        return ("a string".into(), 1);
    }
    let two: String = rest.chars().take(2).collect();
    if ["->", "=>", "==", "!=", "<=", ">=", "??", "?.", "//", "/*"].contains(&two.as_str()) {
        return (format!("`{two}`"), 2);
    }
    (format!("`{}`", first.escape_default()), first.len_utf8())
}

/// Where pest got furthest, and what it expected there.
fn position(error: &Error<Rule>) -> usize {
    match (&error.parse_attempts(), &error.location) {
        (Some(attempts), _) if attempts.max_position > 0 => attempts.max_position,
        (_, InputLocation::Pos(p)) => *p,
        (_, InputLocation::Span((s, _))) => *s,
    }
}

/// "`}` or a field" from pest's record of what it tried at the error.
fn expected(error: &Error<Rule>, at_start: bool) -> String {
    let mut tokens: BTreeSet<String> = BTreeSet::new();
    let mut rules: BTreeSet<&'static str> = BTreeSet::new();
    if let Some(attempts) = error.parse_attempts() {
        // pest does not export its token type; its Display is the token.
        for token in attempts.expected_tokens() {
            tokens.insert(token.to_string());
        }
        for stack in attempts.call_stacks() {
            rules.extend(stack.parent.and_then(describe_rule));
        }
    }
    if let ErrorVariant::ParsingError { positives, .. } = &error.variant {
        rules.extend(positives.iter().copied().filter_map(describe_rule));
    }

    let mut items: BTreeSet<String> = BTreeSet::new();
    let starts_value = [
        "(", "@", "0..9", "\"", "not", "if", "match", "true", "false", "null",
    ];
    let starts_name = ["A..Z", "a..z", "_"];
    if tokens.iter().any(|t| starts_value.contains(&t.as_str())) {
        items.insert("an expression".into());
    } else if tokens.iter().any(|t| starts_name.contains(&t.as_str())) {
        items.insert("a name".into());
    }
    for token in &tokens {
        if starts_value.contains(&token.as_str()) || starts_name.contains(&token.as_str()) {
            continue;
        }
        items.insert(describe_token(token));
    }
    for rule in rules {
        items.insert(rule.to_string());
    }
    items.remove("");
    if !at_start {
        items.retain(|i| !i.starts_with("a declaration"));
    }
    // "a name" says less than "a field" or "a stage name".
    if items.len() > 1 && items.iter().any(|i| i != "a name" && !i.starts_with('`')) {
        items.remove("a name");
    }
    // An expression subsumes the pieces that can start one.
    if items.contains("an expression") {
        for piece in ["`[`", "`-`", "a string", "a number", "`http`", "`lookup`"] {
            items.remove(piece);
        }
    } else {
        for piece in ["`[`", "`-`"] {
            if items.remove(piece) {
                items.insert("an operator".into());
            }
        }
    }
    if items.contains("a stage name") {
        items.remove("an operator");
    }
    for statement in ["`let`", "`require`", "`skip`", "`fail`"] {
        if items.remove(statement) {
            items.insert("a statement".into());
        }
    }
    if items.contains("`{`") {
        items.remove("a block `{ … }`");
    }
    // Put punctuation first: it is usually what is missing.
    let mut list: Vec<String> = items.into_iter().collect();
    list.sort_by_key(|i| (!i.starts_with('`'), i.clone()));
    if list.len() > 6 {
        list.truncate(6);
        list.push("…".into());
    }
    match list.len() {
        0 => String::new(),
        1 => list.remove(0),
        _ => {
            let last = list.pop().unwrap_or_default();
            format!("{} or {last}", list.join(", "))
        }
    }
}

fn describe_token(token: &str) -> String {
    match token {
        "??" | "or" | "and" | "==" | "!=" | "<=" | ">=" | "<" | ">" | "+" | "*" | "/" | "%"
        | "." | "?." => "an operator".into(),
        "@json" => "`@json(\"…\")`".into(),
        "//" | "/*" | " " | "\t" | "\r" | "\n" | "\u{feff}" => String::new(),
        _ if token.contains("..") => String::new(),
        _ if token.len() == 1 && token.chars().all(|c| c.is_ascii_alphanumeric()) => String::new(),
        _ => format!("`{token}`"),
    }
}

fn describe_rule(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::ident | Rule::named | Rule::word => "a name",
        Rule::expr
        | Rule::operand
        | Rule::call_args
        | Rule::record_body
        | Rule::list
        | Rule::paren => "an expression",
        Rule::int
        | Rule::float
        | Rule::duration
        | Rule::timestamp
        | Rule::bool_lit
        | Rule::null_lit => "an expression",
        Rule::string | Rule::string_text | Rule::escape | Rule::interpolation => "a string",
        Rule::type_expr | Rule::named_type | Rule::list_type => "a type",
        Rule::nullable => "`?`",
        Rule::field_decl => "a field",
        Rule::json_attr => "`@json(\"…\")`",
        Rule::option | Rule::rollup => "an option",
        Rule::option_block => "an option block `{ … }`",
        Rule::stage | Rule::fanout => "a stage name",
        Rule::step => "`step`",
        Rule::return_stmt => "`return`",
        Rule::let_stmt => "`let`",
        Rule::require_stmt => "`require`",
        Rule::skip_stmt => "`skip if`",
        Rule::fail_stmt => "`fail`",
        Rule::fails_clause => "`fails`",
        Rule::block => "a block `{ … }`",
        Rule::param | Rule::params => "a parameter",
        Rule::pattern | Rule::wildcard | Rule::neg_number => "a pattern",
        Rule::match_arm => "a match arm",
        Rule::http_method => "an HTTP method (`get`, `post`, `put`, `patch`, `delete`)",
        Rule::object | Rule::object_entry => "an object `{ key: value }`",
        Rule::lookup_step | Rule::http_step => "`lookup` or `http`",
        Rule::op_coalesce
        | Rule::op_or
        | Rule::op_and
        | Rule::op_eq
        | Rule::op_ne
        | Rule::op_lt
        | Rule::op_le
        | Rule::op_gt
        | Rule::op_ge
        | Rule::op_add
        | Rule::op_sub
        | Rule::op_mul
        | Rule::op_div
        | Rule::op_rem
        | Rule::field
        | Rule::safe_field
        | Rule::index => "an operator",
        Rule::type_decl
        | Rule::source_decl
        | Rule::sink_decl
        | Rule::transform_decl
        | Rule::reactor_decl
        | Rule::pipeline_decl
        | Rule::test_decl => {
            "a declaration (`type`, `source`, `sink`, `transform`, `reactor`, `pipeline` or `test`)"
        }
        Rule::EOI => "the end of the declaration",
        _ => return None,
    })
}

/// A help line for the common mistakes.
fn hint(chunk: &str, pos: usize, expected: &str) -> Option<String> {
    let rest = chunk[pos..].trim_start();
    if rest.starts_with(';') {
        return Some("Dash has no semicolons: put each statement on its own line".into());
    }
    if rest.starts_with("==") && expected.contains('=') {
        return Some("`let` binds with a single `=`".into());
    }
    if rest.is_empty() && expected.contains("`}`") {
        return Some("a `{` is not closed: add the missing `}`".into());
    }
    if rest.starts_with('\'') {
        return Some("strings use double quotes: `\"…\"`".into());
    }
    if rest.starts_with("&&") {
        return Some("write `and` instead of `&&`".into());
    }
    if rest.starts_with("||") {
        return Some("write `or` instead of `||`".into());
    }
    if rest.starts_with('!') && !rest.starts_with("!=") {
        return Some("write `not x` instead of `!x`".into());
    }
    None
}
