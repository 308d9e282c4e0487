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
    let url = db
        .map(str::to_string)
        .or(config.database.clone())
        .unwrap_or_else(|| format!("sqlite://{}", dir.join("dash.db").display()));
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
        let store = Store::open(&url, &mask_url(&url)).await?;
        store.ensure_dlq(&table).await?;
        let entries = store.dlq_entries(&table, pipeline, id).await?;
        store.close().await;
        Ok((mask_url(&url), entries))
    })
}
