//! Issue #13's webhook benchmark: `dashc run` (release build) with a
//! webhook source writing to a keyed PostgreSQL table; N concurrent
//! clients POST 100-record JSON arrays. First as fast as they can (the
//! maximum rate: every record counted only once its 202 came back, so
//! only committed records count), then open-loop at half that rate,
//! measuring each request's latency (POST to 202, which is sent after
//! the commit). Prints a table.
//!
//! ```sh
//! cargo build --release && cargo run --release -p dash-bench --bin webhook -- [--runs 3] [--clients 100] [--seconds 10] [--db URL]
//! ```

use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use dash_bench::{psql, table, thousands};

const PER_REQUEST: u64 = 100;

struct Args {
    runs: usize,
    clients: u64,
    seconds: u64,
    db: String,
}

fn args() -> Result<Args, String> {
    let mut args = Args {
        runs: 3,
        clients: 100,
        seconds: 10,
        db: "postgres://postgres@127.0.0.1:5432/test".into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--clients" => {
                args.clients = value()?.parse().map_err(|e| format!("--clients: {e}"))?
            }
            "--seconds" => {
                args.seconds = value()?.parse().map_err(|e| format!("--seconds: {e}"))?
            }
            "--runs" => args.runs = value()?.parse().map_err(|e| format!("--runs: {e}"))?,
            "--db" => args.db = value()?,
            "-h" | "--help" => {
                return Err(
                    "usage: webhook [--runs R] [--clients N] [--seconds S] [--db postgres://…]"
                        .into(),
                );
            }
            other => return Err(format!("unknown argument `{other}` (see --help)")),
        }
    }
    if args.runs == 0 || args.clients == 0 || args.seconds == 0 {
        return Err("--runs, --clients and --seconds must be at least 1".into());
    }
    Ok(args)
}

