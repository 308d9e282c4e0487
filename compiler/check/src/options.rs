//! Options of sources, sinks, pipelines: what each kind accepts, and what
//! does not run yet. The tables are public so the language server can
//! complete and document option keys; `option_values.rs` checks values
//! against them.

/// The kind of value an option takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptKind {
    Str,
    /// A whole number, at least 1.
    Count,
    Bool,
    Duration,
    /// The name of a field of the record.
    Field,
    /// A field name or a list of them.
    Fields,
    /// `jsonl`, `csv` or `json`.
    Format,
    /// `{ key: "value" … }`
    Object,
    /// A string or a list of strings.
    Strings,
    /// One of the given words, e.g. `skip | update`.
    Choice(&'static [&'static str]),
    /// A number above 0 and at most 1, e.g. `0.5`.
    Ratio,
    /// `rollup NAME every D { col: agg(field) … }`
    Rollup,
}

#[derive(Clone, Copy, Debug)]
pub struct OptSpec {
    pub name: &'static str,
    pub kind: OptKind,
    pub required: bool,
    pub doc: &'static str,
}

const fn opt(name: &'static str, kind: OptKind, required: bool, doc: &'static str) -> OptSpec {
    OptSpec {
        name,
        kind,
        required,
        doc,
    }
}

use OptKind::*;

const CSV: [OptSpec; 3] = [
    opt(
        "delimiter",
        Str,
        false,
        "csv only: the field separator, one character (default `,`)",
    ),
    opt(
        "header",
        Bool,
        false,
        "csv only: whether the first row names the columns (default true)",
    ),
    opt(
        "null",
        Strings,
        false,
        "csv only: the text, or list of texts, that means null (default the empty field)",
    ),
];

pub const FILE_SOURCE: &[OptSpec] = &[
    opt(
        "path",
        Str,
        true,
        "the file to read, relative to the .dash file",
    ),
    opt(
        "format",
        Format,
        false,
        "jsonl | csv | json (one array) | lines; defaults from the path's extension",
    ),
    opt(
        "follow",
        Bool,
        false,
        "keep reading as the file grows and as new files appear",
    ),
    CSV[0],
    CSV[1],
    CSV[2],
];
pub const STDIN_SOURCE: &[OptSpec] = &[
    opt(
        "format",
        Format,
        false,
        "jsonl | csv | json | lines (default jsonl)",
    ),
    CSV[0],
    CSV[1],
    CSV[2],
];
pub const HTTP_SOURCE: &[OptSpec] = &[
    opt(
        "url",
        Str,
        true,
        "the URL to poll; `${cursor}` is replaced by the last committed cursor",
    ),
    opt("every", Duration, true, "how often to poll"),
    opt(
        "records",
        Str,
        false,
        "path to the array of records in the response, e.g. \"data.items\"",
    ),
    opt(
        "headers",
        Object,
        false,
        "request headers, `{ Authorization: \"Bearer …\" }`",
    ),
    opt(
        "cursor",
        Field,
        false,
        "a field whose last committed value is substituted as `${cursor}`",
    ),
    opt(
        "next",
        Str,
        false,
        "dotted path to the next page's URL in the response (null or absent: the last page)",
    ),
    opt("timeout", Duration, false, "per request (default 30s)"),
];
pub const WEBHOOK_SOURCE: &[OptSpec] = &[
    opt(
        "path",
        Str,
        true,
        "the URL path to listen on, e.g. \"/hooks/orders\"",
    ),
    opt(
        "listen",
        Str,
        false,
        "the address to listen on (default \"127.0.0.1:8080\"); pipelines may share one",
    ),
    opt(
        "token",
        Str,
        false,
        "requires `Authorization: Bearer <token>`",
    ),
    opt(
        "secret",
        Str,
        false,
        "requires `X-Dash-Signature: sha256=<hex HMAC-SHA256 of the body>`",
    ),
    opt(
        "max_body",
        Count,
        false,
        "the largest request body in bytes (default 1 MiB)",
    ),
];
pub const NATS_SOURCE: &[OptSpec] = &[
    opt(
        "url",
        Str,
        true,
        "the NATS server, e.g. \"nats://127.0.0.1:4222\"",
    ),
    opt("stream", Str, true, "the JetStream stream"),
    opt("subject", Str, true, "the subject to consume"),
    opt(
        "consumer",
        Str,
        false,
        "the durable consumer name (default: the pipeline's name)",
    ),
];

