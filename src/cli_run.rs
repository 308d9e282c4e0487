//! `dashc run` and `dashc dlq`: run a pipeline; read its dead letters.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use dash_runtime::executor::{RunOptions, Summary, run_blocking};

use crate::cli_check::{load_and_analyze, print_diagnostics};
use crate::progress::{ProgressLine, thousands};

/// The directory a project's relative paths (data files, `dash.db`,
/// `dash.yaml`) are resolved against.
fn project_dir(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    }
}

/// Structured logs on stderr, filtered by `RUST_LOG` (default: warnings).
fn init_logs() {
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
    let analyses = match load_and_analyze(&[path.to_path_buf()]) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let Some(analysis) = analyses.first() else {
        return ExitCode::from(2);
    };
    if analysis.error_count() > 0 {
        print_diagnostics(analysis, true);
        eprintln!("error: the project has errors; nothing was run");
        return ExitCode::from(1);
    }
    let dir = project_dir(path);
    let tty = std::io::stderr().is_terminal();
    let mut line = ProgressLine::new();
    let mut progress = |s: &Summary| {
        if tty {
            line.update(s);
        }
    };
    let result = run_blocking(analysis, &dir, &options, &mut progress);
    line.finish();
    match result {
        Ok(s) => {
            print_summary(&s);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn print_summary(s: &Summary) {
    let secs = s.elapsed.as_secs_f64();
    println!(
        "pipeline {} finished in {secs:.2}s ({:.0} records/s)",
        s.pipeline,
        s.read as f64 / secs.max(1e-6)
    );
    for (what, n) in [
        ("read", s.read),
        ("written", s.written),
        ("already there", s.duplicates),
        ("skipped", s.skipped),
        ("dead-lettered", s.dead_lettered),
    ] {
        println!("  {what:<14} {:>12}", thousands(n));
    }
    if s.retries > 0 {
        println!(
            "  {:<14} {:>12}  (the database went away; see the log)",
            "retried", s.retries
        );
    }
    println!("database {}", s.database);
    for t in &s.tables {
        println!("  rows in table \"{t}\"");
    }
    let table = if s.dlq_table == "dash_dlq" {
        String::new()
    } else {
        format!(" --table {}", s.dlq_table)
    };
    println!(
        "  dead letters in table \"{}\" (see them with `dashc dlq list{table}`)",
        s.dlq_table
    );
    if s.lookup_queries > 0 {
        println!("  lookup queries {:>12}", thousands(s.lookup_queries));
    }
}

fn replay(
    path: &Path,
    dir: &Path,
    pipeline: Option<String>,
    since: Option<&str>,
    db: Option<&str>,
    env: Option<&str>,
) -> ExitCode {
    init_logs();
    let analyses = match load_and_analyze(&[path.to_path_buf()]) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let Some(analysis) = analyses.first() else {
        return ExitCode::from(2);
    };
    if analysis.error_count() > 0 {
        print_diagnostics(analysis, true);
        eprintln!("error: the project has errors; nothing was replayed");
        return ExitCode::from(1);
    }
    let options = RunOptions {
        db: db.map(str::to_string),
        env: env.map(str::to_string),
        pipeline,
        interpret: false,
    };
    match dash_runtime::dlq::replay(analysis, dir, &options, since) {
        Ok(r) => {
            println!(
                "replayed {} dead letter(s): {} resolved ({} rows written), {} still failing",
                r.attempted, r.resolved, r.written, r.failing
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

pub fn dlq(
    path: &Path,
    command: &crate::DlqCommand,
    db: Option<&str>,
    env: Option<&str>,
    table: Option<&str>,
) -> ExitCode {
    let dir = project_dir(path);
    let (pipeline, id) = match command {
        crate::DlqCommand::List { pipeline } => (pipeline.as_deref(), None),
        crate::DlqCommand::Show { id } => (None, Some(*id)),
        crate::DlqCommand::Replay { pipeline, since } => {
            return replay(path, &dir, pipeline.clone(), since.as_deref(), db, env);
        }
    };
    match dash_runtime::dlq::entries(&dir, db, env, table, pipeline, id) {
        Ok((database, entries)) => {
            if let crate::DlqCommand::Show { id } = command {
                let Some(e) = entries.first() else {
                    eprintln!("error: no dead letter with id {id} in {database}");
                    return ExitCode::from(1);
                };
                println!("id:        {}", e.id);
                println!("pipeline:  {}", e.pipeline);
                println!("stage:     {}", e.stage);
                println!("error:     {} {}", e.code, e.message);
                println!("location:  {}", e.location.as_deref().unwrap_or("-"));
                println!("attempts:  {}", e.attempts);
                println!("failed:    {} .. {}", e.first_failed_at, e.last_failed_at);
                println!("raw:       {}", e.raw);
                return ExitCode::SUCCESS;
            }
            println!(
                "{:>5}  {:<12} {:<12} {:<6} message",
                "id", "pipeline", "stage", "code"
            );
            for e in &entries {
                let message: String = e.message.chars().take(70).collect();
                println!(
                    "{:>5}  {:<12} {:<12} {:<6} {message}",
                    e.id, e.pipeline, e.stage, e.code
                );
            }
            println!("{} dead letter(s) in {database}", entries.len());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
