//! Building declarations, types and statements from pest pairs.
//! Expressions are built in `build_expr.rs`.

use pest::iterators::Pair;

use super::grammar::{Rule, is_keyword};
use crate::ast::*;
use crate::diag::{Code, Diagnostic};
use crate::source::{FileId, Span};

pub struct Builder<'d> {
    pub(super) file: FileId,
    /// The text of the chunk being built.
    pub(super) chunk: &'d str,
    /// Offset of the chunk in the file: pest spans are chunk-relative.
    pub(super) base: usize,
    pub(super) diags: &'d mut Vec<Diagnostic>,
    /// Whether this declaration already reported an expression too deep.
    pub(super) too_deep: bool,
}

/// The meaningful children of a pair (keyword tokens dropped).
pub(super) fn kids<'i>(pair: Pair<'i, Rule>) -> impl Iterator<Item = Pair<'i, Rule>> {
    pair.into_inner().filter(|p| !is_keyword(p.as_rule()))
}

impl<'d> Builder<'d> {
    pub fn new(
        file: FileId,
        chunk: &'d str,
        base: usize,
        diags: &'d mut Vec<Diagnostic>,
    ) -> Builder<'d> {
        Builder {
            file,
            chunk,
            base,
            diags,
            too_deep: false,
        }
    }

    /// The source text of a span of this chunk.
    pub(super) fn source_text(&self, span: Span) -> Option<String> {
        let start = (span.start as usize).checked_sub(self.base)?;
        let end = (span.end as usize).checked_sub(self.base)?;
        self.chunk.get(start..end).map(str::to_string)
    }

    pub(super) fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.base + s.start(), self.base + s.end())
    }

    pub(super) fn ident(&self, pair: Pair<'_, Rule>) -> Ident {
        Ident {
            name: pair.as_str().to_string(),
            span: self.span(&pair),
        }
    }

    pub(super) fn error(&mut self, code: Code, span: Span, message: String, label: &str) {
        self.diags
            .push(Diagnostic::new(code, self.file, span, message, label));
    }

    pub fn decl(&mut self, pair: Pair<'_, Rule>) -> Option<Decl> {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::type_decl => DeclKind::Type(self.type_decl(pair)),
            Rule::source_decl => {
                let (name, ty, kind, options) = self.endpoint(pair);
                DeclKind::Source(SourceDecl {
                    name,
                    ty,
                    kind,
                    options,
                })
            }
            Rule::sink_decl => {
                let (name, ty, kind, options) = self.endpoint(pair);
                DeclKind::Sink(SinkDecl {
                    name,
                    ty,
                    kind,
                    options,
                })
            }
            Rule::transform_decl => DeclKind::Transform(self.transform(pair)),
            Rule::reactor_decl => DeclKind::Reactor(self.reactor(pair)),
            Rule::pipeline_decl => DeclKind::Pipeline(self.pipeline(pair)),
            Rule::test_decl => DeclKind::Test(self.test(pair)),
            _ => return None,
        };
        Some(Decl { kind, span })
    }

    fn type_decl(&mut self, pair: Pair<'_, Rule>) -> TypeDecl {
        let mut it = kids(pair);
        let name = self.ident(it.next().expect("type name"));
        let fields = it.map(|f| self.field_decl(f)).collect();
        TypeDecl { name, fields }
    }

    fn field_decl(&mut self, pair: Pair<'_, Rule>) -> FieldDecl {
        let span = self.span(&pair);
        let mut it = kids(pair);
        let name = self.ident(it.next().expect("field name"));
        let ty = self.type_expr(it.next().expect("field type"));
        let json_name = it.next().and_then(|attr| {
            let string = kids(attr).next()?;
            let span = self.span(&string);
            let expr = self.string(string);
            match expr.kind {
                ExprKind::Str(parts) => match parts.as_slice() {
                    [] => Some((String::new(), span)),
                    [StrPart::Text(t)] => Some((t.clone(), span)),
                    _ => {
                        self.error(
                            Code::InvalidLiteral,
                            span,
                            "`@json` takes a plain string, without `${…}`".into(),
                            "interpolation not allowed here",
                        );
                        None
                    }
                },
                _ => None,
            }
        });
        FieldDecl {
            name,
            ty,
            json_name,
            span,
        }
    }

    pub(super) fn type_expr(&mut self, pair: Pair<'_, Rule>) -> TypeExpr {
        let span = self.span(&pair);
        let mut it = kids(pair);
        let inner = it.next().expect("type body");
        let base = match inner.as_rule() {
            Rule::list_type => {
                let inner_span = self.span(&inner);
                let element = self.type_expr(kids(inner).next().expect("list element"));
                TypeExpr {
                    kind: TypeExprKind::List(Box::new(element)),
                    span: inner_span,
                }
            }
            _ => {
                let inner_span = self.span(&inner);
                let name = self.ident(kids(inner).next().expect("type name"));
                TypeExpr {
                    kind: TypeExprKind::Named(name),
                    span: inner_span,
                }
            }
        };
        if it.next().is_some() {
            TypeExpr {
                kind: TypeExprKind::Nullable(Box::new(base)),
                span,
            }
        } else {
            base
        }
    }

    fn endpoint(&mut self, pair: Pair<'_, Rule>) -> (Ident, TypeExpr, Ident, Options) {
        let mut it = kids(pair);
        let name = self.ident(it.next().expect("name"));
        let ty = self.type_expr(it.next().expect("type"));
        let kind = self.ident(it.next().expect("kind"));
        let options = it.next().map(|b| self.options(b)).unwrap_or_default();
        (name, ty, kind, options)
    }

    pub(super) fn options(&mut self, pair: Pair<'_, Rule>) -> Options {
        let span = self.span(&pair);
        let items = kids(pair).map(|p| self.option(p)).collect();
        Options {
            items,
            span: Some(span),
        }
    }

    fn option(&mut self, pair: Pair<'_, Rule>) -> OptionItem {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut it = kids(pair);
        let first = self.ident(it.next().expect("option key"));
        let (key, value) = if rule == Rule::rollup {
            let key = Ident {
                name: "rollup".into(),
                span: Span {
                    start: span.start,
                    end: span.start + "rollup".len() as u32,
                },
            };
            let every = self.expr(it.next().expect("rollup every"));
            let columns = it.map(|c| self.rollup_column(c)).collect();
            (
                key,
                OptionValue::Rollup(Rollup {
                    name: first,
                    every,
                    columns,
                }),
            )
        } else {
            let value = it.next().expect("option value");
            let value = match value.as_rule() {
                Rule::lookup_step | Rule::http_step => OptionValue::Effect(self.effect(value)),
                Rule::object => OptionValue::Object(self.object(value)),
                Rule::option_keyword => {
                    let span = self.span(&value);
                    let name = Ident {
                        name: value.as_str().to_string(),
                        span,
                    };
                    OptionValue::Expr(Expr {
                        kind: ExprKind::Name(name),
                        span,
                    })
                }
                _ => OptionValue::Expr(self.expr(value)),
            };
            (first, value)
        };
        OptionItem { key, value, span }
    }

    fn rollup_column(&mut self, pair: Pair<'_, Rule>) -> RollupColumn {
        let span = self.span(&pair);
        let mut it = kids(pair);
        let name = self.ident(it.next().expect("column"));
        let agg = self.ident(it.next().expect("aggregate"));
        let field = it.next().map(|f| self.ident(f));
        RollupColumn {
            name,
            agg,
            field,
            span,
        }
    }

    fn params(&mut self, pair: Pair<'_, Rule>) -> Vec<Param> {
        kids(pair)
            .map(|p| {
                let span = self.span(&p);
                let mut it = kids(p);
                let name = self.ident(it.next().expect("param name"));
                let ty = self.type_expr(it.next().expect("param type"));
                Param { name, ty, span }
            })
            .collect()
    }

    fn transform(&mut self, pair: Pair<'_, Rule>) -> TransformDecl {
        let mut it = kids(pair);
        let name = self.ident(it.next().expect("name"));
        let params = self.params(it.next().expect("params"));
        let output = self.type_expr(it.next().expect("output"));
        let (body, _) = self.block(it.next().expect("body"));
        TransformDecl {
            name,
            params,
            output,
            body,
        }
    }

    fn reactor(&mut self, pair: Pair<'_, Rule>) -> ReactorDecl {
        let span = self.span(&pair);
        let mut it = kids(pair).peekable();
        let name = self.ident(it.next().expect("name"));
        let params = self.params(it.next().expect("params"));
        let output = self.type_expr(it.next().expect("output"));
        let body_start = output.span.end;
        let mut steps = Vec::new();
        let mut ret = None;
        for p in it {
            match p.as_rule() {
                Rule::step => steps.push(self.step(p)),
                _ => ret = kids(p).next().map(|e| self.expr(e)),
            }
        }
        ReactorDecl {
            name,
            params,
            output,
            steps,
            ret,
            body_span: Span {
                start: body_start,
                end: span.end,
            },
        }
    }

    fn step(&mut self, pair: Pair<'_, Rule>) -> Step {
        let span = self.span(&pair);
        let mut it = kids(pair);
        let name = self.ident(it.next().expect("step name"));
        let value = it.next().expect("step value");
        let value = match value.as_rule() {
            Rule::lookup_step | Rule::http_step => StepValue::Effect(self.effect(value)),
            _ => StepValue::Expr(self.expr(value)),
        };
        let options = it.next().map(|b| self.options(b)).unwrap_or_default();
        Step {
            name,
            value,
            options,
            span,
        }
    }

    fn effect(&mut self, pair: Pair<'_, Rule>) -> Effect {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut it = kids(pair);
        let kind = if rule == Rule::lookup_step {
            let table = self.ident(it.next().expect("table"));
            let keys = self.object(it.next().expect("keys"));
            let ty = self.type_expr(it.next().expect("type"));
            EffectKind::Lookup { table, keys, ty }
        } else {
            let method = self.ident(it.next().expect("method"));
            let url = self.string(it.next().expect("url"));
            let mut body = None;
            let mut ty = None;
            for p in it {
                match p.as_rule() {
                    Rule::object => body = Some(self.object(p)),
                    _ => ty = Some(self.type_expr(p)),
                }
            }
            EffectKind::Http {
                method,
                url,
                body,
                ty,
            }
        };
        Effect { kind, span }
    }

    fn object(&mut self, pair: Pair<'_, Rule>) -> Vec<ObjectEntry> {
        kids(pair)
            .map(|entry| {
                let span = self.span(&entry);
                let mut it = kids(entry);
                let key_pair = it.next().expect("key");
                let key = if key_pair.as_rule() == Rule::string {
                    let key_span = self.span(&key_pair);
                    let raw = key_pair.as_str();
                    Ident {
                        name: raw[1..raw.len() - 1].to_string(),
                        span: key_span,
                    }
                } else {
                    self.ident(key_pair)
                };
                let value = self.expr(it.next().expect("value"));
                ObjectEntry { key, value, span }
            })
            .collect()
    }

    fn pipeline(&mut self, pair: Pair<'_, Rule>) -> PipelineDecl {
        let mut it = kids(pair);
        let name = self.ident(it.next().expect("name"));
        let chain = it.next().expect("chain");
        let hops = kids(chain)
            .map(|hop| {
                let span = self.span(&hop);
                if hop.as_rule() == Rule::fanout {
                    Hop {
                        stages: kids(hop).map(|s| self.stage(s)).collect(),
                        fanout: true,
                        span,
                    }
                } else {
                    Hop {
                        stages: vec![self.stage(hop)],
                        fanout: false,
                        span,
                    }
                }
            })
            .collect();
        let options = it.map(|o| self.option(o)).collect();
        PipelineDecl {
            name,
            hops,
            options,
        }
    }

    fn stage(&mut self, pair: Pair<'_, Rule>) -> Ident {
        let inner = kids(pair).next().expect("stage name");
        self.ident(inner)
    }

    fn test(&mut self, pair: Pair<'_, Rule>) -> TestDecl {
        let mut it = kids(pair);
        let name_pair = it.next().expect("test name");
        let name_span = self.span(&name_pair);
        let raw = name_pair.as_str();
        let name = Ident {
            name: raw[1..raw.len() - 1].to_string(),
            span: name_span,
        };
        let mut stmts = Vec::new();
        let mut expr = None;
        let mut fails = None;
        for p in it {
            match p.as_rule() {
                Rule::expr => expr = Some(self.expr(p)),
                Rule::fails_clause => fails = kids(p).next().map(|e| self.expr(e)),
                _ => stmts.push(self.stmt(p)),
            }
        }
        TestDecl {
            name,
            stmts,
            expr: expr.expect("test expression"),
            fails,
        }
    }

    /// A block and the depth of its deepest expression.
    pub(super) fn block(&mut self, pair: Pair<'_, Rule>) -> (Block, u32) {
        let span = self.span(&pair);
        let mut stmts = Vec::new();
        let mut result = None;
        let mut depth = 0;
        for p in kids(pair) {
            if p.as_rule() == Rule::expr {
                let (e, d) = self.expr_depth(p);
                depth = depth.max(d);
                result = Some(Box::new(e));
            } else {
                let (s, d) = self.stmt_depth(p);
                depth = depth.max(d);
                stmts.push(s);
            }
        }
        (
            Block {
                stmts,
                result,
                span,
            },
            depth,
        )
    }

    fn stmt(&mut self, pair: Pair<'_, Rule>) -> Stmt {
        self.stmt_depth(pair).0
    }

    fn stmt_depth(&mut self, pair: Pair<'_, Rule>) -> (Stmt, u32) {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut it = kids(pair);
        let (kind, depth) = match rule {
            Rule::let_stmt => {
                let name = self.ident(it.next().expect("let name"));
                let mut next = it.next().expect("let value");
                let ty = if next.as_rule() == Rule::type_expr {
                    let ty = self.type_expr(next);
                    next = it.next().expect("let value");
                    Some(ty)
                } else {
                    None
                };
                let (value, d) = self.expr_depth(next);
                (StmtKind::Let { name, ty, value }, d)
            }
            Rule::require_stmt => {
                let (cond, d1) = self.expr_depth(it.next().expect("condition"));
                let (message, d2) = self.expr_depth(it.next().expect("message"));
                (StmtKind::Require { cond, message }, d1.max(d2))
            }
            Rule::skip_stmt => {
                let (cond, d) = self.expr_depth(it.next().expect("condition"));
                (StmtKind::SkipIf(cond), d)
            }
            _ => {
                let (message, d) = self.expr_depth(it.next().expect("message"));
                (StmtKind::Fail(message), d)
            }
        };
        (Stmt { kind, span }, depth)
    }
}
