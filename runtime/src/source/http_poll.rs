//! `http` sources: polling an API page by page (LANGUAGE §8).
//!
//! A poll fetches pages until one is empty, or `next` is null, or the
//! next request would be the one just made (the cursor did not move).
//! Each non-empty page is one unit: its records commit together with the
//! source's state after it, `{"cursor": "…", "next": "…"|null}`, so a
//! restarted run resumes at the `next` link when there is one, else at
//! the url with the cursor. Between polls it waits `every`; there is one
//! loop, so polls never overlap.
//!
//! Failures that may pass (5xx, 429, 408, timeouts, lost connections) are
//! retried for as long as the run lasts, with capped exponential backoff
//! and jitter, or after the server's `Retry-After`. Any other answer
//! stops the pipeline with its status and the start of its body. Header
//! values and a URL read from the environment are never shown.

mod answer;

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::plan::HttpPlan;
use crate::shutdown::Shutdown;
use crate::writer::Backoff;

use super::{Feed, Mark, RawRecord, SourceError};
use answer::Failure;

/// The first wait before a retry, and the longest.
const FIRST_RETRY: Duration = Duration::from_millis(200);
const MAX_RETRY: Duration = Duration::from_secs(30);

/// What is committed with each page.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct State {
    /// The cursor field's value on the last committed record.
    cursor: String,
    /// The next page's URL, when the last committed page had one.
    next: Option<String>,
}

pub struct Poller {
    plan: HttpPlan,
    source: String,
    /// The URL came from the environment: never show one.
    secret: bool,
    /// Values blotted out of anything shown (header values).
    secrets: Vec<String>,
    client: reqwest::Client,
    state: State,
}

/// One page as read.
struct Page {
    records: Vec<Value>,
    next: Option<String>,
}

type Tx = tokio::sync::mpsc::Sender<Result<Feed, SourceError>>;

