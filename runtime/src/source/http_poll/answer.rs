//! What one answer of a polled API means: a page to read, a failure to
//! retry (5xx, 429, 408, timeouts, lost connections) with the server's
//! `Retry-After`, or a failure that stops the pipeline (any other
//! answer). Also the texts that may be shown: the start of a body, with
//! the header values (secrets) blotted out.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// How much of a body an error shows.
pub const BODY_START: usize = 200;
/// The longest `Retry-After` honoured as given.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// Why an attempt failed.
#[derive(Debug, PartialEq)]
pub enum Failure {
    /// Worth trying again: after `after` when the server said so.
    Retry {
        why: String,
        after: Option<Duration>,
    },
    /// Stops the pipeline.
    Fatal(String),
}

/// Whether a status is retried rather than fatal.
pub fn retryable(status: StatusCode) -> bool {
    status.is_server_error()
        || status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::REQUEST_TIMEOUT
}

/// A status as its line: `503 Service Unavailable`.
pub fn status_line(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

/// `Retry-After` as a delay: seconds, or an HTTP date (a date in the
/// past is no wait). Capped at [`MAX_RETRY_AFTER`].
pub fn retry_after(headers: &HeaderMap, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    let delay = if let Ok(seconds) = value.parse::<u64>() {
        Duration::from_secs(seconds)
    } else {
        let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
        (at.with_timezone(&chrono::Utc) - now)
            .to_std()
            .unwrap_or(Duration::ZERO)
    };
    Some(delay.min(MAX_RETRY_AFTER))
}

/// A transport error (no answer, or the answer broke off) as a retry,
/// without the URL (it may hold a secret; the caller names the request).
pub fn transport(error: reqwest::Error) -> Failure {
    if error.is_builder() {
        return Failure::Fatal("the request cannot be made (is the URL valid?)".into());
    }
    let why = if error.is_timeout() {
        "timed out".to_string()
    } else if error.is_connect() {
        "cannot connect".to_string()
    } else {
        // reqwest's message and its causes, without its "for url (…)".
        let error = error.without_url();
        let mut why = error.to_string();
        let mut cause = std::error::Error::source(&error);
        while let Some(c) = cause {
            why.push_str(": ");
            why.push_str(&c.to_string());
            cause = c.source();
        }
        why
    };
    Failure::Retry { why, after: None }
}

/// The start of a body as one line: at most [`BODY_START`] characters,
/// whitespace runs made single spaces.
pub fn body_start(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out = String::new();
    let mut chars = 0;
    for word in text.split_whitespace() {
        if chars > 0 {
            out.push(' ');
            chars += 1;
        }
        for c in word.chars() {
            if chars == BODY_START {
                out.push('…');
                return out;
            }
            out.push(c);
            chars += 1;
        }
    }
    if out.is_empty() {
        "(empty body)".into()
    } else {
        out
    }
}

/// The values never to show: every header value (they may come from
/// `${env.…}`), and each long word of one (`Bearer <token>`).
pub fn secrets(headers: &[(String, String)]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (_, value) in headers {
        let value = value.trim();
        if value.len() >= 4 {
            out.push(value.to_string());
        }
        out.extend(
            value
                .split_whitespace()
                .filter(|w| w.len() >= 8 && *w != value)
                .map(str::to_string),
        );
    }
    // Longest first: a whole value goes before a word of it.
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

/// `text` with every secret replaced by `***`.
pub fn redact(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    for s in secrets {
        if out.contains(s.as_str()) {
            out = out.replace(s.as_str(), "***");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn statuses_that_are_retried() {
        for s in [500, 502, 503, 504, 429, 408] {
            assert!(retryable(StatusCode::from_u16(s).unwrap()), "{s}");
        }
        for s in [400, 401, 403, 404, 410, 422, 301, 304] {
            assert!(!retryable(StatusCode::from_u16(s).unwrap()), "{s}");
        }
        assert_eq!(status_line(StatusCode::NOT_FOUND), "404 Not Found");
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now = chrono::DateTime::parse_from_rfc2822("Wed, 21 Oct 2015 07:28:00 GMT")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h, now), None);
        h.insert(RETRY_AFTER, HeaderValue::from_static("3"));
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(3)));
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:30 GMT"),
        );
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(30)));
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:00:00 GMT"),
        );
        assert_eq!(retry_after(&h, now), Some(Duration::ZERO));
        h.insert(RETRY_AFTER, HeaderValue::from_static("999999"));
        assert_eq!(retry_after(&h, now), Some(MAX_RETRY_AFTER));
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h, now), None);
    }

    #[test]
    fn the_start_of_a_body_is_one_short_line() {
        assert_eq!(body_start(b"  not\n found \n"), "not found");
        assert_eq!(body_start(b""), "(empty body)");
        let long = "x".repeat(500);
        let start = body_start(long.as_bytes());
        assert_eq!(start.chars().count(), BODY_START + 1);
        assert!(start.ends_with('…'));
        assert_eq!(body_start(&[0xff, b'a']), "\u{fffd}a");
    }

    #[test]
    fn header_values_are_blotted_out() {
        let s = secrets(&[
            ("Authorization".into(), "Bearer s3cr3t-token-42".into()),
            ("X-Key".into(), "abc".into()),
        ]);
        assert_eq!(
            redact("bad token Bearer s3cr3t-token-42 (s3cr3t-token-42)", &s),
            "bad token *** (***)"
        );
        // Too short to be told from ordinary words: left as is.
        assert_eq!(redact("abc", &s), "abc");
    }
}
