//! `dashc run`: run a project's pipelines (all, or those named), show
//! their progress and print each one's summary.

use std::collections::{HashMap, HashSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use dash_runtime::executor::{RunOptions, Summary};
use dash_runtime::service::run_service;

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

pub fn run(path: &Path, pipelines: &[String], options: RunOptions) -> ExitCode {
    init_logs();
    let compiled = match compile_project(path, "run") {
        Ok(c) => c,
        Err(code) => return code,
    };
    let dir = project_dir(path);
    let status = Status::new(std::io::stderr().is_terminal());
    let report = |s: &Summary| status.report(s);
    let result = run_service(&compiled, &dir, &options, pipelines, &report);
    status.finish();
    let outcomes = match result {
        Ok(outcomes) => outcomes,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let mut failed = false;
    for (name, outcome) in outcomes {
        match outcome {
            Ok(s) => print_summary(&s, path),
            Err(e) => {
                failed = true;
                eprintln!("error: pipeline `{name}`: {e}");
            }
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// What `dashc run` shows while pipelines run: a progress bar on a
/// terminal for a single pipeline that reads to the end of its input,
/// and for live pipelines a status line every few seconds (records/s,
/// buffer fill, lag), on a terminal or not.
struct Status {
    tty: bool,
    state: Mutex<StatusState>,
}

struct StatusState {
    bar: ProgressLine,
    /// Per live pipeline: when its line was last printed, and its count
    /// of records read then.
    live: HashMap<String, (Instant, u64)>,
    /// Pipelines seen: a bar only while there is one.
    seen: HashSet<String>,
}

/// How often a live pipeline's status line is printed.
const STATUS_EVERY: Duration = Duration::from_secs(5);

impl Status {
    fn new(tty: bool) -> Status {
        Status {
            tty,
            state: Mutex::new(StatusState {
                bar: ProgressLine::new(),
                live: HashMap::new(),
                seen: HashSet::new(),
            }),
        }
    }

    fn report(&self, s: &Summary) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        state.seen.insert(s.pipeline.clone());
        if !s.live {
            if self.tty && state.seen.len() == 1 {
                state.bar.update(s);
            }
            return;
        }
        let now = Instant::now();
        let (since, read) = *state
            .live
            .entry(s.pipeline.clone())
            .or_insert((now, s.read));
        if now.duration_since(since) < STATUS_EVERY {
            return;
        }
        state.live.insert(s.pipeline.clone(), (now, s.read));
        let rate = (s.read - read.min(s.read)) as f64 / now.duration_since(since).as_secs_f64();
        eprintln!("{}", live_line(s, rate));
    }

    fn finish(&self) {
        if let Ok(state) = self.state.lock() {
            state.bar.finish();
        }
    }
}

/// `orders: 12,345 rec/s, buffer 3/256, lag 4ms; 1,000,000 read,
/// 999,990 written, 10 DLQ`
fn live_line(s: &Summary, rate: f64) -> String {
    format!(
        "{}: {} rec/s, buffer {}/{}, lag {}ms; {} read, {} written, {} DLQ",
        s.pipeline,
        thousands(rate as u64),
        s.buffered,
        s.buffer_capacity,
        s.lag.as_millis(),
        thousands(s.read),
        thousands(s.written),
        thousands(s.dead_lettered),
    )
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
