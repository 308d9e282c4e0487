//! `webhook` sources: records POSTed to Dash (LANGUAGE §8), on axum.
//!
//! Every address is served by one listener, shared by the pipelines that
//! listen there on different paths. A request's records go to its
//! pipeline as one unit; the answer waits until they are committed:
//! 202 `{"accepted": n, "dead_lettered": m}` only then, so an
//! acknowledged record is never lost. 400 when the body is not JSON at
//! all (the body is dead-lettered first), 401 for a wrong or missing
//! token or signature (nothing stored), 413 above `max_body`, 429 with
//! `Retry-After` while the pipeline's buffer is full, 503 while the
//! process shuts down. `GET /health` and `GET /ready` on every listener.
//! Tokens and secrets are compared in constant time and never printed.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hmac::{KeyInit, Mac};
use tokio::sync::mpsc::error::TrySendError;

use super::{Acked, Feed, Mark, RawRecord, SourceError, text_of};
use crate::plan::WebhookPlan;
use crate::shutdown::Shutdown;

type Sender = tokio::sync::mpsc::Sender<Result<Feed, SourceError>>;

/// One pipeline's path on a listener.
struct Route {
    tx: Sender,
    token: Option<String>,
    secret: Option<String>,
    max_body: usize,
}

/// The process's webhook listeners, their routes, and whether every
/// pipeline has started (for `/ready`).
pub struct Listeners {
    routes: Mutex<HashMap<(SocketAddr, String), Arc<Route>>>,
    bound: Mutex<HashMap<SocketAddr, tokio::task::JoinHandle<()>>>,
    /// Pipelines still starting; `/ready` answers 200 at 0.
    starting: std::sync::atomic::AtomicUsize,
    /// POSTs being answered: closing waits for them, so a 202 for
    /// committed records still reaches its client.
    in_flight: Arc<std::sync::atomic::AtomicUsize>,
    shutdown: Shutdown,
}

impl Listeners {
    /// Listeners for a process that runs `pipelines` pipelines.
    pub fn new(pipelines: usize, shutdown: Shutdown) -> Arc<Listeners> {
        Arc::new(Listeners {
            routes: Mutex::default(),
            bound: Mutex::default(),
            starting: pipelines.into(),
            in_flight: Arc::default(),
            shutdown,
        })
    }

    /// A pipeline has started (or given up starting).
    pub fn started(&self) {
        let _ = self.starting.fetch_update(
            std::sync::atomic::Ordering::SeqCst,
            std::sync::atomic::Ordering::SeqCst,
            |n| n.checked_sub(1),
        );
    }

    fn ready(&self) -> bool {
        self.starting.load(std::sync::atomic::Ordering::SeqCst) == 0 && !self.shutdown.is_set()
    }

