//! Shrinking to a fixpoint: a reported case from which no single step can be removed with
//! the case still failing.
//!
//! proptest-state-machine deletes transitions once, back to front; deleting an early step
//! can turn later, already visited steps into removable no-ops, and it never looks again, so
//! its "minimal" cases keep steps that do nothing (the project's research measured 8 steps
//! where 5 suffice). This shrinker works in rounds until a whole round changes nothing:
//!
//! 1. drop the snapshot (first round only): a failure that needs no snapshot is easier
//!    to read without one;
//! 2. remove a whole task: its creation and every command addressed to it, renumbering the
//!    ids of the tasks created after it. Deleting a creation alone would shift every later
//!    id and make the case pass for the wrong reason, so one-step deletions cannot get rid
//!    of a task that is merely in the way;
//! 3. delete chunks of steps, halving the chunk size down to single steps, and repeat the
//!    single-step pass until it removes nothing.
//!
//! A round that removed nothing ended with a full single-step pass that removed nothing:
//! that is the fixpoint. Each kept candidate is shorter, so the rounds terminate.
//!
//! [`Shrinker`] is a plain state machine (propose a candidate, hear whether it still
//! fails), so that proptest's `ValueTree` protocol (`simplify` after a failure,
//! `complicate` after a pass) and the plain [`minimize`] loop drive the same code.

use crate::spec::{Command, FleetSpec, TaskId};

use super::case::Case;
use super::harness::CAPACITY;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Stage {
    Snapshot,
    Tasks {
        next: u64,
    },
    Chunks {
        size: usize,
        pos: usize,
        removed: bool,
    },
    Done,
}

/// Cuts a failing case down, one candidate at a time.
#[derive(Clone, Debug)]
pub struct Shrinker {
    best: Case,
    candidate: Option<Case>,
    /// Where the candidate's steps were cut, for `feedback` to move on.
    cut_end: usize,
    stage: Stage,
    changed_this_round: bool,
    tried: u64,
}

impl Shrinker {
    /// Starts from a failing case.
    pub fn new(failing: Case) -> Self {
        Shrinker {
            best: failing,
            candidate: None,
            cut_end: 0,
            stage: Stage::Snapshot,
            changed_this_round: false,
            tried: 0,
        }
    }

    /// The smallest failing case found so far.
    pub fn best(&self) -> &Case {
        &self.best
    }

    /// The case to test now: the pending candidate, or the best one when none is pending.
    pub fn current(&self) -> &Case {
        self.candidate.as_ref().unwrap_or(&self.best)
    }

    /// How many candidates were proposed.
    pub fn tried(&self) -> u64 {
        self.tried
    }

    /// Whether the fixpoint is reached.
    pub fn is_done(&self) -> bool {
        self.stage == Stage::Done
    }

    /// Proposes the next candidate; `false` when there is none left (the best case is then
    /// a fixpoint).
    pub fn propose(&mut self) -> bool {
        self.candidate = None;
        loop {
            match self.stage {
                Stage::Snapshot => {
                    self.stage = Stage::Tasks {
                        next: tasks_created(&self.best),
                    };
                    if self.best.snapshot_at.is_some() {
                        return self.offer(Case {
                            snapshot_at: None,
                            ..self.best.clone()
                        });
                    }
                }
                Stage::Tasks { next } => {
                    if next == 0 {
                        self.stage = Stage::Chunks {
                            size: (self.best.commands.len() / 2).max(1),
                            pos: 0,
                            removed: false,
                        };
                        continue;
                    }
                    self.stage = Stage::Tasks { next: next - 1 };
                    if let Some(candidate) = without_task(&self.best, TaskId(next)) {
                        return self.offer(candidate);
                    }
                }
                Stage::Chunks { size, pos, removed } => {
                    let len = self.best.commands.len();
                    if pos < len {
                        let end = (pos + size).min(len);
                        self.cut_end = end;
                        return self.offer(self.best.without(pos..end));
                    }
                    self.stage = if size > 1 {
                        Stage::Chunks {
                            size: size / 2,
                            pos: 0,
                            removed: false,
                        }
                    } else if removed {
                        Stage::Chunks {
                            size: 1,
                            pos: 0,
                            removed: false,
                        }
                    } else if self.changed_this_round {
                        self.changed_this_round = false;
                        Stage::Tasks {
                            next: tasks_created(&self.best),
                        }
                    } else {
                        Stage::Done
                    };
                }
                Stage::Done => return false,
            }
        }
    }

    /// Whether the pending candidate still fails. A failing candidate becomes the best
    /// case; a passing one is dropped.
    pub fn feedback(&mut self, still_fails: bool) {
        let Some(candidate) = self.candidate.take() else {
            return;
        };
        if let Stage::Chunks { size, pos, removed } = self.stage {
            self.stage = if still_fails {
                // The steps after the cut moved to `pos`: try there again.
                Stage::Chunks {
                    size,
                    pos,
                    removed: true,
                }
            } else {
                Stage::Chunks {
                    size,
                    pos: self.cut_end,
                    removed,
                }
            };
        }
        if still_fails {
            self.best = candidate;
            self.changed_this_round = true;
        }
    }

    fn offer(&mut self, candidate: Case) -> bool {
        self.tried += 1;
        self.candidate = Some(candidate);
        true
    }

    /// The smallest failing case found.
    pub fn into_best(self) -> Case {
        self.best
    }
}

