//! Issue #14's storage benchmark: what `time` and a rollup cost. N
//! weather records (`gen_weather.py`, 0.1 % bad) through the weather
//! pipeline of the language reference's first example (`batch: 10000`,
//! key `[station, ts]`) into PostgreSQL, five ways:
//!
//! - vanilla PostgreSQL, a plain table (no `time`);
//! - vanilla, `time: ts` (a range-partitioned table, partitions made by
//!   the batches), without and with a rollup table kept in each batch's
//!   transaction;
//! - TimescaleDB (a database of its own with the extension), `time: ts`
//!   (a hypertable), without and with the rollup (a continuous aggregate).
//!
//! The rollup is `hourly every 1h { readings: count(), mean: avg(temp_f),
//! high: max(temp_f) }` per station. Each run is `dashc run` (release
//! build) on a fresh schema, timed from start to exit; the contenders
//! alternate run by run and the table shows the median. Every run must
//! leave the rows psql would load (the generator's transformed CSV), and
//! the rollup must count them all (on TimescaleDB after a refresh, which
//! is not timed).
//!
//! ```sh
//! cargo build --release && cargo run --release -p dash-bench --bin storage -- [--n 1000000] [--runs 3] [--db URL]
//! ```

use std::process::{Command, ExitCode};

use dash_bench::{measure, psql, table, thousands, weather_data, weather_program};

struct Args {
    n: usize,
    runs: usize,
    db: String,
}

fn args() -> Result<Args, String> {
    let mut args = Args {
        n: 1_000_000,
        runs: 3,
        db: "postgres://postgres@127.0.0.1:5432/test".into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--n" => args.n = value()?.parse().map_err(|e| format!("--n: {e}"))?,
            "--runs" => args.runs = value()?.parse().map_err(|e| format!("--runs: {e}"))?,
            "--db" => args.db = value()?,
            "-h" | "--help" => {
                return Err("usage: storage [--n N] [--runs R] [--db postgres://…/DB]".into());
            }
            other => return Err(format!("unknown argument `{other}` (see --help)")),
        }
    }
    if args.runs == 0 {
        return Err("--runs must be at least 1".into());
    }
    Ok(args)
}

fn main() -> ExitCode {
    dash_bench::exit(run())
}

const ROLLUP: &str = "  rollup hourly every 1h {\n    readings: count()\n    mean: avg(temp_f)\n    high: max(temp_f)\n  }\n";

struct Contender {
    name: &'static str,
    timescale: bool,
    time: bool,
    rollup: bool,
}

const CONTENDERS: [Contender; 5] = [
    Contender {
        name: "vanilla PostgreSQL, plain table",
        timescale: false,
        time: false,
        rollup: false,
    },
    Contender {
        name: "vanilla, `time` (partitioned)",
        timescale: false,
        time: true,
        rollup: false,
    },
    Contender {
        name: "vanilla, `time` + rollup table",
        timescale: false,
        time: true,
        rollup: true,
    },
    Contender {
        name: "TimescaleDB, `time` (hypertable)",
        timescale: true,
        time: true,
        rollup: false,
    },
    Contender {
        name: "TimescaleDB, `time` + continuous aggregate",
        timescale: true,
        time: true,
        rollup: true,
    },
];

