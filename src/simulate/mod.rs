//! A seeded, deterministic simulation of a fleet of DRS tasks over simulated days, written
//! as a history in the record format `validate` reads (`docs/traces.md`).
//!
//! Why: the validator needs real-sized input with known answers, and an operator wants a
//! picture of what a fleet does over a week. The simulated service *is* the specification
//! ([`crate::spec::step`]) driven by simulated users, service reports and billing, with
//! durations drawn from the distributions documented in [`plan`]; a poller reads every task
//! every `poll_every` seconds with jitter and loses some polls, so short statuses are missed
//! as in life. A [`ServiceFault`] makes the service misbehave once, at a documented moment,
//! so that the validator's catch can be pinned to the job, the line and the claim.
//!
//! TIGER_STYLE: everything is bounded (tasks, accounts, days, events per task, samples),
//! time is simulated (never the wall clock), and the whole run is a function of its
//! [`Config`]: the generator is SplitMix64, written here so that a seed means the same
//! history in every version of every dependency.

pub mod svg;
#[cfg(test)]
#[path = "tests.rs"]
mod tests;

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::{self, Write};

use crate::spec::{Event, Mode, Observation, Phase, Status, TaskSpec, observe, step};

/// The most tasks a simulation may have.
pub const MAX_TASKS: usize = 10_000_000;
/// The most accounts.
pub const MAX_ACCOUNTS: usize = 100_000;
/// The most simulated days.
pub const MAX_DAYS: u32 = 366;
/// The most events (of any kind) one task may cause: a runaway plan is a bug, not a fleet.
pub const MAX_EVENTS_PER_TASK: u64 = 1_000_000;
/// The first simulated instant: 2025-03-01T00:00:00Z.
pub const EPOCH_MS: i64 = 1_740_787_200_000;

const SECOND: i64 = 1000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// A way the simulated service breaks the lifecycle, once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ServiceFault {
    /// 15 minutes after the first deletion, the task is back, showing
    /// `RELEASE_RESOURCE_COMPLETE` (Ended).
    DeletedReappears,
    /// 15 minutes after the first task ends, it is migrating again.
    EndedRestarts,
    /// 5 minutes after the first pause takes effect, a late report puts the task back in
    /// its phase.
    PauseUndone,
    /// The first migrating task that arrears should freeze keeps migrating: its phase ends
    /// 10 to 20 minutes later, while the account is still in arrears (an hour at least).
    FrozenKeepsMigrating,
    /// The first accepted force end is never applied.
    ForceEndIgnored,
    /// Six seconds after the first task is created, while it is still creating, the service
    /// accepts a force end of it (which the specification refuses in Creating), and ignores
    /// it.
    AcceptsForceEndInCreating,
    /// The first task to start stays starting forever: the service never reports the start's
    /// outcome.
    StuckStarting,
    /// The first release to begin never ends: the task shows `RELEASE_RESOURCE_STARTED`
    /// forever.
    ReleaseHangs,
}

impl ServiceFault {
    /// Every fault, in the order `--service-fault` lists them.
    pub const ALL: [ServiceFault; 8] = [
        ServiceFault::DeletedReappears,
        ServiceFault::EndedRestarts,
        ServiceFault::PauseUndone,
        ServiceFault::FrozenKeepsMigrating,
        ServiceFault::ForceEndIgnored,
        ServiceFault::AcceptsForceEndInCreating,
        ServiceFault::StuckStarting,
        ServiceFault::ReleaseHangs,
    ];

    /// The name `--service-fault` takes.
    pub const fn name(self) -> &'static str {
        match self {
            ServiceFault::DeletedReappears => "deleted-reappears",
            ServiceFault::EndedRestarts => "ended-restarts",
            ServiceFault::PauseUndone => "pause-undone",
            ServiceFault::FrozenKeepsMigrating => "frozen-keeps-migrating",
            ServiceFault::ForceEndIgnored => "force-end-ignored",
            ServiceFault::AcceptsForceEndInCreating => "accepts-force-end-in-creating",
            ServiceFault::StuckStarting => "stuck-starting",
            ServiceFault::ReleaseHangs => "release-hangs",
        }
    }
}

