//! HTTP steps against a local server started inside the test: 500s are
//! retried (with backoff) and then compensated or dead-lettered, 404s are
//! not retried, timeouts count as failures, a batch's requests run
//! concurrently, and the `undo` of completed steps runs once each, newest
//! first, when a later step fails.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::db::{pg_schema, texts};
use dash_runtime::executor::{RunOptions, Summary, run_blocking};

#[derive(Default)]
struct Log {
    /// Every request as `METHOD /path body`, in arrival order.
    calls: Vec<String>,
    /// When each `/fx/EUR` attempt arrived.
    eur: Vec<Instant>,
    in_flight: usize,
    max_in_flight: usize,
    /// `/fx/…` and `/reserve` requests being answered right now.
    fx_in_flight: usize,
    reserve_in_flight: usize,
    /// A `/reserve` arrived while an `/fx/…` was in flight, or the other
    /// way round: independent steps ran concurrently.
    overlapped: bool,
}

/// A tiny HTTP/1.1 server: one thread per connection, `Connection: close`.
fn serve(log: Arc<Mutex<Log>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let log = log.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    return;
                }
                let mut parts = line.split_whitespace();
                let method = parts.next().unwrap_or("").to_string();
                let path = parts.next().unwrap_or("").to_string();
                let mut length = 0;
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
                        break;
                    }
                    if let Some(v) = header.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                let body = String::from_utf8_lossy(&body).into_owned();
                let (status, answer, delay) = {
                    let mut l = log.lock().unwrap();
                    l.calls
                        .push(format!("{method} {path} {body}").trim().to_string());
                    l.in_flight += 1;
                    l.max_in_flight = l.max_in_flight.max(l.in_flight);
                    if path.starts_with("/fx/") {
                        l.overlapped |= l.reserve_in_flight > 0;
                        l.fx_in_flight += 1;
                    }
                    if path == "/reserve" {
                        l.overlapped |= l.fx_in_flight > 0;
                        l.reserve_in_flight += 1;
                    }
                    route(&mut l, &method, &path, &body)
                };
                std::thread::sleep(delay);
                {
                    let mut l = log.lock().unwrap();
                    l.in_flight -= 1;
                    if path.starts_with("/fx/") {
                        l.fx_in_flight -= 1;
                    }
                    if path == "/reserve" {
                        l.reserve_in_flight -= 1;
                    }
                }
                let mut stream = stream;
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                    answer.len()
                );
            });
        }
    });
    base
}

