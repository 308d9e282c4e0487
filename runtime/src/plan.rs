//! From a checked project to what `dashc run` executes: the pipeline's
//! source, its transform stages (IR functions) and its sinks, with their
//! options read and defaulted.

use std::path::{Path, PathBuf};
use std::time::Duration;

use dash_compiler::Analysis;
use dash_compiler::ast::{
    DeclKind, ExprKind, OptionItem, OptionValue, SinkDecl, SourceDecl, StrPart,
};
use dash_compiler::check::{RecordId, Ty};
use dash_compiler::ir::{self, FuncId};

use crate::config::Config;

#[derive(Clone, Debug, PartialEq)]
pub enum Format {
    Jsonl,
    Csv {
        delimiter: u8,
        header: bool,
        null: String,
    },
    Json,
}

#[derive(Clone, Debug)]
pub enum Input {
    File(PathBuf),
    Stdin,
}

#[derive(Clone, Debug)]
pub struct SourcePlan {
    pub name: String,
    pub input: Input,
    pub format: Format,
    pub record: RecordId,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Output {
    /// A table of the project database; `engine` when the sink is
    /// `postgres` or `sqlite` (it refuses to run on the other).
    Table {
        table: String,
        engine: Option<&'static str>,
    },
    Stdout,
    File(PathBuf),
}

#[derive(Clone, Debug)]
pub struct SinkPlan {
    pub name: String,
    pub output: Output,
    pub record: RecordId,
    pub key: Vec<String>,
    pub time: Option<String>,
    pub batch: usize,
    pub linger: Duration,
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
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("the project has no pipeline")]
    NoPipeline,
    #[error("no pipeline named `{0}`; the project has {1}")]
    UnknownPipeline(String, String),
    #[error("the project has several pipelines ({0}); choose one with `--pipeline NAME`")]
    SeveralPipelines(String),
    #[error("source `{0}` is `{1}`, which `dashc run` does not run yet (file and stdin do)")]
    UnsupportedSource(String, String),
    #[error("`{0}` is not a declared stage")]
    MissingStage(String),
}

