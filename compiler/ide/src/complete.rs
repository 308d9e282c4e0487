//! Completion. The context comes from the text before the cursor (so it
//! works while the declaration being typed does not parse); types come
//! from the analysis: the current one, or the last one in which the
//! declaration still parsed.

use dash_check::analysis::Analysis;
use dash_check::options::{PIPELINE_OPTIONS, runs, sink_options, source_options};
use dash_check::stdlib::BUILTINS;
use dash_check::{GlobalKind, Program, Symbol, Ty};
use dash_syntax::source::FileId;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    Field,
    Function,
    Type,
    Stage,
    Option,
    Keyword,
    Variable,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Completion {
    pub label: String,
    pub kind: CompletionKind,
    pub detail: String,
    pub documentation: Option<String>,
}

fn item(label: &str, kind: CompletionKind, detail: String) -> Completion {
    Completion {
        label: label.to_string(),
        kind,
        detail,
        documentation: None,
    }
}

/// Completions at `offset` of `text` (the current text of `file`).
/// `previous` is an older analysis to fall back on for types.
pub fn complete(
    analysis: &Analysis,
    previous: Option<&Analysis>,
    file: FileId,
    text: &str,
    offset: usize,
) -> Vec<Completion> {
    let offset = floor_char(text, offset.min(text.len()));
    let before = &text[..offset];
    let word_start = after_last(before, |c| !(c.is_ascii_alphanumeric() || c == '_'));
    let head = &before[..word_start];
    let program = &analysis.program;

    // `receiver.` or `receiver?.`: fields.
    if let Some(chain_end) = head
        .strip_suffix('.')
        .map(|h| h.strip_suffix('?').unwrap_or(h))
    {
        let chain = receiver_chain(chain_end);
        if !chain.is_empty() {
            let ty = [Some(analysis), previous]
                .into_iter()
                .flatten()
                .find_map(|a| chain_type(a, file, text, offset, &chain));
            return match ty.as_ref().map(Ty::strip) {
                Some(Ty::Record(id)) => fields_of(program_for(analysis, previous, *id), *id, &[]),
                _ => Vec::new(),
            };
        }
    }

    let block = enclosing_block(head);
    let line_before = head.rsplit('\n').next().unwrap_or("");
    let key_position = !line_before.contains(':') && !line_before.contains("->");
    if let Some(header) = block {
        let words: Vec<&str> = header
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .collect();
        match words.first().copied() {
            Some("source") | Some("sink") if key_position => {
                let kind = words.last().copied().unwrap_or("");
                let specs = if words[0] == "source" {
                    source_options(kind)
                } else {
                    sink_options(kind)
                };
                // Only what runs: options refused as not supported yet
                // (E0049) are not offered.
                return specs
                    .unwrap_or(&[])
                    .iter()
                    .filter(|s| runs(s.name))
                    .map(|s| Completion {
                        documentation: Some(s.doc.to_string()),
                        ..item(
                            s.name,
                            CompletionKind::Option,
                            if s.required {
                                "required".into()
                            } else {
                                "optional".into()
                            },
                        )
                    })
                    .collect();
            }
            Some("pipeline") => {
                let mut out: Vec<Completion> = program
                    .globals
                    .iter()
                    .filter(|(_, g)| {
                        matches!(
                            g.kind,
                            GlobalKind::Source
                                | GlobalKind::Sink
                                | GlobalKind::Transform
                                | GlobalKind::Reactor
                        )
                    })
                    .map(|(n, g)| item(n, CompletionKind::Stage, g.kind.word().to_string()))
                    .collect();
                if key_position {
                    out.extend(
                        PIPELINE_OPTIONS
                            .iter()
                            .filter(|s| runs(s.name))
                            .map(|s| item(s.name, CompletionKind::Option, s.doc.to_string())),
                    );
                }
                return sorted(out);
            }
            Some("type") if !key_position => return type_names(program),
            Some(name) if key_position && name.chars().next().is_some_and(char::is_uppercase) => {
                // Inside `Record { … }`: the fields not given yet.
                if let Some(GlobalKind::Type(id)) = program.globals.get(name).map(|g| g.kind) {
                    let given: Vec<&str> = header_body(head)
                        .split([',', '\n'])
                        .filter_map(|p| p.split(':').next())
                        .map(str::trim)
                        .collect();
                    return fields_of(program, id, &given);
                }
            }
            _ => {}
        }
    }
    if line_before.trim_end().ends_with("->")
        || head.trim_end().ends_with(" as")
        || line_before.trim_end().ends_with(':')
            && line_before.trim_start().starts_with("transform")
    {
        return type_names(program);
    }

    // An expression: variables in scope, functions, transforms, types, keywords.
    let mut out = Vec::new();
    for (name, ty) in locals(analysis, file, text, offset).into_iter().chain(
        previous
            .map(|p| locals(p, file, text, offset))
            .unwrap_or_default(),
    ) {
        if !out.iter().any(|c: &Completion| c.label == name) {
            out.push(item(&name, CompletionKind::Variable, ty));
        }
    }
    for b in BUILTINS {
        out.push(Completion {
            documentation: Some(b.doc.to_string()),
            ..item(b.name, CompletionKind::Function, b.signature_text())
        });
    }
    for (name, g) in &program.globals {
        match g.kind {
            GlobalKind::Transform | GlobalKind::Reactor => {
                let detail = program.callables.get(name).map(|c| {
                    let ps: Vec<String> = c.params.iter().map(|t| program.show(t)).collect();
                    format!("{name}({}) -> {}", ps.join(", "), program.show(&c.output))
                });
                out.push(item(
                    name,
                    CompletionKind::Function,
                    detail.unwrap_or_default(),
                ));
            }
            GlobalKind::Type(_) => out.push(item(name, CompletionKind::Type, "type".into())),
            _ => {}
        }
    }
    for kw in [
        "let", "require", "skip", "fail", "if", "else", "match", "true", "false", "null", "and",
        "or", "not",
    ] {
        out.push(item(kw, CompletionKind::Keyword, "keyword".into()));
    }
    sorted(out)
}

