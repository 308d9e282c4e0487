//! `http` sources against a real API: an axum server in this process (on
//! 127.0.0.1, its own runtime thread) that pages records by cursor or by
//! `next` links, fails on purpose (503 with `Retry-After`, 404, 401),
//! slows down, and counts what it was asked. The sinks have no `key`, so
//! a record stored twice shows in the counts.

mod live;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use live::{Run, count, db, distinct, project, start, start_with_env, wait_until};

/// What the API serves and what it saw.
#[derive(Default)]
struct Api {
    /// The records' `seq` values, 1, 2, 3, … (more may be appended).
    len: AtomicU64,
    page: AtomicU64,
    /// Each request waits this long first.
    delay_ms: AtomicU64,
    /// `/flaky` answers 503 with `Retry-After: 1` this many more times.
    unavailable: AtomicU64,
    /// When set, requests need `Authorization: Bearer <token>`.
    token: Mutex<Option<String>>,
    requests: AtomicU64,
    served_503: AtomicU64,
    /// Requests of `/linked/more` (pages reached by a `next` link).
    followed: AtomicU64,
    /// When the first request came, and the first success after 503s.
    first_request: Mutex<Option<Instant>>,
    recovered: Mutex<Option<Instant>>,
}

impl Api {
    fn new(len: u64, page: u64) -> Arc<Api> {
        let api = Api::default();
        api.len.store(len, Ordering::SeqCst);
        api.page.store(page, Ordering::SeqCst);
        Arc::new(api)
    }

    fn requests(&self) -> u64 {
        self.requests.load(Ordering::SeqCst)
    }

    /// Records after `after`, one page of them, and whether more follow.
    fn records_after(&self, after: u64) -> (Vec<serde_json::Value>, Option<u64>) {
        let len = self.len.load(Ordering::SeqCst);
        let page = self.page.load(Ordering::SeqCst);
        let last = len.min(after + page);
        let records = (after + 1..=last)
            .map(|seq| serde_json::json!({"seq": seq, "name": format!("e{seq}")}))
            .collect();
        (records, (last < len).then_some(last))
    }
}

/// A query parameter's value (the tests' values need no decoding).
fn param(uri: &Uri, name: &str) -> Option<String> {
    uri.query()?.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| v.to_string())
    })
}

fn after(uri: &Uri, name: &str) -> u64 {
    param(uri, name).and_then(|v| v.parse().ok()).unwrap_or(0)
}

async fn serve(api: Arc<Api>, uri: Uri, headers: HeaderMap) -> Response {
    api.requests.fetch_add(1, Ordering::SeqCst);
    api.first_request
        .lock()
        .unwrap()
        .get_or_insert_with(Instant::now);
    let delay = api.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let token = api.token.lock().unwrap().clone();
    if let Some(token) = token {
        let given = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if given != format!("Bearer {token}") {
            // Echoes what it was given, as careless APIs do.
            return (
                StatusCode::UNAUTHORIZED,
                format!("bad credentials: {given}"),
            )
                .into_response();
        }
    }
    let json = |v: serde_json::Value| {
        (
            StatusCode::OK,
            [("content-type", "application/json")],
            v.to_string(),
        )
            .into_response()
    };
    match uri.path() {
        "/events" => json(serde_json::Value::Array(
            api.records_after(after(&uri, "after")).0,
        )),
        "/flaky" => {
            let left = api.unavailable.load(Ordering::SeqCst);
            if left > 0 {
                api.unavailable.store(left - 1, Ordering::SeqCst);
                api.served_503.fetch_add(1, Ordering::SeqCst);
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [("retry-after", "1")],
                    "warming up",
                )
                    .into_response();
            }
            api.recovered
                .lock()
                .unwrap()
                .get_or_insert_with(Instant::now);
            json(serde_json::Value::Array(
                api.records_after(after(&uri, "after")).0,
            ))
        }
        // The first page after the cursor, then pages by `next` links
        // (relative ones, so they resolve against the page's URL).
        path @ ("/linked" | "/linked/more") => {
            let from = if path == "/linked" {
                after(&uri, "after")
            } else {
                api.followed.fetch_add(1, Ordering::SeqCst);
                after(&uri, "from")
            };
            let (records, more) = api.records_after(from);
            let next = more.map(|m| format!("/linked/more?from={m}"));
            json(serde_json::json!({"data": records, "links": {"next": next}}))
        }
        _ => (
            StatusCode::NOT_FOUND,
            "no such feed: try /events\n\n(v2 API)",
        )
            .into_response(),
    }
}

/// Serve `api` on a free port of 127.0.0.1 from a thread of its own.
fn server(api: Arc<Api>) -> u16 {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            tx.send(listener.local_addr().expect("addr").port())
                .expect("port");
            let app = axum::Router::new()
                .fallback(move |uri: Uri, headers: HeaderMap| serve(api.clone(), uri, headers));
            axum::serve(listener, app).await.expect("serve");
        });
    });
    rx.recv().expect("the server's port")
}

