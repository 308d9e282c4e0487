//! Running `test` blocks (what `dashc test` prints): each test is lowered
//! to IR and run by an engine; failures carry a readable, field-by-field
//! difference between what was expected and what the code produced.

use crate::engine::Engine;
use dash_check::Program as Checked;
use dash_check::analysis::Analysis;
use dash_check::stdlib::EvalContext;
use dash_check::value::Value;
use dash_ir as ir;
use dash_ir::interp::{Outcome, RowError};
use dash_ir::lower::{test_function_name, test_message_function_name};
use dash_syntax::ast::{BinOp, DeclKind, ExprKind, TestDecl};
use dash_syntax::source::{FileId, Span};

/// The outcome of one test.
#[derive(Clone, Debug)]
pub struct TestReport {
    pub name: String,
    pub file: FileId,
    pub span: Span,
    /// `None` when it passed; else why it failed, ready to print.
    pub failure: Option<String>,
}

/// Run every test of an analysis (which must have no errors) on
/// `engine` (made from `program`). `now` is what `now()` returns.
pub fn run_tests(
    analysis: &Analysis,
    program: &ir::Program,
    engine: Engine,
    now: i64,
) -> Vec<TestReport> {
    let cx = EvalContext { now };
    let mut reports = Vec::new();
    for (i, parsed) in analysis.parsed.iter().enumerate() {
        for decl in &parsed.file.decls {
            let DeclKind::Test(t) = &decl.kind else {
                continue;
            };
            let failure = run_one(analysis, program, engine, t, &cx);
            reports.push(TestReport {
                name: t.name.name.clone(),
                file: FileId(i as u32),
                span: t.name.span,
                failure,
            });
        }
    }
    reports
}

fn run_one(
    analysis: &Analysis,
    program: &ir::Program,
    engine: Engine,
    t: &TestDecl,
    cx: &EvalContext,
) -> Option<String> {
    let Some((id, _)) = program.function(&test_function_name(&t.name.name)) else {
        return Some("the test could not be compiled".into());
    };
    let outcome = engine.run(id, &[], cx);
    let checked = &analysis.program;
    let names = &checked.records;
    if t.fails.is_some() {
        let expected = program
            .function(&test_message_function_name(&t.name.name))
            .map(|(m, _)| engine.run(m, &[], cx));
        let expected = match expected {
            Some(Outcome::Value(v)) => v.to_text(),
            _ => return Some("the expected failure message could not be computed".into()),
        };
        return match outcome {
            Outcome::Failed(e) if e.message == expected => None,
            Outcome::Failed(e) => Some(format!(
                "expected it to fail with {expected:?}\n   but it failed with {:?} ({} at {})",
                e.message,
                e.code.as_str(),
                location(analysis, &e)
            )),
            Outcome::Value(v) => Some(format!(
                "expected it to fail with {expected:?}\n   but it produced {}",
                v.to_literal(names)
            )),
            Outcome::Skipped => Some(format!(
                "expected it to fail with {expected:?}\n   but it skipped the row"
            )),
        };
    }
    let is_equality = matches!(t.expr.kind, ExprKind::Binary { op: BinOp::Eq, .. });
    match outcome {
        Outcome::Value(Value::List(pair)) if is_equality && pair.len() == 2 => {
            if pair[0].equals(&pair[1]) {
                None
            } else {
                Some(difference(checked, &pair[1], &pair[0]))
            }
        }
        Outcome::Value(Value::Bool(true)) if !is_equality => None,
        Outcome::Value(v) => Some(format!("expected `true`, got {}", v.to_literal(names))),
        Outcome::Skipped => {
            Some("the row was skipped (`skip if`), so there is no value to compare".into())
        }
        Outcome::Failed(e) => Some(format!(
            "the row failed: {:?} ({} at {})",
            e.message,
            e.code.as_str(),
            location(analysis, &e)
        )),
    }
}

fn location(analysis: &Analysis, e: &RowError) -> String {
    match analysis.files.get(e.file.0 as usize) {
        Some(f) => {
            let (line, col) = f.line_col(e.span.start as usize);
            format!("{}:{line}:{col}", f.path)
        }
        None => "?".into(),
    }
}

/// A readable difference: field by field for records, element by element
/// for lists, else the two values.
pub fn difference(checked: &Checked, expected: &Value, actual: &Value) -> String {
    let mut lines = Vec::new();
    diff_into(checked, "", expected, actual, &mut lines);
    if lines.is_empty() {
        // Equal text but not equal values (e.g. NaN).
        lines.push(format!(
            "expected {}\n        got {}",
            expected.to_literal(&checked.records),
            actual.to_literal(&checked.records)
        ));
    }
    format!("values differ:\n   {}", lines.join("\n   "))
}

fn diff_into(
    checked: &Checked,
    path: &str,
    expected: &Value,
    actual: &Value,
    out: &mut Vec<String>,
) {
    let names = &checked.records;
    match (expected, actual) {
        (Value::Record(e), Value::Record(a)) if e.ty == a.ty => {
            let fields = &checked.record(e.ty).fields;
            for (i, field) in fields.iter().enumerate() {
                let (Some(ev), Some(av)) = (e.fields.get(i), a.fields.get(i)) else {
                    continue;
                };
                if !ev.equals(av) {
                    let p = if path.is_empty() {
                        field.name.clone()
                    } else {
                        format!("{path}.{}", field.name)
                    };
                    diff_into(checked, &p, ev, av, out);
                }
            }
        }
        (Value::List(e), Value::List(a)) if e.len() == a.len() => {
            for (i, (ev, av)) in e.iter().zip(a.iter()).enumerate() {
                if !ev.equals(av) {
                    diff_into(checked, &format!("{path}[{i}]"), ev, av, out);
                }
            }
        }
        _ => {
            let label = if path.is_empty() {
                String::new()
            } else {
                format!("{path}: ")
            };
            out.push(format!(
                "{label}expected {}, got {}",
                expected.to_literal(names),
                actual.to_literal(names)
            ));
        }
    }
}
