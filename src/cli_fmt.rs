//! `dashc fmt`: rewrite files in the canonical layout, or check they are.

use std::path::PathBuf;
use std::process::ExitCode;

use dash_check::Input;
use dash_syntax::SourceFile;
use dash_syntax::diag::render::{self, Style};

pub fn run(paths: &[PathBuf], check: bool) -> ExitCode {
    let projects = match dash_runtime::project::load(paths) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut unformatted = 0;
    let mut broken = 0;
    let mut changed = 0;
    for project in projects {
        for (path, input) in project.files {
            let text = match input {
                Input::Text(t) => t,
                Input::Bytes(b) => match String::from_utf8(b) {
                    Ok(t) => t,
                    Err(_) => {
                        eprintln!("error: `{path}` is not valid UTF-8; not formatted");
                        broken += 1;
                        continue;
                    }
                },
            };
            match dash_syntax::fmt::format_source(&text) {
                Ok(formatted) if formatted == text => {}
                Ok(formatted) => {
                    if check {
                        println!("{path}");
                        unformatted += 1;
                    } else if let Err(e) = std::fs::write(&path, formatted) {
                        eprintln!("error: cannot write `{path}`: {e}");
                        return ExitCode::from(2);
                    } else {
                        changed += 1;
                    }
                }
                Err(diagnostics) => {
                    let files = [SourceFile::new(path.clone(), text)];
                    for d in &diagnostics {
                        eprint!("{}", render::human(d, &files, Style::default()));
                    }
                    eprintln!("error: `{path}` has syntax errors; not formatted");
                    broken += 1;
                }
            }
        }
    }
    if check && unformatted > 0 {
        eprintln!("{unformatted} file(s) are not formatted; run `dashc fmt`");
        return ExitCode::from(1);
    }
    if !check && changed > 0 {
        eprintln!("formatted {changed} file(s)");
    }
    if broken > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
