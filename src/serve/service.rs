//! The emulated service: a [`ControlPlane`] behind the API's words, on a clock that is passed
//! in.
//!
//! The service never reads the wall: every entry point is called after [`Service::advance`]
//! has been given the emulated time, and the service fires the timers of its own life
//! (creation, start, the phases, faults and recovery, release; [`Profile`]) that are due by
//! then, in order. What a poll shows is the specification's observation of the plane's
//! state (brief, D.2.3); what the service accepts is what the specification accepts in the
//! state the task will be in once the commands already accepted have taken effect; an
//! accepted command is answered first and takes effect after the profile's
//! `command_delay` (brief, D.1).
//!
//! Every project is an account: its jobs, and its billing (arrears freeze what the
//! specification freezes). The recorder writes what clients saw as a history in the format
//! `validate` reads; a service fault (the simulator's) makes the service misbehave once, for
//! `validate` to catch.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::api::{self, ApiError, CreateJobReq, JobActions, TimelineInfo};
use super::profile::Profile;
use crate::history::{format_time, parse_time};
use crate::plane::{ControlPlane, Outcome, Refusal as _, TaskView};
use crate::simulate::ServiceFault;
use crate::spec::{
    AccountId, ApiCode, Command, Event, Mode, Observation, Refused, Source, Status, TaskId,
    TaskSpec, observe, step,
};

/// Milliseconds since the Unix epoch: the service's time.
pub type Ms = i64;

const SECOND: Ms = 1000;
const MINUTE: Ms = 60 * SECOND;
const DAY: Ms = 86_400 * SECOND;

/// The format name of a saved state (`serve --state FILE`).
pub const STATE_FORMAT: &str = "drs-lifecycle serve state 1";

/// The history format the recorder writes.
pub const HISTORY_FORMAT: &str = "drs-lifecycle history 2";

/// Which SDK call carried a lifecycle operation: it decides what the operation's name means
/// (`stop` is a pause as an action and an end as a call) and is recorded as `call`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Call {
    /// v5 `POST jobs/{job_id}/action`.
    ExecuteJobAction,
    /// v5 `POST jobs/action`.
    BatchExecuteJobActions,
    /// v5 `POST jobs/{job_id}/stop`: end (forced with `is_force_stop`).
    StopJobAction,
    /// v5 `POST jobs/batch-stop`.
    BatchStopJobsAction,
    /// v5 `DELETE jobs/{job_id}`.
    DeleteJob,
    /// v5 `DELETE jobs`.
    BatchDeleteJobsById,
    /// v3 `POST jobs/batch-pause-task`: pause.
    BatchStopJobs,
    /// v3 `DELETE jobs/batch-jobs`: `delete_type` terminate, force_terminate or delete.
    BatchDeleteJobs,
}

impl Call {
    /// The SDK method's name, as the history records it in `call`.
    pub const fn sdk_name(self) -> &'static str {
        match self {
            Call::ExecuteJobAction => "execute_job_action",
            Call::BatchExecuteJobActions => "batch_execute_job_actions",
            Call::StopJobAction => "stop_job_action",
            Call::BatchStopJobsAction => "batch_stop_jobs_action",
            Call::DeleteJob => "delete_job",
            Call::BatchDeleteJobsById => "batch_delete_jobs_by_id",
            Call::BatchStopJobs => "batch_stop_jobs",
            Call::BatchDeleteJobs => "batch_delete_jobs",
        }
    }
}

/// One lifecycle operation as a client asked for it.
#[derive(Clone, Copy, Debug)]
pub struct OpRequest<'a> {
    /// The call that carried it.
    pub call: Call,
    /// The operation's name in that call (`action_name`, `delete_type`; the stop and
    /// delete calls: `stop`, `delete`).
    pub word: &'a str,
    /// `action_params.start_time` of a `start`.
    pub start_time: Option<&'a str>,
    /// `force_delete` of a `terminate`, `is_force_stop` of a stop call.
    pub force: bool,
}

/// Action names of `ActionReq` outside the lifecycle: answered, recorded, and ignored (the
/// list `validate` skips and counts: one source).
pub const NEUTRAL_ACTIONS: [&str; 15] = crate::history::record::OUTSIDE_ACTIONS;

/// The operations `job_action` lists, in the API's capitals (brief, D.3.1), in this order:
/// `RETRY` is the API's `restart` (resume or retry); the API has no capitals for an end,
/// so `TERMINATE` and `FORCE_TERMINATE` are the emulator's.
pub const ACTION_NAMES: [&str; 7] = [
    "START",
    "PAUSE",
    "RETRY",
    "RESET",
    "TERMINATE",
    "FORCE_TERMINATE",
    "DELETE",
];

/// The capitals a user operation is listed under in `job_action`.
pub const fn action_name(event: Event) -> Option<&'static str> {
    Some(match event {
        Event::StartNow | Event::ScheduleStart => "START",
        Event::Pause => "PAUSE",
        Event::Resume | Event::Retry => "RETRY",
        Event::Reset => "RESET",
        Event::End => "TERMINATE",
        Event::ForceEnd => "FORCE_TERMINATE",
        Event::Delete => "DELETE",
        _ => return None,
    })
}

const USER_OPS: [Event; 9] = [
    Event::StartNow,
    Event::ScheduleStart,
    Event::Pause,
    Event::Resume,
    Event::Retry,
    Event::Reset,
    Event::End,
    Event::ForceEnd,
    Event::Delete,
];

/// SplitMix64, seeded: the service's durations and outcomes, and job ids.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in `[low, high]` seconds, as milliseconds.
    fn between(&mut self, [low, high]: [u64; 2]) -> Ms {
        let (low, high) = (low as i64 * SECOND, high as i64 * SECOND);
        low + (self.next_u64() % (high - low + 1) as u64) as i64
    }
    /// Log-uniform in `[low, high]` seconds, as milliseconds.
    fn log_between(&mut self, [low, high]: [u64; 2]) -> Ms {
        let (a, b) = ((low.max(1) as f64).ln(), (high.max(1) as f64).ln());
        ((a + (b - a) * self.unit()).exp() * SECOND as f64) as Ms
    }
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A job's id in the service's style (`8-4-4-4-12` hex, ending `jb01`), from the seed and
/// the task's number, which makes it unique.
fn job_id(seed: u64, task: u64) -> String {
    let h = mix(seed ^ task.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:08x}jb01",
        h >> 32,
        (h >> 16) & 0xffff,
        h & 0xffff,
        (mix(h) >> 48) & 0xffff,
        task & 0xffff_ffff
    )
}

/// An accepted command that has not taken effect yet.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
struct Pending {
    event: Event,
    due: Ms,
}

/// What the service keeps of a job beside the plane's task.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Job {
    id: String,
    name: String,
    task: u64,
    account: u32,
    mode: Mode,
    create_ms: Ms,
    request: CreateJobReq,
    expired_days: u64,
    /// `base_info.start_time`: a `start` without its own time schedules it.
    start_time: Option<Ms>,
    /// The time of the accepted scheduled start.
    start_at: Option<Ms>,
    /// Bumped on every replan: a timer of an older generation is stale.
    generation: u32,
    timeline: Vec<Entry>,
    pending: Vec<Pending>,
    /// A service fault: from this time on, polls show this status instead.
    shown: Option<(Ms, Status)>,
}

/// One operation of a job's timeline, kept small (a job's timeline is read rarely): the
/// answer's `TimelineInfo` is made when asked.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Entry {
    name: Box<str>,
    success: bool,
    at: Ms,
}