const TYPES: &str = "type Event {\n  seq: int\n  name: string\n}\n\n";

/// A program reading `source` (the body of an `http` source) into table
/// `events`.
fn program(source: &str) -> String {
    format!(
        "{TYPES}source events: Event from http {{\n{source}\n}}\n\n\
         sink stored: Event into table {{\n  table: \"events\"\n}}\n\n\
         pipeline feed {{\n  events -> stored\n}}\n"
    )
}

fn cursor_source(port: u16, path: &str) -> String {
    format!(
        "  url: \"http://127.0.0.1:{port}{path}?after=${{cursor}}\"\n  every: 200ms\n  cursor: seq"
    )
}

fn sqlite(dir: &std::path::Path) -> String {
    format!("sqlite://{}", dir.join("x.db").display())
}

const LIMIT: Duration = Duration::from_secs(30);

/// Exactly `n` rows, each `seq` once.
fn assert_exact(db: &str, n: i64, stderr: &str) {
    assert_eq!(count(db, "events"), n, "rows; stderr:\n{stderr}");
    assert_eq!(
        distinct(db, "events", "seq"),
        n,
        "distinct seq; stderr:\n{stderr}"
    );
}

/// Let the poller make `polls` more requests (it is caught up, so each
/// is a poll that finds nothing new).
fn let_it_poll(api: &Api, polls: u64) {
    let seen = api.requests();
    wait_until("more polls", LIMIT, || api.requests() >= seen + polls);
}

#[test]
fn cursor_pages_arrive_once_and_new_records_follow() {
    let api = Api::new(250, 100);
    let port = server(api.clone());
    let dir = project("http-cursor", &program(&cursor_source(port, "/events")));
    let db = sqlite(&dir);
    let run = start(&dir, &["--db", &db]);
    wait_until("250 rows", LIMIT, || count(&db, "events") >= 250);
    let_it_poll(&api, 3);
    assert_exact(&db, 250, &run.stderr());
    // Live: the API gets more records while the pipeline runs.
    api.len.store(380, Ordering::SeqCst);
    wait_until("380 rows", LIMIT, || count(&db, "events") >= 380);
    let_it_poll(&api, 3);
    assert_exact(&db, 380, &run.stderr());
    run.stop();
}

#[test]
fn next_links_are_followed_with_nested_records() {
    let api = Api::new(230, 100);
    let port = server(api.clone());
    let source = format!(
        "{}\n  records: \"data\"\n  next: \"links.next\"",
        cursor_source(port, "/linked")
    );
    let dir = project("http-next", &program(&source));
    let db = db::pg_schema("http_next");
    let run = start(&dir, &["--db", &db]);
    wait_until("230 rows", LIMIT, || count(&db, "events") >= 230);
    let_it_poll(&api, 3);
    assert_exact(&db, 230, &run.stderr());
    // Pages 2 and 3 came by their `next` links.
    assert_eq!(api.followed.load(Ordering::SeqCst), 2);
    // The last page had no `next`: later polls start from the cursor.
    api.len.store(260, Ordering::SeqCst);
    wait_until("260 rows", LIMIT, || count(&db, "events") >= 260);
    let_it_poll(&api, 2);
    assert_exact(&db, 260, &run.stderr());
    run.stop();
}

#[test]
fn unavailable_api_is_retried_after_retry_after() {
    let api = Api::new(150, 100);
    api.unavailable.store(2, Ordering::SeqCst);
    let port = server(api.clone());
    let dir = project("http-503", &program(&cursor_source(port, "/flaky")));
    let db = sqlite(&dir);
    let run = start(&dir, &["--db", &db]);
    wait_until("150 rows", LIMIT, || count(&db, "events") >= 150);
    let_it_poll(&api, 2);
    assert_exact(&db, 150, &run.stderr());
    assert_eq!(api.served_503.load(Ordering::SeqCst), 2);
    // Two `Retry-After: 1` were waited out (the backoff alone would have
    // retried after about 200 and 400 ms).
    let first = api.first_request.lock().unwrap().expect("a request");
    let recovered = api.recovered.lock().unwrap().expect("a success");
    assert!(
        recovered - first >= Duration::from_millis(1900),
        "retried after {:?}",
        recovered - first
    );
    let stderr = run.stop();
    assert!(
        stderr.contains("503 Service Unavailable"),
        "stderr:\n{stderr}"
    );
    assert!(stderr.contains("retrying"), "stderr:\n{stderr}");
}

