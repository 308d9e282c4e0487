//! Service mode (`dashc run DIR`): every pipeline of the project (or the
//! ones named) at once, each on its own thread, sharing one tokio runtime
//! and the webhook listeners.
//!
//! File and stdin pipelines end at the end of their input; live ones run
//! until SIGINT or SIGTERM. The first signal stops intake everywhere;
//! what is buffered is committed and the process exits 0 — unless that
//! takes longer than `shutdown_timeout` (dash.yaml, default 30 s), or a
//! second signal comes: then it exits at once, non-zero, and what was
//! not committed is read again by the next run. A pipeline that fails
//! stops the others the same way, so the process exits non-zero and the
//! failure is not hidden behind pipelines that keep running.

use std::path::Path;
use std::time::Duration;

use dash_ir::Compiled;

use crate::config;
use crate::executor::{Process, RunOptions, new_runtime, run_pipeline};
use crate::plan::{self, PlanError};
use crate::shutdown::{self, Trigger};
use crate::source::webhook::Listeners;
use crate::summary::{RunError, Summary};

pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(30);

/// Each pipeline's outcome, in the order they were named (or declared).
pub type Outcomes = Vec<(String, Result<Summary, RunError>)>;

/// Run the pipelines `names` (every pipeline when empty) until their
/// input ends or a signal stops them; `report` gets each pipeline's
/// progress. An error here means nothing ran (a bad `dash.yaml`, an
/// unknown pipeline, a missing environment variable).
pub fn run_service(
    compiled: &Compiled,
    dir: &Path,
    options: &RunOptions,
    names: &[String],
    report: &(dyn Fn(&Summary) + Sync),
) -> Result<Outcomes, RunError> {
    let runtime = new_runtime()?;
    let config = config::load(dir, options.env.as_deref())?;
    let names: Vec<String> = if names.is_empty() {
        compiled
            .plan()
            .pipelines
            .iter()
            .map(|p| p.name.clone())
            .collect()
    } else {
        names.to_vec()
    };
    if names.is_empty() {
        return Err(PlanError::NoPipeline.into());
    }
    let plans = names
        .iter()
        .map(|n| plan::plan(compiled, dir, Some(n), &config))
        .collect::<Result<Vec<_>, _>>()?;
    let (trigger, shutdown) = shutdown::channel();
    let timeout = config.shutdown_timeout.unwrap_or(DEFAULT_SHUTDOWN_TIMEOUT);
    signals(&runtime, trigger.clone(), timeout)?;
    let process = Process {
        runtime: &runtime,
        webhooks: Listeners::new(plans.len(), shutdown.clone()),
        shutdown,
    };
    let results: Vec<Result<Summary, RunError>> = std::thread::scope(|scope| {
        let threads: Vec<_> = plans
            .into_iter()
            .map(|plan| {
                let (process, config, trigger) = (&process, &config, &trigger);
                scope.spawn(move || {
                    let mut progress = |s: &Summary| report(s);
                    let result =
                        run_pipeline(compiled, dir, options, config, plan, process, &mut progress);
                    if result.is_err() {
                        trigger.set();
                    }
                    result
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|t| {
                t.join()
                    .unwrap_or_else(|_| Err(RunError::Runtime("a pipeline thread panicked".into())))
            })
            .collect()
    });
    process.webhooks.close();
    Ok(names.into_iter().zip(results).collect())
}

/// SIGINT/SIGTERM: the first stops intake (and starts the clock of
/// `timeout`), the second exits at once.
fn signals(
    runtime: &tokio::runtime::Runtime,
    trigger: Trigger,
    timeout: Duration,
) -> Result<(), RunError> {
    use tokio::signal::unix::{SignalKind, signal};
    let _entered = runtime.enter();
    let failed = |e: std::io::Error| RunError::Runtime(format!("cannot handle signals: {e}"));
    let mut interrupt = signal(SignalKind::interrupt()).map_err(failed)?;
    let mut terminate = signal(SignalKind::terminate()).map_err(failed)?;
    runtime.spawn(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
        eprintln!(
            "stopping: intake stopped, committing what is buffered (at most {}s; a second signal aborts)",
            timeout.as_secs_f64()
        );
        trigger.set();
        tokio::select! {
            () = tokio::time::sleep(timeout) => {
                eprintln!(
                    "error: not stopped within shutdown_timeout ({}s): exiting; what was not committed is read again by the next run",
                    timeout.as_secs_f64()
                );
                std::process::exit(1);
            }
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
        eprintln!("aborted by a second signal; what was not committed is read again by the next run");
        std::process::exit(130);
    });
    Ok(())
}
