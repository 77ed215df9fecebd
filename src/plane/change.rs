//! What an accepted command did.
//!
//! A control plane acts on changes, not on states: it starts provisioning when an instance
//! is to be acquired, bills when one is released, and notifies the user when a status
//! changes. So every accepted command answers with what it changed, and nothing else.

use serde::{Deserialize, Serialize};

use crate::spec::{AccountId, Status, TaskId};

/// What happened to the task's migration instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InstanceChange {
    /// The task holds an instance exactly as before.
    Unchanged,
    /// Creation succeeded: the task now holds its instance.
    Acquired,
    /// The release completed: the task no longer holds an instance.
    Released,
}

/// The change one command made to one task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Change {
    /// The task that changed (for a creation, the id just handed out).
    pub task: TaskId,
    /// The status before. A creation has no status before; it reports `Creating`.
    pub from: Status,
    /// The status after (`Frozen` when the task landed on a freezable status while its
    /// account is in arrears).
    pub to: Status,
    /// What happened to the task's instance.
    pub instance: InstanceChange,
    /// The task's version after the change (1 for a creation).
    pub version: u64,
}

/// What an accepted [`Command`](crate::spec::Command) did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Outcome {
    /// A creation or an event addressed to a task.
    Task(Change),
    /// Billing moved an account into or out of arrears, freezing or unfreezing
    /// `tasks_changed` of its tasks.
    Account {
        /// The account billed.
        account: AccountId,
        /// Whether it is now in arrears (`false`: recharged).
        in_arrears: bool,
        /// How many of its tasks froze or unfroze.
        tasks_changed: u32,
    },
}
