//! A panic inside a helper is a row failure (R0005), never a made-up
//! value: helper by helper, and through compiled row and batch
//! functions. No input is known to make `round_to`, `to_uppercase` or
//! `to_lowercase` panic, so the panic is injected ([`inject`], compiled
//! into test builds only). And every helper documents its safety
//! contract.

use std::sync::Arc;

use super::inject::panic_in;
use super::*;
use crate::Jit;
use dash_check::analyze;
use dash_ir::interp::Outcome;
use dash_ir::lower::lower;
use dash_syntax::SourceFile;

/// A context over fresh scratch space, with `sites`.
struct Fixture {
    sites: Vec<Site>,
    eval: EvalContext,
    arena: Arena,
    bytes: Bytes,
}

impl Fixture {
    fn new(sites: Vec<Site>) -> Fixture {
        Fixture {
            sites,
            eval: EvalContext::default(),
            arena: Arena::default(),
            bytes: Bytes::default(),
        }
    }

    fn ctx(&mut self) -> Ctx<'_> {
        Ctx {
            dirty: 0,
            functions: &[],
            sites: &self.sites,
            eval: &self.eval,
            arena: &mut self.arena,
            bytes: &mut self.bytes,
            input: std::ptr::null(),
            output: std::ptr::null_mut(),
            failures: Vec::new(),
            pending: None,
            nested: None,
            skipped: false,
            failure: None,
        }
    }
}

fn r0005(name: &str) -> Option<(RowErrorCode, String)> {
    Some((
        RowErrorCode::Function,
        format!("`{name}` panicked: injected panic in `{name}`"),
    ))
}

#[test]
fn round_reports_a_panic_instead_of_returning_its_input() {
    let mut fixture = Fixture::new(Vec::new());
    let mut cx = fixture.ctx();
    let mut out = 0.0;
    // SAFETY: a live context and a live f64 for the result.
    let failed = unsafe { dash_round(&mut cx, 2.345, 2, &mut out) };
    assert_eq!((failed, out), (0, 2.35));
    assert_eq!(cx.pending, None);

    let _panics = panic_in("round");
    // SAFETY: as above.
    let failed = unsafe { dash_round(&mut cx, 2.345, 2, &mut out) };
    assert_eq!(failed, 1, "the rounding panicked: the row must fail");
    assert!(out.is_nan());
    assert_eq!(cx.pending, r0005("round"));
}

/// `lower`/`upper` of `s` through the helper: the string, or `None` for
/// the null pointer.
fn map(cx: &mut Ctx, upper: bool, s: &str) -> Option<String> {
    let mut len = -1;
    let (ptr, n) = (s.as_ptr(), s.len() as i64);
    // SAFETY: a live context, a whole `str` and a live length slot.
    let p = unsafe {
        if upper {
            dash_str_upper(cx, ptr, n, &mut len)
        } else {
            dash_str_lower(cx, ptr, n, &mut len)
        }
    };
    // SAFETY: a non-null result is a native string of `len` bytes in the
    // scratch bytes, not cleared yet.
    (!p.is_null()).then(|| unsafe { strings::text(p, len) }.to_string())
}

#[test]
fn case_mapping_reports_a_panic_instead_of_returning_an_empty_string() {
    let mut fixture = Fixture::new(Vec::new());
    let mut cx = fixture.ctx();
    assert_eq!(map(&mut cx, true, "Straße").as_deref(), Some("STRASSE"));
    assert_eq!(map(&mut cx, false, "ÀB").as_deref(), Some("àb"));
    // Empty results are not null.
    assert_eq!(map(&mut cx, true, "").as_deref(), Some(""));
    assert_eq!(cx.pending, None);

    for (upper, name) in [(true, "upper"), (false, "lower")] {
        let _panics = panic_in(name);
        assert_eq!(map(&mut cx, upper, "Straße"), None, "{name}");
        assert_eq!(cx.pending.take(), r0005(name));
    }
}

#[test]
fn a_built_in_that_panics_is_r0005_naming_it() {
    let mut site = Site::new(FileId(0), Span::default());
    site.builtin = dash_check::stdlib::lookup("sqrt");
    let mut fixture = Fixture::new(vec![site]);
    let mut cx = fixture.ctx();
    let arg = Value::Float(4.0);
    let args = [&arg as *const Value];
    let _panics = panic_in("sqrt");
    // SAFETY: a live context; one live value pointer at `args`.
    let p = unsafe { dash_call_builtin(&mut cx, 0, args.as_ptr(), 1) };
    assert!(p.is_null());
    assert_eq!(cx.pending, r0005("sqrt"));
}

const PROGRAM: &str = r#"
type In {
  x: float
  s: string
}

type Out {
  r: float
  lo: string
  up: string
}

transform t(e: In) -> Out {
  Out { r: round(e.x, 2), lo: lower(e.s), up: upper(e.s) }
}

