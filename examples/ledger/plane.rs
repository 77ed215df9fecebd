//! `Ledger`: a second, independent control plane, written the way a user would write their
//! own, to show how any implementation is held to the specification.
//!
//! It shares nothing with the reference engine but the public vocabulary: jobs live in a
//! `BTreeMap` keyed by number, each job's progress is its own `Stage` enum (a stage carries
//! the phase it belongs to), and the billing freeze is a flag on top of the stage instead of
//! a status of its own. The harness sees it only through `ControlPlane`'s answers.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};

use drs_lifecycle::plane::{Change, ControlPlane, Exhaustive, InstanceChange, Outcome, TaskView};
use drs_lifecycle::spec::{AccountId, Command, Event, Mode, Phase, Refused, Status, TaskId};

/// Where a job is, in this implementation's own words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Stage {
    Provisioning,
    ProvisionFailed,
    Ready,
    Scheduled,
    Launching(Phase),
    LaunchFailed(Phase),
    Copying(Phase),
    CopyDone,
    Broken(Phase),
    Healing(Phase),
    HealFailed(Phase),
    Held(Phase),
    Closing,
    Releasing,
    ReleaseFailed,
    Closed,
    Gone,
}

impl Stage {
    fn status(self) -> Status {
        match self {
            Stage::Provisioning => Status::Creating,
            Stage::ProvisionFailed => Status::CreateFailed,
            Stage::Ready => Status::Configuration,
            Stage::Scheduled => Status::WaitingToStart,
            Stage::Launching(_) => Status::Starting,
            Stage::LaunchFailed(_) => Status::StartFailed,
            Stage::Copying(Phase::Full) => Status::FullMigration,
            Stage::Copying(Phase::Incremental) => Status::IncrementalMigration,
            Stage::CopyDone => Status::FullMigrationComplete,
            Stage::Broken(Phase::Full) => Status::FullMigrationFailed,
            Stage::Broken(Phase::Incremental) => Status::IncrementalMigrationFailed,
            Stage::Healing(_) => Status::FaultRecovery,
            Stage::HealFailed(_) => Status::FaultRecoveryFailed,
            Stage::Held(_) => Status::Paused,
            Stage::Closing => Status::EndRequested,
            Stage::Releasing => Status::Ending,
            Stage::ReleaseFailed => Status::EndFailed,
            Stage::Closed => Status::Ended,
            Stage::Gone => Status::Deleted,
        }
    }

    /// The phase a stage remembers (running and failed phases are in the status itself).
    fn remembered(self) -> Option<Phase> {
        match self {
            Stage::Launching(p)
            | Stage::LaunchFailed(p)
            | Stage::Healing(p)
            | Stage::HealFailed(p)
            | Stage::Held(p) => Some(p),
            _ => None,
        }
    }

