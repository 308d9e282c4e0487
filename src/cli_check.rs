//! `dashc check`: analyze projects and print their diagnostics.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use dash_compiler::diag::render::{self, Style};
use dash_compiler::{Analysis, Severity};

use crate::Format;

pub fn run(paths: &[PathBuf], format: Format, quiet_warnings: bool) -> ExitCode {
    let projects = match dash_runtime::project::load(paths) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let analyses: Vec<Analysis> = projects
        .into_iter()
        .map(|p| dash_compiler::analyze_inputs(p.files))
        .collect();
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
            let style = Style {
                color: std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
                width: 100,
            };
            for a in &analyses {
                for d in &a.diagnostics {
                    if quiet_warnings && d.severity == Severity::Warning {
                        continue;
                    }
                    eprint!("{}", render::human(d, &a.files, style));
                }
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
