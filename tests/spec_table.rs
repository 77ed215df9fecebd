//! Claims about the specification: the transition table, the pure `step` function, the
//! vocabulary's parsers and serde forms, and the fleet's billing and tenancy rules.
//!
//! The table in `src/spec/table.rs` is data; these tests hold it to the brief
//! (`lifecycle-brief.md`, decision 6) in two independent ways. First, [`brief`] below is the
//! brief's table written out again by hand, as a `match`, and `step` must agree with it on
//! every well-formed task and every event. Second, each line of the brief gets a named test
//! that walks a concrete task through it, so a failure names the rule that broke.

use std::collections::{BTreeSet, VecDeque};

use drs_lifecycle::spec::table::edges;
use drs_lifecycle::spec::{
    AccountId, Command, Event, FleetSpec, Mode, Phase, RULES, Refused, Source, Status, TaskId,
    TaskSpec, step,
};

use Event::*;
use Status::*;

// ------------------------------------------------------------------------------------------
// The brief's table, by hand.
// ------------------------------------------------------------------------------------------

/// The brief's transition table (decision 6) with the memory rules of decision 5, written
/// without looking at `RULES`: the expected next state, or `None` for a refusal.
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
    let failed = |phase| match phase {
        Phase::Full => FullMigrationFailed,
        Phase::Incremental => IncrementalMigrationFailed,
    };
    let next = match (task.status, event) {
        (Creating, InstanceReady) => plain(Configuration),
        (Creating, InstanceCreationFailed) => plain(CreateFailed),
        (CreateFailed | Ended, Delete) => plain(Deleted),
        (Configuration, StartNow) | (WaitingToStart, StartTimeReached | StartNow) => {
            remembering(Starting, first_phase)
        }
        (Configuration, ScheduleStart) => plain(WaitingToStart),
        (Starting, StartSucceeded) => plain(running(task.phase?)),
        (Starting, StartError) => remembering(StartFailed, task.phase?),
        (StartFailed, Retry) => remembering(Starting, task.phase?),
        (FullMigration, FullDone) if mode == Mode::FullIncremental => plain(IncrementalMigration),
        (FullMigration, FullDone) => plain(EndRequested),
        (FullMigration, FullError) => plain(FullMigrationFailed),
        (FullMigration, InstanceFault) => remembering(FaultRecovery, Phase::Full),
        (IncrementalMigration, InstanceFault) => remembering(FaultRecovery, Phase::Incremental),
        (FullMigration, Pause) => remembering(Paused, Phase::Full),
        (IncrementalMigration, Pause) => remembering(Paused, Phase::Incremental),
        (FullMigrationFailed, Retry) => remembering(Starting, Phase::Full),
        (IncrementalMigration, IncrementalError) => plain(IncrementalMigrationFailed),
        (IncrementalMigrationFailed, Retry) => remembering(Starting, Phase::Incremental),
        (FullMigrationFailed | IncrementalMigrationFailed | Paused, Reset) => {
            remembering(Starting, first_phase)
        }
        (FaultRecovery, RecoveryDone) => plain(running(task.phase?)),
        (FaultRecovery, RecoveryError) => plain(failed(task.phase?)),
        (Paused, Resume) => remembering(Starting, task.phase?),
        (
            Configuration
            | WaitingToStart
            | StartFailed
            | FullMigration
            | FullMigrationFailed
            | IncrementalMigration
            | IncrementalMigrationFailed
            | Paused
            | EndFailed,
            End,
        ) => plain(EndRequested),
        (StartFailed | FullMigrationFailed | IncrementalMigrationFailed, AbnormalTimeout) => {
            plain(EndRequested)
        }
        (EndRequested, ReleaseBegun) => plain(Ending),
        (Ending, ReleaseDone) => plain(Ended),
        (Ending, ReleaseError) => plain(EndFailed),
        (
            Configuration
            | WaitingToStart
            | StartFailed
            | FullMigration
            | FullMigrationFailed
            | IncrementalMigration
            | IncrementalMigrationFailed
            | Paused
            | EndFailed,
            AccountInArrears,
        ) => TaskSpec {
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

/// Every task the specification's encoding can hold that is well formed: a superset of the
/// reachable ones, so agreement here covers every state a model can meet.
fn well_formed_tasks() -> Vec<TaskSpec> {
    let phases = [None, Some(Phase::Full), Some(Phase::Incremental)];
    let frozen_froms = std::iter::once(None).chain(Status::ALL.into_iter().map(Some));
    let frozen_froms: Vec<Option<Status>> = frozen_froms.collect();
    let mut tasks = Vec::new();
    for status in Status::ALL {
        for mode in Mode::ALL {
            for phase in phases {
                for &frozen_from in &frozen_froms {
                    let task = TaskSpec {
                        status,
                        mode,
                        phase,
                        frozen_from,
                    };
                    if task.is_well_formed() {
                        tasks.push(task);
                    }
                }
            }
        }
    }
    tasks
}

/// Every task some run reaches, from creation in each mode.
fn reachable_tasks() -> BTreeSet<TaskSpec> {
    let mut seen = BTreeSet::new();
    let mut queue: VecDeque<TaskSpec> = Mode::ALL.into_iter().map(TaskSpec::created).collect();
    while let Some(task) = queue.pop_front() {
        if seen.insert(task) {
            queue.extend(Event::ON_TASK.into_iter().filter_map(|e| step(&task, e)));
        }
    }
    seen
}

#[test]
fn step_agrees_with_the_brief_on_every_well_formed_task_and_event() {
    let tasks = well_formed_tasks();
    assert_eq!(tasks.len(), 76, "well-formed tasks");
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
    assert_eq!(reachable.len(), 76, "reachable tasks over the three modes");
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
fn table_allows_fifty_two_status_event_pairs() {
    assert_eq!(edges().count(), 52);
    assert_eq!(RULES.len(), 31);
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
fn every_transient_status_has_a_system_exit() {
    for status in Status::ALL.into_iter().filter(|s| s.is_transient()) {
        assert!(
            edges().any(|(from, event, _)| from == status && event.source() == Source::System),
            "{status} is transient but only a user could move it on"
        );
    }
}

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
fn full_done_ends_a_full_only_task() {
    let task = run(
        Mode::Full,
        &[InstanceReady, StartNow, StartSucceeded, FullDone],
    );
    assert_eq!(task, at(EndRequested, Mode::Full, None));
}

#[test]
fn full_done_moves_full_incr_task_to_incremental() {
    let task = run(
        Mode::FullIncremental,
        &[InstanceReady, StartNow, StartSucceeded, FullDone],
    );
    assert_eq!(task, at(IncrementalMigration, Mode::FullIncremental, None));
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
        &[
            InstanceReady,
            StartNow,
            StartSucceeded,
            FullDone,
            IncrementalError,
        ],
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
    let in_incremental = run(
        mode,
        &[InstanceReady, StartNow, StartSucceeded, FullDone, Pause],
    );
    assert_eq!(in_incremental, at(Paused, mode, Some(Phase::Incremental)));
}

#[test]
fn paused_resume_heads_for_remembered_phase() {
    let mode = Mode::FullIncremental;
    let paused = run(
        mode,
        &[InstanceReady, StartNow, StartSucceeded, FullDone, Pause],
    );
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
    let in_incremental = [InstanceReady, StartNow, StartSucceeded, FullDone];
    for last in [Pause, IncrementalError] {
        let task = run(mode, &[&in_incremental[..], &[last]].concat());
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
    assert_eq!(
        allowed,
        BTreeSet::from([FullMigrationFailed, IncrementalMigrationFailed, Paused])
    );
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
    let recovering = run(
        mode,
        &[
            InstanceReady,
            StartNow,
            StartSucceeded,
            FullDone,
            InstanceFault,
        ],
    );
    assert_eq!(
        step(&recovering, RecoveryDone),
        Some(at(IncrementalMigration, mode, None))
    );
}

#[test]
fn recovery_error_lands_on_remembered_phase_failed_status() {
    let mode = Mode::FullIncremental;
    let in_full = run(
        mode,
        &[InstanceReady, StartNow, StartSucceeded, InstanceFault],
    );
    assert_eq!(
        step(&in_full, RecoveryError),
        Some(at(FullMigrationFailed, mode, None))
    );
    let in_incremental = at(FaultRecovery, mode, Some(Phase::Incremental));
    assert_eq!(
        step(&in_incremental, RecoveryError),
        Some(at(IncrementalMigrationFailed, mode, None))
    );
}

#[test]
fn end_is_allowed_exactly_from_the_brief_endable_statuses() {
    let endable: BTreeSet<Status> = edges()
        .filter(|(_, event, _)| *event == End)
        .map(|(status, _, _)| status)
        .collect();
    let expected = BTreeSet::from([
        Configuration,
        WaitingToStart,
        StartFailed,
        FullMigration,
        FullMigrationFailed,
        IncrementalMigration,
        IncrementalMigrationFailed,
        Paused,
        EndFailed,
    ]);
    assert_eq!(endable, expected);
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
    assert_eq!(
        timed_out,
        BTreeSet::from([StartFailed, FullMigrationFailed, IncrementalMigrationFailed])
    );
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
    assert_eq!(deletable, BTreeSet::from([CreateFailed, Ended]));
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
        assert_eq!(froze, task.status.is_freezable(), "{task}");
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

// ------------------------------------------------------------------------------------------
// Parsing and serde forms.
// ------------------------------------------------------------------------------------------

#[test]
fn status_parses_from_api_code_rust_name_and_console_name() {
    for status in Status::ALL {
        assert_eq!(status.name().parse(), Ok(status));
        assert_eq!(status.name().to_lowercase().parse(), Ok(status));
        assert_eq!(status.zh().parse(), Ok(status));
        assert_eq!(format!("  {}\n", status.zh()).parse(), Ok(status));
        if let Some(code) = status.api_code() {
            assert_eq!(code.parse(), Ok(status));
            assert_eq!(code.to_lowercase().parse(), Ok(status));
        }
    }
    assert_eq!("PAUSING".parse(), Ok(Paused));
    assert_eq!("暂停中".parse(), Ok(Paused));
    assert_eq!("STARTJOBING".parse(), Ok(Starting));
    assert_eq!("结束任务".parse(), Ok(EndRequested));
    assert_eq!("结束任务中".parse(), Ok(Ending));
}

#[test]
fn status_rejects_junk_with_a_helpful_message() {
    for junk in ["", "PAUSED_NOW", "Pause", "暂停", "FULL_TRANSFER_COMPLETE"] {
        let error = junk.parse::<Status>().expect_err(junk);
        let message = error.to_string();
        assert!(message.contains(&format!("{junk:?}")), "{message}");
        assert!(message.contains("API code"), "{message}");
        assert!(message.contains("drs-lifecycle spec"), "{message}");
    }
}

#[test]
fn mode_parses_its_three_api_codes() {
    assert_eq!("FULL_TRANS".parse(), Ok(Mode::Full));
    assert_eq!("FULL_INCR_TRANS".parse(), Ok(Mode::FullIncremental));
    assert_eq!("INCR_TRANS".parse(), Ok(Mode::Incremental));
    assert_eq!("incr_trans".parse(), Ok(Mode::Incremental));
    for mode in Mode::ALL {
        assert_eq!(mode.to_string().parse(), Ok(mode));
    }
    assert_eq!("FullIncremental".parse(), Ok(Mode::FullIncremental));
    let error = "FULLY".parse::<Mode>().expect_err("FULLY is no mode");
    assert!(error.to_string().contains("FULL_INCR_TRANS"), "{error}");
}

#[test]
fn event_parses_its_name_its_words_and_its_display() {
    for event in Event::ON_TASK {
        assert_eq!(event.name().parse(), Ok(event));
        assert_eq!(event.describe().parse(), Ok(event));
        assert_eq!(event.describe().replace(' ', "-").parse(), Ok(event));
        assert_eq!(event.describe().replace(' ', "_").parse(), Ok(event));
        assert_eq!(event.to_string().parse(), Ok(event));
    }
}

#[test]
fn event_parses_create_with_a_mode() {
    for mode in Mode::ALL {
        let create = Create(mode);
        assert_eq!(create.to_string().parse(), Ok(create));
        assert_eq!(format!("create({})", mode.api_code()).parse(), Ok(create));
        assert_eq!(format!("Create:{}", mode.api_code()).parse(), Ok(create));
    }
    for junk in ["create", "create()", "create(FULLY)", "frobnicate", ""] {
        let error = junk.parse::<Event>().expect_err(junk);
        assert!(error.to_string().contains("create(MODE)"), "{error}");
    }
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("serialisable")
}

#[test]
fn serde_forms_are_stable() {
    assert_eq!(json(&FullMigration), r#""FullMigration""#);
    assert_eq!(json(&Mode::Full), r#""FULL_TRANS""#);
    assert_eq!(json(&Mode::FullIncremental), r#""FULL_INCR_TRANS""#);
    assert_eq!(json(&Mode::Incremental), r#""INCR_TRANS""#);
    assert_eq!(json(&Pause), r#""Pause""#);
    assert_eq!(json(&Create(Mode::Full)), r#"{"Create":"FULL_TRANS"}"#);
    assert_eq!(json(&Phase::Incremental), r#""Incremental""#);
    assert_eq!(
        json(&Command::Task {
            account: AccountId(0),
            task: TaskId(1),
            event: Pause,
        }),
        r#"{"command":"task","account":0,"task":1,"event":"Pause"}"#
    );
    assert_eq!(
        json(&Command::Create {
            account: AccountId(1),
            mode: Mode::Incremental,
        }),
        r#"{"command":"create","account":1,"mode":"INCR_TRANS"}"#
    );
    assert_eq!(
        json(&Command::Arrears {
            account: AccountId(2)
        }),
        r#"{"command":"arrears","account":2}"#
    );
    assert_eq!(
        json(&Command::Recharge {
            account: AccountId(2)
        }),
        r#"{"command":"recharge","account":2}"#
    );
    assert_eq!(
        json(&TaskSpec {
            status: Frozen,
            mode: Mode::FullIncremental,
            phase: Some(Phase::Full),
            frozen_from: Some(Paused),
        }),
        r#"{"status":"Frozen","mode":"FULL_INCR_TRANS","phase":"Full","frozen_from":"Paused"}"#
    );
}

#[test]
fn serde_forms_round_trip() {
    for status in Status::ALL {
        assert_eq!(
            serde_json::from_str::<Status>(&json(&status)).ok(),
            Some(status)
        );
    }
    for event in Event::ON_TASK.into_iter().chain(Mode::ALL.map(Create)) {
        assert_eq!(
            serde_json::from_str::<Event>(&json(&event)).ok(),
            Some(event)
        );
    }
    let command = Command::Task {
        account: AccountId(3),
        task: TaskId(7),
        event: Create(Mode::Full),
    };
    assert_eq!(
        serde_json::from_str::<Command>(&json(&command)).ok(),
        Some(command)
    );
}

// ------------------------------------------------------------------------------------------
// The fleet: ids, tenancy, billing.
// ------------------------------------------------------------------------------------------

const A: AccountId = AccountId(0);
const B: AccountId = AccountId(1);

type Fleet = FleetSpec<6>;

fn apply(fleet: &Fleet, command: Command) -> Fleet {
    fleet
        .apply(&command)
        .unwrap_or_else(|refused| panic!("{command} refused: {refused}"))
}

fn create(fleet: &Fleet, account: AccountId, mode: Mode) -> Fleet {
    apply(fleet, Command::Create { account, mode })
}

fn send(fleet: &Fleet, account: AccountId, id: u64, events: &[Event]) -> Fleet {
    events.iter().fold(*fleet, |fleet, &event| {
        apply(
            &fleet,
            Command::Task {
                account,
                task: TaskId(id),
                event,
            },
        )
    })
}

fn status(fleet: &Fleet, account: AccountId, id: u64) -> Option<Status> {
    fleet.get(account, TaskId(id)).map(|task| task.status)
}

#[test]
fn ids_are_handed_out_in_order_and_never_reused() {
    let mut fleet = Fleet::new();
    fleet = create(&fleet, A, Mode::Full);
    fleet = create(&fleet, B, Mode::Full);
    fleet = send(&fleet, A, 1, &[InstanceCreationFailed, Delete]);
    assert_eq!(fleet.next_id(), TaskId(3));
    fleet = create(&fleet, A, Mode::Full);
    assert_eq!(status(&fleet, A, 1), Some(Deleted));
    assert_eq!(status(&fleet, A, 3), Some(Creating));
    assert_eq!(fleet.len(), 3);
}

#[test]
fn deleted_task_is_never_listed_but_answers_by_id() {
    let mut fleet = create(&Fleet::new(), A, Mode::Full);
    fleet = create(&fleet, A, Mode::Full);
    fleet = send(&fleet, A, 1, &[InstanceCreationFailed, Delete]);
    assert_eq!(fleet.listed(A).collect::<Vec<_>>(), [TaskId(2)]);
    assert_eq!(status(&fleet, A, 1), Some(Deleted));
    for event in Event::ON_TASK
        .into_iter()
        .filter(|e| e.source() != Source::Billing)
    {
        let command = Command::Task {
            account: A,
            task: TaskId(1),
            event,
        };
        assert_eq!(fleet.apply(&command), Err(Refused::NotAllowed), "{command}");
    }
}

#[test]
fn another_account_task_is_not_found() {
    let fleet = send(
        &create(&Fleet::new(), A, Mode::Full),
        A,
        1,
        &[InstanceReady],
    );
    for (account, id) in [(B, 1), (A, 2), (A, 0), (A, u64::MAX)] {
        let command = Command::Task {
            account,
            task: TaskId(id),
            event: StartNow,
        };
        assert_eq!(fleet.apply(&command), Err(Refused::NotFound), "{command}");
    }
    assert_eq!(fleet.get(B, TaskId(1)), None);
    assert_eq!(fleet.listed(B).count(), 0);
}

#[test]
fn billing_events_are_for_accounts_not_tasks() {
    let fleet = send(
        &create(&Fleet::new(), A, Mode::Full),
        A,
        1,
        &[InstanceReady],
    );
    for event in [AccountInArrears, AccountRecharged] {
        let command = Command::Task {
            account: A,
            task: TaskId(1),
            event,
        };
        assert_eq!(fleet.apply(&command), Err(Refused::NotAllowed));
    }
}

#[test]
fn create_is_refused_while_the_account_is_in_arrears() {
    let fleet = apply(&Fleet::new(), Command::Arrears { account: A });
    let command = Command::Create {
        account: A,
        mode: Mode::Full,
    };
    assert_eq!(fleet.apply(&command), Err(Refused::AccountInArrears));
    assert!(
        fleet
            .apply(&Command::Create {
                account: B,
                mode: Mode::Full
            })
            .is_ok()
    );
    let recharged = apply(&fleet, Command::Recharge { account: A });
    assert!(recharged.apply(&command).is_ok());
}

#[test]
fn arrears_and_recharge_are_refused_twice_in_a_row() {
    let fleet = apply(&Fleet::new(), Command::Arrears { account: A });
    assert_eq!(
        fleet.apply(&Command::Arrears { account: A }),
        Err(Refused::AlreadyInArrears)
    );
    assert_eq!(
        fleet.apply(&Command::Recharge { account: B }),
        Err(Refused::NotInArrears)
    );
}

#[test]
fn arrears_freezes_only_that_account_freezable_tasks() {
    let mut fleet = Fleet::new();
    fleet = create(&fleet, A, Mode::Full); // 1: A, Configuration
    fleet = send(&fleet, A, 1, &[InstanceReady]);
    fleet = create(&fleet, A, Mode::Full); // 2: A, Creating (transient)
    fleet = create(&fleet, A, Mode::Full); // 3: A, CreateFailed (holds no instance)
    fleet = send(&fleet, A, 3, &[InstanceCreationFailed]);
    fleet = create(&fleet, B, Mode::Full); // 4: B, Configuration
    fleet = send(&fleet, B, 4, &[InstanceReady]);
    fleet = create(&fleet, A, Mode::Full); // 5: A, Ending (transient)
    fleet = send(&fleet, A, 5, &[InstanceReady, End, ReleaseBegun]);

    fleet = apply(&fleet, Command::Arrears { account: A });
    assert!(fleet.in_arrears(A) && !fleet.in_arrears(B));
    assert_eq!(status(&fleet, A, 1), Some(Frozen));
    assert_eq!(
        fleet.get(A, TaskId(1)).and_then(|t| t.frozen_from),
        Some(Configuration)
    );
    assert_eq!(status(&fleet, A, 2), Some(Creating));
    assert_eq!(status(&fleet, A, 3), Some(CreateFailed));
    assert_eq!(status(&fleet, B, 4), Some(Configuration));
    assert_eq!(
        status(&fleet, A, 5),
        Some(Ending),
        "releasing is never blocked"
    );

    // The release finishes in arrears; Ended is not freezable.
    fleet = send(&fleet, A, 5, &[ReleaseDone]);
    assert_eq!(status(&fleet, A, 5), Some(Ended));
}

#[test]
fn landing_on_a_freezable_status_in_arrears_freezes_at_once() {
    let mut fleet = create(&Fleet::new(), A, Mode::FullIncremental);
    fleet = apply(&fleet, Command::Arrears { account: A });
    fleet = send(&fleet, A, 1, &[InstanceReady]);
    let task = fleet.get(A, TaskId(1)).copied();
    assert_eq!(
        task.map(|t| (t.status, t.frozen_from)),
        Some((Frozen, Some(Configuration)))
    );

    // A release that fails in arrears lands on EndFailed, which freezes too.
    let mut ending = create(&Fleet::new(), A, Mode::Full);
    ending = send(&ending, A, 1, &[InstanceReady, End, ReleaseBegun]);
    ending = apply(&ending, Command::Arrears { account: A });
    ending = send(&ending, A, 1, &[ReleaseError]);
    assert_eq!(status(&ending, A, 1), Some(Frozen));
}

#[test]
fn frozen_task_refuses_user_operations_in_the_fleet() {
    let mut fleet = create(&Fleet::new(), A, Mode::Full);
    fleet = send(&fleet, A, 1, &[InstanceReady]);
    fleet = apply(&fleet, Command::Arrears { account: A });
    for event in Event::ON_TASK.into_iter().filter(|e| e.is_user_operation()) {
        let command = Command::Task {
            account: A,
            task: TaskId(1),
            event,
        };
        assert_eq!(fleet.apply(&command), Err(Refused::NotAllowed), "{command}");
    }
}

#[test]
fn recharge_restores_each_frozen_task_exactly() {
    let mut fleet = Fleet::new();
    fleet = create(&fleet, A, Mode::FullIncremental);
    fleet = send(
        &fleet,
        A,
        1,
        &[InstanceReady, StartNow, StartSucceeded, FullDone, Pause],
    );
    fleet = create(&fleet, A, Mode::Incremental);
    fleet = send(&fleet, A, 2, &[InstanceReady, StartNow, StartError]);
    let before = fleet;
    fleet = apply(&fleet, Command::Arrears { account: A });
    assert_eq!(status(&fleet, A, 1), Some(Frozen));
    assert_eq!(status(&fleet, A, 2), Some(Frozen));
    fleet = apply(&fleet, Command::Recharge { account: A });
    assert_eq!(fleet, before);
    assert_eq!(
        fleet.get(A, TaskId(1)).and_then(|t| t.phase),
        Some(Phase::Incremental)
    );
}

#[test]
fn retention_expiry_ends_a_frozen_task_in_the_fleet() {
    let mut fleet = create(&Fleet::new(), A, Mode::Full);
    fleet = send(&fleet, A, 1, &[InstanceReady]);
    fleet = apply(&fleet, Command::Arrears { account: A });
    fleet = send(
        &fleet,
        A,
        1,
        &[RetentionExpired, ReleaseBegun, ReleaseDone, Delete],
    );
    assert_eq!(status(&fleet, A, 1), Some(Deleted));
    assert_eq!(fleet.listed(A).count(), 0);
}

#[test]
fn capacity_is_a_refusal_not_a_panic() {
    let mut fleet = FleetSpec::<1>::new();
    fleet = fleet
        .apply(&Command::Create {
            account: A,
            mode: Mode::Full,
        })
        .expect("room for one");
    let again = Command::Create {
        account: A,
        mode: Mode::Full,
    };
    assert_eq!(fleet.apply(&again), Err(Refused::Capacity));
    let far = Command::Create {
        account: AccountId(u32::MAX),
        mode: Mode::Full,
    };
    assert_eq!(FleetSpec::<1>::new().apply(&far), Err(Refused::Capacity));
    assert_eq!(
        FleetSpec::<1>::new().apply(&Command::Arrears {
            account: AccountId(u32::MAX)
        }),
        Err(Refused::Capacity)
    );
}
