//! Issue #5's benchmark (#15's workers): 1,000,000 weather records from
//! JSONL through the weather transform into a PostgreSQL table with a
//! `key`, against `psql \copy` of the same rows already transformed (CSV)
//! into an identical table. `--runs` rounds alternate dashc (binary COPY,
//! each `--workers` value, then text COPY) with psql; each figure is the
//! median of its runs. Also peak RSS of `dashc run` at a larger size.
//!
//! ```sh
//! cargo build --release && cargo run --release -p dash-bench --bin ingest -- [--n 1000000] [--runs 3] [--workers 1,2,4] [--rss-n 5000000] [--db URL]
//! ```

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use dash_bench::{
    Measured, fresh_schema, measure, psql, table, thousands, weather_data, weather_pipeline,
    workspace,
};

struct Args {
    n: usize,
    runs: usize,
    workers: Vec<usize>,
    rss_n: Option<usize>,
    db: String,
}

fn args() -> Result<Args, String> {
    let mut args = Args {
        n: 1_000_000,
        runs: 3,
        workers: vec![1, 2, 4],
        rss_n: Some(5_000_000),
        db: "postgres://postgres@127.0.0.1:5432/test".into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--n" => args.n = value()?.parse().map_err(|e| format!("--n: {e}"))?,
            "--rss-n" => {
                let v: usize = value()?.parse().map_err(|e| format!("--rss-n: {e}"))?;
                args.rss_n = (v > 0).then_some(v);
            }
            "--db" => args.db = value()?,
            "--runs" => {
                args.runs = value()?
                    .parse::<usize>()
                    .map_err(|e| format!("--runs: {e}"))?
                    .max(1)
            }
            "--workers" => {
                args.workers = value()?
                    .split(',')
                    .map(|w| w.trim().parse::<usize>().map(|w| w.max(1)))
                    .collect::<Result<_, _>>()
                    .map_err(|e| format!("--workers: {e}"))?
            }
            "-h" | "--help" => {
                return Err(
                    "usage: ingest [--n RECORDS] [--runs N] [--workers 1,2,4] [--rss-n RECORDS (0: skip)] [--db postgres://…]"
                        .into(),
                );
            }
            other => return Err(format!("unknown argument `{other}` (see --help)")),
        }
    }
    Ok(args)
}

fn count(url: &str, table: &str) -> Result<u64, String> {
    psql(url, &format!("SELECT count(*) FROM {table}"))?
        .parse()
        .map_err(|e| format!("count: {e}"))
}

/// `dashc run` of the weather pipeline over `data` into `schema`.
fn dash_run(
    dashc: &Path,
    db: &str,
    schema: &str,
    data: &Path,
    copy_format: &str,
    workers: usize,
) -> Result<(Measured, u64, u64), String> {
    let url = fresh_schema(db, schema)?;
    let project = workspace()
        .join("target/bench-data")
        .join(format!("project-{schema}"));
    std::fs::create_dir_all(&project).map_err(|e| e.to_string())?;
    std::fs::write(project.join("weather.dash"), weather_pipeline(data, 10_000))
        .map_err(|e| e.to_string())?;
    std::fs::write(
        project.join("dash.yaml"),
        format!("copy_format: {copy_format}\n"),
    )
    .map_err(|e| e.to_string())?;
    eprintln!(
        "dashc run ({copy_format} COPY, {workers} workers) of {} …",
        data.display()
    );
    let m = measure(
        Command::new(dashc)
            .arg("run")
            .arg(&project)
            .arg("--workers")
            .arg(workers.to_string())
            .arg("--db")
            .arg(&url),
    )?;
    Ok((m, count(&url, "metrics")?, count(&url, "dash_dlq")?))
}

/// `psql \\copy` of `csv` into a fresh table like Dash's: (time, rows).
fn psql_copy(db: &str, csv: &Path) -> Result<(Measured, u64), String> {
    let url = fresh_schema(db, "dash_bench_psql")?;
    psql(
        &url,
        "CREATE TABLE metrics (LIKE dash_bench_binary.metrics INCLUDING ALL)",
    )?;
    eprintln!("psql \\copy of {} …", csv.display());
    let copy = measure(
        Command::new("psql")
            .arg(&url)
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-c"])
            .arg(format!(
                "\\copy metrics (station, ts, temp_f, humidity, comfort) FROM '{}' WITH (FORMAT csv)",
                csv.display()
            )),
    )?;
    Ok((copy, count(&url, "metrics")?))
}

