//! The architecture's rules, checked on the source tree (rust-analyzer's
//! "tidy" tests): no import cycles between modules, and the editor side
//! of the compiler links no code generator.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const CRATES: &[&str] = &[
    "compiler/syntax/src",
    "compiler/check/src",
    "compiler/ide/src",
    "compiler/ir/src",
    "compiler/jit/src",
    "runtime/src",
    "lsp/src",
    "src",
];

type Module = Vec<String>;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`, by module path (`lib.rs`/`mod.rs` name
/// their directory's module).
fn modules(dir: &Path) -> BTreeMap<Module, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read a source directory") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(dir).expect("under the crate");
                let mut parts: Module = rel
                    .with_extension("")
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                if matches!(
                    parts.last().map(String::as_str),
                    Some("lib" | "main" | "mod")
                ) {
                    parts.pop();
                }
                let text = std::fs::read_to_string(&path).expect("read a source file");
                out.insert(parts, code_only(&text));
            }
        }
    }
    out
}

/// The text without comments and string contents (paths in docs or
/// strings are not imports).
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                out.push('"');
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
                out.push('"');
            }
            _ => out.push(c),
        }
    }
    out
}

/// The modules a module refers to by `crate::…` and `super::…` paths,
/// each resolved to the deepest module that exists.
fn references(module: &Module, text: &str, all: &BTreeMap<Module, String>) -> BTreeSet<Module> {
    let mut out = BTreeSet::new();
    let bytes = text.as_bytes();
    for head in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(at) = text[from..].find(head).map(|i| i + from) {
            from = at + head.len();
            if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
                continue;
            }
            let mut path: Module = if head == "crate::" {
                Vec::new()
            } else {
                module[..module.len().saturating_sub(1)].to_vec()
            };
            let rest: String = text[from..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            for part in rest.split("::").filter(|p| !p.is_empty()) {
                if part == "super" {
                    path.pop();
                } else {
                    path.push(part.to_string());
                }
            }
            while !all.contains_key(&path) && !path.is_empty() {
                path.pop();
            }
            if &path != module {
                out.insert(path);
            }
        }
    }
    out
}

/// A module and its direct parent may refer to each other: the parent
/// declares and re-exports its children, the children use the parent's
/// shared definitions. Any other cycle is an error.
fn parent_and_child(a: &Module, b: &Module) -> bool {
    let direct = |p: &Module, c: &Module| c.len() == p.len() + 1 && c.starts_with(p);
    direct(a, b) || direct(b, a)
}

/// The cycles among a crate's modules, as pairs of modules.
fn cycles(all: &BTreeMap<Module, String>) -> Vec<String> {
    let edges: BTreeMap<&Module, BTreeSet<Module>> = all
        .iter()
        .map(|(m, text)| (m, references(m, text, all)))
        .collect();
    let mut out = Vec::new();
    // Every cycle passes through an edge (a, b) with a path back from b
    // to a; find them by a search from each edge's end.
    for (a, targets) in &edges {
        for b in targets.iter().filter(|b| !parent_and_child(a, b)) {
            let mut seen = BTreeSet::new();
            let mut stack = vec![b.clone()];
            while let Some(m) = stack.pop() {
                if &m == *a {
                    out.push(format!("`{}` and `{}`", a.join("::"), b.join("::")));
                    break;
                }
                if seen.insert(m.clone()) {
                    let next = edges.get(&m).into_iter().flatten();
                    stack.extend(next.filter(|n| !parent_and_child(&m, n)).cloned());
                }
            }
        }
    }
    out
}

#[test]
fn no_two_modules_import_each_other() {
    let mut found = Vec::new();
    for krate in CRATES {
        for cycle in cycles(&modules(&root().join(krate))) {
            found.push(format!("{krate}: {cycle}"));
        }
    }
    assert!(
        found.is_empty(),
        "modules in an import cycle:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_cycle_check_finds_cycles() {
    let files = [
        (vec![], "mod batch; mod executor; mod summary;"),
        (vec!["batch"], "use crate::executor::RunError;"),
        (
            vec!["executor"],
            "use crate::batch::process; use super::summary::Summary;",
        ),
        (vec!["summary"], "use crate::executor::Options;"),
    ];
    let all: BTreeMap<Module, String> = files
        .iter()
        .map(|(m, t)| (m.iter().map(|s| s.to_string()).collect(), t.to_string()))
        .collect();
    let found = cycles(&all);
    assert!(
        found.contains(&"`batch` and `executor`".to_string()),
        "{found:?}"
    );
    assert!(
        found.contains(&"`executor` and `summary`".to_string()),
        "{found:?}"
    );
    // A parent and its child may refer to each other.
    let all: BTreeMap<Module, String> = [
        (
            vec![],
            "pub use child::X; fn f(x: crate::child::X) -> crate::child::X { x }",
        ),
        (vec!["child".to_string()], "use super::Shared;"),
    ]
    .into_iter()
    .map(|(m, t)| (m, t.to_string()))
    .collect();
    assert!(cycles(&all).is_empty());
}

/// Packages of Cargo.lock and their dependencies' names.
fn lockfile() -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(root().join("Cargo.lock")).expect("Cargo.lock");
    let mut out = BTreeMap::new();
    for package in text.split("[[package]]").skip(1) {
        let mut name = String::new();
        let mut deps = Vec::new();
        let mut in_deps = false;
        for line in package.lines() {
            let line = line.trim();
            if let Some(n) = line.strip_prefix("name = ") {
                name = n.trim_matches('"').to_string();
            } else if line.starts_with("dependencies = [") {
                in_deps = true;
            } else if in_deps && line == "]" {
                in_deps = false;
            } else if in_deps {
                let dep = line.trim_matches(|c| c == '"' || c == ',');
                deps.push(dep.split(' ').next().unwrap_or(dep).to_string());
            }
        }
        out.insert(name, deps);
    }
    out
}

fn dependencies(package: &str) -> BTreeSet<String> {
    let lock = lockfile();
    let mut seen = BTreeSet::new();
    let mut stack = vec![package.to_string()];
    while let Some(p) = stack.pop() {
        if seen.insert(p.clone()) {
            stack.extend(lock.get(&p).into_iter().flatten().cloned());
        }
    }
    seen
}

#[test]
fn the_editor_side_links_no_code_generator() {
    for package in ["dash-syntax", "dash-check", "dash-ide", "dash-lsp"] {
        let deps = dependencies(package);
        assert!(deps.len() > 1, "{package} is not in Cargo.lock");
        let cranelift: Vec<&String> = deps.iter().filter(|d| d.starts_with("cranelift")).collect();
        assert!(cranelift.is_empty(), "{package} depends on {cranelift:?}");
    }
    // The check is real: the JIT does link Cranelift.
    assert!(dependencies("dash-jit").contains("cranelift-jit"));
}

#[test]
fn the_compiler_crates_do_no_io() {
    for krate in ["syntax", "check", "ide", "ir", "jit"] {
        let manifest =
            std::fs::read_to_string(root().join("compiler").join(krate).join("Cargo.toml"))
                .expect("a compiler crate's manifest");
        let deps = manifest
            .split("[dependencies]")
            .nth(1)
            .and_then(|d| d.split("\n[").next())
            .unwrap_or_default();
        for banned in ["tokio", "sqlx", "reqwest", "hyper", "axum", "async-nats"] {
            assert!(
                !deps.lines().any(|l| l.trim_start().starts_with(banned)),
                "compiler/{krate} depends on {banned}"
            );
        }
    }
}
