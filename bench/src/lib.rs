//! Shared pieces of the benchmark programs: the deterministic weather
//! input (`../shared/bench-data/gen_weather.py`), the weather pipeline of
//! LANGUAGE.md §1, running a child process while measuring its peak RSS,
//! and printing a table.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The workspace root (this crate is `bench/`).
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The release `dashc` the benchmarks run, or how to build it.
pub fn release_dashc() -> Result<PathBuf, String> {
    let dashc = workspace().join("target/release/dashc");
    if dashc.exists() {
        Ok(dashc)
    } else {
        Err(format!(
            "{} is missing: run `cargo build --release` first",
            dashc.display()
        ))
    }
}

/// The rows of the generator's transformed CSV (no header): what psql
/// would load, and what every run must leave in the table.
pub fn csv_rows(csv: &Path) -> Result<u64, String> {
    // Counted in pieces: a benchmark that held the whole file would pass
    // its resident size on to every child it forks (`ru_maxrss` survives
    // fork and exec on Linux), and the children's peak RSS would read high.
    use std::io::Read as _;
    let mut file = std::fs::File::open(csv).map_err(|e| format!("{}: {e}", csv.display()))?;
    let mut buffer = vec![0u8; 1 << 16];
    let mut lines = 0u64;
    loop {
        let n = file
            .read(&mut buffer)
            .map_err(|e| format!("{}: {e}", csv.display()))?;
        if n == 0 {
            return Ok(lines);
        }
        lines += buffer[..n].iter().filter(|b| **b == b'\n').count() as u64;
    }
}

/// The rows of table `metrics` and of the dead-letter table at `url`.
pub fn stored(url: &str) -> Result<(u64, u64), String> {
    let rows = psql(url, "SELECT count(*) FROM metrics")?
        .parse()
        .map_err(|e| format!("count: {e}"))?;
    let dead = psql(url, "SELECT count(*) FROM dash_dlq")?
        .parse()
        .unwrap_or(0);
    Ok((rows, dead))
}

/// A benchmark's exit: its error on stderr and status 1.
pub fn exit(result: Result<(), String>) -> std::process::ExitCode {
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::from(1)
        }
    }
}

/// The weather pipeline of LANGUAGE.md §1, reading `data` with batches of
/// `batch` rows into the PostgreSQL table `metrics` keyed by station and ts
/// (a plain table, as psql's).
pub fn weather_pipeline(data: &Path, batch: usize) -> String {
    weather_program(
        &format!(
            "file {{\n  path: \"{}\"\n  format: jsonl\n}}",
            data.display()
        ),
        batch,
        false,
    )
}

/// The weather pipeline of LANGUAGE.md §1 with its source `readings` of
/// the given kind and options (`file { … }`, `nats { … }`, …); with
/// `time`, the sink is partitioned by `ts` (a hypertable: TimescaleDB
/// must be in the database).
pub fn weather_program(source: &str, batch: usize, time: bool) -> String {
    let time = if time { "\n  time: ts" } else { "" };
    format!(
        r#"type Reading {{
  station: string
  ts: timestamp
  temp_c: float
  humidity: float?
}}

type Metric {{
  station: string
  ts: timestamp
  temp_f: float
  humidity: float
  comfort: string
}}

source readings: Reading from {source}

transform to_metric(r: Reading) -> Metric {{
  let station = lower(trim(r.station))
  require station != "" else "empty station"
  let temp_f = r.temp_c * 9.0 / 5.0 + 32.0
  skip if temp_f < -100.0
  Metric {{
    station: station,
    ts: r.ts,
    temp_f: round(temp_f, 1),
    humidity: r.humidity ?? 0.0,
    comfort: if temp_f > 80.0 {{ "hot" }} else if temp_f < 50.0 {{ "cold" }} else {{ "ok" }},
  }}
}}

sink metrics: Metric into postgres {{
  table: "metrics"{time}
  key: [station, ts]
  batch: {batch}
  linger: 200ms
}}