fn route(log: &mut Log, method: &str, path: &str, body: &str) -> (&'static str, String, Duration) {
    let quick = Duration::from_millis(30);
    match (method, path) {
        ("GET", "/fx/EUR") => {
            log.eur.push(Instant::now());
            // Fails twice, then answers.
            if log.eur.len() <= 2 {
                ("500 Internal Server Error", "{}".into(), quick)
            } else {
                ("200 OK", r#"{"rate": 2.0}"#.into(), quick)
            }
        }
        ("GET", "/fx/USD") => ("200 OK", r#"{"rate": 1.0}"#.into(), quick),
        ("GET", "/fx/GBP") => ("200 OK", r#"{"rate": 1.25}"#.into(), quick),
        ("GET", "/fx/XXX") => ("404 Not Found", "{}".into(), quick),
        ("GET", "/fx/SLOW") => (
            "200 OK",
            r#"{"rate": 9.0}"#.into(),
            Duration::from_millis(1500),
        ),
        ("GET", p) if p.starts_with("/fx/") => ("503 Service Unavailable", "{}".into(), quick),
        ("POST", "/reserve") if body.contains("sku-none") => ("409 Conflict", "{}".into(), quick),
        ("POST", "/confirm") => {
            let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
            if v["amount"].as_f64().unwrap_or(0.0) > 50.0 {
                ("402 Payment Required", "{}".into(), quick)
            } else {
                ("200 OK", format!(r#"{{"id": {}}}"#, v["hold"]), quick)
            }
        }
        ("POST", "/reserve") => {
            let sku = serde_json::from_str::<serde_json::Value>(body)
                .ok()
                .and_then(|v| v["sku"].as_str().map(str::to_string));
            (
                "200 OK",
                format!(r#"{{"id": "hold-{}"}}"#, sku.unwrap_or_default()),
                Duration::from_millis(150),
            )
        }
        ("POST", "/pin") => ("200 OK", r#"{"id": "pin"}"#.into(), quick),
        ("POST", "/confirm/ok") => ("200 OK", r#"{"id": "confirmed"}"#.into(), quick),
        ("POST", p) if p.starts_with("/confirm/") => {
            ("503 Service Unavailable", "{}".into(), quick)
        }
        ("POST", "/release") | ("POST", "/unpin") => ("200 OK", "{}".into(), quick),
        _ => ("404 Not Found", "{}".into(), quick),
    }
}

const PROGRAM: &str = r#"type Order {
  id: string
  currency: string
  sku: string
  confirm: string
  amount: float
}

type Rate {
  rate: float
}

type Hold {
  id: string
}

type Out {
  id: string
  total: float
  hold: string
}

source orders: Order from file {
  path: "orders.jsonl"
}

reactor enrich(o: Order) -> Out {
  step fx = http get "BASE/fx/${o.currency}" as Rate {
    retry: 3
    backoff: 100ms
    timeout: 500ms
    compensate: Rate { rate: 1.0 }
  }
  step reserve = http post "BASE/reserve" { sku: o.sku } as Hold {
    undo: http post "BASE/release" { hold: reserve.id }
  }
  step pin = http post "BASE/pin" { hold: reserve.id } as Hold {
    undo: http post "BASE/unpin" { hold: reserve.id, pin: pin.id }
  }
  step confirmed = http post "BASE/confirm/${o.confirm}" { pin: pin.id } as Hold {
    retry: 1
    backoff: 10ms
  }
  return Out { id: o.id, total: o.amount * fx.rate, hold: confirmed.id }
}

sink out: Out into table {
  table: "orders_out"
  batch: 100
}

pipeline ordering {
  orders -> enrich -> out
}
"#;

fn run(dir: &std::path::Path) -> Summary {
    let text = std::fs::read_to_string(dir.join("p.dash")).unwrap();
    let analysis = dash_check::analyze(vec![dash_syntax::SourceFile::new("p.dash", text)]);
    assert_eq!(analysis.error_count(), 0, "{:?}", analysis.diagnostics);
    let db = format!("sqlite://{}", dir.join("dash.db").display());
    let options = RunOptions {
        db: Some(db),
        ..Default::default()
    };
    run_blocking(&dash_ir::compile(&analysis), dir, &options, &mut |_| {}).expect("run")
}

fn rows(dir: &std::path::Path, sql: &str) -> Vec<String> {
    texts(&format!("sqlite://{}", dir.join("dash.db").display()), sql)
}

#[test]
fn retries_compensate_undo_and_the_dlq() {
    let log = Arc::new(Mutex::new(Log::default()));
    let base = serve(log.clone());
    let dir = std::env::temp_dir().join(format!("dash-reactor-http-run-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("p.dash"), PROGRAM.replace("BASE", &base)).unwrap();
    let mut orders = String::new();
    // o0: EUR (two 500s, then 2.0); o1: a 404 (compensated: 1.0);
    // o2: a timeout (compensated); o3: confirm fails (undo pin, then
    // reserve); o4..o9: plain USD orders.
    let specs = [
        ("EUR", "ok"),
        ("XXX", "ok"),
        ("SLOW", "ok"),
        ("USD", "bad"),
        ("USD", "ok"),
        ("USD", "ok"),
        ("USD", "ok"),
        ("USD", "ok"),
        ("USD", "ok"),
        ("USD", "ok"),
    ];
    for (i, (currency, confirm)) in specs.iter().enumerate() {
        orders.push_str(&format!(
            "{{\"id\": \"o{i}\", \"currency\": \"{currency}\", \"sku\": \"s{i}\", \"confirm\": \"{confirm}\", \"amount\": 10.0}}\n"
        ));
    }
    std::fs::write(dir.join("orders.jsonl"), orders).unwrap();

    let s = run(&dir);
    assert_eq!(
        (s.read, s.written, s.skipped, s.dead_lettered),
        (10, 9, 0, 1)
    );

    let totals = rows(
        &dir,
        "SELECT id || ' ' || CAST(total AS TEXT) FROM orders_out ORDER BY id",
    );
    assert_eq!(totals[0], "o0 20.0", "EUR answered on the third attempt");
    assert_eq!(totals[1], "o1 10.0", "the 404 was compensated");
    assert_eq!(totals[2], "o2 10.0", "the timeout was compensated");

    let log = log.lock().unwrap();
    // Retries: EUR tried 3 times, with backoff between attempts.
    assert_eq!(log.eur.len(), 3);
    assert!(
        log.eur[1] - log.eur[0] >= Duration::from_millis(100),
        "{:?}",
        log.eur[1] - log.eur[0]
    );
    assert!(
        log.eur[2] - log.eur[1] >= Duration::from_millis(200),
        "{:?}",
        log.eur[2] - log.eur[1]
    );
    // A 404 is not retried; the timeout is retried (3 retries).
    assert_eq!(
        log.calls
            .iter()
            .filter(|c| c.starts_with("GET /fx/XXX"))
            .count(),
        1
    );
    assert_eq!(
        log.calls
            .iter()
            .filter(|c| c.starts_with("GET /fx/SLOW"))
            .count(),
        4
    );
    // The batch's requests overlap, and so do independent steps (`fx`
    // and `reserve` depend only on the order).
    assert!(log.max_in_flight > 1, "max in flight {}", log.max_in_flight);
    assert!(
        log.overlapped,
        "no /reserve arrived while an /fx/ was answered"
    );
    // o3: confirm failed twice (retry: 1), then its completed steps were
    // undone newest first, once each.
    assert_eq!(
        log.calls
            .iter()
            .filter(|c| c.starts_with("POST /confirm/bad"))
            .count(),
        2
    );
    let undo: Vec<&String> = log
        .calls
        .iter()
        .filter(|c| c.starts_with("POST /unpin") || c.starts_with("POST /release"))
        .collect();
    assert_eq!(
        undo,
        vec![
            r#"POST /unpin {"hold":"hold-s3","pin":"pin"}"#,
            r#"POST /release {"hold":"hold-s3"}"#
        ]
    );
    let dead = rows(
        &dir,
        "SELECT stage || ' | ' || code || ' | ' || message || ' | ' || raw FROM dash_dlq",
    );
    assert_eq!(dead.len(), 1);
    assert!(
        dead[0].starts_with("enrich.confirmed | R0008 | POST ")
            && dead[0].contains("/confirm/bad: HTTP 503 (2 attempts)"),
        "{}",
        dead[0]
    );
    assert!(
        dead[0].ends_with(
            r#""id": "o3", "currency": "USD", "sku": "s3", "confirm": "bad", "amount": 10.0}"#
        ),
        "{}",
        dead[0]
    );
}

/// The example of `pipelines/orders` against PostgreSQL and this test's
/// flaky services: every order is written or dead-lettered with its
/// failing step, refused confirmations release their hold exactly once,
/// and the customers lookup is one query for the batch.
#[test]
fn the_orders_example_runs_against_postgres() {
    let log = Arc::new(Mutex::new(Log::default()));
    let base = serve(log.clone());
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../pipelines/orders");
    let dir = std::env::temp_dir().join(format!("dash-orders-example-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("data")).unwrap();
    let program = std::fs::read_to_string(root.join("orders.dash"))
        .unwrap()
        .replace("http://127.0.0.1:8099", &base);
    std::fs::write(dir.join("orders.dash"), &program).unwrap();
    for f in ["customers.jsonl", "orders.jsonl"] {
        std::fs::copy(root.join("data").join(f), dir.join("data").join(f)).unwrap();
    }
    let db = pg_schema("orders");
    let analysis = dash_check::analyze(vec![dash_syntax::SourceFile::new("orders.dash", program)]);
    assert_eq!(analysis.error_count(), 0, "{:?}", analysis.diagnostics);
    let run = |pipeline: &str| {
        let options = RunOptions {
            db: Some(db.clone()),
            pipeline: Some(pipeline.into()),
            ..Default::default()
        };
        run_blocking(&dash_ir::compile(&analysis), &dir, &options, &mut |_| {}).expect("run")
    };
    assert_eq!(run("load_customers").written, 8);
    let s = run("enrich_orders");
    assert_eq!(s.read, 40);
    assert_eq!(s.read, s.written + s.dead_lettered);
    assert_eq!(s.lookup_queries, 1, "one lookup query for the one batch");
    let written = texts(&db, "SELECT count(*)::text FROM enriched_orders");
    assert_eq!(written, vec![s.written.to_string()]);
    let unknown = texts(
        &db,
        "SELECT count(*)::text FROM enriched_orders WHERE customer = 'unknown'",
    );
    let known = texts(
        &db,
        "SELECT count(*)::text FROM enriched_orders WHERE customer <> 'unknown'",
    );
    assert!(
        unknown[0] != "0" && known[0] != "0",
        "{unknown:?} {known:?}"
    );
    let dead = texts(
        &db,
        "SELECT stage || ' ' || code || ' ' || raw FROM orders_dlq ORDER BY id",
    );
    assert_eq!(dead.len() as u64, s.dead_lettered);
    assert!(
        dead.iter()
            .any(|d| d.starts_with("enrich.hold R0008") && d.contains("sku-none")),
        "{dead:?}"
    );
    let refused: Vec<&String> = dead
        .iter()
        .filter(|d| d.starts_with("enrich.confirmed R0008"))
        .collect();
    assert!(!refused.is_empty(), "{dead:?}");
    // Each refused confirmation released its hold, once.
    let log = log.lock().unwrap();
    let releases = log
        .calls
        .iter()
        .filter(|c| c.starts_with("POST /release"))
        .count();
    assert_eq!(releases, refused.len());
    assert_eq!(dead.len(), refused.len() + 1);
}

/// A service that cannot be reached at all (nothing listens) is down: the
/// run stops after the step's retries and commits nothing, rather than
/// dead-lettering every record; a step with a `compensate` value uses it.
#[test]
fn a_service_that_is_down_stops_the_run_unless_compensated() {
    // A port that was free a moment ago: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let program = |compensate: &str| {
        format!(
            "type Order {{ id: string  currency: string  sku: string  confirm: string  amount: float }}\n\
             type Rate {{ rate: float }}\n\
             type Out {{ id: string  total: float }}\n\
             source orders: Order from file {{ path: \"orders.jsonl\" }}\n\
             reactor price(o: Order) -> Out {{\n  step fx = http get \"http://127.0.0.1:{port}/fx\" as Rate {{\n    retry: 1\n    backoff: 10ms\n{compensate}  }}\n  return Out {{ id: o.id, total: o.amount * fx.rate }}\n}}\n\
             sink out: Out into table {{ table: \"priced\" }}\n\
             pipeline pricing {{ orders -> price -> out }}\n"
        )
    };
    let dir = std::env::temp_dir().join(format!("dash-http-down-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("orders.jsonl"),
        "{\"id\": \"a\", \"currency\": \"EUR\", \"sku\": \"s\", \"confirm\": \"ok\", \"amount\": 2.0}\n",
    )
    .unwrap();
    let go = |text: String| {
        std::fs::write(dir.join("p.dash"), &text).unwrap();
        let analysis = dash_check::analyze(vec![dash_syntax::SourceFile::new("p.dash", text)]);
        assert_eq!(analysis.error_count(), 0, "{:?}", analysis.diagnostics);
        let options = RunOptions {
            db: Some(format!("sqlite://{}", dir.join("dash.db").display())),
            ..Default::default()
        };
        run_blocking(&dash_ir::compile(&analysis), &dir, &options, &mut |_| {})
    };
    let error = go(program(""))
        .expect_err("the service is down")
        .to_string();
    assert!(
        error.contains("step `price.fx`")
            && error.contains("cannot connect")
            && error.contains("not committed"),
        "{error}"
    );
    assert_eq!(
        rows(&dir, "SELECT CAST(count(*) AS TEXT) FROM dash_dlq"),
        vec!["0"]
    );
    let s = go(program("    compensate: Rate { rate: 1.0 }\n")).expect("compensated");
    assert_eq!((s.read, s.written, s.dead_lettered), (1, 1, 0));
}
