//! The engine's own encoding of the lifecycle: which events each status accepts, and where
//! they take the task.
//!
//! This file is written the way a control plane's handler would be: one arm per operation,
//! each naming the statuses that operation is valid in. It deliberately restates the brief
//! instead of reading [`crate::spec::table`], and keeps its own status classes instead of the
//! predicates on [`Status`]: the point of the reference implementation is to be a second,
//! independent encoding, so that a model checker comparing the two finds a mistake in
//! either.

use crate::spec::{Event, Mode, Phase, Status};

use super::Task;

/// Where an accepted event takes a task, before billing has its say: the status it lands on
/// and the phase it remembers there (present exactly when the landed status remembers one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Landing {
    pub(crate) status: Status,
    pub(crate) phase: Option<Phase>,
}

impl Landing {
    /// A status that remembers nothing.
    #[inline]
    const fn at(status: Status) -> Landing {
        Landing {
            status,
            phase: None,
        }
    }

    /// `Starting`, heading for `phase`.
    #[inline]
    const fn starting_toward(phase: Phase) -> Landing {
        Landing {
            status: Status::Starting,
            phase: Some(phase),
        }
    }

    /// A status that remembers the phase it came from or will return to.
    #[inline]
    const fn remembering(status: Status, phase: Phase) -> Landing {
        Landing {
            status,
            phase: Some(phase),
        }
    }
}

/// Where `event` takes `task`, or `None` when the task's status does not accept it.
///
/// Billing events and creation are never accepted here: billing is addressed to an account
/// (the fleet freezes and unfreezes), and creation to no task at all. A frozen task accepts
/// only the expiry of its retention period; every other arm simply does not list `Frozen`.
#[inline]
pub(crate) fn react(task: &Task, event: Event) -> Option<Landing> {
    use Status::*;
    let status = task.status;
    match event {
        Event::Create(_) | Event::AccountInArrears | Event::AccountRecharged => None,

        // Creating the instance.
        Event::InstanceReady => (status == Creating).then_some(Landing::at(Configuration)),
        Event::InstanceCreationFailed => (status == Creating).then_some(Landing::at(CreateFailed)),

        // Starting: a first start heads for the mode's first phase.
        Event::ScheduleStart => (status == Configuration).then_some(Landing::at(WaitingToStart)),
        Event::StartNow => matches!(status, Configuration | WaitingToStart)
            .then(|| Landing::starting_toward(first_phase(task.mode))),
        Event::StartTimeReached => {
            (status == WaitingToStart).then(|| Landing::starting_toward(first_phase(task.mode)))
        }
        Event::StartSucceeded => match status {
            Starting => Some(Landing::at(running(task.phase?))),
            _ => None,
        },
        Event::StartError => match status {
            Starting => Some(Landing::remembering(StartFailed, task.phase?)),
            _ => None,
        },

        // Running a phase. The full phase always completes into FullMigrationComplete; what
        // follows depends on the mode: the incremental phase, or the end of a full-only task.
        Event::FullDone => (status == FullMigration).then_some(Landing::at(FullMigrationComplete)),
        Event::FullError => (status == FullMigration).then_some(Landing::at(FullMigrationFailed)),
        Event::IncrementalBegun => match (status, phase_after_full(task.mode)) {
            (FullMigrationComplete, Some(next)) => Some(Landing::at(running(next))),
            _ => None,
        },
        Event::MigrationFinished => match (status, phase_after_full(task.mode)) {
            // A full-only task is done: the system ends it.
            (FullMigrationComplete, None) => Some(Landing::at(EndRequested)),
            _ => None,
        },
        Event::IncrementalError => {
            (status == IncrementalMigration).then_some(Landing::at(IncrementalMigrationFailed))
        }
        // A fault or a pause between the phases belongs to the phase that comes next, and
        // only a task with a next phase can have one there.
        Event::InstanceFault => {
            moving_phase(task).map(|phase| Landing::remembering(FaultRecovery, phase))
        }
        Event::Pause => moving_phase(task).map(|phase| Landing::remembering(Paused, phase)),

        // Coming back: resume and retry restart the migration process toward the phase the
        // task was in; reset starts the migration over; recovery returns to the phase
        // directly.
        Event::Resume => match status {
            Paused => Some(Landing::starting_toward(task.phase?)),
            _ => None,
        },
        Event::Retry => match status {
            StartFailed | FaultRecoveryFailed => Some(Landing::starting_toward(task.phase?)),
            FullMigrationFailed => Some(Landing::starting_toward(Phase::Full)),
            IncrementalMigrationFailed => Some(Landing::starting_toward(Phase::Incremental)),
            _ => None,
        },
        Event::Reset => matches!(
            status,
            FullMigrationFailed | IncrementalMigrationFailed | FaultRecoveryFailed | Paused
        )
        .then(|| Landing::starting_toward(first_phase(task.mode))),
        Event::RecoveryDone => match status {
            FaultRecovery => Some(Landing::at(running(task.phase?))),
            _ => None,
        },
        Event::RecoveryError => match status {
            FaultRecovery => Some(Landing::remembering(FaultRecoveryFailed, task.phase?)),
            _ => None,
        },

        // Ending: by the user, by the abnormal-status timer, or by billing's retention timer.
        Event::End => is_freezable(status).then_some(Landing::at(EndRequested)),
        // Force end takes anything that still holds its instance, mid-flight included, unless
        // it is ending already or frozen (a frozen task accepts no operation). Whatever the
        // task was waiting for is abandoned: EndRequested accepts no report of it.
        Event::ForceEnd => (needs_instance(status)
            && !matches!(status, EndRequested | Ending | Frozen))
        .then_some(Landing::at(EndRequested)),
        Event::AbnormalTimeout => matches!(
            status,
            StartFailed | FullMigrationFailed | IncrementalMigrationFailed | FaultRecoveryFailed
        )
        .then_some(Landing::at(EndRequested)),
        Event::RetentionExpired => (status == Frozen).then_some(Landing::at(EndRequested)),
        Event::ReleaseBegun => (status == EndRequested).then_some(Landing::at(Ending)),
        Event::ReleaseDone => (status == Ending).then_some(Landing::at(Ended)),
        Event::ReleaseError => (status == Ending).then_some(Landing::at(EndFailed)),

        // Deleting: only what holds nothing any more.
        Event::Delete => matches!(status, CreateFailed | Ended).then_some(Landing::at(Deleted)),
    }
}

