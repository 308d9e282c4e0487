//! The checker: resolves names across all files of a project, infers and
//! checks types, validates source/sink options, pipelines and reactor step
//! graphs. It reports into a list of diagnostics and never stops early:
//! an expression whose type is unknown because of an earlier error gets
//! [`Ty::Unknown`], which fits everywhere, so each mistake is reported once.
//!
//! The crate also holds what checking needs to know of values: run-time
//! [`value::Value`]s and the standard library's signatures and evaluation
//! ([`stdlib`]), the whole-project [`analyze`] entry point, and the
//! pipeline graphs ([`graph`]). It performs no I/O and links no code
//! generator: `dashc check` and `dashc lsp` stop here.

pub mod analysis;
mod body;
pub mod call;
mod endpoints;
mod env;
mod expr;
mod live;
mod option_values;
pub mod options;
mod pipeline;
pub mod plan;
pub mod reactor;
mod recursion;
mod symbols;
mod test_decl;
pub mod ty;

pub mod graph;
pub mod stdlib;
pub mod value;

pub use analysis::{Analysis, Input, analyze, analyze_inputs};

use std::collections::HashMap;

use dash_syntax::ast::{self, DeclKind};
use dash_syntax::diag::{Code, Diagnostic};
use dash_syntax::source::{FileId, Span};

pub use ty::{RecordId, Ty};

/// A record type of the project.
#[derive(Clone, Debug)]
pub struct Record {
    pub name: String,
    pub fields: Vec<RecordField>,
    pub file: FileId,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct RecordField {
    pub name: String,
    pub ty: Ty,
    /// The input key it is read from (`@json("…")`, else its name).
    pub json_key: String,
    pub span: Span,
}

impl Record {
    pub fn field(&self, name: &str) -> Option<&RecordField> {
        self.fields.iter().find(|f| f.name == name)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GlobalKind {
    Type(RecordId),
    Source,
    Sink,
    Transform,
    Reactor,
    Pipeline,
}

impl GlobalKind {
    pub fn word(self) -> &'static str {
        match self {
            GlobalKind::Type(_) => "type",
            GlobalKind::Source => "source",
            GlobalKind::Sink => "sink",
            GlobalKind::Transform => "transform",
            GlobalKind::Reactor => "reactor",
            GlobalKind::Pipeline => "pipeline",
        }
    }
}

/// What a name in the source refers to (for go-to-definition, references
/// and rename).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Symbol {
    /// A top-level declaration, by name.
    Global(String),
    /// Field `index` of a record type.
    Field(RecordId, u32),
    /// A parameter, `let` binding or reactor step, by where it is defined.
    Local(FileId, Span),
}

/// One occurrence of a symbol (definitions included).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Reference {
    pub file: FileId,
    pub span: Span,
    pub symbol: Symbol,
}

/// A top-level declaration, found by name.
#[derive(Clone, Debug)]
pub struct Global {
    pub kind: GlobalKind,
    pub file: FileId,
    pub name_span: Span,
    /// Index of the file in the checked list and of the declaration in it.
    pub at: (usize, usize),
}

/// The signature of a transform or reactor.
#[derive(Clone, Debug)]
pub struct Callable {
    pub params: Vec<Ty>,
    pub output: Ty,
}

/// What the checker knows about a project.
#[derive(Clone, Debug, Default)]
pub struct Program {
    pub records: Vec<Record>,
    /// Record names by [`RecordId`], for printing types.
    pub record_names: Vec<String>,
    pub globals: HashMap<String, Global>,
    pub callables: HashMap<String, Callable>,
    /// The record type each source and sink carries.
    pub endpoints: HashMap<String, Ty>,
    /// The type of every checked expression, by file and span.
    pub expr_types: HashMap<(FileId, Span), Ty>,
    /// Every resolved name, sorted by file and position.
    pub references: Vec<Reference>,
    /// Sources, sinks and pipelines with their options decoded: what
    /// `dashc run` runs.
    pub plan: plan::RunPlan,
}