    /// Serve `plan.path` on `plan.listen` for a pipeline: binds the
    /// address the first time it is used.
    pub fn add(
        self: &Arc<Self>,
        plan: &WebhookPlan,
        source: &str,
        pipeline: &str,
        tx: Sender,
        handle: &tokio::runtime::Handle,
    ) -> Result<(), SourceError> {
        let refused = |message: String| SourceError::Live {
            source_name: source.to_string(),
            message,
        };
        if self.shutdown.is_set() {
            return Err(refused("the process is shutting down".into()));
        }
        {
            let mut routes = self.routes.lock().map_err(|_| refused("poisoned".into()))?;
            let key = (plan.listen, plan.path.clone());
            if routes.contains_key(&key) {
                return Err(refused(format!(
                    "another pipeline already listens on http://{}{} (pipeline `{pipeline}` cannot share a path)",
                    plan.listen, plan.path
                )));
            }
            routes.insert(
                key,
                Arc::new(Route {
                    tx,
                    token: plan.token.clone(),
                    secret: plan.secret.clone(),
                    max_body: plan.max_body,
                }),
            );
        }
        let mut bound = self.bound.lock().map_err(|_| refused("poisoned".into()))?;
        if bound.contains_key(&plan.listen) {
            return Ok(());
        }
        let listener = std::net::TcpListener::bind(plan.listen)
            .and_then(|l| l.set_nonblocking(true).map(|()| l))
            .map_err(|e| refused(format!("cannot listen on {}: {e}", plan.listen)))?;
        let listener = {
            let _guard = handle.enter();
            tokio::net::TcpListener::from_std(listener)
                .map_err(|e| refused(format!("cannot listen on {}: {e}", plan.listen)))?
        };
        let this = self.clone();
        let addr = plan.listen;
        let app = axum::Router::new().fallback(move |request: axum::extract::Request| {
            let this = this.clone();
            async move { this.handle(addr, request).await }
        });
        let server = handle.spawn(async move {
            // It keeps answering (503) while the pipelines drain; the
            // process ends the task when it is done.
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "webhook listener stopped");
            }
        });
        // On shutdown the routes go: once the requests in flight are
        // done, the pipelines' channels close and they drain and end.
        let this = self.clone();
        handle.spawn(async move {
            this.shutdown.wait().await;
            if let Ok(mut routes) = this.routes.lock() {
                routes.clear();
            }
        });
        tracing::info!(listen = %plan.listen, "webhook listener started");
        bound.insert(plan.listen, server);
        Ok(())
    }

    /// Stop serving (the process is done with its pipelines), once the
    /// answers being written are out (at most a few seconds).
    pub fn close(&self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
        while self.in_flight.load(std::sync::atomic::Ordering::SeqCst) > 0
            && std::time::Instant::now() < deadline
        {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        if let Ok(mut bound) = self.bound.lock() {
            for (_, task) in bound.drain() {
                task.abort();
            }
        }
    }

    async fn handle(&self, addr: SocketAddr, request: axum::extract::Request) -> Response {
        let path = request.uri().path().to_string();
        if request.method() == Method::GET {
            match path.as_str() {
                "/health" => return (StatusCode::OK, "ok\n").into_response(),
                "/ready" if self.ready() => return (StatusCode::OK, "ready\n").into_response(),
                "/ready" => {
                    return (StatusCode::SERVICE_UNAVAILABLE, "not ready\n").into_response();
                }
                _ => {}
            }
        }
        if self.shutdown.is_set() {
            return answer(StatusCode::SERVICE_UNAVAILABLE, "shutting down");
        }
        let route = self
            .routes
            .lock()
            .ok()
            .and_then(|r| r.get(&(addr, path.clone())).cloned());
        let Some(route) = route else {
            return answer(StatusCode::NOT_FOUND, "no webhook here");
        };
        if request.method() != Method::POST {
            return answer(StatusCode::METHOD_NOT_ALLOWED, "POST records here");
        }
        let _answering = InFlight::new(&self.in_flight);
        if self.shutdown.is_set() {
            return answer(StatusCode::SERVICE_UNAVAILABLE, "shutting down");
        }
        let (parts, body) = request.into_parts();
        let too_long = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok())
            .is_some_and(|n| n > route.max_body);
        if too_long {
            return too_large(route.max_body);
        }
        if let Some(token) = &route.token
            && !bearer_matches(&parts.headers, token)
        {
            return answer(StatusCode::UNAUTHORIZED, "missing or wrong bearer token");
        }
        let Ok(body) = read_body(body, route.max_body).await else {
            return too_large(route.max_body);
        };
        if let Some(secret) = &route.secret
            && !signature_matches(&parts.headers, secret, &body)
        {
            return answer(
                StatusCode::UNAUTHORIZED,
                "missing or wrong X-Dash-Signature",
            );
        }
        let (records, not_json) = records_of(&body);
        let (tell, told) = tokio::sync::oneshot::channel();
        let mark = Mark {
            state: None,
            ack: Some(Box::new(move |acked: Acked| {
                let _ = tell.send(acked);
            })),
        };
        match route.tx.try_send(Ok(Feed::Unit(records, mark))) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                let mut response = answer(
                    StatusCode::TOO_MANY_REQUESTS,
                    "the pipeline's buffer is full; retry later",
                );
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
                return response;
            }
            Err(TrySendError::Closed(_)) => {
                return answer(StatusCode::SERVICE_UNAVAILABLE, "the pipeline has stopped");
            }
        }
        match told.await {
            Ok(_) if not_json.is_some() => answer(
                StatusCode::BAD_REQUEST,
                &format!(
                    "the body is not JSON: {} (it was dead-lettered)",
                    not_json.unwrap_or_default()
                ),
            ),
            Ok(acked) => (
                StatusCode::ACCEPTED,
                [(header::CONTENT_TYPE, "application/json")],
                format!(
                    "{{\"accepted\": {}, \"dead_lettered\": {}}}\n",
                    acked.accepted, acked.dead_lettered
                ),
            )
                .into_response(),
            // The batch did not commit: the run stopped.
            Err(_) => answer(
                StatusCode::SERVICE_UNAVAILABLE,
                "the pipeline stopped before committing these records; send them again",
            ),
        }
    }
}

/// Counts a POST being answered, until dropped.
struct InFlight(Arc<std::sync::atomic::AtomicUsize>);

