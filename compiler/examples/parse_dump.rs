fn main() {
    for path in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&path).unwrap();
        let parsed = dash_compiler::syntax::parse(dash_compiler::FileId(0), &text);
        let files = vec![dash_compiler::SourceFile::new(path.clone(), text)];
        println!("{path}: {} decls", parsed.file.decls.len());
        for d in &parsed.diagnostics {
            println!("{}", dash_compiler::diag::render::human(d, &files, Default::default()));
        }
        if std::env::var("DUMP").is_ok() { println!("{:#?}", parsed.file); }
    }
}
