//! Golden tests of the checker over the files in `tests/check/`:
//! every `ok/*.dash` checks clean, every `err/*.dash` reports the code its
//! first line names, and the rendered diagnostics are snapshotted.

use dash_check::{Analysis, analyze};
use dash_syntax::SourceFile;
use dash_syntax::diag::render::{self, Style};

fn analyze_file(path: &std::path::Path) -> Analysis {
    let text = std::fs::read_to_string(path).expect("test file");
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("test.dash");
    analyze(vec![SourceFile::new(name, text)])
}

fn rendered(analysis: &Analysis) -> String {
    analysis
        .diagnostics
        .iter()
        .map(|d| render::human(d, &analysis.files, Style::default()))
        .collect()
}

#[test]
fn valid_programs_have_no_diagnostics() {
    insta::glob!("../../../tests/check/ok", "*.dash", |path| {
        let analysis = analyze_file(path);
        assert!(
            analysis.diagnostics.is_empty(),
            "{}:\n{}",
            path.display(),
            rendered(&analysis)
        );
    });
}

/// Programs written against the language whose kinds or options do not
/// run yet: refused by name (E0049), and nothing else is wrong with them.
#[test]
fn features_that_do_not_run_yet_are_refused() {
    insta::glob!("../../../tests/check/not_yet", "*.dash", |path| {
        let analysis = analyze_file(path);
        assert!(
            !analysis.diagnostics.is_empty()
                && analysis
                    .diagnostics
                    .iter()
                    .all(|d| d.code.as_str() == "E0049"),
            "{}: expected only E0049, got:\n{}",
            path.display(),
            rendered(&analysis)
        );
        insta::assert_snapshot!(rendered(&analysis));
    });
}

#[test]
fn broken_programs_report_their_code() {
    insta::glob!("../../../tests/check/err", "*.dash", |path| {
        let analysis = analyze_file(path);
        let first_line = analysis.files[0]
            .text
            .lines()
            .next()
            .unwrap_or("")
            .to_string();
        let expected = first_line
            .split(|c: char| !c.is_ascii_alphanumeric())
            .find(|w| w.len() == 5 && (w.starts_with('E') || w.starts_with('W')))
            .unwrap_or_else(|| panic!("{}: first line names no code", path.display()));
        assert!(
            analysis
                .diagnostics
                .iter()
                .any(|d| d.code.as_str() == expected),
            "{}: expected {expected}, got:\n{}",
            path.display(),
            rendered(&analysis)
        );
        insta::assert_snapshot!(rendered(&analysis));
    });
}

#[test]
fn every_code_has_a_page_and_a_test() {
    let err_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/check/err");
    let names: Vec<String> = std::fs::read_dir(err_dir)
        .expect("tests/check/err")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_lowercase())
        .collect();
    for code in dash_syntax::Code::ALL {
        let page = code.explanation();
        assert!(
            page.starts_with(&format!("# {}: {}", code.as_str(), code.title())),
            "docs/errors/{}.md must start with its title",
            code.as_str()
        );
        // E0002 (bad UTF-8) and E0041 (nesting) are tested from Rust.
        if !matches!(code.as_str(), "E0002" | "E0041") {
            let prefix = code.as_str().to_lowercase();
            assert!(
                names.iter().any(|n| n.starts_with(&prefix)),
                "no test program for {}",
                code.as_str()
            );
        }
    }
}
