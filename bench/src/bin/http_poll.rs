//! Issue #13's HTTP polling benchmark: a local API (axum, in this
//! process, on 127.0.0.1) serves N weather records (`gen_weather.py`; its
//! lines that are not JSON at all cannot be served inside a page and are
//! left out) page by page, `GET /readings?after=K` answering
//! `{"data": [ … up to --page records … ], "next": "/readings?after=…"}`
//! (no `next` on the last page). `dashc run` (release build)
//! polls it with an `http` source through the weather transform into a
//! keyed PostgreSQL table. The clock runs from starting `dashc` until its
//! checkpoint (committed with each page) has reached the last record.
//! Prints a table.
//!
//! ```sh
//! cargo build --release && cargo run --release -p dash-bench --bin http_poll -- [--n 1000000] [--page 1000] [--runs 3] [--db URL]
//! ```

use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{RawQuery, State};
use dash_bench::{psql, table, thousands, weather_data, weather_program};

struct Args {
    n: usize,
    page: usize,
    runs: usize,
    db: String,
}

fn args() -> Result<Args, String> {
    let mut args = Args {
        n: 1_000_000,
        page: 1000,
        runs: 3,
        db: "postgres://postgres@127.0.0.1:5432/test".into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--n" => args.n = value()?.parse().map_err(|e| format!("--n: {e}"))?,
            "--page" => args.page = value()?.parse().map_err(|e| format!("--page: {e}"))?,
            "--runs" => args.runs = value()?.parse().map_err(|e| format!("--runs: {e}"))?,
            "--db" => args.db = value()?,
            "-h" | "--help" => {
                return Err(
                    "usage: http_poll [--n N] [--page RECORDS] [--runs R] [--db postgres://…]"
                        .into(),
                );
            }
            other => return Err(format!("unknown argument `{other}` (see --help)")),
        }
    }
    if args.runs == 0 || args.page == 0 {
        return Err("--runs and --page must be at least 1".into());
    }
    Ok(args)
}

fn main() -> ExitCode {
    dash_bench::exit(run())
}

/// The API's records, each already as JSON text.
struct Api {
    records: Vec<String>,
    page: usize,
}

async fn readings(State(api): State<Arc<Api>>, RawQuery(query): RawQuery) -> String {
    // `after=K`: the records after the first K.
    let after: usize = query
        .as_deref()
        .and_then(|q| q.strip_prefix("after="))
        .and_then(|a| a.parse().ok())
        .unwrap_or(0);
    let from = after.min(api.records.len());
    let to = (from + api.page).min(api.records.len());
    let records = api.records[from..to].join(",");
    if to < api.records.len() {
        format!("{{\"data\": [{records}], \"next\": \"/readings?after={to}\"}}")
    } else {
        format!("{{\"data\": [{records}]}}")
    }
}

/// One measured run.
struct Polled {
    secs: f64,
    rows: u64,
    dead: u64,
}

fn run() -> Result<(), String> {
    let args = args()?;
    let dashc = dash_bench::release_dashc()?;
    let (jsonl, csv) = weather_data(args.n)?;
    let text = std::fs::read_to_string(&jsonl).map_err(|e| format!("{}: {e}", jsonl.display()))?;
    let mut records = Vec::with_capacity(args.n);
    for line in text.lines() {
        if serde_json::from_str::<serde_json::Value>(line).is_ok() {
            records.push(line.to_string());
        }
    }
    let served = records.len() as u64;
    let expected = dash_bench::csv_rows(&csv)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let api = Arc::new(Api {
        records,
        page: args.page,
    });
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .map_err(|e| e.to_string())?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let app = axum::Router::new()
        .route("/readings", axum::routing::get(readings))
        .with_state(api);
    runtime.spawn(async move { axum::serve(listener, app).await });

    let mut polls = Vec::new();
    for run in 0..args.runs {
        eprintln!(
            "run {}/{}: polling {} records, {} per page …",
            run + 1,
            args.runs,
            thousands(served),
            args.page
        );
        let polled = poll(&dashc, &args, port, served)?;
        if polled.rows != expected {
            return Err(format!(
                "dashc wrote {} rows; psql's CSV has {expected}",
                polled.rows
            ));
        }
        polls.push(polled);
    }
    let rate = |secs: f64| thousands((served as f64 / secs) as u64);
    let mut secs: Vec<f64> = polls.iter().map(|p| p.secs).collect();
    secs.sort_by(f64::total_cmp);
    let median = secs[secs.len() / 2];
    let last = polls.last().map_or((0, 0), |p| (p.rows, p.dead));
    println!(
        "HTTP API (pages of {} by `next` links) -> dashc (weather transform) -> PostgreSQL, median of {} runs",
        args.page, args.runs
    );
    println!(
        "{}",
        table(
            &[
                "records",
                "pages",
                "rows",
                "DLQ",
                "time",
                "records/s",
                "each run"
            ],
            &[vec![
                thousands(served),
                thousands(served.div_ceil(args.page as u64)),
                thousands(last.0),
                thousands(last.1),
                format!("{median:.2} s"),
                rate(median),
                polls
                    .iter()
                    .map(|p| rate(p.secs))
                    .collect::<Vec<_>>()
                    .join(" / "),
            ]]
        )
    );
    Ok(())
}

/// Run `dashc` on a fresh schema until its checkpoint is at the last
/// record, then stop it.
fn poll(dashc: &std::path::Path, args: &Args, port: u16, served: u64) -> Result<Polled, String> {
    let schema = "dash_bench_http";
    psql(
        &args.db,
        &format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};"),
    )?;
    let sep = if args.db.contains('?') { '&' } else { '?' };
    let url = format!("{}{sep}options=-c%20search_path%3D{schema}", args.db);
    let dir = std::env::temp_dir().join(format!("dash-bench-http-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let source = format!(
        "http {{\n  url: \"http://127.0.0.1:{port}/readings?after=0\"\n  every: 10s\n  records: \"data\"\n  next: \"next\"\n}}"
    );
    std::fs::write(
        dir.join("weather.dash"),
        weather_program(&source, 10_000, false),
    )
    .map_err(|e| e.to_string())?;
    let log = dir.join("dashc.log");
    let file = std::fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
    let said = || std::fs::read_to_string(&log).unwrap_or_default();
    let started = Instant::now();
    let mut child = Command::new(dashc)
        .arg("run")
        .arg(&dir)
        .args(["--db", &url])
        .stdout(Stdio::null())
        .stderr(file)
        .spawn()
        .map_err(|e| format!("{}: {e}", dashc.display()))?;
    let done = served.to_string();
    let took = loop {
        std::thread::sleep(Duration::from_millis(50));
        if let Ok(position) = psql(
            &url,
            "SELECT position FROM dash_checkpoints WHERE pipeline = 'weather'",
        ) && position == done
        {
            break started.elapsed();
        }
        if child.try_wait().is_ok_and(|s| s.is_some()) {
            return Err(format!("dashc stopped before the end:\n{}", said()));
        }
        if started.elapsed() > Duration::from_secs(600) {
            let _ = child.kill();
            return Err("the records were not all committed within 10 minutes".into());
        }
    };
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let status = child.wait().map_err(|e| e.to_string())?;
    if !status.success() {
        return Err(format!("dashc exited with {status}:\n{}", said()));
    }
    let (rows, dead) = dash_bench::stored(&url)?;
    Ok(Polled {
        secs: took.as_secs_f64(),
        rows,
        dead,
    })
}