fn row(what: &str, records: usize, rows: u64, dlq: Option<u64>, m: Measured) -> Vec<String> {
    let secs = m.wall.as_secs_f64();
    vec![
        what.to_string(),
        thousands(records as u64),
        thousands(rows),
        dlq.map_or("–".into(), thousands),
        format!("{secs:.2} s"),
        thousands((rows as f64 / secs) as u64),
        format!("{:.1} MB", m.peak_rss as f64 / 1e6),
    ]
}

fn main() -> ExitCode {
    match bench() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn bench() -> Result<(), String> {
    let args = args()?;
    let dashc: PathBuf = std::env::current_exe()
        .map_err(|e| e.to_string())?
        .with_file_name("dashc");
    if !dashc.exists() {
        return Err(format!(
            "{} is missing: run `cargo build --release` first",
            dashc.display()
        ));
    }
    let (jsonl, csv) = weather_data(args.n)?;
    let expected = dash_bench::csv_rows(&csv)?;
    // One column per configuration; the runs alternate between them.
    let mut configs: Vec<(String, Option<(&str, usize)>)> = args
        .workers
        .iter()
        .map(|w| {
            (
                format!("dashc run, binary COPY, workers {w}"),
                Some(("binary", *w)),
            )
        })
        .collect();
    let first = args.workers.first().copied().unwrap_or(1);
    configs.push((
        format!("dashc run, text COPY, workers {first}"),
        Some(("text", first)),
    ));
    configs.push(("psql \\copy of the transformed CSV".to_string(), None));
    let mut walls: Vec<Vec<Measured>> = vec![Vec::new(); configs.len()];
    let mut dead = 0;
    for round in 0..args.runs {
        eprintln!("round {} of {}", round + 1, args.runs);
        for (i, (_, config)) in configs.iter().enumerate() {
            let (m, rows) = match config {
                Some((format, workers)) => {
                    let (m, rows, dlq) = dash_run(
                        &dashc,
                        &args.db,
                        "dash_bench_binary",
                        &jsonl,
                        format,
                        *workers,
                    )?;
                    dead = dlq;
                    (m, rows)
                }
                None => psql_copy(&args.db, &csv)?,
            };
            if rows != expected {
                return Err(format!(
                    "{} left {rows} rows, the CSV has {expected}",
                    configs[i].0
                ));
            }
            walls[i].push(m);
        }
    }
    let median = |ms: &[Measured]| {
        let mut ms = ms.to_vec();
        ms.sort_by_key(|m| m.wall);
        ms[ms.len() / 2]
    };
    let mut rows = Vec::new();
    for ((what, config), ms) in configs.iter().zip(&walls) {
        let dlq = config.map(|_| dead);
        rows.push(row(what, args.n, expected, dlq, median(ms)));
    }
    let psql_wall = median(&walls[configs.len() - 1]).wall.as_secs_f64();
    let best = walls[..args.workers.len()]
        .iter()
        .map(|ms| median(ms).wall.as_secs_f64())
        .fold(f64::INFINITY, f64::min);
    let binary = median(&walls[0]).wall.as_secs_f64();
    let text = median(&walls[args.workers.len()]).wall.as_secs_f64();

    if let Some(n) = args.rss_n {
        let (big, _) = weather_data(n)?;
        // The default: as many workers as cores.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let (m, written, dlq) =
            dash_run(&dashc, &args.db, "dash_bench_rss", &big, "binary", cores)?;
        rows.push(row(
            &format!("dashc run, binary COPY, workers {cores} (default)"),
            n,
            written,
            Some(dlq),
            m,
        ));
    }

    println!(
        "{}",
        table(
            &[
                &format!("run (median of {})", args.runs),
                "records",
                "rows",
                "DLQ",
                "time",
                "rows/s",
                "peak RSS"
            ],
            &rows
        )
    );
    println!("text/binary COPY time: {:.2}", text / binary);
    let ratio = psql_wall / best;
    println!("dash/psql={ratio:.2}");
    Ok(())
}
