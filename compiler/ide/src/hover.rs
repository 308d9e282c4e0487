//! Hover: the type of the expression or name under the cursor, the
//! signature and documentation of built-in functions and of options.

use dash_check::analysis::Analysis;
use dash_check::options::{OptSpec, PIPELINE_OPTIONS, sink_options, source_options};
use dash_check::stdlib;
use dash_check::{GlobalKind, Symbol};
use dash_syntax::ast::{DeclKind, Expr, ExprKind, OptionItem, Options};
use dash_syntax::source::{FileId, Span};

use super::navigate::symbol_at;

#[derive(Clone, Debug, PartialEq)]
pub struct Hover {
    pub span: Span,
    /// Markdown.
    pub text: String,
}

pub fn hover(analysis: &Analysis, file: FileId, offset: usize) -> Option<Hover> {
    let parsed = analysis.parsed.get(file.0 as usize)?;
    let decl = parsed.file.decls.iter().find(|d| d.span.contains(offset))?;
    if let Some(h) = option_hover(&decl.kind, offset) {
        return Some(h);
    }
    if let Some(h) = call_hover(analysis, file, &decl.kind, offset) {
        return Some(h);
    }
    if let Some(reference) = symbol_at(analysis, file, offset) {
        let text = describe(analysis, file, &reference.symbol, reference.span)?;
        return Some(Hover {
            span: reference.span,
            text,
        });
    }
    // The smallest typed expression around the cursor.
    let (span, ty) = analysis
        .program
        .expr_types
        .iter()
        .filter(|((f, s), _)| *f == file && s.contains(offset))
        .min_by_key(|((_, s), _)| s.len())
        .map(|((_, s), t)| (*s, t.clone()))?;
    Some(Hover {
        span,
        text: format!("```dash\n{}\n```", analysis.program.show(&ty)),
    })
}

fn describe(analysis: &Analysis, file: FileId, symbol: &Symbol, at: Span) -> Option<String> {
    let program = &analysis.program;
    let code = |s: String| format!("```dash\n{s}\n```");
    Some(match symbol {
        Symbol::Global(name) => {
            let global = program.globals.get(name)?;
            match global.kind {
                GlobalKind::Type(id) => {
                    let r = program.record(id);
                    let fields: Vec<String> = r
                        .fields
                        .iter()
                        .map(|f| format!("  {}: {}", f.name, program.show(&f.ty)))
                        .collect();
                    code(format!("type {} {{\n{}\n}}", r.name, fields.join("\n")))
                }
                GlobalKind::Transform | GlobalKind::Reactor => {
                    let c = program.callables.get(name)?;
                    let params: Vec<String> = c.params.iter().map(|t| program.show(t)).collect();
                    code(format!(
                        "{} {name}({}) -> {}",
                        global.kind.word(),
                        params.join(", "),
                        program.show(&c.output)
                    ))
                }
                GlobalKind::Source | GlobalKind::Sink => {
                    let ty = program
                        .endpoints
                        .get(name)
                        .map(|t| program.show(t))
                        .unwrap_or_default();
                    code(format!("{} {name}: {ty}", global.kind.word()))
                }
                GlobalKind::Pipeline => code(format!("pipeline {name}")),
            }
        }
        Symbol::Field(record, index) => {
            let r = program.records.get(record.0 as usize)?;
            let f = r.fields.get(*index as usize)?;
            let key = if f.json_key != f.name {
                format!(" @json({:?})", f.json_key)
            } else {
                String::new()
            };
            code(format!(
                "{}.{}: {}{key}",
                r.name,
                f.name,
                program.show(&f.ty)
            ))
        }
        Symbol::Local(def_file, def) => {
            // The type at any use of the local (uses are typed expressions).
            let ty = program
                .references
                .iter()
                .filter(|r| &r.symbol == symbol)
                .find_map(|r| program.expr_types.get(&(r.file, r.span)))
                .or_else(|| program.expr_types.get(&(file, at)))
                .map(|t| program.show(t))
                .unwrap_or_else(|| "_".into());
            let name = analysis
                .files
                .get(def_file.0 as usize)
                .and_then(|f| f.text.get(def.range()))
                .unwrap_or("");
            code(format!("{name}: {ty}"))
        }
    })
}