/// What to simulate.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// How many tasks the fleet creates.
    pub tasks: usize,
    /// How many accounts own them.
    pub accounts: usize,
    /// How long the simulated history runs, in days.
    pub days: u32,
    /// The seed: the same configuration and seed write the same history, byte for byte.
    pub seed: u64,
    /// Seconds between two polls of a task.
    pub poll_every_s: u32,
    /// Up to this many seconds earlier or later, uniformly.
    pub jitter_s: u32,
    /// The share of polls lost (no record).
    pub lost_polls: f64,
    /// A misbehaving service to simulate, for the validator to catch.
    pub fault: Option<ServiceFault>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            tasks: 100,
            accounts: 10,
            days: 7,
            seed: 1,
            poll_every_s: 60,
            jitter_s: 5,
            lost_polls: 0.01,
            fault: None,
        }
    }
}

impl Config {
    /// A one-line reason the configuration is impossible, or `None`.
    pub fn problem(&self) -> Option<String> {
        if self.tasks == 0 || self.tasks > MAX_TASKS {
            return Some(format!(
                "--tasks {} is impossible: 1 to {MAX_TASKS}",
                self.tasks
            ));
        }
        if self.accounts == 0 || self.accounts > MAX_ACCOUNTS {
            return Some(format!(
                "--accounts {} is impossible: 1 to {MAX_ACCOUNTS}",
                self.accounts
            ));
        }
        if self.days == 0 || self.days > MAX_DAYS {
            return Some(format!(
                "--days {} is impossible: 1 to {MAX_DAYS}",
                self.days
            ));
        }
        if self.poll_every_s == 0 || self.jitter_s >= self.poll_every_s {
            return Some(format!(
                "--poll-every {} with --jitter {} is impossible: the interval must be positive and \
                 larger than the jitter",
                self.poll_every_s, self.jitter_s
            ));
        }
        if !(0.0..1.0).contains(&self.lost_polls) {
            return Some(format!(
                "--lost-polls {} is impossible: a share in [0, 1)",
                self.lost_polls
            ));
        }
        None
    }
}

/// SplitMix64: small, fast, and the same sequence forever.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5851_f42d_4c95_7f2d)
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in [low, high].
    pub fn between(&mut self, low: i64, high: i64) -> i64 {
        debug_assert!(low <= high);
        low + (self.next_u64() % (high - low + 1) as u64) as i64
    }
    /// Log-uniform in [low, high]: as many short phases as long ones per decade.
    pub fn log_between(&mut self, low: i64, high: i64) -> i64 {
        let (a, b) = ((low as f64).ln(), (high as f64).ln());
        (a + (b - a) * self.unit()).exp() as i64
    }
    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// Who takes the next step of a task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Actor {
    /// The service reports on its own work.
    Service(Event),
    /// The user sends a command.
    User(Event),
}

