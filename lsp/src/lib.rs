//! The Dash language server: a thin adapter from LSP requests to the
//! compiler's [`dash_compiler::analyze`]. The server itself (started by
//! `dashc lsp`) arrives with the editor-support issue; this crate already
//! holds the conversions it will need.

use dash_compiler::{Analysis, Diagnostic, Severity};

/// A diagnostic as an editor shows it: 0-based line and UTF-16 column
/// range, severity, code and message (with the help appended).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EditorDiagnostic {
    pub path: String,
    pub start: (usize, usize),
    pub end: (usize, usize),
    pub error: bool,
    pub code: &'static str,
    pub message: String,
}

/// Convert one diagnostic of an analysis to editor positions.
pub fn editor_diagnostic(analysis: &Analysis, d: &Diagnostic) -> Option<EditorDiagnostic> {
    let file = analysis.files.get(d.primary.file.0 as usize)?;
    let message = match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    };
    Some(EditorDiagnostic {
        path: file.path.clone(),
        start: file.utf16_position(d.primary.span.start as usize),
        end: file.utf16_position(d.primary.span.end as usize),
        error: d.severity == Severity::Error,
        code: d.code.as_str(),
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use dash_compiler::{SourceFile, analyze};

    #[test]
    fn positions_are_utf16() {
        let text = "type A {\n  a: int\n  /* é😀 */ x: nope\n}\n";
        let analysis = analyze(vec![SourceFile::new("a.dash", text)]);
        let d = editor_diagnostic(&analysis, &analysis.diagnostics[0]).unwrap();
        assert_eq!(d.code, "E0004");
        // `é` is one UTF-16 unit, `😀` two.
        assert_eq!(d.start, (2, 15));
        assert_eq!(d.end, (2, 19));
        assert!(d.message.contains("help:"));
    }
}
