//! `dashc migrate`: print the DDL the project's sinks need of the
//! database (stdout, a script `psql` or `sqlite3` can run), and apply it
//! with `--apply`. What was found and done goes to stderr.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use dash_runtime::executor::RunOptions;

use crate::cli_check::compile_project;
use crate::cli_run::{init_logs, project_dir};

pub fn run(path: &Path, options: &RunOptions, apply: bool) -> ExitCode {
    init_logs();
    if !path.exists() {
        eprintln!("error: cannot read `{}`: no such project", path.display());
        return ExitCode::from(2);
    }
    let compiled = match compile_project(path, if apply { "applied" } else { "planned" }) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let dir = project_dir(path);
    let mut out = std::io::stdout().lock();
    let mut applied = |step: &dash_runtime::store::schema::Step| {
        eprintln!("applied: {}", step.about);
    };
    let done = match dash_runtime::migrate::migrate(&compiled, &dir, options, apply, &mut applied) {
        Ok(done) => done,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let mut script = String::new();
    for step in &done.steps {
        script.push_str(&format!("-- {}\n{}\n", step.about, step.sql));
    }
    // A closed pipe (`dashc migrate | head`) ends the script quietly.
    let _ = out.write_all(script.as_bytes()).and_then(|()| out.flush());
    let n = done.steps.len();
    let (steps, them) = if n == 1 {
        ("step", "it")
    } else {
        ("steps", "them")
    };
    let at = format!("{} ({})", done.database, done.engine);
    match (n, done.applied) {
        (0, _) => eprintln!("{at}: nothing to do; the database is in step with the project"),
        (_, true) => eprintln!("{at}: applied {n} {steps}"),
        (_, false) => eprintln!(
            "{at}: {n} {steps} needed (printed above); apply {them} with `dashc migrate --apply`, \
             or let `dashc run` make {them}"
        ),
    }
    ExitCode::SUCCESS
}