fn body(from: u64) -> String {
    let items: Vec<String> = (from..from + PER_REQUEST)
        .map(|i| {
            format!(
                "{{\"id\": {i}, \"station\": \"s{}\", \"temp_c\": {}.5}}",
                i % 1000,
                i % 40
            )
        })
        .collect();
    format!("[{}]", items.join(","))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() -> ExitCode {
    dash_bench::exit(run())
}

fn run() -> Result<(), String> {
    let args = args()?;
    let dashc = dash_bench::release_dashc()?;
    let mut rows = Vec::new();
    for run in 1..=args.runs {
        eprintln!("run {run}/{} …", args.runs);
        rows.extend(one(&args, &dashc, run)?);
    }
    println!(
        "webhook -> PostgreSQL, {} clients, {PER_REQUEST} records per request, {} s per phase",
        args.clients, args.seconds
    );
    println!(
        "{}",
        table(
            &[
                "run: load",
                "records/s",
                "requests",
                "429s",
                "p50 ms",
                "p99 ms",
                "PG checkpoint writes"
            ],
            &rows
        )
    );
    Ok(())
}

/// The buffers PostgreSQL's checkpoints have written so far (a
/// checkpoint's writes slow commits down: they show where the tail
/// latency comes from).
fn checkpoints(db: &str) -> Result<u64, String> {
    psql(db, "SELECT buffers_checkpoint FROM pg_stat_bgwriter")?
        .parse()
        .map_err(|e| format!("checkpoints: {e}"))
}

/// One run on a fresh schema: the maximum rate, then half of it; a table
/// row for each.
fn one(args: &Args, dashc: &std::path::Path, run: usize) -> Result<Vec<Vec<String>>, String> {
    let schema = "dash_bench_webhook";
    psql(
        &args.db,
        &format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};"),
    )?;
    let sep = if args.db.contains('?') { '&' } else { '?' };
    let url = format!("{}{sep}options=-c%20search_path%3D{schema}", args.db);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let dir = std::env::temp_dir().join(format!("dash-bench-webhook-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    std::fs::write(
        dir.join("p.dash"),
        format!(
            "type Reading {{\n  id: int\n  station: string\n  temp_c: float\n}}\n\n\
             type Metric {{\n  id: int\n  station: string\n  temp_f: float\n}}\n\n\
             source readings: Reading from webhook {{\n  listen: \"127.0.0.1:{port}\"\n  path: \"/in\"\n}}\n\n\
             transform to_metric(r: Reading) -> Metric {{\n  Metric {{ id: r.id, station: lower(r.station), temp_f: r.temp_c * 1.8 + 32.0 }}\n}}\n\n\
             sink metrics: Metric into postgres {{\n  table: \"metrics\"\n  key: id\n  batch: 5000\n}}\n\n\
             pipeline ingest {{\n  readings -> to_metric -> metrics\n}}\n"
        ),
    )
    .map_err(|e| e.to_string())?;
    let mut child = Command::new(dashc)
        .arg("run")
        .arg(&dir)
        .args(["--db", &url])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("{}: {e}", dashc.display()))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let target = format!("http://127.0.0.1:{port}/in");
    let client = reqwest::Client::new();
    let checkpoints_before = checkpoints(&args.db)?;
    let mut checkpoints_half = 0;
    let outcome = runtime.block_on(async {
        let ready = Instant::now();
        loop {
            if let Ok(r) = client
                .get(format!("http://127.0.0.1:{port}/ready"))
                .send()
                .await
                && r.status() == 200
            {
                break;
            }
            if ready.elapsed() > Duration::from_secs(60) {
                return Err("dashc was not ready within 60 s".to_string());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let next = Arc::new(AtomicU64::new(0));
        // Phase 1: closed loop, every client as fast as it gets answers.
        let until = Instant::now() + Duration::from_secs(args.seconds);
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..args.clients {
            let (client, next, target) = (client.clone(), next.clone(), target.clone());
            tasks.push(tokio::spawn(async move {
                let (mut done, mut refused, mut latencies) = (0u64, 0u64, Vec::new());
                while Instant::now() < until {
                    let from = next.fetch_add(PER_REQUEST, Ordering::Relaxed);
                    let sent = Instant::now();
                    match client.post(&target).body(body(from)).send().await {
                        Ok(r) if r.status() == 202 => {
                            done += PER_REQUEST;
                            latencies.push(sent.elapsed());
                        }
                        Ok(r) if r.status() == 429 => {
                            refused += 1;
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                        Ok(r) => return Err(format!("unexpected answer {}", r.status())),
                        Err(e) => return Err(e.to_string()),
                    }
                }
                Ok((done, refused, latencies))
            }));
        }
        let (mut max_done, mut max_refused, mut max_lat) = (0u64, 0u64, Vec::new());
        for t in tasks {
            let (d, r, l) = t.await.map_err(|e| e.to_string())??;
            max_done += d;
            max_refused += r;
            max_lat.extend(l);
        }
        let max_secs = started.elapsed().as_secs_f64();
        let max_rate = max_done as f64 / max_secs;
        checkpoints_half = checkpoints(&args.db)?;
        // Phase 2: open loop at half that rate, spread over the clients.
        let half = max_rate / 2.0;
        let per_client = Duration::from_secs_f64(PER_REQUEST as f64 * args.clients as f64 / half);
        let until = Instant::now() + Duration::from_secs(args.seconds);
        let clients = args.clients;
        let mut tasks = Vec::new();
        for c in 0..clients {
            let (client, next, target) = (client.clone(), next.clone(), target.clone());
            tasks.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                // Spread the clients' first requests over one interval.
                tokio::time::sleep(per_client.mul_f64(c as f64 / clients as f64)).await;
                let mut tick = tokio::time::interval(per_client);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
                while Instant::now() < until {
                    tick.tick().await;
                    let from = next.fetch_add(PER_REQUEST, Ordering::Relaxed);
                    let sent = Instant::now();
                    match client.post(&target).body(body(from)).send().await {
                        Ok(r) if r.status() == 202 => latencies.push(sent.elapsed()),
                        Ok(r) => {
                            return Err(format!("unexpected answer {} at half load", r.status()));
                        }
                        Err(e) => return Err(e.to_string()),
                    }
                }
                Ok(latencies)
            }));
        }
        let mut half_lat = Vec::new();
        for t in tasks {
            half_lat.extend(t.await.map_err(|e| e.to_string())??);
        }
        let half_secs = args.seconds as f64;
        Ok((
            max_done,
            max_refused,
            max_rate,
            max_lat,
            half,
            half_lat,
            half_secs,
        ))
    });
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let _ = child.wait();
    let (max_done, max_refused, max_rate, mut max_lat, half, mut half_lat, half_secs) = outcome?;
    max_lat.sort();
    half_lat.sort();
    let rows = psql(&url, "SELECT count(*) FROM metrics")?;
    let half_done = half_lat.len() as u64 * PER_REQUEST;
    let ms = |d: Duration| format!("{:.1}", d.as_secs_f64() * 1000.0);
    let checkpoints_after = checkpoints(&args.db)?;
    let acknowledged = max_done + half_done;
    if rows != acknowledged.to_string() {
        return Err(format!(
            "the table has {rows} rows, but {acknowledged} records were acknowledged"
        ));
    }
    Ok(vec![
        vec![
            format!("{run}: maximum (closed loop)"),
            thousands(max_rate as u64),
            thousands(max_lat.len() as u64),
            thousands(max_refused),
            ms(percentile(&max_lat, 0.5)),
            ms(percentile(&max_lat, 0.99)),
            thousands(checkpoints_half - checkpoints_before),
        ],
        vec![
            format!("{run}: half ({} records/s offered)", thousands(half as u64)),
            thousands((half_done as f64 / half_secs) as u64),
            thousands(half_lat.len() as u64),
            "0".into(),
            ms(percentile(&half_lat, 0.5)),
            ms(percentile(&half_lat, 0.99)),
            thousands(checkpoints_after - checkpoints_half),
        ],
    ])
}
