//! Helpers shared by the specification's and the engine's integration tests.
//!
//! Two kinds of thing live here. First, the brief's lists of statuses (which statuses *end*
//! accepts, which freeze, which are transient, …), written out by hand once: the tests
//! restate them on purpose instead of asking the code under test (`Status::is_freezable`,
//! the table), and both encodings (the specification and the engine) are held to the same
//! lists. Second, ways to get a task somewhere: every task state the specification can reach,
//! and, for the engine, driving a task to any status through the public API only, the way a
//! control plane would get it there.

// Each test file uses a different subset of the helpers.
#![allow(dead_code)]

use std::collections::{BTreeSet, VecDeque};

use drs_lifecycle::engine::{Fleet, Task};
use drs_lifecycle::spec::{AccountId, Event, Mode, Phase, Status, TaskId, TaskSpec, step};

// ------------------------------------------------------------------------------------------
// The brief's lists of statuses, by hand.
// ------------------------------------------------------------------------------------------

/// The statuses *end* accepts (brief, decision 6, and D.2.1 for FaultRecoveryFailed): the
/// stable statuses that hold an instance.
pub const ENDABLE: &[Status] = &[
    Status::Configuration,
    Status::WaitingToStart,
    Status::StartFailed,
    Status::FullMigration,
    Status::FullMigrationFailed,
    Status::IncrementalMigration,
    Status::IncrementalMigrationFailed,
    Status::FaultRecoveryFailed,
    Status::Paused,
    Status::EndFailed,
];

/// The statuses *force end* accepts (D.2.2): every status that holds an instance and is
/// not already ending: what *end* accepts, plus Starting, FullMigrationComplete and
/// FaultRecovery.
pub const FORCE_ENDABLE: &[Status] = &[
    Status::Configuration,
    Status::WaitingToStart,
    Status::Starting,
    Status::StartFailed,
    Status::FullMigration,
    Status::FullMigrationComplete,
    Status::FullMigrationFailed,
    Status::IncrementalMigration,
    Status::IncrementalMigrationFailed,
    Status::FaultRecovery,
    Status::FaultRecoveryFailed,
    Status::Paused,
    Status::EndFailed,
];

/// The statuses that refuse *force end* (D.2.2): no instance yet (Creating), already
/// deletable (CreateFailed, Ended), already ending (EndRequested, Ending), nothing can be
/// operated (Frozen), and Deleted.
pub const NOT_FORCE_ENDABLE: &[Status] = &[
    Status::Creating,
    Status::CreateFailed,
    Status::Frozen,
    Status::EndRequested,
    Status::Ending,
    Status::Ended,
    Status::Deleted,
];

/// The statuses an account in arrears freezes (decision 6): the same stable,
/// instance-holding statuses as *end*, listed again because the brief lists them again.
pub const FREEZABLE: &[Status] = &[
    Status::Configuration,
    Status::WaitingToStart,
    Status::StartFailed,
    Status::FullMigration,
    Status::FullMigrationFailed,
    Status::IncrementalMigration,
    Status::IncrementalMigrationFailed,
    Status::FaultRecoveryFailed,
    Status::Paused,
    Status::EndFailed,
];

/// Every status arrears leaves alone, `Frozen` aside: the transient ones (not frozen in
/// flight) and those that hold no instance.
pub const NEVER_FROZEN: &[Status] = &[
    Status::Creating,
    Status::CreateFailed,
    Status::Starting,
    Status::FullMigrationComplete,
    Status::FaultRecovery,
    Status::EndRequested,
    Status::Ending,
    Status::Ended,
    Status::Deleted,
];

/// The statuses the system leaves by itself.
pub const TRANSIENT: &[Status] = &[
    Status::Creating,
    Status::Starting,
    Status::FullMigrationComplete,
    Status::FaultRecovery,
    Status::EndRequested,
    Status::Ending,
];

/// The failed migrations the abnormal timeout (`expired_days`) ends.
pub const ABNORMAL: &[Status] = &[
    Status::StartFailed,
    Status::FullMigrationFailed,
    Status::IncrementalMigrationFailed,
    Status::FaultRecoveryFailed,
];

/// The statuses *reset* accepts.
pub const RESETTABLE: &[Status] = &[
    Status::FullMigrationFailed,
    Status::IncrementalMigrationFailed,
    Status::FaultRecoveryFailed,
    Status::Paused,
];

/// The statuses that remember a phase (the one a task heads for or returns to).
pub const REMEMBER_PHASE: &[Status] = &[
    Status::Starting,
    Status::StartFailed,
    Status::FaultRecovery,
    Status::FaultRecoveryFailed,
    Status::Paused,
];

/// The statuses *delete* accepts: the two that hold nothing any more.
pub const DELETABLE: &[Status] = &[Status::CreateFailed, Status::Ended];

/// The statuses in which a task holds no migration instance.
pub const WITHOUT_INSTANCE: &[Status] = &[
    Status::Creating,
    Status::CreateFailed,
    Status::Ended,
    Status::Deleted,
];

/// A list of statuses as a set, for comparing with what a table allows.
pub fn set(statuses: &[Status]) -> BTreeSet<Status> {
    statuses.iter().copied().collect()
}

// ------------------------------------------------------------------------------------------
// The specification's tasks.
// ------------------------------------------------------------------------------------------

