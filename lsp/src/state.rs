//! Open documents and per-project analyses.
//!
//! LSP handlers run concurrently: a document change is applied only if its
//! version is newer than the one held, and every analysis carries a
//! generation number so an older analysis never overwrites a newer one.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use dash_check::{Analysis, analyze};
use dash_syntax::SourceFile;

#[derive(Default)]
pub struct State {
    /// Open documents by absolute path: (version, text).
    docs: HashMap<PathBuf, (i32, String)>,
    projects: HashMap<PathBuf, Project>,
}

#[derive(Default)]
pub struct Project {
    pub generation: u64,
    pub current: Option<Arc<Analysis>>,
    /// The analysis before the current one (completion falls back on it
    /// while the declaration being typed does not parse).
    pub previous: Option<Arc<Analysis>>,
}

impl State {
    /// Apply a document's new text if `version` is newer. Returns whether it
    /// was applied.
    pub fn set_document(&mut self, path: &Path, version: i32, text: String) -> bool {
        match self.docs.get(path) {
            Some((held, _)) if *held >= version => false,
            _ => {
                self.docs.insert(path.to_path_buf(), (version, text));
                true
            }
        }
    }

    pub fn close_document(&mut self, path: &Path) {
        self.docs.remove(path);
    }

    pub fn document(&self, path: &Path) -> Option<&str> {
        self.docs.get(path).map(|(_, t)| t.as_str())
    }

    /// The files of the project holding `path`: every `.dash` file of its
    /// directory, open documents overriding the disk.
    pub fn project_files(&self, path: &Path) -> (PathBuf, Vec<SourceFile>) {
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "dash"))
                    .collect()
            })
            .unwrap_or_default();
        for open in self.docs.keys() {
            if open.parent() == Some(dir.as_path()) && !paths.contains(open) {
                paths.push(open.clone());
            }
        }
        paths.sort();
        let files = paths
            .into_iter()
            .filter_map(|p| {
                let text = match self.docs.get(&p) {
                    Some((_, t)) => t.clone(),
                    None => std::fs::read_to_string(&p).ok()?,
                };
                Some(SourceFile::new(p.display().to_string(), text))
            })
            .collect();
        (dir, files)
    }

    /// Start a new analysis of a project: its generation number.
    pub fn next_generation(&mut self, dir: &Path) -> u64 {
        let project = self.projects.entry(dir.to_path_buf()).or_default();
        project.generation += 1;
        project.generation
    }

    /// Store an analysis unless a newer one was started since.
    pub fn store(&mut self, dir: &Path, generation: u64, analysis: Arc<Analysis>) -> bool {
        let project = self.projects.entry(dir.to_path_buf()).or_default();
        if project.generation != generation {
            return false;
        }
        project.previous = project.current.take();
        project.current = Some(analysis);
        true
    }

    pub fn project(&self, dir: &Path) -> Option<&Project> {
        self.projects.get(dir)
    }
}

/// Analyze files (pure; run outside the lock).
pub fn run_analysis(files: Vec<SourceFile>) -> Analysis {
    analyze(files)
}
