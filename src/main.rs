//! `dashc`: the Dash command line. It parses arguments and calls the
//! crates; everything interesting lives in `compiler/` and `runtime/`.

mod cli_check;
mod cli_compile;
mod cli_dlq;
mod cli_fmt;
mod cli_migrate;
mod cli_run;
mod cli_test;
mod progress;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Dash: declarative, typed, compiled data pipelines.
#[derive(Parser)]
#[command(name = "dashc", version, about, long_about = None, arg_required_else_help = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check .dash files for errors without running them.
    ///
    /// A directory is a project: all its .dash files are checked together
    /// (names are shared between them). Files named together form one
    /// project. Exits 1 when there are errors, 2 when a path cannot be read.
    Check {
        /// Files or directories (default: the current directory).
        paths: Vec<PathBuf>,
        /// Output format: `human` (rustc-like) or `json` (one array).
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Do not print warnings.
        #[arg(long)]
        quiet_warnings: bool,
    },
    /// Format .dash files in place in the one canonical layout.
    Fmt {
        /// Files or directories (default: the current directory).
        paths: Vec<PathBuf>,
        /// Change nothing; list the files that are not formatted and exit 1
        /// if there are any (for CI).
        #[arg(long)]
        check: bool,
    },
    /// Run the `test` blocks of .dash files and report each.
    ///
    /// Prints `test "name" ... ok|FAILED` per test, a field-by-field
    /// difference for each failure, and `N passed, M failed`. Exits 1 if
    /// any test failed or the project has errors.
    Test {
        /// Files or directories (default: the current directory).
        paths: Vec<PathBuf>,
        /// Which engine runs the transforms: native code (`jit`, the
        /// default) or the reference interpreter (`interp`).
        #[arg(long, value_enum, default_value_t = Engine::Jit)]
        engine: Engine,
    },
    /// Compile .dash files and print an intermediate form.
    Compile {
        /// Files or directories.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// What to print: `ir` (the typed IR of every transform and test),
        /// `clif` (the Cranelift IR the JIT compiles them to), `graph`
        /// (pipelines and reactors as a Mermaid flowchart) or `dot`
        /// (the same for Graphviz).
        #[arg(long, value_enum, default_value_t = Emit::Ir)]
        emit: Emit,
    },
    /// Run a pipeline: read its source, transform, write its sinks.
    ///
    /// Rows, dead letters and the source checkpoint commit in one
    /// transaction per batch, so a rerun continues where the last one
    /// stopped and never writes a record twice. The database is `--db`,
    /// else `database:` in dash.yaml, else `dash.db` (SQLite) beside the
    /// files.
    Run {
        /// A project directory or a .dash file.
        path: PathBuf,
        /// Run only this pipeline (repeatable). Default: every pipeline
        /// of the project, together.
        #[arg(long)]
        pipeline: Vec<String>,
        /// The database URL (e.g. sqlite://out.db).
        #[arg(long)]
        db: Option<String>,
        /// Apply the `env:` overrides of this name from dash.yaml.
        #[arg(long)]
        env: Option<String>,
        /// Which engine runs the transforms (default: the JIT).
        #[arg(long, value_enum, default_value_t = Engine::Jit)]
        engine: Engine,
        /// Read the source from its first byte, whatever its checkpoint
        /// says: after the input was truncated or replaced. Rows whose
        /// `key` is stored are not written twice; without a key they are.
        #[arg(long)]
        from_start: bool,
        /// Write up to N batches at once, over N PostgreSQL connections,
        /// each committing in source order (over every pipeline's
        /// `workers:`; default: the number of cores). SQLite commits one
        /// batch at a time.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
        workers: Option<u16>,
    },
    /// Print the DDL the project's sinks need of the database; apply it
    /// with `--apply`.
    ///
    /// Compares each sink with what the database has and prints, as a SQL
    /// script on stdout, the steps that bring it in step: Dash's own
    /// tables, dead-letter tables, sink tables (hypertables with
    /// TimescaleDB, range-partitioned tables without), added columns, key
    /// indexes, compression and retention policies and rollups. A run
    /// makes the same changes itself; `migrate` shows them first, or lets
    /// someone with the rights make them ahead. Nothing is changed without
    /// `--apply`; once applied, a second `migrate` finds nothing to do. A
    /// change Dash does not make (a column's type, a key) stops with the
    /// same error as `dashc run`.
    Migrate {
        /// A project directory or a .dash file (default: the current
        /// directory).
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Only this pipeline's sinks (default: every pipeline's).
        #[arg(long)]
        pipeline: Option<String>,
        /// The database URL, as for `dashc run`.
        #[arg(long)]
        db: Option<String>,
        /// Apply the `env:` overrides of this name from dash.yaml.
        #[arg(long)]
        env: Option<String>,
        /// Apply the steps (each in its own transaction, in order).
        #[arg(long)]
        apply: bool,
    },
    /// Inspect the dead-letter queue (records that failed).
    Dlq {
        #[command(subcommand)]
        command: DlqCommand,
        /// The project directory (default: the current directory).
        #[arg(long, default_value = ".", global = true)]
        project: PathBuf,
        /// The database URL, as for `dashc run`.
        #[arg(long, global = true)]
        db: Option<String>,
        /// Apply the `env:` overrides of this name from dash.yaml.
        #[arg(long, global = true)]
        env: Option<String>,
        /// The DLQ table, when the pipeline names its own (`dlq: "…"`).
        /// Default: `dlq:` in dash.yaml, else `dash_dlq`; `replay` reads
        /// each pipeline's own table unless this names one.
        #[arg(long, global = true)]
        table: Option<String>,
    },
    /// Start the language server (LSP over stdin/stdout) for editors.
    ///
    /// Gives diagnostics on every change, hover, completion, go to
    /// definition, references, rename, outline, formatting and semantic
    /// tokens. See docs/editors.md to set up VS Code, Neovim or Helix.
    Lsp,
    /// Explain an error code, e.g. `dashc explain E0005`.
    Explain {
        /// The code, as printed in a diagnostic (`E0005`).
        code: String,
    },
}

