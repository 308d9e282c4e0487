//! Rendering diagnostics for people (miette, rustc-like `file:line:col`)
//! and for machines (JSON).

use std::fmt;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode};
use serde_json::{Value, json};

use super::{Diagnostic, Label, Severity};
use crate::source::SourceFile;

/// How to draw human-readable diagnostics.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
    pub width: usize,
}

impl Default for Style {
    fn default() -> Style {
        Style {
            color: false,
            width: 100,
        }
    }
}

/// Render one diagnostic the way `dashc check` prints it.
pub fn human(diagnostic: &Diagnostic, files: &[SourceFile], style: Style) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_break_words(false)
        .with_links(false);
    if has_huge_line(diagnostic, files) {
        // miette cannot draw columns past 65535; say it on one line.
        let mut out = one_line(diagnostic, files);
        if let Some(help) = &diagnostic.help {
            out.push_str(&format!("\n  help: {help}"));
        }
        out.push_str("\n\n");
        return out;
    }
    let report = Report::new(diagnostic, files);
    let mut out = String::new();
    if handler.render_report(&mut out, &report).is_err() {
        // Rendering only fails on a formatter error; fall back to one line.
        out = one_line(diagnostic, files);
    }
    // Labels in other files: one note line each, with their location.
    for label in &diagnostic.secondary {
        if label.file != diagnostic.primary.file {
            let (path, line, col) = location(label, files);
            out.push_str(&format!(
                "  note: {} ({path}:{line}:{col})\n",
                label.message
            ));
        }
    }
    out.push('\n');
    out
}

/// Whether a label sits on a line too long to draw as a snippet.
fn has_huge_line(diagnostic: &Diagnostic, files: &[SourceFile]) -> bool {
    std::iter::once(&diagnostic.primary)
        .chain(&diagnostic.secondary)
        .any(|label| {
            let Some(file) = files.get(label.file.0 as usize) else {
                return false;
            };
            let at = (label.span.start as usize).min(file.text.len());
            let start = file.text[..at].rfind('\n').map_or(0, |i| i + 1);
            let end = file.text[at..]
                .find('\n')
                .map_or(file.text.len(), |i| at + i);
            end - start > 10_000
        })
}

/// `file:line:col: error[E0005]: message` — for logs and terse output.
pub fn one_line(diagnostic: &Diagnostic, files: &[SourceFile]) -> String {
    let (path, line, col) = location(&diagnostic.primary, files);
    format!(
        "{path}:{line}:{col}: {}[{}]: {}",
        severity_word(diagnostic.severity),
        diagnostic.code.as_str(),
        diagnostic.message
    )
}

/// Machine-readable form used by `dashc check --format json`.
pub fn json(diagnostic: &Diagnostic, files: &[SourceFile]) -> Value {
    let position = |label: &Label| {
        let file = files.get(label.file.0 as usize);
        let (line, column) = file.map_or((0, 0), |f| f.line_col(label.span.start as usize));
        let (end_line, end_column) = file.map_or((0, 0), |f| f.line_col(label.span.end as usize));
        json!({
            "file": file.map_or("", |f| f.path.as_str()),
            "line": line,
            "column": column,
            "end_line": end_line,
            "end_column": end_column,
            "start_byte": label.span.start,
            "end_byte": label.span.end,
            "label": label.message,
        })
    };
    let mut value = position(&diagnostic.primary);
    value["code"] = json!(diagnostic.code.as_str());
    value["severity"] = json!(severity_word(diagnostic.severity));
    value["message"] = json!(diagnostic.message);
    value["help"] = json!(diagnostic.help);
    value["related"] = Value::Array(diagnostic.secondary.iter().map(position).collect());
    value
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn location<'a>(label: &Label, files: &'a [SourceFile]) -> (&'a str, usize, usize) {
    match files.get(label.file.0 as usize) {
        Some(file) => {
            let (line, col) = file.line_col(label.span.start as usize);
            (file.path.as_str(), line, col)
        }
        None => ("<unknown>", 0, 0),
    }
}

/// Adapter from [`Diagnostic`] to miette. Labels in the primary file are
/// drawn in one snippet; labels in other files are notes after it.
struct Report {
    message: String,
    severity: Severity,
    source: Option<NamedSource<Arc<str>>>,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
}

impl Report {
    fn new(diagnostic: &Diagnostic, files: &[SourceFile]) -> Report {
        let file = files.get(diagnostic.primary.file.0 as usize);
        let mut labels = vec![labeled(&diagnostic.primary, file, true)];
        for label in &diagnostic.secondary {
            if label.file == diagnostic.primary.file {
                labels.push(labeled(label, file, false));
            }
        }
        Report {
            message: format!(
                "{}[{}]: {}",
                severity_word(diagnostic.severity),
                diagnostic.code.as_str(),
                diagnostic.message
            ),
            severity: diagnostic.severity,
            source: file.map(named),
            labels,
            help: diagnostic.help.clone(),
        }
    }
}

fn named(file: &SourceFile) -> NamedSource<Arc<str>> {
    NamedSource::new(file.path.clone(), file.text.clone()).with_language("dash")
}

fn labeled(label: &Label, file: Option<&SourceFile>, primary: bool) -> LabeledSpan {
    // miette needs spans on character boundaries inside the text.
    let len = file.map_or(0, |f| f.text.len());
    let start = (label.span.start as usize).min(len);
    let end = (label.span.end as usize).clamp(start, len);
    let text = Some(label.message.clone()).filter(|m| !m.is_empty());
    if primary {
        LabeledSpan::new_primary_with_span(text, start..end)
    } else {
        LabeledSpan::new_with_span(text, start..end)
    }
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h.as_str()) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}
