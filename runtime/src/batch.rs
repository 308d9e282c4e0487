//! One batch: decode every raw record, run the pipeline's stages over the
//! batch (transforms per record, reactors with effectful steps per batch,
//! so a lookup is one query), and route each record into the batch's
//! [`Commit`]: sink rows, dead letters, `file`/`stdout` lines.

use std::io::Write as _;

use dash_check::Program;
use dash_check::stdlib::EvalContext;
use dash_check::value::Value;
use dash_ir::Compiled;
use dash_ir::interp::{Outcome, RowError, RowErrorCode};
use dash_jit::engine::Engine;

use crate::file_sink::FileSinks;
use crate::plan::{Output, Plan};
use crate::reactor::{Effects, Reacted, ReactorRunner};
use crate::source::RawRecord;
use crate::store::{Commit, DeadLetter, TableRows, columns_of, row_values};
use crate::summary::{RunError, Summary};

/// The reactors of a pipeline's stages (by stage index) and what their
/// effectful steps need.
pub struct Reactors<'a> {
    pub runners: Vec<Option<ReactorRunner>>,
    pub effects: Effects<'a>,
}

impl<'a> Reactors<'a> {
    /// The reactors of `plan`'s stages, their effects going to `store`
    /// (lookups) and the network (HTTP) through `runtime`.
    pub fn new(
        plan: &'a Plan,
        store: std::sync::Arc<crate::store::Store>,
        runtime: &'a tokio::runtime::Runtime,
        checked: &'a Program,
    ) -> Reactors<'a> {
        let effects = Effects {
            store,
            runtime,
            checked,
            http: crate::http::Client::default(),
            plans: &plan.program.reactors,
        };
        let runners = plan
            .stages
            .iter()
            .map(|s| {
                s.reactor
                    .and_then(|i| plan.program.reactors.get(i))
                    .map(|p| ReactorRunner::new(p.clone()))
            })
            .collect();
        Reactors { runners, effects }
    }
}

enum Row {
    Live(Value),
    Skipped,
    /// Stage, code, message, `file:line:col`.
    Failed(String, RowErrorCode, String, Option<String>),
}

/// The live rows' values, taken out (their places hold `Skipped` until
/// the stage's outcome is put back), and their indices.
fn take_live(rows: &mut [Row]) -> (Vec<usize>, Vec<Value>) {
    let mut live = Vec::new();
    let mut values = Vec::new();
    for (i, row) in rows.iter_mut().enumerate() {
        if matches!(row, Row::Live(_))
            && let Row::Live(v) = std::mem::replace(row, Row::Skipped)
        {
            live.push(i);
            values.push(v);
        }
    }
    (live, values)
}

