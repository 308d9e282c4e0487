//! `nats` sources: a JetStream durable pull consumer.
//!
//! The messages at hand (up to [`UNIT`]) form one unit, one record each.
//! They are acked only after the batch holding them has committed: the
//! unit's ack closure (called by the writer after the transaction) hands
//! the messages' reply subjects to an acker task, which publishes `+ACK`
//! for each. A message that is never acked (the process died, its batch
//! failed, it was pulled but never handed over) is redelivered by the
//! server after [`ACK_WAIT`], to this process or to another one on the
//! same consumer; a sink `key` keeps its row single.
//!
//! The consumer is durable and shared: several `dashc run` processes pull
//! from it and the server spreads the messages among them. No position is
//! kept in the database (the server keeps the consumer's state).

use std::time::Duration;

use async_nats::Subject;
use async_nats::jetstream::context::GetStreamErrorKind;
use async_nats::jetstream::{self, consumer, stream};
use futures_util::StreamExt;
use tokio::sync::mpsc;

use crate::config::mask_url;
use crate::plan::NatsPlan;
use crate::shutdown::Shutdown;
use crate::writer::Backoff;

use super::{Feed, Mark, RawRecord, SourceError};

/// How long the server waits for a delivered message's ack before it
/// delivers it again (to any process on the consumer). A message is acked
/// after its batch commits, normally well under a second after delivery;
/// after a crash (SIGKILL) its messages reach another process, or the
/// restarted one, after this long. A commit stalled longer than this (a
/// database outage) sees its messages delivered again: harmless with a
/// sink `key`, at most [`max_ack_pending`] of them.
pub const ACK_WAIT: Duration = Duration::from_secs(10);

/// At most this many messages are delivered and not yet acked, over all
/// processes on the consumer: three batches of the sink (one gathering,
/// one queued, one committing) and two pulls, and at least 4096. Enough to
/// keep the pipeline writing full batches; it also bounds what a crash
/// leaves to be redelivered (and what a stall sees delivered twice).
pub fn max_ack_pending(batch_size: usize) -> i64 {
    let wanted = batch_size.saturating_mul(3).saturating_add(2 * PULL);
    i64::try_from(wanted).unwrap_or(i64::MAX).max(4096)
}

/// Messages asked for per pull request (the next pull goes out when half
/// are consumed).
const PULL: usize = 1024;

/// At most this many messages at hand form one unit.
const UNIT: usize = 512;

/// The server sends an idle heartbeat this often on a pull; two missed
/// ones end the message stream, which is then made anew.
const HEARTBEAT: Duration = Duration::from_secs(5);

/// Read `plan`'s consumer until `shutdown`, handing each message to `tx`
/// as a unit; returns once every handed-over message's ack has been sent
/// (or dropped with a failed batch) and flushed.
pub async fn consume(
    plan: NatsPlan,
    source: String,
    batch_size: usize,
    tx: mpsc::Sender<Result<Feed, SourceError>>,
    shutdown: Shutdown,
) {
    let in_flight = max_ack_pending(batch_size);
    let shown = mask_url(&plan.url);
    let fail = |message: String| {
        Err(SourceError::Live {
            source_name: source.clone(),
            message,
        })
    };
    let client = match async_nats::ConnectOptions::new()
        .name(format!("dashc {source}"))
        .connection_timeout(Duration::from_secs(5))
        .connect(plan.url.as_str())
        .await
    {
        Ok(client) => client,
        Err(e) => {
            let _ = tx
                .send(fail(format!("cannot connect to NATS at {shown}: {e}")))
                .await;
            return;
        }
    };
    let js = jetstream::new(client.clone());
    let stream = match js.get_stream(&plan.stream).await {
        Ok(stream) => stream,
        Err(e) => {
            let message = match e.kind() {
                GetStreamErrorKind::JetStream(j) if j.code() == 404 => {
                    format!("stream `{}` not found on NATS at {shown}", plan.stream)
                }
                _ => format!(
                    "cannot get stream `{}` from NATS at {shown} (is JetStream enabled?): {e}",
                    plan.stream
                ),
            };
            let _ = tx.send(fail(message)).await;
            return;
        }
    };
    // The first consumer is made here: a consumer that cannot be made now
    // (a subject outside the stream, a push consumer of that name) is an
    // error of the program; later failures are retried.
    let mut messages = match open(&stream, &plan, in_flight).await {
        Ok(m) => Some(m),
        Err(e) => {
            let _ = tx
                .send(fail(format!(
                    "cannot make consumer `{}` on stream `{}` at {shown}: {e}",
                    plan.consumer, plan.stream
                )))
                .await;
            return;
        }
    };
    tracing::info!(
        source = %source,
        server = %shown,
        stream = %plan.stream,
        consumer = %plan.consumer,
        "consuming"
    );

    let (ack_tx, acks) = mpsc::unbounded_channel::<Vec<Subject>>();
    let acker = tokio::spawn(ack_all(client.clone(), acks));
    let fresh = || Backoff::new(Duration::from_millis(100), Duration::from_secs(5));
    let mut backoff = fresh();
    'intake: loop {
        let pulling = match messages.take() {
            Some(m) => m,
            None => match open(&stream, &plan, in_flight).await {
                Ok(m) => m,
                Err(e) => {
                    tracing::warn!(source = %source, error = %e, "cannot pull from NATS; retrying");
                    if !pause(&mut backoff, &shutdown).await {
                        break;
                    }
                    continue;
                }
            },
        };
        // The messages already at hand, as one unit (a failure ends it).
        let mut pulling = pulling.ready_chunks(UNIT);
        loop {
            let next = tokio::select! {
                biased;
                () = shutdown.wait() => break 'intake,
                next = pulling.next() => next,
            };
            let Some(chunk) = next else {
                tracing::warn!(source = %source, "NATS messages ended; pulling again");
                break;
            };
            let mut messages = Vec::with_capacity(chunk.len());
            let mut failed = None;
            for item in chunk {
                match item {
                    Ok(message) => messages.push(message),
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                }
            }
            if !messages.is_empty() {
                backoff = fresh();
                let feed = unit(messages, &ack_tx);
                tokio::select! {
                    biased;
                    () = shutdown.wait() => break 'intake,
                    sent = tx.send(Ok(feed)) => if sent.is_err() {
                        break 'intake; // the pipeline stopped
                    },
                }
            }
            if let Some(e) = failed {
                // The messages after it in the chunk were not handed over:
                // they come again after ACK_WAIT.
                tracing::warn!(source = %source, error = %e, "NATS messages failed; pulling again");
                break;
            }
        }
        drop(pulling);
        if !pause(&mut backoff, &shutdown).await {
            break;
        }
    }
    // Stop pulling (what was pulled and not handed over is redelivered
    // after ACK_WAIT), let the pipeline drain and commit, then send the
    // acks of what it committed: the acker ends once every ack closure
    // has run or been dropped.
    drop(tx);
    drop(ack_tx);
    let _ = acker.await;
    if tokio::time::timeout(Duration::from_secs(5), client.flush())
        .await
        .map_or(true, |r| r.is_err())
    {
        tracing::warn!(source = %source, "the last NATS acks may not have reached the server; those messages will be delivered again");
    }
}

