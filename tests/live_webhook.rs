//! `webhook` sources against a real `dashc run` and real HTTP clients:
//! a 202 only after the records are committed (so every acknowledged
//! record survives SIGKILL), 400/401/413/404/405, HMAC signatures and
//! bearer tokens, 429 while the database is stalled, 100 concurrent
//! clients, pipelines sharing a listener, SIGTERM draining, and secrets
//! never printed.

mod live;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hmac::{KeyInit, Mac};
use live::{Run, db, free_port, project, start, start_with_env, wait_until};

fn program(port: u16, extra: &str) -> String {
    format!(
        "type Order {{\n  id: int\n  amount: float\n}}\n\n\
         source orders: Order from webhook {{\n  listen: \"127.0.0.1:{port}\"\n  path: \"/hooks/orders\"\n{extra}}}\n\n\
         sink stored: Order into table {{\n  table: \"orders\"\n  key: id\n}}\n\n\
         pipeline ingest {{\n  orders -> stored\n}}\n"
    )
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .expect("tokio")
}

fn url(port: u16, path: &str) -> String {
    format!("http://127.0.0.1:{port}{path}")
}

/// Wait until the listener answers `/ready`.
fn ready(run: &mut Run, port: u16) {
    wait_until("the webhook to be ready", Duration::from_secs(60), || {
        assert!(run.is_running(), "dashc exited: {}", run.stderr());
        status_of_get(port, "/ready") == Some(200)
    });
}

/// The status of `GET path`, on a plain socket (no runtime needed).
fn status_of_get(port: u16, path: &str) -> Option<u16> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut answer = String::new();
    s.read_to_string(&mut answer).ok()?;
    answer.split(' ').nth(1)?.parse().ok()
}

/// `count` orders with ids `from..from+count` as one JSON array body.
fn orders(from: u64, count: u64) -> String {
    let items: Vec<String> = (from..from + count)
        .map(|i| format!("{{\"id\": {i}, \"amount\": {}.5}}", i % 100))
        .collect();
    format!("[{}]", items.join(","))
}

#[test]
fn every_acknowledged_record_survives_sigkill() {
    let url_db = db::pg_schema("webhook_kill");
    let port = free_port();
    let dir = project("webhook-kill", &program(port, ""));
    let mut run = start(&dir, &["--db", &url_db]);
    ready(&mut run, port);
    let acked: Arc<Mutex<BTreeSet<u64>>> = Arc::default();
    let rt = runtime();
    let client = reqwest::Client::new();
    // 8 clients post 50-record requests until the process dies.
    let tasks: Vec<_> = (0..8u64)
        .map(|c| {
            let (client, acked) = (client.clone(), acked.clone());
            rt.spawn(async move {
                for r in 0..10_000u64 {
                    let from = (c * 10_000 + r) * 50;
                    let answer = client
                        .post(url(port, "/hooks/orders"))
                        .body(orders(from, 50))
                        .send()
                        .await;
                    match answer {
                        Ok(a) if a.status() == 202 => {
                            acked.lock().unwrap().extend(from..from + 50);
                        }
                        _ => return,
                    }
                }
            })
        })
        .collect();
    wait_until(
        "a few thousand acknowledged records",
        Duration::from_secs(60),
        || acked.lock().unwrap().len() >= 5_000,
    );
    run.kill();
    rt.block_on(async {
        for t in tasks {
            let _ = t.await;
        }
    });
    let acked = acked.lock().unwrap().clone();
    let stored: BTreeSet<u64> = db::texts(&url_db, "SELECT id::text FROM orders")
        .into_iter()
        .map(|t| t.parse().unwrap())
        .collect();
    let lost: Vec<_> = acked.difference(&stored).take(5).collect();
    assert!(lost.is_empty(), "acknowledged but not stored: {lost:?}…");
    // Nothing half-written: a request's records commit together.
    assert_eq!(stored.len() % 50, 0, "{} rows", stored.len());
}

