//! The run plan: every source, sink and pipeline of a project with its
//! options decoded once, into typed values, by the checker that validated
//! them. The runtime consumes only this (with the IR and the source files
//! for error locations); it never reads option syntax and never defaults
//! an option the checker did not see.
//!
//! A declaration with an error has no entry here: a project with errors
//! does not run.

use std::collections::BTreeMap;
use std::time::Duration;

use dash_syntax::source::{FileId, Span};

use crate::ty::RecordId;

/// Every runnable declaration of a project, by name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunPlan {
    pub sources: BTreeMap<String, SourceSpec>,
    pub sinks: BTreeMap<String, SinkSpec>,
    /// In declaration order (file by file).
    pub pipelines: Vec<PipelineSpec>,
}

impl RunPlan {
    pub fn pipeline(&self, name: &str) -> Option<&PipelineSpec> {
        self.pipelines.iter().find(|p| p.name == name)
    }
}

/// Where a declaration is, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    pub file: FileId,
    /// The declaration's name.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SourceSpec {
    pub name: String,
    pub record: RecordId,
    pub kind: SourceKind,
    pub origin: Origin,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SourceKind {
    /// `file { path, format, follow }`; the path is relative to the
    /// project.
    File {
        path: Text,
        format: Format,
        /// `follow: true`: keep reading as files grow and appear.
        follow: bool,
        /// The path is a glob (`logs/*.jsonl`): every file it matches.
        glob: bool,
    },
    Stdin {
        format: Format,
    },
    /// `http { url, every, … }`: polling an API (LANGUAGE §8).
    Http(HttpSource),
    /// `webhook { path, listen, … }`: records POSTed to Dash.
    Webhook(WebhookSource),
    /// `nats { url, stream, subject, consumer }`: a JetStream consumer.
    Nats(NatsSource),
}

