//! The Dash runtime: everything that touches the outside world. For now it
//! loads projects from disk; sources, batches, sinks and the DLQ follow.

pub mod project;
