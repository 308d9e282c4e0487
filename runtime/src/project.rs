//! Loading a project from disk: a directory means every `.dash` file in it
//! (not recursive, sorted by name); files given together form one project.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use dash_check::Input;

/// The files of one project, ready for [`dash_check::analyze_inputs`].
#[derive(Debug)]
pub struct Project {
    /// The directory, or the first file, that named this project.
    pub root: PathBuf,
    pub files: Vec<(String, Input)>,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read `{path}`: {source}")]
    Read { path: String, source: io::Error },
    #[error("`{0}` contains no .dash files")]
    Empty(String),
    #[error("`{0}` is not a .dash file")]
    NotDash(String),
}

/// Group paths into projects: each directory is one, loose files are one.
pub fn load(paths: &[PathBuf]) -> Result<Vec<Project>, LoadError> {
    let mut projects = Vec::new();
    let mut loose: Vec<(String, Input)> = Vec::new();
    let mut loose_root: Option<PathBuf> = None;
    for path in paths {
        let meta = fs::metadata(path).map_err(|source| LoadError::Read {
            path: path.display().to_string(),
            source,
        })?;
        if meta.is_dir() {
            let files = dash_files(path)?;
            if files.is_empty() {
                return Err(LoadError::Empty(path.display().to_string()));
            }
            let files = files.iter().map(|f| read(f)).collect::<Result<_, _>>()?;
            projects.push(Project {
                root: path.clone(),
                files,
            });
        } else {
            if path.extension().is_none_or(|e| e != "dash") {
                return Err(LoadError::NotDash(path.display().to_string()));
            }
            loose_root.get_or_insert_with(|| path.clone());
            loose.push(read(path)?);
        }
    }
    if let Some(root) = loose_root {
        projects.push(Project { root, files: loose });
    }
    Ok(projects)
}

/// The `.dash` files directly inside `dir`, sorted.
pub fn dash_files(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let entries = fs::read_dir(dir).map_err(|source| LoadError::Read {
        path: dir.display().to_string(),
        source,
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| LoadError::Read {
            path: dir.display().to_string(),
            source,
        })?;
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "dash") && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn read(path: &Path) -> Result<(String, Input), LoadError> {
    let bytes = fs::read(path).map_err(|source| LoadError::Read {
        path: path.display().to_string(),
        source,
    })?;
    let shown = path.display().to_string();
    let shown = shown.strip_prefix("./").unwrap_or(&shown).to_string();
    Ok((shown, Input::Bytes(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_path_is_an_error() {
        let err = load(&[PathBuf::from("/definitely/not/here")]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("cannot read `/definitely/not/here`")
        );
    }
}
