//! Options of sources, sinks, pipelines: what each kind accepts, and the
//! checks of their values. The tables are public so the language server
//! can complete and document option keys.

use std::collections::HashMap;

use super::Checker;
use super::expr::list_names;
use super::ty::{RecordId, Ty};
use crate::ast::{ExprKind, Ident, OptionItem, OptionValue, Options, SinkDecl, SourceDecl};
use crate::diag::{Code, suggest};
use crate::source::Span;

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
        Str,
        false,
        "csv only: the text that means null (default the empty field)",
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
        "jsonl | csv | json (one array); defaults from the path's extension",
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
        "jsonl | csv | json (default jsonl)",
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
];
pub const WEBHOOK_SOURCE: &[OptSpec] = &[
    opt(
        "path",
        Str,
        true,
        "the URL path to listen on, e.g. \"/hooks/orders\"",
    ),
    opt("port", Count, false, "the port to listen on (default 8080)"),
    opt(
        "secret",
        Str,
        false,
        "shared secret checked against the request's HMAC signature",
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
        "how many batches are transformed in parallel",
    ),
];

pub const SOURCE_KINDS: &[&str] = &["file", "stdin", "http", "webhook", "nats"];
pub const SINK_KINDS: &[&str] = &["table", "postgres", "sqlite", "stdout", "file"];
pub const FORMATS: &[&str] = &["jsonl", "csv", "json"];
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

