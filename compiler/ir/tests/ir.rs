//! Snapshots of the printed IR of the example programs.

use dash_check::analyze;
use dash_ir::{lower::lower, print_program};
use dash_syntax::SourceFile;

#[test]
fn ir_snapshots() {
    insta::glob!("../../../tests/ir", "*.dash", |path| {
        let text = std::fs::read_to_string(path).expect("program");
        let analysis = analyze(vec![SourceFile::new("p.dash", text)]);
        assert_eq!(analysis.error_count(), 0, "{:?}", analysis.diagnostics);
        insta::assert_snapshot!(print_program(&lower(&analysis)));
    });
}
