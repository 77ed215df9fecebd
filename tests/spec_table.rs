//! The transition table as a whole: the specification's table (`src/spec/table.rs`) agrees
//! with the brief's table (`lifecycle-brief.md`, decision 6, as part D changes it) written
//! out again by hand.
//!
//! [`brief`] below is the brief's table as a `match`, written without looking at `RULES`;
//! `step` must agree with it on every well-formed task and every event. The claims about
//! single lines of the table, one test each, are in `spec_rules.rs`.

mod common;

use std::collections::BTreeSet;

use common::{
    ABNORMAL, DELETABLE, ENDABLE, FORCE_ENDABLE, FREEZABLE, REMEMBER_PHASE, RESETTABLE, TRANSIENT,
    WITHOUT_INSTANCE, reachable_tasks, set, well_formed_tasks,
};
use drs_lifecycle::spec::table::edges;
use drs_lifecycle::spec::{Event, Mode, Phase, RULES, Source, Status, TaskSpec, step};

use Event::*;
use Status::*;

// ------------------------------------------------------------------------------------------
// The brief's table, by hand.
// ------------------------------------------------------------------------------------------

/// The brief's transition table (decision 6) with the memory rules of decision 5, as
/// version 2 (D.2.1, D.2.2) changes it, written without looking at `RULES`: the expected
/// next state, or `None` for a refusal.
fn brief(task: &TaskSpec, event: Event) -> Option<TaskSpec> {
    let mode = task.mode;
    let first_phase = match mode {
        Mode::Full | Mode::FullIncremental => Phase::Full,
        Mode::Incremental => Phase::Incremental,
    };
    let plain = |status| TaskSpec {
        status,
        mode,
        phase: None,
        frozen_from: None,
    };
    let remembering = |status, phase| TaskSpec {
        status,
        mode,
        phase: Some(phase),
        frozen_from: None,
    };
    let running = |phase| match phase {
        Phase::Full => FullMigration,
        Phase::Incremental => IncrementalMigration,
    };
    let next = match (task.status, event) {
        (Creating, InstanceReady) => plain(Configuration),
        (Creating, InstanceCreationFailed) => plain(CreateFailed),
        (status, Delete) if DELETABLE.contains(&status) => plain(Deleted),
        (Configuration, StartNow) | (WaitingToStart, StartTimeReached | StartNow) => {
            remembering(Starting, first_phase)
        }
        (Configuration, ScheduleStart) => plain(WaitingToStart),
        (Starting, StartSucceeded) => plain(running(task.phase?)),
        (Starting, StartError) => remembering(StartFailed, task.phase?),
        (StartFailed, Retry) => remembering(Starting, task.phase?),
        (FullMigration, FullDone) => plain(FullMigrationComplete),
        (FullMigrationComplete, IncrementalBegun) if mode == Mode::FullIncremental => {
            plain(IncrementalMigration)
        }
        (FullMigrationComplete, MigrationFinished) if mode == Mode::Full => plain(EndRequested),
        (FullMigrationComplete, InstanceFault) if mode == Mode::FullIncremental => {
            remembering(FaultRecovery, Phase::Incremental)
        }
        (FullMigrationComplete, Pause) if mode == Mode::FullIncremental => {
            remembering(Paused, Phase::Incremental)
        }
        (FullMigration, FullError) => plain(FullMigrationFailed),
        (FullMigration, InstanceFault) => remembering(FaultRecovery, Phase::Full),
        (IncrementalMigration, InstanceFault) => remembering(FaultRecovery, Phase::Incremental),
        (FullMigration, Pause) => remembering(Paused, Phase::Full),
        (IncrementalMigration, Pause) => remembering(Paused, Phase::Incremental),
        (FullMigrationFailed, Retry) => remembering(Starting, Phase::Full),
        (IncrementalMigration, IncrementalError) => plain(IncrementalMigrationFailed),
        (IncrementalMigrationFailed, Retry) => remembering(Starting, Phase::Incremental),
        (status, Reset) if RESETTABLE.contains(&status) => remembering(Starting, first_phase),
        (FaultRecovery, RecoveryDone) => plain(running(task.phase?)),
        (FaultRecovery, RecoveryError) => remembering(FaultRecoveryFailed, task.phase?),
        (FaultRecoveryFailed, Retry) => remembering(Starting, task.phase?),
        (Paused, Resume) => remembering(Starting, task.phase?),
        (status, End) if ENDABLE.contains(&status) => plain(EndRequested),
        (status, ForceEnd) if FORCE_ENDABLE.contains(&status) => plain(EndRequested),
        (status, AbnormalTimeout) if ABNORMAL.contains(&status) => plain(EndRequested),
        (EndRequested, ReleaseBegun) => plain(Ending),
        (Ending, ReleaseDone) => plain(Ended),
        (Ending, ReleaseError) => plain(EndFailed),
        (status, AccountInArrears) if FREEZABLE.contains(&status) => TaskSpec {
            status: Frozen,
            mode,
            phase: task.phase,
            frozen_from: Some(task.status),
        },
        (Frozen, AccountRecharged) => TaskSpec {
            status: task.frozen_from?,
            mode,
            phase: task.phase,
            frozen_from: None,
        },
        (Frozen, RetentionExpired) => plain(EndRequested),
        _ => return None,
    };
    Some(next)
}

