//! From the checker's run plan to what one run executes: the chosen
//! pipeline's source, stages (IR functions) and sinks, with `dash.yaml`'s
//! defaults applied, paths resolved against the project directory and
//! `${env.NAME}` read from the environment. Nothing here reads syntax or
//! defaults an option the checker did not see.

use std::path::{Path, PathBuf};
use std::time::Duration;

use dash_check::RecordId;
use dash_check::plan::{
    DbEngine, OnConflict, PipelineSpec, RollupSpec, SinkKind, SourceKind, Text,
};
use dash_ir::{self as ir, Compiled, FuncId};

use crate::config::Config;

pub use dash_check::plan::{CsvFormat, Format};

#[derive(Clone, Debug)]
pub enum Input {
    File(PathBuf),
    Stdin,
    /// A glob, or a file followed as it grows: every matching file, each
    /// checkpointed by its fingerprint (`source/follow.rs`).
    Files {
        pattern: PathBuf,
        follow: bool,
    },
    Http(HttpPlan),
    Webhook(WebhookPlan),
    Nats(NatsPlan),
}

impl Input {
    /// Runs until a signal rather than to the end of its input.
    pub fn is_live(&self) -> bool {
        match self {
            Input::File(_) | Input::Stdin => false,
            Input::Files { follow, .. } => *follow,
            Input::Http(_) | Input::Webhook(_) | Input::Nats(_) => true,
        }
    }

    /// Whether records come in units that commit whole (an HTTP page, a
    /// webhook request, a NATS message, a stretch of followed files, each
    /// with the source's state): batches end only at a unit's end.
    pub fn has_units(&self) -> bool {
        matches!(
            self,
            Input::Files { .. } | Input::Http(_) | Input::Webhook(_) | Input::Nats(_)
        )
    }
}

/// An `http` source with its environment read.
#[derive(Clone, Debug)]
pub struct HttpPlan {
    /// The URL around each `${cursor}`.
    pub url: Vec<String>,
    pub every: Duration,
    pub records: Vec<String>,
    pub cursor: Option<String>,
    pub next: Option<Vec<String>>,
    pub headers: Vec<(String, String)>,
    pub timeout: Duration,
}

/// A `webhook` source with its secrets read.
#[derive(Clone, Debug)]
pub struct WebhookPlan {
    pub listen: std::net::SocketAddr,
    pub path: String,
    pub token: Option<String>,
    pub secret: Option<String>,
    pub max_body: usize,
}

/// A `nats` source; `consumer` defaults to the pipeline's name.
#[derive(Clone, Debug)]
pub struct NatsPlan {
    pub url: String,
    pub stream: String,
    pub subject: String,
    pub consumer: String,
}

#[derive(Clone, Debug)]
pub struct SourcePlan {
    pub name: String,
    pub input: Input,
    pub format: Format,
    pub record: RecordId,
    /// Whether the path came (partly) from the environment: never print it.
    pub secret: bool,
}