/// A timer of the service.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
enum Due {
    /// The service's own next step of a task, valid while the job's generation matches.
    System {
        task: u64,
        generation: u32,
        event: Event,
    },
    /// An accepted user command takes effect.
    User { task: u64, event: Event },
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Account {
    project: String,
    /// Every job, in creation order.
    jobs: Vec<u64>,
    /// The jobs a list shows (all but deleted ones), in creation order: rebuilt on restore.
    #[serde(skip)]
    listed: Vec<u64>,
    /// How many of `listed` have each `job_type`: rebuilt on restore.
    #[serde(skip)]
    types: HashMap<String, usize>,
}

impl Account {
    fn new(project: &str) -> Account {
        Account {
            project: project.to_string(),
            ..Account::default()
        }
    }
}

fn job_type(job: &Job) -> &str {
    job.request
        .base_info
        .job_type
        .as_deref()
        .unwrap_or("migration")
}

/// The accepted or refused answer to one operation.
#[derive(Clone, Debug)]
pub struct Accepted {
    /// The job's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// An id for the accepted action.
    pub query_id: String,
}

/// The filters and page of a list.
#[derive(Clone, Debug, Default)]
pub struct ListQuery {
    /// Skip this many matching jobs.
    pub offset: usize,
    /// At most this many.
    pub limit: usize,
    /// Only jobs showing this status code.
    pub status: Option<String>,
    /// Only jobs whose name contains this.
    pub name: Option<String>,
    /// Oldest first (default: newest first).
    pub ascending: bool,
    /// Only jobs of this `job_type` (`migration` when the creation request gave none).
    pub job_type: Option<String>,
}

/// One listed job.
#[derive(Clone, Debug)]
pub struct Listed {
    /// The id.
    pub id: String,
    /// The name.
    pub name: String,
    /// The status code shown.
    pub status: &'static str,
    /// Creation time, milliseconds.
    pub create_ms: Ms,
    /// The mode.
    pub mode: Mode,
    /// The creation request's base information, for echoing.
    pub base_info: api::JobBaseInfo,
    /// What the service would accept now.
    pub actions: JobActions,
}

/// A job's detail.
#[derive(Clone, Debug)]
pub struct Detail {
    /// The id.
    pub id: String,
    /// The status code shown.
    pub status: &'static str,
    /// Creation time, milliseconds.
    pub create_ms: Ms,
    /// The creation request, echoed.
    pub request: CreateJobReq,
}

/// A command record of the history (`kind: command`).
#[derive(Serialize)]
struct CommandRecord<'a> {
    kind: &'static str,
    job: &'a str,
    t: String,
    op: &'a str,
    call: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    force_delete: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_force_stop: Option<bool>,
    answer: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_code: Option<&'a str>,
}

/// A status record of the history (`kind: status`).
#[derive(Serialize)]
struct StatusRecord<'a> {
    kind: &'static str,
    job: &'a str,
    t: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mode: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    account: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    available_actions: Option<&'a [&'static str]>,
}

/// The emulated DRS service over a control plane.
pub struct Service<P: ControlPlane> {
    plane: P,
    profile: Profile,
    seed: u64,
    rng: Rng,
    now: Ms,
    seq: u64,
    accounts: Vec<Account>,
    by_project: HashMap<String, u32>,
    jobs: Vec<Job>,
    by_id: HashMap<String, u64>,
    timers: BTreeMap<(Ms, u64), Due>,
    /// Every command the plane accepted, in order: replayed to restore a saved state.
    log: Vec<Command>,
    fault: Option<ServiceFault>,
    fault_done: bool,
    recorder: Option<Box<dyn Write + Send>>,
    notes: Vec<String>,
}

/// A saved state.
#[derive(Serialize, Deserialize)]
struct Saved {
    format: String,
    seed: u64,
    rng: Rng,
    now: Ms,
    seq: u64,
    accounts: Vec<Account>,
    jobs: Vec<Job>,
    timers: Vec<(Ms, u64, Due)>,
    log: Vec<Command>,
    fault: Option<String>,
    fault_done: bool,
}

fn spec_of(view: &TaskView) -> TaskSpec {
    TaskSpec {
        status: view.status,
        mode: view.mode,
        phase: view.phase,
        frozen_from: view.frozen_from,
    }
}

fn ms_string(ms: Ms) -> String {
    ms.to_string()
}

impl<P: ControlPlane> Service<P> {
    /// A service with no jobs, over `plane` (which must be empty), at time `start`.
    pub fn new(plane: P, profile: Profile, seed: u64, start: Ms) -> Service<P> {
        Service {
            plane,
            profile,
            seed,
            rng: Rng(seed ^ 0x5851_f42d_4c95_7f2d),
            now: start,
            seq: 0,
            accounts: Vec::new(),
            by_project: HashMap::new(),
            jobs: Vec::new(),
            by_id: HashMap::new(),
            timers: BTreeMap::new(),
            log: Vec::new(),
            fault: None,
            fault_done: false,
            recorder: None,
            notes: Vec::new(),
        }
    }

    /// The control plane behind the service.
    pub fn plane(&self) -> &P {
        &self.plane
    }

    /// The emulated time now.
    pub fn now(&self) -> Ms {
        self.now
    }

    /// How many jobs were ever created.
    pub fn job_count(&self) -> usize {
        self.jobs.len()
    }

    /// Makes the service misbehave once (the simulator's faults).
    pub fn set_fault(&mut self, fault: Option<ServiceFault>) {
        self.fault = fault;
    }

    /// Records the traffic from now on, as a history; writes the header.
    pub fn record_to(&mut self, mut out: Box<dyn Write + Send>) -> std::io::Result<()> {
        let header = json!({
            "kind": "header",
            "format": HISTORY_FORMAT,
            "commands": "complete",
            "billing": "recorded",
            "source": "drs-lifecycle serve",
        });
        writeln!(out, "{header}")?;
        out.flush()?;
        self.recorder = Some(out);
        Ok(())
    }