fn run() -> Result<(), String> {
    let args = args()?;
    let dashc = dash_bench::release_dashc()?;
    let (jsonl, csv) = weather_data(args.n)?;
    let expected = dash_bench::csv_rows(&csv)?.to_string();
    // A database of its own with TimescaleDB, beside the vanilla one.
    let (base, _) = args
        .db
        .rsplit_once('/')
        .ok_or("--db must name a database (postgres://…/DB)")?;
    let ts_db = format!("{base}/dash_bench_timescale");
    if psql(
        &args.db,
        "SELECT 1 FROM pg_database WHERE datname = 'dash_bench_timescale'",
    )?
    .is_empty()
    {
        psql(&args.db, "CREATE DATABASE dash_bench_timescale")?;
    }
    psql(&ts_db, "CREATE EXTENSION IF NOT EXISTS timescaledb")
        .map_err(|e| format!("{e}\n(TimescaleDB: run ../shared/vendor/install-timescaledb.sh)"))?;
    if !psql(
        &args.db,
        "SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'",
    )?
    .is_empty()
    {
        return Err(format!(
            "{} has TimescaleDB: give a database without it (--db)",
            args.db
        ));
    }

    let dir = std::env::temp_dir().join(format!("dash-bench-storage-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let source = format!(
        "file {{\n  path: \"{}\"\n  format: jsonl\n}}",
        jsonl.display()
    );
    let mut secs: Vec<Vec<f64>> = CONTENDERS.iter().map(|_| Vec::new()).collect();
    for run in 1..=args.runs {
        for (i, c) in CONTENDERS.iter().enumerate() {
            eprintln!("run {run}/{}: {} …", args.runs, c.name);
            let mut program = weather_program(&source, 10_000, c.time);
            if c.rollup {
                program = program.replace(
                    "  key: [station, ts]\n",
                    &format!("  key: [station, ts]\n{ROLLUP}"),
                );
            }
            std::fs::write(dir.join("weather.dash"), program).map_err(|e| e.to_string())?;
            let db = if c.timescale { &ts_db } else { &args.db };
            let schema = "dash_bench_storage";
            psql(
                db,
                &format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};"),
            )?;
            let url = format!("{db}?options=-c%20search_path%3D{schema}");
            let took = measure(
                Command::new(&dashc)
                    .arg("run")
                    .arg(&dir)
                    .args(["--db", &url]),
            )?;
            let rows = psql(&url, "SELECT count(*) FROM metrics")?;
            if rows != expected {
                return Err(format!(
                    "{}: {rows} rows; psql's CSV has {expected}",
                    c.name
                ));
            }
            if c.rollup {
                // The rollup holds every row. (TimescaleDB's refresh
                // policy may have materialized buckets mid-run, which
                // then wait for the next refresh: refresh them now.)
                if c.timescale {
                    refresh(&url)?;
                }
                let counted = psql(&url, "SELECT sum(readings) FROM hourly")?;
                if counted != expected {
                    return Err(format!("{}: the rollup counts {counted} rows", c.name));
                }
            }
            secs[i].push(took.wall.as_secs_f64());
        }
    }
    let plain = median(&secs[0]);
    let rows: Vec<Vec<String>> = CONTENDERS
        .iter()
        .zip(&secs)
        .map(|(c, s)| {
            let m = median(s);
            vec![
                c.name.to_string(),
                format!("{m:.2} s"),
                thousands((args.n as f64 / m) as u64),
                format!("{:.2}", m / plain),
                s.iter()
                    .map(|x| format!("{x:.2}"))
                    .collect::<Vec<_>>()
                    .join(" / "),
            ]
        })
        .collect();
    println!(
        "{} weather records -> PostgreSQL 15, `dashc run`, median of {} runs",
        thousands(args.n as u64),
        args.runs
    );
    println!(
        "{}",
        table(
            &["sink table", "time", "records/s", "× plain", "each run (s)"],
            &rows
        )
    );
    Ok(())
}

/// Refresh the continuous aggregate `hourly` entirely, waiting out a
/// refresh of its policy's job that is under way.
fn refresh(url: &str) -> Result<(), String> {
    let mut tries = 0;
    loop {
        match psql(
            url,
            "CALL public.refresh_continuous_aggregate('hourly', NULL, NULL)",
        ) {
            Ok(_) => return Ok(()),
            Err(e) if e.contains("concurrent refresh") && tries < 60 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(500));
            }
            Err(e) => return Err(e),
        }
    }
}

fn median(xs: &[f64]) -> f64 {
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}
