//! The checks of option values: every option block against its kind's
//! table ([`super::options`]), value kinds, limits, `${…}` in option
//! strings (E0050), and options that do not run yet (E0049).

use std::collections::HashMap;

use super::Checker;
use super::expr::list_names;
use super::options::{AGGREGATES, ENV_OPTIONS, FORMATS, NOT_YET, OptKind::*, OptSpec, runs};
use super::ty::{RecordId, Ty};
use dash_syntax::ast::{Expr, ExprKind, Ident, OptionItem, OptionValue, Options, StrPart};
use dash_syntax::diag::{Code, suggest};
use dash_syntax::source::Span;

impl Checker<'_> {
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
                Some(spec) => {
                    if !runs(&item.key.name) {
                        self.not_yet(item);
                    }
                    self.option_value(item, spec, record)
                }
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
                    match &entry.value.kind {
                        ExprKind::Str(parts) => {
                            self.interpolations(&item.key.name, parts, entry.value.span)
                        }
                        _ => self.option_error(entry.value.span, &entry.key.name, "a string"),
                    }
                }
                true
            }
            (Str, _) => match expr {
                Some(
                    e @ Expr {
                        kind: ExprKind::Str(parts),
                        ..
                    },
                ) => {
                    self.interpolations(&item.key.name, parts, e.span);
                    true
                }
                _ => false,
            },
            (Strings, _) => match expr.map(|e| &e.kind) {
                Some(ExprKind::Str(parts)) => {
                    self.interpolations(&item.key.name, parts, item.span);
                    true
                }
                Some(ExprKind::List(items)) if !items.is_empty() => {
                    items.iter().all(|e| match &e.kind {
                        ExprKind::Str(parts) => {
                            self.interpolations(&item.key.name, parts, e.span);
                            true
                        }
                        _ => false,
                    })
                }
                _ => false,
            },
            (Count, _) => expr.is_some_and(|e| matches!(e.kind, ExprKind::Int(n) if n >= 1)),
            (Bool, _) => expr.is_some_and(|e| matches!(e.kind, ExprKind::Bool(_))),
            (Choice(words), _) => expr.is_some_and(
                |e| matches!(&e.kind, ExprKind::Name(id) if words.contains(&id.name.as_str())),
            ),
            (Ratio, _) => expr.is_some_and(|e| match e.kind {
                ExprKind::Float(x) => x > 0.0 && x <= 1.0,
                ExprKind::Int(1) => true,
                _ => false,
            }),
            (Duration, _) => expr.is_some_and(|e| matches!(e.kind, ExprKind::Duration(n) if n > 0)),
            (Format, _) => match expr.map(|e| &e.kind) {
                Some(ExprKind::Name(id)) if FORMATS.contains(&id.name.as_str()) => true,
                Some(ExprKind::Name(id)) => {
                    let help = suggest::did_you_mean(&id.name, FORMATS.iter().copied())
                        .unwrap_or_else(|| "formats are `jsonl`, `csv`, `json` and `lines`".into());
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
                Format => "a format: `jsonl`, `csv`, `json` or `lines`",
                Choice(["skip", "update"]) => "`skip` or `update`",
                Choice(_) => "one of the listed words",
                Ratio => "a share above 0 and at most 1, e.g. `0.5`",
                Object => "an object `{ key: \"value\" }`",
                Strings => "a string or a list of strings, e.g. `[\"\", \"NA\"]`",
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
            && (text.len() != 1 || !text.is_ascii() || matches!(text.as_str(), "\n" | "\r" | "\""))
        {
            self.option_error(
                e.span,
                "delimiter",
                "exactly one ASCII character other than a quote or a line break, e.g. \",\", \";\" or \"\\t\"",
            );
        }
        for key in ["table", "path", "url", "stream", "subject", "dlq"] {
            if let Some(e) = literal(key)
                && plain_text(e).is_some_and(|t| t.trim().is_empty())
            {
                self.option_error(e.span, key, "a non-empty string");
            }
        }
    }

    /// `${…}` in an option string: `${env.NAME}` where the option reads
    /// the environment, nothing else anywhere (E0050).
    fn interpolations(&mut self, key: &str, parts: &[StrPart], _span: Span) {
        for part in parts {
            let StrPart::Interp(e) = part else {
                continue;
            };
            // `${cursor}` in an `http` url: the last committed cursor.
            if key == "url" && matches!(&e.kind, ExprKind::Name(id) if id.name == "cursor") {
                continue;
            }
            let env = env_name(e);
            let (message, help) = match env {
                Some(_) if ENV_OPTIONS.contains(&key) => continue,
                Some(name) => (
                    format!("`${{env.{name}}}` cannot be used in `{key}`"),
                    format!(
                        "only {} read environment variables; write the value itself",
                        list_names(ENV_OPTIONS)
                    ),
                ),
                None => (
                    format!("`${{…}}` in the option `{key}` can only name an environment variable"),
                    "write `${env.NAME}` to read the environment variable NAME when the run starts"
                        .to_string(),
                ),
            };
            let d = self
                .diag(
                    Code::OptionInterpolation,
                    e.span,
                    message,
                    "not allowed here",
                )
                .with_help(help);
            self.report(d);
        }
    }

    /// E0049: an option of the language that does not run yet.
    fn not_yet(&mut self, item: &OptionItem) {
        let why = NOT_YET
            .iter()
            .find(|(name, _)| *name == item.key.name)
            .map_or("", |(_, why)| why);
        let d = self
            .diag(
                Code::NotSupportedYet,
                item.key.span,
                format!("option `{}` is not supported yet", item.key.name),
                "not supported yet",
            )
            .with_help(why.to_string());
        self.report(d);
    }

    pub(super) fn option_error(&mut self, span: Span, key: &str, expected: &str) {
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

    fn rollup(&mut self, rollup: &dash_syntax::ast::Rollup, record: Option<RecordId>) {
        if !matches!(rollup.every.kind, ExprKind::Duration(n) if n > 0) {
            self.option_error(rollup.every.span, "every", "a positive duration, e.g. `1h`");
        }
        if rollup.columns.is_empty() {
            self.option_error(
                rollup.name.span,
                "rollup",
                "at least one column, e.g. `{ n: count() }`",
            );
        }
        for (i, col) in rollup.columns.iter().enumerate() {
            // The relation also has `bucket` and the sink's key fields.
            let clash = if col.name.name == "bucket" {
                Some("`bucket` is the rollup's time bucket column")
            } else if rollup.columns[..i]
                .iter()
                .any(|c| c.name.name == col.name.name)
            {
                Some("the rollup already has a column of this name")
            } else {
                None
            };
            if let Some(why) = clash {
                let d = self.diag(
                    Code::DuplicateField,
                    col.name.span,
                    format!("rollup column `{}`: {why}", col.name.name),
                    "choose another name",
                );
                self.report(d);
            }
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
                    let ordered = record
                        .and_then(|r| self.program.record(r).field(&field.name))
                        .map(|f| {
                            matches!(
                                f.ty.strip(),
                                Ty::Int | Ty::Float | Ty::String | Ty::Timestamp | Ty::Duration
                            )
                        });
                    if matches!(col.agg.name.as_str(), "min" | "max" | "first" | "last")
                        && ordered == Some(false)
                    {
                        let d = self.diag(
                            Code::OptionType,
                            field.span,
                            format!(
                                "`{}` needs a number, string, timestamp or duration field",
                                col.agg.name
                            ),
                            "cannot be aggregated",
                        );
                        self.report(d);
                    }
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

/// `env.NAME` as written inside `${…}`: NAME.
pub(crate) fn env_name(e: &Expr) -> Option<&str> {
    match &e.kind {
        ExprKind::Field {
            base,
            name,
            safe: false,
        } if matches!(&base.kind, ExprKind::Name(id) if id.name == "env") => Some(&name.name),
        _ => None,
    }
}

/// The text of a string literal without interpolation.
fn plain_text(e: &dash_syntax::ast::Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Str(parts) => parts
            .iter()
            .map(|p| match p {
                dash_syntax::ast::StrPart::Text(t) => Some(t.as_str()),
                dash_syntax::ast::StrPart::Interp(_) => None,
            })
            .collect(),
        _ => None,
    }
}
