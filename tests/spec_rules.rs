//! The brief's transition table (`lifecycle-brief.md`, decision 6), line by line: each line
//! gets a named test that walks a concrete task through `step`, so a failure names the rule
//! that broke. The table as a whole is compared with the brief in `spec_table.rs`.

mod common;

use std::collections::BTreeSet;

use common::{
    ABNORMAL, DELETABLE, ENDABLE, FORCE_ENDABLE, FREEZABLE, NOT_FORCE_ENDABLE, RESETTABLE,
    reachable_tasks, set, well_formed_tasks,
};
use drs_lifecycle::spec::table::edges;
use drs_lifecycle::spec::{Event, Mode, Phase, Status, TaskSpec, step};

use Event::*;
use Status::*;

// ------------------------------------------------------------------------------------------
// The brief's lines, one claim each.
// ------------------------------------------------------------------------------------------

/// Runs events from creation and returns the task; panics naming the refused event.
fn run(mode: Mode, events: &[Event]) -> TaskSpec {
    let mut task = TaskSpec::created(mode);
    for &event in events {
        task = step(&task, event).unwrap_or_else(|| panic!("{task} refused {event}"));
    }
    task
}

fn at(status: Status, mode: Mode, phase: Option<Phase>) -> TaskSpec {
    TaskSpec {
        status,
        mode,
        phase,
        frozen_from: None,
    }
}

const TO_FULL: &[Event] = &[InstanceReady, StartNow, StartSucceeded];
const TO_FULL_COMPLETE: &[Event] = &[InstanceReady, StartNow, StartSucceeded, FullDone];
const TO_INCREMENTAL: &[Event] = &[
    InstanceReady,
    StartNow,
    StartSucceeded,
    FullDone,
    IncrementalBegun,
];

/// The events of `head`, then `tail`.
fn then(head: &[Event], tail: &[Event]) -> Vec<Event> {
    [head, tail].concat()
}

#[test]
fn create_starts_in_creating_with_its_mode() {
    for mode in Mode::ALL {
        assert_eq!(TaskSpec::created(mode), at(Creating, mode, None));
    }
}

#[test]
fn create_is_not_an_event_for_an_existing_task() {
    for task in well_formed_tasks() {
        assert_eq!(step(&task, Create(Mode::Full)), None, "{task}");
    }
}

#[test]
fn creating_becomes_configuration_or_create_failed() {
    let mode = Mode::FullIncremental;
    assert_eq!(run(mode, &[InstanceReady]).status, Configuration);
    assert_eq!(run(mode, &[InstanceCreationFailed]).status, CreateFailed);
}

#[test]
fn first_start_heads_for_the_mode_first_phase() {
    for (mode, phase) in [
        (Mode::Full, Phase::Full),
        (Mode::FullIncremental, Phase::Full),
        (Mode::Incremental, Phase::Incremental),
    ] {
        let now = run(mode, &[InstanceReady, StartNow]);
        assert_eq!(now, at(Starting, mode, Some(phase)));
        let scheduled = run(mode, &[InstanceReady, ScheduleStart]);
        assert_eq!(scheduled, at(WaitingToStart, mode, None));
        assert_eq!(step(&scheduled, StartTimeReached), Some(now));
        assert_eq!(step(&scheduled, StartNow), Some(now));
    }
}

#[test]
fn start_succeeded_enters_the_phase_it_headed_for() {
    assert_eq!(run(Mode::Full, TO_FULL).status, FullMigration);
    assert_eq!(run(Mode::Incremental, TO_FULL).status, IncrementalMigration);
}

#[test]
fn start_error_remembers_the_phase_and_retry_heads_back_to_it() {
    let failed = run(Mode::Incremental, &[InstanceReady, StartNow, StartError]);
    assert_eq!(
        failed,
        at(StartFailed, Mode::Incremental, Some(Phase::Incremental))
    );
    let retried = step(&failed, Retry);
    assert_eq!(
        retried,
        Some(at(Starting, Mode::Incremental, Some(Phase::Incremental)))
    );
}

