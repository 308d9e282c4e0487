//! The outline of a file (LSP document symbols): declarations, with the
//! fields of types and the steps of reactors as children.

use dash_check::analysis::Analysis;
use dash_syntax::ast::DeclKind;
use dash_syntax::source::{FileId, Span};

#[derive(Clone, Debug, PartialEq)]
pub struct OutlineItem {
    pub name: String,
    /// `type`, `source`, `field`, `step`…
    pub kind: &'static str,
    /// A short description (the type, the kind of source).
    pub detail: String,
    /// The whole item.
    pub span: Span,
    /// Its name.
    pub name_span: Span,
    pub children: Vec<OutlineItem>,
}

pub fn outline(analysis: &Analysis, file: FileId) -> Vec<OutlineItem> {
    let Some(parsed) = analysis.parsed.get(file.0 as usize) else {
        return Vec::new();
    };
    let text = analysis
        .files
        .get(file.0 as usize)
        .map(|f| &*f.text)
        .unwrap_or("");
    let slice = |s: Span| text.get(s.range()).unwrap_or("").to_string();
    parsed
        .file
        .decls
        .iter()
        .map(|d| {
            let name = d.name();
            let (detail, children) = match &d.kind {
                DeclKind::Type(t) => (
                    String::new(),
                    t.fields
                        .iter()
                        .map(|f| OutlineItem {
                            name: f.name.name.clone(),
                            kind: "field",
                            detail: slice(f.ty.span),
                            span: f.span,
                            name_span: f.name.span,
                            children: Vec::new(),
                        })
                        .collect(),
                ),
                DeclKind::Source(s) => (
                    format!("{} from {}", slice(s.ty.span), s.kind.name),
                    Vec::new(),
                ),
                DeclKind::Sink(s) => (
                    format!("{} into {}", slice(s.ty.span), s.kind.name),
                    Vec::new(),
                ),
                DeclKind::Transform(t) => (format!("-> {}", slice(t.output.span)), Vec::new()),
                DeclKind::Reactor(r) => (
                    format!("-> {}", slice(r.output.span)),
                    r.steps
                        .iter()
                        .map(|s| OutlineItem {
                            name: s.name.name.clone(),
                            kind: "step",
                            detail: String::new(),
                            span: s.span,
                            name_span: s.name.span,
                            children: Vec::new(),
                        })
                        .collect(),
                ),
                _ => (String::new(), Vec::new()),
            };
            OutlineItem {
                name: name.name.clone(),
                kind: d.kind_word(),
                detail,
                span: d.span,
                name_span: name.span,
                children,
            }
        })
        .collect()
}