/// The next step a task takes from `state`, and after how long (milliseconds): the
/// documented distributions of the simulation. `None`: the task waits for nothing (Deleted,
/// an Ended task nobody deletes).
///
/// | status | after | then |
/// |---|---|---|
/// | Creating | 2–6 min | instance ready 95 %, creation failed 5 % |
/// | CreateFailed | 10–60 min | user deletes |
/// | Configuration | 5–60 min | user starts now 80 %, schedules 20 % |
/// | WaitingToStart | 1–6 h | start time reached |
/// | Starting | 30–120 s | start succeeded 96 %, start error 3 %, user force-ends 1 % |
/// | FullMigration | 1–12 h, log-uniform | full done 93 %, instance fault 3 %, full error 2 %, user pauses 2 % |
/// | FullMigrationComplete | 10–60 s | incremental begun (full+incr), the system ends it (full) |
/// | IncrementalMigration | 6 h – 3 d, log-uniform | user ends 63 %, force-ends 7 %, pauses 15 %, instance fault 10 %, incremental error 5 % |
/// | Paused | 10–120 min | user resumes 85 %, ends 15 % |
/// | FaultRecovery | 2–10 min | recovery done 90 %, recovery error 10 % |
/// | a failed status | 10–120 min | user retries 70 %, resets 10 %, ends 20 % |
/// | EndRequested | 5–30 s | release begun |
/// | Ending | 1–5 min | release done 98 %, release error 2 % |
/// | EndFailed | 10–30 min | user ends again |
/// | Ended | 1–24 h | user deletes 70 %, else kept |
/// | Frozen | 7 d | retention expires (a recharge comes first, almost always) |
pub fn plan(state: &TaskSpec, rng: &mut Rng) -> Option<(i64, Actor)> {
    use Actor::{Service as S, User as U};
    let r = rng.unit();
    let pick = |r: f64, options: &[(f64, Actor)]| -> Actor {
        let mut acc = 0.0;
        for (p, actor) in options {
            acc += p;
            if r < acc {
                return *actor;
            }
        }
        options[options.len() - 1].1
    };
    Some(match state.status {
        Status::Creating => (
            rng.between(2 * MINUTE, 6 * MINUTE),
            pick(
                r,
                &[
                    (0.95, S(Event::InstanceReady)),
                    (0.05, S(Event::InstanceCreationFailed)),
                ],
            ),
        ),
        Status::CreateFailed => (rng.between(10 * MINUTE, HOUR), U(Event::Delete)),
        Status::Configuration => (
            rng.between(5 * MINUTE, HOUR),
            pick(
                r,
                &[(0.8, U(Event::StartNow)), (0.2, U(Event::ScheduleStart))],
            ),
        ),
        Status::WaitingToStart => (rng.between(HOUR, 6 * HOUR), S(Event::StartTimeReached)),
        Status::Starting => (
            rng.between(30 * SECOND, 2 * MINUTE),
            pick(
                r,
                &[
                    (0.96, S(Event::StartSucceeded)),
                    (0.03, S(Event::StartError)),
                    (0.01, U(Event::ForceEnd)),
                ],
            ),
        ),
        Status::FullMigration => (
            rng.log_between(HOUR, 12 * HOUR),
            pick(
                r,
                &[
                    (0.93, S(Event::FullDone)),
                    (0.03, S(Event::InstanceFault)),
                    (0.02, S(Event::FullError)),
                    (0.02, U(Event::Pause)),
                ],
            ),
        ),
        Status::FullMigrationComplete => (
            rng.between(10 * SECOND, MINUTE),
            match state.mode {
                Mode::Full => S(Event::MigrationFinished),
                _ => S(Event::IncrementalBegun),
            },
        ),
        Status::IncrementalMigration => (
            rng.log_between(6 * HOUR, 3 * DAY),
            pick(
                r,
                &[
                    (0.63, U(Event::End)),
                    (0.07, U(Event::ForceEnd)),
                    (0.15, U(Event::Pause)),
                    (0.10, S(Event::InstanceFault)),
                    (0.05, S(Event::IncrementalError)),
                ],
            ),
        ),
        Status::Paused => (
            rng.between(10 * MINUTE, 2 * HOUR),
            pick(r, &[(0.85, U(Event::Resume)), (0.15, U(Event::End))]),
        ),
        Status::FaultRecovery => (
            rng.between(2 * MINUTE, 10 * MINUTE),
            pick(
                r,
                &[
                    (0.9, S(Event::RecoveryDone)),
                    (0.1, S(Event::RecoveryError)),
                ],
            ),
        ),
        Status::StartFailed
        | Status::FullMigrationFailed
        | Status::IncrementalMigrationFailed
        | Status::FaultRecoveryFailed => (
            rng.between(10 * MINUTE, 2 * HOUR),
            pick(
                r,
                &[
                    (0.7, U(Event::Retry)),
                    (0.1, U(Event::Reset)),
                    (0.2, U(Event::End)),
                ],
            ),
        ),
        Status::EndRequested => (rng.between(5 * SECOND, 30 * SECOND), S(Event::ReleaseBegun)),
        Status::Ending => (
            rng.between(MINUTE, 5 * MINUTE),
            pick(
                r,
                &[
                    (0.98, S(Event::ReleaseDone)),
                    (0.02, S(Event::ReleaseError)),
                ],
            ),
        ),
        Status::EndFailed => (rng.between(10 * MINUTE, 30 * MINUTE), U(Event::End)),
        Status::Ended => {
            if r < 0.7 {
                (rng.between(HOUR, DAY), U(Event::Delete))
            } else {
                return None;
            }
        }
        Status::Frozen => (7 * DAY, S(Event::RetentionExpired)),
        Status::Deleted => return None,
    })
}

/// Fault and billing rates.
const ARREARS_PER_ACCOUNT_PER_DAY: f64 = 1.0 / 20.0;
/// A deleted task is polled for this many more rounds (an hour at the default interval).
const POLLS_AFTER_DELETE: u8 = 60;
const REFUSED_COMMAND_SHARE: f64 = 0.03;
const INDEFINITE_SHARE: f64 = 0.01;
const PREPAID_SHARE: f64 = 0.3;