fn program_for<'a>(
    analysis: &'a Analysis,
    previous: Option<&'a Analysis>,
    id: dash_check::RecordId,
) -> &'a Program {
    if analysis.program.records.len() > id.0 as usize {
        &analysis.program
    } else {
        previous.map_or(&analysis.program, |p| &p.program)
    }
}

fn sorted(mut items: Vec<Completion>) -> Vec<Completion> {
    items.sort_by(|a, b| a.label.cmp(&b.label));
    items.dedup_by(|a, b| a.label == b.label);
    items
}

/// The byte offset just after the last character matching `pred` (0 if
/// none), on a character boundary whatever that character's width.
fn after_last(text: &str, pred: impl Fn(char) -> bool) -> usize {
    text.char_indices()
        .rev()
        .find(|(_, c)| pred(*c))
        .map_or(0, |(i, c)| i + c.len_utf8())
}

fn floor_char(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// `r.loc` (before the final dot) -> ["r", "loc"].
fn receiver_chain(text: &str) -> Vec<String> {
    let start = after_last(text, |c| {
        !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '?')
    });
    text[start..]
        .split('.')
        .map(|p| p.trim_end_matches('?').to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// The type of `chain` (a variable then fields) at `offset`.
fn chain_type(
    analysis: &Analysis,
    file: FileId,
    text: &str,
    offset: usize,
    chain: &[String],
) -> Option<Ty> {
    let program = &analysis.program;
    let (head, rest) = chain.split_first()?;
    let mut ty = locals_typed(analysis, file, text, offset)
        .into_iter()
        .find(|(n, _)| n == head)
        .map(|(_, t)| t)?;
    for name in rest {
        let Ty::Record(id) = ty.strip() else {
            return None;
        };
        ty = program.records.get(id.0 as usize)?.field(name)?.ty.clone();
    }
    Some(ty)
}

fn fields_of(program: &Program, id: dash_check::RecordId, given: &[&str]) -> Vec<Completion> {
    let Some(record) = program.records.get(id.0 as usize) else {
        return Vec::new();
    };
    record
        .fields
        .iter()
        .filter(|f| !given.contains(&f.name.as_str()))
        .map(|f| item(&f.name, CompletionKind::Field, program.show(&f.ty)))
        .collect()
}

fn type_names(program: &Program) -> Vec<Completion> {
    let mut out: Vec<Completion> = dash_check::ty::BUILTIN_NAMES
        .iter()
        .map(|n| item(n, CompletionKind::Type, "built-in type".into()))
        .collect();
    out.extend(
        program
            .record_names
            .iter()
            .map(|n| item(n, CompletionKind::Type, "type".into())),
    );
    sorted(out)
}

/// The text before the innermost unclosed `{`, from the start of its line.
fn enclosing_block(head: &str) -> Option<&str> {
    let mut depth = 0i32;
    for (i, c) in head.char_indices().rev() {
        match c {
            '}' => depth += 1,
            '{' if depth == 0 => {
                let line_start = head[..i].rfind('\n').map_or(0, |n| n + 1);
                let header = head[line_start..i].trim();
                // `Name {` of a record construction: the word right before.
                let last_word = header
                    .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .find(|w| !w.is_empty())
                    .unwrap_or("");
                let declaration = dash_syntax::DECLARATION_KEYWORDS
                    .iter()
                    .any(|k| header.starts_with(k));
                if last_word.chars().next().is_some_and(char::is_uppercase)
                    && !declaration
                    && let Some(at) = header.rfind(last_word)
                {
                    return Some(&header[at..at + last_word.len()]);
                }
                return Some(header);
            }
            '{' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// The text after the innermost unclosed `{`.
fn header_body(head: &str) -> &str {
    let mut depth = 0i32;
    for (i, c) in head.char_indices().rev() {
        match c {
            '}' => depth += 1,
            '{' if depth == 0 => return &head[i + 1..],
            '{' => depth -= 1,
            _ => {}
        }
    }
    ""
}

/// Variables visible at `offset`, with their types shown.
fn locals(analysis: &Analysis, file: FileId, text: &str, offset: usize) -> Vec<(String, String)> {
    locals_typed(analysis, file, text, offset)
        .into_iter()
        .map(|(n, t)| {
            let shown = analysis.program.show(&t);
            (n, shown)
        })
        .collect()
}

/// Parameters, `let`s and steps of the declaration around `offset`: from
/// the analysis when it parsed, else from its header text.
fn locals_typed(analysis: &Analysis, file: FileId, text: &str, offset: usize) -> Vec<(String, Ty)> {
    let program = &analysis.program;
    let mut out = Vec::new();
    if let Some(parsed) = analysis.parsed.get(file.0 as usize)
        && let Some(decl) = parsed.file.decls.iter().find(|d| d.span.contains(offset))
        && text.get(decl.span.range())
            == analysis
                .files
                .get(file.0 as usize)
                .and_then(|f| f.text.get(decl.span.range()))
    {
        for r in program.references.iter().filter(|r| {
            r.file == file
                && decl.span.contains(r.span.start as usize)
                && (r.span.start as usize) < offset
        }) {
            if let Symbol::Local(_, def) = &r.symbol {
                let name = text.get(def.range()).unwrap_or("").to_string();
                if let Some(ty) = program.expr_types.get(&(file, r.span)) {
                    out.push((name, ty.clone()));
                } else if !out.iter().any(|(n, _)| *n == name)
                    && let Some(ty) = program
                        .references
                        .iter()
                        .filter(|o| o.symbol == r.symbol)
                        .find_map(|o| program.expr_types.get(&(o.file, o.span)))
                {
                    out.push((name, ty.clone()));
                }
            }
        }
        out.reverse();
        out.dedup_by(|a, b| a.0 == b.0);
        if !out.is_empty() {
            return out;
        }
    }
    out.extend(header_params(program, text, offset).unwrap_or_default());
    out
}

/// The parameters in the header `transform name(p: T, …)` of the
/// declaration being typed.
fn header_params(program: &Program, text: &str, offset: usize) -> Option<Vec<(String, Ty)>> {
    let mut out = Vec::new();
    let before = &text[..offset.min(text.len())];
    let start = ["\ntransform ", "\nreactor "]
        .iter()
        .filter_map(|k| before.rfind(k))
        .max()
        .or_else(|| {
            (before.starts_with("transform ") || before.starts_with("reactor ")).then_some(0)
        })?;
    let header = &before[start..];
    let open = header.find('(')?;
    let close = header[open..].find(')').map(|c| open + c)?;
    for param in header[open + 1..close].split(',') {
        let mut parts = param.splitn(2, ':');
        let (Some(name), Some(ty)) = (parts.next(), parts.next()) else {
            continue;
        };
        let ty_name = ty.trim().trim_end_matches('?');
        let ty = match program.globals.get(ty_name).map(|g| g.kind) {
            Some(GlobalKind::Type(id)) => Ty::Record(id),
            _ => dash_check::ty::builtin(ty_name).unwrap_or(Ty::Unknown),
        };
        out.push((name.trim().to_string(), ty));
    }
    Some(out)
}
