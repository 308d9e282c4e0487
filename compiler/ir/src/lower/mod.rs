//! Lowering: the checked AST of transforms and tests -> IR functions.
//! Runs only on programs without errors; it reads the checker's type of
//! every expression (`Program::type_of`) and inserts the int -> float
//! promotions the checker allowed.

mod builder;
mod expr;
pub mod reactor_plan;

use std::collections::HashMap;

use crate::{self as ir, FuncId};
use dash_check::Ty;
use dash_check::analysis::Analysis;
use dash_syntax::ast::{DeclKind, TestDecl, TransformDecl};
use dash_syntax::source::FileId;

use builder::FnBuilder;

/// How a test's IR functions are named: `test "name"` (and
/// `test "name" (message)` for the message of a `fails` test).
pub fn test_function_name(name: &str) -> String {
    format!("test {name:?}")
}

pub fn test_message_function_name(name: &str) -> String {
    format!("test {name:?} (message)")
}

/// Lower every transform and test of an analysis without errors.
pub fn lower(analysis: &Analysis) -> ir::Program {
    let checked = &analysis.program;
    // Function ids first, so calls can refer to any transform.
    let mut ids: HashMap<String, FuncId> = HashMap::new();
    let mut transforms = Vec::new();
    let mut reactors = Vec::new();
    let mut tests = Vec::new();
    for (i, parsed) in analysis.parsed.iter().enumerate() {
        for decl in &parsed.file.decls {
            match &decl.kind {
                DeclKind::Transform(t) => {
                    ids.insert(t.name.name.clone(), FuncId(transforms.len() as u32));
                    transforms.push((FileId(i as u32), t));
                }
                DeclKind::Reactor(r) => reactors.push((FileId(i as u32), r)),
                DeclKind::Test(t) => tests.push((FileId(i as u32), t)),
                _ => {}
            }
        }
    }
    for (k, (_, r)) in reactors.iter().enumerate() {
        ids.insert(r.name.name.clone(), FuncId((transforms.len() + k) as u32));
    }
    let mut functions = Vec::new();
    for (file, t) in &transforms {
        functions.push(lower_transform(checked, &ids, *file, t));
    }
    for (file, r) in &reactors {
        functions.push(lower_reactor(checked, &ids, *file, r));
    }
    for (file, t) in &tests {
        functions.extend(lower_test(checked, &ids, *file, t));
    }
    // Reactors as the runtime schedules them; their functions go last so
    // every id above stays what it is.
    let names: Vec<String> = reactors.iter().map(|(_, r)| r.name.name.clone()).collect();
    let mut planner = reactor_plan::Planner {
        checked,
        ids: &ids,
        functions: &mut functions,
        reactors: &names,
    };
    let plans = reactors
        .iter()
        .map(|(file, r)| planner.plan(*file, r))
        .collect();
    ir::Program {
        functions,
        record_names: checked.record_names.clone(),
        records: checked.records.clone(),
        reactors: plans,
    }
}

fn lower_transform(
    checked: &dash_check::Program,
    ids: &HashMap<String, FuncId>,
    file: FileId,
    t: &TransformDecl,
) -> ir::Function {
    let callable = checked.callables.get(&t.name.name);
    let params: Vec<Ty> = callable.map(|c| c.params.clone()).unwrap_or_default();
    let output = callable.map_or(Ty::Unknown, |c| c.output.clone());
    let mut b = FnBuilder::new(checked, ids, file);
    for (i, p) in t.params.iter().enumerate() {
        let ty = params.get(i).cloned().unwrap_or(Ty::Unknown);
        let r = b.emit(ir::Op::Param(i as u32), ty, p.span);
        b.bind(&p.name.name, r);
    }
    let result = b.block(&t.body);
    let result = b.coerce(result, &output, t.body.span);
    b.terminate(ir::Term::Return(result));
    b.finish(t.name.name.clone(), params, output)
}

