//! Fuzzing the reference implementation against the specification with generated command
//! sequences.
//!
//! The model checker ([`crate::model`]) explores every state of small fleets: one task,
//! two or three tasks over two accounts. What it cannot afford is what production looks
//! like: dozens of tasks, several accounts, histories hundreds of commands long, snapshots
//! taken and restored in the middle. This module covers that ground by sampling, with the
//! same judge: every generated command goes to the specification and to the engine side by
//! side ([`crate::model::lockstep`]), and every claim of the brief judged on states is evaluated
//! after every step ([`crate::model::claims::first_broken`]).
//!
//! The pieces, each in its own file:
//!
//! - [`Harness`]: one command on both sides and every check, with a fleet restored from a
//!   mid-run JSON snapshot running beside the original;
//! - [`Generator`]: sequences that go deep (weighted events, swarm subsets of event kinds,
//!   warps to any reachable state) with three moves in ten built to be refused;
//! - [`Shrinker`] / [`minimize`]: cutting a failing case down to a fixpoint, where no
//!   single step can be removed;
//! - [`Regression`]: failing cases kept as JSON lists of commands and printed as a
//!   ready-to-paste `#[test]`;
//! - [`Exhaustive`] / [`Coverage`]: which single-task states and edges the runs hit, out
//!   of every reachable one; [`Corners`]: the deep corners they reach;
//! - [`Settings`] / [`Summary`]: the environment variables that size a campaign, and what
//!   it prints at the end.
//!
//! # Where proptest comes in
//!
//! The library does not depend on proptest: the generator draws from a one-method
//! [`Entropy`] trait, and the shrinker is a plain state machine. The integration test
//! (`tests/fuzz.rs`) wraps them in a proptest `Strategy` and `ValueTree` and runs them
//! with proptest's `TestRunner`, seeded from `DRS_FUZZ_SEED`. The benchmark drives the same
//! generator with [`SeededRng`]. proptest-state-machine is not used: its shrinker makes a
//! single deletion pass (so its counterexamples keep removable steps) and its
//! preconditions reject steps, while here every command is a valid input (a refusal is an
//! expected answer), so any deletion yields a valid case and a simple fixpoint shrinker
//! suffices.
//!
//! # Faults
//!
//! The injected bugs that show the harness catches what it should are the model's
//! ([`crate::model::Fault`]): wrappers around the specification's step and the engine's
//! `execute`. The engine itself contains no fault code, so no build of the engine, release
//! or otherwise, can run with a fault on; a fault is only ever selected explicitly, by the
//! tests or by `DRS_FUZZ_FAULT`.

mod campaign;
mod case;
mod corners;
mod coverage;
mod entropy;
mod generate;
mod harness;
mod regression;
mod settings;
mod shrink;
mod summary;

pub use campaign::{Counterexample, fuzz};
pub use case::Case;
pub use corners::{Corner, Corners};
pub use coverage::{Coverage, CoverageReport, Edge, Exhaustive};
pub use entropy::{Entropy, SeededRng, seeded};
pub use generate::{Generator, Limits};
pub use harness::{
    Answer, Broke, CAPACITY, COMPACT_CAPACITY, Failure, Harness, REFUSAL_KINDS, Stats,
    refusal_index, replay,
};
pub use regression::{Regression, RegressionError, load_all, rust_identifier, rust_test, to_json};
pub use settings::{Settings, SettingsError};
pub use shrink::{Shrinker, is_one_minimal, minimize};
pub use summary::Summary;

use crate::spec::{AccountId, Command, Event, Mode, TaskId};

/// *create(mode)* for an account: `create(0, Mode::Full)`. With [`task`], [`arrears`] and
/// [`recharge`], what printed regression tests are written in.
pub fn create(account: u32, mode: Mode) -> Command {
    Command::Create {
        account: AccountId(account),
        mode,
    }
}

/// An event addressed to a task by an account: `task(0, 1, Event::InstanceReady)`.
pub fn task(account: u32, id: u64, event: Event) -> Command {
    Command::Task {
        account: AccountId(account),
        task: TaskId(id),
        event,
    }
}

/// The account falls into arrears.
pub fn arrears(account: u32) -> Command {
    Command::Arrears {
        account: AccountId(account),
    }
}

/// The account is recharged.
pub fn recharge(account: u32) -> Command {
    Command::Recharge {
        account: AccountId(account),
    }
}
