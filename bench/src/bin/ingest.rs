//! Issue #5's benchmark: 1,000,000 weather records from JSONL through the
//! weather transform into a PostgreSQL table with a `key`, against
//! `psql \copy` of the same rows already transformed (CSV) into an
//! identical table. Also peak RSS of `dashc run` at a larger size.
//!
//! ```sh
//! cargo build --release && cargo run --release -p dash-bench --bin ingest -- [--n 1000000] [--rss-n 5000000] [--db URL]
//! ```

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use dash_bench::{
    Measured, measure, psql, table, thousands, weather_data, weather_pipeline, workspace,
};

struct Args {
    n: usize,
    rss_n: Option<usize>,
    db: String,
}

fn args() -> Result<Args, String> {
    let mut args = Args {
        n: 1_000_000,
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
            "-h" | "--help" => {
                return Err(
                    "usage: ingest [--n RECORDS] [--rss-n RECORDS (0: skip)] [--db postgres://…]"
                        .into(),
                );
            }
            other => return Err(format!("unknown argument `{other}` (see --help)")),
        }
    }
    Ok(args)
}

/// A URL whose sessions use `schema`.
fn in_schema(db: &str, schema: &str) -> String {
    let sep = if db.contains('?') { '&' } else { '?' };
    format!("{db}{sep}options=-c%20search_path%3D{schema}")
}

fn fresh_schema(db: &str, schema: &str) -> Result<String, String> {
    psql(
        db,
        &format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};"),
    )?;
    Ok(in_schema(db, schema))
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
    eprintln!("dashc run ({copy_format} COPY) of {} …", data.display());
    let m = measure(
        Command::new(dashc)
            .arg("run")
            .arg(&project)
            .arg("--db")
            .arg(&url),
    )?;
    Ok((m, count(&url, "metrics")?, count(&url, "dash_dlq")?))
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
    let mut rows = Vec::new();

    let (binary, written, dlq) = dash_run(&dashc, &args.db, "dash_bench_binary", &jsonl, "binary")?;
    rows.push(row(
        "dashc run, binary COPY",
        args.n,
        written,
        Some(dlq),
        binary,
    ));
    let (text, written_text, dlq_text) =
        dash_run(&dashc, &args.db, "dash_bench_text", &jsonl, "text")?;
    rows.push(row(
        "dashc run, text COPY",
        args.n,
        written_text,
        Some(dlq_text),
        text,
    ));

    let url = fresh_schema(&args.db, "dash_bench_psql")?;
    psql(
        &url,
        "CREATE TABLE metrics (LIKE dash_bench_binary.metrics INCLUDING ALL)",
    )?;
    eprintln!("psql \\copy of {} …", csv.display());
    let copy = measure(Command::new("psql").arg(&url).args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-c"]).arg(format!(
        "\\copy metrics (station, ts, temp_f, humidity, comfort) FROM '{}' WITH (FORMAT csv)",
        csv.display()
    )))?;
    let copied = count(&url, "metrics")?;
    rows.push(row(
        "psql \\copy of the transformed CSV",
        args.n,
        copied,
        None,
        copy,
    ));
    if copied != written {
        return Err(format!(
            "dashc wrote {written} rows, psql copied {copied}: they must agree"
        ));
    }

    if let Some(n) = args.rss_n {
        let (big, _) = weather_data(n)?;
        let (m, written, dlq) = dash_run(&dashc, &args.db, "dash_bench_rss", &big, "binary")?;
        rows.push(row("dashc run, binary COPY", n, written, Some(dlq), m));
    }

    println!(
        "{}",
        table(
            &[
                "run", "records", "rows", "DLQ", "time", "rows/s", "peak RSS"
            ],
            &rows
        )
    );
    let ratio = copy.wall.as_secs_f64() / binary.wall.as_secs_f64();
    println!(
        "text/binary COPY time: {:.2}",
        text.wall.as_secs_f64() / binary.wall.as_secs_f64()
    );
    println!("dash/psql={ratio:.2}");
    Ok(())
}
