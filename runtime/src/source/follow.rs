//! Files matched by a glob and followed as they grow. (Being written.)

use std::path::PathBuf;

use crate::shutdown::Shutdown;

use super::{Feed, SourceError};

pub struct Follow {
    pub shown: String,
    pub pattern: PathBuf,
    pub follow: bool,
    /// `format: lines`: the JSON key of the record's one field.
    pub lines: Option<String>,
    /// The committed state: offsets by fingerprint.
    pub state: Option<String>,
}

impl Follow {
    pub fn run(
        self,
        tx: &tokio::sync::mpsc::Sender<Result<Feed, SourceError>>,
        _shutdown: &Shutdown,
    ) {
        let _ = tx.blocking_send(Err(SourceError::Io {
            path: self.shown,
            message: "being written".into(),
        }));
    }
}
