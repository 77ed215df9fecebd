//! Commands: an event with its address.
//!
//! A control plane addresses every operation to an account and a task id; creation names the
//! account and the mode; billing moves a whole account. [`Command`] is that address plus the
//! event, shared by the specification's fleet and the reference implementation so that one
//! generated command sequence drives both.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Event, Mode};

/// A task's id. Ids are handed out from 1 upwards and never reused, not even after deletion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TaskId(pub u64);

/// An account (a tenant). Each account is in credit or in arrears.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccountId(pub u32);

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "task {}", self.0)
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "account {}", account_letter(self.0))
    }
}

/// Accounts are shown as letters (A, B, …, then A27 style for large numbers), so that a
/// trace never confuses an account with a task id.
pub fn account_letter(index: u32) -> String {
    if index < 26 {
        char::from(b'A' + index as u8).to_string()
    } else {
        format!("A{index}")
    }
}

/// One command to a fleet of tasks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// *create(mode)* a task for an account.
    Create {
        /// The account the task will belong to.
        account: AccountId,
        /// Its migration mode, fixed for its life.
        mode: Mode,
    },
    /// An event addressed to one task of an account.
    Task {
        /// The account that owns the task.
        account: AccountId,
        /// The task.
        task: TaskId,
        /// A user operation or a report of the service.
        event: Event,
    },
    /// The account falls into arrears: every freezable task of it freezes.
    Arrears {
        /// The account.
        account: AccountId,
    },
    /// The account is topped up: every frozen task of it returns to its remembered status.
    Recharge {
        /// The account.
        account: AccountId,
    },
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Create { account, mode } => write!(f, "{account} · create({mode})"),
            Command::Task {
                account,
                task,
                event,
            } => write!(f, "{task} · {event} (by {account})"),
            Command::Arrears { account } => write!(f, "{account} · arrears"),
            Command::Recharge { account } => write!(f, "{account} · recharge"),
        }
    }
}

/// A random command for the crate's randomised tests: over accounts `0..accounts` and task
/// ids `1..=tasks`, a creation or a billing event one time in `odds` each, otherwise one of
/// `events` addressed to a task.
#[cfg(test)]
pub(crate) fn random_command(
    rng: &mut rand::rngs::SmallRng,
    accounts: u32,
    odds: u32,
    tasks: u64,
    events: &[super::Event],
) -> Command {
    use rand::Rng;
    let account = AccountId(rng.random_range(0..accounts));
    match rng.random_range(0..odds) {
        0 => Command::Create {
            account,
            mode: super::Mode::ALL[rng.random_range(0..super::Mode::ALL.len())],
        },
        1 => Command::Arrears { account },
        2 => Command::Recharge { account },
        _ => Command::Task {
            account,
            task: TaskId(rng.random_range(1..=tasks)),
            event: events[rng.random_range(0..events.len())],
        },
    }
}