impl SourcePlan {
    /// The input as it may be printed.
    pub fn shown(&self) -> String {
        match &self.input {
            Input::File(_) | Input::Files { .. } if self.secret => {
                format!("the file of source `{}`", self.name)
            }
            Input::File(p) => p.display().to_string(),
            Input::Files { pattern, .. } => pattern.display().to_string(),
            Input::Stdin => "<stdin>".into(),
            Input::Http(_) if self.secret => format!("the URL of source `{}`", self.name),
            Input::Http(h) => h.url.join("${cursor}"),
            Input::Webhook(w) => format!("webhook http://{}{}", w.listen, w.path),
            Input::Nats(_) if self.secret => format!("the NATS server of source `{}`", self.name),
            Input::Nats(n) => format!(
                "NATS {} stream `{}` subject `{}` consumer `{}`",
                n.url, n.stream, n.subject, n.consumer
            ),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Output {
    /// A table of the project database; `engine` when the sink is
    /// `postgres` or `sqlite` (it refuses to run on the other).
    Table {
        table: String,
        engine: Option<DbEngine>,
    },
    Stdout,
    File(PathBuf),
}

#[derive(Clone, Debug)]
pub struct SinkPlan {
    pub name: String,
    pub output: Output,
    /// Whether the output path came (partly) from the environment.
    pub secret: bool,
    pub record: RecordId,
    pub key: Vec<String>,
    /// `on_conflict: update`: a row whose key is stored replaces it.
    pub update: bool,
    pub time: Option<String>,
    /// `chunk:`, the partition width of `time` (default 7 days).
    pub chunk: Option<Duration>,
    /// `retention:` and `compress_after:` (TimescaleDB policies).
    pub retention: Option<Duration>,
    pub compress_after: Option<Duration>,
    /// `rollup`s (TimescaleDB continuous aggregates).
    pub rollups: Vec<RollupSpec>,
    pub batch: usize,
    pub linger: Duration,
}

impl SinkPlan {
    /// `time` with its partition width, for the store.
    pub fn time_column(&self) -> Option<crate::store::TimeColumn<'_>> {
        self.time.as_deref().map(|name| crate::store::TimeColumn {
            name,
            chunk: self.chunk.unwrap_or(DEFAULT_CHUNK),
            retention: self.retention,
            compress_after: self.compress_after,
            segment_by: self.key.iter().filter(|k| *k != name).cloned().collect(),
        })
    }

    /// A file sink's path as it may be printed.
    pub fn shown_path(&self) -> String {
        match &self.output {
            Output::File(_) if self.secret => format!("the file of sink `{}`", self.name),
            Output::File(p) => p.display().to_string(),
            _ => String::new(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Stage {
    pub name: String,
    /// The stage as one function (transforms, reactors of pure steps).
    pub func: FuncId,
    /// A reactor with effectful steps: its plan in `program.reactors`,
    /// run step by step per batch instead of `func`.
    pub reactor: Option<usize>,
}

/// The plan index of a reactor stage that has effectful steps (a call
/// of another reactor counts: it may have some).
fn reactor_stage(program: &ir::Program, name: &str) -> Option<usize> {
    let index = program.reactors.iter().position(|r| r.name == name)?;
    program.reactors[index]
        .steps
        .iter()
        .any(|s| s.is_effect())
        .then_some(index)
}

#[derive(Debug)]
pub struct Plan {
    pub pipeline: String,
    pub source: SourcePlan,
    pub stages: Vec<Stage>,
    pub sinks: Vec<SinkPlan>,
    pub dlq_table: String,
    pub program: ir::Program,
    /// How long one batch's commit keeps retrying while the database is
    /// unreachable (`dash.yaml` `retry_for:`, default 2 minutes).
    pub retry_for: Duration,
    /// The circuit breaker's threshold (`max_error_rate:`).
    pub max_error_rate: f64,
    /// Batches written at once (`workers:`, else `--workers`, else the
    /// number of cores); PostgreSQL only: SQLite commits one at a time.
    pub workers: usize,
}

impl Plan {
    /// Records per batch: the smallest `batch` of the pipeline's sinks.
    pub fn batch_size(&self) -> usize {
        self.sinks
            .iter()
            .map(|s| s.batch)
            .min()
            .unwrap_or(DEFAULT_BATCH)
            .max(1)
    }

    /// How long a batch may wait for more records: the smallest `linger`.
    pub fn linger(&self) -> Duration {
        self.sinks
            .iter()
            .map(|s| s.linger)
            .min()
            .unwrap_or(DEFAULT_LINGER)
    }
}

/// `workers` when neither the pipeline nor `--workers` sets it: the
/// number of cores.
pub fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The defaults of what neither the program nor `dash.yaml` sets.
pub const DEFAULT_BATCH: usize = 1000;
pub const DEFAULT_LINGER: Duration = Duration::from_millis(500);
pub const DEFAULT_RETRY_FOR: Duration = Duration::from_secs(120);
pub const DEFAULT_DLQ: &str = "dash_dlq";
pub const DEFAULT_CHUNK: Duration = Duration::from_secs(7 * 86_400);

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("the project has no pipeline")]
    NoPipeline,
    #[error("no pipeline named `{0}`; the project has {1}")]
    UnknownPipeline(String, String),
    #[error("the project has several pipelines ({0}); choose one with `--pipeline NAME`")]
    SeveralPipelines(String),
    #[error("`{0}` is not a declared, error-free stage")]
    MissingStage(String),
    #[error(
        "{what} reads the environment variable `{var}`, which is not set; set it and run again"
    )]
    MissingEnv { what: String, var: String },
}

/// Plan the pipeline `name` (or the only one) of a compiled project.
pub fn plan(
    compiled: &Compiled,
    dir: &Path,
    name: Option<&str>,
    config: &Config,
) -> Result<Plan, PlanError> {
    let run_plan = compiled.plan();
    let pipelines = &run_plan.pipelines;
    let names = || {
        pipelines
            .iter()
            .map(|p| format!("`{}`", p.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let pipeline: &PipelineSpec = match name {
        Some(n) => run_plan
            .pipeline(n)
            .ok_or_else(|| PlanError::UnknownPipeline(n.into(), names()))?,
        None => match pipelines.as_slice() {
            [] => return Err(PlanError::NoPipeline),
            [one] => one,
            _ => return Err(PlanError::SeveralPipelines(names())),
        },
    };
    let program = compiled.ir.clone();
    let source = run_plan
        .sources
        .get(&pipeline.source)
        .ok_or_else(|| PlanError::MissingStage(pipeline.source.clone()))?;
    let what = format!("source `{}`", source.name);
    let (input, format, secret) = match &source.kind {
        SourceKind::File {
            path,
            format,
            follow,
            glob,
        } => {
            let file = dir.join(resolve(path, &what)?);
            let input = if *follow || *glob {
                Input::Files {
                    pattern: file,
                    follow: *follow,
                }
            } else {
                Input::File(file)
            };
            (input, format.clone(), path.is_secret())
        }
        SourceKind::Stdin { format } => (Input::Stdin, format.clone(), false),
        SourceKind::Http(h) => {
            let url = h
                .url
                .iter()
                .map(|t| resolve(t, &what))
                .collect::<Result<Vec<_>, _>>()?;
            let headers = h
                .headers
                .iter()
                .map(|(name, value)| {
                    Ok((
                        name.clone(),
                        resolve(value, &format!("header `{name}` of {what}"))?,
                    ))
                })
                .collect::<Result<Vec<_>, PlanError>>()?;
            let plan = HttpPlan {
                url,
                every: h.every,
                records: h.records.clone(),
                cursor: h.cursor.clone(),
                next: h.next.clone(),
                headers,
                timeout: h.timeout,
            };
            let secret = h.url.iter().any(Text::is_secret);
            (Input::Http(plan), Format::Jsonl, secret)
        }
        SourceKind::Webhook(w) => {
            let secret_of = |t: &Option<Text>, key: &str| {
                t.as_ref()
                    .map(|t| resolve(t, &format!("`{key}` of {what}")))
                    .transpose()
            };
            let plan = WebhookPlan {
                listen: w
                    .listen
                    .parse()
                    .map_err(|_| PlanError::MissingStage(w.listen.clone()))?,
                path: w.path.clone(),
                token: secret_of(&w.token, "token")?,
                secret: secret_of(&w.secret, "secret")?,
                max_body: w.max_body,
            };
            (Input::Webhook(plan), Format::Jsonl, false)
        }
        SourceKind::Nats(n) => {
            let plan = NatsPlan {
                url: resolve(&n.url, &what)?,
                stream: n.stream.clone(),
                subject: n.subject.clone(),
                consumer: n.consumer.clone().unwrap_or_else(|| pipeline.name.clone()),
            };
            (Input::Nats(plan), Format::Jsonl, n.url.is_secret())
        }
    };
    let source = SourcePlan {
        name: source.name.clone(),
        input,
        format,
        record: source.record,
        secret,
    };
    let mut stages = Vec::new();
    for name in &pipeline.stages {
        let (func, _) = program
            .function(name)
            .ok_or_else(|| PlanError::MissingStage(name.clone()))?;
        stages.push(Stage {
            name: name.clone(),
            func,
            reactor: reactor_stage(&program, name),
        });
    }
    let mut sinks = Vec::new();
    for name in &pipeline.sinks {
        let sink = run_plan
            .sinks
            .get(name)
            .ok_or_else(|| PlanError::MissingStage(name.clone()))?;
        let secret = matches!(&sink.kind, SinkKind::File { path } if path.is_secret());
        let update =
            matches!(&sink.kind, SinkKind::Table(t) if t.on_conflict == OnConflict::Update);
        let (chunk, retention, compress_after, rollups) = match &sink.kind {
            SinkKind::Table(t) => (t.chunk, t.retention, t.compress_after, t.rollups.clone()),
            _ => (None, None, None, Vec::new()),
        };
        let (output, key, time) = match &sink.kind {
            SinkKind::Stdout => (Output::Stdout, Vec::new(), None),
            SinkKind::File { path } => (
                Output::File(dir.join(resolve(path, &format!("sink `{}`", sink.name))?)),
                Vec::new(),
                None,
            ),
            SinkKind::Table(t) => (
                Output::Table {
                    table: t.table.clone(),
                    engine: t.engine,
                },
                t.key.clone(),
                t.time.clone(),
            ),
        };
        sinks.push(SinkPlan {
            name: sink.name.clone(),
            output,
            secret,
            record: sink.record,
            key,
            update,
            time,
            chunk,
            retention,
            compress_after,
            rollups,
            batch: sink.batch.or(config.batch).unwrap_or(DEFAULT_BATCH),
            linger: sink.linger.or(config.linger).unwrap_or(DEFAULT_LINGER),
        });
    }
    let dlq_table = pipeline
        .dlq
        .clone()
        .or_else(|| config.dlq.clone())
        .unwrap_or_else(|| DEFAULT_DLQ.into());
    Ok(Plan {
        pipeline: pipeline.name.clone(),
        source,
        stages,
        sinks,
        dlq_table,
        program,
        retry_for: config.retry_for.unwrap_or(DEFAULT_RETRY_FOR),
        max_error_rate: pipeline
            .max_error_rate
            .unwrap_or(crate::breaker::DEFAULT_RATE),
        workers: pipeline.workers.unwrap_or_else(default_workers).max(1),
    })
}

/// An option string with its `${env.NAME}` parts read.
fn resolve(text: &Text, what: &str) -> Result<String, PlanError> {
    text.resolve(|name| std::env::var(name).ok())
        .map_err(|var| PlanError::MissingEnv {
            what: what.to_string(),
            var,
        })
}