/// The rates of the rare events a run draws and its runaway limit: the constants above, as a
/// value, so that a test can make a rare path common (arrears during a prepaid task's late
/// end, say) or a limit small enough to reach.
#[derive(Clone, Copy, Debug)]
struct Tuning {
    arrears_per_account_per_day: f64,
    prepaid_share: f64,
    max_events_per_task: u64,
}

const TUNING: Tuning = Tuning {
    arrears_per_account_per_day: ARREARS_PER_ACCOUNT_PER_DAY,
    prepaid_share: PREPAID_SHARE,
    max_events_per_task: MAX_EVENTS_PER_TASK,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum What {
    Create,
    Step(u32, Actor),
    Poll,
    /// An accepted command the service applies late (a prepaid task's end).
    ApplyLate(u32, u8),
    Arrears,
    Recharge,
    Fault(u32),
    Sample,
}

#[derive(Clone, Debug)]
struct SimTask {
    state: TaskSpec,
    account: u32,
    epoch: u32,
    polled: bool,
    after_delete: u8,
    prepaid: bool,
    /// An accepted end waits to be applied ([`What::ApplyLate`]).
    ending_late: bool,
    events: u64,
    exists: bool,
}

impl SimTask {
    /// Makes every event queued for this task stale (they carry an older epoch), and returns
    /// the epoch of the events queued next. The one place a task's epoch moves.
    fn new_epoch(&mut self) -> u32 {
        self.epoch += 1;
        self.epoch
    }
}

/// What a simulation did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    /// Lines written, of every kind.
    pub records: u64,
    /// Status polls written.
    pub polls: u64,
    /// User commands written.
    pub commands: u64,
    /// Billing events written.
    pub billing: u64,
    /// The job the fault was injected into, and when.
    pub fault_at: Option<(String, i64)>,
    /// Fleet status counts over time (for `--svg`): (time, count per status).
    pub samples: Vec<(i64, [u32; crate::spec::STATUS_COUNT])>,
}

/// The id of task `i`.
pub fn job_id(i: usize) -> String {
    format!("job-{i:06}")
}

/// The id of account `a`.
pub fn account_id(a: u32) -> String {
    format!("acct-{a:03}")
}

struct Writer<'w, W: Write> {
    out: &'w mut W,
    buf: Vec<u8>,
    day: i64,
    date: [u8; 11],
}

impl<W: Write> Writer<'_, W> {
    fn time(&mut self, ms: i64) {
        let day = ms.div_euclid(DAY);
        if day != self.day {
            self.day = day;
            let text = crate::history::format_time(day * DAY);
            self.date.copy_from_slice(&text.as_bytes()[..11]);
        }
        let s = ms.rem_euclid(DAY) / SECOND;
        let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60);
        self.buf.push(b'"');
        self.buf.extend_from_slice(&self.date);
        for (v, sep) in [(h, b':'), (m, b':'), (sec, b'Z')] {
            self.buf.push(b'0' + (v / 10) as u8);
            self.buf.push(b'0' + (v % 10) as u8);
            self.buf.push(sep);
        }
        self.buf.push(b'"');
    }

    fn flush_if_full(&mut self) -> io::Result<()> {
        if self.buf.len() > 1 << 20 {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }
}

fn push_job(buf: &mut Vec<u8>, i: usize) {
    buf.extend_from_slice(b"job-");
    let mut digits = [b'0'; 6];
    let mut n = i;
    for d in digits.iter_mut().rev() {
        *d = b'0' + (n % 10) as u8;
        n /= 10;
    }
    if n > 0 {
        buf.extend_from_slice(n.to_string().as_bytes());
    }
    buf.extend_from_slice(&digits);
}

/// Runs the simulation, writing the history to `out`.
pub fn run<W: Write>(config: &Config, out: &mut W) -> io::Result<Summary> {
    run_at(config, TUNING, out)
}

