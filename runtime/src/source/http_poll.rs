//! `http` sources: polling an API page by page. (Being written.)

use crate::plan::HttpPlan;
use crate::shutdown::Shutdown;

use super::{Feed, SourceError};

pub struct Poller {
    source: String,
}

impl Poller {
    pub fn new(
        _plan: HttpPlan,
        source: &str,
        _state: Option<String>,
    ) -> Result<Poller, SourceError> {
        Ok(Poller {
            source: source.to_string(),
        })
    }

    pub async fn run(
        self,
        tx: tokio::sync::mpsc::Sender<Result<Feed, SourceError>>,
        _shutdown: Shutdown,
    ) {
        let _ = tx
            .send(Err(SourceError::Live {
                source_name: self.source,
                message: "http sources are being written".into(),
            }))
            .await;
    }
}
