//! `file` sinks (JSONL): lines are appended while a batch is processed,
//! before its commit; the file's length after the batch is committed with
//! it (checkpoint key `sink:NAME`). A run first cuts each file back to its
//! committed length, so lines of a batch that never committed (a crash)
//! are dropped and written again: exactly once, like tables.

use std::io::{BufWriter, Write as _};
use std::path::PathBuf;

use crate::plan::{Output, Plan};
use crate::store::{Commit, Store};
use crate::summary::RunError;

struct FileSink {
    /// The checkpoint key, `sink:NAME`.
    key: String,
    path: PathBuf,
    /// The path as it may be printed (not when it came from the environment).
    shown: String,
    file: BufWriter<std::fs::File>,
}

impl FileSink {
    /// The file's length as written so far (flushed or not by the caller).
    fn len(&self) -> Result<u64, RunError> {
        self.file
            .get_ref()
            .metadata()
            .map(|m| m.len())
            .map_err(|e| output_error(&self.shown, e))
    }
}

/// The open `file` sinks of a plan.
pub struct FileSinks {
    sinks: Vec<FileSink>,
}

impl FileSinks {
    pub fn open(plan: &Plan) -> Result<FileSinks, RunError> {
        let mut sinks = Vec::new();
        for sink in &plan.sinks {
            let Output::File(path) = &sink.output else {
                continue;
            };
            let shown = sink.shown_path();
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| output_error(&shown, e))?;
            sinks.push(FileSink {
                key: format!("sink:{}", sink.name),
                path: path.clone(),
                shown,
                file: BufWriter::with_capacity(1 << 16, file),
            });
        }
        Ok(FileSinks { sinks })
    }

    /// Cut each file back to its committed length; a file never committed
    /// has its current length committed first, as where this run starts.
    pub async fn recover(
        &mut self,
        store: &Store,
        plan: &Plan,
        start: u64,
    ) -> Result<(), RunError> {
        let pipeline = &plan.pipeline;
        let mut baseline = Commit {
            position: start,
            ..Commit::default()
        };
        for sink in &mut self.sinks {
            let len = sink.len()?;
            match store.position(pipeline, &sink.key).await? {
                Some(committed) if len > committed => {
                    tracing::info!(
                        path = %sink.shown,
                        bytes = len - committed,
                        "dropping lines written after the last commit"
                    );
                    sink.file
                        .get_ref()
                        .set_len(committed)
                        .map_err(|e| output_error(&sink.shown, e))?;
                }
                Some(_) => {}
                None => baseline.sink_positions.push((sink.key.clone(), len)),
            }
        }
        if !baseline.sink_positions.is_empty() {
            store
                .commit(
                    pipeline,
                    &plan.source.name,
                    &plan.dlq_table,
                    &baseline,
                    None,
                )
                .await?;
        }
        Ok(())
    }

    pub fn write_line(&mut self, path: &PathBuf, line: &str) -> Result<(), RunError> {
        if let Some(sink) = self.sinks.iter_mut().find(|s| &s.path == path) {
            writeln!(sink.file, "{line}").map_err(|e| output_error(&sink.shown, e))?;
        }
        Ok(())
    }

    /// Flush every file; their lengths, for the batch's commit.
    pub fn positions(&mut self) -> Result<Vec<(String, u64)>, RunError> {
        let mut out = Vec::new();
        for sink in &mut self.sinks {
            sink.file
                .flush()
                .map_err(|e| output_error(&sink.shown, e))?;
            let len = sink.len()?;
            out.push((sink.key.clone(), len));
        }
        Ok(out)
    }
}

fn output_error(shown: &str, e: std::io::Error) -> RunError {
    RunError::Output {
        path: if shown.starts_with("the file of") {
            shown.to_string()
        } else {
            format!("`{shown}`")
        },
        message: e.to_string(),
    }
}
