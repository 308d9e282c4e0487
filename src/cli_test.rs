//! `dashc test`: run the `test` blocks of projects.

use std::path::PathBuf;
use std::process::ExitCode;

use dash_jit::testing;

use crate::Engine;
use crate::cli_check::{load_and_analyze, print_diagnostics};

pub fn run(paths: &[PathBuf], engine: Engine) -> ExitCode {
    let analyses = match load_and_analyze(paths) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let mut passed = 0;
    let mut failed = 0;
    for analysis in &analyses {
        if analysis.error_count() > 0 {
            print_diagnostics(analysis, true);
            eprintln!("error: the project has errors; no test was run");
            return ExitCode::from(1);
        }
        let program = dash_ir::lower::lower(analysis);
        let now = now_micros();
        let jit = match engine {
            Engine::Jit => match dash_jit::Jit::compile(&program) {
                Ok(jit) => Some(jit),
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            },
            Engine::Interp => None,
        };
        let engine = dash_jit::engine::Engine::of(jit.as_ref(), &program);
        for report in testing::run_tests(analysis, &program, engine, now) {
            let file = &analysis.files[report.file.0 as usize];
            let (line, col) = file.line_col(report.span.start as usize);
            match &report.failure {
                None => {
                    passed += 1;
                    println!("test {:?} ... ok", report.name);
                }
                Some(why) => {
                    failed += 1;
                    println!("test {:?} ... FAILED", report.name);
                    println!("  --> {}:{line}:{col}", file.path);
                    for l in why.lines() {
                        println!("  {l}");
                    }
                }
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn now_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64)
}
