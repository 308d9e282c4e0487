//! Reactor plans: steps, dependencies, order, options and the functions
//! the runtime calls, for the reactor of LANGUAGE.md §6.

use std::fmt::Write as _;

use dash_check::analyze;
use dash_check::stdlib::EvalContext;
use dash_check::value::Value;
use dash_ir::interp::Outcome;
use dash_ir::lower::lower;
use dash_ir::{EffectPlan, StepKind};
use dash_jit::engine::Engine;
use dash_syntax::SourceFile;

#[test]
fn the_language_reference_reactor() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/check/ok/orders_enrich.dash");
    let analysis = analyze(vec![SourceFile::new(
        "orders_enrich.dash",
        std::fs::read_to_string(path).unwrap(),
    )]);
    assert_eq!(analysis.error_count(), 0);
    let program = lower(&analysis);
    let plan = program.reactor("enrich").expect("plan");
    let mut text = format!("env: {:?}\norder: {:?}\n", plan.env, plan.order);
    let name = |f: &dash_ir::FuncId| program.functions[f.0 as usize].name.clone();
    for s in &plan.steps {
        let kind = match &s.kind {
            StepKind::Pure(f) => format!("pure {}", name(f)),
            StepKind::Compose { reactor, .. } => format!("compose {reactor}"),
            StepKind::Effect(EffectPlan::Lookup { table, keys, .. }) => {
                format!(
                    "lookup {table} keys {:?}",
                    keys.iter().map(|(k, f)| (k, name(f))).collect::<Vec<_>>()
                )
            }
            StepKind::Effect(EffectPlan::Http {
                method, url, body, ..
            }) => format!(
                "http {method} url {} body {:?}",
                name(url),
                body.iter().map(|(k, _)| k).collect::<Vec<_>>()
            ),
            StepKind::Effect(EffectPlan::Call(f)) => format!("call {}", name(f)),
        };
        let _ = writeln!(
            text,
            "{}: {} deps {:?} retry {} backoff {:?} timeout {:?} required {} compensate {} undo {}",
            s.name,
            kind,
            s.deps,
            s.retry,
            s.backoff,
            s.timeout,
            s.required,
            s.compensate.is_some(),
            s.undo.is_some()
        );
    }
    insta::assert_snapshot!(text);

    // The pure step and the URL run on the engines over the environment.
    let order = Value::record(
        dash_check::RecordId(0),
        vec![
            Value::str("o1"),
            Value::str("c1"),
            Value::str("EUR"),
            Value::str("sku-9"),
            Value::Float(10.0),
        ],
    );
    let rate = analysis
        .program
        .records
        .iter()
        .position(|r| r.name == "Rate")
        .unwrap();
    let fx = Value::record(dash_check::RecordId(rate as u32), vec![Value::Float(1.5)]);
    let env = vec![order, Value::Null, fx, Value::Null, Value::Null];
    let cx = EvalContext { now: 0 };
    let StepKind::Pure(total) = plan.steps[3].kind else {
        panic!()
    };
    let jit = dash_jit::Jit::compile(&program).unwrap();
    for engine in [Engine::Interp(&program), Engine::Jit(&jit)] {
        assert!(
            matches!(engine.run(total, &env, &cx), Outcome::Value(Value::Float(f)) if f == 15.0)
        );
        let StepKind::Effect(EffectPlan::Http { url, .. }) = plan.steps[1].kind else {
            panic!()
        };
        assert!(
            matches!(engine.run(url, &env, &cx), Outcome::Value(Value::Str(s)) if &*s == "https://fx.example/v1/EUR")
        );
    }
}