pub const TABLE_SINK: &[OptSpec] = &[
    opt("table", Str, true, "the table to write"),
    opt(
        "time",
        Field,
        false,
        "the timestamp field: hypertable / partition column",
    ),
    opt(
        "key",
        Fields,
        false,
        "dedupe key: a replayed row is not written twice",
    ),
    opt(
        "on_conflict",
        Choice(&["skip", "update"]),
        false,
        "with a `key`: `skip` leaves a stored row as it is (default), `update` replaces it",
    ),
    opt("batch", Count, false, "flush at this many rows"),
    opt(
        "linger",
        Duration,
        false,
        "… or after this long, whichever comes first",
    ),
    opt(
        "chunk",
        Duration,
        false,
        "PostgreSQL: the partition / chunk width",
    ),
    opt(
        "retention",
        Duration,
        false,
        "PostgreSQL: drop data older than this",
    ),
    opt(
        "compress_after",
        Duration,
        false,
        "PostgreSQL (TimescaleDB): compress chunks older than this",
    ),
    opt(
        "rollup",
        Rollup,
        false,
        "PostgreSQL: a continuous aggregate `rollup NAME every 1h { col: agg(field) }`",
    ),
];
pub const POSTGRES_ONLY: &[&str] = &["chunk", "retention", "compress_after", "rollup"];

/// Options that are part of the language but do not run yet, with why:
/// the checker refuses them (E0049) rather than accept and ignore them,
/// and completion does not offer them.
pub const NOT_YET: &[(&str, &str)] = &[];

/// Whether an option runs (completion offers only those).
pub fn runs(option: &str) -> bool {
    !NOT_YET.iter().any(|(name, _)| *name == option)
}

/// Options whose strings may read `${env.NAME}` (read when the run
/// starts, and kept secret).
pub const ENV_OPTIONS: &[&str] = &["path", "url", "token", "secret", "headers"];
pub const STDOUT_SINK: &[OptSpec] = &[
    opt("format", Format, false, "jsonl (default)"),
    opt("batch", Count, false, "flush at this many rows"),
    opt("linger", Duration, false, "… or after this long"),
];
pub const FILE_SINK: &[OptSpec] = &[
    opt("path", Str, true, "the file to append JSON lines to"),
    opt("format", Format, false, "jsonl (default)"),
    opt("batch", Count, false, "flush at this many rows"),
    opt("linger", Duration, false, "… or after this long"),
];
pub const PIPELINE_OPTIONS: &[OptSpec] = &[
    opt(
        "dlq",
        Str,
        false,
        "the dead-letter table (default `dash_dlq`)",
    ),
    opt(
        "workers",
        Count,
        false,
        "how many batches are written at once, over as many PostgreSQL connections (default: the number of cores)",
    ),
    opt(
        "max_error_rate",
        Ratio,
        false,
        "stop the run when more than this share of the last 1,000 records failed (default 0.5)",
    ),
];

pub const SOURCE_KINDS: &[&str] = &["file", "stdin", "http", "webhook", "nats"];
pub const SINK_KINDS: &[&str] = &["table", "postgres", "sqlite", "stdout", "file"];
pub const FORMATS: &[&str] = &["jsonl", "csv", "json", "lines"];
pub const AGGREGATES: &[&str] = &["avg", "sum", "min", "max", "count", "first", "last"];

pub fn source_options(kind: &str) -> Option<&'static [OptSpec]> {
    Some(match kind {
        "file" => FILE_SOURCE,
        "stdin" => STDIN_SOURCE,
        "http" => HTTP_SOURCE,
        "webhook" => WEBHOOK_SOURCE,
        "nats" => NATS_SOURCE,
        _ => return None,
    })
}

pub fn sink_options(kind: &str) -> Option<&'static [OptSpec]> {
    Some(match kind {
        "table" | "postgres" | "sqlite" => TABLE_SINK,
        "stdout" => STDOUT_SINK,
        "file" => FILE_SINK,
        _ => return None,
    })
}

/// `data/readings.jsonl` -> `jsonl`.
pub fn format_of_path(path: &str) -> Option<String> {
    let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
    match ext.as_str() {
        "jsonl" | "ndjson" => Some("jsonl".into()),
        "csv" => Some("csv".into()),
        "json" => Some("json".into()),
        _ => None,
    }
}
