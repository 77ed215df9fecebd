//! Injectable faults: deliberately broken variants of the specification or of the
//! reference implementation, each aimed at one property.
//!
//! A property that no fault can break is not a property: it may be vacuous, or check the
//! wrong thing. So every safety property has a fault here that a shipped configuration
//! injects and whose violation the checker must find, with the length of its shortest
//! counterexample pinned.
//!
//! Faults never live inside the specification or the engine. Specification faults replace
//! the table's answer for one (status, event) pair; engine faults wrap [`Fleet::execute`]
//! and mutate the engine's result. The engine itself contains no fault code, so no build
//! of it can run with a fault switched on by accident.

use std::fmt;
use std::hash::Hasher;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::engine::{Change, Fleet, InstanceChange, Outcome, Refusal};
use crate::plane::{ControlPlane, Exhaustive, TaskView};
use crate::spec::{AccountId, Command, Event, Mode, Phase, Status, TaskId, TaskSpec, step};

/// A deliberately injected bug.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fault {
    // Specification faults.
    /// A late "release done" report brings a deleted task back as Ended.
    DeletedRevivedByLateReport,
    /// An ended task accepts *start now* and runs again.
    EndedRestarts,
    /// *delete* is accepted during incremental migration.
    DeleteWhileRunning,
    /// A recharge leaves the task frozen.
    RechargeLeavesTaskFrozen,
    /// A recharge sends a frozen task back to Configuration instead of its status.
    UnfreezeForgetsStatus,
    /// A duplicated "instance ready" report while starting acquires a second instance.
    DuplicateInstanceReport,
    /// "Release done" lands on EndFailed: the instance is gone but the status needs it.
    ReleaseDoneLandsOnEndFailed,
    /// A full-only task's full-complete takes *incremental begun* and moves on to incremental
    /// migration, instead of being ended by the system.
    FullOnlyContinuesToIncremental,
    /// The service never reports the end of instance creation: the task hangs in Creating.
    CreationReportLost,
    /// *schedule start* is refused, so no task ever waits to start.
    ScheduleStartRefused,
    /// A release error puts the task back to EndRequested, so a failing release retries
    /// forever instead of landing on EndFailed.
    ReleaseErrorRequeues,
    /// Fault recovery never reports back: the task stays in FaultRecovery.
    RecoveryHangs,
    /// *force end* is accepted while the instance is still being created (version 2
    /// refuses it there: there is no instance to release yet).
    ForceEndInCreating,
    /// A recovery error lands on the remembered phase's failed status, as version 1 had
    /// it, instead of on FaultRecoveryFailed.
    RecoveryErrorLandsOnPhaseFailed,
    /// A late "start succeeded" report, for a start that a force end interrupted, is
    /// accepted in EndRequested and the task migrates again.
    LateStartReportAfterForceEnd,
    /// *pause* is accepted in a full-only task's FullMigrationComplete, and the task
    /// remembers the incremental phase it does not have.
    FullOnlyPausedAfterFullComplete,
    // Engine faults.
    /// The engine accepts *pause* on a frozen task (a frozen task keeps running).
    EnginePausesFrozenTask,
    /// The engine bumps a task's version even when it refuses the command.
    EngineRefusalBumpsVersion,
    /// The engine hands out the id of a deleted task again.
    EngineReusesDeletedId,
    /// A late "recovery done" report undoes a user's pause in the engine.
    EngineLateReportUndoesPause,
    /// The engine's snapshot writes every task's version as 0: the restored fleet is not
    /// the one saved (only the fuzzer, which snapshots mid-case, can show it).
    EngineSnapshotDropsVersions,
    // Protocol faults (the distributed control plane of `crate::actors`).
    /// The controller applies every report its task's status accepts, without checking that
    /// the report belongs to the task's current attempt (or was not applied already).
    ReportsWithoutAttemptCheck,
    /// The controller answers the client before it has saved the change: a restart in
    /// between loses a change the client was told about.
    AckBeforePersist,
    /// An instance saves only its last report, not the directives it obeyed since: after a
    /// restart it re-sends that report and runs again, although it was told to stop.
    InstanceResendsAfterRestart,
    /// The controller takes a poll's answer over its own record: an instance seen running
    /// moves a Starting task on, whichever attempt the instance was running.
    ControllerTrustsPoll,
    /// The controller saves a retry's new status but not its new attempt number before it
    /// sends the directive: after a restart it reuses the number, and the instance, which
    /// obeys only newer attempts, ignores what the controller tells it next.
    RetryAttemptNotPersisted,
    /// A force end moves the task on without a new attempt: the release directive carries
    /// the interrupted operation's attempt number (the instance takes it for a repeat), and
    /// the interrupted operation's late report is taken as the current attempt's.
    ForceEndKeepsAttempt,
    /// A recharge resumes every instance the account's freeze stopped, from the controller's
    /// note of what each was running, without looking at the task: a task ended while it
    /// was frozen gets its migration back.
    RechargeResumesEndedTask,
    /// A report that lands a task on Frozen is not followed by a stop directive when
    /// another task of the account is already frozen: the controller takes the account's
    /// freeze as carried out, and misses the task whose report was in flight.
    ArrearsMissTaskInFlight,
}