#[derive(Subcommand)]
pub enum DlqCommand {
    /// List dead letters: id, pipeline, stage, error code, message.
    List {
        /// Only this pipeline's.
        #[arg(long)]
        pipeline: Option<String>,
        /// Whole messages (not cut at 70 characters), with each letter's
        /// attempts and location.
        #[arg(long)]
        wide: bool,
        /// Output format: `human` (a table) or `json` (one array of every
        /// letter with all its fields).
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Show one dead letter in full, with its raw input.
    Show {
        /// The id printed by `dashc dlq list`.
        id: i64,
    },
    /// Re-run dead letters through the current pipeline code: those that
    /// now succeed are written and leave the DLQ, in one transaction; the
    /// others are updated with how they fail now.
    Replay {
        /// Only this pipeline's dead letters (default: every pipeline's,
        /// each from its own DLQ table unless `--table` names one).
        #[arg(long)]
        pipeline: Option<String>,
        /// Only dead letters that first failed at or after this time: RFC
        /// 3339 with an offset (2026-11-30T10:00:00Z) or a duration back
        /// from now (30m, 2h, 7d).
        #[arg(long, value_parser = cli_dlq::parse_since)]
        since: Option<dash_runtime::dlq::Since>,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Engine {
    /// The reference interpreter.
    Interp,
    /// Native code through Cranelift.
    Jit,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Emit {
    /// The typed IR.
    Ir,
    /// The Cranelift IR of the JIT.
    Clif,
    /// The pipeline and reactor graphs as a Mermaid flowchart.
    Graph,
    /// The same graphs in Graphviz dot.
    Dot,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check {
            paths,
            format,
            quiet_warnings,
        } => cli_check::run(&default_paths(paths), format, quiet_warnings),
        Command::Fmt { paths, check } => cli_fmt::run(&default_paths(paths), check),
        Command::Test { paths, engine } => cli_test::run(&default_paths(paths), engine),
        Command::Compile { paths, emit } => cli_compile::run(&paths, emit),
        Command::Run {
            path,
            pipeline,
            db,
            env,
            engine,
            from_start,
            workers,
        } => cli_run::run(
            &path,
            &pipeline,
            dash_runtime::executor::RunOptions {
                db,
                env,
                pipeline: None,
                interpret: engine == Engine::Interp,
                from_start,
                workers: workers.map(usize::from),
            },
        ),
        Command::Migrate {
            path,
            pipeline,
            db,
            env,
            apply,
        } => cli_migrate::run(
            &path,
            &dash_runtime::executor::RunOptions {
                db,
                env,
                pipeline,
                ..Default::default()
            },
            apply,
        ),
        Command::Dlq {
            command,
            project,
            db,
            env,
            table,
        } => cli_dlq::dlq(
            &project,
            &command,
            db.as_deref(),
            env.as_deref(),
            table.as_deref(),
        ),
        Command::Lsp => match dash_lsp::run() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: cannot start the language server: {e}");
                ExitCode::from(2)
            }
        },
        Command::Explain { code } => explain(&code),
    }
}

fn default_paths(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths
    }
}

fn explain(code: &str) -> ExitCode {
    if let Some(code) = dash_ir::interp::RowErrorCode::parse(code) {
        print!("{}", code.explanation());
        return ExitCode::SUCCESS;
    }
    match dash_syntax::Code::parse(code) {
        Some(code) => {
            print!("{}", code.explanation());
            ExitCode::SUCCESS
        }
        None => {
            let known: Vec<&str> = dash_syntax::Code::ALL.iter().map(|c| c.as_str()).collect();
            let hint = dash_syntax::diag::suggest::did_you_mean(
                &code.to_uppercase(),
                known.iter().copied(),
            )
            .map(|h| format!(" ({h})"))
            .unwrap_or_default();
            eprintln!(
                "error: `{code}` is not a Dash error code{hint}; codes look like E0005 (compile time, E0001 to {}) or R0003 (run time, R0001 to R0008)",
                known
                    .iter()
                    .rfind(|c| c.starts_with('E'))
                    .unwrap_or(&"E0001")
            );
            ExitCode::from(2)
        }
    }
}