/// The stable statuses that hold an instance. Billing freezes exactly these, and the user
/// can end a task in exactly these: in both cases the task is neither mid-flight (creating,
/// starting, recovering, releasing) nor without an instance.
#[inline]
pub(crate) const fn is_freezable(status: Status) -> bool {
    use Status::*;
    matches!(
        status,
        Configuration
            | WaitingToStart
            | StartFailed
            | FullMigration
            | FullMigrationFailed
            | IncrementalMigration
            | IncrementalMigrationFailed
            | FaultRecoveryFailed
            | Paused
            | EndFailed
    )
}

/// Whether a task in `status` needs its migration instance: from the moment creation
/// succeeds until the release completes.
#[inline]
pub(crate) const fn needs_instance(status: Status) -> bool {
    use Status::*;
    !matches!(status, Creating | CreateFailed | Ended | Deleted)
}

/// Whether a task in `status` remembers a phase: the phase it is starting toward, failed to
/// start toward, was paused in, is recovering, or failed to recover.
#[inline]
pub(crate) const fn keeps_phase(status: Status) -> bool {
    use Status::*;
    matches!(
        status,
        Starting | StartFailed | Paused | FaultRecovery | FaultRecoveryFailed
    )
}

/// The phase a running, complete or failed migration status belongs to.
#[inline]
pub(crate) const fn phase_of(status: Status) -> Option<Phase> {
    use Status::*;
    match status {
        FullMigration | FullMigrationComplete | FullMigrationFailed => Some(Phase::Full),
        IncrementalMigration | IncrementalMigrationFailed => Some(Phase::Incremental),
        _ => None,
    }
}