impl Poller {
    pub fn new(
        plan: HttpPlan,
        source: &str,
        secret: bool,
        state: Option<String>,
    ) -> Result<Poller, SourceError> {
        let fail = |message: String| SourceError::Live {
            source_name: source.to_string(),
            message,
        };
        let state = match state {
            None => State::default(),
            Some(s) => serde_json::from_str(&s).map_err(|e| {
                fail(format!(
                    "its stored state is not an http source's ({e}); run with `--from-start` \
                     to poll from the start"
                ))
            })?,
        };
        let client = reqwest::Client::builder()
            .connect_timeout(plan.timeout.min(Duration::from_secs(10)))
            .pool_idle_timeout(Duration::from_secs(90))
            .user_agent(concat!("dash/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| fail(format!("the HTTP client: {e}")))?;
        Ok(Poller {
            secrets: answer::secrets(&plan.headers),
            plan,
            source: source.to_string(),
            secret,
            client,
            state,
        })
    }

    /// Poll until shut down (or the pipeline goes away); a failure that
    /// stops the pipeline is sent as the last item.
    pub async fn run(mut self, tx: Tx, shutdown: Shutdown) {
        if let Err(message) = self.poll_forever(&tx, &shutdown).await {
            let message = answer::redact(&message, &self.secrets);
            let _ = tx
                .send(Err(SourceError::Live {
                    source_name: self.source,
                    message,
                }))
                .await;
        }
    }

    async fn poll_forever(&mut self, tx: &Tx, shutdown: &Shutdown) -> Result<(), String> {
        loop {
            let mut url = match &self.state.next {
                Some(next) => next.clone(),
                None => self.cursor_url(),
            };
            loop {
                let Some(page) = self.fetch(&url, shutdown).await? else {
                    return Ok(()); // shut down
                };
                if page.records.is_empty() {
                    break;
                }
                let cursor = self.cursor_after(&page.records);
                let next = match &page.next {
                    Some(link) => Some(self.resolve(&url, link)?),
                    None => None,
                };
                let state = State { cursor, next };
                let records = page
                    .records
                    .into_iter()
                    .map(|json| RawRecord {
                        decoded: None,
                        raw: json.to_string(),
                        json: Some(json),
                        broken: None,
                        end: 0,
                    })
                    .collect();
                let mark = Mark {
                    state: Some(serde_json::to_string(&state).expect("a state is JSON")),
                    ack: None,
                };
                tokio::select! {
                    biased;
                    _ = shutdown.wait() => return Ok(()),
                    sent = tx.send(Ok(Feed::Unit(records, mark))) => {
                        if sent.is_err() {
                            return Ok(()); // the pipeline stopped
                        }
                    }
                }
                self.state = state;
                let following = match &self.state.next {
                    Some(next) => next.clone(),
                    // `next` is set and the page had none: the last page.
                    None if self.plan.next.is_some() => break,
                    None => self.cursor_url(),
                };
                if following == url {
                    break; // the cursor did not move: fetching again gives this page again
                }
                url = following;
            }
            tokio::select! {
                biased;
                _ = shutdown.wait() => return Ok(()),
                _ = tokio::time::sleep(self.plan.every) => {}
            }
        }
    }

    /// The url with the committed cursor, as a query value.
    fn cursor_url(&self) -> String {
        self.plan.url.join(&encode(&self.state.cursor))
    }

    /// The cursor after a page: the cursor field of its last record (a
    /// string as is, a number as its text), else the one before.
    fn cursor_after(&self, records: &[Value]) -> String {
        let value = self
            .plan
            .cursor
            .as_ref()
            .and_then(|key| records.last()?.get(key));
        match value {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => self.state.cursor.clone(),
        }
    }

    /// A `next` link, relative ones against the page's URL.
    fn resolve(&self, page: &str, link: &str) -> Result<String, String> {
        reqwest::Url::parse(page)
            .and_then(|base| base.join(link))
            .map(String::from)
            .map_err(|e| format!("the `next` link of {} is not a URL: {e}", self.shown(page)))
    }

    /// A URL as it may be shown.
    fn shown(&self, url: &str) -> String {
        if self.secret {
            format!("the URL of source `{}`", self.source)
        } else {
            url.to_string()
        }
    }

    /// One page, retried until it comes or the run is shut down (`None`).
    async fn fetch(&self, url: &str, shutdown: &Shutdown) -> Result<Option<Page>, String> {
        let mut backoff = Backoff::new(FIRST_RETRY, MAX_RETRY);
        let mut attempts = 0u32;
        loop {
            let failure = tokio::select! {
                biased;
                _ = shutdown.wait() => return Ok(None),
                attempt = self.attempt(url) => match attempt {
                    Ok(page) => return Ok(Some(page)),
                    Err(f) => f,
                },
            };
            let (why, after) = match failure {
                Failure::Fatal(message) => return Err(message),
                Failure::Retry { why, after } => (why, after),
            };
            attempts += 1;
            let delay = after.unwrap_or_else(|| backoff.next_delay());
            let why = answer::redact(&why, &self.secrets);
            tracing::warn!(
                source = %self.source,
                attempt = attempts,
                retry_in = ?delay,
                "GET {}: {why}; retrying (an http source retries until it succeeds or the run is stopped)",
                self.shown(url),
            );
            tokio::select! {
                biased;
                _ = shutdown.wait() => return Ok(None),
                _ = tokio::time::sleep(delay) => {}
            }
        }
    }

    /// One request: the page, or why not.
    async fn attempt(&self, url: &str) -> Result<Page, Failure> {
        let mut request = self.client.get(url).timeout(self.plan.timeout);
        for (name, value) in &self.plan.headers {
            request = request.header(name, value);
        }
        let what = |why: String| format!("GET {} {why}", self.shown(url));
        let response = request.send().await.map_err(answer::transport)?;
        let status = response.status();
        let after = answer::retry_after(response.headers(), chrono::Utc::now());
        let body = response.bytes().await.map_err(answer::transport);
        if answer::retryable(status) {
            return Err(Failure::Retry {
                why: format!("answered {}", answer::status_line(status)),
                after,
            });
        }
        let body = body?;
        if !status.is_success() {
            return Err(Failure::Fatal(what(format!(
                "answered {}: {}",
                answer::status_line(status),
                answer::body_start(&body)
            ))));
        }
        let json: Value = serde_json::from_slice(&body).map_err(|e| {
            Failure::Fatal(what(format!(
                "answered {} with a body that is not JSON ({e}): {}",
                answer::status_line(status),
                answer::body_start(&body)
            )))
        })?;
        let records = match dig(&json, &self.plan.records) {
            Some(Value::Array(records)) => records.clone(),
            _ => {
                return Err(Failure::Fatal(what(format!(
                    "answered {} without an array of records at {}: {}",
                    answer::status_line(status),
                    path_shown(&self.plan.records),
                    answer::body_start(&body)
                ))));
            }
        };
        let next = match self.plan.next.as_ref().and_then(|path| dig(&json, path)) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.is_empty() => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                return Err(Failure::Fatal(what(format!(
                    "answered a `next` ({}) that is neither a URL nor null: {}",
                    path_shown(self.plan.next.as_deref().unwrap_or_default()),
                    answer::body_start(other.to_string().as_bytes())
                ))));
            }
        };
        Ok(Page { records, next })
    }
}