#[test]
fn bad_requests_are_refused_and_secrets_stay_secret() {
    let port = free_port();
    let extra =
        "  token: \"${env.HOOK_TOKEN}\"\n  secret: \"${env.HOOK_SECRET}\"\n  max_body: 4096\n";
    let dir = project("webhook-bad", &program(port, extra));
    let db_url = format!("sqlite://{}", dir.join("t.db").display());
    let token = "tok-7f3a9c-SECRET";
    let secret = "hmac-91b2-SECRET";
    let mut run = start_with_env(
        &dir,
        &["--db", &db_url],
        &[("HOOK_TOKEN", token), ("HOOK_SECRET", secret)],
    );
    ready(&mut run, port);
    let rt = runtime();
    let client = reqwest::Client::new();
    let sign = |body: &str| {
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(body.as_bytes());
        let hex: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("sha256={hex}")
    };
    let post = |body: String, token: Option<&str>, signature: Option<String>| {
        let mut request = client.post(url(port, "/hooks/orders")).body(body);
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        if let Some(s) = signature {
            request = request.header("X-Dash-Signature", s);
        }
        rt.block_on(async {
            let answer = request.send().await.expect("answer");
            (
                answer.status().as_u16(),
                answer.text().await.unwrap_or_default(),
            )
        })
    };
    let good = orders(1, 3);
    // No token, a wrong token, no signature, a wrong signature: 401.
    assert_eq!(post(good.clone(), None, Some(sign(&good))).0, 401);
    assert_eq!(post(good.clone(), Some("nope"), Some(sign(&good))).0, 401);
    assert_eq!(post(good.clone(), Some(token), None).0, 401);
    assert_eq!(post(good.clone(), Some(token), Some(sign("other"))).0, 401);
    // Too large: 413.
    let big = orders(100, 400);
    assert!(big.len() > 4096);
    assert_eq!(post(big.clone(), Some(token), Some(sign(&big))).0, 413);
    // Not JSON at all: 400, and the body is dead-lettered.
    let junk = "this is not json".to_string();
    let (status, body) = post(junk.clone(), Some(token), Some(sign(&junk)));
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("not JSON"), "{body}");
    // Good: 202 with the counts; one bad record among them.
    let mixed = r#"[{"id": 1, "amount": 1.5}, {"id": 2, "amount": "x"}, {"id": 3, "amount": 2}]"#;
    let (status, body) = post(mixed.into(), Some(token), Some(sign(mixed)));
    assert_eq!(status, 202, "{body}");
    let counts: serde_json::Value = serde_json::from_str(&body).expect("JSON answer");
    assert_eq!(counts["accepted"], 2, "{body}");
    assert_eq!(counts["dead_lettered"], 1, "{body}");
    // JSON lines, one object.
    let lines = "{\"id\": 10, \"amount\": 1}\n{\"id\": 11, \"amount\": 1}\n";
    assert_eq!(post(lines.into(), Some(token), Some(sign(lines))).0, 202);
    let one = r#"{"id": 12, "amount": 1}"#;
    assert_eq!(post(one.into(), Some(token), Some(sign(one))).0, 202);
    // Elsewhere: 404; a GET on the hook: 405; health.
    rt.block_on(async {
        let r = client
            .post(url(port, "/elsewhere"))
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        let r = client.get(url(port, "/hooks/orders")).send().await.unwrap();
        assert_eq!(r.status(), 405);
        let r = client.get(url(port, "/health")).send().await.unwrap();
        assert_eq!(r.status(), 200);
    });
    let stderr = run.stop();
    assert_eq!(
        db::texts(
            &db_url,
            "SELECT group_concat(id, ',') FROM (SELECT id FROM orders ORDER BY id)"
        ),
        ["1,3,10,11,12"]
    );
    let dead = db::texts(&db_url, "SELECT raw FROM dash_dlq ORDER BY id");
    assert_eq!(dead.len(), 2, "{dead:?}");
    assert_eq!(dead[0], junk);
    for place in [
        stderr,
        std::fs::read_to_string(dir.join("stdout.log")).unwrap_or_default(),
        db::texts(&db_url, "SELECT message || raw FROM dash_dlq").join("\n"),
        db::texts(&db_url, "SELECT pipeline || status FROM dash_runs").join("\n"),
    ] {
        assert!(
            !place.contains(token) && !place.contains(secret),
            "a secret leaked: {place}"
        );
    }
}

#[test]
fn a_stalled_database_gives_429_then_every_waiting_request_is_committed() {
    let url_db = db::pg_schema("webhook_stall");
    let port = free_port();
    let dir = project("webhook-stall", &program(port, ""));
    let mut run = start(&dir, &["--db", &url_db]);
    ready(&mut run, port);
    let rt = runtime();
    let client = reqwest::Client::new();
    // One request first, so the table exists; then hold a lock on it.
    rt.block_on(async {
        let r = client
            .post(url(port, "/hooks/orders"))
            .body(orders(0, 1))
            .send()
            .await;
        assert_eq!(r.unwrap().status(), 202);
    });
    let (locked, release) = std::sync::mpsc::channel::<()>();
    let (unlock, wait_unlock) = std::sync::mpsc::channel::<()>();
    let locker_url = url_db.clone();
    let locker = std::thread::spawn(move || {
        db::block_on(async {
            use sqlx::Connection;
            let mut c = sqlx::PgConnection::connect(&locker_url).await.unwrap();
            let mut tx = c.begin().await.unwrap();
            sqlx::query("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await
                .unwrap();
            locked.send(()).unwrap();
            let _ = wait_unlock.recv();
            tx.rollback().await.unwrap();
        })
    });
    release.recv().unwrap();
    // Far more requests than the pipeline buffers: some must get 429.
    let answers: Vec<(u64, u16, Option<String>)> = rt.block_on(async {
        let tasks: Vec<_> = (1..=600u64)
            .map(|i| {
                let client = client.clone();
                tokio::spawn(async move {
                    let r = client
                        .post(url(port, "/hooks/orders"))
                        .body(orders(i * 10, 10))
                        .send()
                        .await
                        .expect("an answer");
                    let retry = r
                        .headers()
                        .get("retry-after")
                        .map(|v| v.to_str().unwrap_or_default().to_string());
                    (i, r.status().as_u16(), retry)
                })
            })
            .collect();
        // Every 429 comes at once; then let the database go.
        tokio::time::sleep(Duration::from_secs(3)).await;
        unlock.send(()).unwrap();
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.unwrap());
        }
        out
    });
    locker.join().unwrap();
    let refused: Vec<_> = answers.iter().filter(|a| a.1 == 429).collect();
    let accepted: Vec<_> = answers.iter().filter(|a| a.1 == 202).collect();
    assert!(!refused.is_empty(), "no 429 while the database was stalled");
    assert!(
        refused.iter().all(|a| a.2.as_deref() == Some("1")),
        "429 without Retry-After"
    );
    assert_eq!(
        refused.len() + accepted.len(),
        600,
        "other answers: {answers:?}"
    );
    run.stop();
    let rows = db::int(&url_db, "SELECT count(*) FROM orders");
    assert_eq!(rows as usize, 1 + accepted.len() * 10);
}