/// Plan the pipeline `name` (or the only one) of an analysis without errors.
pub fn plan(
    analysis: &Analysis,
    dir: &Path,
    name: Option<&str>,
    config: &Config,
) -> Result<Plan, PlanError> {
    let decls: Vec<&DeclKind> = analysis
        .parsed
        .iter()
        .flat_map(|p| p.file.decls.iter().map(|d| &d.kind))
        .collect();
    let pipelines: Vec<&dash_compiler::ast::PipelineDecl> = decls
        .iter()
        .filter_map(|d| match d {
            DeclKind::Pipeline(p) => Some(p),
            _ => None,
        })
        .collect();
    let names = || {
        pipelines
            .iter()
            .map(|p| format!("`{}`", p.name.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let pipeline = match name {
        Some(n) => pipelines
            .iter()
            .find(|p| p.name.name == n)
            .ok_or_else(|| PlanError::UnknownPipeline(n.into(), names()))?,
        None => match pipelines.as_slice() {
            [] => return Err(PlanError::NoPipeline),
            [one] => one,
            _ => return Err(PlanError::SeveralPipelines(names())),
        },
    };
    let program = dash_compiler::lower::lower(analysis);
    let find_source = |n: &str| {
        decls.iter().find_map(|d| match d {
            DeclKind::Source(s) if s.name.name == n => Some(s),
            _ => None,
        })
    };
    let find_sink = |n: &str| {
        decls.iter().find_map(|d| match d {
            DeclKind::Sink(s) if s.name.name == n => Some(s),
            _ => None,
        })
    };
    let first = &pipeline.hops[0].stages[0].name;
    let source = find_source(first).ok_or_else(|| PlanError::MissingStage(first.clone()))?;
    let source = source_plan(analysis, dir, source)?;
    let mut stages = Vec::new();
    let mut sinks = Vec::new();
    let default_batch = config.batch.unwrap_or(1000);
    let default_linger = config
        .linger
        .as_deref()
        .and_then(parse_duration)
        .unwrap_or(Duration::from_millis(500));
    for hop in &pipeline.hops[1..] {
        for stage in &hop.stages {
            if let Some(sink) = find_sink(&stage.name) {
                sinks.push(sink_plan(
                    analysis,
                    dir,
                    sink,
                    default_batch,
                    default_linger,
                ));
            } else {
                let (func, _) = program
                    .function(&stage.name)
                    .ok_or_else(|| PlanError::MissingStage(stage.name.clone()))?;
                stages.push(Stage {
                    name: stage.name.clone(),
                    func,
                    reactor: reactor_stage(&program, &stage.name),
                });
            }
        }
    }
    let dlq_table = option_text(&pipeline.options, "dlq")
        .or_else(|| config.dlq.clone())
        .unwrap_or_else(|| "dash_dlq".into());
    Ok(Plan {
        pipeline: pipeline.name.name.clone(),
        source,
        stages,
        sinks,
        dlq_table,
        program,
        retry_for: config
            .retry_for
            .as_deref()
            .and_then(parse_duration)
            .unwrap_or(Duration::from_secs(120)),
    })
}

fn record_of(analysis: &Analysis, name: &str) -> RecordId {
    match analysis.program.endpoints.get(name) {
        Some(Ty::Record(id)) => *id,
        _ => RecordId(0),
    }
}

fn source_plan(analysis: &Analysis, dir: &Path, s: &SourceDecl) -> Result<SourcePlan, PlanError> {
    let items = &s.options.items;
    let input = match s.kind.name.as_str() {
        "file" => Input::File(dir.join(option_text(items, "path").unwrap_or_default())),
        "stdin" => Input::Stdin,
        other => {
            return Err(PlanError::UnsupportedSource(
                s.name.name.clone(),
                other.into(),
            ));
        }
    };
    let format_name = option_name(items, "format").or_else(|| match &input {
        Input::File(p) => dash_compiler::check::options::format_of_path(&p.display().to_string()),
        Input::Stdin => None,
    });
    let format = match format_name.as_deref() {
        Some("csv") => Format::Csv {
            delimiter: option_text(items, "delimiter")
                .and_then(|d| d.bytes().next())
                .unwrap_or(b','),
            header: option_bool(items, "header").unwrap_or(true),
            null: option_text(items, "null").unwrap_or_default(),
        },
        Some("json") => Format::Json,
        _ => Format::Jsonl,
    };
    Ok(SourcePlan {
        name: s.name.name.clone(),
        input,
        format,
        record: record_of(analysis, &s.name.name),
    })
}

fn sink_plan(
    analysis: &Analysis,
    dir: &Path,
    s: &SinkDecl,
    batch: usize,
    linger: Duration,
) -> SinkPlan {
    let items = &s.options.items;
    let output = match s.kind.name.as_str() {
        "stdout" => Output::Stdout,
        "file" => Output::File(dir.join(option_text(items, "path").unwrap_or_default())),
        kind => Output::Table {
            table: option_text(items, "table").unwrap_or_else(|| s.name.name.clone()),
            engine: match kind {
                "postgres" => Some("postgres"),
                "sqlite" => Some("sqlite"),
                _ => None,
            },
        },
    };
    let key = match items.iter().find(|o| o.key.name == "key").map(|o| &o.value) {
        Some(OptionValue::Expr(e)) => match &e.kind {
            ExprKind::Name(id) => vec![id.name.clone()],
            ExprKind::List(items) => items
                .iter()
                .filter_map(|i| match &i.kind {
                    ExprKind::Name(id) => Some(id.name.clone()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    SinkPlan {
        name: s.name.name.clone(),
        output,
        record: record_of(analysis, &s.name.name),
        key,
        time: option_name(items, "time"),
        batch: option_int(items, "batch").map_or(batch, |n| n as usize),
        linger: option_duration(items, "linger").unwrap_or(linger),
    }
}

fn option<'a>(items: &'a [OptionItem], key: &str) -> Option<&'a ExprKind> {
    items
        .iter()
        .find(|o| o.key.name == key)
        .and_then(|o| match &o.value {
            OptionValue::Expr(e) => Some(&e.kind),
            _ => None,
        })
}

fn option_text(items: &[OptionItem], key: &str) -> Option<String> {
    match option(items, key)? {
        ExprKind::Str(parts) => Some(
            parts
                .iter()
                .map(|p| match p {
                    StrPart::Text(t) => t.as_str(),
                    StrPart::Interp(_) => "",
                })
                .collect(),
        ),
        _ => None,
    }
}

fn option_name(items: &[OptionItem], key: &str) -> Option<String> {
    match option(items, key)? {
        ExprKind::Name(id) => Some(id.name.clone()),
        _ => None,
    }
}

fn option_int(items: &[OptionItem], key: &str) -> Option<i64> {
    match option(items, key)? {
        ExprKind::Int(n) => Some(*n),
        _ => None,
    }
}

fn option_bool(items: &[OptionItem], key: &str) -> Option<bool> {
    match option(items, key)? {
        ExprKind::Bool(b) => Some(*b),
        _ => None,
    }
}

fn option_duration(items: &[OptionItem], key: &str) -> Option<Duration> {
    match option(items, key)? {
        ExprKind::Duration(us) => Some(Duration::from_micros((*us).max(0) as u64)),
        _ => None,
    }
}

/// `200ms`, `5s`, `1m` (dash.yaml defaults).
fn parse_duration(text: &str) -> Option<Duration> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (n, unit) = text.split_at(split);
    let n: u64 = n.trim().parse().ok()?;
    Some(match unit {
        "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n * 60),
        _ => return None,
    })
}
