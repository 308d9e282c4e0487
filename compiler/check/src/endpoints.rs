//! Sources and sinks: their kinds, the checks that depend on the kind,
//! and their options decoded into the run plan's typed specs
//! ([`crate::plan`]). A declaration with an error gets no spec.

use std::collections::HashMap;
use std::time::Duration;

use super::Checker;
use super::expr::list_names;
use super::option_values::env_name;
use super::options::{
    POSTGRES_ONLY, SINK_KINDS, SOURCE_KINDS, format_of_path, sink_options, source_options,
};
use super::plan::{
    Aggregate, CsvFormat, DbEngine, Format, OnConflict, Origin, RollupColumn, RollupSpec, SinkKind,
    SinkSpec, SourceKind, SourceSpec, TableSink, Text, TextPart,
};
use super::ty::{RecordId, Ty};
use dash_syntax::ast::{
    Expr, ExprKind, Ident, OptionItem, OptionValue, SinkDecl, SourceDecl, StrPart,
};
use dash_syntax::diag::{Code, Severity, suggest};

pub(super) type Given<'o> = HashMap<String, &'o OptionItem>;

impl Checker<'_> {
    pub(super) fn source(&mut self, s: &SourceDecl) {
        let errors = self.error_count();
        let record = self.endpoint_record(&s.name.name);
        let Some(specs) = source_options(&s.kind.name) else {
            self.unknown_kind(&s.kind, "source", SOURCE_KINDS, Code::UnknownSourceKind);
            return;
        };
        let what = format!("a `{}` source", s.kind.name);
        let given = self.options(&s.options, specs, record, &what, s.kind.span);
        if matches!(s.kind.name.as_str(), "http" | "webhook" | "nats") {
            let Some(record) = record else { return };
            if self.error_count() > errors {
                return;
            }
            if let Some(kind) = self.live_source(s, &given, record) {
                self.add_source(s, record, kind);
            }
            return;
        }
        let format = self.source_format(s, &given, record);
        if self.error_count() > errors {
            return;
        }
        let (Some(record), Some(format)) = (record, format) else {
            return;
        };
        let kind = match s.kind.name.as_str() {
            "file" => match given.get("path").and_then(|i| text(i)) {
                Some(path) => SourceKind::File {
                    glob: path.shown().contains(['*', '?', '[']),
                    follow: given
                        .get("follow")
                        .and_then(|i| boolean(i))
                        .unwrap_or(false),
                    path,
                    format,
                },
                None => return,
            },
            _ => SourceKind::Stdin { format },
        };
        self.add_source(s, record, kind);
    }

    fn add_source(&mut self, s: &SourceDecl, record: RecordId, kind: SourceKind) {
        let spec = SourceSpec {
            name: s.name.name.clone(),
            record,
            kind,
            origin: self.origin(&s.name),
        };
        self.program.plan.sources.insert(spec.name.clone(), spec);
    }

    /// The format of a file or stdin source: `format:`, else the path's
    /// extension, else (stdin) JSON lines; `None` after an error.
    fn source_format(
        &mut self,
        s: &SourceDecl,
        given: &Given,
        record: Option<RecordId>,
    ) -> Option<Format> {
        let format = match given.get("format").and_then(|o| name(o)) {
            Some(f) => Some(f.to_string()),
            None => given
                .get("path")
                .and_then(|o| text(o))
                .and_then(|p| format_of_path(&p.shown())),
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
            return None;
        }
        let format = format.unwrap_or_else(|| "jsonl".into());
        if format == "lines" {
            let span = given.get("format").map_or(s.kind.span, |i| i.span);
            self.lines_record(span, record?)?;
        }
        let glob = given
            .get("path")
            .and_then(|i| text(i))
            .is_some_and(|p| p.shown().contains(['*', '?', '[']));
        let follow = given.get("follow").and_then(|i| boolean(i)) == Some(true);
        if (glob || follow) && !matches!(format.as_str(), "jsonl" | "lines") {
            let item = given.get(if follow { "follow" } else { "path" })?;
            let what = if follow { "`follow`" } else { "a glob `path`" };
            self.refuse(
                item.span,
                &format!("{what} is not supported yet with `format: {format}`"),
                "files that grow, rotate or come in several are read as `jsonl` or `lines`",
            );
            return None;
        }
        if format != "csv" {
            for key in ["delimiter", "header", "null"] {
                if let Some(item) = given.get(key) {
                    self.not_applicable(item, "only applies to `format: csv`");
                }
            }
        }
        Some(match format.as_str() {
            "csv" => {
                let mut csv = CsvFormat::default();
                if let Some(d) = given.get("delimiter").and_then(|i| plain(i)) {
                    csv.delimiter = *d.as_bytes().first()?;
                }
                if let Some(header) = given.get("header").and_then(|i| boolean(i)) {
                    csv.header = header;
                }
                if let Some(null) = given.get("null").and_then(|i| strings(i)) {
                    csv.null = null;
                }
                Format::Csv(csv)
            }
            "json" => Format::Json,
            "lines" => Format::Lines,
            _ => Format::Jsonl,
        })
    }

    /// `format: lines` reads each line into the record's one field, which
    /// must be a `string`.
    fn lines_record(&mut self, span: dash_syntax::Span, record: RecordId) -> Option<()> {
        let r = self.program.record(record);
        if let [field] = r.fields.as_slice()
            && matches!(field.ty, Ty::String)
        {
            return Some(());
        }
        let d = self
            .diag(
                Code::OptionType,
                span,
                format!(
                    "`format: lines` reads each line into a record with one `string` field; `{}` has {}",
                    r.name,
                    match r.fields.as_slice() {
                        [f] => format!("one field `{}` of another type", f.name),
                        fields => format!("{} fields", fields.len()),
                    }
                ),
                "needs a record with one `string` field",
            )
            .with_help("declare e.g. `type Line { text: string }` and read it with `format: lines`");
        self.report(d);
        None
    }

    pub(super) fn sink(&mut self, s: &SinkDecl) {
        let errors = self.error_count();
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
        // The key fields other than `time` are columns of every rollup, and
        // rollup names must differ.
        let key_fields = given.get("key").map(|i| names(i)).unwrap_or_default();
        let mut rollup_names: Vec<&str> = Vec::new();
        for item in s.options.items.iter().filter(|i| i.key.name == "rollup") {
            let OptionValue::Rollup(r) = &item.value else {
                continue;
            };
            if rollup_names.contains(&r.name.name.as_str()) {
                let d = self.diag(
                    Code::DuplicateField,
                    r.name.span,
                    format!("this sink already has a rollup named `{}`", r.name.name),
                    "named twice",
                );
                self.report(d);
            }
            rollup_names.push(&r.name.name);
            for col in r
                .columns
                .iter()
                .filter(|c| key_fields.contains(&c.name.name))
            {
                let d = self.diag(
                    Code::DuplicateField,
                    col.name.span,
                    format!(
                        "rollup column `{}` is named like a key field, which is already a column of the rollup",
                        col.name.name
                    ),
                    "choose another name",
                );
                self.report(d);
            }
        }
        if let Some(time_item) = given.get("time")
            && let (Some(time), Some(record)) = (name(time_item), record)
            && self
                .program
                .record(record)
                .field(time)
                .is_some_and(|f| f.ty.is_nullable())
        {
            let d = self
                .diag(
                    Code::OptionType,
                    time_item.span,
                    format!("the time field `{time}` is nullable: a partitioned table cannot hold a row without its time"),
                    "nullable time field",
                )
                .with_help(format!("make `{time}` a `timestamp` (not `timestamp?`), and `require` or `??` it in the transform"));
            self.report(d);
        }
        if let (Some(item), Some(record)) = (given.get("key"), record) {
            let rec = self.program.record(record).clone();
            for field in names(item) {
                if rec.field(&field).is_some_and(|f| f.ty.is_nullable()) {
                    let d = self
                        .diag(
                            Code::OptionType,
                            item.span,
                            format!(
                                "the key field `{field}` is nullable: a row whose key is null never \
                                 matches a stored one (SQL NULLs are distinct), so a replay would \
                                 write it again"
                            ),
                            "nullable key field",
                        )
                        .with_help(format!(
                            "make `{field}` non-nullable in `{}`, and `require` or `??` it in the transform",
                            rec.name
                        ));
                    self.report(d);
                }
            }
        }
        for key in ["chunk", "retention", "compress_after", "rollup"] {
            if let Some(item) = given.get(key)
                && !given.contains_key("time")
            {
                self.not_applicable(
                    item,
                    "needs `time`: it works on partitions of the time field",
                );
            }
        }
        if let Some(item) = given.get("on_conflict")
            && !given.contains_key("key")
        {
            self.not_applicable(
                item,
                "needs a `key`: without one no row conflicts with another",
            );
        }
        if matches!(s.kind.name.as_str(), "stdout" | "file")
            && let Some(item) = given.get("format")
            && name(item).is_some_and(|f| f != "jsonl")
        {
            self.not_applicable(item, "must be `jsonl` for this sink");
        }
        if self.error_count() > errors {
            return;
        }
        let Some(record) = record else {
            return;
        };
        let kind = match s.kind.name.as_str() {
            "stdout" => SinkKind::Stdout,
            "file" => match given.get("path").and_then(|i| text(i)) {
                Some(path) => SinkKind::File { path },
                None => return,
            },
            kind => SinkKind::Table(TableSink {
                table: match given.get("table").and_then(|i| plain(i)) {
                    Some(t) => t,
                    None => return,
                },
                engine: match kind {
                    "postgres" => Some(DbEngine::Postgres),
                    "sqlite" => Some(DbEngine::Sqlite),
                    _ => None,
                },
                key: given.get("key").map(|i| names(i)).unwrap_or_default(),
                time: given.get("time").and_then(|i| name(i)).map(str::to_string),
                chunk: given.get("chunk").and_then(|i| duration(i)),
                retention: given.get("retention").and_then(|i| duration(i)),
                compress_after: given.get("compress_after").and_then(|i| duration(i)),
                rollups: s.options.items.iter().filter_map(rollup).collect(),
                on_conflict: match given.get("on_conflict").and_then(|i| name(i)) {
                    Some("update") => OnConflict::Update,
                    _ => OnConflict::Skip,
                },
            }),
        };
        let spec = SinkSpec {
            name: s.name.name.clone(),
            record,
            kind,
            batch: given
                .get("batch")
                .and_then(|i| int(i))
                .and_then(|n| usize::try_from(n).ok()),
            linger: given.get("linger").and_then(|i| duration(i)),
            origin: self.origin(&s.name),
        };
        self.program.plan.sinks.insert(spec.name.clone(), spec);
    }

    /// E0049 for a value of an option that does not run yet.
    pub(super) fn refuse(&mut self, span: dash_syntax::Span, message: &str, help: &str) {
        let d = self
            .diag(Code::NotSupportedYet, span, message, "not supported yet")
            .with_help(help.to_string());
        self.report(d);
    }

    pub(super) fn origin(&self, name: &Ident) -> Origin {
        Origin {
            file: self.file,
            span: name.span,
        }
    }

    pub(super) fn error_count(&self) -> usize {
        self.diags
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
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
}

