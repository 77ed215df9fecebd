//! Recorded histories of real tasks, held to the specification (brief, D.2.5).
//!
//! The model checker and the fuzzer hold this project's own implementation to the
//! specification; this module holds *the service* to it, through what an operator's
//! poller and a control plane's logs recorded. A history is JSON lines ([`record`], the
//! format in `docs/traces.md`); the [`judge`] keeps, per job, the specification states
//! consistent with everything recorded so far, as a set of bits over the single task's
//! indexed states ([`tables`]), so that a record costs a few table look-ups and memory
//! grows with jobs, not records; the first impossible record of each job is a violation
//! named after the claim it breaks and explained; [`validate`] is the whole reading loop
//! (headers, shards, a reordering window, malformed lines); [`itf`] writes one job's reconstructed
//! run as an ITF trace for Apalache's and Quint's tools.
//!
//! `drs-lifecycle validate` is the door; `drs-lifecycle simulate` ([`crate::simulate`])
//! writes histories in the same format.

pub mod deadline;
pub mod itf;
pub mod judge;
pub mod record;
pub mod schema;
pub mod tables;
pub mod time;
pub mod validate;

pub use judge::{
    Asks, Counts, Divergence, ExcursionPolicy, Gap, Judge, Kept, MAX_PENDING, NeverApplied,
    Options, Seen, Violation, claim, job_hash,
};
pub use record::{FORMAT, Malformed, Poll, Record, RecordError, Reply, parse_line};
pub use time::{Millis, format_gap, format_time, parse_duration, parse_time};