#[test]
fn step_agrees_with_the_brief_on_every_well_formed_task_and_event() {
    let tasks = well_formed_tasks();
    assert_eq!(tasks.len(), 86, "well-formed tasks");
    let events = Event::ON_TASK
        .into_iter()
        .chain(Mode::ALL.into_iter().map(Create));
    let events: Vec<Event> = events.collect();
    for task in &tasks {
        for &event in &events {
            assert_eq!(
                step(task, event),
                brief(task, event),
                "{task} on {event}: the table and the brief disagree"
            );
        }
    }
}

#[test]
fn every_reachable_task_is_well_formed() {
    let reachable = reachable_tasks();
    assert_eq!(reachable.len(), 86, "reachable tasks over the three modes");
    for task in &reachable {
        assert!(
            task.is_well_formed(),
            "{task} is reachable but not well formed"
        );
    }
}

#[test]
fn every_well_formed_task_is_reachable() {
    // So `is_well_formed` is exactly reachability: a snapshot that passes it describes a
    // task some run could have produced.
    let reachable = reachable_tasks();
    for task in well_formed_tasks() {
        assert!(
            reachable.contains(&task),
            "{task} is well formed but unreachable"
        );
    }
}

#[test]
fn every_status_is_reachable() {
    let reached: BTreeSet<Status> = reachable_tasks().iter().map(|task| task.status).collect();
    assert_eq!(reached.len(), Status::ALL.len());
}

#[test]
fn table_has_thirty_seven_rules_over_seventy_four_status_event_pairs() {
    assert_eq!(edges().count(), 74);
    assert_eq!(RULES.len(), 37);
}

#[test]
fn every_status_but_ended_and_deleted_allows_some_event() {
    for status in Status::ALL {
        let allowed: Vec<Event> = edges()
            .filter(|(from, _, _)| *from == status)
            .map(|(_, event, _)| event)
            .collect();
        match status {
            Ended => assert_eq!(allowed, [Delete]),
            Deleted => assert!(allowed.is_empty()),
            _ => assert!(!allowed.is_empty(), "{status} allows no event: a deadlock"),
        }
    }
}

#[test]
fn every_transient_status_has_a_system_exit_in_every_mode_that_reaches_it() {
    for task in reachable_tasks() {
        if TRANSIENT.contains(&task.status) {
            assert!(
                Event::ON_TASK
                    .into_iter()
                    .filter(|event| event.source() == Source::System)
                    .any(|event| step(&task, event).is_some()),
                "{task} is transient but only a user could move it on"
            );
        }
    }
}

#[test]
fn the_status_classes_are_the_brief_lists() {
    let class = |member: fn(&Status) -> bool| -> BTreeSet<Status> {
        Status::ALL.into_iter().filter(&member).collect()
    };
    assert_eq!(class(|s| s.is_transient()), set(TRANSIENT));
    assert_eq!(class(|s| s.is_freezable()), set(FREEZABLE));
    assert_eq!(class(|s| s.is_abnormal()), set(ABNORMAL));
    assert_eq!(class(|s| s.remembers_phase()), set(REMEMBER_PHASE));
    assert_eq!(class(|s| !s.holds_instance()), set(WITHOUT_INSTANCE));
    assert_eq!(class(|s| !s.is_listed()), BTreeSet::from([Deleted]));
    assert_eq!(class(|s| s.is_terminal()), BTreeSet::from([Ended, Deleted]));
    assert_eq!(
        class(|s| s.is_failure()),
        BTreeSet::from([
            CreateFailed,
            StartFailed,
            FullMigrationFailed,
            IncrementalMigrationFailed,
            FaultRecoveryFailed,
            EndFailed
        ])
    );
}
