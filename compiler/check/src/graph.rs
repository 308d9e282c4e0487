//! The graphs of a project, for `dashc compile --emit graph|dot`: each
//! pipeline (source → stages → sinks) and each reactor (parameters →
//! steps → return, an edge from every step to the steps that use it).
//! Pure steps (expressions and calls of transforms) are fused into one
//! compiled function at run time; lookups, HTTP calls and calls of other
//! reactors stay graph nodes that the runtime schedules.

use std::fmt::Write as _;

use crate::analysis::Analysis;
use dash_syntax::ast::{DeclKind, EffectKind, ExprKind, OptionValue, ReactorDecl, StepValue};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Source,
    Transform,
    Reactor,
    Sink,
    Param,
    /// An expression step, or a call of a transform: compiled code.
    Pure,
    Lookup,
    Http,
    /// A call of another reactor (compose).
    Compose,
    Return,
}

impl NodeKind {
    pub fn is_effectful(self) -> bool {
        matches!(self, NodeKind::Lookup | NodeKind::Http | NodeKind::Compose)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Unique within the graph.
    pub id: String,
    pub label: String,
    pub kind: NodeKind,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Graph {
    /// `pipeline weather`, `reactor enrich(o: Order) -> Enriched`.
    pub title: String,
    pub id: String,
    pub nodes: Vec<Node>,
    /// (from, to) by node index: `from` must happen before `to`.
    pub edges: Vec<(usize, usize)>,
}

/// Every pipeline's and reactor's graph, in file order.
pub fn graphs(analysis: &Analysis) -> Vec<Graph> {
    let mut out = Vec::new();
    let decls: Vec<&DeclKind> = analysis
        .parsed
        .iter()
        .flat_map(|p| p.file.decls.iter().map(|d| &d.kind))
        .collect();
    for decl in &decls {
        match decl {
            DeclKind::Pipeline(p) => {
                let mut g = Graph {
                    title: format!("pipeline {}", p.name.name),
                    id: format!("pipeline_{}", p.name.name),
                    nodes: Vec::new(),
                    edges: Vec::new(),
                };
                let mut previous: Vec<usize> = Vec::new();
                for hop in &p.hops {
                    let mut current = Vec::new();
                    for stage in &hop.stages {
                        let (kind, label) = stage_kind(&decls, &stage.name);
                        let index = g.nodes.len();
                        g.nodes.push(Node {
                            id: format!("{}__{}", g.id, stage.name),
                            label,
                            kind,
                        });
                        for p in &previous {
                            g.edges.push((*p, index));
                        }
                        current.push(index);
                    }
                    previous = current;
                }
                out.push(g);
            }
            DeclKind::Reactor(r) => out.push(reactor_graph(analysis, &decls, r)),
            _ => {}
        }
    }
    out
}

fn stage_kind(decls: &[&DeclKind], name: &str) -> (NodeKind, String) {
    for d in decls {
        match d {
            DeclKind::Source(s) if s.name.name == name => {
                return (NodeKind::Source, format!("source {name} ({})", s.kind.name));
            }
            DeclKind::Sink(s) if s.name.name == name => {
                return (NodeKind::Sink, format!("sink {name} ({})", s.kind.name));
            }
            DeclKind::Transform(t) if t.name.name == name => {
                return (NodeKind::Transform, format!("transform {name}"));
            }
            DeclKind::Reactor(r) if r.name.name == name => {
                return (NodeKind::Reactor, format!("reactor {name}"));
            }
            _ => {}
        }
    }
    (NodeKind::Transform, name.to_string())
}

fn reactor_graph(analysis: &Analysis, decls: &[&DeclKind], r: &ReactorDecl) -> Graph {
    let program = &analysis.program;
    let names: Vec<String> = program.records.iter().map(|r| r.name.clone()).collect();
    let signature = program.callables.get(&r.name.name);
    let params: Vec<String> = r
        .params
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let ty = signature.and_then(|s| s.params.get(i));
            match ty {
                Some(t) => format!("{}: {}", p.name.name, t.display(&names)),
                None => p.name.name.clone(),
            }
        })
        .collect();
    let output = signature.map_or(String::new(), |s| {
        format!(" -> {}", s.output.display(&names))
    });
    let id = format!("reactor_{}", r.name.name);
    let mut g = Graph {
        title: format!("reactor {}({}){output}", r.name.name, params.join(", ")),
        id: id.clone(),
        nodes: Vec::new(),
        edges: Vec::new(),
    };
    for (p, label) in r.params.iter().zip(&params) {
        g.nodes.push(Node {
            id: format!("{id}__{}", p.name.name),
            label: label.clone(),
            kind: NodeKind::Param,
        });
    }
    let is_reactor = |name: &str| {
        decls
            .iter()
            .any(|d| matches!(d, DeclKind::Reactor(x) if x.name.name == name))
    };
    for step in &r.steps {
        let (kind, what) = match &step.value {
            StepValue::Effect(e) => match &e.kind {
                EffectKind::Lookup { table, .. } => {
                    (NodeKind::Lookup, format!("lookup {}", table.name))
                }
                EffectKind::Http { method, .. } => {
                    (NodeKind::Http, format!("http {}", method.name))
                }
            },
            StepValue::Expr(e) => match &e.kind {
                ExprKind::Call { func, .. } if is_reactor(&func.name) => {
                    (NodeKind::Compose, format!("reactor {}", func.name))
                }
                ExprKind::Call { func, .. } if program.callables.contains_key(&func.name) => {
                    (NodeKind::Pure, format!("transform {}", func.name))
                }
                _ => (NodeKind::Pure, "pure".to_string()),
            },
        };
        let mut label = format!("{}: {what}", step.name.name);
        for item in &step.options.items {
            match (item.key.name.as_str(), &item.value) {
                ("retry", OptionValue::Expr(e)) => {
                    if let ExprKind::Int(n) = &e.kind {
                        label.push_str(&format!(", retry {n}"));
                    }
                }
                ("compensate", _) => label.push_str(", compensate"),
                ("undo", _) => label.push_str(", undo"),
                _ => {}
            }
        }
        g.nodes.push(Node {
            id: format!("{id}__{}", step.name.name),
            label,
            kind,
        });
    }
    g.nodes.push(Node {
        id: format!("{id}__return"),
        label: "return".into(),
        kind: NodeKind::Return,
    });
    let index =
        |name: &str, g: &Graph| g.nodes.iter().position(|n| n.id == format!("{id}__{name}"));
    for step in &r.steps {
        let Some(to) = index(&step.name.name, &g) else {
            continue;
        };
        let mut mentioned = Vec::new();
        crate::reactor::step_mentions(step, &mut mentioned);
        for m in dedup(mentioned) {
            if let Some(from) = index(&m, &g).filter(|f| *f != to) {
                g.edges.push((from, to));
            }
        }
    }
    if let Some(ret) = &r.ret {
        let to = g.nodes.len() - 1;
        let mut mentioned = Vec::new();
        crate::reactor::expr_mentions(ret, &mut mentioned);
        for m in dedup(mentioned) {
            if let Some(from) = index(&m, &g) {
                g.edges.push((from, to));
            }
        }
    }
    g
}