impl InFlight {
    fn new(count: &Arc<std::sync::atomic::AtomicUsize>) -> InFlight {
        count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        InFlight(count.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

fn answer(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        format!("{}\n", serde_json::json!({ "error": message })),
    )
        .into_response()
}

fn too_large(max: usize) -> Response {
    answer(
        StatusCode::PAYLOAD_TOO_LARGE,
        &format!("the body is larger than max_body ({max} bytes)"),
    )
}

/// The body, or `Err` once it passes `max` bytes.
async fn read_body(body: Body, max: usize) -> Result<Bytes, ()> {
    axum::body::to_bytes(body, max).await.map_err(|_| ())
}

/// Byte strings compared in time that depends only on their lengths.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn bearer_matches(headers: &HeaderMap, token: &str) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.as_bytes().strip_prefix(b"Bearer "))
        .is_some_and(|given| same(given, token.as_bytes()))
}

/// `X-Dash-Signature: sha256=<hex HMAC-SHA256 of the body>`, verified in
/// constant time by the `hmac` crate.
fn signature_matches(headers: &HeaderMap, secret: &str, body: &[u8]) -> bool {
    let Some(hex) = headers
        .get("x-dash-signature")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("sha256="))
    else {
        return false;
    };
    let Some(given) = unhex(hex.trim()) else {
        return false;
    };
    let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

fn unhex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A body's records: one JSON object, a JSON array (each element a
/// record), or JSON lines (each line a record, a bad line dead-lettered
/// on its own). When no part of it is JSON, the whole body is one broken
/// record (dead-lettered) and the reason is returned for the 400.
pub fn records_of(body: &[u8]) -> (Vec<RawRecord>, Option<String>) {
    let whole = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Array(items)) => {
            return (
                items
                    .into_iter()
                    .map(|v| RawRecord {
                        decoded: None,
                        raw: v.to_string(),
                        json: Some(v),
                        broken: None,
                        end: 0,
                    })
                    .collect(),
                None,
            );
        }
        Ok(v) => {
            let (raw, _) = text_of(body);
            return (
                vec![RawRecord {
                    decoded: None,
                    raw,
                    json: Some(v),
                    broken: None,
                    end: 0,
                }],
                None,
            );
        }
        Err(e) => e,
    };
    let lines: Vec<&[u8]> = body
        .split(|b| *b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .collect();
    let parsed: Vec<Option<serde_json::Value>> = lines
        .iter()
        .map(|l| serde_json::from_slice(l).ok())
        .collect();
    if lines.len() > 1 && parsed.iter().any(Option::is_some) {
        let records = lines
            .iter()
            .zip(parsed)
            .map(|(line, json)| {
                let (raw, broken) = text_of(line);
                RawRecord {
                    decoded: None,
                    raw,
                    // A bad line is decoded again, and fails with the
                    // parser's message, as a JSONL file's would.
                    json,
                    broken,
                    end: 0,
                }
            })
            .collect();
        return (records, None);
    }
    let reason = if body.iter().all(u8::is_ascii_whitespace) {
        "the body is empty".to_string()
    } else {
        whole.to_string()
    };
    let (raw, _) = text_of(body);
    (
        vec![RawRecord {
            decoded: None,
            raw,
            json: None,
            broken: Some(format!("the request body is not JSON: {reason}")),
            end: 0,
        }],
        Some(reason),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_of_every_shape() {
        let (one, bad) = records_of(br#"{"a": 1}"#);
        assert_eq!((one.len(), bad), (1, None));
        let (array, _) = records_of(br#"[{"a": 1}, {"a": 2}, 3]"#);
        assert_eq!(array.len(), 3);
        let (lines, bad) = records_of(b"{\"a\": 1}\n\n{\"a\": 2}\r\nnot json\n");
        assert_eq!((lines.len(), bad), (3, None));
        assert!(lines[2].json.is_none());
        let (junk, bad) = records_of(b"hello there");
        assert_eq!(junk.len(), 1);
        assert!(junk[0].broken.is_some());
        assert!(bad.is_some());
        let (_, empty) = records_of(b"  ");
        assert_eq!(empty.as_deref(), Some("the body is empty"));
    }

    #[test]
    fn signatures_and_tokens() {
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"s3cret").unwrap();
        mac.update(b"body");
        let hex: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let mut headers = HeaderMap::new();
        headers.insert("x-dash-signature", format!("sha256={hex}").parse().unwrap());
        assert!(signature_matches(&headers, "s3cret", b"body"));
        assert!(!signature_matches(&headers, "s3cret", b"body!"));
        assert!(!signature_matches(&headers, "other", b"body"));
        headers.insert(header::AUTHORIZATION, "Bearer t0k".parse().unwrap());
        assert!(bearer_matches(&headers, "t0k"));
        assert!(!bearer_matches(&headers, "t0k2"));
        assert!(!same(b"ab", b"ac"));
    }
}
