//! Every rule of the brief's transition table (decision 6), exercised through the engine's
//! public API, including the rules whose target depends on the mode or on what the task
//! remembers.

mod common;

use common::{
    A, ABNORMAL, B, ENDABLE, FORCE_ENDABLE, WITHOUT_INSTANCE, drive, first_phase, new_task, path,
    task, task_in,
};
use drs_lifecycle::engine::{Change, Fleet, InstanceChange, Outcome};
use drs_lifecycle::spec::{Command, Event, Mode, Phase, Status, TaskId};

/// Applies one event that must be accepted and returns its change.
fn accept(fleet: &mut Fleet, id: TaskId, event: Event) -> Change {
    fleet
        .apply(A, id, event)
        .unwrap_or_else(|refusal| panic!("{event} refused: {refusal}"))
}

/// Asserts the task's status, remembered phase and instance.
fn assert_task(fleet: &Fleet, id: TaskId, status: Status, phase: Option<Phase>, instance: bool) {
    let task = task(fleet, A, id);
    assert_eq!(
        (
            task.status(),
            task.phase(),
            task.holds_instance(),
            task.frozen_from()
        ),
        (status, phase, instance, None),
        "{task:?}"
    );
}

// (none) --create(mode)--> Creating

#[test]
fn create_hands_out_the_next_id_in_creating_without_an_instance() {
    let mut fleet = Fleet::new();
    for (n, mode) in Mode::ALL.into_iter().enumerate() {
        let change = fleet.create(A, mode).expect("create");
        let id = TaskId(n as u64 + 1);
        assert_eq!(
            change,
            Change {
                task: id,
                from: Status::Creating,
                to: Status::Creating,
                instance: InstanceChange::Unchanged,
                version: 1,
            }
        );
        let created = task(&fleet, A, id);
        assert_eq!(created.mode(), mode);
        assert_eq!(created.account(), A);
        assert_eq!(created.version(), 1);
        assert_task(&fleet, id, Status::Creating, None, false);
    }
}

#[test]
fn execute_dispatches_create_like_create() {
    let mut fleet = Fleet::new();
    let outcome = fleet
        .execute(&Command::Create {
            account: B,
            mode: Mode::Incremental,
        })
        .expect("create");
    let Outcome::Task(change) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(change.task, TaskId(1));
    assert_eq!(
        fleet.get(B, TaskId(1)).expect("get").mode(),
        Mode::Incremental
    );
}

// Creating --instance ready--> Configuration; --instance creation failed--> CreateFailed

#[test]
fn instance_ready_configures_the_task_and_acquires_its_instance() {
    let (mut fleet, id) = task_in(Status::Creating);
    let change = accept(&mut fleet, id, Event::InstanceReady);
    assert_eq!(change.to, Status::Configuration);
    assert_eq!(change.instance, InstanceChange::Acquired);
    assert_task(&fleet, id, Status::Configuration, None, true);
}

#[test]
fn instance_creation_failure_leaves_no_instance() {
    let (mut fleet, id) = task_in(Status::Creating);
    let change = accept(&mut fleet, id, Event::InstanceCreationFailed);
    assert_eq!(change.instance, InstanceChange::Unchanged);
    assert_task(&fleet, id, Status::CreateFailed, None, false);
}

// CreateFailed --delete--> Deleted; Ended --delete--> Deleted

#[test]
fn create_failed_and_ended_tasks_can_be_deleted() {
    for status in [Status::CreateFailed, Status::Ended] {
        let (mut fleet, id) = task_in(status);
        let change = accept(&mut fleet, id, Event::Delete);
        assert_eq!((change.from, change.to), (status, Status::Deleted));
        assert_task(&fleet, id, Status::Deleted, None, false);
    }
}

// Configuration --start now--> Starting; WaitingToStart --start time reached | start now--> Starting

#[test]
fn a_first_start_heads_for_the_modes_first_phase() {
    for mode in Mode::ALL {
        for (from, event) in [
            (Status::Configuration, Event::StartNow),
            (Status::WaitingToStart, Event::StartTimeReached),
            (Status::WaitingToStart, Event::StartNow),
        ] {
            let mut fleet = Fleet::new();
            let id = new_task(&mut fleet, A, mode, from, Phase::Full);
            accept(&mut fleet, id, event);
            assert_task(&fleet, id, Status::Starting, Some(first_phase(mode)), true);
        }
    }
}