// Decoding of option values that `Checker::options` has validated.

pub(super) fn expr(item: &OptionItem) -> Option<&Expr> {
    match &item.value {
        OptionValue::Expr(e) => Some(e),
        _ => None,
    }
}

fn name(item: &OptionItem) -> Option<&str> {
    match &expr(item)?.kind {
        ExprKind::Name(id) => Some(&id.name),
        _ => None,
    }
}

/// A string option with its `${env.NAME}` parts.
pub(super) fn text(item: &OptionItem) -> Option<Text> {
    let ExprKind::Str(parts) = &expr(item)?.kind else {
        return None;
    };
    let parts = parts
        .iter()
        .map(|p| match p {
            StrPart::Text(t) => Some(TextPart::Literal(t.clone())),
            StrPart::Interp(e) => env_name(e).map(|n| TextPart::Env(n.to_string())),
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Text { parts })
}

/// A string option without interpolation.
pub(super) fn plain(item: &OptionItem) -> Option<String> {
    let ExprKind::Str(parts) = &expr(item)?.kind else {
        return None;
    };
    parts
        .iter()
        .map(|p| match p {
            StrPart::Text(t) => Some(t.as_str()),
            StrPart::Interp(_) => None,
        })
        .collect()
}

fn strings(item: &OptionItem) -> Option<Vec<String>> {
    match &expr(item)?.kind {
        ExprKind::Str(_) => Some(vec![plain(item)?]),
        ExprKind::List(items) => items
            .iter()
            .map(|e| match &e.kind {
                ExprKind::Str(parts) => parts
                    .iter()
                    .map(|p| match p {
                        StrPart::Text(t) => Some(t.as_str()),
                        StrPart::Interp(_) => None,
                    })
                    .collect(),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

fn boolean(item: &OptionItem) -> Option<bool> {
    match expr(item)?.kind {
        ExprKind::Bool(b) => Some(b),
        _ => None,
    }
}

pub(super) fn int(item: &OptionItem) -> Option<i64> {
    match expr(item)?.kind {
        ExprKind::Int(n) => Some(n),
        _ => None,
    }
}

pub(super) fn duration(item: &OptionItem) -> Option<Duration> {
    match expr(item)?.kind {
        ExprKind::Duration(us) if us > 0 => Some(Duration::from_micros(us as u64)),
        _ => None,
    }
}

/// A field name or a list of them.
fn names(item: &OptionItem) -> Vec<String> {
    match expr(item).map(|e| &e.kind) {
        Some(ExprKind::Name(id)) => vec![id.name.clone()],
        Some(ExprKind::List(items)) => items
            .iter()
            .filter_map(|i| match &i.kind {
                ExprKind::Name(id) => Some(id.name.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A `rollup NAME every D { col: agg(field) … }` option, decoded.
fn rollup(item: &OptionItem) -> Option<RollupSpec> {
    let OptionValue::Rollup(r) = &item.value else {
        return None;
    };
    let ExprKind::Duration(every) = r.every.kind else {
        return None;
    };
    Some(RollupSpec {
        name: r.name.name.clone(),
        every: Duration::from_micros(u64::try_from(every).ok()?),
        columns: r
            .columns
            .iter()
            .map(|c| {
                Some(RollupColumn {
                    name: c.name.name.clone(),
                    aggregate: Aggregate::from_name(&c.agg.name)?,
                    field: c.field.as_ref().map(|f| f.name.clone()),
                })
            })
            .collect::<Option<Vec<_>>>()?,
    })
}