impl Program {
    pub fn record(&self, id: RecordId) -> &Record {
        &self.records[id.0 as usize]
    }

    /// A written type, resolved (unknown names give `Unknown`).
    pub fn resolve(&self, t: &ast::TypeExpr) -> Ty {
        match &t.kind {
            ast::TypeExprKind::Nullable(inner) => self.resolve(inner).nullable(),
            ast::TypeExprKind::List(inner) => Ty::List(Box::new(self.resolve(inner))),
            ast::TypeExprKind::Named(name) => {
                ty::builtin(&name.name).unwrap_or_else(|| {
                    match self.globals.get(&name.name).map(|g| g.kind) {
                        Some(GlobalKind::Type(id)) => Ty::Record(id),
                        _ => Ty::Unknown,
                    }
                })
            }
        }
    }

    /// The checked type of an expression (unknown if it was not checked).
    pub fn type_of(&self, file: FileId, span: Span) -> Ty {
        self.expr_types
            .get(&(file, span))
            .cloned()
            .unwrap_or(Ty::Unknown)
    }

    pub fn show(&self, ty: &Ty) -> String {
        ty.display(&self.record_names).to_string()
    }
}

/// Check every parsed file of a project together.
pub fn check(
    files: &[(FileId, &ast::File)],
    broken: &std::collections::HashSet<String>,
) -> (Program, Vec<Diagnostic>) {
    let mut checker = Checker {
        files,
        broken,
        program: Program::default(),
        diags: Vec::new(),
        file: files.first().map_or(FileId(0), |f| f.0),
        calls: Vec::new(),
        current: None,
        tests_seen: HashMap::new(),
    };
    checker.collect_globals();
    checker.resolve_records();
    checker.resolve_signatures();
    for (index, (file, ast)) in files.iter().enumerate() {
        checker.file = *file;
        for (d, decl) in ast.decls.iter().enumerate() {
            if !checker.owns(index, d, decl) {
                continue;
            }
            match &decl.kind {
                DeclKind::Type(_) => {}
                DeclKind::Source(s) => checker.source(s),
                DeclKind::Sink(s) => checker.sink(s),
                DeclKind::Transform(t) => checker.transform(t),
                DeclKind::Reactor(r) => checker.reactor(r),
                DeclKind::Pipeline(p) => checker.pipeline(p),
                DeclKind::Test(t) => checker.test(t),
            }
        }
    }
    checker.check_recursion();
    checker.shared_file_sinks();
    checker.program.references.sort();
    checker.program.references.dedup();
    (checker.program, checker.diags)
}

pub(crate) struct Checker<'a> {
    files: &'a [(FileId, &'a ast::File)],
    /// Names of declarations that did not parse (already reported).
    broken: &'a std::collections::HashSet<String>,
    program: Program,
    diags: Vec<Diagnostic>,
    /// The file being checked, for new diagnostics.
    file: FileId,
    /// Calls between transforms/reactors: (caller, callee, where).
    calls: Vec<(String, String, FileId, Span)>,
    /// The transform or reactor being checked.
    current: Option<String>,
    /// Test names seen so far, with where.
    tests_seen: HashMap<String, (FileId, Span)>,
}

impl Checker<'_> {
    fn diag(
        &self,
        code: Code,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::new(code, self.file, span, message, label)
    }

    /// Record that `span` in the current file names `symbol`.
    fn refer(&mut self, span: Span, symbol: Symbol) {
        self.program.references.push(Reference {
            file: self.file,
            span,
            symbol,
        });
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        self.diags.push(diagnostic);
    }

    fn show(&self, ty: &Ty) -> String {
        self.program.show(ty)
    }

    /// Whether this declaration is the one its name resolves to (a
    /// duplicate is reported once and not checked again).
    fn owns(&self, file_index: usize, decl_index: usize, decl: &ast::Decl) -> bool {
        match &decl.kind {
            DeclKind::Test(_) => true,
            _ => self
                .program
                .globals
                .get(&decl.name().name)
                .is_none_or(|g| g.at == (file_index, decl_index)),
        }
    }
}