#[test]
fn an_incremental_only_task_starts_toward_incremental_migration() {
    let mut fleet = Fleet::new();
    let id = new_task(
        &mut fleet,
        A,
        Mode::Incremental,
        Status::Configuration,
        Phase::Full,
    );
    accept(&mut fleet, id, Event::StartNow);
    assert_task(&fleet, id, Status::Starting, Some(Phase::Incremental), true);
}

#[test]
fn configuration_schedules_a_start() {
    let (mut fleet, id) = task_in(Status::Configuration);
    accept(&mut fleet, id, Event::ScheduleStart);
    assert_task(&fleet, id, Status::WaitingToStart, None, true);
}

// Starting --start succeeded--> the phase; --start error--> StartFailed (remembers)

#[test]
fn a_successful_start_enters_the_phase_it_headed_for() {
    for (mode, phase) in [
        (Mode::Full, Phase::Full),
        (Mode::FullIncremental, Phase::Full),
        (Mode::FullIncremental, Phase::Incremental),
        (Mode::Incremental, Phase::Incremental),
    ] {
        let mut fleet = Fleet::new();
        let id = new_task(&mut fleet, A, mode, Status::Starting, phase);
        assert_eq!(task(&fleet, A, id).phase(), Some(phase));
        accept(&mut fleet, id, Event::StartSucceeded);
        let running = match phase {
            Phase::Full => Status::FullMigration,
            Phase::Incremental => Status::IncrementalMigration,
        };
        assert_task(&fleet, id, running, None, true);
    }
}

#[test]
fn a_failed_start_remembers_the_phase_and_retry_heads_for_it_again() {
    for (mode, phase) in [
        (Mode::Full, Phase::Full),
        (Mode::FullIncremental, Phase::Incremental),
        (Mode::Incremental, Phase::Incremental),
    ] {
        let mut fleet = Fleet::new();
        let id = new_task(&mut fleet, A, mode, Status::Starting, phase);
        accept(&mut fleet, id, Event::StartError);
        assert_task(&fleet, id, Status::StartFailed, Some(phase), true);
        accept(&mut fleet, id, Event::Retry);
        assert_task(&fleet, id, Status::Starting, Some(phase), true);
    }
}

// FullMigration --full done--> FullMigrationComplete; FullMigrationComplete --incremental
// begun--> IncrementalMigration (full+incr) / --migration finished--> EndRequested (full only)

#[test]
fn full_done_completes_the_full_phase_in_both_modes_that_run_it() {
    for mode in [Mode::Full, Mode::FullIncremental] {
        let mut fleet = Fleet::new();
        let id = new_task(&mut fleet, A, mode, Status::FullMigration, Phase::Full);
        let change = accept(&mut fleet, id, Event::FullDone);
        assert_eq!(change.to, Status::FullMigrationComplete);
        assert_task(&fleet, id, Status::FullMigrationComplete, None, true);
    }
}

#[test]
fn a_full_and_incremental_task_begins_incremental_migration_after_full_complete() {
    let mut fleet = Fleet::new();
    let id = new_task(
        &mut fleet,
        A,
        Mode::FullIncremental,
        Status::FullMigrationComplete,
        Phase::Full,
    );
    accept(&mut fleet, id, Event::IncrementalBegun);
    assert_task(&fleet, id, Status::IncrementalMigration, None, true);
}

#[test]
fn a_full_only_task_is_ended_by_the_system_after_full_complete() {
    let mut fleet = Fleet::new();
    let id = new_task(
        &mut fleet,
        A,
        Mode::Full,
        Status::FullMigrationComplete,
        Phase::Full,
    );
    accept(&mut fleet, id, Event::MigrationFinished);
    assert_task(&fleet, id, Status::EndRequested, None, true);
}

// FullMigrationComplete (full+incr) --pause--> Paused; --instance fault--> FaultRecovery,
// both remembering the incremental phase