    /// Whether billing freezes a job here (the stable stages that hold an instance).
    fn freezable(self) -> bool {
        matches!(
            self,
            Stage::Ready
                | Stage::Scheduled
                | Stage::LaunchFailed(_)
                | Stage::Copying(_)
                | Stage::Broken(_)
                | Stage::HealFailed(_)
                | Stage::Held(_)
                | Stage::ReleaseFailed
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Job {
    owner: u32,
    mode: Mode,
    stage: Stage,
    frozen: bool,
    instance: bool,
    version: u64,
}

impl Job {
    fn view(&self, id: u64) -> TaskView {
        TaskView {
            id: TaskId(id),
            account: AccountId(self.owner),
            mode: self.mode,
            status: if self.frozen {
                Status::Frozen
            } else {
                self.stage.status()
            },
            phase: self.stage.remembered(),
            frozen_from: self.frozen.then(|| self.stage.status()),
            holds_instance: self.instance,
            version: self.version,
        }
    }

    fn first(&self) -> Phase {
        if self.mode == Mode::Incremental {
            Phase::Incremental
        } else {
            Phase::Full
        }
    }

    /// Where an event takes the job, if it is allowed.
    fn next(&self, event: Event) -> Option<Stage> {
        use Event::*;
        use Stage::*;
        if self.frozen {
            return (event == RetentionExpired).then_some(Closing);
        }
        let ending = matches!(event, End | ForceEnd);
        let full_incr = self.mode == Mode::FullIncremental;
        Some(match (self.stage, event) {
            (Provisioning, InstanceReady) => Ready,
            (Provisioning, InstanceCreationFailed) => ProvisionFailed,
            (ProvisionFailed | Closed, Delete) => Gone,
            (Ready, StartNow) | (Scheduled, StartNow | StartTimeReached) => Launching(self.first()),
            (Ready, ScheduleStart) => Scheduled,
            (Launching(p), StartSucceeded) => Copying(p),
            (Launching(p), StartError) => LaunchFailed(p),
            (Launching(_) | CopyDone | Healing(_), ForceEnd) => Closing,
            (LaunchFailed(p) | Broken(p) | HealFailed(p), Retry) | (Held(p), Resume) => {
                Launching(p)
            }
            (Broken(_) | HealFailed(_) | Held(_), Reset) => Launching(self.first()),
            (Copying(Phase::Full), FullDone) => CopyDone,
            (Copying(p), FullError) if p == Phase::Full => Broken(p),
            (Copying(p), IncrementalError) if p == Phase::Incremental => Broken(p),
            (Copying(p), InstanceFault) => Healing(p),
            (Copying(p), Pause) => Held(p),
            (CopyDone, IncrementalBegun) if full_incr => Copying(Phase::Incremental),
            (CopyDone, MigrationFinished) if self.mode == Mode::Full => Closing,
            (CopyDone, Pause) if full_incr => Held(Phase::Incremental),
            (CopyDone, InstanceFault) if full_incr => Healing(Phase::Incremental),
            (Healing(p), RecoveryDone) => Copying(p),
            (Healing(p), RecoveryError) => HealFailed(p),
            (LaunchFailed(_) | Broken(_) | HealFailed(_), AbnormalTimeout) => Closing,
            (Closing, ReleaseBegun) => Releasing,
            (Releasing, ReleaseDone) => Closed,
            (Releasing, ReleaseError) => ReleaseFailed,
            (stage, _) if ending && stage.freezable() => Closing,
            _ => return None,
        })
    }
}

/// The second implementation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    jobs: BTreeMap<u64, Job>,
    in_arrears: BTreeSet<u32>,
}

impl Ledger {
    fn job_of(&mut self, account: AccountId, task: TaskId) -> Result<&mut Job, Refused> {
        match self.jobs.get_mut(&task.0) {
            Some(job) if job.owner == account.0 => Ok(job),
            _ => Err(Refused::NotFound),
        }
    }

    /// Freezes (or thaws) every job of the account that billing acts on.
    fn bill(&mut self, account: AccountId, arrears: bool) -> u32 {
        let mut changed = 0;
        for job in self.jobs.values_mut().filter(|job| job.owner == account.0) {
            let acts = if arrears {
                !job.frozen && job.stage.freezable()
            } else {
                job.frozen
            };
            if acts {
                job.frozen = arrears;
                job.version += 1;
                changed += 1;
            }
        }
        changed
    }
}

impl ControlPlane for Ledger {
    type Refusal = Refused;

    fn execute(&mut self, command: &Command) -> Result<Outcome, Refused> {
        match *command {
            Command::Create { account, mode } => {
                if self.in_arrears.contains(&account.0) {
                    return Err(Refused::AccountInArrears);
                }
                let id = self.jobs.len() as u64 + 1;
                self.jobs.insert(
                    id,
                    Job {
                        owner: account.0,
                        mode,
                        stage: Stage::Provisioning,
                        frozen: false,
                        instance: false,
                        version: 1,
                    },
                );
                Ok(Outcome::Task(Change {
                    task: TaskId(id),
                    from: Status::Creating,
                    to: Status::Creating,
                    instance: InstanceChange::Unchanged,
                    version: 1,
                }))
            }
            Command::Task {
                account,
                task,
                event,
            } => {
                let frozen_account = self.in_arrears.contains(&account.0);
                let job = self.job_of(account, task)?;
                let from = job.view(task.0).status;
                let stage = job.next(event).ok_or(Refused::NotAllowed)?;
                job.stage = stage;
                job.frozen = frozen_account && stage.freezable();
                job.version += 1;
                let instance = match event {
                    Event::InstanceReady => {
                        job.instance = true;
                        InstanceChange::Acquired
                    }
                    Event::ReleaseDone => {
                        job.instance = false;
                        InstanceChange::Released
                    }
                    _ => InstanceChange::Unchanged,
                };
                let to = job.view(task.0).status;
                Ok(Outcome::Task(Change {
                    task,
                    from,
                    to,
                    instance,
                    version: job.version,
                }))
            }
            Command::Arrears { account } => {
                if !self.in_arrears.insert(account.0) {
                    return Err(Refused::AlreadyInArrears);
                }
                let tasks_changed = self.bill(account, true);
                Ok(Outcome::Account {
                    account,
                    in_arrears: true,
                    tasks_changed,
                })
            }
            Command::Recharge { account } => {
                if !self.in_arrears.remove(&account.0) {
                    return Err(Refused::NotInArrears);
                }
                let tasks_changed = self.bill(account, false);
                Ok(Outcome::Account {
                    account,
                    in_arrears: false,
                    tasks_changed,
                })
            }
        }
    }

    fn tasks(&self) -> impl Iterator<Item = TaskView> + '_ {
        self.jobs.iter().map(|(&id, job)| job.view(id))
    }

    fn listed(&self, account: AccountId) -> impl Iterator<Item = TaskId> + '_ {
        self.jobs
            .iter()
            .filter(move |(_, job)| job.owner == account.0 && job.stage != Stage::Gone)
            .map(|(&id, _)| TaskId(id))
    }

    fn accounts_in_arrears(&self) -> impl Iterator<Item = AccountId> + '_ {
        self.in_arrears.iter().map(|&account| AccountId(account))
    }
}

/// The state key leaves the versions out, so that the checker's states stay finite.
impl Exhaustive for Ledger {
    fn hash_key<H: Hasher>(&self, hasher: &mut H) {
        for (id, job) in &self.jobs {
            (id, job.owner, job.mode, job.stage, job.frozen, job.instance).hash(hasher);
        }
        self.in_arrears.hash(hasher);
    }

    fn same_key(&self, other: &Self) -> bool {
        let key = |(id, job): (&u64, &Job)| {
            (
                *id,
                job.owner,
                job.mode,
                job.stage,
                job.frozen,
                job.instance,
            )
        };
        self.jobs.iter().map(key).eq(other.jobs.iter().map(key))
            && self.in_arrears == other.in_arrears
    }

    fn empty() -> Self {
        Ledger::default()
    }
}
