//! `dashc dlq list|show|replay`: read the dead-letter table; replay it
//! through the current code.
//!
//! Listings go to stdout through one locked, buffered writer; a reader
//! that goes away (`dashc dlq list | head -1`) ends the listing quietly.
//! The replay report goes to stderr: stdout belongs to `stdout` sinks.

use std::io::{ErrorKind, Write};
use std::path::Path;
use std::process::ExitCode;

use dash_runtime::dlq::{DlqError, Letters, ReplayOptions, Since};
use dash_runtime::executor::RunOptions;
use dash_runtime::store::DlqEntry;

use crate::cli_check::compile_project;
use crate::cli_run::{init_logs, project_dir};
use crate::{DlqCommand, Format};

/// Messages longer than this are cut in `dashc dlq list` (not `--wide`).
const NARROW: usize = 70;

/// `--since`, checked when the arguments are parsed.
pub fn parse_since(text: &str) -> Result<Since, String> {
    text.parse()
        .map_err(|e: dash_runtime::dlq::BadSince| e.to_string())
}

pub fn dlq(
    path: &Path,
    command: &DlqCommand,
    db: Option<&str>,
    env: Option<&str>,
    table: Option<&str>,
) -> ExitCode {
    let dir = project_dir(path);
    let (pipeline, id) = match command {
        DlqCommand::List { pipeline, .. } => (pipeline.as_deref(), None),
        DlqCommand::Show { id } => (None, Some(*id)),
        DlqCommand::Replay { pipeline, since } => {
            let options = RunOptions {
                db: db.map(str::to_string),
                env: env.map(str::to_string),
                pipeline: pipeline.clone(),
                ..RunOptions::default()
            };
            let replay = ReplayOptions {
                table: table.map(str::to_string),
                since: *since,
            };
            return self::replay(path, &dir, &options, &replay);
        }
    };
    if !path.exists() {
        // Not a project: its parent directory's database is not meant.
        eprintln!("error: cannot read `{}`: no such project", path.display());
        return ExitCode::from(2);
    }
    let letters = match dash_runtime::dlq::read(&dir, db, env, table, pipeline, id) {
        Ok(letters) => letters,
        Err(e) => return fail(&e),
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = match command {
        DlqCommand::Show { id } => show(&mut out, &letters, *id),
        DlqCommand::List { wide, format, .. } => match format {
            Format::Json => json(&mut out, &letters.entries),
            Format::Human => list(&mut out, &letters, *wide).map(|()| ExitCode::SUCCESS),
        },
        DlqCommand::Replay { .. } => unreachable!("replayed above"),
    };
    finish(written.and_then(|code| out.flush().map(|()| code)))
}

fn fail(e: &DlqError) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::from(1)
}

/// The exit code once the output is written: a closed pipe is the
/// reader's choice, not an error.
fn finish(written: std::io::Result<ExitCode>) -> ExitCode {
    match written {
        Ok(code) => code,
        Err(e) if e.kind() == ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write to stdout: {e}");
            ExitCode::from(1)
        }
    }
}

fn show(out: &mut impl Write, letters: &Letters, id: i64) -> std::io::Result<ExitCode> {
    let Some(e) = letters.entries.first() else {
        eprintln!(
            "error: no dead letter with id {id} in table \"{}\" of {}",
            letters.table, letters.database
        );
        return Ok(ExitCode::from(1));
    };
    writeln!(out, "id:        {}", e.id)?;
    writeln!(out, "pipeline:  {}", e.pipeline)?;
    writeln!(out, "stage:     {}", e.stage)?;
    writeln!(out, "error:     {} {}", e.code, e.message)?;
    writeln!(out, "location:  {}", e.location.as_deref().unwrap_or("-"))?;
    writeln!(out, "source:    {} (up to byte {})", e.source, e.position)?;
    writeln!(out, "attempts:  {}", e.attempts)?;
    writeln!(
        out,
        "failed:    {} .. {}",
        e.first_failed_at, e.last_failed_at
    )?;
    writeln!(out, "raw:       {}", e.raw)?;
    Ok(ExitCode::SUCCESS)
}

/// One JSON array of every letter with all its fields.
fn json(out: &mut impl Write, entries: &[DlqEntry]) -> std::io::Result<ExitCode> {
    serde_json::to_writer(&mut *out, entries)?;
    writeln!(out)?;
    Ok(ExitCode::SUCCESS)
}

/// A table: messages cut at [`NARROW`] characters, or whole (`--wide`,
/// with each letter's attempts and location).
fn list(out: &mut impl Write, letters: &Letters, wide: bool) -> std::io::Result<()> {
    if wide {
        writeln!(
            out,
            "{:>5}  {:<12} {:<12} {:<6} {:>8}  {:<20} message",
            "id", "pipeline", "stage", "code", "attempts", "location"
        )?;
    } else {
        writeln!(
            out,
            "{:>5}  {:<12} {:<12} {:<6} message",
            "id", "pipeline", "stage", "code"
        )?;
    }
    let mut cut = false;
    for e in &letters.entries {
        if wide {
            writeln!(
                out,
                "{:>5}  {:<12} {:<12} {:<6} {:>8}  {:<20} {}",
                e.id,
                e.pipeline,
                e.stage,
                e.code,
                e.attempts,
                e.location.as_deref().unwrap_or("-"),
                e.message
            )?;
            continue;
        }
        // One line per letter: line breaks in a message become spaces.
        let flat: String = e
            .message
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let message = if flat.chars().count() > NARROW {
            cut = true;
            let head: String = flat.chars().take(NARROW - 1).collect();
            format!("{}…", head.trim_end())
        } else {
            flat
        };
        writeln!(
            out,
            "{:>5}  {:<12} {:<12} {:<6} {message}",
            e.id, e.pipeline, e.stage, e.code
        )?;
    }
    write!(
        out,
        "{} dead letter(s) in table \"{}\" of {}",
        letters.entries.len(),
        letters.table,
        letters.database
    )?;
    if cut {
        write!(
            out,
            " (long messages cut: `--wide` or `--format json` shows them whole)"
        )?;
    }
    writeln!(out)
}

fn replay(path: &Path, dir: &Path, options: &RunOptions, replay: &ReplayOptions) -> ExitCode {
    init_logs();
    let compiled = match compile_project(path, "replayed") {
        Ok(c) => c,
        Err(code) => return code,
    };
    let done = match dash_runtime::dlq::replay_with(&compiled, dir, options, replay) {
        Ok(done) => done,
        Err(e) => return fail(&e),
    };
    // The report, on stderr (a closed stderr is not worth a panic).
    let mut err = std::io::stderr().lock();
    let since = replay
        .since
        .map(|_| " that match `--since`")
        .unwrap_or_default();
    for r in &done.pipelines {
        let _ = if r.attempted == 0 {
            writeln!(
                err,
                "replayed 0 dead letter(s) of pipeline `{}`: none{since} in table \"{}\"",
                r.pipeline, r.table
            )
        } else {
            writeln!(
                err,
                "replayed {} dead letter(s) of pipeline `{}` from table \"{}\": {} resolved \
                 ({} rows written), {} still failing",
                r.attempted, r.pipeline, r.table, r.resolved, r.written, r.failing
            )
        };
    }
    for u in &done.unknown {
        let _ = writeln!(
            err,
            "note: {} dead letter(s) in table \"{}\" are of pipeline `{}`, which the project \
             does not have; they were left as they are",
            u.letters, u.table, u.pipeline
        );
    }
    ExitCode::SUCCESS
}
