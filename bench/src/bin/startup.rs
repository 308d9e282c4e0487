//! Issue #15's start-up benchmark: the wall time, from process start to
//! exit, of `dashc check` and of `dashc run` of the 8-record quickstart
//! (`pipelines/quickstart`, copied to a fresh directory before each run,
//! so each run creates its SQLite database and tables), the median of
//! `--runs` each; and the size of the release binary.
//!
//! ```sh
//! cargo build --release && cargo run --release -p dash-bench --bin startup -- [--runs 10]
//! ```

use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::Duration;

use dash_bench::{exit, measure, release_dashc, table, workspace};

fn main() -> ExitCode {
    exit(bench())
}

fn runs() -> Result<usize, String> {
    let mut runs = 10;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--runs" => {
                runs = it
                    .next()
                    .ok_or("--runs needs a value")?
                    .parse()
                    .map_err(|e| format!("--runs: {e}"))?;
            }
            other => return Err(format!("unknown argument `{other}` (try --runs N)")),
        }
    }
    Ok(runs.max(1))
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// A fresh copy of the quickstart (its `.dash` files and data).
fn fresh_quickstart(to: &Path) -> Result<(), String> {
    let from = workspace().join("pipelines/quickstart");
    let _ = std::fs::remove_dir_all(to);
    let copy = |from: &Path, to: &Path| -> Result<(), String> {
        std::fs::copy(from, to)
            .map(|_| ())
            .map_err(|e| format!("copying {}: {e}", from.display()))
    };
    std::fs::create_dir_all(to.join("data")).map_err(|e| e.to_string())?;
    copy(&from.join("weather.dash"), &to.join("weather.dash"))?;
    copy(
        &from.join("data/readings.jsonl"),
        &to.join("data/readings.jsonl"),
    )
}

fn bench() -> Result<(), String> {
    let runs = runs()?;
    let dashc = release_dashc()?;
    let dir = std::env::temp_dir().join(format!("dash-startup-{}", std::process::id()));
    let mut check = Vec::new();
    let mut run = Vec::new();
    for _ in 0..runs {
        fresh_quickstart(&dir)?;
        check.push(measure(Command::new(&dashc).arg("check").arg(&dir))?.wall);
        run.push(measure(Command::new(&dashc).arg("run").arg(&dir))?.wall);
    }
    let _ = std::fs::remove_dir_all(&dir);
    let size = std::fs::metadata(&dashc)
        .map_err(|e| format!("{}: {e}", dashc.display()))?
        .len();
    let rows = vec![
        vec![
            "`dashc check` of the quickstart".to_string(),
            ms(median(check.clone())),
            ms(*check.iter().min().unwrap_or(&Duration::ZERO)),
            ms(*check.iter().max().unwrap_or(&Duration::ZERO)),
        ],
        vec![
            "`dashc run` of the quickstart (8 records, new SQLite db)".to_string(),
            ms(median(run.clone())),
            ms(*run.iter().min().unwrap_or(&Duration::ZERO)),
            ms(*run.iter().max().unwrap_or(&Duration::ZERO)),
        ],
    ];
    println!(
        "{}",
        table(
            &[&format!("wall, {runs} runs"), "median", "min", "max"],
            &rows
        )
    );
    println!(
        "release binary: {:.1} MB ({} bytes)",
        size as f64 / 1e6,
        size
    );
    Ok(())
}
