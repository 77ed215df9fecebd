//! What a poll shows (brief, D.2.3): the observation of every state, stated line by line,
//! and the ambiguity it leaves, computed and pinned.
//!
//! A validator of recorded histories must carry, for each poll, every specification state
//! that shows what the poll showed. How many there are is a property of the specification,
//! not of any history: the counts below are those states, over every task state reachable
//! from creation in each mode. A change to the table or to the projection that alters what
//! a client can tell apart changes a count here, on purpose.

mod common;

use std::collections::BTreeMap;

use common::reachable_tasks;
use drs_lifecycle::spec::{
    Answer, ApiCode, Mode, NOT_FOUND_ERRORS, Observation, Phase, Status, TaskSpec, list_entry,
    observe,
};

fn task(status: Status, phase: Option<Phase>, frozen_from: Option<Status>) -> TaskSpec {
    TaskSpec {
        status,
        mode: Mode::FullIncremental,
        phase,
        frozen_from,
    }
}

fn shows(code: ApiCode) -> Observation {
    Observation::Shows(code)
}

#[test]
fn a_poll_shows_the_api_code_of_the_status() {
    // D.2.3: "the API code of its status", line by line for every status that has one.
    let lines = [
        (Status::Creating, ApiCode::Creating),
        (Status::CreateFailed, ApiCode::CreateFailed),
        (Status::Configuration, ApiCode::Configuration),
        (Status::WaitingToStart, ApiCode::WaitingForStart),
        (Status::Starting, ApiCode::StartJobing),
        (Status::StartFailed, ApiCode::StartJobFailed),
        (Status::FullMigration, ApiCode::FullTransferStarted),
        (Status::FullMigrationFailed, ApiCode::FullTransferFailed),
        (Status::IncrementalMigration, ApiCode::IncreTransferStarted),
        (
            Status::IncrementalMigrationFailed,
            ApiCode::IncreTransferFailed,
        ),
        (Status::FaultRecovery, ApiCode::RebuildNodeStarted),
        (Status::Paused, ApiCode::Pausing),
        (Status::Ending, ApiCode::ReleaseResourceStarted),
        (Status::EndFailed, ApiCode::ReleaseResourceFailed),
        (Status::Ended, ApiCode::ReleaseResourceComplete),
        (Status::FullMigrationComplete, ApiCode::FullTransferComplete),
        (Status::FaultRecoveryFailed, ApiCode::RebuildNodeFailed),
    ];
    for (status, code) in lines {
        let phase = status.remembers_phase().then_some(Phase::Full);
        let state = task(status, phase, None);
        assert_eq!(observe(&state), shows(code), "{status}");
        assert_eq!(list_entry(&state), Some(code), "{status}");
    }
}

#[test]
fn frozen_shows_the_code_of_the_status_it_froze() {
    for (from, phase, code) in [
        (Status::Paused, Some(Phase::Incremental), ApiCode::Pausing),
        (Status::Configuration, None, ApiCode::Configuration),
        (
            Status::FaultRecoveryFailed,
            Some(Phase::Full),
            ApiCode::RebuildNodeFailed,
        ),
        (Status::EndFailed, None, ApiCode::ReleaseResourceFailed),
    ] {
        let frozen = task(Status::Frozen, phase, Some(from));
        assert_eq!(observe(&frozen), shows(code), "frozen from {from}");
        assert_eq!(list_entry(&frozen), Some(code));
    }
}

#[test]
fn end_requested_shows_release_resource_started_like_ending() {
    let requested = task(Status::EndRequested, None, None);
    assert_eq!(observe(&requested), shows(ApiCode::ReleaseResourceStarted));
    assert_eq!(
        observe(&requested),
        observe(&task(Status::Ending, None, None))
    );
    assert_eq!(
        list_entry(&requested),
        Some(ApiCode::ReleaseResourceStarted)
    );
}

#[test]
fn deleted_shows_deleted_or_does_not_exist_and_is_absent_from_lists() {
    let deleted = task(Status::Deleted, None, None);
    assert_eq!(observe(&deleted), Observation::Deleted);
    assert_eq!(list_entry(&deleted), None);
    assert!(Observation::Deleted.admits(Answer::Code(ApiCode::Deleted)));
    assert!(Observation::Deleted.admits(Answer::NotFound));
    assert!(!Observation::Deleted.admits(Answer::Code(ApiCode::ReleaseResourceComplete)));
    for error in NOT_FOUND_ERRORS {
        assert_eq!(error.parse(), Ok(Answer::NotFound), "{error}");
    }
}