/// A reactor whose steps are all pure (expressions, calls of transforms
/// and reactors) lowers like a transform, its steps in dependency order.
/// Lookups and HTTP calls run in the runtime: such a reactor's function
/// fails with a message saying so.
fn lower_reactor(
    checked: &dash_check::Program,
    ids: &HashMap<String, FuncId>,
    file: FileId,
    r: &dash_syntax::ast::ReactorDecl,
) -> ir::Function {
    use dash_syntax::ast::StepValue;
    let callable = checked.callables.get(&r.name.name);
    let params: Vec<Ty> = callable.map(|c| c.params.clone()).unwrap_or_default();
    let output = callable.map_or(Ty::Unknown, |c| c.output.clone());
    let mut b = FnBuilder::new(checked, ids, file);
    for (i, p) in r.params.iter().enumerate() {
        let ty = params.get(i).cloned().unwrap_or(Ty::Unknown);
        let reg = b.emit(ir::Op::Param(i as u32), ty, p.span);
        b.bind(&p.name.name, reg);
    }
    if let Some(effect) = r
        .steps
        .iter()
        .find(|s| matches!(s.value, StepValue::Effect(_)))
    {
        let message = format!(
            "reactor `{}` has a lookup or HTTP step (`{}`), which only runs in the runtime",
            r.name.name, effect.name.name
        );
        let m = b.emit(
            ir::Op::Const(dash_check::value::Value::string(message)),
            Ty::String,
            effect.span,
        );
        b.terminate(ir::Term::Fail {
            message: m,
            kind: ir::FailKind::Fail,
            span: effect.span,
        });
        return b.finish(r.name.name.clone(), params, output);
    }
    // Steps in dependency order (the checker rejected cycles).
    let names: Vec<&str> = r.steps.iter().map(|s| s.name.name.as_str()).collect();
    let mut done: Vec<bool> = vec![false; r.steps.len()];
    while done.iter().any(|d| !d) {
        let mut progressed = false;
        for (i, step) in r.steps.iter().enumerate() {
            let StepValue::Expr(e) = &step.value else {
                continue;
            };
            if done[i] {
                continue;
            }
            let mut mentioned = Vec::new();
            dash_check::reactor::expr_mentions(e, &mut mentioned);
            let ready = mentioned.iter().all(|m| {
                names
                    .iter()
                    .position(|n| n == m)
                    .is_none_or(|j| done[j] || j == i)
            });
            if ready {
                let reg = b.expr(e);
                b.bind(&step.name.name, reg);
                done[i] = true;
                progressed = true;
            }
        }
        if !progressed {
            break;
        }
    }
    let result = match &r.ret {
        Some(e) => {
            let reg = b.expr(e);
            b.coerce(reg, &output, e.span)
        }
        None => b.emit(
            ir::Op::Const(dash_check::value::Value::Null),
            output.clone(),
            r.body_span,
        ),
    };
    b.terminate(ir::Term::Return(result));
    b.finish(r.name.name.clone(), params, output)
}

/// A test becomes one function returning `[actual, expected]` (for `==`),
/// the boolean (for a plain condition) or the value (for `fails`), plus a
/// function computing the expected failure message.
fn lower_test(
    checked: &dash_check::Program,
    ids: &HashMap<String, FuncId>,
    file: FileId,
    t: &TestDecl,
) -> Vec<ir::Function> {
    let mut out = Vec::new();
    let mut b = FnBuilder::new(checked, ids, file);
    for stmt in &t.stmts {
        b.stmt(stmt);
    }
    let result = match (&t.fails, &t.expr.kind) {
        (
            None,
            dash_syntax::ast::ExprKind::Binary {
                op: dash_syntax::ast::BinOp::Eq,
                lhs,
                rhs,
                ..
            },
        ) => {
            let l = b.expr(lhs);
            let r = b.expr(rhs);
            b.emit(
                ir::Op::List(vec![l, r]),
                Ty::List(Box::new(Ty::Unknown)),
                t.expr.span,
            )
        }
        _ => b.expr(&t.expr),
    };
    b.terminate(ir::Term::Return(result));
    out.push(b.finish(test_function_name(&t.name.name), Vec::new(), Ty::Unknown));
    if let Some(message) = &t.fails {
        let mut m = FnBuilder::new(checked, ids, file);
        for stmt in &t.stmts {
            m.stmt(stmt);
        }
        let r = m.expr(message);
        m.terminate(ir::Term::Return(r));
        out.push(m.finish(
            test_message_function_name(&t.name.name),
            Vec::new(),
            Ty::String,
        ));
    }
    out
}