#[test]
fn pause_and_fault_between_the_phases_remember_the_incremental_phase() {
    for (event, to) in [
        (Event::Pause, Status::Paused),
        (Event::InstanceFault, Status::FaultRecovery),
    ] {
        let mut fleet = Fleet::new();
        let id = new_task(
            &mut fleet,
            A,
            Mode::FullIncremental,
            Status::FullMigrationComplete,
            Phase::Full,
        );
        accept(&mut fleet, id, event);
        assert_task(&fleet, id, to, Some(Phase::Incremental), true);
    }
}

#[test]
fn pause_between_the_phases_is_refused_for_a_full_only_task() {
    let mut fleet = Fleet::new();
    let id = new_task(
        &mut fleet,
        A,
        Mode::Full,
        Status::FullMigrationComplete,
        Phase::Full,
    );
    for event in [Event::Pause, Event::InstanceFault, Event::IncrementalBegun] {
        assert!(fleet.apply(A, id, event).is_err(), "{event}");
    }
    assert_task(&fleet, id, Status::FullMigrationComplete, None, true);
}

#[test]
fn an_incremental_only_task_never_reaches_full_migration_complete() {
    let mut fleet = Fleet::new();
    let id = new_task(
        &mut fleet,
        A,
        Mode::Incremental,
        Status::IncrementalMigration,
        Phase::Incremental,
    );
    for event in [
        Event::FullDone,
        Event::IncrementalBegun,
        Event::MigrationFinished,
    ] {
        assert!(fleet.apply(A, id, event).is_err(), "{event}");
    }
}

// FullMigration --full error--> FullMigrationFailed; IncrementalMigration --incremental error--> …Failed

#[test]
fn a_phase_error_fails_that_phase() {
    let (mut fleet, id) = task_in(Status::FullMigration);
    accept(&mut fleet, id, Event::FullError);
    assert_task(&fleet, id, Status::FullMigrationFailed, None, true);

    let (mut fleet, id) = task_in(Status::IncrementalMigration);
    accept(&mut fleet, id, Event::IncrementalError);
    assert_task(&fleet, id, Status::IncrementalMigrationFailed, None, true);
}

// FullMigration, IncrementalMigration --instance fault--> FaultRecovery; --pause--> Paused

#[test]
fn instance_fault_and_pause_remember_the_running_phase() {
    for (running, phase) in [
        (Status::FullMigration, Phase::Full),
        (Status::IncrementalMigration, Phase::Incremental),
    ] {
        for (event, to) in [
            (Event::InstanceFault, Status::FaultRecovery),
            (Event::Pause, Status::Paused),
        ] {
            let (mut fleet, id) = task_in(running);
            accept(&mut fleet, id, event);
            assert_task(&fleet, id, to, Some(phase), true);
        }
    }
}

// FullMigrationFailed / IncrementalMigrationFailed --retry--> Starting toward that phase

#[test]
fn retry_of_a_failed_phase_heads_for_that_phase() {
    for (failed, phase) in [
        (Status::FullMigrationFailed, Phase::Full),
        (Status::IncrementalMigrationFailed, Phase::Incremental),
    ] {
        let (mut fleet, id) = task_in(failed);
        accept(&mut fleet, id, Event::Retry);
        assert_task(&fleet, id, Status::Starting, Some(phase), true);
    }
}

// FullMigrationFailed, IncrementalMigrationFailed, Paused --reset--> Starting toward the first phase

#[test]
fn reset_starts_the_migration_over_from_the_modes_first_phase() {
    let cases = [
        (Mode::Full, Status::FullMigrationFailed, Phase::Full),
        (Mode::Full, Status::Paused, Phase::Full),
        (
            Mode::FullIncremental,
            Status::FullMigrationFailed,
            Phase::Full,
        ),
        (
            Mode::FullIncremental,
            Status::IncrementalMigrationFailed,
            Phase::Incremental,
        ),
        (Mode::FullIncremental, Status::Paused, Phase::Incremental),
        (
            Mode::Incremental,
            Status::IncrementalMigrationFailed,
            Phase::Incremental,
        ),
        (Mode::Incremental, Status::Paused, Phase::Incremental),
    ];
    for (mode, from, phase) in cases {
        let mut fleet = Fleet::new();
        let id = new_task(&mut fleet, A, mode, from, phase);
        accept(&mut fleet, id, Event::Reset);
        assert_task(&fleet, id, Status::Starting, Some(first_phase(mode)), true);
    }
}

