//! Conversions between compiler values and LSP types.

use dash_syntax::{Diagnostic, Severity, SourceFile, Span};
use tower_lsp_server::ls_types::{
    self as lsp, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
    Position, Range, Uri,
};

pub fn position(file: &SourceFile, offset: usize) -> Position {
    let (line, character) = file.utf16_position(offset);
    Position::new(line as u32, character as u32)
}

pub fn range(file: &SourceFile, span: Span) -> Range {
    Range::new(
        position(file, span.start as usize),
        position(file, span.end as usize),
    )
}

pub fn offset(file: &SourceFile, position: Position) -> usize {
    file.offset_of_utf16(position.line as usize, position.character as usize)
}

pub fn uri_of(path: &str) -> Option<Uri> {
    let path = std::path::Path::new(path);
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    Uri::from_file_path(absolute)
}

/// A compiler diagnostic as LSP sees it: code, message with its help,
/// related locations for secondary labels.
pub fn diagnostic(files: &[SourceFile], d: &Diagnostic) -> Option<lsp::Diagnostic> {
    let file = files.get(d.primary.file.0 as usize)?;
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .secondary
        .iter()
        .filter_map(|label| {
            let f = files.get(label.file.0 as usize)?;
            Some(DiagnosticRelatedInformation {
                location: Location::new(uri_of(&f.path)?, range(f, label.span)),
                message: label.message.clone(),
            })
        })
        .collect();
    Some(lsp::Diagnostic {
        range: range(file, d.primary.span),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.as_str().to_string())),
        source: Some("dash".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..lsp::Diagnostic::default()
    })
}
