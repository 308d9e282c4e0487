//! `analyze`: the one entry point shared by `dashc check` and the language
//! server. Parse every file, check the project, return everything known.

use crate::Program;
use dash_syntax::diag::{self, Code, Diagnostic};
use dash_syntax::source::{FileId, SourceFile, Span};
use dash_syntax::{self as syntax, Parsed};

/// Everything the compiler knows about a project.
#[derive(Debug)]
pub struct Analysis {
    pub files: Vec<SourceFile>,
    pub parsed: Vec<Parsed>,
    pub program: Program,
    /// Sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Analysis {
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.diagnostics.len() - self.error_count()
    }
}

/// A file as read from disk: text, or bytes that may not be UTF-8.
#[derive(Clone, Debug)]
pub enum Input {
    Text(String),
    Bytes(Vec<u8>),
}

/// Analyze a project given as (path, contents) pairs. Files that are not
/// valid UTF-8 are reported (E0002) and skipped.
pub fn analyze_inputs(inputs: Vec<(String, Input)>) -> Analysis {
    let mut files = Vec::new();
    let mut early = Vec::new();
    for (i, (path, input)) in inputs.into_iter().enumerate() {
        let id = FileId(i as u32);
        match input {
            Input::Text(text) => files.push(SourceFile::new(path, text)),
            Input::Bytes(bytes) => {
                match String::from_utf8(bytes) {
                    Ok(text) => files.push(SourceFile::new(path, text)),
                    Err(e) => {
                        let valid = e.utf8_error().valid_up_to();
                        let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
                        // Point at the first bad byte in the lossy text.
                        let at = String::from_utf8_lossy(&e.as_bytes()[..valid]).len();
                        files.push(SourceFile::new(path.clone(), lossy));
                        early.push((
                        id,
                        Diagnostic::new(
                            Code::InvalidFile,
                            id,
                            Span::new(at, at + '\u{FFFD}'.len_utf8()),
                            format!("`{path}` is not valid UTF-8 (byte {valid})"),
                            "invalid UTF-8 here",
                        )
                        .with_help("Dash source files must be UTF-8; convert it, e.g. `iconv -t UTF-8`"),
                    ));
                    }
                }
            }
        }
    }
    let skip: Vec<FileId> = early.iter().map(|(id, _)| *id).collect();
    let mut analysis = analyze_files(files, &skip);
    analysis
        .diagnostics
        .extend(early.into_iter().map(|(_, d)| d));
    diag::sort(&mut analysis.diagnostics);
    analysis
}

/// Analyze source files (already UTF-8).
pub fn analyze(files: Vec<SourceFile>) -> Analysis {
    analyze_files(files, &[])
}

fn analyze_files(files: Vec<SourceFile>, skip: &[FileId]) -> Analysis {
    let parsed: Vec<Parsed> = files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let id = FileId(i as u32);
            if skip.contains(&id) {
                Parsed::default()
            } else {
                syntax::parse(id, &f.text)
            }
        })
        .collect();
    let asts: Vec<(FileId, &dash_syntax::ast::File)> = parsed
        .iter()
        .enumerate()
        .map(|(i, p)| (FileId(i as u32), &p.file))
        .collect();
    let broken: std::collections::HashSet<String> = parsed
        .iter()
        .flat_map(|p| p.broken_names.iter().cloned())
        .collect();
    let (program, mut diagnostics) = crate::check(&asts, &broken);
    for p in &parsed {
        diagnostics.extend(p.diagnostics.iter().cloned());
    }
    diag::sort(&mut diagnostics);
    Analysis {
        files,
        parsed,
        program,
        diagnostics,
    }
}
