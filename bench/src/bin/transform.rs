//! Issue #4's benchmark: the weather transform of LANGUAGE.md §1 over
//! 1,000,000 in-memory records (decoding excluded), run by
//! (a) the Dash JIT's batch function over columnar batches, (b) the Dash
//! interpreter over record values, (c) the same program in VRL (the `vrl`
//! crate) over its event values, (d) the same logic hand-written in Rust
//! over the same columnar batches as the JIT. Prints records/s of each,
//! then `jit/vrl=X.XX jit/handwritten=Y.YY`.
//!
//! ```sh
//! cargo run --release -p dash-bench --bin transform -- [--n 1000000]
//! ```

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use dash_bench::{table, thousands, weather_data, weather_pipeline};
use dash_check::RecordId;
use dash_check::analyze;
use dash_check::stdlib::EvalContext;
use dash_check::value::Value;
use dash_ir::columns::{Column, Columns, Shape};
use dash_ir::interp::Outcome;
use dash_ir::lower::lower;
use dash_jit::Jit;
use dash_jit::engine::Engine;
use dash_syntax::SourceFile;

const VRL_PROGRAM: &str = r#"
station = downcase(strip_whitespace(string!(.station)))
assert!(station != "", "empty station")
temp_f = float!(.temp_c) * 9.0 / 5.0 + 32.0
if temp_f < -100.0 { abort }
comfort = if temp_f > 80.0 { "hot" } else if temp_f < 50.0 { "cold" } else { "ok" }
. = {
  "station": station,
  "ts": .ts,
  "temp_f": round(temp_f, precision: 1),
  "humidity": float(.humidity) ?? 0.0,
  "comfort": comfort
}
"#;

const BATCH: usize = 10_000;
/// Each engine's time is the median of this many runs over all records.
const FAST_RUNS: usize = 9;
const SLOW_RUNS: usize = 3;

type Counts = (usize, usize, usize);

