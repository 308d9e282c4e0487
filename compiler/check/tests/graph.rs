//! `dashc compile --emit graph|dot`: the pipeline and reactor graphs of
//! the example programs, snapshotted (review them as pictures with any
//! Mermaid or Graphviz viewer).

use dash_check::analyze;
use dash_check::graph::{dot, graphs, mermaid};
use dash_syntax::SourceFile;

fn load(path: &str) -> dash_check::Analysis {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path);
    let text = std::fs::read_to_string(&full).expect("program");
    let analysis = analyze(vec![SourceFile::new(path, text)]);
    // Only refusals of what does not run yet (E0049): the graph of a
    // program written against the whole language is still drawn.
    assert!(
        analysis
            .diagnostics
            .iter()
            .all(|d| d.code.as_str() == "E0049"),
        "{:?}",
        analysis.diagnostics
    );
    analysis
}

#[test]
fn reactor_graphs_as_mermaid() {
    insta::assert_snapshot!(mermaid(&graphs(&load("tests/check/ok/orders_enrich.dash"))));
}

#[test]
fn reactor_graphs_as_dot() {
    insta::assert_snapshot!(dot(&graphs(&load("tests/check/ok/orders_enrich.dash"))));
}

#[test]
fn pipeline_with_fan_out() {
    insta::assert_snapshot!(mermaid(&graphs(&load("tests/check/ok/sinks.dash"))));
}

#[test]
fn every_step_depends_only_on_earlier_nodes_and_effects_are_marked() {
    let analysis = load("tests/check/ok/reactors.dash");
    for g in graphs(&analysis) {
        for (from, to) in &g.edges {
            assert_ne!(from, to, "{}: a self edge", g.title);
        }
        // Acyclic: a topological order exists.
        let mut indegree = vec![0; g.nodes.len()];
        for (_, to) in &g.edges {
            indegree[*to] += 1;
        }
        let mut ready: Vec<usize> = (0..g.nodes.len()).filter(|i| indegree[*i] == 0).collect();
        let mut seen = 0;
        while let Some(n) = ready.pop() {
            seen += 1;
            for (from, to) in &g.edges {
                if *from == n {
                    indegree[*to] -= 1;
                    if indegree[*to] == 0 {
                        ready.push(*to);
                    }
                }
            }
        }
        assert_eq!(seen, g.nodes.len(), "{}: cycle", g.title);
    }
}
