//! A test case: the commands one run sends, and where it snapshots the fleet.
//!
//! A case is plain data. It is what the generator produces, what the shrinker cuts down,
//! what a regression file stores and what a printed `#[test]` spells out, so a failure can
//! be replayed exactly, whatever later happens to the generator (a seed only reproduces a
//! case as long as the generator draws the same way; a list of commands always does).

use serde::{Deserialize, Serialize};

use crate::spec::{AccountId, Command};

/// One fuzzing case.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// How many accounts own tasks in the case (accounts `0..accounts`). Account
    /// `accounts` is a stranger with no task: commands from it must be answered "not
    /// found", and the harness compares every account's task list up to and including it.
    pub accounts: u32,
    /// After how many steps the engine is saved to JSON and restored; from there on the
    /// original and the restored fleet run side by side and must behave identically.
    #[serde(default)]
    pub snapshot_at: Option<usize>,
    /// The commands, in order. Allowed or not: a refused command is an expected outcome.
    pub commands: Vec<Command>,
}

impl Case {
    /// How many creations the case asks for (accepted or not): an upper bound on the tasks
    /// it can make, which must fit the harness's capacity.
    pub fn creations(&self) -> usize {
        self.commands
            .iter()
            .filter(|command| matches!(command, Command::Create { .. }))
            .count()
    }

    /// The highest account any command names, if any.
    pub fn highest_account(&self) -> Option<AccountId> {
        self.commands.iter().map(account_of).max()
    }

    /// The case without the steps in `range` (the snapshot point moves with the steps
    /// after it, and to the start of the gap if it was inside it).
    pub fn without(&self, range: std::ops::Range<usize>) -> Case {
        let mut commands = Vec::with_capacity(self.commands.len() - range.len());
        commands.extend_from_slice(&self.commands[..range.start]);
        commands.extend_from_slice(&self.commands[range.end..]);
        let snapshot_at = self.snapshot_at.map(|at| {
            if at >= range.end {
                at - range.len()
            } else {
                at.min(range.start)
            }
        });
        Case {
            accounts: self.accounts,
            snapshot_at,
            commands,
        }
    }
}

/// The account a command is addressed to or sent by.
pub fn account_of(command: &Command) -> AccountId {
    match *command {
        Command::Create { account, .. }
        | Command::Task { account, .. }
        | Command::Arrears { account }
        | Command::Recharge { account } => account,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Event, Mode, TaskId};

    fn case() -> Case {
        let a = AccountId(0);
        Case {
            accounts: 1,
            snapshot_at: Some(3),
            commands: vec![
                Command::Create {
                    account: a,
                    mode: Mode::Full,
                },
                Command::Task {
                    account: a,
                    task: TaskId(1),
                    event: Event::InstanceReady,
                },
                Command::Arrears { account: a },
                Command::Recharge { account: a },
            ],
        }
    }

    #[test]
    fn removing_steps_before_the_snapshot_moves_it_back() {
        let cut = case().without(0..2);
        assert_eq!(cut.commands.len(), 2);
        assert_eq!(cut.snapshot_at, Some(1));
    }

    #[test]
    fn removing_the_steps_around_the_snapshot_puts_it_at_the_gap() {
        assert_eq!(case().without(2..4).snapshot_at, Some(2));
        assert_eq!(case().without(3..4).snapshot_at, Some(3));
    }

    #[test]
    fn a_case_reads_back_from_its_json() {
        let text = serde_json::to_string(&case()).expect("serializes");
        let back: Case = serde_json::from_str(&text).expect("parses");
        assert_eq!(back, case());
    }
}