impl Fault {
    /// Every fault.
    pub const ALL: [Fault; 29] = [
        Fault::DeletedRevivedByLateReport,
        Fault::EndedRestarts,
        Fault::DeleteWhileRunning,
        Fault::RechargeLeavesTaskFrozen,
        Fault::UnfreezeForgetsStatus,
        Fault::DuplicateInstanceReport,
        Fault::ReleaseDoneLandsOnEndFailed,
        Fault::FullOnlyContinuesToIncremental,
        Fault::CreationReportLost,
        Fault::ScheduleStartRefused,
        Fault::ReleaseErrorRequeues,
        Fault::RecoveryHangs,
        Fault::ForceEndInCreating,
        Fault::RecoveryErrorLandsOnPhaseFailed,
        Fault::LateStartReportAfterForceEnd,
        Fault::FullOnlyPausedAfterFullComplete,
        Fault::EnginePausesFrozenTask,
        Fault::EngineRefusalBumpsVersion,
        Fault::EngineReusesDeletedId,
        Fault::EngineLateReportUndoesPause,
        Fault::EngineSnapshotDropsVersions,
        Fault::ReportsWithoutAttemptCheck,
        Fault::AckBeforePersist,
        Fault::InstanceResendsAfterRestart,
        Fault::ControllerTrustsPoll,
        Fault::RetryAttemptNotPersisted,
        Fault::ForceEndKeepsAttempt,
        Fault::RechargeResumesEndedTask,
        Fault::ArrearsMissTaskInFlight,
    ];

