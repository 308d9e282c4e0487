//! Layout of declarations: types, sources and sinks with their option
//! blocks (rollups included), transforms, reactors with their steps and
//! effects, pipelines and tests. Every body is a block of one item per
//! line; declarations are separated by one blank line.

use super::doc::{self, Doc, concat, plain, punct};
use super::{Ctx, comma_separated};
use crate::ast::*;

impl Ctx<'_> {
    pub(super) fn file(&self, file: &File) -> Doc {
        let mut parts = Vec::with_capacity(file.decls.len() * 2);
        for (i, decl) in file.decls.iter().enumerate() {
            if i > 0 {
                parts.push(Doc::DeclSep);
            }
            parts.push(self.decl(decl));
        }
        concat(parts)
    }

    fn decl(&self, decl: &Decl) -> Doc {
        let at = decl.span.start;
        let close = self.close_of(decl.span);
        match &decl.kind {
            DeclKind::Type(t) => {
                let fields = t.fields.iter().map(|f| self.field_decl(f)).collect();
                concat(vec![
                    self.kw("type", at),
                    plain(" "),
                    self.ident(&t.name),
                    plain(" "),
                    self.block_of(fields, t.name.span.end, close),
                ])
            }
            DeclKind::Source(s) => {
                self.endpoint(("source", at), &s.name, &s.ty, "from", &s.kind, &s.options)
            }
            DeclKind::Sink(s) => {
                self.endpoint(("sink", at), &s.name, &s.ty, "into", &s.kind, &s.options)
            }
            DeclKind::Transform(t) => concat(vec![
                self.kw("transform", at),
                plain(" "),
                self.ident(&t.name),
                self.params(&t.params),
                plain(" "),
                punct("->"),
                plain(" "),
                self.ty(&t.output),
                plain(" "),
                self.block(&t.body),
            ]),
            DeclKind::Reactor(r) => {
                let mut items: Vec<Doc> = r.steps.iter().map(|s| self.step(s)).collect();
                if let Some(ret) = &r.ret {
                    items.push(concat(vec![punct("return"), plain(" "), self.expr(ret)]));
                }
                concat(vec![
                    self.kw("reactor", at),
                    plain(" "),
                    self.ident(&r.name),
                    self.params(&r.params),
                    plain(" "),
                    punct("->"),
                    plain(" "),
                    self.ty(&r.output),
                    plain(" "),
                    self.block_of(items, r.output.span.end, close),
                ])
            }
            DeclKind::Pipeline(p) => {
                let mut items = vec![self.chain(&p.hops)];
                items.extend(p.options.iter().map(|o| self.option(o)));
                concat(vec![
                    self.kw("pipeline", at),
                    plain(" "),
                    self.ident(&p.name),
                    plain(" "),
                    self.block_of(items, p.name.span.end, close),
                ])
            }
            DeclKind::Test(t) => {
                let mut items: Vec<Doc> = t.stmts.iter().map(|s| self.stmt(s)).collect();
                let mut last = vec![self.expr(&t.expr)];
                if let Some(message) = &t.fails {
                    last.extend([plain(" "), punct("fails"), plain(" "), self.expr(message)]);
                }
                items.push(concat(last));
                concat(vec![
                    self.kw("test", at),
                    plain(" "),
                    self.verbatim(t.name.span),
                    plain(" "),
                    self.block_of(items, t.name.span.end, close),
                ])
            }
        }
    }

    /// `name: Type @json("Key")`
    fn field_decl(&self, f: &FieldDecl) -> Doc {
        let mut parts = vec![self.ident(&f.name), punct(":"), plain(" "), self.ty(&f.ty)];
        if let Some((_, span)) = &f.json_name {
            parts.extend([
                plain(" "),
                punct("@json"),
                punct("("),
                self.verbatim(*span),
                punct(")"),
            ]);
        }
        concat(parts)
    }

    /// `source name: Type from kind { options }` and sinks alike.
    fn endpoint(
        &self,
        (keyword, at): (&'static str, u32),
        name: &Ident,
        ty: &TypeExpr,
        preposition: &'static str,
        kind: &Ident,
        options: &Options,
    ) -> Doc {
        let mut parts = vec![
            self.kw(keyword, at),
            plain(" "),
            self.ident(name),
            punct(":"),
            plain(" "),
            self.ty(ty),
            plain(" "),
            punct(preposition),
            plain(" "),
            self.ident(kind),
        ];
        if options.span.is_some() {
            parts.extend([plain(" "), self.options(options)]);
        }
        concat(parts)
    }

    /// `{` one option per line `}`; `{}` when empty.
    fn options(&self, options: &Options) -> Doc {
        let items = options.items.iter().map(|o| self.option(o)).collect();
        match options.span {
            Some(span) => self.block_of(items, span.start, self.close_of(span)),
            None => self.block_of(items, 0, 0),
        }
    }

    fn option(&self, item: &OptionItem) -> Doc {
        let value = match &item.value {
            OptionValue::Expr(e) => self.expr(e),
            OptionValue::Object(entries) => self.object(entries),
            OptionValue::Effect(effect) => self.effect(effect),
            OptionValue::Rollup(rollup) => return self.rollup(item, rollup),
        };
        concat(vec![self.ident(&item.key), punct(":"), plain(" "), value])
    }

    /// `rollup NAME every 1h {` one `column: agg(field)` per line `}`.
    fn rollup(&self, item: &OptionItem, rollup: &Rollup) -> Doc {
        let columns = rollup
            .columns
            .iter()
            .map(|c| {
                let mut parts = vec![self.ident(&c.name), punct(":"), plain(" ")];
                parts.extend([self.ident(&c.agg), punct("(")]);
                if let Some(field) = &c.field {
                    parts.push(self.ident(field));
                }
                parts.push(punct(")"));
                concat(parts)
            })
            .collect();
        concat(vec![
            self.ident(&item.key),
            plain(" "),
            self.ident(&rollup.name),
            plain(" "),
            punct("every"),
            plain(" "),
            self.expr(&rollup.every),
            plain(" "),
            self.block_of(columns, rollup.every.span.end, self.close_of(item.span)),
        ])
    }

    /// `(a: A, b: B)`
    fn params(&self, params: &[Param]) -> Doc {
        let mut parts = vec![punct("(")];
        parts.extend(comma_separated(params.iter().map(|p| {
            concat(vec![
                self.ident(&p.name),
                punct(":"),
                plain(" "),
                self.ty(&p.ty),
            ])
        })));
        parts.push(punct(")"));
        concat(parts)
    }

    /// `step name = value { options }`
    fn step(&self, step: &Step) -> Doc {
        let value = match &step.value {
            StepValue::Expr(e) => self.expr(e),
            StepValue::Effect(effect) => self.effect(effect),
        };
        let mut parts = vec![
            self.kw("step", step.span.start),
            plain(" "),
            self.ident(&step.name),
            plain(" "),
            punct("="),
            plain(" "),
            value,
        ];
        if step.options.span.is_some() {
            parts.extend([plain(" "), self.options(&step.options)]);
        }
        concat(parts)
    }

    /// `lookup table { keys } as Type`, `http post "url" { body } as Type`.
    fn effect(&self, effect: &Effect) -> Doc {
        let at = effect.span.start;
        match &effect.kind {
            EffectKind::Lookup { table, keys, ty } => concat(vec![
                self.kw("lookup", at),
                plain(" "),
                self.ident(table),
                plain(" "),
                self.object(keys),
                plain(" "),
                punct("as"),
                plain(" "),
                self.ty(ty),
            ]),
            EffectKind::Http {
                method,
                url,
                body,
                ty,
            } => {
                let mut parts = vec![
                    self.kw("http", at),
                    plain(" "),
                    self.ident(method),
                    plain(" "),
                    self.expr(url),
                ];
                if let Some(body) = body {
                    parts.extend([plain(" "), self.object(body)]);
                }
                if let Some(ty) = ty {
                    parts.extend([plain(" "), punct("as"), plain(" "), self.ty(ty)]);
                }
                concat(parts)
            }
        }
    }

    /// `a -> b -> [c, d]` on one line.
    fn chain(&self, hops: &[Hop]) -> Doc {
        let mut parts = Vec::new();
        for (i, hop) in hops.iter().enumerate() {
            if i > 0 {
                parts.extend([plain(" "), punct("->"), plain(" ")]);
            }
            if hop.fanout {
                parts.push(punct("["));
                parts.extend(comma_separated(hop.stages.iter().map(|s| self.ident(s))));
                parts.push(punct("]"));
            } else {
                parts.extend(hop.stages.iter().map(|s| self.ident(s)));
            }
        }
        doc::concat(parts)
    }
}