// FaultRecovery --recovery done--> the phase; --recovery error--> that phase's failed status

#[test]
fn recovery_returns_to_the_remembered_phase_directly() {
    for (phase, running) in [
        (Phase::Full, Status::FullMigration),
        (Phase::Incremental, Status::IncrementalMigration),
    ] {
        let mut fleet = Fleet::new();
        let id = new_task(
            &mut fleet,
            A,
            Mode::FullIncremental,
            Status::FaultRecovery,
            phase,
        );
        accept(&mut fleet, id, Event::RecoveryDone);
        assert_task(&fleet, id, running, None, true);
    }
}

#[test]
fn a_recovery_error_lands_on_fault_recovery_failed_remembering_the_phase() {
    for phase in [Phase::Full, Phase::Incremental] {
        let mut fleet = Fleet::new();
        let id = new_task(
            &mut fleet,
            A,
            Mode::FullIncremental,
            Status::FaultRecovery,
            phase,
        );
        accept(&mut fleet, id, Event::RecoveryError);
        assert_task(&fleet, id, Status::FaultRecoveryFailed, Some(phase), true);
    }
}

// FaultRecoveryFailed --retry--> Starting toward the phase; --reset--> toward the first phase

#[test]
fn fault_recovery_failed_retries_toward_its_phase_and_resets_toward_the_first() {
    for mode in Mode::ALL {
        let phase = first_phase(mode);
        for (event, toward) in [(Event::Retry, phase), (Event::Reset, first_phase(mode))] {
            let mut fleet = Fleet::new();
            let id = new_task(&mut fleet, A, mode, Status::FaultRecoveryFailed, phase);
            accept(&mut fleet, id, event);
            assert_task(&fleet, id, Status::Starting, Some(toward), true);
        }
    }
    // Retry heads back to the incremental phase; reset starts over from the full one.
    for (event, toward) in [
        (Event::Retry, Phase::Incremental),
        (Event::Reset, Phase::Full),
    ] {
        let mut fleet = Fleet::new();
        let id = new_task(
            &mut fleet,
            A,
            Mode::FullIncremental,
            Status::FaultRecoveryFailed,
            Phase::Incremental,
        );
        accept(&mut fleet, id, event);
        assert_task(&fleet, id, Status::Starting, Some(toward), true);
        accept(&mut fleet, id, Event::StartSucceeded);
    }
}

#[test]
fn recovery_error_then_retry_runs_the_phase_again() {
    let mut fleet = Fleet::new();
    let id = new_task(
        &mut fleet,
        A,
        Mode::Incremental,
        Status::FaultRecovery,
        Phase::Incremental,
    );
    for (event, status) in [
        (Event::RecoveryError, Status::FaultRecoveryFailed),
        (Event::Retry, Status::Starting),
        (Event::StartSucceeded, Status::IncrementalMigration),
    ] {
        assert_eq!(accept(&mut fleet, id, event).to, status, "after {event}");
    }
}

// Paused --resume--> Starting toward the remembered phase

#[test]
fn resume_passes_through_starting_toward_the_paused_phase() {
    for phase in [Phase::Full, Phase::Incremental] {
        let mut fleet = Fleet::new();
        let id = new_task(&mut fleet, A, Mode::FullIncremental, Status::Paused, phase);
        accept(&mut fleet, id, Event::Resume);
        assert_task(&fleet, id, Status::Starting, Some(phase), true);
        accept(&mut fleet, id, Event::StartSucceeded);
        assert_eq!(
            task(&fleet, A, id).status(),
            match phase {
                Phase::Full => Status::FullMigration,
                Phase::Incremental => Status::IncrementalMigration,
            }
        );
    }
}

// (every endable status) --end--> EndRequested

