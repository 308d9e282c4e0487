//! Reactors' HTTP steps: one pooled client (keep-alive, rustls TLS),
//! every request with its step's timeout; 5xx answers, timeouts and
//! connection failures are retried with capped exponential backoff and
//! jitter, 4xx answers are not. Requests of a batch run concurrently,
//! at most `concurrency` per step and [`PER_HOST`] per host.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::writer::Backoff;

/// Requests in flight to one host, whatever the step.
pub const PER_HOST: usize = 32;
/// Requests in flight for one step when it sets no `concurrency`.
pub const DEFAULT_CONCURRENCY: usize = 16;

#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub url: String,
    pub body: Option<serde_json::Value>,
}

#[derive(Clone, Copy, Debug)]
pub struct Policy {
    /// Attempts after the first.
    pub retry: u32,
    pub backoff: Duration,
    pub timeout: Option<Duration>,
}

/// A failed request: what went wrong and how many attempts were made.
#[derive(Clone, Debug)]
pub struct Failure {
    pub message: String,
    pub attempts: u32,
    /// The last attempt could not connect at all (refused, unknown host):
    /// the service is down, which no record can be blamed for.
    pub unreachable: bool,
}

/// Cheap to make and to clone: the connection pool and TLS set-up are
/// built on the first request, so pipelines without HTTP steps never pay
/// for them.
#[derive(Clone, Default)]
pub struct Client {
    client: Arc<OnceLock<Result<reqwest::Client, String>>>,
    hosts: Arc<Mutex<HashMap<String, Arc<Semaphore>>>>,
}

impl Client {
    fn client(&self) -> Result<&reqwest::Client, String> {
        self.client
            .get_or_init(|| {
                reqwest::Client::builder()
                    .pool_idle_timeout(Duration::from_secs(90))
                    .connect_timeout(Duration::from_secs(10))
                    .user_agent(concat!("dash/", env!("CARGO_PKG_VERSION")))
                    .build()
                    .map_err(|e| format!("the HTTP client: {e}"))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    fn host_limit(&self, url: &str) -> Arc<Semaphore> {
        let host = reqwest::Url::parse(url)
            .ok()
            .and_then(|u| {
                u.host_str()
                    .map(|h| format!("{h}:{}", u.port_or_known_default().unwrap_or(0)))
            })
            .unwrap_or_default();
        let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        hosts
            .entry(host)
            .or_insert_with(|| Arc::new(Semaphore::new(PER_HOST)))
            .clone()
    }

    /// Send every request (concurrently, within the limits); results in
    /// the same order.
    pub async fn send_all(
        &self,
        requests: Vec<Request>,
        policy: Policy,
        concurrency: usize,
    ) -> Vec<Result<serde_json::Value, Failure>> {
        let step = Arc::new(Semaphore::new(concurrency.max(1)));
        let mut tasks = tokio::task::JoinSet::new();
        let n = requests.len();
        for (i, request) in requests.into_iter().enumerate() {
            let client = self.clone();
            let step = step.clone();
            let host = self.host_limit(&request.url);
            tasks.spawn(async move {
                let _step = step.acquire_owned().await;
                let _host = host.acquire_owned().await;
                (i, client.send(&request, policy).await)
            });
        }
        let mut out: Vec<Option<Result<serde_json::Value, Failure>>> =
            (0..n).map(|_| None).collect();
        while let Some(joined) = tasks.join_next().await {
            if let Ok((i, result)) = joined {
                out[i] = Some(result);
            }
        }
        out.into_iter()
            .map(|r| {
                r.unwrap_or_else(|| {
                    Err(Failure {
                        message: "the request task failed".into(),
                        attempts: 0,
                        unreachable: false,
                    })
                })
            })
            .collect()
    }

    /// One request with its retries.
    pub async fn send(
        &self,
        request: &Request,
        policy: Policy,
    ) -> Result<serde_json::Value, Failure> {
        let mut backoff = Backoff::new(policy.backoff, Duration::from_secs(30));
        let mut attempts = 0;
        loop {
            attempts += 1;
            let (message, retryable, unreachable) =
                match self.attempt(request, policy.timeout).await {
                    Ok(json) => return Ok(json),
                    Err(e) => e,
                };
            if !retryable || attempts > policy.retry {
                return Err(Failure {
                    message: format!(
                        "{message} ({attempts} attempt{})",
                        if attempts == 1 { "" } else { "s" }
                    ),
                    attempts,
                    unreachable,
                });
            }
            tokio::time::sleep(backoff.next_delay()).await;
        }
    }

    /// One attempt: the JSON answer, or (why, whether to retry, whether
    /// it could not connect at all).
    async fn attempt(
        &self,
        request: &Request,
        timeout: Option<Duration>,
    ) -> Result<serde_json::Value, (String, bool, bool)> {
        let method = reqwest::Method::from_bytes(request.method.to_uppercase().as_bytes())
            .map_err(|_| {
                (
                    format!("`{}` is not an HTTP method", request.method),
                    false,
                    false,
                )
            })?;
        let client = self.client().map_err(|e| (e, false, false))?;
        let mut builder = client.request(method, &request.url);
        if let Some(body) = &request.body {
            builder = builder.json(body);
        }
        if let Some(t) = timeout {
            builder = builder.timeout(t);
        }
        let what = format!("{} {}", request.method.to_uppercase(), request.url);
        let response = builder.send().await.map_err(|e| {
            let why = if e.is_timeout() {
                "timed out".to_string()
            } else if e.is_connect() {
                "cannot connect (the service is down or the address is wrong)".to_string()
            } else {
                e.to_string()
            };
            (format!("{what}: {why}"), true, e.is_connect())
        })?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| (format!("{what}: reading the answer: {e}"), true, false))?;
        if status.is_server_error() {
            return Err((format!("{what}: HTTP {}", status.as_u16()), true, false));
        }
        if !status.is_success() {
            return Err((format!("{what}: HTTP {}", status.as_u16()), false, false));
        }
        if text.trim().is_empty() {
            return Ok(serde_json::Value::Null);
        }
        serde_json::from_str(&text)
            .map_err(|e| (format!("{what}: the answer is not JSON: {e}"), false, false))
    }
}
