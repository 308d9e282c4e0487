//! Issue #15's CSV loads: the generator's transformed CSV (1M rows by
//! default) loaded by `dashc run` through a CSV source with no transform,
//! against `psql \copy` into PostgreSQL and `sqlite3 .import` into SQLite,
//! each into a table like Dash's (same columns, the key index). `--runs`
//! rounds alternate the four loads; each figure is the median.
//!
//! ```sh
//! cargo build --release && cargo run --release -p dash-bench --bin csv_load -- [--n 1000000] [--runs 3] [--db URL]
//! ```

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use dash_bench::{
    Measured, csv_rows, exit, fresh_schema, measure, psql, release_dashc, table, thousands,
};

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
            "--runs" => {
                args.runs = value()?
                    .parse::<usize>()
                    .map_err(|e| format!("--runs: {e}"))?
                    .max(1)
            }
            "--db" => args.db = value()?,
            other => {
                return Err(format!(
                    "unknown argument `{other}` (try --n N, --runs N, --db URL)"
                ));
            }
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    exit(bench())
}

/// The identity pipeline over `csv` into `metrics` of the project
/// database (keyed like the ingest bench's table).
fn program(csv: &Path) -> String {
    format!(
        r#"type Metric {{
  station: string
  ts: timestamp
  temp_f: float
  humidity: float
  comfort: string
}}

source rows: Metric from file {{
  path: "{}"
  format: csv
  header: false
}}

sink metrics: Metric into table {{
  table: "metrics"
  key: [station, ts]
  batch: 10000
}}

pipeline load {{
  rows -> metrics
}}
"#,
        csv.display()
    )
}

const TABLE: &str = "CREATE TABLE metrics (station TEXT NOT NULL, ts TIMESTAMPTZ NOT NULL, \
     temp_f DOUBLE PRECISION NOT NULL, humidity DOUBLE PRECISION NOT NULL, comfort TEXT NOT NULL); \
     CREATE UNIQUE INDEX metrics_key ON metrics (station, ts);";

fn dash(dashc: &Path, project: &Path, url: &str) -> Result<Measured, String> {
    measure(
        Command::new(dashc)
            .arg("run")
            .arg(project)
            .args(["--db", url]),
    )
}

fn sqlite_count(db: &Path) -> Result<u64, String> {
    let out = Command::new("sqlite3")
        .arg(db)
        .arg("SELECT count(*) FROM metrics")
        .output()
        .map_err(|e| format!("sqlite3: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .map_err(|e| format!("sqlite3 count: {e}"))
}

fn bench() -> Result<(), String> {
    let args = args()?;
    let dashc = release_dashc()?;
    let (_, csv) = dash_bench::weather_data(args.n)?;
    let expected = csv_rows(&csv)?;
    let dir: PathBuf = dash_bench::workspace().join("target/bench-data/csv-load");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("load.dash"), program(&csv)).map_err(|e| e.to_string())?;
    let names = [
        "dashc run, CSV → PostgreSQL",
        "psql \\copy, CSV → PostgreSQL",
        "dashc run, CSV → SQLite",
        "sqlite3 .import, CSV → SQLite",
    ];
    let mut walls: Vec<Vec<Measured>> = vec![Vec::new(); names.len()];
    for round in 0..args.runs {
        eprintln!("round {} of {}", round + 1, args.runs);
        // dashc into PostgreSQL.
        let url = fresh_schema(&args.db, "dash_bench_csv")?;
        walls[0].push(dash(&dashc, &dir, &url)?);
        check(
            names[0],
            psql(&url, "SELECT count(*) FROM metrics")?,
            expected,
        )?;
        // psql into the same table, fresh.
        let url = fresh_schema(&args.db, "dash_bench_csv_psql")?;
        psql(&url, TABLE)?;
        walls[1].push(measure(
            Command::new("psql")
                .arg(&url)
                .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-c"])
                .arg(format!(
                    "\\copy metrics (station, ts, temp_f, humidity, comfort) FROM '{}' WITH (FORMAT csv)",
                    csv.display()
                )),
        )?);
        check(
            names[1],
            psql(&url, "SELECT count(*) FROM metrics")?,
            expected,
        )?;
        // dashc into SQLite.
        let db = dir.join("dash.db");
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
        walls[2].push(dash(&dashc, &dir, &format!("sqlite://{}", db.display()))?);
        check(names[2], sqlite_count(&db)?.to_string(), expected)?;
        // sqlite3 .import into a table like Dash's (timestamps as text).
        let plain = dir.join("import.db");
        let _ = std::fs::remove_file(&plain);
        let create = "CREATE TABLE metrics (station TEXT NOT NULL, ts TEXT NOT NULL, temp_f REAL NOT NULL, \
             humidity REAL NOT NULL, comfort TEXT NOT NULL); \
             CREATE UNIQUE INDEX metrics_key ON metrics (station, ts);";
        let status = Command::new("sqlite3")
            .arg(&plain)
            .arg(create)
            .status()
            .map_err(|e| format!("sqlite3: {e}"))?;
        if !status.success() {
            return Err("sqlite3 could not create the table".into());
        }
        walls[3].push(measure(
            Command::new("sqlite3")
                .arg(&plain)
                .args([".mode csv", &format!(".import {} metrics", csv.display())]),
        )?);
        check(names[3], sqlite_count(&plain)?.to_string(), expected)?;
    }
    let median = |ms: &[Measured]| {
        let mut ms = ms.to_vec();
        ms.sort_by_key(|m| m.wall);
        ms[ms.len() / 2]
    };
    let rows: Vec<Vec<String>> = names
        .iter()
        .zip(&walls)
        .map(|(name, ms)| {
            let m = median(ms);
            let secs = m.wall.as_secs_f64();
            vec![
                name.to_string(),
                thousands(expected),
                format!("{secs:.2} s"),
                thousands((expected as f64 / secs) as u64),
                format!("{:.1} MB", m.peak_rss as f64 / 1e6),
            ]
        })
        .collect();
    println!(
        "{}",
        table(
            &[
                &format!("load (median of {})", args.runs),
                "rows",
                "time",
                "rows/s",
                "peak RSS"
            ],
            &rows
        )
    );
    let secs = |i: usize| median(&walls[i]).wall.as_secs_f64();
    println!(
        "pgloader: not run (not installed here)\ndash/psql (CSV)={:.2} · dash/sqlite3 (CSV)={:.2}",
        secs(1) / secs(0),
        secs(3) / secs(2)
    );
    Ok(())
}

fn check(what: &str, count: String, expected: u64) -> Result<(), String> {
    if count.trim() == expected.to_string() {
        Ok(())
    } else {
        Err(format!(
            "{what} left {} rows, the CSV has {expected}",
            count.trim()
        ))
    }
}
