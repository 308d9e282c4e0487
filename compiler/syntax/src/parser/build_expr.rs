//! Building expressions from pest pairs: operator precedence, literals,
//! strings. The grammar keeps operators flat; precedence is applied here.
//!
//! Every builder also returns the depth of the tree it built. A tree deeper
//! than [`MAX_EXPR_DEPTH`] is reported (E0041) and replaced by an invalid
//! node, so later passes can recurse without overflowing the stack.

use pest::iterators::Pair;

use super::build_decl::{Builder, kids};
use super::grammar::Rule;
use super::literal;
use crate::ast::*;
use crate::diag::Code;
use crate::source::Span;

pub const MAX_EXPR_DEPTH: u32 = 256;

impl Builder<'_> {
    pub(super) fn expr(&mut self, pair: Pair<'_, Rule>) -> Expr {
        self.expr_depth(pair).0
    }

    /// `operand (infix operand)*` -> a tree, by precedence climbing over an
    /// explicit stack (no recursion per operator).
    pub(super) fn expr_depth(&mut self, pair: Pair<'_, Rule>) -> (Expr, u32) {
        if pair.as_rule() != Rule::expr {
            return self.primary(pair);
        }
        let mut operands: Vec<(Expr, u32)> = Vec::new();
        let mut operators: Vec<(BinOp, Span)> = Vec::new();
        for p in kids(pair) {
            if p.as_rule() == Rule::operand {
                operands.push(self.operand(p));
                continue;
            }
            let op = binop(p.as_rule());
            let op_span = self.span(&p);
            while let Some(&(top, _)) = operators.last() {
                let reduce = top.precedence() > op.precedence()
                    || (top.precedence() == op.precedence() && !op.right_assoc());
                if !reduce {
                    break;
                }
                self.reduce(&mut operands, &mut operators);
            }
            operators.push((op, op_span));
        }
        while !operators.is_empty() {
            self.reduce(&mut operands, &mut operators);
        }
        operands.pop().unwrap_or((invalid(Span::default()), 1))
    }

    fn reduce(&mut self, operands: &mut Vec<(Expr, u32)>, operators: &mut Vec<(BinOp, Span)>) {
        let (Some((op, op_span)), Some((rhs, dr)), Some((lhs, dl))) =
            (operators.pop(), operands.pop(), operands.pop())
        else {
            return;
        };
        let span = lhs.span.to(rhs.span);
        let node = Expr {
            kind: ExprKind::Binary {
                op,
                op_span,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            },
            span,
        };
        operands.push(self.limit(node, dl.max(dr) + 1));
    }

    /// Replace a too-deep tree by an invalid node, reporting it once.
    fn limit(&mut self, expr: Expr, depth: u32) -> (Expr, u32) {
        if depth > MAX_EXPR_DEPTH {
            let span = expr.span;
            if std::mem::replace(&mut self.too_deep, true) {
                return (invalid(span), 1);
            }
            self.error(
                Code::TooDeep,
                span,
                format!(
                    "this expression is too long or nested too deeply (more than {MAX_EXPR_DEPTH} levels)"
                ),
                "too deep",
            );
            (invalid(span), 1)
        } else {
            (expr, depth)
        }
    }

    /// `prefix* primary postfix*`
    fn operand(&mut self, pair: Pair<'_, Rule>) -> (Expr, u32) {
        let mut prefixes = Vec::new();
        let mut current: Option<(Expr, u32)> = None;
        for p in kids(pair) {
            match p.as_rule() {
                Rule::op_neg | Rule::op_not => prefixes.push(p),
                Rule::field | Rule::safe_field | Rule::index => {
                    let Some((base, depth)) = current.take() else {
                        continue;
                    };
                    current = Some(self.postfix(base, depth, p));
                }
                _ => current = Some(self.primary(p)),
            }
        }
        let (mut expr, mut depth) = current.unwrap_or((invalid(Span::default()), 1));
        for p in prefixes.into_iter().rev() {
            let op_span = self.span(&p);
            let op = if p.as_rule() == Rule::op_neg {
                UnaryOp::Neg
            } else {
                UnaryOp::Not
            };
            // Fold `-` into numeric literals so `-9223372036854775808` works.
            if op == UnaryOp::Neg
                && let Some(folded) = self.negate_literal(&expr, op_span)
            {
                expr = folded;
                continue;
            }
            let span = op_span.to(expr.span);
            let node = Expr {
                kind: ExprKind::Unary {
                    op,
                    operand: Box::new(expr),
                },
                span,
            };
            (expr, depth) = self.limit(node, depth + 1);
        }
        (expr, depth)
    }

    fn negate_literal(&mut self, expr: &Expr, op_span: Span) -> Option<Expr> {
        let span = op_span.to(expr.span);
        let kind = match &expr.kind {
            ExprKind::Float(v) => ExprKind::Float(-v),
            ExprKind::Int(_) | ExprKind::Invalid => {
                // Re-read the digits: the positive form may not fit.
                let text = self.source_text(expr.span)?;
                if !text.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
                    return None;
                }
                match literal::int(&text, true) {
                    Ok(v) => {
                        self.diags.retain(|d| {
                            !(d.code == Code::InvalidLiteral && d.primary.span == expr.span)
                        });
                        ExprKind::Int(v)
                    }
                    Err(_) => return None,
                }
            }
            _ => return None,
        };
        Some(Expr { kind, span })
    }

    fn postfix(&mut self, base: Expr, depth: u32, pair: Pair<'_, Rule>) -> (Expr, u32) {
        let span = base.span.to(self.span(&pair));
        let rule = pair.as_rule();
        let inner = kids(pair).next();
        let (kind, depth) = match (rule, inner) {
            (Rule::index, Some(index)) => {
                let (index, d) = self.expr_depth(index);
                (
                    ExprKind::Index {
                        base: Box::new(base),
                        index: Box::new(index),
                    },
                    depth.max(d),
                )
            }
            (_, Some(name)) => (
                ExprKind::Field {
                    base: Box::new(base),
                    name: self.ident(name),
                    safe: rule == Rule::safe_field,
                },
                depth,
            ),
            (_, None) => return (base, depth),
        };
        self.limit(Expr { kind, span }, depth + 1)
    }

    fn primary(&mut self, pair: Pair<'_, Rule>) -> (Expr, u32) {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let text = pair.as_str();
        let leaf = |kind| (Expr { kind, span }, 1);
        match rule {
            Rule::int => {
                let kind = self.decode(span, literal::int(text, false), ExprKind::Int);
                leaf(kind)
            }
            Rule::float => {
                let kind = self.decode(span, literal::float(text), ExprKind::Float);
                leaf(kind)
            }
            Rule::duration => {
                let kind = self.decode(span, literal::duration(text), ExprKind::Duration);
                leaf(kind)
            }
            Rule::timestamp => {
                let kind = self.decode(span, literal::timestamp(text), ExprKind::Timestamp);
                leaf(kind)
            }
            Rule::bool_lit => leaf(ExprKind::Bool(text == "true")),
            Rule::null_lit => leaf(ExprKind::Null),
            Rule::string => self.string_depth(pair),
            Rule::named => {
                let mut it = kids(pair);
                let ident = self.ident(it.next().expect("name"));
                match it.next() {
                    // The pair may have swallowed whitespace after the name.
                    None => (
                        Expr {
                            span: ident.span,
                            kind: ExprKind::Name(ident),
                        },
                        1,
                    ),
                    Some(tail) if tail.as_rule() == Rule::call_args => {
                        let (args, d) = self.exprs(kids(tail));
                        self.limit(
                            Expr {
                                kind: ExprKind::Call { func: ident, args },
                                span,
                            },
                            d + 1,
                        )
                    }
                    Some(tail) => self.record(ident, tail, span),
                }
            }
            Rule::paren => {
                let (inner, d) = self.expr_depth(kids(pair).next().expect("inner"));
                self.limit(
                    Expr {
                        kind: ExprKind::Paren(Box::new(inner)),
                        span,
                    },
                    d + 1,
                )
            }
            Rule::list => {
                let (items, d) = self.exprs(kids(pair));
                self.limit(
                    Expr {
                        kind: ExprKind::List(items),
                        span,
                    },
                    d + 1,
                )
            }
            Rule::if_expr => self.if_expr(pair),
            Rule::match_expr => self.match_expr(pair),
            _ => leaf(ExprKind::Invalid),
        }
    }

    /// `T { field: value, … }`
    fn record(&mut self, ty: Ident, body: Pair<'_, Rule>, span: Span) -> (Expr, u32) {
        let mut depth = 0;
        let mut fields = Vec::new();
        for init in kids(body) {
            let init_span = self.span(&init);
            let mut parts = kids(init);
            let name = self.ident(parts.next().expect("field"));
            let (value, d) = self.expr_depth(parts.next().expect("value"));
            depth = depth.max(d);
            fields.push(FieldInit {
                name,
                value,
                span: init_span,
            });
        }
        self.limit(
            Expr {
                kind: ExprKind::Record { ty, fields },
                span,
            },
            depth + 1,
        )
    }

    fn exprs<'i>(&mut self, pairs: impl Iterator<Item = Pair<'i, Rule>>) -> (Vec<Expr>, u32) {
        let mut depth = 0;
        let items = pairs
            .map(|p| {
                let (e, d) = self.expr_depth(p);
                depth = depth.max(d);
                e
            })
            .collect();
        (items, depth)
    }

    fn if_expr(&mut self, pair: Pair<'_, Rule>) -> (Expr, u32) {
        let span = self.span(&pair);
        let mut it = kids(pair);
        let (cond, d1) = self.expr_depth(it.next().expect("condition"));
        let (then, d2) = self.block(it.next().expect("then"));
        let (otherwise, d3) = match it.next() {
            Some(p) if p.as_rule() == Rule::if_expr => {
                let (e, d) = self.if_expr(p);
                (Some(Box::new(Else::If(e))), d)
            }
            Some(p) => {
                let (b, d) = self.block(p);
                (Some(Box::new(Else::Block(b))), d)
            }
            None => (None, 0),
        };
        let node = Expr {
            kind: ExprKind::If {
                cond: Box::new(cond),
                then,
                otherwise,
            },
            span,
        };
        self.limit(node, d1.max(d2).max(d3) + 1)
    }

    fn match_expr(&mut self, pair: Pair<'_, Rule>) -> (Expr, u32) {
        let span = self.span(&pair);
        let mut it = kids(pair);
        let (scrutinee, mut depth) = self.expr_depth(it.next().expect("scrutinee"));
        let mut arms = Vec::new();
        for arm in it {
            let arm_span = self.span(&arm);
            let mut patterns = Vec::new();
            let mut body = None;
            for p in kids(arm) {
                if p.as_rule() == Rule::pattern {
                    patterns.push(self.pattern(p));
                } else {
                    let (e, d) = self.expr_depth(p);
                    depth = depth.max(d);
                    body = Some(e);
                }
            }
            arms.push(MatchArm {
                patterns,
                body: body.unwrap_or_else(|| invalid(arm_span)),
                span: arm_span,
            });
        }
        let node = Expr {
            kind: ExprKind::Match {
                scrutinee: Box::new(scrutinee),
                arms,
            },
            span,
        };
        self.limit(node, depth + 1)
    }

    fn pattern(&mut self, pair: Pair<'_, Rule>) -> Pattern {
        let inner = kids(pair).next().expect("pattern");
        let span = self.span(&inner);
        match inner.as_rule() {
            Rule::wildcard => Pattern::Wildcard(span),
            Rule::neg_number => {
                let number = kids(inner).next().expect("number");
                let minus = Span::new(span.start as usize, span.start as usize + 1);
                let (value, _) = self.primary(number);
                let folded = self.negate_literal(&value, minus).unwrap_or(value);
                Pattern::Literal(folded)
            }
            _ => Pattern::Literal(self.primary(inner).0),
        }
    }

    pub(super) fn string(&mut self, pair: Pair<'_, Rule>) -> Expr {
        self.string_depth(pair).0
    }

    fn string_depth(&mut self, pair: Pair<'_, Rule>) -> (Expr, u32) {
        let span = self.span(&pair);
        let mut parts: Vec<StrPart> = Vec::new();
        let mut depth = 0;
        let push_text = |parts: &mut Vec<StrPart>, text: &str| match parts.last_mut() {
            Some(StrPart::Text(t)) => t.push_str(text),
            _ => parts.push(StrPart::Text(text.to_string())),
        };
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::string_text => push_text(&mut parts, p.as_str()),
                Rule::escape => match literal::escape(p.as_str()) {
                    Ok(c) => push_text(&mut parts, c.encode_utf8(&mut [0; 4])),
                    Err(message) => {
                        let esc_span = self.span(&p);
                        self.error(Code::InvalidLiteral, esc_span, message, "invalid escape");
                    }
                },
                Rule::interpolation => {
                    if let Some(e) = kids(p).next() {
                        let (e, d) = self.expr_depth(e);
                        depth = depth.max(d);
                        parts.push(StrPart::Interp(e));
                    }
                }
                _ => {}
            }
        }
        self.limit(
            Expr {
                kind: ExprKind::Str(parts),
                span,
            },
            depth + 1,
        )
    }

    fn decode<T>(
        &mut self,
        span: Span,
        value: Result<T, String>,
        kind: fn(T) -> ExprKind,
    ) -> ExprKind {
        match value {
            Ok(v) => kind(v),
            Err(message) => {
                self.error(Code::InvalidLiteral, span, message, "invalid literal");
                ExprKind::Invalid
            }
        }
    }
}

fn invalid(span: Span) -> Expr {
    Expr {
        kind: ExprKind::Invalid,
        span,
    }
}

fn binop(rule: Rule) -> BinOp {
    match rule {
        Rule::op_coalesce => BinOp::Coalesce,
        Rule::op_or => BinOp::Or,
        Rule::op_and => BinOp::And,
        Rule::op_eq => BinOp::Eq,
        Rule::op_ne => BinOp::Ne,
        Rule::op_lt => BinOp::Lt,
        Rule::op_le => BinOp::Le,
        Rule::op_gt => BinOp::Gt,
        Rule::op_ge => BinOp::Ge,
        Rule::op_add => BinOp::Add,
        Rule::op_sub => BinOp::Sub,
        Rule::op_mul => BinOp::Mul,
        Rule::op_div => BinOp::Div,
        _ => BinOp::Rem,
    }
}
