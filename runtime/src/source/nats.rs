//! `nats` sources: a JetStream durable pull consumer. (Being written.)

use crate::plan::NatsPlan;
use crate::shutdown::Shutdown;

use super::{Feed, SourceError};

pub async fn consume(
    plan: NatsPlan,
    source: String,
    tx: tokio::sync::mpsc::Sender<Result<Feed, SourceError>>,
    _shutdown: Shutdown,
) {
    let _ = plan;
    let _ = tx
        .send(Err(SourceError::Live {
            source_name: source,
            message: "nats sources are being written".into(),
        }))
        .await;
}