impl SourceKind {
    /// Sources that never end by themselves: they run until a signal.
    pub fn is_live(&self) -> bool {
        match self {
            SourceKind::File { follow, .. } => *follow,
            SourceKind::Stdin { .. } => false,
            SourceKind::Http(_) | SourceKind::Webhook(_) | SourceKind::Nats(_) => true,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct HttpSource {
    /// The URL as the texts around each `${cursor}`: `url[0]`, the
    /// cursor, `url[1]`, … (one text when the URL has no cursor).
    pub url: Vec<Text>,
    /// The wait between polls once a poll found nothing new.
    pub every: Duration,
    /// `records: "data.items"`: the keys leading to the array of records
    /// in the response; empty when the body is the array.
    pub records: Vec<String>,
    /// `cursor: seq`: the JSON key of the field whose value on the last
    /// committed record replaces `${cursor}`.
    pub cursor: Option<String>,
    /// `next: "links.next"`: the keys leading to the next page's URL.
    pub next: Option<Vec<String>>,
    /// Request headers, in order; values may read the environment.
    pub headers: Vec<(String, Text)>,
    /// Per request (default 30 s).
    pub timeout: Duration,
}

#[derive(Clone, Debug, PartialEq)]
pub struct WebhookSource {
    /// `host:port` (default `127.0.0.1:8080`).
    pub listen: String,
    /// The URL path, starting with `/`.
    pub path: String,
    /// Requires `Authorization: Bearer <token>`.
    pub token: Option<Text>,
    /// Requires `X-Dash-Signature: sha256=<hex HMAC-SHA256 of the body>`.
    pub secret: Option<Text>,
    /// The largest body accepted, in bytes (default 1 MiB).
    pub max_body: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NatsSource {
    pub url: Text,
    pub stream: String,
    pub subject: String,
    /// The durable pull consumer; `None`: the pipeline's name.
    pub consumer: Option<String>,
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_MAX_BODY: usize = 1 << 20;
pub const DEFAULT_HTTP_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Clone, Debug, PartialEq)]
pub enum Format {
    Jsonl,
    Csv(CsvFormat),
    /// One JSON array of records.
    Json,
    /// Each line is a record whose one field (a `string`) is the line.
    Lines,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CsvFormat {
    /// One ASCII character.
    pub delimiter: u8,
    /// Whether the first row names the columns (matched by name).
    pub header: bool,
    /// The field texts that mean null (default: the empty field).
    pub null: Vec<String>,
}

impl Default for CsvFormat {
    fn default() -> Self {
        CsvFormat {
            delimiter: b',',
            header: true,
            null: vec![String::new()],
        }
    }
}

/// An option string: literal text and `${env.NAME}` parts, which are
/// read from the environment when the run starts (and are secrets).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Text {
    pub parts: Vec<TextPart>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TextPart {
    Literal(String),
    Env(String),
}

impl Text {
    pub fn literal(text: impl Into<String>) -> Text {
        Text {
            parts: vec![TextPart::Literal(text.into())],
        }
    }

    /// Whether part of the text comes from the environment (so the
    /// resolved text must never be printed).
    pub fn is_secret(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, TextPart::Env(_)))
    }

    /// The text with every `${env.NAME}` replaced by `lookup(NAME)`; the
    /// name of the first variable `lookup` does not know is the error.
    pub fn resolve(&self, lookup: impl Fn(&str) -> Option<String>) -> Result<String, String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                TextPart::Literal(t) => out.push_str(t),
                TextPart::Env(name) => out.push_str(&lookup(name).ok_or_else(|| name.clone())?),
            }
        }
        Ok(out)
    }

    /// The text as written, `${env.NAME}` included: safe to print.
    pub fn shown(&self) -> String {
        self.parts
            .iter()
            .map(|p| match p {
                TextPart::Literal(t) => t.clone(),
                TextPart::Env(name) => format!("${{env.{name}}}"),
            })
            .collect()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct SinkSpec {
    pub name: String,
    pub record: RecordId,
    pub kind: SinkKind,
    /// `batch:`; absent: `dash.yaml`'s default, else 1000.
    pub batch: Option<usize>,
    /// `linger:`; absent: `dash.yaml`'s default, else 500ms.
    pub linger: Option<Duration>,
    pub origin: Origin,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SinkKind {
    Table(TableSink),
    /// JSON lines on standard output.
    Stdout,
    /// JSON lines appended to a file, relative to the project.
    File {
        path: Text,
    },
}

/// A `table`, `postgres` or `sqlite` sink.
#[derive(Clone, Debug, PartialEq)]
pub struct TableSink {
    pub table: String,
    /// `postgres` or `sqlite` sinks refuse to run on the other engine;
    /// `table` sinks run on either.
    pub engine: Option<DbEngine>,
    /// Field names; a row whose key is already there is not written again.
    pub key: Vec<String>,
    /// The timestamp field `time:` names.
    pub time: Option<String>,
    /// `chunk:`, the width of a partition of `time` (default 7 days).
    pub chunk: Option<Duration>,
    /// `retention:`: partitions older than this are dropped.
    pub retention: Option<Duration>,
    /// `compress_after:`: partitions older than this are compressed.
    pub compress_after: Option<Duration>,
    /// `rollup NAME every D { col: agg(field) … }`, in order.
    pub rollups: Vec<RollupSpec>,
    /// What a row whose `key` is already stored does.
    pub on_conflict: OnConflict,
}

/// A relation `name` with a column `bucket` (`time_bucket(every, time)`),
/// the sink's key fields other than `time`, and one column per aggregate.
#[derive(Clone, Debug, PartialEq)]
pub struct RollupSpec {
    pub name: String,
    pub every: Duration,
    pub columns: Vec<RollupColumn>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RollupColumn {
    pub name: String,
    pub aggregate: Aggregate,
    /// The field aggregated; `None` for `count()`.
    pub field: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aggregate {
    Count,
    Sum,
    Avg,
    Min,
    Max,
    First,
    Last,
}

impl Aggregate {
    pub fn from_name(name: &str) -> Option<Aggregate> {
        Some(match name {
            "count" => Aggregate::Count,
            "sum" => Aggregate::Sum,
            "avg" => Aggregate::Avg,
            "min" => Aggregate::Min,
            "max" => Aggregate::Max,
            "first" => Aggregate::First,
            "last" => Aggregate::Last,
            _ => return None,
        })
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnConflict {
    /// The stored row is left as it is; the new one counts as already there.
    #[default]
    Skip,
    /// The new row replaces the stored one (counted as written).
    Update,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DbEngine {
    Postgres,
    Sqlite,
}

impl DbEngine {
    pub fn name(self) -> &'static str {
        match self {
            DbEngine::Postgres => "postgres",
            DbEngine::Sqlite => "sqlite",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct PipelineSpec {
    pub name: String,
    pub source: String,
    /// Transforms and reactors, in order.
    pub stages: Vec<String>,
    /// The sinks of the last hop (several for a fan-out).
    pub sinks: Vec<String>,
    /// `dlq:`; absent: `dash.yaml`'s default, else `dash_dlq`.
    pub dlq: Option<String>,
    /// `max_error_rate:`; absent: 0.5. The run stops when more than this
    /// share of the recent records failed.
    pub max_error_rate: Option<f64>,
    /// `workers:`; absent: the number of cores (or `--workers`).
    pub workers: Option<usize>,
    pub origin: Origin,
}