/// Decode, transform and route one batch. Each dead letter keeps the
/// `end` of its record as its position.
pub fn process(
    plan: &Plan,
    compiled: &Compiled,
    engine: Engine,
    batch: &[RawRecord],
    summary: &mut Summary,
    files: &mut FileSinks,
    mut reactors: Option<&mut Reactors>,
) -> Result<Commit, RunError> {
    let program = &compiled.checked;
    let cx = EvalContext {
        now: chrono::Utc::now().timestamp_micros(),
    };
    let failed = |stage: &str, e: RowError| {
        let location = location(compiled, &e);
        Row::Failed(stage.to_string(), e.code, e.message, location)
    };
    let mut rows: Vec<Row> = batch
        .iter()
        .map(|r| match decode(r, plan, program) {
            Ok(v) => Row::Live(v),
            Err(message) => Row::Failed("decode".into(), RowErrorCode::Decode, message, None),
        })
        .collect();
    for (i, stage) in plan.stages.iter().enumerate() {
        let runner = reactors.as_deref_mut().and_then(|r| {
            let effects = &r.effects;
            r.runners
                .get_mut(i)
                .and_then(Option::as_mut)
                .map(|runner| (runner, effects))
        });
        match (stage.reactor, runner) {
            (Some(_), Some((runner, effects))) => {
                let (live, inputs) = take_live(&mut rows);
                let inputs: Vec<Vec<Value>> = inputs.into_iter().map(|v| vec![v]).collect();
                let outs = runner.run_batch(inputs, engine, &cx, effects);
                if let Some(why) = runner.take_fatal() {
                    return Err(RunError::Environment(format!(
                        "{why}. The batch was not committed: its records are read again \
                         by the next run"
                    )));
                }
                for (r, out) in live.into_iter().zip(outs) {
                    rows[r] = match out {
                        Reacted::Value(v) => Row::Live(v),
                        Reacted::Skipped => Row::Skipped,
                        Reacted::Failed { stage, error } => failed(&stage, error),
                    };
                }
            }
            (Some(_), None) => {
                for row in rows.iter_mut().filter(|r| matches!(r, Row::Live(_))) {
                    *row = Row::Failed(
                        stage.name.clone(),
                        RowErrorCode::Step,
                        "a reactor with lookup steps runs only in `dashc run`".into(),
                        None,
                    );
                }
            }
            (None, _) => {
                // The live rows go through the stage together (the JIT's
                // batch function), then back to their places.
                let (live, inputs) = take_live(&mut rows);
                let outcomes = engine.run_records(stage.func, &inputs, &cx);
                for (r, outcome) in live.into_iter().zip(outcomes) {
                    rows[r] = match outcome {
                        Outcome::Value(v) => Row::Live(v),
                        Outcome::Skipped => Row::Skipped,
                        Outcome::Failed(e) => failed(&stage.name, e),
                    };
                }
            }
        }
    }
    let mut commit = Commit {
        position: batch.last().map_or(0, |r| r.end),
        ..Commit::default()
    };
    for sink in &plan.sinks {
        if let Output::Table { table, .. } = &sink.output {
            commit.tables.push(TableRows {
                table: table.clone(),
                columns: columns_of(program, sink.record)
                    .into_iter()
                    .map(|c| c.name)
                    .collect(),
                rows: Vec::new(),
                upsert: sink.update.then(|| sink.key.clone()),
            });
        }
    }
    let mut stdout = std::io::stdout().lock();
    for (record, row) in batch.iter().zip(rows) {
        summary.read += 1;
        match row {
            Row::Live(out) => {
                summary.delivered += 1;
                let mut tables = commit.tables.iter_mut();
                for (j, sink) in plan.sinks.iter().enumerate() {
                    match &sink.output {
                        Output::Table { .. } => {
                            if let Some(t) = tables.next() {
                                t.rows.push(row_values(program, &out));
                            }
                        }
                        Output::Stdout => {
                            let line = dash_ir::decode::encode_record(&out, program);
                            writeln!(stdout, "{line}").map_err(|e| stdout_error(&e))?;
                            count_line(summary, j);
                        }
                        Output::File(path) => {
                            let line = dash_ir::decode::encode_record(&out, program);
                            files.write_line(path, &line.to_string())?;
                            count_line(summary, j);
                        }
                    }
                }
            }
            Row::Skipped => summary.skipped += 1,
            Row::Failed(stage, code, message, location) => {
                summary.dead_lettered += 1;
                commit.dead.push(DeadLetter {
                    stage,
                    code: code.as_str().into(),
                    message,
                    location,
                    raw: record.raw.clone(),
                    position: record.end,
                });
            }
        }
    }
    // Lines are on their way before the batch commits: a closed pipe or
    // a full disk fails the run before its checkpoint moves.
    stdout.flush().map_err(|e| stdout_error(&e))?;
    commit.sink_positions = files.positions()?;
    summary.settle();
    Ok(commit)
}

/// One line written by sink `j` (replays keep no per-sink counts).
fn count_line(summary: &mut Summary, j: usize) {
    if let Some(counts) = summary.sinks.get_mut(j) {
        counts.written += 1;
    }
}

fn stdout_error(e: &std::io::Error) -> RunError {
    let message = if e.kind() == std::io::ErrorKind::BrokenPipe {
        "standard output was closed (broken pipe); the batch was not committed".to_string()
    } else {
        format!("{e}; the batch was not committed")
    };
    RunError::Output {
        path: "standard output".into(),
        message,
    }
}

fn decode(record: &RawRecord, plan: &Plan, program: &Program) -> Result<Value, String> {
    if let Some(why) = &record.broken {
        return Err(why.clone());
    }
    if let Some(value) = &record.decoded {
        return Ok(value.clone());
    }
    let decoded = match &record.json {
        Some(json) => dash_ir::decode::decode_record(json, plan.source.record, program),
        None => dash_ir::decode::decode_line(&record.raw, plan.source.record, program),
    };
    decoded.map_err(|e| e.to_string())
}

/// `file:line:col` of a row error, from the span the IR kept.
fn location(compiled: &Compiled, error: &RowError) -> Option<String> {
    let file = compiled.files.get(error.file.0 as usize)?;
    let (line, col) = file.line_col(error.span.start as usize);
    Some(format!("{}:{line}:{col}", file.path))
}