/// The median of some times.
fn middle(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

/// The median time of `runs` runs of `f`, and its counts.
fn median(
    runs: usize,
    mut f: impl FnMut() -> Result<(Duration, Counts), String>,
) -> Result<(Duration, Counts), String> {
    let mut times = Vec::new();
    let mut counts = (0, 0, 0);
    for _ in 0..runs.max(1) {
        let (t, c) = f()?;
        times.push(t);
        counts = c;
    }
    Ok((middle(times), counts))
}

fn main() {
    if let Err(e) = bench() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn bench() -> Result<(), String> {
    let mut n = 1_000_000;
    let mut only: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--n" => {
                n = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--n needs a number")?
            }
            "--only" => only = Some(args.next().ok_or("--only needs jit|interp|vrl|rust")?),
            "-h" | "--help" => {
                println!(
                    "usage: transform [--n RECORDS] [--only jit|interp|vrl|rust (for profiling)]"
                );
                return Ok(());
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let (jsonl, _) = weather_data(n)?;
    let text = weather_pipeline(&jsonl, 10_000);
    let analysis = analyze(vec![SourceFile::new("weather.dash", text)]);
    if analysis.error_count() > 0 {
        return Err(format!("{:?}", analysis.diagnostics));
    }
    let program = lower(&analysis);
    let (func, _) = program.function("to_metric").ok_or("no to_metric")?;
    let reading = record_id(&analysis, "Reading")?;
    let metric = record_id(&analysis, "Metric")?;

    eprintln!("decoding {} (not timed) …", jsonl.display());
    let input = std::fs::read_to_string(&jsonl).map_err(|e| e.to_string())?;
    let mut records = Vec::with_capacity(n);
    let mut events = Vec::with_capacity(n);
    for line in input.lines() {
        let Ok(json) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let Ok(record) = dash_ir::decode::decode_record(&json, reading, &analysis.program) else {
            continue;
        };
        events.push(vrl_event(&record));
        records.push(record);
    }
    drop(input);
    let cx = EvalContext { now: 0 };

    let mut rows = Vec::new();
    let mut results = Vec::new();

    let jit = Jit::compile(&program).map_err(|e| e.to_string())?;
    // Compile time: the median of several compilations.
    let mut compiles = vec![jit.compile_time];
    for _ in 0..10 {
        compiles.push(
            Jit::compile(&program)
                .map_err(|e| e.to_string())?
                .compile_time,
        );
    }
    compiles.sort();
    let compile = compiles[compiles.len() / 2];
    // The columnar batches both the JIT and the hand-written code read
    // (building them is part of decoding: not timed).
    let shapes = jit
        .batch_shapes(func)
        .ok_or("to_metric has no batch function")?;
    let batches: Vec<Columns> = records
        .chunks(BATCH)
        .map(|chunk| Columns::from_values(&shapes.input, chunk))
        .collect();
    let output = Shape::new(&analysis.program.records, metric);
    let run_jit = || {
        time_columns(&batches, |batch| {
            let out = jit
                .run_columns(func, batch, &cx)
                .ok_or("the batch function did not run")?;
            Ok(status_counts(&out.status))
        })
    };
    let run_handwritten = || {
        time_columns(&batches, |batch| {
            let (_, status, _) = handwritten(batch, &output);
            Ok(status_counts(&status))
        })
    };
    if only.as_deref() == Some("jit") {
        // Profiling: repeat, so the transform dominates the decoding.
        for _ in 0..20 {
            println!("jit: {:.3} s", run_jit()?.0.as_secs_f64());
        }
        return Ok(());
    }
    let skip = |name: &str| only.as_deref().is_some_and(|o| o != name);
    // JIT and hand-written runs alternate, so that a change of the
    // machine's speed during the bench weighs on both alike.
    let (mut jit_times, mut hand_times) = (Vec::new(), Vec::new());
    let (mut jit_counts, mut hand_counts) = ((0, 0, 0), (0, 0, 0));
    for _ in 0..FAST_RUNS {
        let (t, c) = run_jit()?;
        jit_times.push(t);
        jit_counts = c;
        if !skip("rust") {
            let (t, c) = run_handwritten()?;
            hand_times.push(t);
            hand_counts = c;
        }
    }
    results.push(("Dash JIT (batch function)", middle(jit_times), jit_counts));
    if !skip("interp") {
        let engine = Engine::Interp(&program);
        let (t, counts) = median(SLOW_RUNS, || {
            // Row by row: the interpreter has no batch functions.
            Ok(time(&records, |batch| engine.run_records(func, batch, &cx)))
        })?;
        results.push(("Dash interpreter", t, counts));
    }
    if !skip("vrl") {
        let (t, counts) = median(SLOW_RUNS, || vrl_time(&events))?;
        results.push(("VRL (vrl 0.38 crate)", t, counts));
    }
    if !skip("rust") {
        // Same results, not only the same counts: compare every row of
        // the first batch.
        if let Some(batch) = batches.first() {
            let jit_out = jit.run_columns(func, batch, &cx).ok_or("no batch run")?;
            let (hand, status, _) = handwritten(batch, &output);
            for (row, (a, b)) in jit_out.status.iter().zip(&status).enumerate() {
                let differ =
                    || format!("{:?}", jit_out.columns.get(row)) != format!("{:?}", hand.get(row));
                if a != b || (*a == 0 && differ()) {
                    return Err(format!(
                        "the JIT and the hand-written code disagree on row {row}"
                    ));
                }
            }
        }
        results.push((
            "hand-written Rust (same batches)",
            middle(hand_times),
            hand_counts,
        ));
    }
    if only.is_none() {
        // For reference, not in the ratios: the JIT's row function over
        // record values, and `run_records` (what `dashc run` does today:
        // record values to columns, the batch function, columns back to
        // record values).
        let engine = Engine::Jit(&jit);
        let (t, counts) = median(SLOW_RUNS, || {
            Ok(time(&records, |batch| {
                batch
                    .iter()
                    .map(|r| engine.run(func, std::slice::from_ref(r), &cx))
                    .collect()
            }))
        })?;
        results.push(("(Dash JIT, row function)", t, counts));
        let (t, counts) = median(SLOW_RUNS, || {
            Ok(time(&records, |batch| engine.run_records(func, batch, &cx)))
        })?;
        results.push(("(Dash JIT, values → columns → values)", t, counts));
    }
    if only.is_some() {
        for (name, t, _) in &results {
            println!("{name}: {:.3} s", t.as_secs_f64());
        }
        return Ok(());
    }

    for (name, t, counts) in &results {
        if *counts != jit_counts {
            return Err(format!(
                "{name} disagrees with the JIT on (written, skipped, failed): {counts:?} vs {jit_counts:?}"
            ));
        }
        let rate = records.len() as f64 / t.as_secs_f64();
        rows.push(vec![
            name.to_string(),
            thousands(records.len() as u64),
            format!("{:.3} s", t.as_secs_f64()),
            thousands(rate as u64),
            format!("{:.0}", t.as_nanos() as f64 / records.len() as f64),
        ]);
    }
    println!(
        "{}",
        table(
            &["engine", "records", "time", "records/s", "ns/record"],
            &rows
        )
    );
    println!(
        "times: median of {FAST_RUNS} runs (JIT, hand-written) or {SLOW_RUNS} (interpreter, VRL)"
    );
    println!(
        "outcomes (written, skipped, failed): {jit_counts:?}; JIT compile time of the program (median of {}): {:.2} ms",
        compiles.len(),
        compile.as_secs_f64() * 1e3
    );
    let rate = |i: usize| 1.0 / results[i].1.as_secs_f64();
    println!(
        "jit/vrl={:.2} jit/handwritten={:.2}",
        rate(0) / rate(2),
        rate(0) / rate(3)
    );
    Ok(())
}

fn record_id(analysis: &dash_check::Analysis, name: &str) -> Result<RecordId, String> {
    analysis
        .program
        .records
        .iter()
        .position(|r| r.name == name)
        .map(|i| RecordId(i as u32))
        .ok_or(format!("no record {name}"))
}

/// Run `f` over every record in batches; time and (written, skipped,
/// failed) counts.
fn time(
    records: &[Value],
    f: impl Fn(&[Value]) -> Vec<Outcome>,
) -> (Duration, (usize, usize, usize)) {
    let mut counts = (0, 0, 0);
    let started = Instant::now();
    for batch in records.chunks(BATCH) {
        for o in f(batch) {
            match o {
                Outcome::Value(_) => counts.0 += 1,
                Outcome::Skipped => counts.1 += 1,
                Outcome::Failed(_) => counts.2 += 1,
            }
        }
    }
    (started.elapsed(), counts)
}

/// Run `f` over every columnar batch; time and summed counts.
fn time_columns(
    batches: &[Columns],
    f: impl Fn(&Columns) -> Result<(usize, usize, usize), String>,
) -> Result<(Duration, (usize, usize, usize)), String> {
    let mut counts = (0, 0, 0);
    let started = Instant::now();
    for batch in batches {
        let (v, s, e) = f(batch)?;
        counts.0 += v;
        counts.1 += s;
        counts.2 += e;
    }
    Ok((started.elapsed(), counts))
}

/// (written, skipped, failed) from status bytes (0, 1, 2).
fn status_counts(status: &[u8]) -> (usize, usize, usize) {
    let mut counts = (0, 0, 0);
    for s in status {
        match s {
            0 => counts.0 += 1,
            1 => counts.1 += 1,
            _ => counts.2 += 1,
        }
    }
    counts
}

/// The transform written by hand over the same columnar batches as the
/// JIT's: reads `Reading` columns, writes `Metric` columns and a status
/// byte per row (failed rows' errors kept, as the JIT does).
fn handwritten(
    input: &Columns,
    output: &std::sync::Arc<Shape>,
) -> (Columns, Vec<u8>, Vec<(usize, String)>) {
    let mut out = Columns::new(output, input.len);
    let mut status = vec![2u8; input.len];
    let mut failures = Vec::new();
    let (
        [
            Column::Str(station),
            Column::Int(ts),
            Column::Float(temp_c),
            Column::Float(humidity),
        ],
        [humidity_null],
    ) = (&input.columns[..], &input.nulls[..])
    else {
        return (out, status, failures);
    };
    let Columns { columns, .. } = &mut out;
    let [
        Column::Str(o_station),
        Column::Int(o_ts),
        Column::Float(o_temp_f),
        Column::Float(o_humidity),
        Column::Str(o_comfort),
    ] = &mut columns[..]
    else {
        return (out, status, failures);
    };
    for row in 0..input.len {
        let name = station.get(row).trim().to_lowercase();
        if name.is_empty() {
            failures.push((row, "empty station".to_string()));
            continue;
        }
        let temp_f = temp_c[row] * 9.0 / 5.0 + 32.0;
        if temp_f < -100.0 {
            status[row] = 1;
            continue;
        }
        o_station.set(row, &name);
        o_ts[row] = ts[row];
        // Dash's `round` (decimal half away from zero), as the program asks.
        o_temp_f[row] = dash_check::stdlib::round_to(temp_f, 1);
        o_humidity[row] = if humidity_null[row] != 0 {
            0.0
        } else {
            humidity[row]
        };
        let comfort = if temp_f > 80.0 {
            "hot"
        } else if temp_f < 50.0 {
            "cold"
        } else {
            "ok"
        };
        o_comfort.set(row, comfort);
        status[row] = 0;
    }
    (out, status, failures)
}

/// A Dash `Reading` as a VRL event object.
fn vrl_event(r: &Value) -> vrl::value::Value {
    use vrl::value::Value as V;
    let mut map = BTreeMap::new();
    if let Value::Record(r) = r {
        let names = ["station", "ts", "temp_c", "humidity"];
        for (name, v) in names.iter().zip(r.fields.iter()) {
            let v = match v {
                Value::Str(s) => V::from(s.to_string()),
                Value::Float(f) => V::from_f64_or_zero(*f),
                Value::Int(i) => V::Integer(*i),
                Value::Timestamp(t) => {
                    V::Timestamp(chrono::DateTime::from_timestamp_micros(*t).unwrap_or_default())
                }
                _ => V::Null,
            };
            map.insert((*name).into(), v);
        }
    }
    V::Object(map)
}

fn vrl_time(events: &[vrl::value::Value]) -> Result<(Duration, (usize, usize, usize)), String> {
    use vrl::compiler::{TargetValue, TimeZone, runtime::Runtime};
    use vrl::value::{Secrets, Value as V};
    let fns = vrl::stdlib::all();
    let compiled = vrl::compiler::compile(VRL_PROGRAM, &fns)
        .map_err(|d| format!("VRL: {}", vrl::diagnostic::Formatter::new(VRL_PROGRAM, d)))?;
    let timezone = TimeZone::default();
    let mut runtime = Runtime::default();
    let mut counts = (0, 0, 0);
    let started = Instant::now();
    for batch in events.chunks(BATCH) {
        let mut out = Vec::with_capacity(batch.len());
        for event in batch {
            let mut target = TargetValue {
                value: event.clone(),
                metadata: V::Object(BTreeMap::new()),
                secrets: Secrets::default(),
            };
            let result = runtime.resolve(&mut target, &compiled.program, &timezone);
            runtime.clear();
            match result {
                Ok(_) => {
                    counts.0 += 1;
                    out.push(target.value);
                }
                Err(vrl::compiler::runtime::Terminate::Abort(_)) => counts.1 += 1,
                Err(_) => counts.2 += 1,
            }
        }
        drop(out);
    }
    Ok((started.elapsed(), counts))
}
