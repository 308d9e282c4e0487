//! `dashc check`: analyze projects and print their diagnostics.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use dash_check::Analysis;
use dash_syntax::Severity;
use dash_syntax::diag::render::{self, Style};

use crate::Format;

/// Load the projects named by `paths` and analyze each; a path that
/// cannot be read is a one-line error and exit code 2.
pub fn load_and_analyze(paths: &[PathBuf]) -> Result<Vec<Analysis>, ExitCode> {
    match dash_runtime::project::load(paths) {
        Ok(projects) => Ok(projects
            .into_iter()
            .map(|p| dash_check::analyze_inputs(p.files))
            .collect()),
        Err(e) => {
            eprintln!("error: {e}");
            Err(ExitCode::from(2))
        }
    }
}

/// Print an analysis' diagnostics to stderr, rustc-style.
/// The project at `path`, checked and lowered for running; on errors, the
/// diagnostics are printed with "nothing was {done}" and the exit code
/// is returned.
pub fn compile_project(path: &Path, done: &str) -> Result<dash_ir::Compiled, ExitCode> {
    let analyses = load_and_analyze(&[path.to_path_buf()])?;
    let Some(analysis) = analyses.first() else {
        return Err(ExitCode::from(2));
    };
    if analysis.error_count() > 0 {
        print_diagnostics(analysis, true);
        eprintln!("error: the project has errors; nothing was {done}");
        return Err(ExitCode::from(1));
    }
    Ok(dash_ir::compile(analysis))
}

pub fn print_diagnostics(analysis: &Analysis, warnings: bool) {
    let style = Style {
        color: std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        width: 100,
    };
    for d in &analysis.diagnostics {
        if warnings || d.severity != Severity::Warning {
            eprint!("{}", render::human(d, &analysis.files, style));
        }
    }
}

pub fn run(paths: &[PathBuf], format: Format, quiet_warnings: bool) -> ExitCode {
    let analyses = match load_and_analyze(paths) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let errors: usize = analyses.iter().map(Analysis::error_count).sum();
    let warnings: usize = analyses.iter().map(Analysis::warning_count).sum();
    let files: usize = analyses.iter().map(|a| a.files.len()).sum();
    match format {
        Format::Json => {
            let all: Vec<serde_json::Value> = analyses
                .iter()
                .flat_map(|a| a.diagnostics.iter().map(|d| render::json(d, &a.files)))
                .collect();
            println!("{}", serde_json::Value::Array(all));
        }
        Format::Human => {
            for a in &analyses {
                print_diagnostics(a, !quiet_warnings);
            }
            let plural =
                |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
            if errors > 0 {
                eprintln!(
                    "error: {} and {} in {}",
                    plural(errors, "error"),
                    plural(warnings, "warning"),
                    plural(files, "file")
                );
            } else {
                eprintln!(
                    "ok: {} checked, {}",
                    plural(files, "file"),
                    plural(warnings, "warning")
                );
            }
        }
    }
    if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