pipeline weather {{
  readings -> to_metric -> metrics
}}
"#
    )
}

/// `readings.jsonl` and `metrics.csv` of `n` records (0.1 % bad) under
/// `target/bench-data/N/`, generated once by `gen_weather.py`.
pub fn weather_data(n: usize) -> Result<(PathBuf, PathBuf), String> {
    let dir = workspace().join("target/bench-data").join(n.to_string());
    let jsonl = dir.join("readings.jsonl");
    let csv = dir.join("metrics.csv");
    if jsonl.exists() && csv.exists() {
        return Ok((jsonl, csv));
    }
    let script = std::env::var_os("DASH_GEN_WEATHER")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("../shared/bench-data/gen_weather.py"));
    if !script.exists() {
        return Err(format!(
            "the input generator {} is missing (set DASH_GEN_WEATHER to its path)",
            script.display()
        ));
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    eprintln!("generating {n} records with {} …", script.display());
    let status = Command::new("python3")
        .arg(&script)
        .args(["--n", &n.to_string(), "--bad", "0.001", "--out"])
        .arg(&jsonl)
        .arg("--csv")
        .arg(&csv)
        .status()
        .map_err(|e| format!("python3: {e}"))?;
    if !status.success() {
        let _ = std::fs::remove_file(&jsonl);
        return Err(format!("{} failed", script.display()));
    }
    Ok((jsonl, csv))
}

/// What a child process took.
#[derive(Clone, Copy, Debug)]
pub struct Measured {
    pub wall: Duration,
    /// Peak resident set, bytes.
    pub peak_rss: u64,
}

/// Run `command` to completion; its wall time and peak RSS (from
/// `wait4`). Fails when it exits non-zero, with its stderr.
pub fn measure(command: &mut Command) -> Result<Measured, String> {
    let shown = format!("{command:?}");
    let started = Instant::now();
    let child = command
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("{shown}: {e}"))?;
    let pid = child.id() as libc::pid_t;
    let stderr = child.stderr;
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut s) = stderr {
            use std::io::Read as _;
            let _ = s.read_to_string(&mut text);
        }
        text
    });
    let mut status = 0;
    // SAFETY: rusage is plain old data; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    let text = reader.join().unwrap_or_default();
    if waited != pid || !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        return Err(format!("{shown} failed:\n{text}"));
    }
    Ok(Measured {
        wall,
        peak_rss: usage.ru_maxrss as u64 * 1024,
    })
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A Markdown table, columns right-aligned after the first.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| {
                if i == 0 {
                    format!("{c:<w$}")
                } else {
                    format!("{c:>w$}")
                }
            })
            .collect();
        format!("| {} |", padded.join(" | "))
    };
    let mut out = line(header.iter().map(|h| h.to_string()).collect());
    out.push('\n');
    let rule: Vec<String> = widths
        .iter()
        .enumerate()
        .map(|(i, w)| {
            if i == 0 {
                "-".repeat(w + 2)
            } else {
                format!("{}:", "-".repeat(w + 1))
            }
        })
        .collect();
    out.push_str(&format!("|{}|\n", rule.join("|")));
    for row in rows {
        out.push_str(&line(row.clone()));
        out.push('\n');
    }
    out
}

/// Run one SQL command with `psql` on `url`; its output, trimmed.
pub fn psql(url: &str, sql: &str) -> Result<String, String> {
    let out = Command::new("psql")
        .arg(url)
        .args(["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql])
        .output()
        .map_err(|e| format!("psql: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "psql `{sql}`: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// A URL whose sessions use `schema`.
pub fn in_schema(db: &str, schema: &str) -> String {
    let sep = if db.contains('?') { '&' } else { '?' };
    format!("{db}{sep}options=-c%20search_path%3D{schema}")
}

/// `schema` dropped and made anew at `db`: a URL whose sessions use it.
pub fn fresh_schema(db: &str, schema: &str) -> Result<String, String> {
    psql(
        db,
        &format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};"),
    )?;
    Ok(in_schema(db, schema))
}