impl Checker<'_> {
    pub(super) fn source(&mut self, s: &SourceDecl) {
        let record = self.endpoint_record(&s.name.name);
        let Some(specs) = source_options(&s.kind.name) else {
            self.unknown_kind(&s.kind, "source", SOURCE_KINDS, Code::UnknownSourceKind);
            return;
        };
        let what = format!("a `{}` source", s.kind.name);
        let given = self.options(&s.options, specs, record, &what, s.kind.span);
        if matches!(s.kind.name.as_str(), "file" | "stdin") {
            let format = match given.get("format").and_then(|o| option_name(o)) {
                Some(f) => Some(f.to_string()),
                None => given
                    .get("path")
                    .and_then(|o| option_string(o))
                    .and_then(|p| format_of_path(&p)),
            };
            if s.kind.name == "file" && format.is_none() && given.contains_key("path") {
                let d = self
                    .diag(
                        Code::MissingOption,
                        s.kind.span,
                        "this file source needs a `format`: it cannot be told from the path",
                        "missing `format`",
                    )
                    .with_help("add `format: jsonl` (or `csv`, or `json` for one array)");
                self.report(d);
            }
            if format.as_deref().unwrap_or("jsonl") != "csv" {
                for key in ["delimiter", "header", "null"] {
                    if let Some(item) = given.get(key) {
                        self.not_applicable(item, "only applies to `format: csv`");
                    }
                }
            }
        }
    }

    pub(super) fn sink(&mut self, s: &SinkDecl) {
        let record = self.endpoint_record(&s.name.name);
        let Some(specs) = sink_options(&s.kind.name) else {
            self.unknown_kind(&s.kind, "sink", SINK_KINDS, Code::UnknownSinkKind);
            return;
        };
        let what = format!("a `{}` sink", s.kind.name);
        let given = self.options(&s.options, specs, record, &what, s.kind.span);
        if s.kind.name == "sqlite" {
            for key in POSTGRES_ONLY {
                if let Some(item) = given.get(*key) {
                    self.not_applicable(item, "is a PostgreSQL option; this sink is `sqlite`");
                }
            }
        }
        if matches!(s.kind.name.as_str(), "stdout" | "file")
            && let Some(item) = given.get("format")
            && option_name(item).is_some_and(|f| f != "jsonl")
        {
            self.not_applicable(item, "must be `jsonl` for this sink");
        }
    }

    fn endpoint_record(&self, name: &str) -> Option<RecordId> {
        match self.program.endpoints.get(name) {
            Some(Ty::Record(id)) => Some(*id),
            _ => None,
        }
    }

    fn unknown_kind(&mut self, kind: &Ident, what: &str, known: &[&str], code: Code) {
        let help = suggest::did_you_mean(&kind.name, known.iter().copied())
            .unwrap_or_else(|| format!("{what} kinds are {}", list_names(known)));
        let d = self
            .diag(
                code,
                kind.span,
                format!("unknown {what} kind `{}`", kind.name),
                format!("not a {what} kind"),
            )
            .with_help(help);
        self.report(d);
    }

    fn not_applicable(&mut self, item: &OptionItem, why: &str) {
        let d = self.diag(
            Code::OptionNotApplicable,
            item.key.span,
            format!("option `{}` {why}", item.key.name),
            "does not apply here",
        );
        self.report(d);
    }

    /// Check an option block against its specs; returns the options given.
    pub(super) fn options<'o>(
        &mut self,
        options: &'o Options,
        specs: &[OptSpec],
        record: Option<RecordId>,
        what: &str,
        anchor: Span,
    ) -> HashMap<String, &'o OptionItem> {
        let mut given: HashMap<String, &OptionItem> = HashMap::new();
        for item in &options.items {
            // Several rollups (each named) are allowed.
            if let Some(first) = given
                .get(&item.key.name)
                .filter(|_| item.key.name != "rollup")
            {
                let d = self
                    .diag(
                        Code::DuplicateField,
                        item.key.span,
                        format!("option `{}` is given twice", item.key.name),
                        "given again here",
                    )
                    .with_label(self.file, first.key.span, "first given here");
                self.report(d);
                continue;
            }
            match specs.iter().find(|s| s.name == item.key.name) {
                Some(spec) => self.option_value(item, spec, record),
                None => {
                    let names: Vec<&str> = specs.iter().map(|s| s.name).collect();
                    let help = suggest::did_you_mean(&item.key.name, names.iter().copied())
                        .unwrap_or_else(|| format!("{what} takes {}", list_names(&names)));
                    let d = self
                        .diag(
                            Code::UnknownOption,
                            item.key.span,
                            format!("unknown option `{}` for {what}", item.key.name),
                            "unknown option",
                        )
                        .with_help(help);
                    self.report(d);
                }
            }
            given.insert(item.key.name.clone(), item);
        }
        for spec in specs.iter().filter(|s| s.required) {
            if !given.contains_key(spec.name) {
                let span = options.span.map_or(anchor, |s| Span {
                    start: s.start,
                    end: s.start + 1,
                });
                let d = self
                    .diag(
                        Code::MissingOption,
                        span,
                        format!("{what} needs the option `{}`", spec.name),
                        format!("missing `{}`", spec.name),
                    )
                    .with_help(format!("add `{}: …` ({})", spec.name, spec.doc));
                self.report(d);
            }
        }
        self.option_limits(&given);
        given
    }

    fn option_value(&mut self, item: &OptionItem, spec: &OptSpec, record: Option<RecordId>) {
        let expr = match &item.value {
            OptionValue::Expr(e) => Some(e),
            _ => None,
        };
        let ok = match (spec.kind, &item.value) {
            (Rollup, OptionValue::Rollup(r)) => {
                self.rollup(r, record);
                true
            }
            (Object, OptionValue::Object(entries)) => {
                for entry in entries {
                    if !matches!(entry.value.kind, ExprKind::Str(_)) {
                        self.option_error(entry.value.span, &entry.key.name, "a string");
                    }
                }
                true
            }
            (Str, _) => expr.is_some_and(|e| matches!(e.kind, ExprKind::Str(_))),
            (Count, _) => expr.is_some_and(|e| matches!(e.kind, ExprKind::Int(n) if n >= 1)),
            (Bool, _) => expr.is_some_and(|e| matches!(e.kind, ExprKind::Bool(_))),
            (Duration, _) => expr.is_some_and(|e| matches!(e.kind, ExprKind::Duration(n) if n > 0)),
            (Format, _) => match expr.map(|e| &e.kind) {
                Some(ExprKind::Name(id)) if FORMATS.contains(&id.name.as_str()) => true,
                Some(ExprKind::Name(id)) => {
                    let help = suggest::did_you_mean(&id.name, FORMATS.iter().copied())
                        .unwrap_or_else(|| "formats are `jsonl`, `csv` and `json`".into());
                    let d = self
                        .diag(
                            Code::OptionType,
                            id.span,
                            format!("unknown format `{}`", id.name),
                            "not a format",
                        )
                        .with_help(help);
                    self.report(d);
                    true
                }
                _ => false,
            },
            (Field, _) => match expr.map(|e| &e.kind) {
                Some(ExprKind::Name(id)) => {
                    self.option_field(id, record, item.key.name == "time");
                    true
                }
                _ => false,
            },
            (Fields, _) => match expr.map(|e| &e.kind) {
                Some(ExprKind::Name(id)) => {
                    self.option_field(id, record, false);
                    true
                }
                Some(ExprKind::List(items)) if !items.is_empty() => {
                    let mut all = true;
                    for e in items {
                        match &e.kind {
                            ExprKind::Name(id) => self.option_field(id, record, false),
                            _ => all = false,
                        }
                    }
                    all
                }
                _ => false,
            },
            _ => false,
        };
        if !ok {
            let span = match &item.value {
                OptionValue::Expr(e) => e.span,
                _ => item.span,
            };
            let expected = match spec.kind {
                Str => "a string, e.g. \"…\"",
                Count => "a whole number of at least 1",
                Bool => "`true` or `false`",
                Duration => "a positive duration, e.g. `200ms` or `5m`",
                Field => "a field name",
                Fields => "a field name or a list of them, e.g. `[station, ts]`",
                Format => "a format: `jsonl`, `csv` or `json`",
                Object => "an object `{ key: \"value\" }`",
                Rollup => "`rollup NAME every 1h { col: agg(field) }`",
            };
            self.option_error(span, &item.key.name, expected);
        }
    }

    /// Checks of option values beyond their kind: one-character
    /// delimiters, valid ports, non-empty names.
    fn option_limits(&mut self, given: &HashMap<String, &OptionItem>) {
        let literal = |key: &str| match given.get(key).map(|i| &i.value) {
            Some(OptionValue::Expr(e)) => Some(e),
            _ => None,
        };
        if let Some(e) = literal("delimiter")
            && let Some(text) = plain_text(e)
            && text.chars().count() != 1
        {
            self.option_error(
                e.span,
                "delimiter",
                "exactly one character, e.g. \",\" or \"\\t\"",
            );
        }
        if let Some(e) = literal("port")
            && matches!(e.kind, ExprKind::Int(n) if n > 65_535)
        {
            self.option_error(e.span, "port", "a port number from 1 to 65535");
        }
        for key in ["table", "path", "url", "stream", "subject", "dlq"] {
            if let Some(e) = literal(key)
                && plain_text(e).is_some_and(|t| t.trim().is_empty())
            {
                self.option_error(e.span, key, "a non-empty string");
            }
        }
    }

    fn option_error(&mut self, span: Span, key: &str, expected: &str) {
        let d = self.diag(
            Code::OptionType,
            span,
            format!("option `{key}` takes {expected}"),
            format!("expected {expected}"),
        );
        self.report(d);
    }

    /// A field named by an option must exist (and be a timestamp for `time`).
    fn option_field(&mut self, id: &Ident, record: Option<RecordId>, timestamp: bool) {
        let Some(record) = record else {
            return;
        };
        if let Some(i) = self
            .program
            .record(record)
            .fields
            .iter()
            .position(|f| f.name == id.name)
        {
            self.refer(id.span, super::Symbol::Field(record, i as u32));
        }
        let rec = self.program.record(record);
        match rec.field(&id.name) {
            None => {
                let names: Vec<&str> = rec.fields.iter().map(|f| f.name.as_str()).collect();
                let help =
                    suggest::did_you_mean(&id.name, names.iter().copied()).unwrap_or_else(|| {
                        format!("`{}` has the fields {}", rec.name, list_names(&names))
                    });
                let d = self
                    .diag(
                        Code::UnknownColumn,
                        id.span,
                        format!("`{}` has no field `{}`", rec.name, id.name),
                        "unknown field",
                    )
                    .with_help(help);
                self.report(d);
            }
            Some(f) if timestamp && *f.ty.strip() != Ty::Timestamp => {
                let shown = self.show(&f.ty);
                let d = self.diag(
                    Code::UnknownColumn,
                    id.span,
                    format!(
                        "`time` must name a timestamp field, but `{}` is `{shown}`",
                        id.name
                    ),
                    "not a timestamp",
                );
                self.report(d);
            }
            Some(_) => {}
        }
    }

    fn rollup(&mut self, rollup: &crate::ast::Rollup, record: Option<RecordId>) {
        if !matches!(rollup.every.kind, ExprKind::Duration(n) if n > 0) {
            self.option_error(rollup.every.span, "every", "a positive duration, e.g. `1h`");
        }
        for col in &rollup.columns {
            if !AGGREGATES.contains(&col.agg.name.as_str()) {
                let help = suggest::did_you_mean(&col.agg.name, AGGREGATES.iter().copied())
                    .unwrap_or_else(|| format!("aggregates are {}", list_names(AGGREGATES)));
                let d = self
                    .diag(
                        Code::OptionType,
                        col.agg.span,
                        format!("unknown aggregate `{}`", col.agg.name),
                        "not an aggregate",
                    )
                    .with_help(help);
                self.report(d);
                continue;
            }
            match &col.field {
                Some(field) if col.agg.name == "count" => {
                    let d = self
                        .diag(
                            Code::OptionType,
                            field.span,
                            "`count()` counts rows and takes no field",
                            "no field here",
                        )
                        .with_help("write `count()`");
                    self.report(d);
                }
                Some(field) => {
                    self.option_field(field, record, false);
                    let numeric = record
                        .and_then(|r| self.program.record(r).field(&field.name))
                        .map(|f| f.ty.strip().is_numeric());
                    if matches!(col.agg.name.as_str(), "avg" | "sum") && numeric == Some(false) {
                        let d = self.diag(
                            Code::OptionType,
                            field.span,
                            format!("`{}` needs a numeric field", col.agg.name),
                            "not a number",
                        );
                        self.report(d);
                    }
                }
                None if col.agg.name != "count" => {
                    self.option_error(
                        col.agg.span,
                        &col.name.name,
                        "an aggregate of a field, e.g. `avg(temp_f)`",
                    );
                }
                None => {}
            }
        }
    }
}

/// The text of a string literal without interpolation.
fn plain_text(e: &crate::ast::Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Str(parts) => parts
            .iter()
            .map(|p| match p {
                crate::ast::StrPart::Text(t) => Some(t.as_str()),
                crate::ast::StrPart::Interp(_) => None,
            })
            .collect(),
        _ => None,
    }
}

fn option_name(item: &OptionItem) -> Option<&str> {
    match &item.value {
        OptionValue::Expr(e) => match &e.kind {
            ExprKind::Name(id) => Some(&id.name),
            _ => None,
        },
        _ => None,
    }
}

fn option_string(item: &OptionItem) -> Option<String> {
    match &item.value {
        OptionValue::Expr(e) => match &e.kind {
            ExprKind::Str(parts) => Some(
                parts
                    .iter()
                    .map(|p| match p {
                        crate::ast::StrPart::Text(t) => t.as_str(),
                        crate::ast::StrPart::Interp(_) => "",
                    })
                    .collect(),
            ),
            _ => None,
        },
        _ => None,
    }
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
