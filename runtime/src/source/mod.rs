//! Sources: read raw records from a position and say where each ends, so
//! the position after the last committed record is the checkpoint.
//!
//! Readers run on a blocking thread and hand records over a bounded
//! channel: when the pipeline is slow, reading waits (backpressure).

mod csv;
mod follow;
mod http_poll;
mod identity;
mod json_array;
mod jsonl;
mod nats;
pub mod webhook;

use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::sync::Arc;

use dash_check::Program;

use crate::plan::{CsvFormat, Format, Input, SourcePlan};
use crate::shutdown::Shutdown;

pub use identity::{identity, verify};

/// One record as read, before decoding.
#[derive(Clone, Debug)]
pub struct RawRecord {
    /// The text as read (invalid UTF-8 escaped), kept in the DLQ.
    pub raw: String,
    /// Already converted to JSON (CSV rows), else `None`: decode `raw`.
    pub json: Option<serde_json::Value>,
    /// Why the record cannot even be decoded (invalid UTF-8, bad CSV).
    pub broken: Option<String>,
    /// Already decoded where it was read (a CSV row of plain fields),
    /// else `None`: decode `json` or `raw`.
    pub decoded: Option<dash_check::value::Value>,
    /// Byte offset just after this record: the checkpoint once committed.
    /// For sources that hand over [`Feed::Unit`]s, the record's number
    /// in the source's history (the pipeline numbers them).
    pub end: u64,
}

/// What a source hands the pipeline.
pub enum Feed {
    /// One record of a file or stdin: a batch may end after any of them.
    Record(RawRecord),
    /// Records that commit together, then what to commit with them and
    /// whom to tell: an HTTP page, a webhook request, a NATS message, a
    /// stretch of followed files. A batch ends only between units.
    Unit(Vec<RawRecord>, Mark),
}

/// What goes with a unit of records.
#[derive(Default)]
pub struct Mark {
    /// The source's resume state once the unit is committed.
    pub state: Option<String>,
    /// Called once the unit is committed, with how its records went.
    pub ack: Option<Box<dyn FnOnce(Acked) + Send + Sync>>,
}

/// How a committed unit's records went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Acked {
    /// Written, skipped or already there.
    pub accepted: u64,
    pub dead_lettered: u64,
}

/// The receiving end of a source.
pub type Feeds = tokio::sync::mpsc::Receiver<Result<Feed, SourceError>>;

/// A started source: its records, and the task that must finish before
/// the process exits (a NATS consumer flushing its last acks).
pub struct Started {
    pub feeds: Feeds,
    pub task: Option<tokio::task::JoinHandle<()>>,
}

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("cannot read `{path}`: {message}")]
    Io { path: String, message: String },
    #[error("`{path}`: {message}")]
    Format { path: String, message: String },
    #[error(
        "`{path}` changed under its checkpoint: {why}. Nothing was read. To read it again \
         from its first byte, run with `--from-start` (rows whose `key` is stored are not \
         written twice; without a key they are)"
    )]
    Changed { path: String, why: String },
    /// A live source failed for good (a 4xx answer, a refused listener,
    /// a consumer that cannot be made).
    #[error("source `{source_name}`: {message}")]
    Live {
        source_name: String,
        message: String,
    },
}

/// What a source needs from the process it runs in.
#[derive(Clone)]
pub struct Context {
    pub handle: tokio::runtime::Handle,
    pub shutdown: Shutdown,
    /// The webhook listeners shared by the process's pipelines.
    pub webhooks: Arc<webhook::Listeners>,
    pub pipeline: String,
    /// The most records one batch of the pipeline holds.
    pub batch_size: usize,
}

/// Start reading `source` from byte `start` (or, for sources with a
/// resume state, from `state`); records arrive on the returned channel
/// (capacity `capacity`), which closes at the end of the input or once
/// `context.shutdown` is set.
pub fn spawn(
    source: &SourcePlan,
    program: &Program,
    start: u64,
    state: Option<String>,
    capacity: usize,
    context: &Context,
) -> Result<Started, SourceError> {
    let (tx, rx) = tokio::sync::mpsc::channel(capacity.max(1));
    let source = source.clone();
    let shutdown = context.shutdown.clone();
    let mut task = None;
    match &source.input {
        Input::File(_) | Input::Stdin => {
            let fields = csv::fields(program, source.record);
            let lines = lines_key(program, &source);
            std::thread::spawn(move || {
                let result = read(&source, &fields, lines.as_deref(), start, &mut |r| {
                    !shutdown.is_set() && tx.blocking_send(Ok(Feed::Record(r))).is_ok()
                });
                if let Err(e) = result {
                    let _ = tx.blocking_send(Err(e));
                }
            });
        }
        Input::Files { pattern, follow } => {
            let reader = follow::Follow {
                shown: source.shown(),
                pattern: pattern.clone(),
                follow: *follow,
                lines: lines_key(program, &source),
                state,
            };
            std::thread::spawn(move || reader.run(&tx, &shutdown));
        }
        Input::Http(h) => {
            let poller = http_poll::Poller::new(h.clone(), &source.name, source.secret, state)?;
            context.handle.spawn(poller.run(tx, shutdown));
        }
        Input::Webhook(w) => {
            context
                .webhooks
                .add(w, &source.name, &context.pipeline, tx, &context.handle)?;
        }
        Input::Nats(n) => {
            task = Some(context.handle.spawn(nats::consume(
                n.clone(),
                source.name.clone(),
                context.batch_size,
                tx,
                shutdown,
            )));
        }
    }
    Ok(Started { feeds: rx, task })
}