#[test]
fn full_done_completes_the_full_phase_in_every_mode_that_runs_it() {
    for mode in [Mode::Full, Mode::FullIncremental] {
        let task = run(mode, TO_FULL_COMPLETE);
        assert_eq!(task, at(FullMigrationComplete, mode, None));
    }
}

#[test]
fn a_full_only_task_finishes_from_full_complete_and_the_system_ends_it() {
    let complete = run(Mode::Full, TO_FULL_COMPLETE);
    assert_eq!(
        step(&complete, MigrationFinished),
        Some(at(EndRequested, Mode::Full, None))
    );
    assert_eq!(step(&complete, IncrementalBegun), None);
}

#[test]
fn a_full_incr_task_begins_its_incremental_phase_from_full_complete() {
    let complete = run(Mode::FullIncremental, TO_FULL_COMPLETE);
    assert_eq!(
        step(&complete, IncrementalBegun),
        Some(at(IncrementalMigration, Mode::FullIncremental, None))
    );
    assert_eq!(step(&complete, MigrationFinished), None);
}

#[test]
fn pause_from_full_complete_remembers_incremental_for_full_incr_and_is_refused_for_full_only() {
    let complete = run(Mode::FullIncremental, TO_FULL_COMPLETE);
    let paused = step(&complete, Pause).expect("full+incr pauses between the phases");
    assert_eq!(
        paused,
        at(Paused, Mode::FullIncremental, Some(Phase::Incremental))
    );
    assert_eq!(
        step(&paused, Resume),
        Some(at(
            Starting,
            Mode::FullIncremental,
            Some(Phase::Incremental)
        ))
    );
    assert_eq!(step(&run(Mode::Full, TO_FULL_COMPLETE), Pause), None);
}

#[test]
fn instance_fault_in_full_complete_recovers_toward_incremental_for_full_incr_only() {
    let complete = run(Mode::FullIncremental, TO_FULL_COMPLETE);
    let recovering = step(&complete, InstanceFault).expect("full+incr faults between phases");
    assert_eq!(
        recovering,
        at(
            FaultRecovery,
            Mode::FullIncremental,
            Some(Phase::Incremental)
        )
    );
    assert_eq!(
        step(&recovering, RecoveryDone),
        Some(at(IncrementalMigration, Mode::FullIncremental, None))
    );
    assert_eq!(
        step(&run(Mode::Full, TO_FULL_COMPLETE), InstanceFault),
        None
    );
}

#[test]
fn full_complete_accepts_exactly_its_system_exits_pause_fault_and_force_end() {
    for (mode, accepted) in [
        (Mode::Full, vec![ForceEnd, MigrationFinished]),
        (
            Mode::FullIncremental,
            vec![Pause, ForceEnd, IncrementalBegun, InstanceFault],
        ),
    ] {
        let complete = run(mode, TO_FULL_COMPLETE);
        let got: Vec<Event> = Event::ON_TASK
            .into_iter()
            .filter(|&event| step(&complete, event).is_some())
            .collect();
        assert_eq!(got, accepted, "{mode}");
    }
}

#[test]
fn an_incremental_only_task_never_reaches_full_complete() {
    assert!(
        reachable_tasks()
            .iter()
            .filter(|task| task.mode == Mode::Incremental)
            .all(|task| task.effective_status() != FullMigrationComplete)
    );
    assert!(
        reachable_tasks()
            .iter()
            .any(|task| task.mode == Mode::Full && task.status == FullMigrationComplete)
    );
}

#[test]
fn incremental_only_task_never_runs_a_full_phase() {
    for task in reachable_tasks()
        .iter()
        .filter(|t| t.mode == Mode::Incremental)
    {
        assert_ne!(task.current_phase(), Some(Phase::Full), "{task}");
    }
    for task in reachable_tasks().iter().filter(|t| t.mode == Mode::Full) {
        assert_ne!(task.current_phase(), Some(Phase::Incremental), "{task}");
    }
}

