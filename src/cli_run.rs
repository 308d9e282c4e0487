//! `dashc run`: run a pipeline.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use dash_runtime::executor::{RunOptions, Summary, run_blocking};

use crate::cli_check::compile_project;
use crate::progress::{ProgressLine, thousands};

/// The directory a project's relative paths (data files, `dash.db`,
/// `dash.yaml`) are resolved against.
pub(crate) fn project_dir(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    }
}

/// Structured logs on stderr, filtered by `RUST_LOG` (default: warnings).
pub(crate) fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

pub fn run(path: &Path, options: RunOptions) -> ExitCode {
    init_logs();
    let compiled = match compile_project(path, "run") {
        Ok(c) => c,
        Err(code) => return code,
    };
    let dir = project_dir(path);
    let tty = std::io::stderr().is_terminal();
    let mut line = ProgressLine::new();
    let mut progress = |s: &Summary| {
        if tty {
            line.update(s);
        }
    };
    let result = run_blocking(&compiled, &dir, &options, &mut progress);
    line.finish();
    match result {
        Ok(s) => {
            print_summary(&s, path);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// The run's counts, on stderr: stdout belongs to `stdout` sinks, so
/// `dashc run p > out.jsonl` gives clean JSON lines.
fn print_summary(s: &Summary, path: &Path) {
    let secs = s.elapsed.as_secs_f64();
    eprintln!(
        "pipeline {} finished in {secs:.2}s ({:.0} records/s)",
        s.pipeline,
        s.read as f64 / secs.max(1e-6)
    );
    let line = |what: &str, n: u64| eprintln!("  {what:<14} {:>12}", thousands(n));
    line("read", s.read);
    if s.split_known {
        line("written", s.written);
        line("already there", s.duplicates);
    } else {
        // Several keyed tables: per sink below.
        line("delivered", s.delivered);
    }
    line("skipped", s.skipped);
    line("dead-lettered", s.dead_lettered);
    if s.retries > 0 {
        eprintln!(
            "  {:<14} {:>12}  (the database went away; see the log)",
            "retried", s.retries
        );
    }
    if s.sinks.len() > 1 || !s.split_known {
        for sink in &s.sinks {
            eprint!(
                "  sink {} ({}): written {}",
                sink.name,
                sink.target,
                thousands(sink.written)
            );
            if sink.keyed {
                eprint!(", already there {}", thousands(sink.duplicates));
            }
            eprintln!();
        }
    }
    eprintln!("database {}", s.database);
    for t in &s.tables {
        eprintln!("  rows in table \"{t}\"");
    }
    let mut hint = String::from("dashc dlq list");
    // The DLQ lives with the project: name it unless it is the current directory.
    let dir = project_dir(path);
    if !matches!(dir.to_str(), Some("." | "./" | "")) {
        hint.push_str(&format!(" --project {}", dir.display()));
    }
    if s.dlq_table != "dash_dlq" {
        hint.push_str(&format!(" --table {}", s.dlq_table));
    }
    eprintln!(
        "  dead letters in table \"{}\" (see them with `{hint}`)",
        s.dlq_table
    );
    if s.lookup_queries > 0 {
        eprintln!("  lookup queries {:>12}", thousands(s.lookup_queries));
    }
}