fn dedup(mut names: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| seen.insert(n.clone()));
    names
}

fn quoted(label: &str) -> String {
    label.replace('"', "'")
}

/// Mermaid `flowchart` text: pure steps green, effectful ones orange.
pub fn mermaid(graphs: &[Graph]) -> String {
    let mut out = String::from("flowchart LR\n");
    for g in graphs {
        let _ = writeln!(out, "  subgraph {}[\"{}\"]", g.id, quoted(&g.title));
        for n in &g.nodes {
            let label = quoted(&n.label);
            let shape = match n.kind {
                NodeKind::Source => format!("[/\"{label}\"/]"),
                NodeKind::Sink => format!("[(\"{label}\")]"),
                NodeKind::Param | NodeKind::Return => format!("([\"{label}\"])"),
                NodeKind::Lookup => format!("[(\"{label}\")]"),
                NodeKind::Http => format!("{{{{\"{label}\"}}}}"),
                _ => format!("[\"{label}\"]"),
            };
            let class = if n.kind.is_effectful() {
                ":::effect"
            } else if matches!(n.kind, NodeKind::Pure | NodeKind::Transform) {
                ":::pure"
            } else {
                ""
            };
            let _ = writeln!(out, "    {}{shape}{class}", n.id);
        }
        for (from, to) in &g.edges {
            let _ = writeln!(out, "    {} --> {}", g.nodes[*from].id, g.nodes[*to].id);
        }
        out.push_str("  end\n");
    }
    out.push_str("  classDef pure fill:#e8f5e9,stroke:#2e7d32\n");
    out.push_str("  classDef effect fill:#fff3e0,stroke:#e65100\n");
    out
}

/// Graphviz `digraph` text, one cluster per graph.
pub fn dot(graphs: &[Graph]) -> String {
    let mut out = String::from("digraph dash {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n");
    for g in graphs {
        let _ = writeln!(out, "  subgraph cluster_{} {{", g.id);
        let _ = writeln!(out, "    label=\"{}\";", quoted(&g.title));
        for n in &g.nodes {
            let (shape, fill) = match n.kind {
                NodeKind::Source => ("parallelogram", "#e3f2fd"),
                NodeKind::Sink | NodeKind::Lookup => (
                    "cylinder",
                    if n.kind.is_effectful() {
                        "#fff3e0"
                    } else {
                        "#e3f2fd"
                    },
                ),
                NodeKind::Http => ("hexagon", "#fff3e0"),
                NodeKind::Compose => ("box3d", "#fff3e0"),
                NodeKind::Param | NodeKind::Return => ("ellipse", "#ffffff"),
                NodeKind::Pure | NodeKind::Transform | NodeKind::Reactor => ("box", "#e8f5e9"),
            };
            let _ = writeln!(
                out,
                "    \"{}\" [label=\"{}\", shape={shape}, style=filled, fillcolor=\"{fill}\"];",
                n.id,
                quoted(&n.label)
            );
        }
        for (from, to) in &g.edges {
            let _ = writeln!(
                out,
                "    \"{}\" -> \"{}\";",
                g.nodes[*from].id, g.nodes[*to].id
            );
        }
        out.push_str("  }\n");
    }
    out.push_str("}\n");
    out
}
