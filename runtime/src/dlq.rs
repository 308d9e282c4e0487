//! Reading the dead-letter table (`dashc dlq list|show`).

use std::path::Path;

use crate::config::{self, mask_url};
use crate::executor::RunError;
use crate::store::{DlqEntry, Store};

/// The DLQ entries of the project in `dir` (all, one pipeline's, or one).
pub fn entries(
    dir: &Path,
    db: Option<&str>,
    env: Option<&str>,
    table: Option<&str>,
    pipeline: Option<&str>,
    id: Option<i64>,
) -> Result<(String, Vec<DlqEntry>), RunError> {
    let config = config::load(dir, env)?;
    let url = config.database_url(db, dir);
    let table = table
        .map(str::to_string)
        .or(config.dlq.clone())
        .unwrap_or_else(|| "dash_dlq".into());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| RunError::Output {
            path: "<runtime>".into(),
            message: e.to_string(),
        })?;
    runtime.block_on(async {
        let store = Store::open(&url, &mask_url(&url), config.copy_format).await?;
        store.ensure_dlq(&table).await?;
        let entries = store.dlq_entries(&table, pipeline, id).await?;
        store.close().await;
        Ok((mask_url(&url), entries))
    })
}

/// What a replay did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Replayed {
    pub attempted: usize,
    /// Now written (or skipped by the pipeline): removed from the DLQ.
    pub resolved: usize,
    /// Still failing: kept, with one more attempt counted.
    pub failing: usize,
    pub written: u64,
}

/// Re-run the raw records of the DLQ through the *current* pipeline code.
/// Rows that now succeed are written and their DLQ entries deleted, in one
/// transaction; the others stay with their attempt count raised.
/// `since` keeps entries first failed at or after an RFC 3339 time.
pub fn replay(
    analysis: &dash_compiler::Analysis,
    dir: &Path,
    options: &crate::executor::RunOptions,
    since: Option<&str>,
) -> Result<Replayed, RunError> {
    let config = config::load(dir, options.env.as_deref())?;
    let plan = crate::plan::plan(analysis, dir, options.pipeline.as_deref(), &config)?;
    let url = config.database_url(options.db.as_deref(), dir);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| RunError::Output {
            path: "<runtime>".into(),
            message: e.to_string(),
        })?;
    let program = &analysis.program;
    // The database work runs on the runtime; the batch is processed here,
    // outside it, so reactors' lookups and HTTP calls can use it too.
    let (store, entries) = runtime.block_on(async {
        let store = Store::open(&url, &mask_url(&url), config.copy_format).await?;
        store.ensure_dlq(&plan.dlq_table).await?;
        for sink in &plan.sinks {
            if let crate::plan::Output::Table { table, .. } = &sink.output {
                store
                    .ensure_table(
                        table,
                        &crate::store::columns_of(program, sink.record),
                        &sink.key,
                        sink.time.as_deref(),
                    )
                    .await?;
            }
        }
        let since = since.map(normalize_time);
        let entries: Vec<DlqEntry> = store
            .dlq_entries(&plan.dlq_table, Some(&plan.pipeline), None)
            .await?
            .into_iter()
            .filter(|e| {
                since
                    .as_deref()
                    .is_none_or(|s| normalize_time(&e.first_failed_at).as_str() >= s)
            })
            .collect();
        Ok::<_, RunError>((store, entries))
    })?;
    let store = std::sync::Arc::new(store);
    // The position of a replayed record carries its DLQ id.
    let raws: Vec<(String, u64)> = entries
        .iter()
        .map(|e| (e.raw.clone(), e.id as u64))
        .collect();
    let records = crate::source::reparse(&plan.source, program, &raws)?;
    let mut summary = crate::executor::Summary::default();
    let mut files = crate::file_sink::FileSinks::open(&plan)?;
    let jit = crate::executor::compile(options, &plan)?;
    let engine = dash_compiler::engine::Engine::of(jit.as_ref(), &plan.program);
    let mut reactors = crate::batch::Reactors::new(&plan, store.clone(), &runtime, program);
    let commit = crate::batch::process(
        &plan,
        analysis,
        engine,
        &records,
        &mut summary,
        &mut files,
        Some(&mut reactors),
    )?;
    drop(reactors);
    let failed: Vec<(i64, String, String)> = commit
        .dead
        .iter()
        .map(|d| (d.position as i64, d.code.clone(), d.message.clone()))
        .collect();
    let resolved: Vec<i64> = entries
        .iter()
        .map(|e| e.id)
        .filter(|id| !failed.iter().any(|(f, _, _)| f == id))
        .collect();
    let written =
        runtime.block_on(store.replay(&plan.dlq_table, &commit.tables, &resolved, &failed))?;
    if let Ok(store) = std::sync::Arc::try_unwrap(store) {
        runtime.block_on(store.close());
    }
    Ok(Replayed {
        attempted: entries.len(),
        resolved: resolved.len(),
        failing: failed.len(),
        written,
    })
}

/// Timestamps as comparable text: `2026-01-01T00:00:00` (UTC, no zone,
/// no fraction), from RFC 3339 or the stores' formats.
fn normalize_time(text: &str) -> String {
    let t = text.replace(' ', "T");
    t.chars().take(19).collect()
}
