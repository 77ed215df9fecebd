//! `drs-lifecycle`: the executable, model-checked specification of a DRS (Data Replication
//! Service) migration task's lifecycle, a reference implementation of it, and the harness
//! that holds an implementation to the specification.
//!
//! - [`spec`]: statuses, events, modes and the transition table, as data.
//! - [`plane`]: the trait any control plane implements to be held to the specification.
//! - [`engine`]: the reference implementation a control plane embeds (tasks, fleets,
//!   typed commands and refusals, snapshots), written independently of the table.
//! - [`model`]: stateright models of one task, of fleets, and of the specification and the
//!   engine in lockstep; the properties; injectable faults.
//! - [`fuzz`]: generated command sequences on the specification and the engine side by
//!   side, shrunk to minimal counterexamples, kept as regressions, with coverage.
//! - [`check`]: model configurations, runs, shortest counterexamples, liveness, reports.
//! - [`report`]: the generated reports in `reports/`: model-check results, the state
//!   diagram, benchmark tables and the regression gate.
//! - [`history`]: recorded histories of real tasks (polls, commands, timelines), parsed and
//!   judged against the specification's observations, the first impossible record explained.
//! - [`simulate`]: a seeded fleet simulation over simulated time, written as a history.
//! - [`serve`]: a local DRS endpoint speaking the real API over any control plane.
//! - [`cli`]: the `drs-lifecycle` command line.
//! - [`text`]: number formatting and display-width padding shared by every printed table.

#![warn(missing_docs)]

pub mod actors;
pub mod check;
pub mod cli;
pub mod drive;
pub mod engine;
pub mod fuzz;
pub mod history;
pub mod model;
pub mod plane;
pub mod report;
pub mod serve;
pub mod simulate;
pub mod spec;
pub mod text;