transform rounded(x: float) -> float {
  round(x, 1)
}
"#;

/// The span of the first `call` in `PROGRAM`.
fn span_of(call: &str) -> Span {
    let start = PROGRAM.find(call).expect("in PROGRAM");
    Span::new(start, start + call.len())
}

fn failed_with(outcome: &Outcome, name: &str, span: Span) -> bool {
    matches!(outcome, Outcome::Failed(e)
        if Some((e.code, e.message.clone())) == r0005(name) && e.span == span)
}

/// Through compiled code: the injected panic fails the row at the call,
/// in the row function and in the batch function; without it, the JIT
/// agrees with the interpreter.
#[test]
fn compiled_code_fails_the_row_where_a_helper_panicked() {
    let analysis = analyze(vec![SourceFile::new("panic.dash", PROGRAM)]);
    assert_eq!(analysis.error_count(), 0, "{:?}", analysis.diagnostics);
    let ir = lower(&analysis);
    let jit = Jit::compile(&ir).expect("compiles");
    let (t, _) = ir.function("t").expect("t");
    let (rounded, _) = ir.function("rounded").expect("rounded");
    assert!(jit.batch_shapes(t).is_some(), "t has a batch function");
    let input = RecordId(
        analysis
            .program
            .records
            .iter()
            .position(|r| r.name == "In")
            .expect("In") as u32,
    );
    let records: Vec<Value> = [(2.345, "Straße"), (-1.5, "àb")]
        .iter()
        .map(|(x, s)| Value::record(input, vec![Value::Float(*x), Value::str(s)]))
        .collect();
    let cx = EvalContext::default();
    let interp = crate::engine::Engine::Interp(&ir);

    for record in &records {
        let want = interp.run(t, std::slice::from_ref(record), &cx);
        let got = jit.run(t, std::slice::from_ref(record), &cx);
        assert!(matches!((&want, &got), (Outcome::Value(a), Outcome::Value(b)) if a.equals(b)));
    }
    let shapes = jit.batch_shapes(t).expect("a batch function").clone();
    let batch = |jit: &Jit| {
        let columns = dash_ir::columns::Columns::from_values(&shapes.input, &records);
        assert!(Arc::ptr_eq(&columns.shape, &shapes.input));
        jit.run_columns(t, &columns, &cx).expect("runs").outcomes()
    };
    assert!(batch(&jit).iter().all(|o| matches!(o, Outcome::Value(_))));

    for (name, call) in [
        ("round", "round(e.x, 2)"),
        ("lower", "lower(e.s)"),
        ("upper", "upper(e.s)"),
    ] {
        let span = span_of(call);
        let _panics = panic_in(name);
        // Neither string is ASCII: the Unicode mapping runs (and
        // panics) for every row.
        for record in &records {
            let got = jit.run(t, std::slice::from_ref(record), &cx);
            assert!(failed_with(&got, name, span), "row, {name}: {got:?}");
        }
        for got in batch(&jit) {
            assert!(failed_with(&got, name, span), "batch, {name}: {got:?}");
        }
    }

    // A transform without a batch function, returning the float itself.
    let _panics = panic_in("round");
    let got = jit.run(rounded, &[Value::Float(0.25)], &cx);
    assert!(
        failed_with(&got, "round", span_of("round(x, 1)")),
        "{got:?}"
    );
}

/// Every `unsafe extern "C"` helper says what its caller must guarantee,
/// and no `SAFETY` comment just points at "the module invariants".
#[test]
fn every_helper_documents_its_safety() {
    let files = [
        ("mod.rs", include_str!("mod.rs")),
        ("strings.rs", include_str!("strings.rs")),
        ("batch.rs", include_str!("batch.rs")),
    ];
    let mut helpers = 0;
    for (file, text) in files {
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if line.starts_with(concat!("pub unsafe extern ", "\"C\" fn")) {
                helpers += 1;
                let doc = lines[..i]
                    .iter()
                    .rev()
                    .take_while(|l| l.trim_start().starts_with("///"));
                assert!(
                    doc.clone().any(|l| l.trim() == "/// # Safety"),
                    "{file}:{}: no `# Safety` section",
                    i + 1
                );
            }
            if let Some(at) = line.find(concat!("// SAF", "ETY:")) {
                // The comment: this line and the `//` lines after it.
                let mut comment = line[at..].to_string();
                for next in &lines[i + 1..] {
                    match next.trim_start().strip_prefix("//") {
                        Some(rest) if !rest.contains(concat!("SAF", "ETY:")) => {
                            comment.push_str(rest)
                        }
                        _ => break,
                    }
                }
                let vague = ["module invariants", "forwarded."];
                assert!(
                    comment.len() > 30 && !vague.iter().any(|v| comment.contains(v)),
                    "{file}:{}: the SAFETY comment must name the invariant: {comment}",
                    i + 1
                );
            }
        }
    }
    assert!(helpers >= 30, "found {helpers} helpers");
}