    /// The configuration name (`ended-restarts`).
    pub fn name(self) -> &'static str {
        match self {
            Fault::DeletedRevivedByLateReport => "deleted-revived-by-late-report",
            Fault::EndedRestarts => "ended-restarts",
            Fault::DeleteWhileRunning => "delete-while-running",
            Fault::RechargeLeavesTaskFrozen => "recharge-leaves-task-frozen",
            Fault::UnfreezeForgetsStatus => "unfreeze-forgets-status",
            Fault::DuplicateInstanceReport => "duplicate-instance-report",
            Fault::ReleaseDoneLandsOnEndFailed => "release-done-lands-on-end-failed",
            Fault::FullOnlyContinuesToIncremental => "full-only-continues-to-incremental",
            Fault::CreationReportLost => "creation-report-lost",
            Fault::ScheduleStartRefused => "schedule-start-refused",
            Fault::ReleaseErrorRequeues => "release-error-requeues",
            Fault::RecoveryHangs => "recovery-hangs",
            Fault::ForceEndInCreating => "force-end-in-creating",
            Fault::RecoveryErrorLandsOnPhaseFailed => "recovery-error-lands-on-phase-failed",
            Fault::LateStartReportAfterForceEnd => "late-start-report-after-force-end",
            Fault::FullOnlyPausedAfterFullComplete => "full-only-paused-after-full-complete",
            Fault::EnginePausesFrozenTask => "engine-pauses-frozen-task",
            Fault::EngineRefusalBumpsVersion => "engine-refusal-bumps-version",
            Fault::EngineReusesDeletedId => "engine-reuses-deleted-id",
            Fault::EngineLateReportUndoesPause => "engine-late-report-undoes-pause",
            Fault::EngineSnapshotDropsVersions => "engine-snapshot-drops-versions",
            Fault::ReportsWithoutAttemptCheck => "reports-without-attempt-check",
            Fault::AckBeforePersist => "ack-before-persist",
            Fault::InstanceResendsAfterRestart => "instance-resends-after-restart",
            Fault::ControllerTrustsPoll => "controller-trusts-poll",
            Fault::RetryAttemptNotPersisted => "retry-attempt-not-persisted",
            Fault::ForceEndKeepsAttempt => "force-end-keeps-attempt",
            Fault::RechargeResumesEndedTask => "recharge-resumes-ended-task",
            Fault::ArrearsMissTaskInFlight => "arrears-miss-task-in-flight",
        }
    }

    /// Whether the fault is in the engine (it only shows in the conformance model).
    pub fn is_engine_fault(self) -> bool {
        matches!(
            self,
            Fault::EnginePausesFrozenTask
                | Fault::EngineRefusalBumpsVersion
                | Fault::EngineReusesDeletedId
                | Fault::EngineLateReportUndoesPause
                | Fault::EngineSnapshotDropsVersions
        )
    }

    /// Whether the fault is in the distributed control plane's protocol (it only shows in
    /// the actor model, [`crate::actors`]).
    pub fn is_protocol_fault(self) -> bool {
        matches!(
            self,
            Fault::ReportsWithoutAttemptCheck
                | Fault::AckBeforePersist
                | Fault::InstanceResendsAfterRestart
                | Fault::ControllerTrustsPoll
                | Fault::RetryAttemptNotPersisted
                | Fault::ForceEndKeepsAttempt
                | Fault::RechargeResumesEndedTask
                | Fault::ArrearsMissTaskInFlight
        )
    }

    /// Whether the fault is in the engine's snapshots, which only the fuzzer takes.
    pub fn is_snapshot_fault(self) -> bool {
        self == Fault::EngineSnapshotDropsVersions
    }

    /// The engine's snapshot of a fleet, as JSON, with this fault's change to it.
    pub fn snapshot(fault: Option<Fault>, fleet: &Fleet) -> String {
        let json = fleet.to_json();
        if fault != Some(Fault::EngineSnapshotDropsVersions) {
            return json;
        }
        let Ok(mut copy) = Fleet::from_json(&json) else {
            return json;
        };
        let ids: Vec<TaskId> = copy.tasks().iter().map(|task| task.id()).collect();
        for id in ids {
            if let Some(task) = copy.task_mut(id) {
                task.version = 0;
            }
        }
        copy.to_json()
    }

    /// The specification's step, with this fault's change to the table (engine faults leave
    /// the table alone). Inlined so that the models' usual case, no fault, costs nothing
    /// over the table's step: it runs for every command of every state.
    #[inline]
    pub fn step(fault: Option<Fault>, task: &TaskSpec, event: Event) -> Option<TaskSpec> {
        match fault {
            None => step(task, event),
            Some(fault) => fault.faulty_step(task, event),
        }
    }

    fn faulty_step(self, task: &TaskSpec, event: Event) -> Option<TaskSpec> {
        let fault = self;
        let status = task.status;
        let to = |status: Status| TaskSpec {
            status,
            mode: task.mode,
            phase: None,
            frozen_from: None,
        };
        match (fault, status, event) {
            (Fault::DeletedRevivedByLateReport, Status::Deleted, Event::ReleaseDone) => {
                Some(to(Status::Ended))
            }
            (Fault::EndedRestarts, Status::Ended, Event::StartNow) => Some(TaskSpec {
                phase: Some(task.mode.first_phase()),
                ..to(Status::Starting)
            }),
            (Fault::DeleteWhileRunning, Status::IncrementalMigration, Event::Delete) => {
                Some(to(Status::Deleted))
            }
            (Fault::RechargeLeavesTaskFrozen, Status::Frozen, Event::AccountRecharged) => None,
            (Fault::UnfreezeForgetsStatus, Status::Frozen, Event::AccountRecharged) => {
                Some(to(Status::Configuration))
            }
            (Fault::DuplicateInstanceReport, Status::Starting, Event::InstanceReady) => Some(*task),
            (Fault::ReleaseDoneLandsOnEndFailed, Status::Ending, Event::ReleaseDone) => {
                Some(to(Status::EndFailed))
            }
            (
                Fault::FullOnlyContinuesToIncremental,
                Status::FullMigrationComplete,
                Event::IncrementalBegun,
            ) if task.mode == Mode::Full => Some(to(Status::IncrementalMigration)),
            (
                Fault::CreationReportLost,
                Status::Creating,
                Event::InstanceReady | Event::InstanceCreationFailed,
            ) => None,
            (Fault::ScheduleStartRefused, Status::Configuration, Event::ScheduleStart) => None,
            (Fault::ReleaseErrorRequeues, Status::Ending, Event::ReleaseError) => {
                Some(to(Status::EndRequested))
            }
            (
                Fault::RecoveryHangs,
                Status::FaultRecovery,
                Event::RecoveryDone | Event::RecoveryError,
            ) => None,
            (Fault::ForceEndInCreating, Status::Creating, Event::ForceEnd) => {
                Some(to(Status::EndRequested))
            }
            (
                Fault::RecoveryErrorLandsOnPhaseFailed,
                Status::FaultRecovery,
                Event::RecoveryError,
            ) => task.phase.map(|phase| to(phase.failed())),
            (Fault::LateStartReportAfterForceEnd, Status::EndRequested, Event::StartSucceeded) => {
                Some(to(task.mode.first_phase().running()))
            }
            (
                Fault::FullOnlyPausedAfterFullComplete,
                Status::FullMigrationComplete,
                Event::Pause,
            ) if task.mode == Mode::Full => Some(TaskSpec {
                phase: Some(Phase::Incremental),
                ..to(Status::Paused)
            }),
            _ => step(task, event),
        }
    }

    /// Runs a command on the engine, with this fault's change to the engine's behaviour.
    #[inline]
    pub fn execute(
        fault: Option<Fault>,
        fleet: &mut Fleet,
        command: &Command,
    ) -> Result<Outcome, Refusal> {
        let Some(fault) = fault else {
            return fleet.execute(command);
        };
        match (fault, *command) {
            (
                Fault::EnginePausesFrozenTask,
                Command::Task {
                    account,
                    task,
                    event: Event::Pause,
                },
            ) => {
                if let Some(t) = fleet.task_mut(task)
                    && t.account == account
                    && t.status == Status::Frozen
                {
                    let from = t.status;
                    t.phase = t.phase.or(t.frozen_from.and_then(running_phase));
                    t.status = Status::Paused;
                    t.frozen_from = None;
                    t.version += 1;
                    return Ok(Outcome::Task(change(task, from, t.status, t.version)));
                }
                fleet.execute(command)
            }
            (Fault::EngineRefusalBumpsVersion, Command::Task { task, .. }) => {
                let result = fleet.execute(command);
                if result.is_err()
                    && let Some(t) = fleet.task_mut(task)
                {
                    t.version += 1;
                }
                result
            }
            (Fault::EngineReusesDeletedId, Command::Create { account, mode }) => {
                let deleted = fleet
                    .tasks()
                    .iter()
                    .find(|t| t.status() == Status::Deleted)
                    .map(|t| t.id());
                match deleted {
                    Some(id) if !fleet.in_arrears(account) => {
                        let t = fleet
                            .task_mut(id)
                            .ok_or(Refusal::NotFound { account, task: id })?;
                        t.account = account;
                        t.mode = mode;
                        t.status = Status::Creating;
                        t.phase = None;
                        t.frozen_from = None;
                        t.instance = false;
                        t.version += 1;
                        Ok(Outcome::Task(change(
                            id,
                            Status::Creating,
                            Status::Creating,
                            t.version,
                        )))
                    }
                    _ => fleet.execute(command),
                }
            }
            (
                Fault::EngineLateReportUndoesPause,
                Command::Task {
                    account,
                    task,
                    event: Event::RecoveryDone,
                },
            ) => {
                if let Some(t) = fleet.task_mut(task)
                    && t.account == account
                    && t.status == Status::Paused
                    && let Some(phase) = t.phase
                {
                    t.status = phase.running();
                    t.phase = None;
                    t.version += 1;
                    return Ok(Outcome::Task(change(
                        task,
                        Status::Paused,
                        t.status,
                        t.version,
                    )));
                }
                fleet.execute(command)
            }
            _ => fleet.execute(command),
        }
    }
}