/// [`run`] with the given tuning.
fn run_at<W: Write>(config: &Config, tuning: Tuning, out: &mut W) -> io::Result<Summary> {
    assert!(
        config.problem().is_none(),
        "run() takes a valid configuration"
    );
    let mut rng = Rng::new(config.seed);
    let end = EPOCH_MS + i64::from(config.days) * DAY;
    let mut queue: BinaryHeap<Reverse<(i64, u64, usize, What)>> = BinaryHeap::new();
    let mut seq = 0u64;
    let mut push = |queue: &mut BinaryHeap<_>, time: i64, task: usize, what: What| {
        seq += 1;
        queue.push(Reverse((time, seq, task, what)));
    };
    let mut tasks: Vec<SimTask> = Vec::with_capacity(config.tasks);
    for i in 0..config.tasks {
        let mode = Mode::ALL[(rng.next_u64() % 3) as usize];
        let account = (rng.next_u64() % config.accounts as u64) as u32;
        tasks.push(SimTask {
            state: TaskSpec::created(mode),
            account,
            epoch: 0,
            polled: false,
            after_delete: 0,
            prepaid: rng.chance(tuning.prepaid_share),
            ending_late: false,
            events: 0,
            exists: false,
        });
        let created = EPOCH_MS + rng.between(0, (i64::from(config.days) * DAY / 2).max(1));
        push(&mut queue, created, i, What::Create);
    }
    let mut arrears = vec![false; config.accounts];
    let mut account_tasks: Vec<Vec<u32>> = vec![Vec::new(); config.accounts];
    for (i, task) in tasks.iter().enumerate() {
        account_tasks[task.account as usize].push(i as u32);
    }
    for a in 0..config.accounts {
        let first = exponential(&mut rng, tuning.arrears_per_account_per_day);
        push(&mut queue, EPOCH_MS + first, a, What::Arrears);
    }
    let sample_every = (i64::from(config.days) * DAY / 500).max(10 * MINUTE);
    push(&mut queue, EPOCH_MS, 0, What::Sample);

    let mut counts = [0u32; crate::spec::STATUS_COUNT];
    let mut summary = Summary::default();
    let mut fault_done = config.fault.is_none();
    // The task a stuck-status fault froze in place: its steps are dropped.
    let mut stuck_task: Option<usize> = None;
    let mut w = Writer {
        out,
        buf: Vec::with_capacity(1 << 21),
        day: i64::MIN,
        date: [0; 11],
    };
    // The source is the command that writes this history again: the polling options too,
    // where they are not the defaults.
    let default = Config::default();
    let mut polling = String::new();
    if config.poll_every_s != default.poll_every_s {
        polling += &format!(" --poll-every {}", config.poll_every_s);
    }
    if config.jitter_s != default.jitter_s {
        polling += &format!(" --jitter {}", config.jitter_s);
    }
    if config.lost_polls != default.lost_polls {
        polling += &format!(" --lost-polls {}", config.lost_polls);
    }
    let header = format!(
        "{{\"kind\":\"header\",\"format\":\"{}\",\"commands\":\"complete\",\"billing\":\"recorded\",\
         \"apply_within\":\"30m\",\"source\":\"drs-lifecycle simulate --tasks {} --accounts {} --days {} --seed {}{polling}{}\"}}\n",
        crate::history::FORMAT,
        config.tasks,
        config.accounts,
        config.days,
        config.seed,
        config
            .fault
            .map_or(String::new(), |f| format!(" --service-fault {}", f.name()))
    );
    w.buf.extend_from_slice(header.as_bytes());
    summary.records += 1;

    // Changes a task's state: counts, freezing in arrears, the next planned step.
    macro_rules! set_state {
        ($i:expr, $time:expr, $next:expr) => {{
            let i = $i;
            let mut next: TaskSpec = $next;
            if arrears[tasks[i].account as usize] && next.status.is_freezable() {
                next = step(&next, Event::AccountInArrears).unwrap_or(next);
            }
            counts[tasks[i].state.status.index()] -= 1;
            counts[next.status.index()] += 1;
            tasks[i].state = next;
            tasks[i].new_epoch();
            if let Some((after, actor)) = plan(&next, &mut rng) {
                push(
                    &mut queue,
                    $time + after,
                    i,
                    What::Step(tasks[i].epoch, actor),
                );
            }
        }};
    }

    while let Some(Reverse((time, _, i, what))) = queue.pop() {
        if time >= end {
            break;
        }
        match what {
            What::Sample => {
                summary.samples.push((time, counts));
                push(&mut queue, time + sample_every, 0, What::Sample);
            }
            What::Create => {
                if arrears[tasks[i].account as usize] {
                    push(&mut queue, time + HOUR, i, What::Create);
                    continue;
                }
                tasks[i].exists = true;
                counts[Status::Creating.index()] += 1;
                let state = tasks[i].state;
                tasks[i].new_epoch();
                if !fault_done && config.fault == Some(ServiceFault::AcceptsForceEndInCreating) {
                    fault_done = true;
                    summary.fault_at = Some((job_id(i), time + 6 * SECOND));
                    push(
                        &mut queue,
                        time + 6 * SECOND,
                        i,
                        What::Fault(tasks[i].epoch),
                    );
                }
                if let Some((after, actor)) = plan(&state, &mut rng) {
                    push(
                        &mut queue,
                        time + after,
                        i,
                        What::Step(tasks[i].epoch, actor),
                    );
                }
                push(&mut queue, time + rng.between(0, 5 * SECOND), i, What::Poll);
            }
            What::Poll => {
                let task = &mut tasks[i];
                let observed = observe(&task.state);
                if matches!(observed, Observation::Deleted) {
                    task.after_delete += 1;
                    if task.after_delete > POLLS_AFTER_DELETE {
                        continue;
                    }
                }
                let every = i64::from(config.poll_every_s) * SECOND;
                let jitter = i64::from(config.jitter_s) * SECOND;
                push(
                    &mut queue,
                    time + every + rng.between(-jitter, jitter),
                    i,
                    What::Poll,
                );
                if rng.chance(config.lost_polls) {
                    continue;
                }
                let task = &mut tasks[i];
                w.buf.extend_from_slice(b"{\"kind\":\"status\",\"job\":\"");
                push_job(&mut w.buf, i);
                w.buf.extend_from_slice(b"\",\"t\":");
                w.time(time);
                match observed {
                    Observation::Shows(code) => {
                        w.buf.extend_from_slice(b",\"status\":\"");
                        w.buf.extend_from_slice(code.code().as_bytes());
                        w.buf.push(b'"');
                    }
                    Observation::Deleted if task.after_delete <= 1 => {
                        w.buf.extend_from_slice(b",\"status\":\"DELETED\"");
                    }
                    Observation::Deleted => {
                        w.buf.extend_from_slice(b",\"error_code\":\"DRS.M05004\"");
                    }
                }
                if !task.polled {
                    task.polled = true;
                    w.buf.extend_from_slice(b",\"mode\":\"");
                    w.buf
                        .extend_from_slice(task.state.mode.api_code().as_bytes());
                    w.buf.extend_from_slice(b"\",\"account\":\"");
                    w.buf.extend_from_slice(account_id(task.account).as_bytes());
                    w.buf.push(b'"');
                }
                w.buf.extend_from_slice(b"}\n");
                summary.records += 1;
                summary.polls += 1;
                w.flush_if_full()?;
            }
            What::Step(epoch, actor) => {
                if epoch != tasks[i].epoch || stuck_task == Some(i) {
                    continue;
                }
                let stuck_in = match config.fault {
                    Some(ServiceFault::StuckStarting) => Some(Status::Starting),
                    Some(ServiceFault::ReleaseHangs) => Some(Status::Ending),
                    _ => None,
                };
                if !fault_done && stuck_in == Some(tasks[i].state.status) {
                    // The service never reports on this task again.
                    fault_done = true;
                    stuck_task = Some(i);
                    summary.fault_at = Some((job_id(i), time));
                    continue;
                }
                tasks[i].events += 1;
                assert!(
                    tasks[i].events <= tuning.max_events_per_task,
                    "task {i} runs away"
                );
                let state = tasks[i].state;
                match actor {
                    Actor::Service(event) => {
                        if let Some(next) = step(&state, event) {
                            let fault_now = !fault_done
                                && config.fault == Some(ServiceFault::EndedRestarts)
                                && next.status == Status::Ended;
                            set_state!(i, time, next);
                            if fault_now {
                                fault_done = true;
                                summary.fault_at = Some((job_id(i), time + 15 * MINUTE));
                                push(
                                    &mut queue,
                                    time + 15 * MINUTE,
                                    i,
                                    What::Fault(tasks[i].epoch),
                                );
                            }
                        }
                    }
                    Actor::User(op) => {
                        // Some commands are sent that the status refuses (a pause while
                        // starting): recorded as refused, nothing changes.
                        if rng.chance(REFUSED_COMMAND_SHARE) {
                            let wrong = [Event::Pause, Event::Resume, Event::Delete, Event::Retry]
                                [(rng.next_u64() % 4) as usize];
                            if step(&state, wrong).is_none()
                                && !matches!(state.status, Status::Frozen)
                            {
                                write_command(&mut w, i, time, wrong, "refused")?;
                                summary.records += 1;
                                summary.commands += 1;
                            }
                        }
                        let Some(next) = step(&state, op) else {
                            // The plan asked for what the status refuses (a reset of a
                            // failed start): the service refuses it; the user thinks again.
                            write_command(&mut w, i, time, op, "refused")?;
                            summary.records += 1;
                            summary.commands += 1;
                            tasks[i].new_epoch();
                            if let Some((after, actor)) = plan(&state, &mut rng) {
                                push(
                                    &mut queue,
                                    time + after,
                                    i,
                                    What::Step(tasks[i].epoch, actor),
                                );
                            }
                            continue;
                        };
                        let indefinite = rng.chance(INDEFINITE_SHARE);
                        write_command(
                            &mut w,
                            i,
                            time,
                            op,
                            if indefinite { "indefinite" } else { "accepted" },
                        )?;
                        summary.records += 1;
                        summary.commands += 1;
                        if indefinite && rng.chance(0.5) {
                            // Timed out and did not happen: the user tries the plan again.
                            tasks[i].new_epoch();
                            if let Some((after, actor)) = plan(&state, &mut rng) {
                                push(
                                    &mut queue,
                                    time + after,
                                    i,
                                    What::Step(tasks[i].epoch, actor),
                                );
                            }
                            continue;
                        }
                        if !fault_done
                            && !indefinite
                            && op == Event::ForceEnd
                            && config.fault == Some(ServiceFault::ForceEndIgnored)
                        {
                            fault_done = true;
                            summary.fault_at = Some((job_id(i), time));
                            tasks[i].new_epoch();
                            if let Some((after, actor)) = plan(&state, &mut rng) {
                                push(
                                    &mut queue,
                                    time + after,
                                    i,
                                    What::Step(tasks[i].epoch, actor),
                                );
                            }
                            continue;
                        }
                        if op == Event::End && tasks[i].prepaid {
                            // A prepaid task's end shows late: nothing else happens to it
                            // until the service applies it, 1 to 5 minutes on.
                            let epoch = tasks[i].new_epoch();
                            tasks[i].ending_late = true;
                            push(
                                &mut queue,
                                time + rng.between(MINUTE, 5 * MINUTE),
                                i,
                                What::ApplyLate(epoch, 0),
                            );
                            continue;
                        }
                        let fault_now = !fault_done
                            && ((config.fault == Some(ServiceFault::DeletedReappears)
                                && op == Event::Delete)
                                || (config.fault == Some(ServiceFault::PauseUndone)
                                    && op == Event::Pause));
                        set_state!(i, time, next);
                        if fault_now && tasks[i].state.status != Status::Frozen {
                            fault_done = true;
                            let after = if op == Event::Delete {
                                15 * MINUTE
                            } else {
                                5 * MINUTE
                            };
                            summary.fault_at = Some((job_id(i), time + after));
                            push(&mut queue, time + after, i, What::Fault(tasks[i].epoch));
                        }
                    }
                }
            }
            What::ApplyLate(epoch, _) => {
                if epoch != tasks[i].epoch {
                    continue;
                }
                tasks[i].ending_late = false;
                // Nothing moved the task since its end was accepted (its epoch is the same),
                // so the specification still accepts the end.
                let next = step(&tasks[i].state, Event::End).expect(
                    "a task whose accepted end waits is still in the state that accepted it",
                );
                set_state!(i, time, next);
            }
            What::Fault(epoch) => {
                if epoch != tasks[i].epoch {
                    continue;
                }
                let state = tasks[i].state;
                if config.fault == Some(ServiceFault::AcceptsForceEndInCreating) {
                    // Accepted and ignored: the task goes on creating.
                    write_command(&mut w, i, time, Event::ForceEnd, "accepted")?;
                    summary.records += 1;
                    summary.commands += 1;
                    continue;
                }
                let broken = match config.fault {
                    Some(ServiceFault::DeletedReappears) => TaskSpec {
                        status: Status::Ended,
                        ..state
                    },
                    Some(ServiceFault::EndedRestarts) => TaskSpec {
                        status: state.mode.first_phase().running(),
                        phase: None,
                        frozen_from: None,
                        ..state
                    },
                    Some(ServiceFault::PauseUndone) => TaskSpec {
                        status: state.phase.unwrap_or(Phase::Full).running(),
                        phase: None,
                        frozen_from: None,
                        ..state
                    },
                    _ => state,
                };
                // Broken, but a state of the specification: a phase only where one is kept.
                assert!(broken.is_well_formed(), "{broken:?}");
                set_state!(i, time, broken);
            }
            What::Arrears => {
                let a = i;
                arrears[a] = true;
                w.buf
                    .extend_from_slice(b"{\"kind\":\"billing\",\"account\":\"");
                w.buf.extend_from_slice(account_id(a as u32).as_bytes());
                w.buf.extend_from_slice(b"\",\"t\":");
                w.time(time);
                w.buf.extend_from_slice(b",\"event\":\"arrears\"}\n");
                summary.records += 1;
                summary.billing += 1;
                for &t in &account_tasks[a] {
                    let t = t as usize;
                    let state = tasks[t].state;
                    if tasks[t].ending_late {
                        // The service accepted its end before the arrears: the end is
                        // applied now, and an ending task does not freeze. (Frozen, the
                        // accepted end could never be applied.)
                        tasks[t].ending_late = false;
                        if let Some(next) = step(&state, Event::End) {
                            set_state!(t, time, next);
                        }
                        continue;
                    }
                    if !tasks[t].exists || !state.status.is_freezable() {
                        continue;
                    }
                    if !fault_done
                        && config.fault == Some(ServiceFault::FrozenKeepsMigrating)
                        && matches!(
                            state.status,
                            Status::FullMigration | Status::IncrementalMigration
                        )
                    {
                        // The service forgets to freeze it, and its phase ends while the
                        // account is still in arrears.
                        fault_done = true;
                        let soon = time + rng.between(10 * MINUTE, 20 * MINUTE);
                        summary.fault_at = Some((job_id(t), soon));
                        let event = if state.status == Status::FullMigration {
                            Event::FullDone
                        } else {
                            Event::IncrementalError
                        };
                        let epoch = tasks[t].new_epoch();
                        push(
                            &mut queue,
                            soon,
                            t,
                            What::Step(epoch, Actor::Service(event)),
                        );
                        continue;
                    }
                    if let Some(next) = step(&state, Event::AccountInArrears) {
                        set_state!(t, time, next);
                    }
                }
                push(
                    &mut queue,
                    time + rng.between(HOUR, 12 * HOUR),
                    a,
                    What::Recharge,
                );
            }
            What::Recharge => {
                let a = i;
                arrears[a] = false;
                w.buf
                    .extend_from_slice(b"{\"kind\":\"billing\",\"account\":\"");
                w.buf.extend_from_slice(account_id(a as u32).as_bytes());
                w.buf.extend_from_slice(b"\",\"t\":");
                w.time(time);
                w.buf.extend_from_slice(b",\"event\":\"recharged\"}\n");
                summary.records += 1;
                summary.billing += 1;
                for &t in &account_tasks[a] {
                    let t = t as usize;
                    if let Some(next) = step(&tasks[t].state, Event::AccountRecharged) {
                        set_state!(t, time, next);
                    }
                }
                let next = exponential(&mut rng, tuning.arrears_per_account_per_day);
                push(&mut queue, time + next, a, What::Arrears);
            }
        }
    }
    w.out.write_all(&w.buf)?;
    w.out.flush()?;
    summary.samples.push((end, counts));
    Ok(summary)
}

fn write_command<W: Write>(
    w: &mut Writer<'_, W>,
    i: usize,
    time: i64,
    op: Event,
    answer: &str,
) -> io::Result<()> {
    w.buf.extend_from_slice(b"{\"kind\":\"command\",\"job\":\"");
    push_job(&mut w.buf, i);
    w.buf.extend_from_slice(b"\",\"t\":");
    w.time(time);
    w.buf.extend_from_slice(b",\"op\":\"");
    w.buf.extend_from_slice(op.describe().as_bytes());
    w.buf.extend_from_slice(b"\",\"answer\":\"");
    w.buf.extend_from_slice(answer.as_bytes());
    if answer == "refused" {
        w.buf
            .extend_from_slice(b"\",\"error_code\":\"DRS.M05006\"}\n");
    } else {
        w.buf.extend_from_slice(b"\"}\n");
    }
    w.flush_if_full()
}

/// Exponentially distributed waiting time for a rate per day, in milliseconds.
fn exponential(rng: &mut Rng, per_day: f64) -> i64 {
    let u = rng.unit().max(1e-12);
    (-u.ln() / per_day * DAY as f64) as i64
}
