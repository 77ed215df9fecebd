//! The specification's view of one task, and the pure step function.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::table::{Target, rule_for};
use super::{Event, Mode, Phase, Status};

/// What the specification knows of a task: its status, its mode, the phase it remembers and
/// the status it froze. Four bytes, `Copy`: models hold millions of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TaskSpec {
    /// Its status.
    pub status: Status,
    /// Its migration mode, fixed at creation.
    pub mode: Mode,
    /// The phase the task heads for or returns to; set exactly while the status (or, when
    /// frozen, the frozen status) is Starting, StartFailed, Paused, FaultRecovery or
    /// FaultRecoveryFailed.
    pub phase: Option<Phase>,
    /// The status the task froze; set exactly while it is Frozen.
    pub frozen_from: Option<Status>,
}

impl TaskSpec {
    /// The task that *create(mode)* makes.
    pub const fn created(mode: Mode) -> TaskSpec {
        TaskSpec {
            status: Status::Creating,
            mode,
            phase: None,
            frozen_from: None,
        }
    }

    /// The phase the task is in (running or failed), or the one it remembers.
    pub fn current_phase(&self) -> Option<Phase> {
        self.status.migration_phase().or(self.phase)
    }

    /// The status that decides what the task remembers: the frozen status while frozen.
    pub fn effective_status(&self) -> Status {
        self.frozen_from.unwrap_or(self.status)
    }

    /// Whether the remembered phase and status are where the specification puts them; an
    /// internal consistency check used by snapshot loading and the models.
    pub fn is_well_formed(&self) -> bool {
        let frozen_ok = match self.frozen_from {
            Some(from) => self.status == Status::Frozen && from.is_freezable(),
            None => self.status != Status::Frozen,
        };
        let phase_ok = self.phase.is_some() == self.effective_status().remembers_phase()
            && self.phase.is_none_or(|phase| self.mode.runs(phase));
        let mode_ok = self
            .effective_status()
            .migration_phase()
            .is_none_or(|phase| self.mode.runs(phase));
        frozen_ok && phase_ok && mode_ok
    }
}

impl fmt::Display for TaskSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} [{}]",
            self.status.zh(),
            self.status.english(),
            self.mode
        )?;
        if let Some(from) = self.frozen_from {
            write!(f, " froze {}", from.name())?;
        }
        if let Some(phase) = self.phase {
            write!(f, " phase {phase}")?;
        }
        Ok(())
    }
}

/// The next state of a task for an event, or `None` when the table does not allow the event
/// in the task's status. Pure: no I/O, no allocation.
#[inline]
pub fn step(task: &TaskSpec, event: Event) -> Option<TaskSpec> {
    let rule = rule_for(task.status, event)?;
    let mode = task.mode;
    if !rule.modes.contains(mode) {
        return None;
    }
    let next = |status, phase| TaskSpec {
        status,
        mode,
        phase,
        frozen_from: None,
    };
    Some(match rule.to {
        Target::To(status) => next(status, None),
        Target::StartingTowardFirstPhase => next(Status::Starting, Some(mode.first_phase())),
        Target::Remembering(status) => next(status, Some(task.current_phase()?)),
        Target::RememberingPhase(status, phase) => next(status, Some(phase)),
        Target::RememberedPhase => next(task.phase?.running(), None),
        Target::Freeze => TaskSpec {
            status: Status::Frozen,
            mode,
            phase: task.phase,
            frozen_from: Some(task.status),
        },
        Target::Unfreeze => TaskSpec {
            status: task.frozen_from?,
            mode,
            phase: task.phase,
            frozen_from: None,
        },
    })
}