#[test]
fn phase_errors_land_on_their_failed_status() {
    let full = run(
        Mode::FullIncremental,
        &[InstanceReady, StartNow, StartSucceeded, FullError],
    );
    assert_eq!(full, at(FullMigrationFailed, Mode::FullIncremental, None));
    let incremental = run(
        Mode::FullIncremental,
        &then(TO_INCREMENTAL, &[IncrementalError]),
    );
    assert_eq!(
        incremental,
        at(IncrementalMigrationFailed, Mode::FullIncremental, None)
    );
}

#[test]
fn retry_of_a_failed_phase_heads_for_that_phase() {
    let mode = Mode::FullIncremental;
    assert_eq!(
        step(&at(FullMigrationFailed, mode, None), Retry),
        Some(at(Starting, mode, Some(Phase::Full)))
    );
    assert_eq!(
        step(&at(IncrementalMigrationFailed, mode, None), Retry),
        Some(at(Starting, mode, Some(Phase::Incremental)))
    );
}

#[test]
fn pause_remembers_the_phase() {
    let mode = Mode::FullIncremental;
    let in_full = run(mode, &[InstanceReady, StartNow, StartSucceeded, Pause]);
    assert_eq!(in_full, at(Paused, mode, Some(Phase::Full)));
    let in_incremental = run(mode, &then(TO_INCREMENTAL, &[Pause]));
    assert_eq!(in_incremental, at(Paused, mode, Some(Phase::Incremental)));
}

#[test]
fn paused_resume_heads_for_remembered_phase() {
    let mode = Mode::FullIncremental;
    let paused = run(mode, &then(TO_INCREMENTAL, &[Pause]));
    let resumed = step(&paused, Resume).expect("paused accepts resume");
    assert_eq!(resumed, at(Starting, mode, Some(Phase::Incremental)));
    assert_eq!(
        step(&resumed, StartSucceeded),
        Some(at(IncrementalMigration, mode, None))
    );
}

#[test]
fn reset_restarts_from_mode_first_phase() {
    let mode = Mode::FullIncremental;
    for last in [
        &[Pause][..],
        &[IncrementalError],
        &[InstanceFault, RecoveryError],
    ] {
        let task = run(mode, &then(TO_INCREMENTAL, last));
        assert_eq!(
            step(&task, Reset),
            Some(at(Starting, mode, Some(Phase::Full))),
            "reset from {}",
            task.status
        );
    }
    let incremental_only = at(IncrementalMigrationFailed, Mode::Incremental, None);
    assert_eq!(
        step(&incremental_only, Reset),
        Some(at(Starting, Mode::Incremental, Some(Phase::Incremental)))
    );
}

#[test]
fn reset_is_refused_outside_failed_phases_and_paused() {
    let allowed: BTreeSet<Status> = edges()
        .filter(|(_, event, _)| *event == Reset)
        .map(|(status, _, _)| status)
        .collect();
    assert_eq!(allowed, set(RESETTABLE));
}

#[test]
fn instance_fault_remembers_the_phase() {
    let mode = Mode::FullIncremental;
    let task = run(
        mode,
        &[InstanceReady, StartNow, StartSucceeded, InstanceFault],
    );
    assert_eq!(task, at(FaultRecovery, mode, Some(Phase::Full)));
}

#[test]
fn recovery_done_returns_to_remembered_phase_directly() {
    let mode = Mode::FullIncremental;
    let recovering = run(mode, &then(TO_INCREMENTAL, &[InstanceFault]));
    assert_eq!(
        step(&recovering, RecoveryDone),
        Some(at(IncrementalMigration, mode, None))
    );
}

#[test]
fn recovery_error_lands_on_fault_recovery_failed_remembering_the_phase() {
    let mode = Mode::FullIncremental;
    for phase in [Phase::Full, Phase::Incremental] {
        let recovering = at(FaultRecovery, mode, Some(phase));
        assert_eq!(
            step(&recovering, RecoveryError),
            Some(at(FaultRecoveryFailed, mode, Some(phase))),
            "not version 1's failed status of the phase"
        );
    }
}