fn running_phase(status: Status) -> Option<Phase> {
    match status {
        Status::FullMigration => Some(Phase::Full),
        Status::IncrementalMigration => Some(Phase::Incremental),
        _ => None,
    }
}

fn change(task: TaskId, from: Status, to: Status, version: u64) -> Change {
    Change {
        task,
        from,
        to,
        instance: InstanceChange::Unchanged,
        version,
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A string that names no fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownFault(pub String);

impl fmt::Display for UnknownFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<_> = Fault::ALL.iter().map(|fault| fault.name()).collect();
        write!(
            f,
            "unknown fault {:?}: expected one of {}",
            self.0,
            names.join(", ")
        )
    }
}

impl std::error::Error for UnknownFault {}

impl FromStr for Fault {
    type Err = UnknownFault;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Fault::ALL
            .into_iter()
            .find(|fault| fault.name() == s.trim())
            .ok_or_else(|| UnknownFault(s.to_string()))
    }
}

/// The reference engine with an injected engine fault (or none): the implementation the
/// shipped conformance configurations and the fuzzer's fault runs hold to the
/// specification. Specification faults are applied on the specification's side
/// ([`Fault::step`]); here only engine faults change anything.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct FaultyEngine {
    fleet: Fleet,
    fault: Option<Fault>,
}

