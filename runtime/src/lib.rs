//! The Dash runtime: everything that touches the outside world — loading
//! projects, `dash.yaml`, reading sources, the project database (sink
//! tables, DLQ, checkpoints, runs) and the executor behind `dashc run`.

pub mod batch;
pub mod breaker;
pub mod config;
pub mod dlq;
pub mod evolve;
pub mod executor;
pub mod file_sink;
pub mod http;
pub mod migrate;
pub mod owner;
pub mod plan;
pub mod preflight;
pub mod project;
pub mod pump;
pub mod reactor;
pub mod service;
pub mod shutdown;
pub mod source;
pub mod store;
pub mod summary;
pub mod writer;