#[test]
fn fault_recovery_failed_retries_toward_its_phase_and_resets_toward_the_first() {
    let mode = Mode::FullIncremental;
    let failed = run(mode, &then(TO_INCREMENTAL, &[InstanceFault, RecoveryError]));
    assert_eq!(
        failed,
        at(FaultRecoveryFailed, mode, Some(Phase::Incremental))
    );
    let retried = step(&failed, Retry).expect("retry");
    assert_eq!(retried, at(Starting, mode, Some(Phase::Incremental)));
    assert_eq!(
        step(&retried, StartSucceeded),
        Some(at(IncrementalMigration, mode, None))
    );
    assert_eq!(
        step(&failed, Reset),
        Some(at(Starting, mode, Some(Phase::Full)))
    );
    for event in [End, ForceEnd, AbnormalTimeout] {
        assert_eq!(
            step(&failed, event),
            Some(at(EndRequested, mode, None)),
            "{event}"
        );
    }
    let frozen = step(&failed, AccountInArrears).expect("fault-recovery-failed freezes");
    assert_eq!(step(&frozen, AccountRecharged), Some(failed));
}

#[test]
fn force_end_is_allowed_exactly_where_an_instance_is_held_and_no_end_is_under_way() {
    let allowed: BTreeSet<Status> = edges()
        .filter(|(_, event, _)| *event == ForceEnd)
        .map(|(status, _, _)| status)
        .collect();
    assert_eq!(allowed, set(FORCE_ENDABLE));
    for task in reachable_tasks() {
        let ended = step(&task, ForceEnd);
        if FORCE_ENDABLE.contains(&task.status) {
            assert_eq!(ended, Some(at(EndRequested, task.mode, None)), "{task}");
        } else {
            assert!(NOT_FORCE_ENDABLE.contains(&task.status), "{task}");
            assert_eq!(ended, None, "{task}");
        }
    }
}

#[test]
fn a_late_report_after_force_end_is_refused() {
    // Each transient status that force end interrupts, and the report it was waiting for.
    let cases = [
        (
            Mode::Full,
            &[InstanceReady, StartNow][..],
            &[StartSucceeded, StartError][..],
        ),
        (Mode::Full, TO_FULL_COMPLETE, &[MigrationFinished]),
        (Mode::FullIncremental, TO_FULL_COMPLETE, &[IncrementalBegun]),
        (
            Mode::FullIncremental,
            &then(TO_FULL, &[InstanceFault]),
            &[RecoveryDone, RecoveryError],
        ),
    ];
    for (mode, to_transient, reports) in cases {
        let ended = step(&run(mode, to_transient), ForceEnd).expect("force end");
        assert_eq!(ended, at(EndRequested, mode, None));
        for &report in reports {
            assert_eq!(step(&ended, report), None, "{report} after force end");
        }
    }
}

#[test]
fn end_is_allowed_exactly_from_the_brief_endable_statuses() {
    let endable: BTreeSet<Status> = edges()
        .filter(|(_, event, _)| *event == End)
        .map(|(status, _, _)| status)
        .collect();
    assert_eq!(endable, set(ENDABLE));
}

#[test]
fn abnormal_timeout_ends_only_failed_migrations() {
    let timed_out: BTreeSet<Status> = edges()
        .filter(|(_, event, _)| *event == AbnormalTimeout)
        .map(|(status, _, _)| status)
        .collect();
    let abnormal: BTreeSet<Status> = Status::ALL
        .into_iter()
        .filter(|s| s.is_abnormal())
        .collect();
    assert_eq!(timed_out, set(ABNORMAL));
    assert_eq!(timed_out, abnormal);
}

#[test]
fn release_goes_through_ending_and_may_fail() {
    let requested = at(EndRequested, Mode::Full, None);
    let ending = step(&requested, ReleaseBegun).expect("release begins");
    assert_eq!(ending.status, Ending);
    assert_eq!(step(&ending, ReleaseDone).map(|t| t.status), Some(Ended));
    let failed = step(&ending, ReleaseError).expect("a release can fail");
    assert_eq!(failed.status, EndFailed);
    assert_eq!(step(&failed, End).map(|t| t.status), Some(EndRequested));
}