/// Signature and doc of a built-in function whose name is under the cursor.
fn call_hover(analysis: &Analysis, file: FileId, decl: &DeclKind, offset: usize) -> Option<Hover> {
    let mut found = None;
    visit_decl_exprs(decl, &mut |e| {
        if let ExprKind::Call { func, .. } = &e.kind
            && func.span.contains(offset)
            && let Some(b) = stdlib::lookup(&func.name)
        {
            let fails = if b.fallible {
                "\n\nCan fail the row (catch it with `??`)."
            } else {
                ""
            };
            found = Some(Hover {
                span: func.span,
                text: format!("```dash\n{}\n```\n{}{fails}", b.signature_text(), b.doc),
            });
        }
    });
    let _ = (analysis, file);
    found
}

fn option_hover(decl: &DeclKind, offset: usize) -> Option<Hover> {
    let (options, specs): (&Options, &[OptSpec]) = match decl {
        DeclKind::Source(s) => (&s.options, source_options(&s.kind.name)?),
        DeclKind::Sink(s) => (&s.options, sink_options(&s.kind.name)?),
        DeclKind::Pipeline(p) => {
            return spec_hover(&p.options, PIPELINE_OPTIONS, offset);
        }
        _ => return None,
    };
    spec_hover(&options.items, specs, offset)
}

fn spec_hover(items: &[OptionItem], specs: &[OptSpec], offset: usize) -> Option<Hover> {
    let item = items.iter().find(|i| i.key.span.contains(offset))?;
    let spec = specs.iter().find(|s| s.name == item.key.name)?;
    let required = if spec.required { " (required)" } else { "" };
    Some(Hover {
        span: item.key.span,
        text: format!("**{}**{required}: {}", spec.name, spec.doc),
    })
}

/// Call `f` on every expression of a declaration (pre-order).
pub(super) fn visit_decl_exprs(decl: &DeclKind, f: &mut dyn FnMut(&Expr)) {
    use dash_syntax::ast::StepValue;
    match decl {
        DeclKind::Transform(t) => visit_block(&t.body, f),
        DeclKind::Reactor(r) => {
            for step in &r.steps {
                if let StepValue::Expr(e) = &step.value {
                    visit_expr(e, f);
                }
            }
            if let Some(e) = &r.ret {
                visit_expr(e, f);
            }
        }
        DeclKind::Test(t) => {
            visit_stmts(&t.stmts, f);
            visit_expr(&t.expr, f);
        }
        _ => {}
    }
}

fn visit_stmts(stmts: &[dash_syntax::ast::Stmt], f: &mut dyn FnMut(&Expr)) {
    use dash_syntax::ast::StmtKind;
    for s in stmts {
        match &s.kind {
            StmtKind::Let { value, .. } => visit_expr(value, f),
            StmtKind::Require { cond, message } => {
                visit_expr(cond, f);
                visit_expr(message, f);
            }
            StmtKind::SkipIf(e) | StmtKind::Fail(e) => visit_expr(e, f),
        }
    }
}

fn visit_block(b: &dash_syntax::ast::Block, f: &mut dyn FnMut(&Expr)) {
    visit_stmts(&b.stmts, f);
    if let Some(r) = &b.result {
        visit_expr(r, f);
    }
}

fn visit_expr(e: &Expr, f: &mut dyn FnMut(&Expr)) {
    use dash_syntax::ast::{Else, StrPart};
    f(e);
    match &e.kind {
        ExprKind::Field { base, .. } => visit_expr(base, f),
        ExprKind::Index { base, index } => {
            visit_expr(base, f);
            visit_expr(index, f);
        }
        ExprKind::Call { args, .. } | ExprKind::List(args) => {
            args.iter().for_each(|a| visit_expr(a, f))
        }
        ExprKind::Record { fields, .. } => fields.iter().for_each(|i| visit_expr(&i.value, f)),
        ExprKind::Unary { operand, .. } | ExprKind::Paren(operand) => visit_expr(operand, f),
        ExprKind::Binary { lhs, rhs, .. } => {
            visit_expr(lhs, f);
            visit_expr(rhs, f);
        }
        ExprKind::Str(parts) => parts.iter().for_each(|p| {
            if let StrPart::Interp(i) = p {
                visit_expr(i, f)
            }
        }),
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => {
            visit_expr(cond, f);
            visit_block(then, f);
            match otherwise.as_deref() {
                Some(Else::Block(b)) => visit_block(b, f),
                Some(Else::If(e)) => visit_expr(e, f),
                None => {}
            }
        }
        ExprKind::Match { scrutinee, arms } => {
            visit_expr(scrutinee, f);
            arms.iter().for_each(|a| visit_expr(&a.body, f));
        }
        _ => {}
    }
}
