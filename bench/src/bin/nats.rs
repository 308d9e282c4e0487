//! Issue #13's NATS benchmark: N weather records (`gen_weather.py`, 0.1 %
//! bad) published as one JetStream message each, then drained by
//! `dashc run` (release build) through the weather transform into a keyed
//! PostgreSQL table, with one process and with two processes on the same
//! durable consumer. The clock runs from starting the process(es) until
//! the consumer has no message left unacked (every message is acked only
//! after its batch committed), so startup is included. Beside them, a
//! bare async-nats consumer in this process pulls and acks the same
//! messages without decoding or storing them: what NATS itself allows
//! here. Each run publishes once; the contenders drain it in turn, each
//! through its own consumer. Prints a table.
//!
//! ```sh
//! cargo build --release && cargo run --release -p dash-bench --bin nats -- [--n 1000000] [--runs 3] [--processes 1,2] [--db URL] [--nats URL]
//! ```

use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, stream};
use dash_bench::{psql, table, thousands, weather_data, weather_program};
use futures_util::StreamExt;

const STREAM: &str = "DASH_BENCH";
const SUBJECT: &str = "bench.readings";

struct Args {
    n: usize,
    runs: usize,
    processes: Vec<usize>,
    db: String,
    nats: String,
}

fn args() -> Result<Args, String> {
    let mut args = Args {
        n: 1_000_000,
        runs: 3,
        processes: vec![1, 2],
        db: "postgres://postgres@127.0.0.1:5432/test".into(),
        nats: "nats://127.0.0.1:4222".into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--n" => args.n = value()?.parse().map_err(|e| format!("--n: {e}"))?,
            "--runs" => args.runs = value()?.parse().map_err(|e| format!("--runs: {e}"))?,
            "--processes" => {
                args.processes = value()?
                    .split(',')
                    .map(|p| p.trim().parse().map_err(|e| format!("--processes: {e}")))
                    .collect::<Result<_, _>>()?
            }
            "--db" => args.db = value()?,
            "--nats" => args.nats = value()?,
            "-h" | "--help" => {
                return Err("usage: nats [--n N] [--runs R] [--processes 1,2] \
                     [--db postgres://…] [--nats nats://…]"
                    .into());
            }
            other => return Err(format!("unknown argument `{other}` (see --help)")),
        }
    }
    if args.runs == 0 || args.processes.contains(&0) {
        return Err("--runs and --processes must be at least 1".into());
    }
    Ok(args)
}

fn main() -> ExitCode {
    dash_bench::exit(run())
}

/// One measured drain.
struct Drain {
    secs: f64,
    rows: u64,
    dead: u64,
}

fn run() -> Result<(), String> {
    let args = args()?;
    let dashc = dash_bench::release_dashc()?;
    let (jsonl, csv) = weather_data(args.n)?;
    let lines: Vec<String> = std::fs::read_to_string(&jsonl)
        .map_err(|e| format!("{}: {e}", jsonl.display()))?
        .lines()
        .map(str::to_string)
        .collect();
    // The rows psql would load: the generator's transformed CSV.
    let expected = dash_bench::csv_rows(&csv)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let client = runtime
        .block_on(async_nats::connect(&args.nats))
        .map_err(|e| format!("NATS at {}: {e}", args.nats))?;
    let _inside = runtime.enter();
    let js = jetstream::new(client);

    // Each run publishes once; then each contender drains the stream
    // through its own durable consumer, in turn.
    let mut bare = Vec::new();
    let mut results: Vec<Vec<Drain>> = args.processes.iter().map(|_| Vec::new()).collect();
    for run in 0..args.runs {
        eprintln!(
            "run {}/{}: publishing {} messages …",
            run + 1,
            args.runs,
            thousands(args.n as u64)
        );
        runtime.block_on(publish(&js, &lines))?;
        bare.push(runtime.block_on(bare_drain(&js, args.n))?);
        for (i, &processes) in args.processes.iter().enumerate() {
            eprintln!(
                "run {}/{}: {processes} dashc process(es) …",
                run + 1,
                args.runs
            );
            let drain = drain(&runtime, &js, &dashc, &args, processes)?;
            if drain.rows != expected {
                return Err(format!(
                    "{processes} process(es) wrote {} rows; psql's CSV has {expected}",
                    drain.rows
                ));
            }
            results[i].push(drain);
        }
    }
    let rate = |secs: f64| thousands((args.n as f64 / secs) as u64);
    let row = |name: String, secs: &[f64], stored: Option<(u64, u64)>| {
        let mut sorted = secs.to_vec();
        sorted.sort_by(f64::total_cmp);
        let median = sorted[sorted.len() / 2];
        let (rows, dead) = match stored {
            Some((r, d)) => (thousands(r), thousands(d)),
            None => ("—".into(), "—".into()),
        };
        vec![
            name,
            thousands(args.n as u64),
            rows,
            dead,
            format!("{median:.2} s"),
            rate(median),
            secs.iter()
                .map(|s| rate(*s))
                .collect::<Vec<_>>()
                .join(" / "),
        ]
    };
    let mut rows = vec![row(
        "bare async-nats consumer (pull + ack, no database)".into(),
        &bare,
        None,
    )];
    for (processes, drains) in args.processes.iter().zip(&results) {
        let secs: Vec<f64> = drains.iter().map(|d| d.secs).collect();
        let last = drains.last().map(|d| (d.rows, d.dead));
        rows.push(row(
            format!("dashc run, {processes} process(es)"),
            &secs,
            last,
        ));
    }
    println!(
        "NATS JetStream -> dashc (weather transform) -> PostgreSQL, {} messages, median of {} runs",
        thousands(args.n as u64),
        args.runs
    );
    println!(
        "{}",
        table(
            &[
                "consumer",
                "messages",
                "rows",
                "DLQ",
                "time",
                "records/s",
                "each run"
            ],
            &rows
        )
    );
    let _ = runtime.block_on(js.delete_stream(STREAM));
    Ok(())
}