/// `format: lines`: the JSON key of the record's one field.
fn lines_key(program: &Program, source: &SourcePlan) -> Option<String> {
    matches!(source.format, Format::Lines)
        .then(|| {
            program
                .record(source.record)
                .fields
                .first()
                .map(|f| f.json_key.clone())
        })
        .flatten()
}

/// The size of a file source, for progress; `None` for other inputs.
pub fn total_bytes(source: &SourcePlan) -> Option<u64> {
    match &source.input {
        Input::File(p) => std::fs::metadata(p)
            .ok()
            .filter(|m| m.is_file())
            .map(|m| m.len()),
        _ => None,
    }
}

/// Read every record from `start`, calling `emit` for each; stops early
/// when `emit` returns false (the pipeline went away).
pub fn read(
    source: &SourcePlan,
    fields: &[csv::Field],
    lines: Option<&str>,
    start: u64,
    emit: &mut dyn FnMut(RawRecord) -> bool,
) -> Result<(), SourceError> {
    let path = source.shown();
    let io = |e: std::io::Error| SourceError::Io {
        path: path.clone(),
        message: e.to_string(),
    };
    let mut reader: Box<dyn BufRead> = match &source.input {
        Input::File(p) => {
            let mut file = std::fs::File::open(p).map_err(io)?;
            // No seek from 0: a named pipe is a file that cannot seek.
            if start > 0 && !matches!(&source.format, Format::Csv(c) if c.header) {
                file.seek(SeekFrom::Start(start)).map_err(io)?;
            }
            Box::new(BufReader::with_capacity(1 << 16, file))
        }
        // Standard input is new input every run: it is read from its
        // start (the executor never resumes it from a checkpoint).
        Input::Stdin if start > 0 => {
            return Err(SourceError::Format {
                path,
                message: "standard input cannot resume from a checkpoint".into(),
            });
        }
        Input::Stdin => Box::new(BufReader::new(std::io::stdin())),
        _ => {
            return Err(SourceError::Format {
                path,
                message: "not a file: read by its own reader".into(),
            });
        }
    };
    match &source.format {
        Format::Jsonl => jsonl::read(&mut reader, start, None, emit).map_err(io),
        Format::Lines => jsonl::read(&mut reader, start, lines, emit).map_err(io),
        Format::Json => json_array::read(&mut reader, start, emit).map_err(|e| match e {
            json_array::Error::Io(e) => io(e),
            json_array::Error::Format(message) => SourceError::Format {
                path: path.clone(),
                message,
            },
        }),
        Format::Csv(c) => csv::read(
            &mut reader,
            start,
            c.delimiter,
            c.header,
            &c.null,
            fields,
            source.record,
            emit,
        )
        .map_err(io),
    }
}

/// Dead letters' raw text as records again, for `dashc dlq replay`: JSON
/// as is; a CSV row re-split by the source's settings (the header is read
/// again from the source file). `end` carries each one's DLQ id.
pub fn reparse(
    source: &SourcePlan,
    program: &Program,
    raws: &[(String, u64)],
) -> Result<Vec<RawRecord>, SourceError> {
    if let Some(key) = lines_key(program, source) {
        return Ok(raws
            .iter()
            .map(|(raw, end)| jsonl::record(raw.as_bytes(), *end, Some(&key)))
            .collect());
    }
    let Format::Csv(CsvFormat {
        delimiter,
        header,
        null,
    }) = &source.format
    else {
        return Ok(raws
            .iter()
            .map(|(raw, end)| RawRecord {
                decoded: None,
                raw: raw.clone(),
                json: None,
                broken: None,
                end: *end,
            })
            .collect());
    };
    let fields = csv::fields(program, source.record);
    let columns = if *header {
        let Input::File(path) = &source.input else {
            return Err(SourceError::Format {
                path: "<stdin>".into(),
                message: "CSV dead letters from stdin with a header cannot be replayed: the header is gone".into(),
            });
        };
        let io = |e: std::io::Error| SourceError::Io {
            path: source.shown(),
            message: format!("{e} (its header names the CSV columns of the dead letters)"),
        };
        let mut reader = BufReader::new(std::fs::File::open(path).map_err(io)?);
        let mut line = Vec::new();
        read_line(&mut reader, &mut line).map_err(io)?;
        csv::Rows::header_columns(&line, *delimiter)
    } else {
        fields.iter().map(|f| f.key.clone()).collect()
    };
    let rows = csv::Rows::new(columns, *delimiter, null, &fields, source.record);
    Ok(raws
        .iter()
        .map(|(raw, end)| {
            rows.record(raw.as_bytes(), *end).unwrap_or(RawRecord {
                decoded: None,
                raw: raw.clone(),
                json: None,
                broken: Some("blank record".into()),
                end: *end,
            })
        })
        .collect())
}

/// Bytes as text: valid UTF-8 as is, else lossy with a note.
fn text_of(bytes: &[u8]) -> (String, Option<String>) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), None),
        Err(e) => (
            bytes.escape_ascii().to_string(),
            Some(format!("invalid UTF-8 at byte {}", e.valid_up_to())),
        ),
    }
}

/// Read up to and including the next `\n`; returns the bytes read.
fn read_line(reader: &mut dyn BufRead, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    buf.clear();
    reader.read_until(b'\n', buf)
}
