//! The editor packages' own tests (Node.js): the VS Code TextMate grammar
//! over every sample program, and the tree-sitter grammar's checks.
//! `npm ci` fetches their dependencies from the npm registry.

use std::path::Path;
use std::process::Command;

fn npm(dir: &str, args: &[&str]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let out = Command::new("npm")
        .args(args)
        .current_dir(&dir)
        .output()
        .unwrap_or_else(|e| panic!("npm is required for the editor tests ({e})"));
    assert!(
        out.status.success(),
        "npm {args:?} in {} failed:\n{}\n{}",
        dir.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn vscode_grammar_tokenizes_every_sample() {
    npm(
        "editors/vscode",
        &["ci", "--no-audit", "--no-fund", "--loglevel=error"],
    );
    npm("editors/vscode", &["test"]);
}

#[test]
fn tree_sitter_grammar_checks() {
    // Its tests need no packages (the tree-sitter CLI is optional and
    // downloads from github.com, which is not reachable here).
    npm("editors/tree-sitter-dash", &["test"]);
}
