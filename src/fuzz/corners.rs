//! Deep corners: situations that take many steps to set up and that a random walk dying
//! early in `Deleted` never reaches. The generator is built to reach them (weighted
//! events, per-case subsets of event kinds, warps to any reachable state); these counters
//! show that it does.
//!
//! Edge coverage already says whether, say, a paused task was ever frozen. The corners
//! name the ones the issue asks for, and add two that are sequences rather than edges
//! (a recharge after a retention expiry, a late report to a deleted task).

use std::fmt;

use crate::model::World;
use crate::spec::{Command, Event, Phase, Status};
use crate::text::{pad, thousands};

use super::coverage::Coverage;

/// A named deep corner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Corner {
    /// An instance fault while the incremental phase runs: fault recovery toward
    /// incremental migration.
    FaultRecoveryDuringIncremental,
    /// Fault recovery that completes back into incremental migration.
    RecoveredIntoIncremental,
    /// A release that failed, then *end* again from EndFailed.
    EndFailedThenEndAgain,
    /// An account falling into arrears while its task is paused.
    FreezeWhilePaused,
    /// A frozen task whose retention expired, then its account recharged.
    RechargeAfterRetentionExpiry,
    /// A report of the service arriving for a deleted task (refused).
    LateReportToDeletedTask,
    /// A frozen task that remembers a phase (frozen while start-failed or paused).
    FrozenRememberingAPhase,
    /// *force end* of a task that is still starting (version 2).
    ForceEndWhileStarting,
    /// A failed fault recovery, then *retry* (version 2).
    RecoveryFailedThenRetry,
    /// *pause* of a full+incremental task in FullMigrationComplete (version 2).
    PauseFromFullComplete,
    /// A report of the service arriving after the task's end was accepted (refused).
    LateReportAfterEnd,
}

impl Corner {
    /// Every corner, in report order.
    pub const ALL: [Corner; 11] = [
        Corner::FaultRecoveryDuringIncremental,
        Corner::RecoveredIntoIncremental,
        Corner::EndFailedThenEndAgain,
        Corner::FreezeWhilePaused,
        Corner::RechargeAfterRetentionExpiry,
        Corner::LateReportToDeletedTask,
        Corner::FrozenRememberingAPhase,
        Corner::ForceEndWhileStarting,
        Corner::RecoveryFailedThenRetry,
        Corner::PauseFromFullComplete,
        Corner::LateReportAfterEnd,
    ];

    /// The corner in a few words, as the fuzzer's summary lists it.
    pub const fn describe(self) -> &'static str {
        match self {
            Corner::FaultRecoveryDuringIncremental => "fault recovery during incremental migration",
            Corner::RecoveredIntoIncremental => "recovery back into incremental migration",
            Corner::EndFailedThenEndAgain => "end failure, then end again",
            Corner::FreezeWhilePaused => "freeze while paused",
            Corner::RechargeAfterRetentionExpiry => "recharge after retention expiry",
            Corner::LateReportToDeletedTask => "late report to a deleted task",
            Corner::FrozenRememberingAPhase => "frozen while remembering a phase",
            Corner::ForceEndWhileStarting => "force end while starting",
            Corner::RecoveryFailedThenRetry => "recovery failure, then retry",
            Corner::PauseFromFullComplete => "pause from full migration complete",
            Corner::LateReportAfterEnd => "late report after an end (refused)",
        }
    }
}

/// How often each corner was hit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Corners {
    hits: [u64; Corner::ALL.len()],
    /// Per account (bit = account), whether a task of it had its retention expire since the
    /// account last went into arrears.
    expired: u32,
}

impl Corners {
    /// How many times the corner was hit.
    pub fn hits(&self, corner: Corner) -> u64 {
        self.hits[corner as usize]
    }

    /// Adds another run's hits.
    pub fn merge(&mut self, other: &Corners) {
        for (mine, theirs) in self.hits.iter_mut().zip(other.hits) {
            *mine += theirs;
        }
    }

    pub(crate) fn new_case(&mut self) {
        self.expired = 0;
    }

    pub(crate) fn late_report_to_deleted(&mut self) {
        self.hit(Corner::LateReportToDeletedTask);
    }

    pub(crate) fn late_report_after_end(&mut self) {
        self.hit(Corner::LateReportAfterEnd);
    }

    fn hit(&mut self, corner: Corner) {
        self.hits[corner as usize] += 1;
    }

    /// Records an accepted command: the coverage of every task it moved, and the corners.
    #[inline]
    pub(crate) fn observe<const N: usize>(
        &mut self,
        before: &World<N>,
        after: &World<N>,
        command: &Command,
        coverage: &mut Coverage,
    ) {
        let (old, new) = (before.fleet.slots(), after.fleet.slots());
        match *command {
            Command::Create { mode, .. } => {
                if let Some(created) = new.get(old.len()) {
                    coverage.record(None, Event::Create(mode), &created.task);
                }
            }
            Command::Task {
                account,
                task,
                event,
            } => {
                let index = task.0 as usize - 1;
                let (from, to) = (&old[index].task, &new[index].task);
                coverage.record(Some(from), event, to);
                match (from.status, event) {
                    (Status::IncrementalMigration, Event::InstanceFault) => {
                        self.hit(Corner::FaultRecoveryDuringIncremental)
                    }
                    (Status::FaultRecovery, Event::RecoveryDone)
                        if from.phase == Some(Phase::Incremental) =>
                    {
                        self.hit(Corner::RecoveredIntoIncremental)
                    }
                    (Status::EndFailed, Event::End) => self.hit(Corner::EndFailedThenEndAgain),
                    (Status::Starting, Event::ForceEnd) => self.hit(Corner::ForceEndWhileStarting),
                    (Status::FaultRecoveryFailed, Event::Retry) => {
                        self.hit(Corner::RecoveryFailedThenRetry)
                    }
                    (Status::FullMigrationComplete, Event::Pause) => {
                        self.hit(Corner::PauseFromFullComplete)
                    }
                    (_, Event::RetentionExpired) if account.0 < 32 => {
                        self.expired |= 1 << account.0
                    }
                    _ => {}
                }
                if to.status == Status::Frozen && to.phase.is_some() {
                    self.hit(Corner::FrozenRememberingAPhase);
                }
            }
            Command::Arrears { account } | Command::Recharge { account } => {
                let arrears = matches!(command, Command::Arrears { .. });
                let event = if arrears {
                    Event::AccountInArrears
                } else {
                    Event::AccountRecharged
                };
                for (then, now) in old.iter().zip(new) {
                    if then.task == now.task {
                        continue;
                    }
                    coverage.record(Some(&then.task), event, &now.task);
                    if arrears && then.task.status == Status::Paused {
                        self.hit(Corner::FreezeWhilePaused);
                    }
                    if now.task.status == Status::Frozen && now.task.phase.is_some() {
                        self.hit(Corner::FrozenRememberingAPhase);
                    }
                }
                if account.0 < 32 {
                    if !arrears && self.expired & (1 << account.0) != 0 {
                        self.hit(Corner::RechargeAfterRetentionExpiry);
                    }
                    self.expired &= !(1 << account.0);
                }
            }
        }
    }
}

impl fmt::Display for Corners {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, corner) in Corner::ALL.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(
                f,
                "  {} {:>12}",
                pad(corner.describe(), 44),
                thousands(self.hits(*corner) as usize)
            )?;
        }
        Ok(())
    }
}