/// A fresh stream holding one message per line.
async fn publish(js: &jetstream::Context, lines: &[String]) -> Result<(), String> {
    let _ = js.delete_stream(STREAM).await;
    js.create_stream(stream::Config {
        name: STREAM.into(),
        subjects: vec![SUBJECT.into()],
        ..Default::default()
    })
    .await
    .map_err(|e| format!("creating stream {STREAM}: {e}"))?;
    for chunk in lines.chunks(2000) {
        let mut pending = Vec::with_capacity(chunk.len());
        for line in chunk {
            pending.push(
                js.publish(SUBJECT, line.clone().into())
                    .await
                    .map_err(|e| format!("publish: {e}"))?,
            );
        }
        for ack in pending {
            ack.await.map_err(|e| format!("publish ack: {e}"))?;
        }
    }
    Ok(())
}

/// Pull every message of the stream with a consumer of our own and ack
/// each, as `dashc` does (explicit acks), without decoding or storing.
async fn bare_drain(js: &jetstream::Context, n: usize) -> Result<f64, String> {
    let stream = js.get_stream(STREAM).await.map_err(|e| e.to_string())?;
    let started = Instant::now();
    let consumer: jetstream::consumer::PullConsumer = stream
        .create_consumer(jetstream::consumer::pull::Config {
            durable_name: Some("bare".into()),
            ack_policy: jetstream::consumer::AckPolicy::Explicit,
            max_ack_pending: 40_000,
            ..Default::default()
        })
        .await
        .map_err(|e| e.to_string())?;
    let mut messages = consumer
        .stream()
        .max_messages_per_batch(1024)
        .messages()
        .await
        .map_err(|e| e.to_string())?;
    let client = js.client();
    let mut seen = 0;
    while seen < n {
        let Some(message) = messages.next().await else {
            return Err("the bare consumer's messages ended".into());
        };
        let message = message.map_err(|e| e.to_string())?;
        if let Some(reply) = message.message.reply {
            client
                .publish(reply, "+ACK".into())
                .await
                .map_err(|e| e.to_string())?;
        }
        seen += 1;
    }
    client.flush().await.map_err(|e| e.to_string())?;
    Ok(started.elapsed().as_secs_f64())
}

/// Run `processes` dashc processes on a fresh schema until the consumer
/// has acked every message; then stop them.
fn drain(
    runtime: &tokio::runtime::Runtime,
    js: &jetstream::Context,
    dashc: &std::path::Path,
    args: &Args,
    processes: usize,
) -> Result<Drain, String> {
    let schema = "dash_bench_nats";
    psql(
        &args.db,
        &format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};"),
    )?;
    let sep = if args.db.contains('?') { '&' } else { '?' };
    let url = format!("{}{sep}options=-c%20search_path%3D{schema}", args.db);
    let dir = std::env::temp_dir().join(format!("dash-bench-nats-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let consumer = format!("dash-bench-{processes}");
    let source = format!(
        "nats {{\n  url: \"{}\"\n  stream: \"{STREAM}\"\n  subject: \"{SUBJECT}\"\n  consumer: \"{consumer}\"\n}}",
        args.nats
    );
    std::fs::write(
        dir.join("weather.dash"),
        weather_program(&source, 10_000, false),
    )
    .map_err(|e| e.to_string())?;
    let started = Instant::now();
    let mut children: Vec<Child> = Vec::new();
    let logs: Vec<_> = (0..processes)
        .map(|i| dir.join(format!("dashc-{i}.log")))
        .collect();
    for log in &logs {
        let log = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
        let child = Command::new(dashc)
            .arg("run")
            .arg(&dir)
            .args(["--db", &url])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("{}: {e}", dashc.display()))?;
        children.push(child);
    }
    let waited = runtime.block_on(async {
        loop {
            tokio::time::sleep(Duration::from_millis(20)).await;
            if let Ok(stream) = js.get_stream(STREAM).await
                && let Ok(mut consumer) = stream
                    .get_consumer::<jetstream::consumer::pull::Config>(&consumer)
                    .await
                && let Ok(info) = consumer.info().await
                && info.num_pending == 0
                && info.num_ack_pending == 0
                && info.ack_floor.stream_sequence >= args.n as u64
            {
                return Ok(started.elapsed());
            }
            if children
                .iter_mut()
                .any(|c| c.try_wait().is_ok_and(|s| s.is_some()))
            {
                return Err("a dashc process stopped before the end".to_string());
            }
            if started.elapsed() > Duration::from_secs(600) {
                return Err("the messages were not all acked within 10 minutes".to_string());
            }
        }
    });
    for child in &mut children {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status();
    }
    for (child, log) in children.iter_mut().zip(&logs) {
        let status = child.wait().map_err(|e| e.to_string())?;
        if !status.success() {
            let said = std::fs::read_to_string(log).unwrap_or_default();
            return Err(format!("dashc exited with {status}:\n{said}"));
        }
    }
    let secs = match waited {
        Ok(took) => took.as_secs_f64(),
        Err(e) => {
            let said: Vec<String> = logs
                .iter()
                .map(|l| std::fs::read_to_string(l).unwrap_or_default())
                .collect();
            return Err(format!("{e}:\n{}", said.join("\n")));
        }
    };
    let (rows, dead) = dash_bench::stored(&url)?;
    Ok(Drain { secs, rows, dead })
}