/// The value at a dotted path (already split); the whole value for none.
fn dig<'a>(json: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(json, |v, key| v.get(key))
}

fn path_shown(path: &[String]) -> String {
    if path.is_empty() {
        "the top (`records` not set)".into()
    } else {
        format!("`{}`", path.join("."))
    }
}

/// Percent-encoding for a query value: all but unreserved characters.
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poller(url: &[&str], cursor: Option<&str>, state: Option<&str>) -> Poller {
        let plan = HttpPlan {
            url: url.iter().map(|s| s.to_string()).collect(),
            every: Duration::from_secs(1),
            records: vec![],
            cursor: cursor.map(str::to_string),
            next: None,
            headers: vec![],
            timeout: Duration::from_secs(1),
        };
        Poller::new(plan, "s", false, state.map(str::to_string)).unwrap()
    }

    #[test]
    fn the_cursor_goes_into_the_url_encoded() {
        let p = poller(&["http://h/e?after=", ""], Some("seq"), None);
        assert_eq!(p.cursor_url(), "http://h/e?after=");
        let p = poller(
            &["http://h/e?after=", "&x=1"],
            Some("seq"),
            Some(r#"{"cursor":"2024-01-01T00:00:00+01:00 a&b","next":null}"#),
        );
        assert_eq!(
            p.cursor_url(),
            "http://h/e?after=2024-01-01T00%3A00%3A00%2B01%3A00%20a%26b&x=1"
        );
    }

    #[test]
    fn the_cursor_is_the_last_records_value() {
        let p = poller(&["http://h/?a=", ""], Some("seq"), None);
        let recs = |v: Value| v.as_array().unwrap().clone();
        assert_eq!(
            p.cursor_after(&recs(serde_json::json!([{"seq": 1}, {"seq": 12}]))),
            "12"
        );
        assert_eq!(
            p.cursor_after(&recs(serde_json::json!([{"seq": "a"}, {"seq": "b"}]))),
            "b"
        );
        assert_eq!(
            p.cursor_after(&recs(serde_json::json!([{"seq": 1}, {"x": 2}]))),
            ""
        );
        assert_eq!(
            p.cursor_after(&recs(serde_json::json!([{"seq": 1.5}]))),
            "1.5"
        );
    }

    #[test]
    fn a_state_that_is_not_ours_is_refused() {
        let plan = poller(&["http://h/"], None, None).plan;
        let e = Poller::new(plan, "s", false, Some("abc:123".into()))
            .err()
            .unwrap();
        assert!(e.to_string().contains("--from-start"), "{e}");
    }

    #[test]
    fn next_links_resolve_against_the_page() {
        let p = poller(&["http://h/"], None, None);
        assert_eq!(
            p.resolve("http://h/a/b?p=1", "?p=2").unwrap(),
            "http://h/a/b?p=2"
        );
        assert_eq!(p.resolve("http://h/a/b", "/c").unwrap(), "http://h/c");
        assert_eq!(p.resolve("http://h/a", "http://o/x").unwrap(), "http://o/x");
    }

    #[test]
    fn dotted_paths() {
        let v = serde_json::json!({"a": {"b": [1]}, "c": null});
        assert_eq!(dig(&v, &[]), Some(&v));
        assert_eq!(
            dig(&v, &["a".into(), "b".into()]),
            Some(&serde_json::json!([1]))
        );
        assert_eq!(dig(&v, &["x".into()]), None);
    }
}
