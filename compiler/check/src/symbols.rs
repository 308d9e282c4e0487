//! Declarations by name: the global symbol table, record types and the
//! signatures of transforms and reactors.

use std::collections::HashMap;

use super::ty::{self, RecordId, Ty};
use super::{Callable, Checker, Global, GlobalKind, Record, RecordField};
use dash_syntax::ast::{self, DeclKind, TypeExprKind};
use dash_syntax::diag::{Code, suggest};

impl Checker<'_> {
    /// Every top-level name, in one namespace; duplicates are E0003.
    pub(super) fn collect_globals(&mut self) {
        for (index, (file, ast)) in self.files.iter().enumerate() {
            for (d, decl) in ast.decls.iter().enumerate() {
                let kind = match &decl.kind {
                    DeclKind::Type(_) => {
                        let id = RecordId(self.program.record_names.len() as u32);
                        self.program.record_names.push(decl.name().name.clone());
                        GlobalKind::Type(id)
                    }
                    DeclKind::Source(_) => GlobalKind::Source,
                    DeclKind::Sink(_) => GlobalKind::Sink,
                    DeclKind::Transform(_) => GlobalKind::Transform,
                    DeclKind::Reactor(_) => GlobalKind::Reactor,
                    DeclKind::Pipeline(_) => GlobalKind::Pipeline,
                    DeclKind::Test(_) => continue,
                };
                let name = decl.name();
                let builtin = if ty::builtin(&name.name).is_some() {
                    Some("type")
                } else if crate::stdlib::lookup(&name.name).is_some() {
                    Some("function")
                } else {
                    None
                };
                if let Some(what) = builtin {
                    let mut d = self
                        .diag(
                            Code::DuplicateName,
                            name.span,
                            format!("`{}` is the name of a built-in {what}", name.name),
                            format!("clashes with the built-in {what}"),
                        )
                        .with_help("choose another name");
                    d.primary.file = *file;
                    self.report(d);
                    continue;
                }
                if let Some(first) = self.program.globals.get(&name.name) {
                    let diag = self
                        .diag(
                            Code::DuplicateName,
                            name.span,
                            format!("the name `{}` is declared twice", name.name),
                            format!("`{}` redeclared here", name.name),
                        )
                        .with_label(
                            first.file,
                            first.name_span,
                            format!("first declared here as a {}", first.kind.word()),
                        )
                        .with_help("names are shared by every declaration of the project; rename one of them");
                    let mut diag = diag;
                    diag.primary.file = *file;
                    self.report(diag);
                    continue;
                }
                self.program.references.push(super::Reference {
                    file: *file,
                    span: name.span,
                    symbol: super::Symbol::Global(name.name.clone()),
                });
                self.program.globals.insert(
                    name.name.clone(),
                    Global {
                        kind,
                        file: *file,
                        name_span: name.span,
                        at: (index, d),
                    },
                );
            }
        }
    }

    /// Fields of every record type; unknown field types, duplicate fields
    /// and JSON keys, and types that contain themselves.
    pub(super) fn resolve_records(&mut self) {
        // Placeholders first so field types can refer to any record.
        for name in self.program.record_names.clone() {
            self.program.records.push(Record {
                name,
                fields: Vec::new(),
                file: self.file,
                span: Default::default(),
            });
        }
        for (index, (file, ast)) in self.files.iter().enumerate() {
            self.file = *file;
            for (d, decl) in ast.decls.iter().enumerate() {
                let DeclKind::Type(t) = &decl.kind else {
                    continue;
                };
                let Some(GlobalKind::Type(id)) = self
                    .program
                    .globals
                    .get(&t.name.name)
                    .filter(|g| g.at == (index, d))
                    .map(|g| g.kind)
                else {
                    continue;
                };
                let fields = self.record_fields(t);
                let record = &mut self.program.records[id.0 as usize];
                record.fields = fields;
                record.file = *file;
                record.span = t.name.span;
            }
        }
        self.check_record_cycles();
    }

    fn record_fields(&mut self, t: &ast::TypeDecl) -> Vec<RecordField> {
        let mut fields: Vec<RecordField> = Vec::new();
        let mut keys: HashMap<String, ast::Ident> = HashMap::new();
        for f in &t.fields {
            if let Some(first) = fields.iter().find(|x| x.name == f.name.name) {
                let d = self
                    .diag(
                        Code::DuplicateField,
                        f.name.span,
                        format!(
                            "field `{}` is declared twice in `{}`",
                            f.name.name, t.name.name
                        ),
                        "declared again here",
                    )
                    .with_label(self.file, first.span, "first declared here");
                self.report(d);
                continue;
            }
            let ty = self.resolve_type(&f.ty);
            let json_key = f
                .json_name
                .as_ref()
                .map_or_else(|| f.name.name.clone(), |(k, _)| k.clone());
            let key_span = f.json_name.as_ref().map_or(f.name.span, |(_, s)| *s);
            if let Some(other) = keys.get(&json_key) {
                let d = self
                    .diag(
                        Code::DuplicateJsonName,
                        key_span,
                        format!(
                            "fields `{}` and `{}` both read the JSON key \"{json_key}\"",
                            other.name, f.name.name
                        ),
                        "reads the same key",
                    )
                    .with_label(self.file, other.span, "also read here")
                    .with_help("give one of them a different `@json(\"…\")` key");
                self.report(d);
            } else {
                keys.insert(
                    json_key.clone(),
                    ast::Ident {
                        name: f.name.name.clone(),
                        span: key_span,
                    },
                );
            }
            if let Some(GlobalKind::Type(id)) =
                self.program.globals.get(&t.name.name).map(|g| g.kind)
            {
                self.refer(f.name.span, super::Symbol::Field(id, fields.len() as u32));
            }
            fields.push(RecordField {
                name: f.name.name.clone(),
                ty,
                json_key,
                span: f.name.span,
            });
        }
        fields
    }

    /// A record may not contain itself, even through `?` or a list: records
    /// are laid out flat.
    fn check_record_cycles(&mut self) {
        let n = self.program.records.len();
        let mut state = vec![0u8; n]; // 0 new, 1 on the path, 2 done
        let mut reported = vec![false; n];
        for start in 0..n {
            let mut path = Vec::new();
            self.visit_record(start, &mut state, &mut path, &mut reported);
        }
    }

    fn visit_record(
        &mut self,
        id: usize,
        state: &mut Vec<u8>,
        path: &mut Vec<usize>,
        reported: &mut Vec<bool>,
    ) {
        if state[id] == 2 {
            return;
        }
        if state[id] == 1 {
            let Some(pos) = path.iter().position(|p| *p == id) else {
                return;
            };
            let cycle = &path[pos..];
            if cycle.iter().any(|c| reported[*c]) {
                return;
            }
            for c in cycle {
                reported[*c] = true;
            }
            let names: Vec<String> = cycle
                .iter()
                .chain(std::iter::once(&id))
                .map(|c| format!("`{}`", self.program.records[*c].name))
                .collect();
            let record = &self.program.records[id];
            let mut d = self
                .diag(
                    Code::RecursiveType,
                    record.span,
                    format!("record type `{}` contains itself", record.name),
                    format!("{} loops back here", names.join(" -> ")),
                )
                .with_help("records are stored flat, so they cannot nest themselves; store a key of the other record instead");
            d.primary.file = record.file;
            self.report(d);
            return;
        }
        state[id] = 1;
        path.push(id);
        let children: Vec<usize> = self.program.records[id]
            .fields
            .iter()
            .filter_map(|f| record_in(&f.ty))
            .collect();
        for child in children {
            self.visit_record(child, state, path, reported);
        }
        path.pop();
        state[id] = 2;
    }

    /// The types of every transform's and reactor's parameters and output,
    /// and of every source and sink.
    pub(super) fn resolve_signatures(&mut self) {
        for (index, (file, ast)) in self.files.iter().enumerate() {
            self.file = *file;
            for (d, decl) in ast.decls.iter().enumerate() {
                if !self.owns(index, d, decl) {
                    continue;
                }
                match &decl.kind {
                    DeclKind::Transform(t) => self.signature(&t.name, &t.params, &t.output),
                    DeclKind::Reactor(r) => self.signature(&r.name, &r.params, &r.output),
                    DeclKind::Source(s) => self.endpoint_type(&s.name, &s.ty, "source"),
                    DeclKind::Sink(s) => self.endpoint_type(&s.name, &s.ty, "sink"),
                    _ => {}
                }
            }
        }
    }

    fn signature(&mut self, name: &ast::Ident, params: &[ast::Param], output: &ast::TypeExpr) {
        let params = params
            .iter()
            .map(|p| self.resolve_type_quiet(&p.ty))
            .collect();
        let output = self.resolve_type_quiet(output);
        self.program
            .callables
            .insert(name.name.clone(), Callable { params, output });
    }

    fn endpoint_type(&mut self, name: &ast::Ident, ty: &ast::TypeExpr, what: &str) {
        let resolved = self.resolve_type(ty);
        if !matches!(resolved, Ty::Record(_) | Ty::Unknown) {
            let d = self
                .diag(
                    Code::TypeMismatch,
                    ty.span,
                    format!(
                        "a {what} carries records, but `{}` is not a record type",
                        self.show(&resolved)
                    ),
                    "expected a record type",
                )
                .with_help("declare a `type Name { … }` and use it here");
            self.report(d);
        }
        self.program.endpoints.insert(name.name.clone(), resolved);
    }

    /// Resolve a written type, reporting unknown names (E0004).
    pub(super) fn resolve_type(&mut self, t: &ast::TypeExpr) -> Ty {
        match &t.kind {
            TypeExprKind::Nullable(inner) => self.resolve_type(inner).nullable(),
            TypeExprKind::List(inner) => Ty::List(Box::new(self.resolve_type(inner))),
            TypeExprKind::Named(name) => {
                if let Some(builtin) = ty::builtin(&name.name) {
                    return builtin;
                }
                match self.program.globals.get(&name.name).map(|g| g.kind) {
                    Some(GlobalKind::Type(id)) => {
                        self.refer(name.span, super::Symbol::Global(name.name.clone()));
                        Ty::Record(id)
                    }
                    Some(other) => {
                        let d = self.diag(
                            Code::UnknownType,
                            name.span,
                            format!("`{}` is a {}, not a type", name.name, other.word()),
                            "not a type",
                        );
                        self.report(d);
                        Ty::Unknown
                    }
                    None if self.broken.contains(&name.name) => Ty::Unknown,
                    None => {
                        let candidates: Vec<&str> = ty::BUILTIN_NAMES
                            .iter()
                            .copied()
                            .chain(self.program.record_names.iter().map(String::as_str))
                            .collect();
                        let help = suggest::did_you_mean(&name.name, candidates);
                        let d = self
                            .diag(
                                Code::UnknownType,
                                name.span,
                                format!("unknown type `{}`", name.name),
                                "not a declared type",
                            )
                            .with_help(help.unwrap_or_else(|| {
                                "declare it with `type Name { … }`, or use one of bool int float string timestamp duration json".into()
                            }));
                        self.report(d);
                        Ty::Unknown
                    }
                }
            }
        }
    }

    /// Resolve a type already reported on (signatures are resolved again
    /// when their declaration is checked).
    fn resolve_type_quiet(&mut self, t: &ast::TypeExpr) -> Ty {
        let before = self.diags.len();
        let ty = self.resolve_type(t);
        self.diags.truncate(before);
        ty
    }
}

fn record_in(ty: &Ty) -> Option<usize> {
    match ty {
        Ty::Record(id) => Some(id.0 as usize),
        Ty::List(inner) | Ty::Nullable(inner) => record_in(inner),
        _ => None,
    }
}
