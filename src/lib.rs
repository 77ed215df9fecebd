//! `drs-lifecycle`: the executable, model-checked specification of a DRS (Data Replication
//! Service) migration task's lifecycle, a reference implementation of it, and the harness
//! that holds an implementation to the specification.
//!
//! - [`spec`]: statuses, events, modes and the transition table, as data.

pub mod spec;

pub mod cli;
pub mod check;
pub mod engine;
pub mod model;