/// The phase of a running migration (the statuses one can pause or that can fault).
#[inline]
const fn running_phase(status: Status) -> Option<Phase> {
    match status {
        Status::FullMigration => Some(Phase::Full),
        Status::IncrementalMigration => Some(Phase::Incremental),
        _ => None,
    }
}

/// The status of a task running `phase`.
#[inline]
const fn running(phase: Phase) -> Status {
    match phase {
        Phase::Full => Status::FullMigration,
        Phase::Incremental => Status::IncrementalMigration,
    }
}

/// The phase a task of `mode` goes on to when its full phase is complete, if any.
#[inline]
const fn phase_after_full(mode: Mode) -> Option<Phase> {
    match mode {
        Mode::FullIncremental => Some(Phase::Incremental),
        Mode::Full | Mode::Incremental => None,
    }
}

/// The phase a pause or an instance fault interrupts: the running phase, or, between the
/// phases, the one that comes next.
#[inline]
fn moving_phase(task: &Task) -> Option<Phase> {
    match task.status {
        Status::FullMigrationComplete => phase_after_full(task.mode),
        status => running_phase(status),
    }
}

/// Where a first start and a reset head: a mode that copies the data heads for the full
/// phase; an incremental-only task has nothing to copy.
#[inline]
pub(crate) const fn first_phase(mode: Mode) -> Phase {
    match mode {
        Mode::Full | Mode::FullIncremental => Phase::Full,
        Mode::Incremental => Phase::Incremental,
    }
}

/// Whether a task of `mode` ever runs `phase`.
#[inline]
pub(crate) const fn mode_runs(mode: Mode, phase: Phase) -> bool {
    !matches!(
        (mode, phase),
        (Mode::Full, Phase::Incremental) | (Mode::Incremental, Phase::Full)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(status: Status, mode: Mode, phase: Option<Phase>) -> Task {
        Task {
            id: crate::spec::TaskId(1),
            account: crate::spec::AccountId(0),
            mode,
            status,
            phase,
            frozen_from: None,
            instance: needs_instance(status),
            version: 1,
        }
    }

    #[test]
    fn landing_remembers_a_phase_exactly_where_the_status_keeps_one() {
        for status in Status::ALL {
            for mode in Mode::ALL {
                let phase = keeps_phase(status).then(|| first_phase(mode));
                for event in Event::ON_TASK {
                    if let Some(landing) = react(&task(status, mode, phase), event) {
                        assert_eq!(
                            landing.phase.is_some(),
                            keeps_phase(landing.status),
                            "{status:?} --{event:?}--> {landing:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_task_that_lost_its_phase_cannot_pick_one() {
        // A well-formed task always remembers its phase here; if one did not, guessing a
        // phase would hide the corruption, so the engine refuses instead.
        for status in [
            Status::Starting,
            Status::Paused,
            Status::FaultRecovery,
            Status::FaultRecoveryFailed,
        ] {
            for event in [
                Event::StartSucceeded,
                Event::StartError,
                Event::Resume,
                Event::RecoveryDone,
                Event::RecoveryError,
                Event::Retry,
            ] {
                assert_eq!(react(&task(status, Mode::Full, None), event), None);
            }
        }
    }

    #[test]
    fn every_status_but_the_terminal_ones_accepts_something() {
        for status in Status::ALL {
            let phase = keeps_phase(status).then_some(Phase::Full);
            let accepts = Event::ON_TASK
                .into_iter()
                .any(|event| react(&task(status, Mode::FullIncremental, phase), event).is_some());
            // Frozen's way out is billing (recharge), which the fleet handles, or retention.
            assert_eq!(accepts, status != Status::Deleted, "{status:?}");
        }
    }
}