#[test]
fn not_found_stops_the_run_with_status_and_body() {
    let api = Api::new(10, 100);
    let port = server(api.clone());
    let dir = project("http-404", &program(&cursor_source(port, "/missing")));
    let db = sqlite(&dir);
    let (code, stderr) = start(&dir, &["--db", &db]).wait(LIMIT);
    assert_ne!(code, Some(0), "stderr:\n{stderr}");
    assert!(code.is_some(), "killed by a signal; stderr:\n{stderr}");
    assert!(stderr.contains("404 Not Found"), "stderr:\n{stderr}");
    assert!(
        stderr.contains("no such feed: try /events (v2 API)"),
        "stderr:\n{stderr}"
    );
    // Not retried.
    assert_eq!(api.requests(), 1);
}

#[test]
fn a_token_header_reaches_the_api_and_is_never_shown() {
    const TOKEN: &str = "tok-5e3b9d7c1a2f";
    const WRONG: &str = "tok-wrong-8f6e4d2c";
    let api = Api::new(120, 50);
    *api.token.lock().unwrap() = Some(TOKEN.into());
    let port = server(api.clone());
    let source = format!(
        "{}\n  headers: {{ Authorization: \"Bearer ${{env.API_TOKEN}}\" }}\n  timeout: 5s",
        cursor_source(port, "/events")
    );
    let dir = project("http-token", &program(&source));
    let db = db::pg_schema("http_token");
    let run = start_with_env(&dir, &["--db", &db], &[("API_TOKEN", TOKEN)]);
    wait_until("120 rows", LIMIT, || count(&db, "events") >= 120);
    let_it_poll(&api, 2);
    assert_exact(&db, 120, &run.stderr());
    let stderr = run.stop();
    assert!(!stderr.contains(TOKEN), "stderr:\n{stderr}");

    // A wrong token: the API answers 401 and echoes it; the run stops
    // and shows the status, not the token.
    let run = start_with_env(&dir, &["--db", &db], &[("API_TOKEN", WRONG)]);
    let (code, stderr) = run.wait(LIMIT);
    assert_ne!(code, Some(0), "stderr:\n{stderr}");
    assert!(stderr.contains("401 Unauthorized"), "stderr:\n{stderr}");
    assert!(stderr.contains("bad credentials"), "stderr:\n{stderr}");
    assert!(!stderr.contains(WRONG), "stderr:\n{stderr}");
    assert!(!stderr.contains("8f6e4d2c"), "stderr:\n{stderr}");

    for table in ["dash_runs", "dash_dlq", "dash_checkpoints"] {
        let rows = db::texts(&db, &format!("SELECT CAST(t AS text) FROM {table} t"));
        for row in rows {
            assert!(
                !row.contains(TOKEN) && !row.contains(WRONG),
                "{table}: {row}"
            );
        }
    }
}

/// A slow API (each request waits), `page` records a page.
fn slow_api(len: u64, page: u64) -> (Arc<Api>, u16) {
    let api = Api::new(len, page);
    api.delay_ms.store(100, Ordering::SeqCst);
    let port = server(api.clone());
    (api, port)
}

#[test]
fn killed_mid_poll_then_restarted_stores_each_record_once() {
    let (api, port) = slow_api(1000, 40);
    let dir = project("http-kill", &program(&cursor_source(port, "/events")));
    let db = sqlite(&dir);
    for at in [120, 400] {
        let run = start(&dir, &["--db", &db]);
        wait_until("some pages", LIMIT, || count(&db, "events") >= at);
        // Mid-poll: the next page is being fetched (each takes 100 ms).
        run.kill();
        let n = count(&db, "events");
        assert!(n < 1000, "the kill came too late: {n}");
        assert_eq!(distinct(&db, "events", "seq"), n);
    }
    api.delay_ms.store(0, Ordering::SeqCst);
    let run = start(&dir, &["--db", &db]);
    wait_until("1000 rows", LIMIT, || count(&db, "events") >= 1000);
    let_it_poll(&api, 2);
    assert_exact(&db, 1000, &run.stderr());
    run.stop();
}

#[test]
fn sigterm_drains_then_a_restart_finishes() {
    let (api, port) = slow_api(1000, 40);
    let dir = project("http-term", &program(&cursor_source(port, "/events")));
    let db = db::pg_schema("http_term");
    let run: Run = start(&dir, &["--db", &db]);
    wait_until("some pages", LIMIT, || count(&db, "events") >= 120);
    let stopped_at = Instant::now();
    run.stop(); // exit code 0, asserted
    assert!(
        stopped_at.elapsed() < Duration::from_secs(5),
        "the drain took {:?}",
        stopped_at.elapsed()
    );
    let n = count(&db, "events");
    assert!(n < 1000, "the stop came too late: {n}");
    assert_eq!(distinct(&db, "events", "seq"), n);
    api.delay_ms.store(0, Ordering::SeqCst);
    let run = start(&dir, &["--db", &db]);
    wait_until("1000 rows", LIMIT, || count(&db, "events") >= 1000);
    let_it_poll(&api, 2);
    assert_exact(&db, 1000, &run.stderr());
    run.stop();
}
