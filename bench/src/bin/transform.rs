//! Issue #4's benchmark: the weather transform of LANGUAGE.md §1 over
//! 1,000,000 in-memory records (decoding excluded), run by
//! (a) the Dash JIT, (b) the Dash interpreter, (c) the same program in VRL
//! (the `vrl` crate), (d) the same logic hand-written in Rust over the same
//! record values. Prints records/s of each, then
//! `jit/vrl=X.XX jit/handwritten=Y.YY`.
//!
//! ```sh
//! cargo run --release -p dash-bench --bin transform -- [--n 1000000]
//! ```

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use dash_bench::{table, thousands, weather_data, weather_pipeline};
use dash_compiler::check::RecordId;
use dash_compiler::engine::Engine;
use dash_compiler::interp::Outcome;
use dash_compiler::jit::Jit;
use dash_compiler::stdlib::EvalContext;
use dash_compiler::value::Value;
use dash_compiler::{SourceFile, analyze, lower::lower};

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
        let Ok(record) = dash_compiler::decode::decode_record(&json, reading, &analysis.program)
        else {
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
    let compile = jit.compile_time;
    let engine = Engine::Jit(&jit);
    let (t, jit_counts) = time(&records, |r| engine.run(func, std::slice::from_ref(r), &cx));
    results.push(("Dash JIT", t, jit_counts));

    if only.as_deref() == Some("jit") {
        // Profiling: repeat, so the transform dominates the decoding.
        for _ in 0..5 {
            let (t, _) = time(&records, |r| engine.run(func, std::slice::from_ref(r), &cx));
            println!("jit: {:.3} s", t.as_secs_f64());
        }
        return Ok(());
    }
    let skip = |name: &str| only.as_deref().is_some_and(|o| o != name);
    if !skip("interp") {
        let engine = Engine::Interp(&program);
        let (t, counts) = time(&records, |r| engine.run(func, std::slice::from_ref(r), &cx));
        results.push(("Dash interpreter", t, counts));
    }
    if !skip("vrl") {
        let (t, counts) = vrl_time(&events)?;
        results.push(("VRL (vrl 0.38 crate)", t, counts));
    }
    if !skip("rust") {
        let (t, counts) = time(&records, |r| handwritten(r, metric));
        results.push(("hand-written Rust", t, counts));
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
        "outcomes (written, skipped, failed): {jit_counts:?}; JIT compile time of the program: {:.2} ms",
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

fn record_id(analysis: &dash_compiler::Analysis, name: &str) -> Result<RecordId, String> {
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
fn time(records: &[Value], f: impl Fn(&Value) -> Outcome) -> (Duration, (usize, usize, usize)) {
    let mut counts = (0, 0, 0);
    let started = Instant::now();
    for batch in records.chunks(BATCH) {
        let out: Vec<Outcome> = batch.iter().map(&f).collect();
        for o in &out {
            match o {
                Outcome::Value(_) => counts.0 += 1,
                Outcome::Skipped => counts.1 += 1,
                Outcome::Failed(_) => counts.2 += 1,
            }
        }
    }
    (started.elapsed(), counts)
}

/// The transform written by hand over the same record values.
fn handwritten(r: &Value, metric: RecordId) -> Outcome {
    let Value::Record(r) = r else {
        return Outcome::Skipped;
    };
    let [Value::Str(station), ts, temp_c, humidity] = &r.fields[..] else {
        return Outcome::Skipped;
    };
    let station = station.trim().to_lowercase();
    if station.is_empty() {
        return Outcome::Failed(dash_compiler::interp::RowError {
            code: dash_compiler::interp::RowErrorCode::Require,
            message: "empty station".into(),
            file: dash_compiler::FileId(0),
            span: Default::default(),
        });
    }
    let temp_c = temp_c.as_float().unwrap_or(f64::NAN);
    let temp_f = temp_c * 9.0 / 5.0 + 32.0;
    if temp_f < -100.0 {
        return Outcome::Skipped;
    }
    // Dash's `round` (decimal half away from zero), as the program asks.
    let rounded = dash_compiler::stdlib::round_to(temp_f, 1);
    let comfort = if temp_f > 80.0 {
        "hot"
    } else if temp_f < 50.0 {
        "cold"
    } else {
        "ok"
    };
    Outcome::Value(Value::record(
        metric,
        vec![
            Value::string(station),
            ts.clone(),
            Value::Float(rounded),
            Value::Float(humidity.as_float().unwrap_or(0.0)),
            Value::string(comfort.into()),
        ],
    ))
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