#[test]
fn force_end_is_accepted_in_every_status_holding_an_instance_and_not_ending() {
    let mut cases: Vec<(Fleet, TaskId, Status)> = FORCE_ENDABLE
        .iter()
        .map(|&status| {
            let (fleet, id) = task_in(status);
            (fleet, id, status)
        })
        .collect();
    let mut full_only = Fleet::new();
    let id = new_task(
        &mut full_only,
        A,
        Mode::Full,
        Status::FullMigrationComplete,
        Phase::Full,
    );
    cases.push((full_only, id, Status::FullMigrationComplete));
    for (mut fleet, id, status) in cases {
        let change = accept(&mut fleet, id, Event::ForceEnd);
        assert_eq!((change.from, change.to), (status, Status::EndRequested));
        assert_eq!(change.instance, InstanceChange::Unchanged);
        assert_task(&fleet, id, Status::EndRequested, None, true);
    }
}

#[test]
fn end_is_accepted_in_every_stable_status_holding_an_instance_and_forgets_the_phase() {
    for &status in ENDABLE {
        let (mut fleet, id) = task_in(status);
        let change = accept(&mut fleet, id, Event::End);
        assert_eq!((change.from, change.to), (status, Status::EndRequested));
        assert_task(&fleet, id, Status::EndRequested, None, true);
    }
}

// StartFailed, FullMigrationFailed, IncrementalMigrationFailed --abnormal timeout--> EndRequested

#[test]
fn the_abnormal_timeout_ends_a_failed_migration() {
    for &status in ABNORMAL {
        let (mut fleet, id) = task_in(status);
        accept(&mut fleet, id, Event::AbnormalTimeout);
        assert_task(&fleet, id, Status::EndRequested, None, true);
    }
}

// EndRequested --release begun--> Ending --release done--> Ended | --release error--> EndFailed

#[test]
fn the_release_goes_through_ending_and_releases_the_instance() {
    let (mut fleet, id) = task_in(Status::EndRequested);
    accept(&mut fleet, id, Event::ReleaseBegun);
    assert_task(&fleet, id, Status::Ending, None, true);
    let change = accept(&mut fleet, id, Event::ReleaseDone);
    assert_eq!(change.instance, InstanceChange::Released);
    assert_task(&fleet, id, Status::Ended, None, false);
}

#[test]
fn a_failed_release_keeps_the_instance_and_can_be_ended_again() {
    let (mut fleet, id) = task_in(Status::Ending);
    accept(&mut fleet, id, Event::ReleaseError);
    assert_task(&fleet, id, Status::EndFailed, None, true);
    accept(&mut fleet, id, Event::End);
    assert_task(&fleet, id, Status::EndRequested, None, true);
}

// freezable --account in arrears--> Frozen; Frozen --recharged--> the status; --retention expired--> EndRequested

#[test]
fn unfreezing_restores_the_exact_status_and_phase() {
    let cases = [
        (Status::Configuration, Phase::Full),
        (Status::WaitingToStart, Phase::Full),
        (Status::StartFailed, Phase::Full),
        (Status::StartFailed, Phase::Incremental),
        (Status::FullMigration, Phase::Full),
        (Status::FullMigrationFailed, Phase::Full),
        (Status::IncrementalMigration, Phase::Incremental),
        (Status::IncrementalMigrationFailed, Phase::Incremental),
        (Status::Paused, Phase::Full),
        (Status::Paused, Phase::Incremental),
        (Status::EndFailed, Phase::Full),
    ];
    for (status, phase) in cases {
        let mut fleet = Fleet::new();
        let id = new_task(&mut fleet, A, Mode::FullIncremental, status, phase);
        let before = task(&fleet, A, id);

        fleet.go_into_arrears(A).expect("arrears");
        let frozen = task(&fleet, A, id);
        assert_eq!(frozen.status(), Status::Frozen);
        assert_eq!(frozen.frozen_from(), Some(status));
        assert_eq!(
            frozen.phase(),
            before.phase(),
            "{status:?} keeps its phase while frozen"
        );
        assert!(frozen.holds_instance());
        assert_eq!(frozen.version(), before.version() + 1);

        fleet.recharge(A).expect("recharge");
        let thawed = task(&fleet, A, id);
        assert_eq!(thawed.status(), status);
        assert_eq!(thawed.phase(), before.phase());
        assert_eq!(thawed.frozen_from(), None);
        assert_eq!(thawed.version(), before.version() + 2);
    }
}

