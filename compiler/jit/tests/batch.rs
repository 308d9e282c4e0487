//! Batch functions on what the differential test's flat records do not
//! have: json and list fields, nested and nullable nested records in the
//! input and the output, the whole input record passed on, another
//! transform called, and a record built from a parameter of another
//! type. Each must give, row for row, what the interpreter gives; and a
//! batch function refuses columns of another layout.

use std::sync::Arc;

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

const PROGRAM: &str = r#"
type Point {
  x: float
  label: string?
}

type Event {
  id: int
  name: string
  tags: [string]
  meta: json?
  at: Point
  seen: Point?
  ok: bool
}

type Summary {
  id: int
  first_tag: string
  tag_count: int
  where: Point
  also: Point?
  meta: json?
  shout: string
  same: bool
  kept: Event
}

transform label_of(e: Event) -> string {
  e.seen?.label ?? upper(e.name)
}

transform summarize(e: Event) -> Summary {
  require len(e.tags) > 0 else "no tags for ${e.id}"
  skip if e.id < 0
  Summary {
    id: e.id * 2,
    first_tag: e.tags[0],
    tag_count: len(e.tags),
    where: Point { x: e.at.x + 1.0, label: e.at.label },
    also: e.seen,
    meta: e.meta,
    shout: label_of(e),
    same: e.name == lower(e.name) and e.ok,
    kept: e,
  }
}
"#;

fn id(analysis: &dash_check::Analysis, name: &str) -> RecordId {
    let i = analysis
        .program
        .records
        .iter()
        .position(|r| r.name == name)
        .expect("a record of PROGRAM");
    RecordId(i as u32)
}

fn events(point: RecordId, event: RecordId) -> Vec<Value> {
    let p = |x: f64, label: Option<&str>| {
        Value::record(
            point,
            vec![Value::Float(x), label.map_or(Value::Null, Value::str)],
        )
    };
    let e = |id: i64, name: &str, tags: &[&str], meta: Value, seen: Value, ok: bool| {
        Value::record(
            event,
            vec![
                Value::Int(id),
                Value::str(name),
                Value::list(tags.iter().map(|t| Value::str(t)).collect()),
                meta,
                p(1.5, Some("at")),
                seen,
                Value::Bool(ok),
            ],
        )
    };
    let json = |v: serde_json::Value| Value::Json(Arc::new(v));
    vec![
        e(
            1,
            "ksea",
            &["a", "b"],
            json(serde_json::json!({"k": [1, 2]})),
            Value::Null,
            true,
        ),
        e(2, "Ümlaut", &["x"], Value::Null, p(-0.0, None), false),
        e(3, "", &[], Value::Null, Value::Null, true),
        e(-4, "neg", &["n"], Value::Null, Value::Null, true),
        e(i64::MAX, "big", &["t"], Value::Null, Value::Null, true),
        e(
            5,
            "seen",
            &["s", "t", "u"],
            json(serde_json::json!(null)),
            p(2.0, Some("there")),
            true,
        ),
    ]
}

/// Equal, floats bit for bit.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits(),
        (Value::Record(x), Value::Record(y)) => {
            x.ty == y.ty && x.fields.iter().zip(&y.fields).all(|(p, q)| same(p, q))
        }
        _ => std::mem::discriminant(a) == std::mem::discriminant(b) && a.equals(b),
    }
}

