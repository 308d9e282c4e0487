//! The options of live sources (`http`, `webhook`, `nats`, LANGUAGE §8)
//! decoded into the run plan's specs, with the checks that need more
//! than the option tables: a listen address, a URL path, header names,
//! `${cursor}` only in an `http` url.

use super::Checker;
use super::endpoints::{Given, duration, int, plain, text};
use super::plan::{
    DEFAULT_HTTP_TIMEOUT, DEFAULT_LISTEN, DEFAULT_MAX_BODY, HttpSource, NatsSource, SourceKind,
    Text, TextPart, WebhookSource,
};
use super::ty::RecordId;
use dash_syntax::ast::{ExprKind, OptionValue, SourceDecl, StrPart};
use dash_syntax::diag::Code;

impl Checker<'_> {
    /// The spec of an `http`, `webhook` or `nats` source; `None` (with a
    /// diagnostic) when an option is wrong.
    pub(super) fn live_source(
        &mut self,
        s: &SourceDecl,
        given: &Given,
        record: RecordId,
    ) -> Option<SourceKind> {
        match s.kind.name.as_str() {
            "http" => self.http_source(given, record).map(SourceKind::Http),
            "webhook" => self.webhook_source(given).map(SourceKind::Webhook),
            "nats" => Some(SourceKind::Nats(NatsSource {
                url: self.nats_url(given)?,
                stream: plain(given.get("stream")?)?,
                subject: plain(given.get("subject")?)?,
                consumer: given.get("consumer").and_then(|i| plain(i)),
            })),
            _ => None,
        }
    }

    fn http_source(&mut self, given: &Given, record: RecordId) -> Option<HttpSource> {
        let url = self.http_url(given)?;
        let cursor = match given.get("cursor") {
            Some(item) => {
                let ExprKind::Name(id) = &super::endpoints::expr(item)?.kind else {
                    return None;
                };
                let field = self.program.record(record).field(&id.name)?;
                Some(field.json_key.clone())
            }
            None => None,
        };
        if url.len() > 1 && cursor.is_none() {
            let item = given.get("url")?;
            let d = self
                .diag(
                    Code::MissingOption,
                    value_span(item),
                    "the url has `${cursor}` but the source has no `cursor` field",
                    "`${cursor}` needs `cursor: FIELD`",
                )
                .with_help(
                    "add `cursor: FIELD`: the field whose value on the last committed record \
                     replaces `${cursor}`",
                );
            self.report(d);
            return None;
        }
        let mut headers = Vec::new();
        if let Some(item) = given.get("headers")
            && let OptionValue::Object(entries) = &item.value
        {
            for entry in entries {
                let name = &entry.key.name;
                let ExprKind::Str(parts) = &entry.value.kind else {
                    return None;
                };
                let value = text_of(parts)?;
                headers.push((name.clone(), value));
            }
        }
        Some(HttpSource {
            url,
            every: given.get("every").and_then(|i| duration(i))?,
            records: given
                .get("records")
                .and_then(|i| plain(i))
                .map(|p| dotted(&p))
                .unwrap_or_default(),
            cursor,
            next: given.get("next").and_then(|i| plain(i)).map(|p| dotted(&p)),
            headers,
            timeout: given
                .get("timeout")
                .and_then(|i| duration(i))
                .unwrap_or(DEFAULT_HTTP_TIMEOUT),
        })
    }

    /// The url split around each `${cursor}`, its other parts plain text
    /// or `${env.NAME}` (the option checks refused anything else).
    fn http_url(&mut self, given: &Given) -> Option<Vec<Text>> {
        let item = given.get("url")?;
        let ExprKind::Str(parts) = &super::endpoints::expr(item)?.kind else {
            return None;
        };
        let mut texts = vec![Text::default()];
        for part in parts {
            match part {
                StrPart::Text(t) => texts.last_mut()?.parts.push(TextPart::Literal(t.clone())),
                StrPart::Interp(e) if matches!(&e.kind, ExprKind::Name(id) if id.name == "cursor") => {
                    texts.push(Text::default())
                }
                StrPart::Interp(e) => {
                    let name = super::option_values::env_name(e)?;
                    texts
                        .last_mut()?
                        .parts
                        .push(TextPart::Env(name.to_string()));
                }
            }
        }
        let shown = texts
            .iter()
            .map(Text::shown)
            .collect::<Vec<_>>()
            .join("${cursor}");
        if !(shown.starts_with("http://") || shown.starts_with("https://")) {
            self.option_error(
                value_span(item),
                "url",
                "an `http://` or `https://` URL, e.g. \"http://127.0.0.1:9000/events?after=${cursor}\"",
            );
            return None;
        }
        Some(texts)
    }

    /// A `nats` url: `${cursor}` belongs to `http` sources only.
    fn nats_url(&mut self, given: &Given) -> Option<Text> {
        let item = given.get("url")?;
        let url = text(item);
        if url.is_none() {
            self.option_error(
                value_span(item),
                "url",
                "a NATS URL, e.g. \"nats://127.0.0.1:4222\" (`${cursor}` is for `http` sources)",
            );
        }
        url
    }

    fn webhook_source(&mut self, given: &Given) -> Option<WebhookSource> {
        let listen = match given.get("listen") {
            Some(item) => {
                let listen = plain(item)?;
                if listen.parse::<std::net::SocketAddr>().is_err() {
                    self.option_error(
                        item.span,
                        "listen",
                        "an IP address and port, e.g. \"127.0.0.1:8088\" or \"0.0.0.0:8088\"",
                    );
                    return None;
                }
                listen
            }
            None => DEFAULT_LISTEN.to_string(),
        };
        let item = given.get("path")?;
        let path = plain(item)?;
        if !path.starts_with('/')
            || path.contains(['?', '#', ' '])
            || path == "/health"
            || path == "/ready"
        {
            self.option_error(
                value_span(item),
                "path",
                "a URL path starting with `/`, without `?` or `#`, other than `/health` and `/ready`, e.g. \"/hooks/orders\"",
            );
            return None;
        }
        let max_body = match given.get("max_body") {
            Some(item) => usize::try_from(int(item)?).ok()?,
            None => DEFAULT_MAX_BODY,
        };
        Some(WebhookSource {
            listen,
            path,
            token: given.get("token").and_then(|i| text(i)),
            secret: given.get("secret").and_then(|i| text(i)),
            max_body,
        })
    }
}

/// Where an option's value is, for messages.
fn value_span(item: &dash_syntax::ast::OptionItem) -> dash_syntax::Span {
    super::endpoints::expr(item).map_or(item.span, |e| e.span)
}

/// `"data.items"` -> `["data", "items"]`; `""` -> `[]`.
fn dotted(path: &str) -> Vec<String> {
    path.split('.')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// A header value's text with its `${env.NAME}` parts.
fn text_of(parts: &[StrPart]) -> Option<Text> {
    let parts = parts
        .iter()
        .map(|p| match p {
            StrPart::Text(t) => Some(TextPart::Literal(t.clone())),
            StrPart::Interp(e) => {
                super::option_values::env_name(e).map(|n| TextPart::Env(n.to_string()))
            }
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Text { parts })
}