/// Make (or bring up to date) the durable consumer and start pulling.
async fn open(
    stream: &stream::Stream,
    plan: &NatsPlan,
    in_flight: i64,
) -> Result<consumer::pull::Stream, async_nats::Error> {
    let config = consumer::pull::Config {
        durable_name: Some(plan.consumer.clone()),
        filter_subject: plan.subject.clone(),
        ack_policy: consumer::AckPolicy::Explicit,
        ack_wait: ACK_WAIT,
        max_ack_pending: in_flight,
        deliver_policy: consumer::DeliverPolicy::All,
        ..Default::default()
    };
    // Create or update: the same config from several processes at once
    // is fine. A consumer made elsewhere whose settings cannot be changed
    // (its deliver policy) is used as it is.
    let consumer: consumer::PullConsumer = match stream.create_consumer(config).await {
        Ok(c) => c,
        Err(e) => match stream.get_consumer(&plan.consumer).await {
            Ok(c) => {
                tracing::warn!(consumer = %plan.consumer, error = %e, "the existing NATS consumer is used with its own settings");
                c
            }
            Err(_) => return Err(e.into()),
        },
    };
    Ok(consumer
        .stream()
        .max_messages_per_batch(PULL)
        .heartbeat(HEARTBEAT)
        .messages()
        .await?)
}

/// Messages as a unit of one record each, acked through `acks` once
/// committed.
fn unit(messages: Vec<jetstream::Message>, acks: &mpsc::UnboundedSender<Vec<Subject>>) -> Feed {
    let mut records = Vec::with_capacity(messages.len());
    let mut replies = Vec::with_capacity(messages.len());
    for message in messages {
        let (text, broken) = super::text_of(&message.payload);
        records.push(RawRecord {
            decoded: None,
            raw: text,
            json: None,
            broken,
            end: 0,
        });
        replies.extend(message.message.reply);
    }
    let acks = acks.clone();
    Feed::Unit(
        records,
        Mark {
            state: None,
            // Runs on the writer task: it must not block; the acker sends.
            ack: Some(Box::new(move |_| {
                let _ = acks.send(replies);
            })),
        },
    )
}

/// Publish `+ACK` to each reply subject that arrives, until every sender
/// is gone.
async fn ack_all(client: async_nats::Client, mut acks: mpsc::UnboundedReceiver<Vec<Subject>>) {
    while let Some(replies) = acks.recv().await {
        for reply in replies {
            if let Err(e) = client.publish(reply, "+ACK".into()).await {
                tracing::warn!(error = %e, "a NATS ack could not be sent; the message will be delivered again");
            }
        }
    }
}

/// Wait the next backoff delay; false once shut down.
async fn pause(backoff: &mut Backoff, shutdown: &Shutdown) -> bool {
    tokio::select! {
        biased;
        () = shutdown.wait() => false,
        () = tokio::time::sleep(backoff.next_delay()) => !shutdown.is_set(),
    }
}
