//! `dashc compile`: show what the compiler makes of a program.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::Emit;
use crate::cli_check::{load_and_analyze, print_diagnostics};

pub fn run(paths: &[PathBuf], emit: Emit) -> ExitCode {
    let analyses = match load_and_analyze(paths) {
        Ok(a) => a,
        Err(code) => return code,
    };
    for analysis in &analyses {
        if analysis.error_count() > 0 {
            print_diagnostics(analysis, true);
            return ExitCode::from(1);
        }
        match emit {
            Emit::Ir => {
                let program = dash_ir::lower::lower(analysis);
                print!("{}", dash_ir::print_program(&program));
            }
            Emit::Graph => print!(
                "{}",
                dash_check::graph::mermaid(&dash_check::graph::graphs(analysis))
            ),
            Emit::Dot => print!(
                "{}",
                dash_check::graph::dot(&dash_check::graph::graphs(analysis))
            ),
            Emit::Clif => {
                let program = dash_ir::lower::lower(analysis);
                match dash_jit::Jit::clif(&program) {
                    Ok(text) => print!("{text}"),
                    Err(e) => {
                        eprintln!("error: {e}");
                        return ExitCode::from(2);
                    }
                }
            }
        }
    }
    ExitCode::SUCCESS
}