#[test]
fn every_way_into_ended_is_release_done_from_ending() {
    for (from, event, rule) in edges() {
        if rule.to.possible_statuses().contains(&Ended) {
            assert_eq!((from, event), (Ending, ReleaseDone));
        }
    }
}

#[test]
fn ended_accepts_only_delete() {
    let ended = at(Ended, Mode::FullIncremental, None);
    for event in Event::ON_TASK {
        let expected = (event == Delete).then_some(at(Deleted, Mode::FullIncremental, None));
        assert_eq!(step(&ended, event), expected, "Ended on {event}");
    }
}

#[test]
fn deleted_accepts_nothing() {
    for mode in Mode::ALL {
        let deleted = at(Deleted, mode, None);
        for event in Event::ON_TASK.into_iter().chain(Mode::ALL.map(Create)) {
            assert_eq!(step(&deleted, event), None, "Deleted on {event}");
        }
    }
}

#[test]
fn delete_only_from_create_failed_or_ended() {
    let deletable: BTreeSet<Status> = edges()
        .filter(|(_, event, _)| *event == Delete)
        .map(|(status, _, _)| status)
        .collect();
    assert_eq!(deletable, set(DELETABLE));
    let into_deleted: BTreeSet<Event> = edges()
        .filter(|(_, _, rule)| rule.to.possible_statuses().contains(&Deleted))
        .map(|(_, event, _)| event)
        .collect();
    assert_eq!(into_deleted, BTreeSet::from([Delete]));
}

#[test]
fn freeze_remembers_status_and_phase() {
    let paused = at(Paused, Mode::FullIncremental, Some(Phase::Incremental));
    let frozen = step(&paused, AccountInArrears).expect("paused is freezable");
    assert_eq!(
        frozen,
        TaskSpec {
            status: Frozen,
            mode: Mode::FullIncremental,
            phase: Some(Phase::Incremental),
            frozen_from: Some(Paused),
        }
    );
}

#[test]
fn unfreeze_restores_exact_status_and_phase() {
    for task in reachable_tasks() {
        if let Some(frozen) = step(&task, AccountInArrears) {
            assert_eq!(step(&frozen, AccountRecharged), Some(task), "{task}");
        }
    }
}

#[test]
fn only_freezable_statuses_freeze_and_frozen_does_not_freeze_again() {
    for task in well_formed_tasks() {
        let froze = step(&task, AccountInArrears).is_some();
        assert_eq!(froze, FREEZABLE.contains(&task.status), "{task}");
    }
    let transient_never_freeze = Status::ALL
        .into_iter()
        .filter(|s| s.is_transient())
        .all(|s| !s.is_freezable());
    assert!(transient_never_freeze);
}

#[test]
fn frozen_refuses_every_user_operation() {
    for task in reachable_tasks().into_iter().filter(|t| t.status == Frozen) {
        for event in Event::ON_TASK.into_iter().filter(|e| e.is_user_operation()) {
            assert_eq!(step(&task, event), None, "{task} accepted {event}");
        }
    }
}

#[test]
fn frozen_waits_with_the_frozen_status_system_events() {
    let frozen_failed = step(
        &at(StartFailed, Mode::Full, Some(Phase::Full)),
        AccountInArrears,
    )
    .expect("start-failed is freezable");
    assert_eq!(step(&frozen_failed, AbnormalTimeout), None);
    let frozen_running = step(&at(FullMigration, Mode::Full, None), AccountInArrears)
        .expect("full migration is freezable");
    for event in [FullDone, FullError, InstanceFault] {
        assert_eq!(
            step(&frozen_running, event),
            None,
            "frozen accepted {event}"
        );
    }
}

#[test]
fn retention_expiry_ends_a_frozen_task() {
    let frozen = step(&at(Paused, Mode::Full, Some(Phase::Full)), AccountInArrears)
        .expect("paused is freezable");
    assert_eq!(
        step(&frozen, RetentionExpired),
        Some(at(EndRequested, Mode::Full, None))
    );
}
