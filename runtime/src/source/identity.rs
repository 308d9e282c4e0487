//! Which file a checkpoint belongs to. A file source's checkpoint is a
//! byte offset; it is only meaningful in the same file. The identity is
//! the number of bytes hashed and a SHA-256 of the file's first bytes (up
//! to 1 KiB): it survives a rename or a copy, and changes when the file
//! is replaced by another. A file shorter than its checkpoint was
//! truncated. Either stops the run before anything is read, naming
//! `--from-start`.

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::SourceError;
use crate::plan::{Input, SourcePlan};

/// How many leading bytes identify a file.
const PREFIX: u64 = 1024;

/// `"N:hex"`: the SHA-256 of the first `N` bytes (`n` of them if given,
/// else up to 1 KiB); `None` for stdin, a missing or empty file.
pub fn identity(path: &Path, n: Option<u64>) -> std::io::Result<Option<String>> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut prefix = Vec::new();
    file.take(n.unwrap_or(PREFIX)).read_to_end(&mut prefix)?;
    if prefix.is_empty() || n.is_some_and(|n| prefix.len() as u64 != n) {
        return Ok(None);
    }
    let hex: String = Sha256::digest(&prefix)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(Some(format!("{}:{hex}", prefix.len())))
}

/// Check that a committed `position` (with the `stored` identity) still
/// fits the source's file; returns the identity to commit from now on.
pub fn verify(
    source: &SourcePlan,
    position: u64,
    stored: Option<&str>,
) -> Result<Option<String>, SourceError> {
    let Input::File(path) = &source.input else {
        return Ok(None);
    };
    let io = |e: std::io::Error| SourceError::Io {
        path: source.shown(),
        message: e.to_string(),
    };
    let changed = |why: String| SourceError::Changed {
        path: source.shown(),
        why,
    };
    let len = match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Some(m.len()),
        Ok(_) => None, // a pipe: no size, no identity
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && position == 0 => None,
        Err(e) => return Err(io(e)),
    };
    let Some(len) = len else {
        return Ok(None);
    };
    if len < position {
        return Err(changed(format!(
            "it has {len} bytes, fewer than the {position} already read: it was truncated or replaced"
        )));
    }
    if position > 0
        && let Some(stored) = stored
    {
        let n = stored
            .split_once(':')
            .and_then(|(n, _)| n.parse::<u64>().ok());
        if identity(path, n).map_err(io)?.as_deref() != Some(stored) {
            return Err(changed(
                "its first bytes are not those of the file the checkpoint was taken in: it was replaced"
                    .into(),
            ));
        }
        return Ok(Some(stored.to_string()));
    }
    identity(path, None).map_err(io)
}