/// By hand, for `clone_from`: the conformance model copies an engine into its scratch copy
/// for every state and every accepted command, and the fleet's own `clone_from` reuses the
/// scratch copy's allocation where a derived one would allocate a new fleet each time.
impl Clone for FaultyEngine {
    fn clone(&self) -> Self {
        FaultyEngine {
            fleet: self.fleet.clone(),
            fault: self.fault,
        }
    }

    #[inline]
    fn clone_from(&mut self, source: &Self) {
        self.fleet.clone_from(&source.fleet);
        self.fault = source.fault;
    }
}

impl FaultyEngine {
    /// An empty fleet whose commands run with the fault.
    pub fn new(fault: Option<Fault>) -> Self {
        FaultyEngine {
            fleet: Fleet::new(),
            fault,
        }
    }

    /// The engine inside.
    pub fn fleet(&self) -> &Fleet {
        &self.fleet
    }
}

impl ControlPlane for FaultyEngine {
    type Refusal = Refusal;

    #[inline]
    fn execute(&mut self, command: &Command) -> Result<Outcome, Refusal> {
        Fault::execute(self.fault, &mut self.fleet, command)
    }

    #[inline]
    fn tasks(&self) -> impl Iterator<Item = TaskView> + '_ {
        ControlPlane::tasks(&self.fleet)
    }

    #[inline]
    fn listed(&self, account: AccountId) -> impl Iterator<Item = TaskId> + '_ {
        self.fleet.listed(account)
    }

    #[inline]
    fn accounts_in_arrears(&self) -> impl Iterator<Item = AccountId> + '_ {
        ControlPlane::accounts_in_arrears(&self.fleet)
    }

    fn query(&self, account: AccountId, task: TaskId) -> Option<TaskView> {
        self.fleet.query(account, task)
    }

    /// The snapshot goes through [`Fault::snapshot`], so a snapshot fault shows here.
    fn restored(&self) -> Option<Result<Self, String>> {
        let json = Fault::snapshot(self.fault, &self.fleet);
        Some(
            Fleet::from_json(&json)
                .map(|fleet| FaultyEngine {
                    fleet,
                    fault: self.fault,
                })
                .map_err(|error| error.to_string()),
        )
    }
}

impl Exhaustive for FaultyEngine {
    #[inline]
    fn hash_key<H: Hasher>(&self, hasher: &mut H) {
        self.fleet.hash_key(hasher);
    }

    #[inline]
    fn same_key(&self, other: &Self) -> bool {
        self.fleet.same_key(&other.fleet)
    }

    fn empty() -> Self {
        FaultyEngine::default()
    }

    #[inline]
    fn unchanged_since(&self, before: &Self) -> bool {
        self.fleet.unchanged_since(&before.fleet)
    }
}