/// Every task the specification's encoding can hold that is well formed: a superset of the
/// reachable ones, so agreement here covers every state a model can meet.
pub fn well_formed_tasks() -> Vec<TaskSpec> {
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
pub fn reachable_tasks() -> BTreeSet<TaskSpec> {
    let mut seen = BTreeSet::new();
    let mut queue: VecDeque<TaskSpec> = Mode::ALL.into_iter().map(TaskSpec::created).collect();
    while let Some(task) = queue.pop_front() {
        if seen.insert(task) {
            queue.extend(Event::ON_TASK.into_iter().filter_map(|e| step(&task, e)));
        }
    }
    seen
}

// ------------------------------------------------------------------------------------------
// The engine's tasks, driven through the public API.
// ------------------------------------------------------------------------------------------

pub const A: AccountId = AccountId(0);
pub const B: AccountId = AccountId(1);

/// The events that take a task of `mode` from its running start to running `phase`.
fn run(mode: Mode, phase: Phase) -> Vec<Event> {
    let mut events = vec![Event::InstanceReady, Event::StartNow, Event::StartSucceeded];
    match (mode, phase) {
        (Mode::FullIncremental, Phase::Incremental) => {
            events.extend([Event::FullDone, Event::IncrementalBegun]);
        }
        (Mode::Full | Mode::FullIncremental, Phase::Full)
        | (Mode::Incremental, Phase::Incremental) => {}
        _ => panic!("a {mode:?} task never runs the {phase:?} phase"),
    }
    events
}

/// The events that take a new task of `mode` to `status`; where the status remembers a
/// phase (or belongs to one), the task gets there through `phase`. `Frozen` needs billing
/// and is not reachable by task events alone, see [`task_in`].
pub fn path(status: Status, mode: Mode, phase: Phase) -> Vec<Event> {
    use Event::*;
    let then = |mut events: Vec<Event>, more: &[Event]| {
        events.extend_from_slice(more);
        events
    };
    let starting = || {
        if phase == first_phase(mode) {
            vec![InstanceReady, StartNow]
        } else {
            then(run(mode, phase), &[Pause, Resume])
        }
    };
    let configured = vec![InstanceReady];
    match status {
        Status::Creating => vec![],
        Status::CreateFailed => vec![InstanceCreationFailed],
        Status::Configuration => configured,
        Status::WaitingToStart => then(configured, &[ScheduleStart]),
        Status::Starting => starting(),
        Status::StartFailed => then(starting(), &[StartError]),
        Status::FullMigration => run(mode, Phase::Full),
        Status::FullMigrationComplete => then(run(mode, Phase::Full), &[FullDone]),
        Status::FullMigrationFailed => then(run(mode, Phase::Full), &[FullError]),
        Status::IncrementalMigration => run(mode, Phase::Incremental),
        Status::IncrementalMigrationFailed => {
            then(run(mode, Phase::Incremental), &[IncrementalError])
        }
        Status::FaultRecovery => then(run(mode, phase), &[InstanceFault]),
        Status::FaultRecoveryFailed => then(run(mode, phase), &[InstanceFault, RecoveryError]),
        Status::Paused => then(run(mode, phase), &[Pause]),
        Status::EndRequested => then(configured, &[End]),
        Status::Ending => then(configured, &[End, ReleaseBegun]),
        Status::EndFailed => then(configured, &[End, ReleaseBegun, ReleaseError]),
        Status::Ended => then(configured, &[End, ReleaseBegun, ReleaseDone]),
        Status::Deleted => then(configured, &[End, ReleaseBegun, ReleaseDone, Delete]),
        Status::Frozen => panic!("Frozen is reached through billing: use task_in"),
    }
}

/// The phase a first start heads for, restated here so the tests do not lean on the code
/// under test.
pub fn first_phase(mode: Mode) -> Phase {
    match mode {
        Mode::Full | Mode::FullIncremental => Phase::Full,
        Mode::Incremental => Phase::Incremental,
    }
}

/// Applies `events` to `task` in order, failing the test on the first refusal.
pub fn drive(fleet: &mut Fleet, account: AccountId, task: TaskId, events: &[Event]) {
    for &event in events {
        if let Err(refusal) = fleet.apply(account, task, event) {
            panic!("driving {task}: {refusal}");
        }
    }
}

/// Creates a task of `mode` for `account` and drives it to `status` through `phase`.
pub fn new_task(
    fleet: &mut Fleet,
    account: AccountId,
    mode: Mode,
    status: Status,
    phase: Phase,
) -> TaskId {
    let id = fleet.create(account, mode).expect("create").task;
    drive(fleet, account, id, &path(status, mode, phase));
    assert_eq!(status_of(fleet, account, id), status);
    id
}

/// A fleet with one full+incremental task of account A in `status` (through the full
/// phase where a phase matters); `Frozen` is a configured task whose account went into
/// arrears.
pub fn task_in(status: Status) -> (Fleet, TaskId) {
    let mut fleet = Fleet::new();
    let mode = Mode::FullIncremental;
    let id = if status == Status::Frozen {
        let id = new_task(&mut fleet, A, mode, Status::Configuration, Phase::Full);
        fleet.go_into_arrears(A).expect("arrears");
        id
    } else {
        new_task(&mut fleet, A, mode, status, Phase::Full)
    };
    assert_eq!(status_of(&fleet, A, id), status);
    (fleet, id)
}

pub fn task(fleet: &Fleet, account: AccountId, id: TaskId) -> Task {
    *fleet
        .get(account, id)
        .unwrap_or_else(|refusal| panic!("{refusal}"))
}

pub fn status_of(fleet: &Fleet, account: AccountId, id: TaskId) -> Status {
    task(fleet, account, id).status()
}
