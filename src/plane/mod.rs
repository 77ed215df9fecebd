//! The door for any control plane: what an implementation of the lifecycle must answer to be
//! held to the specification.
//!
//! The model checker's lockstep comparison and the fuzzer are the strongest checks this
//! project has, and they should protect a user's own control plane, not only the reference
//! engine. So they are written against [`ControlPlane`]: execute a command (answering what
//! changed, or why nothing did), list every task as the specification describes a task,
//! list an account's tasks, say which accounts are in arrears. The reference engine
//! ([`crate::engine::Fleet`]) is one implementation; `examples/` holds another.
//!
//! Exhaustive checking needs more than an implementation with hidden state can offer: the
//! checker keeps every reachable state, so it must clone an implementation and recognise one
//! it has seen. That is the separate [`Exhaustive`] trait; an implementation that cannot
//! offer it is still fuzzed.
//!
//! The recipe, in a user's `cargo test`:
//!
//! ```ignore
//! use drs_lifecycle::fuzz::{COMPACT_CAPACITY, Settings, fuzz};
//! #[test]
//! fn my_control_plane_follows_the_lifecycle() {
//!     let summary = fuzz::<COMPACT_CAPACITY, _>(MyPlane::default, &Settings::default())
//!         .unwrap_or_else(|counterexample| panic!("{counterexample}"));
//!     println!("{summary}");
//! }
//! ```
//!
//! and `check::conformance(&FleetModel::<MyPlane>::conformance_of(2, 2, &Mode::ALL)?, bound)`
//! for the exhaustive check (the README has the whole recipe; `examples/ledger` is a
//! complete second implementation).

mod change;

use std::fmt;
use std::hash::Hasher;

pub use change::{Change, InstanceChange, Outcome};

use crate::spec::{AccountId, Command, Mode, Phase, Refused, Status, TaskId};

/// One task as the specification describes it, with the implementation's version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TaskView {
    /// Its id, from 1 in creation order, never reused.
    pub id: TaskId,
    /// The account that owns it.
    pub account: AccountId,
    /// Its migration mode.
    pub mode: Mode,
    /// Its status.
    pub status: Status,
    /// The phase the task is heading for or will return to, where its status remembers one.
    pub phase: Option<Phase>,
    /// For a frozen task, the status it froze.
    pub frozen_from: Option<Status>,
    /// Whether it holds a migration instance.
    pub holds_instance: bool,
    /// Bumped by one on every change of the task; 1 when created.
    pub version: u64,
}

/// Why a control plane refused a command: its kind, in the specification's words, and a
/// message for people.
pub trait Refusal: fmt::Display {
    /// The specification's kind of refusal.
    fn kind(&self) -> Refused;
}

impl Refusal for Refused {
    fn kind(&self) -> Refused {
        *self
    }
}

/// A control plane under test.
///
/// Every method answers from the implementation's own state; the harness compares the
/// answers with the specification's after every command.
pub trait ControlPlane {
    /// The implementation's refusal (the specification's [`Refused`] will do).
    type Refusal: Refusal;

    /// Runs one command: a creation, a user operation or a report of the service addressed
    /// to a task, or billing addressed to an account. Accepted, it answers what changed;
    /// refused, it must change nothing, not even a version.
    fn execute(&mut self, command: &Command) -> Result<Outcome, Self::Refusal>;

    /// Every task, deleted ones included, in id order (ids are 1, 2, 3, … in creation
    /// order).
    fn tasks(&self) -> impl Iterator<Item = TaskView> + '_;

    /// The ids an account's listing shows, in order: its tasks but deleted ones.
    fn listed(&self, account: AccountId) -> impl Iterator<Item = TaskId> + '_;

    /// The accounts in arrears, in ascending order.
    fn accounts_in_arrears(&self) -> impl Iterator<Item = AccountId> + '_;

    /// What a query by id answers to an account: the task, or `None` when the account has
    /// no task with that id (a deleted task still answers, as `Deleted`).
    fn query(&self, account: AccountId, task: TaskId) -> Option<TaskView> {
        self.tasks()
            .find(|view| view.id == task && view.account == account)
    }

    /// The implementation saved to its own durable form and restored from it, when it has
    /// one; the fuzzer then runs the restored copy beside the original from the middle of a
    /// case on, and both must answer alike. `None` (the default): no snapshots.
    fn restored(&self) -> Option<Result<Self, String>>
    where
        Self: Sized,
    {
        None
    }
}

/// What exhaustive checking (the conformance model) additionally needs: copies, and a key
/// that tells states apart.
///
/// The key must cover everything that decides the implementation's future answers, and
/// should leave out what only counts (versions): the checker stores every distinct key, and
/// a version in it would make a pause/resume loop an infinite state space. The lockstep
/// comparison checks versions on every command anyway.
pub trait Exhaustive: ControlPlane + Clone + Send + Sync + 'static {
    /// Feeds the key to a hasher.
    fn hash_key<H: Hasher>(&self, hasher: &mut H);
    /// Whether two states have the same key.
    fn same_key(&self, other: &Self) -> bool;
    /// A fresh, empty control plane.
    fn empty() -> Self;
    /// Whether this shows exactly what `before` shows: the same [`tasks`](ControlPlane::tasks),
    /// versions included, and the same accounts in arrears. The conformance model asks it
    /// after every command both sides refuse (a refusal must change nothing), so an
    /// implementation may answer it faster than the default, which compares the two views
    /// task by task; it must never answer `true` where they differ.
    #[inline]
    fn unchanged_since(&self, before: &Self) -> bool {
        self.tasks().eq(before.tasks())
            && self.accounts_in_arrears().eq(before.accounts_in_arrears())
    }
}

/// What an observer sees of a control plane: every task and the accounts in arrears. The
/// fuzzer keeps the last one to check that a refusal changed nothing, for implementations
/// it cannot copy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Observed {
    /// Every task, deleted ones included, in id order.
    pub tasks: Vec<TaskView>,
    /// The accounts in arrears, in ascending order.
    pub arrears: Vec<AccountId>,
}

impl Observed {
    /// Records what the control plane shows now, reusing the allocations.
    pub fn capture<P: ControlPlane>(&mut self, plane: &P) {
        self.tasks.clear();
        self.tasks.extend(plane.tasks());
        self.arrears.clear();
        self.arrears.extend(plane.accounts_in_arrears());
    }

    /// Whether the control plane shows exactly this now.
    pub fn matches<P: ControlPlane>(&self, plane: &P) -> bool {
        plane.tasks().eq(self.tasks.iter().copied())
            && plane.accounts_in_arrears().eq(self.arrears.iter().copied())
    }
}
