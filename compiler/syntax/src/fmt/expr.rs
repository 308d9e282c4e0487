//! Layout of expressions, blocks, statements, types and object literals.
//!
//! Expressions print on one line with single spaces around binary
//! operators; parentheses appear exactly where the tree has
//! [`ExprKind::Paren`], so the printed operator sequence parses back to the
//! same tree. Literals are their source text. Three constructs may take
//! several lines: a record construction (one field per line when it does
//! not fit or holds a comment), an `if` (broken when a branch is more than
//! one expression, holds a comment or does not fit) and a `match` (always
//! one arm per line).

use super::doc::{self, Doc, concat, group, plain, punct};
use super::{Ctx, comma_separated};
use crate::ast::*;
use crate::source::Span;

impl Ctx<'_> {
    pub(super) fn expr(&self, e: &Expr) -> Doc {
        match &e.kind {
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Bool(_)
            | ExprKind::Null
            | ExprKind::Str(_)
            | ExprKind::Duration(_)
            | ExprKind::Timestamp(_)
            | ExprKind::Invalid => self.literal(e.span),
            ExprKind::Name(id) => self.ident(id),
            ExprKind::Field { base, name, safe } => concat(vec![
                self.expr(base),
                punct(if *safe { "?." } else { "." }),
                self.ident(name),
            ]),
            ExprKind::Index { base, index } => concat(vec![
                self.expr(base),
                punct("["),
                self.expr(index),
                punct("]"),
            ]),
            ExprKind::Call { func, args } => {
                let mut parts = vec![self.ident(func), punct("(")];
                parts.extend(comma_separated(args.iter().map(|a| self.expr(a))));
                parts.push(punct(")"));
                concat(parts)
            }
            ExprKind::Record { ty, fields } => self.record(e.span, ty, fields),
            ExprKind::List(items) => {
                let mut parts = vec![punct("[")];
                parts.extend(comma_separated(items.iter().map(|a| self.expr(a))));
                parts.push(punct("]"));
                concat(parts)
            }
            ExprKind::Unary { op, operand } => match op {
                UnaryOp::Neg => concat(vec![punct("-"), self.expr(operand)]),
                UnaryOp::Not => concat(vec![punct("not"), plain(" "), self.expr(operand)]),
            },
            ExprKind::Binary {
                op,
                op_span,
                lhs,
                rhs,
            } => concat(vec![
                self.expr(lhs),
                plain(" "),
                doc::text(op.symbol(), *op_span),
                plain(" "),
                self.expr(rhs),
            ]),
            ExprKind::Paren(inner) => concat(vec![
                self.char_at('(', e.span.start),
                self.expr(inner),
                self.char_at(')', e.span.end.saturating_sub(1)),
            ]),
            ExprKind::If { .. } => self.if_expr(e),
            ExprKind::Match { scrutinee, arms } => self.match_expr(e.span, scrutinee, arms),
        }
    }

    /// A literal as written. A negative number keeps only its sign and
    /// digits (`- 1` and `-/* c */1` print as `-1`; the comment is placed
    /// like any other).
    fn literal(&self, span: Span) -> Doc {
        let src = self.src(span);
        if let Some(rest) = src.strip_prefix('-') {
            let digits = rest
                .rfind([' ', '\t', '\r', '\n', '/'])
                .map_or(0, |k| k + 1);
            let number_start = span.start as usize + 1 + digits;
            let minus = Span::new(span.start as usize, span.start as usize + 1);
            let number = Span::new(number_start, span.end as usize);
            return concat(vec![doc::text("-", minus), self.verbatim(number)]);
        }
        self.verbatim(span)
    }

    /// A one-character token at `at`, if the source has it there.
    fn char_at(&self, c: char, at: u32) -> Doc {
        let span = Span::new(at as usize, at as usize + 1);
        match c {
            '(' if self.src(span) == "(" => doc::text("(", span),
            ')' if self.src(span) == ")" => doc::text(")", span),
            '(' => punct("("),
            _ => punct(")"),
        }
    }

    /// `Ty { a: x, b: y }`, or one field per line with trailing commas.
    fn record(&self, span: Span, ty: &Ident, fields: &[FieldInit]) -> Doc {
        let n = fields.len();
        let items = fields
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let sep = if i + 1 < n {
                    punct(",")
                } else {
                    doc::if_break(punct(","))
                };
                concat(vec![
                    self.ident(&f.name),
                    punct(":"),
                    plain(" "),
                    self.expr(&f.value),
                    sep,
                ])
            })
            .collect();
        let force = self.has_comment(ty.span.end, span.end);
        concat(vec![
            self.ident(ty),
            plain(" "),
            group(doc::braced_body(items, self.close_of(span)), force),
        ])
    }

    /// `if c { a } else if d { b } else { e }`: one group for the chain.
    fn if_expr(&self, e: &Expr) -> Doc {
        // The span of an `if` without `else` runs on over the blanks and
        // comments after it; the chain really ends with its last block.
        let mut force = false;
        let mut end = e.span.end;
        let mut parts = Vec::new();
        let mut current = e;
        loop {
            let ExprKind::If {
                cond,
                then,
                otherwise,
            } = &current.kind
            else {
                parts.push(self.expr(current));
                break;
            };
            parts.push(self.kw("if", current.span.start));
            parts.push(plain(" "));
            parts.push(self.expr(cond));
            parts.push(plain(" "));
            force |= !is_simple(then);
            parts.push(self.block_body(then));
            end = then.span.end;
            match otherwise.as_deref() {
                None => break,
                Some(other) => {
                    parts.push(plain(" "));
                    parts.push(punct("else"));
                    parts.push(plain(" "));
                    match other {
                        Else::Block(b) => {
                            end = b.span.end;
                            force |= !is_simple(b);
                            parts.push(self.block_body(b));
                            break;
                        }
                        Else::If(next) => current = next,
                    }
                }
            }
        }
        force |= self.has_comment(e.span.start, end);
        group(concat(parts), force)
    }

    /// `match e {` one arm per line `}`.
    fn match_expr(&self, span: Span, scrutinee: &Expr, arms: &[MatchArm]) -> Doc {
        let items: Vec<Doc> = arms
            .iter()
            .map(|arm| {
                let mut parts = Vec::new();
                for (i, p) in arm.patterns.iter().enumerate() {
                    if i > 0 {
                        parts.extend([plain(" "), punct("|"), plain(" ")]);
                    }
                    parts.push(match p {
                        Pattern::Wildcard(s) => doc::text("_", *s),
                        Pattern::Literal(e) => self.expr(e),
                    });
                }
                parts.extend([
                    plain(" "),
                    punct("=>"),
                    plain(" "),
                    self.expr(&arm.body),
                    punct(","),
                ]);
                concat(parts)
            })
            .collect();
        concat(vec![
            self.kw("match", span.start),
            plain(" "),
            self.expr(scrutinee),
            plain(" "),
            self.block_of(items, scrutinee.span.end, self.close_of(span)),
        ])
    }

    /// The items of a block between braces, ungrouped: the caller's group
    /// decides whether it breaks.
    pub(super) fn block_body(&self, block: &Block) -> Doc {
        doc::braced_body(self.block_items(block), self.close_of(block.span))
    }

    /// A block that is always one item per line (a transform body).
    pub(super) fn block(&self, block: &Block) -> Doc {
        let close = self.close_of(block.span);
        self.block_of(self.block_items(block), block.span.start, close)
    }

    fn block_items(&self, block: &Block) -> Vec<Doc> {
        let mut items: Vec<Doc> = block.stmts.iter().map(|s| self.stmt(s)).collect();
        if let Some(result) = &block.result {
            items.push(self.expr(result));
        }
        items
    }

    pub(super) fn stmt(&self, s: &Stmt) -> Doc {
        let at = s.span.start;
        match &s.kind {
            StmtKind::Let { name, ty, value } => {
                let mut parts = vec![self.kw("let", at), plain(" "), self.ident(name)];
                if let Some(ty) = ty {
                    parts.extend([punct(":"), plain(" "), self.ty(ty)]);
                }
                parts.extend([plain(" "), punct("="), plain(" "), self.expr(value)]);
                concat(parts)
            }
            StmtKind::Require { cond, message } => concat(vec![
                self.kw("require", at),
                plain(" "),
                self.expr(cond),
                plain(" "),
                punct("else"),
                plain(" "),
                self.expr(message),
            ]),
            StmtKind::SkipIf(cond) => concat(vec![
                self.kw("skip", at),
                plain(" "),
                punct("if"),
                plain(" "),
                self.expr(cond),
            ]),
            StmtKind::Fail(message) => {
                concat(vec![self.kw("fail", at), plain(" "), self.expr(message)])
            }
        }
    }

    pub(super) fn ty(&self, t: &TypeExpr) -> Doc {
        match &t.kind {
            TypeExprKind::Named(id) => self.ident(id),
            TypeExprKind::List(inner) => concat(vec![punct("["), self.ty(inner), punct("]")]),
            TypeExprKind::Nullable(inner) => concat(vec![self.ty(inner), punct("?")]),
        }
    }

    /// `{ key: value, "quoted key": value }` on one line.
    pub(super) fn object(&self, entries: &[ObjectEntry]) -> Doc {
        if entries.is_empty() {
            return concat(vec![punct("{"), punct("}")]);
        }
        let mut parts = vec![punct("{"), plain(" ")];
        parts.extend(comma_separated(entries.iter().map(|entry| {
            let key = if self.src(entry.key.span).starts_with('"') {
                self.verbatim(entry.key.span)
            } else {
                self.ident(&entry.key)
            };
            concat(vec![key, punct(":"), plain(" "), self.expr(&entry.value)])
        })));
        parts.extend([plain(" "), punct("}")]);
        concat(parts)
    }
}

/// A block that may print as `{ expr }`: one expression, no statements.
fn is_simple(block: &Block) -> bool {
    block.stmts.is_empty() && block.result.is_some()
}