    /// Flushes the recording.
    pub fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.recorder {
            Some(out) => out.flush(),
            None => Ok(()),
        }
    }

    /// What the service has to say to its operator since the last call (a fault injected,
    /// an accepted command that could no longer take effect).
    pub fn take_notes(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notes)
    }

    fn write_record(&mut self, record: &impl Serialize) {
        if let Some(out) = &mut self.recorder {
            let line = serde_json::to_string(record).unwrap_or_default();
            if let Err(error) = writeln!(out, "{line}") {
                self.notes
                    .push(format!("recording stopped: cannot write: {error}"));
                self.recorder = None;
            }
        }
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    // -----------------------------------------------------------------------------------
    // The clock and the service's own life.

    /// Moves the clock to `now` (never backwards: an earlier time is ignored), firing every
    /// timer due by then, in order, each at its own time.
    pub fn advance(&mut self, now: Ms) {
        while let Some((&(due, seq), _)) = self.timers.first_key_value() {
            if due > now {
                break;
            }
            let Some(timer) = self.timers.remove(&(due, seq)) else {
                break;
            };
            self.now = self.now.max(due);
            self.fire(timer);
        }
        self.now = self.now.max(now);
    }

    /// When the next timer is due, if any.
    pub fn next_due(&self) -> Option<Ms> {
        self.timers.first_key_value().map(|(&(due, _), _)| due)
    }

    fn fire(&mut self, timer: Due) {
        match timer {
            Due::System {
                task,
                generation,
                event,
            } => {
                if self.job(task).generation == generation {
                    if let Err(why) = self.apply(task, event) {
                        self.notes.push(format!(
                            "job {}: the service's own {} was refused by the control plane: {why}",
                            self.job(task).id,
                            event.describe()
                        ));
                        self.replan(task);
                    }
                }
            }
            Due::User { task, event } => {
                let job = self.job_mut(task);
                if let Some(i) = job.pending.iter().position(|p| p.event == event) {
                    job.pending.remove(i);
                }
                if let Err(why) = self.apply(task, event) {
                    self.notes.push(format!(
                        "job {}: the accepted {} could no longer take effect: {why}",
                        self.job(task).id,
                        event.describe()
                    ));
                }
            }
        }
    }

    fn job(&self, task: u64) -> &Job {
        &self.jobs[(task - 1) as usize]
    }

    fn job_mut(&mut self, task: u64) -> &mut Job {
        &mut self.jobs[(task - 1) as usize]
    }

    fn view(&self, task: u64) -> Option<TaskView> {
        let job = self.job(task);
        self.plane.query(AccountId(job.account), TaskId(task))
    }

    /// Runs one event of a task on the plane; on acceptance logs it, applies the service
    /// fault's hooks and replans the task.
    fn apply(&mut self, task: u64, event: Event) -> Result<(), String> {
        let account = AccountId(self.job(task).account);
        let command = Command::Task {
            account,
            task: TaskId(task),
            event,
        };
        match self.plane.execute(&command) {
            Ok(_) => {
                self.log.push(command);
                if event == Event::Delete {
                    self.unindex_listed(task);
                }
                self.after_change(task, event);
                self.replan(task);
                Ok(())
            }
            Err(refusal) => Err(refusal.to_string()),
        }
    }

    /// The service fault's hooks, and the end of a fault's display at the next change.
    fn after_change(&mut self, task: u64, event: Event) {
        let now = self.now;
        if let Some((from, _)) = self.job(task).shown {
            if from <= now {
                self.job_mut(task).shown = None;
            }
        }
        let Some(fault) = self.fault.filter(|_| !self.fault_done) else {
            return;
        };
        let Some(view) = self.view(task) else { return };
        let shown = match (fault, event) {
            (ServiceFault::DeletedReappears, Event::Delete) => {
                Some((now + 15 * MINUTE, Status::Ended))
            }
            (ServiceFault::EndedRestarts, Event::ReleaseDone) => {
                let phase = if view.mode.runs(crate::spec::Phase::Incremental) {
                    Status::IncrementalMigration
                } else {
                    Status::FullMigration
                };
                Some((now + 15 * MINUTE, phase))
            }
            (ServiceFault::PauseUndone, Event::Pause) if view.status == Status::Paused => {
                view.phase.map(|phase| (now + 5 * MINUTE, phase.running()))
            }
            _ => None,
        };
        if let Some(shown) = shown {
            self.inject_display(task, fault, shown);
        }
    }

    fn inject_display(&mut self, task: u64, fault: ServiceFault, shown: (Ms, Status)) {
        self.fault_done = true;
        let job = self.job_mut(task);
        job.shown = Some(shown);
        let note = format!(
            "service fault {} injected into job {} (shows {} from {})",
            fault.name(),
            job.id,
            shown.1.api_code().unwrap_or("?"),
            format_time(shown.0)
        );
        self.notes.push(note);
    }

    /// Draws the task's next step of the service's own, by its status now.
    fn replan(&mut self, task: u64) {
        let generation = {
            let job = self.job_mut(task);
            job.generation = job.generation.wrapping_add(1);
            job.generation
        };
        let Some(view) = self.view(task) else { return };
        let hang = match self.fault.filter(|_| !self.fault_done) {
            Some(fault @ ServiceFault::StuckStarting) if view.status == Status::Starting => {
                Some(fault)
            }
            Some(fault @ ServiceFault::ReleaseHangs) if view.status == Status::Ending => {
                Some(fault)
            }
            _ => None,
        };
        if let Some(fault) = hang {
            self.fault_done = true;
            let id = self.job(task).id.clone();
            self.notes.push(format!(
                "service fault {} injected into job {id} (it never leaves {})",
                fault.name(),
                view.status.api_code().unwrap_or("?")
            ));
            return;
        }
        let Some((due, event)) = self.plan(task, &view) else {
            return;
        };
        let seq = self.next_seq();
        self.timers.insert(
            (due.max(self.now), seq),
            Due::System {
                task,
                generation,
                event,
            },
        );
    }

    fn plan(&mut self, task: u64, view: &TaskView) -> Option<(Ms, Event)> {
        let p = self.profile.clone();
        let now = self.now;
        let rng = &mut self.rng;
        let (delay, event) = match view.status {
            Status::Creating => {
                let d = rng.between(p.creating);
                let failed = rng.unit() < p.create_failure;
                let e = if failed {
                    Event::InstanceCreationFailed
                } else {
                    Event::InstanceReady
                };
                (d, e)
            }
            Status::WaitingToStart => {
                let at = self.jobs[(task - 1) as usize].start_at.unwrap_or(now);
                return Some((at.max(now), Event::StartTimeReached));
            }
            Status::Starting => {
                let d = rng.between(p.starting);
                let e = if rng.unit() < p.start_failure {
                    Event::StartError
                } else {
                    Event::StartSucceeded
                };
                (d, e)
            }
            Status::FullMigration => {
                let d = rng.log_between(p.full);
                let r = rng.unit();
                let e = if r < p.full_fault {
                    Event::InstanceFault
                } else if r < p.full_fault + p.full_failure {
                    Event::FullError
                } else {
                    Event::FullDone
                };
                (d, e)
            }
            Status::FullMigrationComplete => {
                let d = rng.between(p.full_complete);
                let e = if view.mode == Mode::Full {
                    Event::MigrationFinished
                } else {
                    Event::IncrementalBegun
                };
                (d, e)
            }
            Status::IncrementalMigration => {
                let d = rng.log_between(p.incremental);
                let r = rng.unit();
                if r < p.incremental_fault {
                    (d, Event::InstanceFault)
                } else if r < p.incremental_fault + p.incremental_failure {
                    (d, Event::IncrementalError)
                } else {
                    return None;
                }
            }
            Status::FaultRecovery => {
                let d = rng.between(p.recovery);
                let e = if rng.unit() < p.recovery_failure {
                    Event::RecoveryError
                } else {
                    Event::RecoveryDone
                };
                (d, e)
            }
            Status::StartFailed
            | Status::FullMigrationFailed
            | Status::IncrementalMigrationFailed
            | Status::FaultRecoveryFailed => {
                let days = self.jobs[(task - 1) as usize].expired_days as Ms;
                (days * DAY, Event::AbnormalTimeout)
            }
            Status::EndRequested => (rng.between(p.end_requested), Event::ReleaseBegun),
            Status::Ending => {
                let d = rng.between(p.release);
                let e = if rng.unit() < p.release_failure {
                    Event::ReleaseError
                } else {
                    Event::ReleaseDone
                };
                (d, e)
            }
            Status::Frozen => (p.retention_days as Ms * DAY, Event::RetentionExpired),
            Status::CreateFailed
            | Status::Configuration
            | Status::Paused
            | Status::EndFailed
            | Status::Ended
            | Status::Deleted => return None,
        };
        Some((now + delay, event))
    }

    // -----------------------------------------------------------------------------------
    // Projects, jobs and what a poll shows.

    fn account_of(&mut self, project: &str) -> u32 {
        if let Some(&a) = self.by_project.get(project) {
            return a;
        }
        let a = self.accounts.len() as u32;
        self.accounts.push(Account::new(project));
        self.by_project.insert(project.to_string(), a);
        a
    }

    fn index_listed(&mut self, task: u64) {
        let job = &self.jobs[(task - 1) as usize];
        let kind = job_type(job).to_string();
        let account = &mut self.accounts[job.account as usize];
        account.listed.push(task);
        *account.types.entry(kind).or_default() += 1;
    }

    fn unindex_listed(&mut self, task: u64) {
        let job = &self.jobs[(task - 1) as usize];
        let kind = job_type(job).to_string();
        let account = &mut self.accounts[job.account as usize];
        if let Some(i) = account.listed.iter().rposition(|&t| t == task) {
            account.listed.remove(i);
            if let Some(count) = account.types.get_mut(&kind) {
                *count = count.saturating_sub(1);
            }
        }
    }

    /// The task of a job id in a project: `None` when the project has no such job.
    fn find(&self, project: &str, job_id: &str) -> Option<u64> {
        let task = *self.by_id.get(job_id)?;
        let account = *self.by_project.get(project)?;
        (self.job(task).account == account).then_some(task)
    }

    /// The task's state once the commands accepted for it have taken effect.
    fn projected(&self, task: u64) -> Option<TaskSpec> {
        let mut spec = spec_of(&self.view(task)?);
        for pending in &self.job(task).pending {
            if let Some(next) = step(&spec, pending.event) {
                spec = next;
            }
        }
        Some(spec)
    }

    /// What a poll of the task shows: the specification's observation, or a service
    /// fault's display once it is due.
    fn shown(&self, task: u64) -> Observation {
        if let Some((from, status)) = self.job(task).shown {
            if from <= self.now {
                if let Some(code) = status.api() {
                    return Observation::Shows(code);
                }
            }
        }
        match self.view(task) {
            Some(view) => observe(&spec_of(&view)),
            None => Observation::Deleted,
        }
    }

    fn actions(&self, task: u64) -> JobActions {
        let mut available: Vec<&'static str> = Vec::new();
        if let Some(spec) = self.projected(task) {
            for event in USER_OPS {
                if step(&spec, event).is_some() {
                    if let Some(name) = action_name(event) {
                        if !available.contains(&name) {
                            available.push(name);
                        }
                    }
                }
            }
        }
        let unavailable = ACTION_NAMES
            .into_iter()
            .filter(|name| !available.contains(name))
            .collect();
        let current = self
            .job(task)
            .pending
            .last()
            .and_then(|p| action_name(p.event));
        JobActions {
            available_actions: available,
            unavailable_actions: unavailable,
            current_action: current,
        }
    }

    fn record_poll(&mut self, task: u64, shown: Observation, actions: Option<&[&'static str]>) {
        if self.recorder.is_none() {
            return;
        }
        let job = self.job(task);
        let (status, error_code) = match shown {
            Observation::Shows(code) => (Some(code.code()), None),
            Observation::Deleted => (Some("DELETED"), None),
        };
        let record = StatusRecord {
            kind: "status",
            job: &job.id,
            t: format_time(self.now),
            status,
            error_code,
            mode: Some(job.mode.api_code()),
            account: Some(&self.accounts[job.account as usize].project),
            available_actions: actions,
        };
        let line = serde_json::to_string(&record).unwrap_or_default();
        self.write_line(line);
    }

    /// Whether the id is a job of another project: what this project was told (it does
    /// not exist) is not recorded, since a history keys jobs by id alone and the job does
    /// exist, in its own account.
    fn foreign(&self, project: &str, job_id: &str) -> bool {
        self.by_id
            .get(job_id)
            .is_some_and(|&task| self.by_project.get(project) != Some(&self.job(task).account))
    }

    fn record_missing(&mut self, project: &str, job_id: &str) {
        if self.recorder.is_none() || self.foreign(project, job_id) {
            return;
        }
        let record = StatusRecord {
            kind: "status",
            job: job_id,
            t: format_time(self.now),
            status: None,
            error_code: Some(api::NOT_FOUND),
            mode: None,
            account: None,
            available_actions: None,
        };
        let line = serde_json::to_string(&record).unwrap_or_default();
        self.write_line(line);
    }

    fn write_line(&mut self, line: String) {
        if let Some(out) = &mut self.recorder {
            if let Err(error) = writeln!(out, "{line}") {
                self.notes
                    .push(format!("recording stopped: cannot write: {error}"));
                self.recorder = None;
            }
        }
    }

    // -----------------------------------------------------------------------------------
    // The DRS calls.

    /// `create_job`: a new job of the project, in the mode of `base_info.task_type`.
    pub fn create(&mut self, project: &str, request: CreateJobReq) -> Result<Accepted, ApiError> {
        let base = &request.base_info;
        let mode: Mode = base.task_type.parse().map_err(|_| {
            ApiError::bad_request(format!(
                "job.base_info.task_type {:?} is not a migration mode: FULL_TRANS, FULL_INCR_TRANS or INCR_TRANS",
                base.task_type
            ))
        })?;
        if base.name.trim().is_empty() {
            return Err(ApiError::bad_request("job.base_info.name is empty"));
        }
        let expired_days = match &base.expired_days {
            None | Some(Value::Null) => self.profile.expired_days,
            Some(value) => {
                let text = match value {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                match text.trim().parse::<u64>() {
                    Ok(days) if (14..=100).contains(&days) => days,
                    _ => {
                        return Err(ApiError::bad_request(format!(
                            "job.base_info.expired_days {text:?} is impossible: 14 to 100"
                        )));
                    }
                }
            }
        };
        let start_time = match &base.start_time {
            None => None,
            Some(text) if text.trim().is_empty() => None,
            Some(text) => Some(parse_time(text).map_err(|error| {
                ApiError::bad_request(format!("job.base_info.start_time {text:?}: {error}"))
            })?),
        };
        let account = self.account_of(project);
        let command = Command::Create {
            account: AccountId(account),
            mode,
        };
        match self.plane.execute(&command) {
            Ok(Outcome::Task(change)) => {
                let task = change.task.0;
                if task != self.jobs.len() as u64 + 1 {
                    return Err(ApiError::new(
                        500,
                        "DRS.LC0500",
                        format!(
                            "the control plane handed out task {task}, expected {}: ids must be 1, 2, 3, … in creation order",
                            self.jobs.len() + 1
                        ),
                    ));
                }
                self.log.push(command);
                let id = job_id(self.seed, task);
                let name = base.name.clone();
                self.jobs.push(Job {
                    id: id.clone(),
                    name: name.clone(),
                    task,
                    account,
                    mode,
                    create_ms: self.now,
                    request,
                    expired_days,
                    start_time,
                    start_at: None,
                    generation: 0,
                    timeline: vec![Entry {
                        name: "create".into(),
                        success: true,
                        at: self.now,
                    }],
                    pending: Vec::new(),
                    shown: None,
                });
                self.by_id.insert(id.clone(), task);
                self.accounts[account as usize].jobs.push(task);
                self.index_listed(task);
                self.replan(task);
                Ok(Accepted {
                    id,
                    name,
                    query_id: format!("{:016x}", mix(self.seed ^ self.seq)),
                })
            }
            Ok(Outcome::Account { .. }) => Err(ApiError::new(
                500,
                "DRS.LC0500",
                "the control plane answered a creation with a billing outcome",
            )),
            Err(refusal) if refusal.kind() == Refused::AccountInArrears => Err(ApiError::new(
                403,
                api::ACCOUNT_FROZEN,
                format!(
                    "The project {project} is in arrears: its resources are frozen and no job can be created until it is recharged."
                ),
            )),
            Err(refusal) => Err(ApiError::new(
                409,
                api::NOT_ALLOWED,
                format!("the job cannot be created: {refusal}"),
            )),
        }
    }

    /// The creation time, status and request of a job, for `create_job`'s answer.
    pub fn created_status(&self, job_id: &str) -> Option<(&'static str, Ms)> {
        let task = *self.by_id.get(job_id)?;
        match self.shown(task) {
            Observation::Shows(code) => Some((code.code(), self.job(task).create_ms)),
            Observation::Deleted => Some(("DELETED", self.job(task).create_ms)),
        }
    }

    /// The status a job shows now, without recording a poll.
    pub fn status_shown(&self, project: &str, job_id: &str) -> Option<&'static str> {
        self.find(project, job_id)
            .map(|task| code_of(self.shown(task)))
    }

    /// `show_job_detail`: a poll by id (recorded). A deleted job answers `DELETED`.
    pub fn detail(&mut self, project: &str, job_id: &str) -> Result<Detail, ApiError> {
        let Some(task) = self.find(project, job_id) else {
            self.record_missing(project, job_id);
            return Err(ApiError::not_found(job_id));
        };
        let shown = self.shown(task);
        self.record_poll(task, shown, None);
        let job = self.job(task);
        Ok(Detail {
            id: job.id.clone(),
            status: code_of(shown),
            create_ms: job.create_ms,
            request: job.request.clone(),
        })
    }

    /// A poll by id for v3 batch-status (recorded): the status shown, or `None` when the
    /// job does not exist.
    pub fn status_of(&mut self, project: &str, job_id: &str) -> Option<&'static str> {
        let Some(task) = self.find(project, job_id) else {
            self.record_missing(project, job_id);
            return None;
        };
        let shown = self.shown(task);
        self.record_poll(task, shown, None);
        Some(code_of(shown))
    }

    /// `list_jobs` (and the v3 list): the project's jobs but deleted ones, filtered and
    /// paged; each listed job is recorded as a poll with its available actions. Answers
    /// the page and how many match.
    pub fn list(&mut self, project: &str, query: &ListQuery) -> (usize, Vec<Listed>) {
        let Some(&account) = self.by_project.get(project) else {
            return (0, Vec::new());
        };
        let acc = &self.accounts[account as usize];
        // Without filters on what a poll shows (and without a service fault's display,
        // which lists a deleted job again), the list is the index: no job is looked at
        // but those of the page.
        let plain = query.status.is_none() && query.name.is_none() && !self.fault_done;
        let all_of_type = query
            .job_type
            .as_deref()
            .is_none_or(|t| acc.types.get(t).copied().unwrap_or(0) == acc.listed.len());
        let (total, page): (usize, Vec<u64>) = if plain && all_of_type {
            let page = if query.ascending {
                acc.listed
                    .iter()
                    .skip(query.offset)
                    .take(query.limit)
                    .copied()
                    .collect()
            } else {
                acc.listed
                    .iter()
                    .rev()
                    .skip(query.offset)
                    .take(query.limit)
                    .copied()
                    .collect()
            };
            (acc.listed.len(), page)
        } else {
            let keep = |task: u64| {
                let job = self.job(task);
                if query
                    .job_type
                    .as_deref()
                    .is_some_and(|t| t != job_type(job))
                {
                    return false;
                }
                if query.name.as_deref().is_some_and(|n| !job.name.contains(n)) {
                    return false;
                }
                match self.shown(task) {
                    Observation::Shows(code) if code != ApiCode::Deleted => {
                        query.status.as_deref().is_none_or(|s| s == code.code())
                    }
                    _ => false,
                }
            };
            let matching: Vec<u64> = if query.ascending {
                acc.jobs.iter().copied().filter(|&t| keep(t)).collect()
            } else {
                acc.jobs
                    .iter()
                    .rev()
                    .copied()
                    .filter(|&t| keep(t))
                    .collect()
            };
            let total = matching.len();
            (
                total,
                matching
                    .into_iter()
                    .skip(query.offset)
                    .take(query.limit)
                    .collect(),
            )
        };
        let mut out = Vec::with_capacity(page.len());
        for task in page {
            let actions = self.actions(task);
            let shown = self.shown(task);
            let code = code_of(shown);
            self.record_poll(task, shown, Some(&actions.available_actions));
            let job = self.job(task);
            out.push(Listed {
                id: job.id.clone(),
                name: job.name.clone(),
                status: code,
                create_ms: job.create_ms,
                mode: job.mode,
                base_info: job.request.base_info.clone(),
                actions,
            });
        }
        (total, out)
    }

    /// `show_actions`: what the service would accept now (not recorded: no status).
    pub fn show_actions(&self, project: &str, job_id: &str) -> Result<JobActions, ApiError> {
        let task = self
            .find(project, job_id)
            .ok_or_else(|| ApiError::not_found(job_id))?;
        if self.view(task).is_none_or(|v| v.status == Status::Deleted) {
            return Err(ApiError::not_found(job_id));
        }
        Ok(self.actions(task))
    }

    /// `show_timeline`: the operations done on the job, oldest first, paged.
    pub fn timeline(
        &self,
        project: &str,
        job_id: &str,
        offset: usize,
        limit: usize,
    ) -> Result<(usize, Vec<TimelineInfo>), ApiError> {
        let task = self
            .find(project, job_id)
            .ok_or_else(|| ApiError::not_found(job_id))?;
        let all = &self.job(task).timeline;
        let entries = all
            .iter()
            .skip(offset)
            .take(limit)
            .map(|entry| TimelineInfo {
                name: entry.name.to_string(),
                status: if entry.success { "success" } else { "failed" }.into(),
                operation_time: ms_string(entry.at),
                user_name: project.to_string(),
            })
            .collect();
        Ok((all.len(), entries))
    }

    /// A lifecycle operation (or one outside the lifecycle, answered and ignored) on a
    /// job: accepted when the specification accepts it in the state the job will be in once
    /// the commands already accepted have taken effect; recorded either way.
    pub fn operate(
        &mut self,
        project: &str,
        job_id: &str,
        op: OpRequest<'_>,
    ) -> Result<Accepted, ApiError> {
        let word = op.word.trim();
        let lower = word.to_ascii_lowercase();
        let explicit_time = match op.start_time {
            Some(text) if !text.trim().is_empty() => Some(parse_time(text).map_err(|error| {
                ApiError::bad_request(format!("action_params.start_time {text:?}: {error}"))
            })?),
            _ => None,
        };
        // What the operation is, before looking at the job.
        enum Wanted {
            Lifecycle(&'static [Event]),
            Start,
            Neutral,
        }
        let wanted = match op.call {
            Call::ExecuteJobAction | Call::BatchExecuteJobActions => match lower.as_str() {
                "start" => Wanted::Start,
                "stop" => Wanted::Lifecycle(&[Event::Pause]),
                "restart" => Wanted::Lifecycle(&[Event::Resume, Event::Retry]),
                "reset" => Wanted::Lifecycle(&[Event::Reset]),
                "terminate" if op.force => Wanted::Lifecycle(&[Event::ForceEnd]),
                "terminate" => Wanted::Lifecycle(&[Event::End]),
                "force_terminate" => Wanted::Lifecycle(&[Event::ForceEnd]),
                other if NEUTRAL_ACTIONS.contains(&other) => Wanted::Neutral,
                _ => {
                    return Err(ApiError::bad_request(format!(
                        "action_name {word:?} is not an action: start, stop (pause), restart (resume or retry), reset, terminate, or one outside the lifecycle ({})",
                        NEUTRAL_ACTIONS.join(", ")
                    )));
                }
            },
            Call::StopJobAction | Call::BatchStopJobsAction => {
                if op.force {
                    Wanted::Lifecycle(&[Event::ForceEnd])
                } else {
                    Wanted::Lifecycle(&[Event::End])
                }
            }
            Call::DeleteJob | Call::BatchDeleteJobsById => Wanted::Lifecycle(&[Event::Delete]),
            Call::BatchStopJobs => Wanted::Lifecycle(&[Event::Pause]),
            Call::BatchDeleteJobs => match lower.as_str() {
                "terminate" => Wanted::Lifecycle(&[Event::End]),
                "force_terminate" => Wanted::Lifecycle(&[Event::ForceEnd]),
                "delete" => Wanted::Lifecycle(&[Event::Delete]),
                _ => {
                    return Err(ApiError::bad_request(format!(
                        "delete_type {word:?} is not one of terminate, force_terminate, delete"
                    )));
                }
            },
        };
        let schedule_at = |service: &Self, task: u64| -> Option<Ms> {
            explicit_time
                .or(service.job(task).start_time)
                .filter(|&at| at > service.now)
        };
        let record_word: &str = word;
        let found = self
            .find(project, job_id)
            .filter(|&task| self.view(task).is_some_and(|v| v.status != Status::Deleted));
        let Some(task) = found else {
            if !self.foreign(project, job_id) {
                self.record_command(job_id, record_word, &op, None, Err(api::NOT_FOUND));
            }
            return Err(ApiError::not_found(job_id));
        };
        let Some(spec) = self.projected(task) else {
            self.record_command(job_id, record_word, &op, None, Err(api::NOT_FOUND));
            return Err(ApiError::not_found(job_id));
        };
        let mut start_at = None;
        let chosen = match wanted {
            Wanted::Neutral => None,
            Wanted::Start => {
                // An explicit future time schedules; the creation request's future time
                // schedules only where a schedule is accepted (a waiting job's `start`
                // starts it now).
                start_at = schedule_at(self, task).filter(|_| {
                    explicit_time.is_some() || step(&spec, Event::ScheduleStart).is_some()
                });
                Some(if start_at.is_some() {
                    vec![Event::ScheduleStart]
                } else {
                    vec![Event::StartNow]
                })
            }
            Wanted::Lifecycle(events) => Some(events.to_vec()),
        };
        let event = match &chosen {
            None => None,
            Some(events) => match events.iter().copied().find(|&e| step(&spec, e).is_some()) {
                Some(event) => Some(event),
                None if events == &[Event::ForceEnd]
                    && spec.status == Status::Creating
                    && self.fault == Some(ServiceFault::AcceptsForceEndInCreating)
                    && !self.fault_done =>
                {
                    self.fault_done = true;
                    let id = self.job(task).id.clone();
                    self.notes.push(format!(
                        "service fault accepts-force-end-in-creating injected into job {id} (a force end accepted while creating, and ignored)"
                    ));
                    self.push_timeline(task, word, true);
                    self.record_command(&id, record_word, &op, None, Ok(()));
                    let seq = self.next_seq();
                    return Ok(Accepted {
                        name: self.job(task).name.clone(),
                        id,
                        query_id: format!("{:016x}", mix(self.seed ^ seq)),
                    });
                }
                None => {
                    let id = self.job(task).id.clone();
                    let error = self.refusal(task, &spec, word);
                    self.push_timeline(task, word, false);
                    self.record_command(&id, record_word, &op, start_at, Err(api::NOT_ALLOWED));
                    return Err(error);
                }
            },
        };
        let id = self.job(task).id.clone();
        self.push_timeline(task, word, true);
        self.record_command(&id, record_word, &op, start_at, Ok(()));
        if let Some(event) = event {
            if event == Event::ScheduleStart {
                self.job_mut(task).start_at = start_at;
            }
            let ignored = event == Event::ForceEnd
                && self.fault == Some(ServiceFault::ForceEndIgnored)
                && !self.fault_done;
            if ignored {
                self.fault_done = true;
                self.notes.push(format!(
                    "service fault force-end-ignored injected into job {id} (the accepted force end is never applied)"
                ));
            } else {
                let [low, high] = if event == Event::Delete {
                    [0, 0]
                } else {
                    self.profile.command_delay
                };
                let delay = if high == 0 {
                    0
                } else {
                    self.rng.between([low, high])
                };
                let last = self.job(task).pending.last().map_or(self.now, |p| p.due);
                let due = (self.now + delay).max(last);
                self.job_mut(task).pending.push(Pending { event, due });
                let seq = self.next_seq();
                self.timers.insert((due, seq), Due::User { task, event });
                if due <= self.now {
                    let now = self.now;
                    self.advance(now);
                }
            }
        }
        let seq = self.next_seq();
        Ok(Accepted {
            name: self.job(task).name.clone(),
            id,
            query_id: format!("{:016x}", mix(self.seed ^ seq)),
        })
    }

    fn refusal(&self, task: u64, spec: &TaskSpec, word: &str) -> ApiError {
        let job = self.job(task);
        let shown = code_of(self.shown(task));
        let actions = self.actions(task);
        let allowed = if actions.available_actions.is_empty() {
            "none".to_string()
        } else {
            actions.available_actions.join(", ")
        };
        let why = if spec.status == Status::Frozen {
            format!(
                "the job {} is frozen: the project {} is in arrears; nothing can be operated until it is recharged",
                job.id, self.accounts[job.account as usize].project
            )
        } else {
            format!(
                "the job {} does not allow {word:?} in its current status {shown} ({}); it allows now: {allowed}",
                job.id,
                spec.status.zh()
            )
        };
        ApiError::new(409, api::NOT_ALLOWED, why)
    }

    fn push_timeline(&mut self, task: u64, word: &str, success: bool) {
        let at = self.now;
        self.job_mut(task).timeline.push(Entry {
            name: word.into(),
            success,
            at,
        });
    }

    fn record_command(
        &mut self,
        job_id: &str,
        word: &str,
        op: &OpRequest<'_>,
        start_at: Option<Ms>,
        answer: Result<(), &str>,
    ) {
        if self.recorder.is_none() {
            return;
        }
        let (force_delete, is_force_stop) = match op.call {
            Call::ExecuteJobAction | Call::BatchExecuteJobActions if op.force => (Some(true), None),
            Call::StopJobAction | Call::BatchStopJobsAction if op.force => (None, Some(true)),
            _ => (None, None),
        };
        let record = CommandRecord {
            kind: "command",
            job: job_id,
            t: format_time(self.now),
            op: word,
            call: op.call.sdk_name(),
            start_time: start_at.map(format_time),
            force_delete,
            is_force_stop,
            answer: if answer.is_ok() {
                "accepted"
            } else {
                "refused"
            },
            error_code: answer.err(),
        };
        self.write_record(&record);
    }

    // -----------------------------------------------------------------------------------
    // The emulator's own controls (not DRS).

    /// Billing: the project falls into arrears (`true`) or is recharged (`false`);
    /// recorded. Answers how many of its tasks froze or unfroze.
    pub fn billing(&mut self, project: &str, arrears: bool) -> Result<u32, ApiError> {
        let account = self.account_of(project);
        let command = if arrears {
            Command::Arrears {
                account: AccountId(account),
            }
        } else {
            Command::Recharge {
                account: AccountId(account),
            }
        };
        let before: Vec<(u64, Status)> = self.accounts[account as usize]
            .jobs
            .iter()
            .filter_map(|&t| self.view(t).map(|v| (t, v.status)))
            .collect();
        match self.plane.execute(&command) {
            Ok(outcome) => {
                self.log.push(command);
                let record = json!({
                    "kind": "billing",
                    "account": project,
                    "t": format_time(self.now),
                    "event": if arrears { "arrears" } else { "recharged" },
                });
                self.write_record(&record);
                for (task, status) in before {
                    let now_status = self.view(task).map(|v| v.status);
                    if now_status != Some(status) {
                        self.frozen_hook(task, arrears, status);
                        self.replan(task);
                    }
                }
                Ok(match outcome {
                    Outcome::Account { tasks_changed, .. } => tasks_changed,
                    Outcome::Task(_) => 0,
                })
            }
            Err(refusal) => Err(ApiError::new(
                409,
                api::NOT_ALLOWED,
                format!("project {project}: {refusal}"),
            )),
        }
    }

    /// The `frozen-keeps-migrating` fault: the first migrating task arrears freeze shows its
    /// phase ending 10 to 20 minutes later.
    fn frozen_hook(&mut self, task: u64, arrears: bool, was: Status) {
        if !arrears
            || self.fault != Some(ServiceFault::FrozenKeepsMigrating)
            || self.fault_done
            || !matches!(was, Status::FullMigration | Status::IncrementalMigration)
        {
            return;
        }
        let at = self.now + self.rng.between([600, 1200]);
        let shows = if was == Status::FullMigration {
            Status::FullMigrationComplete
        } else {
            Status::IncrementalMigrationFailed
        };
        self.inject_display(task, ServiceFault::FrozenKeepsMigrating, (at, shows));
    }

    /// Makes a report of the service happen to a job now (`instance fault`, `start error`,
    /// `recovery error`, … any system event the job's status accepts): the emulator's
    /// fault injection. Not recorded (the service's own steps are what polls discover).
    pub fn inject(&mut self, project: &str, job_id: &str, event: &str) -> Result<(), ApiError> {
        let event: Event = event.parse().map_err(|_| {
            ApiError::bad_request(format!(
                "{event:?} is not an event; the service's own: {}",
                Event::ON_TASK
                    .iter()
                    .filter(|e| e.source() == Source::System)
                    .map(|e| e.describe().replace(' ', "_"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
        if event.source() != Source::System {
            return Err(ApiError::bad_request(format!(
                "{} is not the service's own event: user operations go through the DRS API, billing through /_emulator/v1/projects/{{project_id}}/arrears and /recharge",
                event.describe()
            )));
        }
        let task = self
            .find(project, job_id)
            .ok_or_else(|| ApiError::not_found(job_id))?;
        self.apply(task, event)
            .map_err(|why| ApiError::new(409, api::NOT_ALLOWED, format!("job {job_id}: {why}")))
    }

    /// The whole state for people and tests: the clock, projects with their arrears, and
    /// every job with its specification state, what a poll shows, pending commands and
    /// its next timer.
    pub fn snapshot(&self) -> Value {
        let arrears: Vec<u32> = self.plane.accounts_in_arrears().map(|a| a.0).collect();
        let mut next: HashMap<u64, (Ms, Event)> = HashMap::new();
        for (&(due, _), timer) in &self.timers {
            if let Due::System {
                task,
                generation,
                event,
            } = *timer
            {
                if self.job(task).generation == generation {
                    next.entry(task).or_insert((due, event));
                }
            }
        }
        let jobs: Vec<Value> = self
            .jobs
            .iter()
            .map(|job| {
                let view = self.view(job.task);
                json!({
                    "id": job.id,
                    "name": job.name,
                    "project_id": self.accounts[job.account as usize].project,
                    "task_type": job.mode.api_code(),
                    "state": view.map(|v| spec_of(&v).to_string()),
                    "status": view.map(|v| v.status.name()),
                    "shows": code_of(self.shown(job.task)),
                    "pending": job.pending.iter().map(|p| json!({
                        "event": p.event.describe(), "due": format_time(p.due)
                    })).collect::<Vec<_>>(),
                    "next": next.get(&job.task).map(|(due, event)| json!({
                        "event": event.describe(), "due": format_time(*due)
                    })),
                })
            })
            .collect();
        json!({
            "now": format_time(self.now),
            "now_ms": self.now,
            "projects": self.accounts.iter().enumerate().map(|(i, a)| json!({
                "project_id": a.project,
                "in_arrears": arrears.contains(&(i as u32)),
                "jobs": a.jobs.len(),
            })).collect::<Vec<_>>(),
            "jobs": jobs,
        })
    }

    // -----------------------------------------------------------------------------------
    // Saving and resuming.

    /// The whole state as JSON: the service's own bookkeeping and the plane's accepted
    /// commands, which [`restore`](Self::restore) replays.
    pub fn save(&self) -> String {
        let saved = Saved {
            format: STATE_FORMAT.into(),
            seed: self.seed,
            rng: self.rng.clone(),
            now: self.now,
            seq: self.seq,
            accounts: self.accounts.clone(),
            jobs: self.jobs.clone(),
            timers: self
                .timers
                .iter()
                .map(|(&(due, seq), &timer)| (due, seq, timer))
                .collect(),
            log: self.log.clone(),
            fault: self.fault.map(|f| f.name().to_string()),
            fault_done: self.fault_done,
        };
        serde_json::to_string(&saved).unwrap_or_default()
    }

    /// A service resumed from [`save`](Self::save)'s text over an empty `plane`: the
    /// plane's commands are replayed, and every job and timer resumes where it was.
    pub fn restore(text: &str, plane: P, profile: Profile) -> Result<Service<P>, String> {
        let saved: Saved =
            serde_json::from_str(text).map_err(|error| format!("not a saved state: {error}"))?;
        if saved.format != STATE_FORMAT {
            return Err(format!("format {:?} is not {STATE_FORMAT:?}", saved.format));
        }
        let mut service = Service::new(plane, profile, saved.seed, saved.now);
        for (i, command) in saved.log.iter().enumerate() {
            service.plane.execute(command).map_err(|refusal| {
                format!(
                    "command {} of the saved log ({command}) is refused on replay: {refusal}",
                    i + 1
                )
            })?;
        }
        let tasks = service.plane.tasks().count();
        if tasks != saved.jobs.len() {
            return Err(format!(
                "the saved log creates {tasks} tasks but the state has {} jobs",
                saved.jobs.len()
            ));
        }
        for (i, job) in saved.jobs.iter().enumerate() {
            if job.task != i as u64 + 1 || job.account as usize >= saved.accounts.len() {
                return Err(format!("job {} is inconsistent with the saved log", job.id));
            }
        }
        for &(_, _, timer) in &saved.timers {
            let (Due::System { task, .. } | Due::User { task, .. }) = timer;
            if task == 0 || task as usize > saved.jobs.len() {
                return Err(format!(
                    "a saved timer names task {task}, which does not exist"
                ));
            }
        }
        service.rng = saved.rng;
        service.seq = saved.seq;
        service.by_project = saved
            .accounts
            .iter()
            .enumerate()
            .map(|(i, a)| (a.project.clone(), i as u32))
            .collect();
        service.accounts = saved.accounts;
        service.by_id = saved.jobs.iter().map(|j| (j.id.clone(), j.task)).collect();
        service.jobs = saved.jobs;
        service.timers = saved
            .timers
            .into_iter()
            .map(|(due, seq, timer)| ((due, seq), timer))
            .collect();
        service.log = saved.log;
        for task in 1..=service.jobs.len() as u64 {
            if service
                .view(task)
                .is_some_and(|v| v.status != Status::Deleted)
            {
                service.index_listed(task);
            }
        }
        service.fault = saved
            .fault
            .and_then(|name| ServiceFault::ALL.into_iter().find(|f| f.name() == name));
        service.fault_done = saved.fault_done;
        Ok(service)
    }
}

fn code_of(shown: Observation) -> &'static str {
    match shown {
        Observation::Shows(code) => code.code(),
        Observation::Deleted => "DELETED",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Fleet;

    const START: Ms = 1_740_787_200_000;

    fn calm() -> Profile {
        Profile {
            create_failure: 0.0,
            start_failure: 0.0,
            full_fault: 0.0,
            full_failure: 0.0,
            incremental_fault: 0.0,
            incremental_failure: 0.0,
            recovery_failure: 0.0,
            release_failure: 0.0,
            ..Profile::default()
        }
    }

    fn service() -> Service<Fleet> {
        Service::new(Fleet::new(), calm(), 7, START)
    }

    fn create(service: &mut Service<Fleet>, mode: &str) -> String {
        let request: CreateJobReq = serde_json::from_value(json!({
            "base_info": {"name": "n", "task_type": mode, "engine_type": "mysql"},
            "source_endpoint": [{"db_type": "mysql"}],
        }))
        .expect("a request");
        service.create("p", request).expect("created").id
    }

    fn action<'a>(word: &'a str) -> OpRequest<'a> {
        OpRequest {
            call: Call::ExecuteJobAction,
            word,
            start_time: None,
            force: false,
        }
    }

    fn shows(service: &mut Service<Fleet>, id: &str) -> &'static str {
        service.detail("p", id).expect("exists").status
    }

    /// Advances a day at a time (at most `days`) until the job shows `code`.
    fn run_until(service: &mut Service<Fleet>, id: &str, code: &str) {
        for _ in 0..10_000 {
            if shows(service, id) == code {
                return;
            }
            let next = service.next_due().expect("something is due");
            service.advance(next);
        }
        panic!("{id} never showed {code}");
    }

    #[test]
    fn an_accepted_command_is_answered_before_it_takes_effect() {
        let mut s = service();
        let id = create(&mut s, "FULL_INCR_TRANS");
        run_until(&mut s, &id, "CONFIGURATION");
        s.operate("p", &id, action("start"))
            .expect("start accepted");
        assert_eq!(shows(&mut s, &id), "CONFIGURATION", "not yet in effect");
        let actions = s.show_actions("p", &id).expect("actions");
        assert_eq!(actions.current_action, Some("START"));
        assert!(actions.available_actions.contains(&"FORCE_TERMINATE"));
        assert!(
            !actions.available_actions.contains(&"START"),
            "the start is already taken"
        );
        run_until(&mut s, &id, "INCRE_TRANSFER_STARTED");
        s.operate("p", &id, action("stop")).expect("pause accepted");
        let refused = s
            .operate("p", &id, action("stop"))
            .expect_err("a second pause");
        assert_eq!(refused.error_code, api::NOT_ALLOWED);
        let now = s.now();
        s.advance(now + 3_000);
        assert_eq!(shows(&mut s, &id), "PAUSING");
    }

    #[test]
    fn restart_resumes_a_paused_job_and_retries_a_failed_one() {
        let mut s = service();
        let id = create(&mut s, "FULL_TRANS");
        run_until(&mut s, &id, "CONFIGURATION");
        s.operate("p", &id, action("start")).expect("start");
        run_until(&mut s, &id, "FULL_TRANSFER_STARTED");
        s.operate("p", &id, action("stop")).expect("pause");
        run_until(&mut s, &id, "PAUSING");
        assert!(
            s.show_actions("p", &id)
                .expect("a")
                .available_actions
                .contains(&"RETRY")
        );
        s.operate("p", &id, action("restart")).expect("resume");
        run_until(&mut s, &id, "STARTJOBING");
        s.inject("p", &id, "start_error").expect("a start error");
        assert_eq!(shows(&mut s, &id), "START_JOB_FAILED");
        s.operate("p", &id, action("restart")).expect("retry");
        run_until(&mut s, &id, "FULL_TRANSFER_STARTED");
        // A full-only job ends by itself after its full phase.
        run_until(&mut s, &id, "RELEASE_RESOURCE_COMPLETE");
        let delete = OpRequest {
            call: Call::DeleteJob,
            ..action("delete")
        };
        s.operate("p", &id, delete).expect("delete");
        assert_eq!(shows(&mut s, &id), "DELETED");
        assert_eq!(
            s.list(
                "p",
                &ListQuery {
                    limit: 10,
                    ..ListQuery::default()
                }
            )
            .0,
            0
        );
        let again = s.operate("p", &id, delete).expect_err("a deleted job");
        assert_eq!(again.error_code, api::NOT_FOUND);
    }

    #[test]
    fn arrears_freeze_what_the_specification_freezes() {
        let mut s = service();
        let id = create(&mut s, "INCR_TRANS");
        run_until(&mut s, &id, "CONFIGURATION");
        s.operate("p", &id, action("start")).expect("start");
        run_until(&mut s, &id, "INCRE_TRANSFER_STARTED");
        assert_eq!(s.billing("p", true).expect("arrears"), 1);
        assert_eq!(
            shows(&mut s, &id),
            "INCRE_TRANSFER_STARTED",
            "frozen shows what it froze"
        );
        assert!(
            s.show_actions("p", &id)
                .expect("a")
                .available_actions
                .is_empty()
        );
        let refused = s.operate("p", &id, action("stop")).expect_err("frozen");
        assert!(
            refused.error_msg.contains("arrears"),
            "{}",
            refused.error_msg
        );
        let request: CreateJobReq = serde_json::from_value(json!({
            "base_info": {"name": "n", "task_type": "FULL_TRANS"}
        }))
        .expect("a request");
        assert_eq!(
            s.create("p", request).expect_err("in arrears").error_code,
            api::ACCOUNT_FROZEN
        );
        assert!(s.billing("p", true).is_err(), "already in arrears");
        s.billing("p", false).expect("recharge");
        s.operate("p", &id, action("stop"))
            .expect("pause after recharge");
    }

    #[test]
    fn a_saved_state_resumes_with_the_same_future() {
        let mut s = service();
        let a = create(&mut s, "FULL_INCR_TRANS");
        let b = create(&mut s, "FULL_TRANS");
        run_until(&mut s, &a, "CONFIGURATION");
        s.operate("p", &a, action("start")).expect("start");
        s.operate("p", &b, action("start")).ok();
        let mut resumed = Service::restore(&s.save(), Fleet::new(), calm()).expect("restores");
        assert_eq!(resumed.snapshot(), s.snapshot());
        let later = s.now() + 86_400_000;
        s.advance(later);
        resumed.advance(later);
        assert_eq!(resumed.snapshot(), s.snapshot());
        assert!(Service::restore("{}", Fleet::new(), calm()).is_err());
        let mut tampered: Value = serde_json::from_str(&s.save()).expect("json");
        tampered["log"] = json!([]);
        let error = Service::restore(&tampered.to_string(), Fleet::new(), calm())
            .err()
            .expect("a log that creates no task");
        assert!(error.contains("2 jobs"), "{error}");
    }

    #[test]
    fn a_service_fault_shows_a_deleted_job_again() {
        let mut s = service();
        s.set_fault(Some(ServiceFault::DeletedReappears));
        let id = create(&mut s, "FULL_TRANS");
        run_until(&mut s, &id, "CONFIGURATION");
        s.operate("p", &id, action("terminate")).expect("end");
        run_until(&mut s, &id, "RELEASE_RESOURCE_COMPLETE");
        let delete = OpRequest {
            call: Call::DeleteJob,
            ..action("delete")
        };
        s.operate("p", &id, delete).expect("delete");
        assert_eq!(shows(&mut s, &id), "DELETED");
        let now = s.now();
        s.advance(now + 16 * MINUTE);
        assert_eq!(shows(&mut s, &id), "RELEASE_RESOURCE_COMPLETE");
        assert!(
            s.take_notes()
                .iter()
                .any(|n| n.contains("deleted-reappears"))
        );
    }

    #[test]
    fn lists_page_filter_and_leave_deleted_jobs_out() {
        let mut s = service();
        let ids: Vec<String> = (0..3).map(|_| create(&mut s, "FULL_TRANS")).collect();
        let page = |s: &mut Service<Fleet>, query: ListQuery| {
            let (total, jobs) = s.list("p", &query);
            (total, jobs.into_iter().map(|j| j.id).collect::<Vec<_>>())
        };
        let all = ListQuery {
            limit: 10,
            job_type: Some("migration".into()),
            ..ListQuery::default()
        };
        assert_eq!(
            page(&mut s, all.clone()),
            (3, vec![ids[2].clone(), ids[1].clone(), ids[0].clone()])
        );
        let second = ListQuery {
            offset: 1,
            limit: 1,
            ascending: true,
            ..all.clone()
        };
        assert_eq!(page(&mut s, second), (3, vec![ids[1].clone()]));
        assert_eq!(
            page(
                &mut s,
                ListQuery {
                    job_type: Some("sync".into()),
                    ..all.clone()
                }
            )
            .0,
            0
        );
        run_until(&mut s, &ids[0], "CONFIGURATION");
        s.operate("p", &ids[0], action("terminate")).expect("end");
        run_until(&mut s, &ids[0], "RELEASE_RESOURCE_COMPLETE");
        let delete = OpRequest {
            call: Call::DeleteJob,
            ..action("delete")
        };
        s.operate("p", &ids[0], delete).expect("delete");
        assert_eq!(
            page(&mut s, all.clone()),
            (2, vec![ids[2].clone(), ids[1].clone()])
        );
        let configured = ListQuery {
            status: Some("CONFIGURATION".into()),
            ..all.clone()
        };
        let (total, _) = page(&mut s, configured);
        assert_eq!(total, 2, "the other two are configured by now");
        let resumed = Service::restore(&s.save(), Fleet::new(), calm()).expect("restores");
        let mut resumed = resumed;
        assert_eq!(
            page(&mut resumed, all).0,
            2,
            "the index is rebuilt on restore"
        );
    }

    #[test]
    fn the_simulators_newer_faults_misbehave_once() {
        let force = OpRequest {
            call: Call::StopJobAction,
            force: true,
            ..action("stop")
        };
        let mut s = service();
        s.set_fault(Some(ServiceFault::AcceptsForceEndInCreating));
        let id = create(&mut s, "FULL_TRANS");
        s.operate("p", &id, force).expect("wrongly accepted");
        assert_eq!(shows(&mut s, &id), "CREATING");
        let other = create(&mut s, "FULL_TRANS");
        assert!(s.operate("p", &other, force).is_err(), "only once");

        let mut s = service();
        s.set_fault(Some(ServiceFault::StuckStarting));
        let id = create(&mut s, "FULL_TRANS");
        run_until(&mut s, &id, "CONFIGURATION");
        s.operate("p", &id, action("start")).expect("start");
        run_until(&mut s, &id, "STARTJOBING");
        s.advance(s.now() + 30 * DAY);
        assert_eq!(shows(&mut s, &id), "STARTJOBING");
        assert_eq!(s.next_due(), None);
    }

    #[test]
    fn profiles_refuse_impossible_values() {
        assert!(Profile::from_toml("creating = [10, 5]").is_err());
        assert!(Profile::from_toml("start_failure = 1.5").is_err());
        assert!(Profile::from_toml("unknown = 1").is_err());
        assert_eq!(
            Profile::from_toml("start_failure = 0.5")
                .expect("ok")
                .start_failure,
            0.5
        );
    }
}
