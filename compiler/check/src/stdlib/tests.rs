//! Tests of the standard library as a whole: the examples program, the
//! generated docs, literal checks.

use super::docs::is_plain_call;
use super::*;
use dash_syntax::ast::{BinOp, DeclKind, Expr, ExprKind, StrPart, UnaryOp};
use dash_syntax::source::FileId;
use std::sync::Arc;

#[test]
fn names_are_unique_and_documented() {
    for (i, b) in BUILTINS.iter().enumerate() {
        assert!(!b.doc.is_empty(), "{} has no doc", b.name);
        assert!(!b.examples.is_empty(), "{} has no example", b.name);
        assert!(
            BUILTINS[..i].iter().all(|o| o.name != b.name),
            "{} twice",
            b.name
        );
    }
}

#[test]
fn plain_calls() {
    assert!(is_plain_call(r#"lower("ÀBC")"#));
    assert!(is_plain_call(r#"f(")(", g(1))"#));
    assert!(!is_plain_call(r#"to_int("x") ?? -1"#));
    assert!(!is_plain_call(r#"hash64("a") == hash64("a")"#));
    assert!(!is_plain_call("1 + 2"));
    assert!(!is_plain_call("(f(1))"));
}

/// docs/functions.md is generated; it must match the stdlib files.
#[test]
fn functions_doc_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/functions.md");
    let want = functions_markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        if let Err(e) = std::fs::write(&path, &want) {
            panic!("cannot write {}: {e}", path.display());
        }
        return;
    }
    let have = std::fs::read_to_string(&path)
        .unwrap_or_default()
        .replace("\r\n", "\n");
    assert!(
        have == want,
        "docs/functions.md is out of date with compiler/check/src/stdlib; regenerate it with \
         `UPDATE_DOCS=1 cargo test -p dash-check stdlib`"
    );
}

/// The examples program parses and type-checks.
#[test]
fn examples_program_checks() {
    let program = examples_as_test_program();
    let analysis = crate::analyze_inputs(vec![(
        "examples.dash".to_string(),
        crate::Input::Text(program.clone()),
    )]);
    let errors: Vec<String> = analysis
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{:?} {} at {:?}", d.code, d.message, d.primary.span))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{program}");
}

/// Every evaluable example holds when run with the built-ins' `eval`
/// (a small evaluator for literals, calls, `??` and comparisons,
/// until the interpreter runs the examples program itself).
#[test]
fn examples_hold() {
    let program = examples_as_test_program();
    let parsed = dash_syntax::parse(FileId(0), &program);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    let cx = EvalContext {
        now: 1_767_225_600_000_000,
    };
    let mut count = 0;
    for decl in &parsed.file.decls {
        let DeclKind::Test(test) = &decl.kind else {
            continue;
        };
        count += 1;
        let got = eval_expr(&test.expr, &cx);
        assert!(
            matches!(got, Ok(Value::Bool(true))),
            "{}: {:?}",
            test.name.name,
            got
        );
    }
    let expected: usize = BUILTINS
        .iter()
        .map(|b| b.examples.iter().filter(|e| e.is_evaluable()).count())
        .sum();
    assert_eq!(count, expected);
}

fn eval_expr(e: &Expr, cx: &EvalContext) -> Result<Value, String> {
    Ok(match &e.kind {
        ExprKind::Int(i) => Value::Int(*i),
        ExprKind::Float(f) => Value::Float(*f),
        ExprKind::Bool(b) => Value::Bool(*b),
        ExprKind::Null => Value::Null,
        ExprKind::Duration(d) => Value::Duration(*d),
        ExprKind::Timestamp(t) => Value::Timestamp(*t),
        ExprKind::Str(parts) => {
            let mut s = String::new();
            for p in parts {
                match p {
                    StrPart::Text(t) => s.push_str(t),
                    StrPart::Interp(e) => s.push_str(&eval_expr(e, cx)?.to_text()),
                }
            }
            Value::string(s)
        }
        ExprKind::List(items) => Value::List(
            items
                .iter()
                .map(|i| eval_expr(i, cx))
                .collect::<Result<Arc<[Value]>, String>>()?,
        ),
        ExprKind::Paren(inner) => eval_expr(inner, cx)?,
        ExprKind::Call { func, args } => {
            let b = lookup(&func.name).ok_or(format!("no builtin {}", func.name))?;
            let args = args
                .iter()
                .map(|a| eval_expr(a, cx))
                .collect::<Result<Vec<_>, _>>()?;
            (b.eval)(&args, cx)?
        }
        ExprKind::Unary { op, operand } => match (op, eval_expr(operand, cx)?) {
            (UnaryOp::Neg, Value::Int(i)) => Value::Int(-i),
            (UnaryOp::Neg, Value::Float(f)) => Value::Float(-f),
            (UnaryOp::Neg, Value::Duration(d)) => Value::Duration(-d),
            (UnaryOp::Not, Value::Bool(b)) => Value::Bool(!b),
            (op, v) => return Err(format!("unsupported {op:?} {v:?}")),
        },
        ExprKind::Binary { op, lhs, rhs, .. } => {
            if *op == BinOp::Coalesce {
                return match eval_expr(lhs, cx) {
                    Ok(Value::Null) | Err(_) => eval_expr(rhs, cx),
                    ok => ok,
                };
            }
            let (a, b) = (eval_expr(lhs, cx)?, eval_expr(rhs, cx)?);
            let ord = a.compare(&b);
            Value::Bool(match op {
                BinOp::Eq => a.equals(&b),
                BinOp::Ne => !a.equals(&b),
                BinOp::Lt => ord.is_some_and(|o| o.is_lt()),
                BinOp::Le => ord.is_some_and(|o| o.is_le()),
                BinOp::Gt => ord.is_some_and(|o| o.is_gt()),
                BinOp::Ge => ord.is_some_and(|o| o.is_ge()),
                _ => return Err(format!("unsupported operator {op:?}")),
            })
        }
        other => return Err(format!("unsupported expression {other:?}")),
    })
}

/// Wrong-typed, null and extreme arguments give `Err` or a value,
/// never a panic, for every built-in and every arity up to 3.
#[test]
fn no_panics_on_any_arguments() {
    let samples = vec![
        Value::Null,
        Value::Bool(true),
        Value::Int(i64::MIN),
        Value::Int(-1),
        Value::Int(0),
        Value::Int(i64::MAX),
        Value::Float(f64::NAN),
        Value::Float(-0.0),
        Value::Float(f64::INFINITY),
        Value::Float(1e300),
        Value::str(""),
        Value::str("é\u{301}🎉 x"),
        Value::str("%Y-%m-%dT%H:%M:%S%z"),
        Value::str("a.b[0]"),
        Value::str("(["),
        Value::str("%"),
        Value::Timestamp(i64::MIN),
        Value::Timestamp(i64::MAX),
        Value::Duration(i64::MIN),
        Value::Duration(0),
        Value::Duration(i64::MAX),
        Value::Json(Arc::new(serde_json::json!({"a": {"b": [1, null]}}))),
        Value::Json(Arc::new(serde_json::json!(18446744073709551615u64))),
        Value::Json(Arc::new(serde_json::Value::Null)),
        Value::list(vec![Value::str("a"), Value::Int(1)]),
        Value::list(vec![]),
    ];
    let cx = EvalContext { now: i64::MIN };
    for b in BUILTINS {
        let _ = (b.eval)(&[], &cx);
        for x in &samples {
            let _ = (b.eval)(std::slice::from_ref(x), &cx);
            for y in &samples {
                let _ = (b.eval)(&[x.clone(), y.clone()], &cx);
                for z in &samples {
                    let _ = (b.eval)(&[x.clone(), y.clone(), z.clone()], &cx);
                }
            }
            let four = vec![x.clone(); 4];
            let _ = (b.eval)(&four, &cx);
        }
    }
}

/// The errors of a transform whose result is `to_string(call)`, as
/// (code, text of the primary span, message).
fn call_errors(call: &str) -> Vec<(dash_syntax::diag::Code, String, String)> {
    let program = format!("transform t(s: string) -> string {{\n  to_string({call})\n}}\n");
    let analysis = crate::analyze_inputs(vec![(
        "t.dash".to_string(),
        crate::Input::Text(program.clone()),
    )]);
    analysis
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| {
            let span = d.primary.span;
            (
                d.code,
                program[span.start as usize..span.end as usize].to_string(),
                d.message.clone(),
            )
        })
        .collect()
}

/// A literal unit, fill character, separator or namespace that would
/// fail every row is E0029 on the literal; the same call with a
/// computed argument or a valid literal checks clean.
#[test]
fn literal_arguments_are_checked() {
    use dash_syntax::diag::Code;
    for (call, literal, why) in [
        (
            r#"date_trunc("fortnight", @2026-01-01T00:00:00Z)"#,
            r#""fortnight""#,
            "unknown unit",
        ),
        (
            r#"date_trunc("Hour", @2026-01-01T00:00:00Z)"#,
            r#""Hour""#,
            "did you mean \"hour\"",
        ),
        (
            r#"pad_left(s, 3, "ab")"#,
            r#""ab""#,
            "exactly one character",
        ),
        (r#"pad_right(s, 3, "")"#, r#""""#, "exactly one character"),
        (r#"parse_key_value(s, "", ",")"#, r#""""#, "not be empty"),
        (r#"parse_key_value(s, "=", "")"#, r#""""#, "not be empty"),
        (r#"uuid_v5("dns", s)"#, r#""dns""#, "not a UUID"),
    ] {
        let errors = call_errors(call);
        assert_eq!(errors.len(), 1, "{call}: {errors:?}");
        let (code, text, message) = &errors[0];
        assert_eq!(*code, Code::InvalidLiteral, "{call}");
        assert_eq!(text, literal, "{call}");
        assert!(message.contains(why), "{call}: {message}");
    }
    for call in [
        r#"date_trunc("week", @2026-01-01T00:00:00Z)"#,
        "date_trunc(s, @2026-01-01T00:00:00Z)",
        r#"date_trunc("${s}", @2026-01-01T00:00:00Z)"#,
        r#"pad_left(s, 3, "é")"#,
        "pad_right(s, 3, s)",
        r#"parse_key_value(s, "=", " ")"#,
        r#"uuid_v5("6BA7B810-9DAD-11D1-80B4-00C04FD430C8", "x")"#,
        // Data arguments are not checked: a literal may fail on purpose.
        r#"parse_duration("soon") ?? 0s"#,
    ] {
        assert_eq!(call_errors(call), vec![], "{call}");
    }
    for check in LITERAL_CHECKS {
        let b = lookup(check.builtin).expect("a built-in");
        assert!(
            b.signatures.iter().all(|s| {
                s.params
                    .get(check.param)
                    .is_some_and(|(_, ty)| *ty == SigTy::String)
            }),
            "{} {}",
            check.builtin,
            check.param
        );
    }
}

#[test]
fn quoting_is_short() {
    assert_eq!(quote("x"), "\"x\"");
    let long = "é".repeat(100);
    assert_eq!(quote(&long), format!("\"{}\"…", "é".repeat(40)));
}

#[test]
fn wrong_arguments_are_errors() {
    let cx = EvalContext::default();
    for b in BUILTINS {
        if b.name == "now" {
            continue;
        }
        let r = (b.eval)(&[Value::Null, Value::Null, Value::Null, Value::Null], &cx);
        assert!(r.is_err(), "{}", b.name);
    }
}