#[test]
fn batch_functions_agree_with_the_interpreter_on_nested_records_json_and_lists() {
    let analysis = analyze(vec![SourceFile::new("batch.dash", PROGRAM)]);
    assert_eq!(analysis.error_count(), 0, "{:?}", analysis.diagnostics);
    let ir = lower(&analysis);
    let jit = Jit::compile(&ir).expect("compiles");
    let (func, _) = ir.function("summarize").expect("summarize");
    assert!(jit.batch_shapes(func).is_some());
    let input = events(id(&analysis, "Point"), id(&analysis, "Event"));
    let cx = EvalContext::default();
    let batched = Engine::Jit(&jit).run_records(func, &input, &cx);
    let mut kinds = [0; 3];
    for (record, got) in input.iter().zip(&batched) {
        let want = Engine::Interp(&ir).run(func, std::slice::from_ref(record), &cx);
        let agree = match (&want, got) {
            (Outcome::Value(a), Outcome::Value(b)) => same(a, b),
            (Outcome::Skipped, Outcome::Skipped) => true,
            (Outcome::Failed(a), Outcome::Failed(b)) => a == b,
            _ => false,
        };
        assert!(agree, "{record:?}\ninterpreter: {want:?}\nbatch: {got:?}");
        kinds[match want {
            Outcome::Value(_) => 0,
            Outcome::Skipped => 1,
            Outcome::Failed(_) => 2,
        }] += 1;
    }
    // Values, the skip, and failures (no tags; i64::MAX * 2) were all seen.
    assert_eq!(kinds, [3, 1, 2]);
}

#[test]
fn batch_functions_refuse_columns_of_another_layout() {
    let analysis = analyze(vec![SourceFile::new("batch.dash", PROGRAM)]);
    let ir = lower(&analysis);
    let jit = Jit::compile(&ir).expect("compiles");
    let (func, _) = ir.function("summarize").expect("summarize");
    let cx = EvalContext::default();
    let records = &analysis.program.records;
    // A batch of points is not a batch of events.
    let points = Columns::new(&Shape::new(records, id(&analysis, "Point")), 3);
    assert!(jit.run_columns(func, &points, &cx).is_none());
    // Nor is a batch of events whose columns are shorter than it says.
    // Nor is a batch of events of a shape made elsewhere (its tree, used
    // by the helpers, is not checked field by field).
    let elsewhere = Shape::new(records, id(&analysis, "Event"));
    assert!(
        jit.run_columns(func, &Columns::new(&elsewhere, 4), &cx)
            .is_none()
    );
    // Nor a batch of events whose columns are shorter than it says.
    let shape = jit
        .batch_shapes(func)
        .expect("a batch function")
        .input
        .clone();
    let mut short = Columns::new(&shape, 4);
    if let Some(Column::Int(ids)) = short.columns.first_mut() {
        ids.truncate(1);
    }
    assert!(jit.run_columns(func, &short, &cx).is_none());
    let fine = Columns::new(&shape, 4);
    assert!(jit.run_columns(func, &fine, &cx).is_some());
}

#[test]
fn any_non_zero_byte_is_true_and_null() {
    let text = "type I {\n  a: bool\n  b: bool\n  n: int?\n}\n\
                type O {\n  same: bool\n  missing: bool\n}\n\
                transform t(r: I) -> O {\n  O { same: r.a == r.b, missing: r.n == null }\n}\n";
    let analysis = analyze(vec![SourceFile::new("bytes.dash", text)]);
    assert_eq!(analysis.error_count(), 0, "{:?}", analysis.diagnostics);
    let ir = lower(&analysis);
    let jit = Jit::compile(&ir).expect("compiles");
    let (func, _) = ir.function("t").expect("t");
    let shape = jit
        .batch_shapes(func)
        .expect("a batch function")
        .input
        .clone();
    let mut input = Columns::new(&shape, 1);
    // a = 2 and b = 1 are both true; n's null byte is 7: null.
    if let [Column::Bool(a), Column::Bool(b), _] = &mut input.columns[..] {
        a[0] = 2;
        b[0] = 1;
    }
    input.nulls[0][0] = 7;
    let cx = EvalContext::default();
    let out = jit.run_columns(func, &input, &cx).expect("runs");
    let want = Engine::Interp(&ir).run(func, &[input.get(0)], &cx);
    let got = out.outcomes();
    assert_eq!(format!("{:?}", got[0]), format!("{want:?}"));
    assert!(matches!(&want, Outcome::Value(Value::Record(r))
        if matches!(r.fields[..], [Value::Bool(true), Value::Bool(true)])));
}