#[test]
fn a_live_task_never_admits_does_not_exist_nor_an_excursion() {
    for state in reachable_tasks() {
        if state.status == Status::Deleted {
            continue;
        }
        let seen = observe(&state);
        assert!(!seen.admits(Answer::NotFound), "{state}");
        for code in ApiCode::ALL {
            let answer = Answer::Code(code);
            if answer.is_excursion() {
                assert!(!seen.admits(answer), "{state} admits {code}");
            }
        }
    }
}

#[test]
fn answers_parse_from_codes_and_errors_and_unknown_ones_name_the_nearest() {
    assert_eq!("PAUSING".parse(), Ok(Answer::Code(ApiCode::Pausing)));
    assert_eq!(" drs.10000010 ".parse(), Ok(Answer::NotFound));
    let excursion: Answer = "NODE_UPGRADE_START".parse().expect("known code");
    assert!(excursion.is_excursion());
    let error = "FULL_TRANSFER_COMPLETED"
        .parse::<Answer>()
        .expect_err("unknown");
    assert_eq!(
        error.to_string(),
        "unknown API status code \"FULL_TRANSFER_COMPLETED\": did you mean \
         FULL_TRANSFER_COMPLETE? `drs-lifecycle spec --format json` lists all 29 codes"
    );
}

/// Every reachable single-task state, grouped by what a poll shows of it.
fn states_by_observation() -> BTreeMap<Observation, Vec<TaskSpec>> {
    let mut groups: BTreeMap<Observation, Vec<TaskSpec>> = BTreeMap::new();
    for state in reachable_tasks() {
        groups.entry(observe(&state)).or_default().push(state);
    }
    groups
}

#[test]
fn the_ambiguity_of_each_observation_is_pinned() {
    let counts: Vec<(String, usize)> = states_by_observation()
        .into_iter()
        .map(|(seen, states)| (seen.to_string(), states.len()))
        .collect();
    let expected: Vec<(String, usize)> = [
        ("CREATING", 3),
        ("CREATE_FAILED", 3),
        ("CONFIGURATION", 6),
        ("STARTJOBING", 4),
        ("WAITING_FOR_START", 6),
        ("START_JOB_FAILED", 8),
        ("PAUSING", 8),
        ("FULL_TRANSFER_STARTED", 4),
        ("FULL_TRANSFER_FAILED", 4),
        ("FULL_TRANSFER_COMPLETE", 2),
        ("INCRE_TRANSFER_STARTED", 4),
        ("INCRE_TRANSFER_FAILED", 4),
        ("RELEASE_RESOURCE_STARTED", 6),
        ("RELEASE_RESOURCE_FAILED", 6),
        ("RELEASE_RESOURCE_COMPLETE", 3),
        ("REBUILD_NODE_STARTED", 4),
        ("REBUILD_NODE_FAILED", 8),
        ("DELETED or does-not-exist", 3),
    ]
    .into_iter()
    .map(|(seen, n)| (seen.to_string(), n))
    .collect();
    assert_eq!(counts, expected);
    assert_eq!(counts.iter().map(|(_, n)| n).sum::<usize>(), 86);
}

#[test]
fn within_one_mode_what_a_poll_cannot_tell_apart_is_the_freeze_the_phase_and_the_end_request() {
    // Per mode, a poll confuses a state only with: the same status frozen, the same status
    // remembering another phase, and EndRequested with Ending.
    for (seen, states) in states_by_observation() {
        for mode in Mode::ALL {
            let mut statuses: Vec<Status> = states
                .iter()
                .filter(|state| state.mode == mode)
                .map(|state| match state.status {
                    Status::Frozen => state.frozen_from.expect("frozen remembers"),
                    Status::EndRequested => Status::Ending,
                    other => other,
                })
                .collect();
            statuses.dedup();
            assert!(statuses.len() <= 1, "{seen} in {mode}: {statuses:?}");
        }
    }
    // The ambiguity a validator carries for one task of known mode, at most:
    let widest = states_by_observation()
        .values()
        .flat_map(|states| {
            Mode::ALL.map(|mode| states.iter().filter(|state| state.mode == mode).count())
        })
        .max();
    assert_eq!(widest, Some(4));
}
