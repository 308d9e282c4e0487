fn main() {
    for path in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&path).unwrap();
        let a = dash_check::analyze(vec![dash_syntax::SourceFile::new(path.clone(), text)]);
        println!("== {path}: {} errors", a.error_count());
        for d in &a.diagnostics {
            if std::env::var("FULL").is_ok() {
                println!(
                    "{}",
                    dash_syntax::diag::render::human(d, &a.files, Default::default())
                );
            } else {
                println!("{}", dash_syntax::diag::render::one_line(d, &a.files));
            }
        }
    }
}
