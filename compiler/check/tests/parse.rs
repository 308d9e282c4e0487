//! Every example of the language reference parses (and, where complete,
//! checks), and parsing is deterministic.

use dash_check::analyze;
use dash_syntax::{self as syntax, FileId, SourceFile};

#[test]
fn language_reference_examples_parse() {
    insta::glob!("../../../tests/parse", "*.dash", |path| {
        let text = std::fs::read_to_string(path).expect("example");
        let parsed = syntax::parse(FileId(0), &text);
        assert!(
            parsed.diagnostics.is_empty(),
            "{}: {:?}",
            path.display(),
            parsed.diagnostics
        );
        assert!(!parsed.file.decls.is_empty());
    });
}

#[test]
fn weather_example_checks_clean() {
    let text = include_str!("../../../tests/parse/language_s1_weather.dash");
    let analysis = analyze(vec![SourceFile::new("weather.dash", text)]);
    assert!(
        analysis.diagnostics.is_empty(),
        "{:?}",
        analysis.diagnostics
    );
}

#[test]
fn spans_point_at_names() {
    let text = "type Reading {\n  temp_c: float\n}\n";
    let parsed = syntax::parse(FileId(0), text);
    let decl = &parsed.file.decls[0];
    assert_eq!(&text[decl.name().span.range()], "Reading");
    let dash_syntax::ast::DeclKind::Type(t) = &decl.kind else {
        panic!("a type")
    };
    assert_eq!(&text[t.fields[0].name.span.range()], "temp_c");
    assert_eq!(&text[t.fields[0].ty.span.range()], "float");
}
