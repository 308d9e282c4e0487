//! Transforms and reactors may not call each other in a cycle: Dash has no
//! recursion (every record is processed in bounded time).

use std::collections::{HashMap, HashSet};

use super::Checker;
use dash_syntax::diag::Code;

impl Checker<'_> {
    pub(super) fn check_recursion(&mut self) {
        let mut graph: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, (caller, _, _, _)) in self.calls.iter().enumerate() {
            graph.entry(caller.as_str()).or_default().push(i);
        }
        let mut reported: HashSet<String> = HashSet::new();
        let mut diags = Vec::new();
        let mut callers: Vec<&str> = graph.keys().copied().collect();
        callers.sort_unstable();
        for start in callers {
            // Depth-first search for a path of calls back to `start`.
            let mut stack: Vec<(&str, Vec<usize>)> = vec![(start, Vec::new())];
            let mut visited: HashSet<&str> = HashSet::new();
            while let Some((node, path)) = stack.pop() {
                for &edge in graph.get(node).map(Vec::as_slice).unwrap_or(&[]) {
                    let callee = self.calls[edge].1.as_str();
                    let mut next = path.clone();
                    next.push(edge);
                    if callee == start {
                        if reported.contains(start) {
                            continue;
                        }
                        let names: Vec<String> = next
                            .iter()
                            .map(|e| format!("`{}`", self.calls[*e].0))
                            .collect();
                        for e in &next {
                            reported.insert(self.calls[*e].0.clone());
                        }
                        let (_, _, file, span) = &self.calls[next[0]];
                        let mut d = dash_syntax::diag::Diagnostic::new(
                            Code::RecursiveCall,
                            *file,
                            *span,
                            format!(
                                "{} calls itself: {} -> `{start}`",
                                format_args!("`{start}`"),
                                names.join(" -> ")
                            ),
                            "recursive call",
                        )
                        .with_help("Dash has no recursion; compute the value without calling back");
                        d.message = if next.len() == 1 {
                            format!("`{start}` calls itself")
                        } else {
                            format!(
                                "`{start}` calls itself: {} -> `{start}`",
                                names.join(" -> ")
                            )
                        };
                        diags.push(d);
                    } else if visited.insert(callee) {
                        stack.push((callee, next));
                    }
                }
            }
        }
        self.diags.extend(diags);
    }
}