/// Shrinks a failing case to a fixpoint. `fails` must say whether a case fails (the same
/// way as the original, to avoid sliding to another bug).
pub fn minimize(failing: Case, mut fails: impl FnMut(&Case) -> bool) -> Case {
    let mut shrinker = Shrinker::new(failing);
    while shrinker.propose() {
        let still_fails = fails(shrinker.current());
        shrinker.feedback(still_fails);
    }
    shrinker.into_best()
}

/// Whether removing any single step makes the case pass.
pub fn is_one_minimal(case: &Case, mut fails: impl FnMut(&Case) -> bool) -> bool {
    (0..case.commands.len()).all(|i| !fails(&case.without(i..i + 1)))
}

/// How many tasks the case creates, by the specification.
fn tasks_created(case: &Case) -> u64 {
    creations(case).len() as u64
}

/// The indices of the commands that create a task, in id order, by the specification.
fn creations(case: &Case) -> Vec<usize> {
    let mut spec = FleetSpec::<CAPACITY>::new();
    let mut created = Vec::new();
    for (index, command) in case.commands.iter().enumerate() {
        if let Ok(next) = spec.apply(command) {
            if let Command::Create { .. } = command {
                created.push(index);
            }
            spec = next;
        }
    }
    created
}

/// The case without task `id`: its creation and every command addressed to it go, and the
/// tasks created after it move down one id.
fn without_task(case: &Case, id: TaskId) -> Option<Case> {
    let created = creations(case);
    let creator = *created.get(usize::try_from(id.0).ok()?.checked_sub(1)?)?;
    let last_id = created.len() as u64;
    let mut commands = Vec::with_capacity(case.commands.len());
    let mut removed_before_snapshot = 0;
    for (index, command) in case.commands.iter().enumerate() {
        let drop = index == creator || matches!(command, Command::Task { task, .. } if *task == id);
        if drop {
            if case.snapshot_at.is_some_and(|at| index < at) {
                removed_before_snapshot += 1;
            }
            continue;
        }
        commands.push(match *command {
            Command::Task {
                account,
                task,
                event,
            } if task.0 > id.0 && task.0 <= last_id => Command::Task {
                account,
                task: TaskId(task.0 - 1),
                event,
            },
            other => other,
        });
    }
    Some(Case {
        accounts: case.accounts,
        snapshot_at: case.snapshot_at.map(|at| at - removed_before_snapshot),
        commands,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{AccountId, Event, Mode};

    const A: AccountId = AccountId(0);

    fn create() -> Command {
        Command::Create {
            account: A,
            mode: Mode::Full,
        }
    }

    fn to(task: u64, event: Event) -> Command {
        Command::Task {
            account: A,
            task: TaskId(task),
            event,
        }
    }

    fn case(commands: Vec<Command>) -> Case {
        Case {
            accounts: 1,
            snapshot_at: Some(commands.len() / 2),
            commands,
        }
    }

    /// "Fails" when some task is deleted after its creation failed: needs exactly
    /// create, creation failed, delete for one task.
    fn deletes_a_failed_creation(case: &Case) -> bool {
        let mut spec = FleetSpec::<CAPACITY>::new();
        for command in &case.commands {
            if let Ok(next) = spec.apply(command) {
                if let Command::Task {
                    event: Event::Delete,
                    ..
                } = command
                {
                    return true;
                }
                spec = next;
            }
        }
        false
    }

    #[test]
    fn shrinking_removes_tasks_in_the_way_and_noise_down_to_the_three_needed_steps() {
        let noisy = case(vec![
            create(),
            to(1, Event::InstanceReady),
            create(),
            to(9, Event::Pause),
            to(2, Event::StartNow),
            to(2, Event::InstanceCreationFailed),
            to(1, Event::StartNow),
            Command::Arrears { account: A },
            to(2, Event::Delete),
            to(1, Event::Pause),
        ]);
        assert!(deletes_a_failed_creation(&noisy));
        let small = minimize(noisy, deletes_a_failed_creation);
        assert_eq!(
            small.commands,
            vec![
                create(),
                to(1, Event::InstanceCreationFailed),
                to(1, Event::Delete)
            ]
        );
        assert_eq!(small.snapshot_at, None);
        assert!(is_one_minimal(&small, deletes_a_failed_creation));
    }

    #[test]
    fn removing_a_task_renumbers_the_later_ones_and_keeps_the_snapshot_in_place() {
        let two = Case {
            accounts: 1,
            snapshot_at: Some(4),
            commands: vec![
                create(),
                create(),
                to(1, Event::InstanceReady),
                to(2, Event::InstanceReady),
                to(3, Event::Pause),
            ],
        };
        let one = without_task(&two, TaskId(1)).expect("task 1 exists");
        assert_eq!(
            one.commands,
            vec![create(), to(1, Event::InstanceReady), to(3, Event::Pause)]
        );
        assert_eq!(one.snapshot_at, Some(2));
        assert_eq!(without_task(&two, TaskId(3)), None);
    }

    #[test]
    fn a_case_that_only_fails_whole_is_already_minimal() {
        let needed = case(vec![
            create(),
            to(1, Event::InstanceCreationFailed),
            to(1, Event::Delete),
        ]);
        let mut shrinker = Shrinker::new(needed.clone());
        while shrinker.propose() {
            let fails = deletes_a_failed_creation(shrinker.current());
            shrinker.feedback(fails);
        }
        assert!(shrinker.is_done());
        assert_eq!(shrinker.best().commands, needed.commands);
    }
}