#[test]
fn a_hundred_concurrent_clients_and_two_pipelines_on_one_listener() {
    let url_db = db::pg_schema("webhook_many");
    let port = free_port();
    let text = format!(
        "{}\nsource refunds: Order from webhook {{\n  listen: \"127.0.0.1:{port}\"\n  path: \"/hooks/refunds\"\n}}\n\n\
         sink refunded: Order into table {{\n  table: \"refunds\"\n  key: id\n}}\n\n\
         pipeline refund {{\n  refunds -> refunded\n}}\n",
        program(port, "")
    );
    let dir = project("webhook-many", &text);
    let mut run = start(&dir, &["--db", &url_db]);
    ready(&mut run, port);
    let rt = runtime();
    let client = reqwest::Client::new();
    let statuses: Vec<u16> = rt.block_on(async {
        let tasks: Vec<_> = (0..100u64)
            .map(|c| {
                let client = client.clone();
                tokio::spawn(async move {
                    let mut statuses = Vec::new();
                    for r in 0..5u64 {
                        let path = if c % 10 == 0 {
                            "/hooks/refunds"
                        } else {
                            "/hooks/orders"
                        };
                        let answer = client
                            .post(url(port, path))
                            .body(orders((c * 5 + r) * 100, 100))
                            .send()
                            .await
                            .expect("an answer");
                        statuses.push(answer.status().as_u16());
                    }
                    statuses
                })
            })
            .collect();
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        all
    });
    assert!(statuses.iter().all(|s| *s == 202), "{statuses:?}");
    let stderr = run.stop();
    assert_eq!(
        db::int(&url_db, "SELECT count(*) FROM orders"),
        90 * 5 * 100
    );
    assert_eq!(
        db::int(&url_db, "SELECT count(*) FROM refunds"),
        10 * 5 * 100
    );
    assert!(stderr.contains("pipeline ingest finished"), "{stderr}");
    assert!(stderr.contains("pipeline refund finished"), "{stderr}");
}

#[test]
fn sigterm_drains_what_was_acknowledged_and_refuses_the_rest() {
    let port = free_port();
    let dir = project("webhook-term", &program(port, ""));
    let db_url = format!("sqlite://{}", dir.join("t.db").display());
    let mut run = start(&dir, &["--db", &db_url]);
    ready(&mut run, port);
    let acked: Arc<Mutex<BTreeSet<u64>>> = Arc::default();
    let rt = runtime();
    let client = reqwest::Client::new();
    let tasks: Vec<_> = (0..4u64)
        .map(|c| {
            let (client, acked) = (client.clone(), acked.clone());
            rt.spawn(async move {
                for r in 0..100_000u64 {
                    let from = (c * 100_000 + r) * 20;
                    match client
                        .post(url(port, "/hooks/orders"))
                        .body(orders(from, 20))
                        .send()
                        .await
                    {
                        Ok(a) if a.status() == 202 => acked.lock().unwrap().extend(from..from + 20),
                        Ok(a) if a.status() == 503 => return,
                        Ok(a) => panic!("unexpected {}", a.status()),
                        Err(_) => return, // the listener is gone
                    }
                }
            })
        })
        .collect();
    wait_until("some acknowledged records", Duration::from_secs(60), || {
        acked.lock().unwrap().len() >= 2_000
    });
    let stderr = run.stop();
    rt.block_on(async {
        for t in tasks {
            t.await.unwrap();
        }
    });
    assert!(stderr.contains("stopping"), "{stderr}");
    let acked = acked.lock().unwrap().len() as i64;
    // Exactly what got a 202: nothing acknowledged is lost, and a request
    // refused with 503 (or cut off) wrote nothing.
    assert_eq!(db::int(&db_url, "SELECT count(*) FROM orders"), acked);
}
