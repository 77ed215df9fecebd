//! The reference implementation: the lifecycle as a control plane would embed it.
//!
//! A [`Fleet`] holds every task of every account. Its one entry point,
//! [`Fleet::execute`], takes a typed [`Command`](crate::spec::Command) and answers either
//! what changed ([`Outcome`], [`Change`]) or why nothing did ([`Refusal`]); a fleet saves to
//! and restores from a validated JSON snapshot ([`Fleet::to_json`], [`Fleet::from_json`]).
//!
//! # Why a second encoding
//!
//! The specification ([`crate::spec`]) states the lifecycle as a table. This module states
//! it again, independently, the way a control-plane engineer writes it: a `match` per
//! operation naming the statuses it is valid in, the engine's own status classes, its own
//! bookkeeping of phases, freezes and instances. It shares only the vocabulary (the
//! `Status`, `Event` and `Mode` enums, the ids, the `Command` type and the kinds of
//! refusal), never the table, its step function or the status predicates. That is what
//! makes the model checker's lockstep comparison of the two worth running: a mistake would
//! have to be made twice, the same way, to go unnoticed.
//!
//! # What it promises
//!
//! - Ids are 1, 2, 3, … in creation order and never reused; a deleted task keeps its id,
//!   is never listed, answers `Deleted` to a query by id, and refuses every later event.
//! - A command for another account's task is refused as [`Refusal::NotFound`], exactly
//!   like one for an id never handed out.
//! - A refused command changes nothing, not even a version. Refusals do not allocate.
//! - Every accepted change bumps the task's version by one; a created task has version 1.
//! - Billing is addressed to accounts: arrears freezes every freezable task of the account,
//!   a task landing on a freezable status while its account is in arrears freezes in the
//!   same command, and recharge restores each frozen task's exact status and phase.
//! - A task holds its instance exactly from `InstanceReady` until `ReleaseDone`.

mod fleet;
pub(crate) mod lifecycle;
pub mod plane;
mod refusal;
pub mod snapshot;
mod task;

pub use crate::plane::{Change, InstanceChange, Outcome};
pub use fleet::Fleet;
pub use refusal::Refusal;
pub use snapshot::SnapshotError;
pub use task::Task;