#[test]
fn retention_expiry_ends_a_frozen_task_and_forgets_what_it_froze() {
    let mut fleet = Fleet::new();
    let id = new_task(
        &mut fleet,
        A,
        Mode::FullIncremental,
        Status::Paused,
        Phase::Incremental,
    );
    fleet.go_into_arrears(A).expect("arrears");
    let change = accept(&mut fleet, id, Event::RetentionExpired);
    assert_eq!(
        (change.from, change.to),
        (Status::Frozen, Status::EndRequested)
    );
    assert_task(&fleet, id, Status::EndRequested, None, true);
    // The release is not blocked by the arrears.
    drive(
        &mut fleet,
        A,
        id,
        &[Event::ReleaseBegun, Event::ReleaseDone],
    );
    assert_task(&fleet, id, Status::Ended, None, false);
}

// Whole runs.

#[test]
fn a_full_and_incremental_task_runs_its_whole_life() {
    let mut fleet = Fleet::new();
    let id = fleet.create(A, Mode::FullIncremental).expect("create").task;
    let steps = [
        (Event::InstanceReady, Status::Configuration),
        (Event::ScheduleStart, Status::WaitingToStart),
        (Event::StartTimeReached, Status::Starting),
        (Event::StartSucceeded, Status::FullMigration),
        (Event::InstanceFault, Status::FaultRecovery),
        (Event::RecoveryDone, Status::FullMigration),
        (Event::FullDone, Status::FullMigrationComplete),
        (Event::IncrementalBegun, Status::IncrementalMigration),
        (Event::InstanceFault, Status::FaultRecovery),
        (Event::RecoveryError, Status::FaultRecoveryFailed),
        (Event::Retry, Status::Starting),
        (Event::StartSucceeded, Status::IncrementalMigration),
        (Event::Pause, Status::Paused),
        (Event::Resume, Status::Starting),
        (Event::StartSucceeded, Status::IncrementalMigration),
        (Event::End, Status::EndRequested),
        (Event::ReleaseBegun, Status::Ending),
        (Event::ReleaseDone, Status::Ended),
        (Event::Delete, Status::Deleted),
    ];
    for (n, (event, status)) in steps.into_iter().enumerate() {
        let change = accept(&mut fleet, id, event);
        assert_eq!(change.to, status, "after {event}");
        assert_eq!(change.version, n as u64 + 2, "one version per change");
        assert_eq!(task(&fleet, A, id).version(), change.version);
    }
}

#[test]
fn a_task_holds_an_instance_exactly_while_its_status_needs_one() {
    let mut fleet = Fleet::new();
    let id = fleet.create(A, Mode::Full).expect("create").task;
    let mut events = path(Status::Deleted, Mode::Full, Phase::Full);
    events.splice(
        1..1,
        [
            Event::StartNow,
            Event::StartSucceeded,
            Event::Pause,
            Event::Resume,
            Event::StartSucceeded,
        ],
    );
    for event in events {
        let change = accept(&mut fleet, id, event);
        let needs = !WITHOUT_INSTANCE.contains(&change.to);
        assert_eq!(
            task(&fleet, A, id).holds_instance(),
            needs,
            "in {:?}",
            change.to
        );
    }
}

#[test]
fn a_full_only_task_never_enters_an_incremental_status() {
    let mut fleet = Fleet::new();
    let id = new_task(
        &mut fleet,
        A,
        Mode::Full,
        Status::FullMigration,
        Phase::Full,
    );
    for event in [Event::IncrementalError, Event::Retry] {
        assert!(fleet.apply(A, id, event).is_err());
    }
    accept(&mut fleet, id, Event::FullDone);
    assert_eq!(task(&fleet, A, id).status(), Status::FullMigrationComplete);
    for event in [Event::IncrementalBegun, Event::Pause] {
        assert!(fleet.apply(A, id, event).is_err());
    }
    accept(&mut fleet, id, Event::MigrationFinished);
    assert_eq!(task(&fleet, A, id).status(), Status::EndRequested);
}
