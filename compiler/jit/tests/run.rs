//! Semantics tests: the `test` blocks of `tests/run/*.dash` must all pass
//! on both engines (interpreter and JIT); those of `tests/run_fail/*.dash`
//! must all fail, with the same reports on both engines (what `dashc test`
//! prints), snapshotted.

use dash_check::analyze;
use dash_ir::lower::lower;
use dash_jit::Jit;
use dash_jit::engine::Engine;
use dash_jit::testing::{TestReport, run_tests};
use dash_syntax::SourceFile;

/// A fixed `now()` so results are reproducible.
const NOW: i64 = 1_767_225_600_000_000;

fn reports(path: &std::path::Path) -> (dash_check::Analysis, Vec<TestReport>) {
    let text = std::fs::read_to_string(path).expect("test program");
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("t.dash");
    let analysis = analyze(vec![SourceFile::new(name, text)]);
    assert_eq!(
        analysis.error_count(),
        0,
        "{}: {:?}",
        path.display(),
        analysis.diagnostics
    );
    let program = lower(&analysis);
    let reports = run_tests(&analysis, &program, Engine::Interp(&program), NOW);
    let jit = Jit::compile(&program).expect("JIT compile");
    let compiled = run_tests(&analysis, &program, Engine::Jit(&jit), NOW);
    assert_same(path, &reports, &compiled);
    (analysis, reports)
}

/// The JIT must report exactly what the interpreter reports.
fn assert_same(path: &std::path::Path, interp: &[TestReport], jit: &[TestReport]) {
    assert_eq!(interp.len(), jit.len());
    for (i, j) in interp.iter().zip(jit) {
        assert_eq!(
            i.failure,
            j.failure,
            "{}: test {:?}: the interpreter (left) and the JIT (right) disagree",
            path.display(),
            i.name
        );
    }
}

#[test]
fn semantics_programs_pass() {
    insta::glob!("../../../tests/run", "*.dash", |path| {
        let (_, reports) = reports(path);
        assert!(!reports.is_empty());
        let failed: Vec<String> = reports
            .iter()
            .filter_map(|r| r.failure.as_ref().map(|f| format!("{}: {f}", r.name)))
            .collect();
        assert!(
            failed.is_empty(),
            "{}:\n{}",
            path.display(),
            failed.join("\n")
        );
    });
}

#[test]
fn example_pipelines_pass_their_tests() {
    insta::glob!("../../../pipelines", "*/*.dash", |path| {
        let (_, reports) = reports(path);
        for r in &reports {
            assert!(
                r.failure.is_none(),
                "{}: {}: {:?}",
                path.display(),
                r.name,
                r.failure
            );
        }
    });
}

#[test]
fn wrong_tests_fail_readably() {
    insta::glob!("../../../tests/run_fail", "*.dash", |path| {
        let (analysis, reports) = reports(path);
        let mut text = String::new();
        for r in &reports {
            let (line, _) = analysis.files[0].line_col(r.span.start as usize);
            match &r.failure {
                None => panic!("{}: test {:?} passed but must fail", path.display(), r.name),
                Some(why) => text.push_str(&format!(
                    "test {:?} (line {line}) FAILED\n  {}\n",
                    r.name,
                    why.replace('\n', "\n  ")
                )),
            }
        }
        insta::assert_snapshot!(text);
    });
}

#[test]
fn stdlib_examples_pass_on_both_engines() {
    let text = dash_check::stdlib::examples_as_test_program();
    let analysis = analyze(vec![SourceFile::new("examples.dash", text)]);
    assert_eq!(analysis.error_count(), 0, "{:?}", analysis.diagnostics);
    let program = lower(&analysis);
    let reports = run_tests(&analysis, &program, Engine::Interp(&program), NOW);
    let jit = Jit::compile(&program).expect("JIT compile");
    let compiled = run_tests(&analysis, &program, Engine::Jit(&jit), NOW);
    assert_same(std::path::Path::new("examples.dash"), &reports, &compiled);
    assert!(reports.len() > 30, "{} examples", reports.len());
    let failed: Vec<String> = reports
        .iter()
        .filter_map(|r| r.failure.as_ref().map(|f| format!("{}: {f}", r.name)))
        .collect();
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
