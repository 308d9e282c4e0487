//! `test` blocks: `expr == expected`, a boolean expression, or
//! `expr fails "message"`.

use super::Checker;
use super::env::{Context, Env};
use super::ty::Ty;
use dash_syntax::ast::{BinOp, ExprKind, TestDecl};
use dash_syntax::diag::Code;

impl Checker<'_> {
    pub(super) fn test(&mut self, t: &TestDecl) {
        self.check_test_name(t);
        let mut env = Env::new(Context::Test);
        for stmt in &t.stmts {
            self.stmt(stmt, &mut env);
        }
        if let Some(message) = &t.fails {
            self.expr(&t.expr, &mut env);
            self.expect(message, &Ty::String, &mut env, "the message after `fails`");
        } else if let ExprKind::Binary {
            op: BinOp::Eq,
            lhs,
            rhs,
            op_span,
        } = &t.expr.kind
        {
            let l = self.expr(lhs, &mut env);
            let r = self.expr(rhs, &mut env);
            if Ty::join(&l, &r).is_none() {
                let d = self
                    .diag(
                        Code::TestMismatch,
                        *op_span,
                        format!(
                            "this test compares a `{}` with a `{}`; it can never pass",
                            self.show(&l),
                            self.show(&r)
                        ),
                        "different types",
                    )
                    .with_label(self.file, lhs.span, format!("`{}`", self.show(&l)))
                    .with_label(self.file, rhs.span, format!("`{}`", self.show(&r)));
                self.report(d);
            }
        } else {
            let ty = self.expr(&t.expr, &mut env);
            self.condition(t.expr.span, &ty, "a test without `==` or `fails`");
        }
        self.warn_unused(&env, 0);
    }

    fn check_test_name(&mut self, t: &TestDecl) {
        let file = self.file;
        let key = t.name.name.clone();
        if let Some((first_file, first)) = self.tests_seen.get(&key) {
            let d = self
                .diag(
                    Code::DuplicateName,
                    t.name.span,
                    format!("two tests are named \"{key}\""),
                    "declared again here",
                )
                .with_label(*first_file, *first, "first declared here")
                .with_help("give each test its own name");
            self.report(d);
        } else {
            self.tests_seen.insert(key, (file, t.name.span));
        }
    }
}
