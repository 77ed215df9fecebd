//! Judging a recorded history against the specification (brief, decision D.2.5).
//!
//! For each job the judge keeps the set of specification states consistent with everything
//! recorded of it so far, as bits over the indexed states ([`super::tables`]). A record
//! first lets time pass — any number of unseen steps since the job's previous record (the
//! service's own steps; billing unless billing is recorded; user operations unless the
//! history records every command) — and then filters: a poll keeps the states whose
//! observation it shows, a refused command the states that refuse it, a timeline entry
//! applies the operation it names. A repeated status is a poll, not a step: no step is
//! needed to see the same thing twice. When the set empties, the record is impossible: the
//! job's first violation, explained ([`Violation`]) and named after the claim it breaks.
//!
//! **Accepted commands apply late.** The service answers a command before it acts, so an
//! accepted command is a step the run takes once, at some point after it was sent: polls
//! right after it may still show the status before it. The judge keeps, per job, up to
//! [`MAX_PENDING`] accepted commands not yet known to have been applied, and a state set
//! for each subset of them that may have been applied (so a command is applied at most
//! once, in any order relative to the others). A command that every consistent state has
//! applied retires; one that none has applied when the history ends (or when
//! [`MAX_PENDING`] newer ones push it out) is reported as *accepted, never applied* — not
//! a violation, as D.2.5 says — unless the history promises that the service applies
//! commands within a bound (`apply_within`), in which case the first record after the
//! bound that finds it unapplied breaks "an accepted command takes effect".
//!
//! **Billing** is account-level and no poll shows it: a frozen task shows the code of the
//! status it froze. When the history does not record billing (the default), arrears and
//! recharge are unseen steps each task may take at any time — per task, so the account's
//! coupling (every task of the account freezes together) is not judged. When it does
//! (`billing: recorded` in the header, or `--billing recorded`), billing events apply to
//! every task of the account at their point in the stream, and between them an account in
//! arrears freezes each task in the step that lands it on a freezable status: that is how
//! a frozen task that keeps migrating is caught.
//!
//! **Unrecorded user operations** (another console user, a script) are unseen steps by
//! default; `commands: complete` says the history records every one, and then only the
//! recorded commands (and indefinite ones, which may or may not have happened, any time
//! after they were sent) move a task on the user's behalf. That is how a pause undone by a
//! late report is caught: without it, an unrecorded resume explains the task running again.
//!
//! Limits (TIGER_STYLE): at most [`MAX_PENDING`] pending commands per job; at most
//! [`MAX_DIVERGENCES`] divergences and [`MAX_REPORTS`] never-applied reports kept (the rest
//! are counted).

use std::collections::HashMap;

use serde::Serialize;

use super::deadline::{Deadlines, Stuck};
use super::record::{
    BillingEvent, CommandSent, Malformed, Ops, OutsideOp, Poll, Record, RecordError, Reply,
    TimelineEntry, offered,
};
use super::tables::{
    ANSWER_COUNT, States, Tables, USER_OPS, Unseen, answer_index, answer_of, tables,
};
use super::time::Millis;
use crate::spec::{Answer, Event, Observation, TaskSpec};

/// How many low bits of a record's location (the `line` the judge is given and keeps) hold
/// its line number; the bits above are its file's index (`history::validate` reads several
/// files as one history).
pub const LINE_BITS: u32 = 40;

/// How many accepted, not yet applied commands a job may have.
pub const MAX_PENDING: usize = 2;
const MASKS: usize = 1 << MAX_PENDING;
/// How many divergences (available actions) are kept in full.
pub const MAX_DIVERGENCES: usize = 1000;
/// How many never-applied reports are kept in full.
pub const MAX_REPORTS: usize = 1000;

/// What to do with a poll that shows a code of an operation outside the lifecycle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExcursionPolicy {
    /// Count it and judge the job as if the poll had not happened.
    #[default]
    Skip,
    /// A violation of "every status code is a lifecycle status".
    Error,
}

/// How to read the history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Options {
    /// What a poll showing a code of an operation outside the lifecycle (`CHANGE_JOB_*`,
    /// `CHILD_TRANSFER_*`, `NODE_UPGRADE_*`) does to the judgement (D.2.4).
    pub excursions: ExcursionPolicy,
    /// Every user operation is recorded: none happens unseen.
    pub commands_complete: bool,
    /// Billing events are recorded: arrears and recharge are not unseen steps.
    pub billing_recorded: bool,
    /// An accepted command must take effect within this long.
    pub apply_within: Option<Millis>,
    /// Bounds on the transient statuses (`--deadlines`): a job whose polls show one longer
    /// is reported stuck ([`Judge::stuck`]).
    pub deadlines: Option<Deadlines>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            excursions: ExcursionPolicy::Skip,
            commands_complete: false,
            billing_recorded: false,
            apply_within: None,
            deadlines: None,
        }
    }
}

/// The claims a recorded history can break, by their names in the one table of claims
/// ([`crate::model::CLAIMS`]): the first five are the model checker's claims, the rest are
/// of [`Kind::History`](crate::model::Kind::History), about what only a recorded run shows.
/// Each name is looked up at compile time, so a name not in the table fails the build.
pub mod claim {
    use crate::model::claims::named;

    /// A deleted task shows some other status later.
    pub const DELETED_REAPPEARS: &str = named("deleted task never reappears");
    /// A task leaves 已结束 Ended other than by delete.
    pub const ENDED_TERMINAL: &str = named("ended is terminal");
    /// A task being released (结束任务 EndRequested, 结束任务中 Ending) shows a status that is
    /// not releasing or released.
    pub const END_NEVER_UNDONE: &str = named("an end is never undone");
    /// A task is deleted from a status other than 创建任务失败 CreateFailed or 已结束 Ended.
    pub const DELETE_ONLY: &str = named("delete only from CreateFailed or Ended");
    /// A full-only task shows an incremental status, or an incremental-only one a full status.
    pub const MODE: &str = named("full-only never incremental, incremental-only never full");
    /// A 冻结 Frozen task moves on by itself; only recharge or retention expiry move it.
    pub const FROZEN_STAYS: &str =
        named("a frozen task moves only on recharge or retention expiry");
    /// A 暂停中 Paused task moves on without the user's resume, reset or end.
    pub const PAUSED_STAYS: &str =
        named("a paused task moves only on a user's resume, reset or end");
    /// Some change between two records is explained by no run of the transition table.
    pub const TABLE: &str = named("every step is in the transition table");
    /// The service refused a command that the specification accepts in every consistent state.
    pub const REFUSES: &str = named("the service refuses only what the specification refuses");
    /// The service accepted a command that the specification refuses in every consistent
    /// state (brief D.3.2).
    pub const ACCEPTS: &str = named("the service accepts only what the specification accepts");
    /// An accepted command is still unapplied after the history's `apply_within` bound.
    pub const TAKES_EFFECT: &str = named("an accepted command takes effect");
    /// A poll names a migration mode (`task_type`) that no state consistent so far has.
    pub const KEEPS_MODE: &str = named("a task keeps its mode");
    /// A record names an account other than the one the task was first seen under (D.3.3).
    pub const KEEPS_ACCOUNT: &str = named("a task keeps its account");
    /// A poll shows a code outside the lifecycle, under
    /// [`ExcursionPolicy::Error`](super::ExcursionPolicy::Error).
    pub const LIFECYCLE_CODE: &str = named("every status code is a lifecycle status");
    /// A task stayed in a transient status past its `--deadlines` bound.
    pub const DEADLINE_TRANSIENT: &str =
        named("every transient status is left within its deadline");
    /// A task whose end was requested was not released within its `--deadlines` bound.
    pub const DEADLINE_RELEASE: &str = named("every end is released within its deadline");
    /// The claims shared with the model checker.
    pub const SHARED: [&str; 5] = [
        DELETED_REAPPEARS,
        ENDED_TERMINAL,
        END_NEVER_UNDONE,
        DELETE_ONLY,
        MODE,
    ];
}

/// What a record of the kept job asks of a run that explains it (for the ITF trace).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Asks {
    /// A poll: the state shows this answer (by [`answer_index`]).
    Shows(u8),
    /// An accepted command (its operations): the state accepts it, and the run applies it
    /// once, at this point or later.
    Accepted(u16),
    /// A refused command: the state refuses it.
    Refused(u16),
    /// An indefinite command: the run may apply it once, at this point or later.
    Indefinite(u16),
    /// A timeline success: the operation happens now.
    Done(u16),
    /// A timeline failure: the state refuses the operation.
    NotDone(u16),
}

/// A record of the kept job, for the ITF trace.
#[derive(Clone, Debug, PartialEq)]
pub struct Kept {
    /// The record.
    pub seen: Seen,
    /// What it asks of a run.
    pub asks: Asks,
    /// The states consistent right after it.
    pub after: States,
}

/// One record of a job, as an explanation names it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Seen {
    /// Line number of the record in the history, from 1.
    pub line: u64,
    /// When it happened, by the recorder's clock.
    pub time: Millis,
    /// `status PAUSING`, `command pause accepted`, …
    pub what: String,
}

/// The first impossible record of a job, explained.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Violation {
    /// The job (task) id.
    pub job: String,
    /// The claim broken, one of [`claim`]'s names.
    pub claim: &'static str,
    /// The impossible record.
    pub record: Seen,
    /// The job's record before it, if any.
    pub previous: Option<Seen>,
    /// The accepted commands not yet applied at that point (for "an accepted command
    /// takes effect": the overdue ones), oldest first.
    pub pending: Vec<Seen>,
    /// The states still possible before the impossible record.
    pub possible: Vec<TaskSpec>,
    /// What the specification would have let a poll show at that point.
    pub allowed_next: Vec<Observation>,
    /// How many of the job's records before it are explained (the longest explained prefix).
    pub explained_prefix: u32,
}

/// `available_actions` that disagree with the specification in every consistent state.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Divergence {
    /// The job (task) id.
    pub job: String,
    /// Line number of the poll that carried the actions.
    pub line: u64,
    /// Offered, though every consistent state refuses it.
    pub offers_forbidden: Vec<&'static str>,
    /// Not offered, though every consistent state accepts it.
    pub withholds_allowed: Vec<&'static str>,
}

/// An accepted command that no consistent run applied.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NeverApplied {
    /// The job (task) id.
    pub job: String,
    /// Line number of the command's record.
    pub line: u64,
    /// When the command was sent.
    pub time: Millis,
    /// The operation, as the records name it (`pause`, `end`, `restart (resume or retry)`).
    pub op: &'static str,
}

/// A gap between two polls of a job that show different things, with the shortest run of
/// unseen steps that explains it (`--explain`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Gap {
    /// The job (task) id.
    pub job: String,
    /// Line number of the later poll.
    pub line: u64,
    /// What the earlier poll showed (an API code, or does-not-exist).
    pub from: String,
    /// What the later poll showed.
    pub to: String,
    /// The unseen steps, in order, by event name.
    pub steps: Vec<&'static str>,
}

/// What was counted.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Counts {
    /// Lines read as records, of every kind.
    pub records: u64,
    /// Status polls.
    pub polls: u64,
    /// User commands sent, accepted, refused or indefinite.
    pub commands: u64,
    /// Entries of the service's operation timeline.
    pub timeline: u64,
    /// Billing events (arrears, recharge).
    pub billing: u64,
    /// Records after a job's first violation, not judged.
    pub after_violation: u64,
    /// Polls by answer: every API code, then does-not-exist.
    #[serde(skip)]
    pub by_answer: [u64; ANSWER_COUNT],
    /// Polls whose `available_actions` disagree with every consistent state, all of them
    /// (only [`MAX_DIVERGENCES`] are kept in full).
    pub divergences: u64,
    /// Accepted commands that no consistent run applied, all of them (only [`MAX_REPORTS`] are
    /// kept in full).
    pub never_applied: u64,
    /// Of those, the ones pushed out by a newer command arriving with [`MAX_PENDING`] already
    /// pending, rather than left unapplied at the end of the history.
    pub never_applied_evicted: u64,
    /// Commands and timeline entries of operations outside the lifecycle (brief D.3.1),
    /// skipped.
    pub outside: u64,
    /// Of those, how many of each name (the first [`MAX_OUTSIDE_NAMES`] names; the rest
    /// are counted under `(other names)`).
    pub outside_by_name: std::collections::BTreeMap<String, u64>,
    /// Per-task answers of a batch poll (or single polls) that were errors other than
    /// does-not-exist (a transient `DRS.M…`): nothing shown, skipped.
    pub transient_errors: u64,
}

/// How many names of operations outside the lifecycle are counted one by one.
pub const MAX_OUTSIDE_NAMES: usize = 64;

/// A job's bookkeeping: 80 bytes; pending commands live out of line ([`Pending`]).
#[derive(Clone, Debug)]
struct Job {
    /// States with no pending command applied (all states when none is pending).
    sets0: States,
    /// `sets0` before the last poll, for an equal-time poll that shows something else.
    before0: States,
    last_time: Millis,
    last_poll_time: Millis,
    last_line: u64,
    records: u32,
    /// Index into `Judge::pending`, or `NO_PENDING`.
    pending: u32,
    account: u32,
    /// Indefinite operations that may still happen (under complete commands).
    optional_ops: u16,
    last_answer: u8,
    last_what: u8,
    violated: bool,
}

const NO_PENDING: u32 = u32::MAX;
const NO_ACCOUNT: u32 = u32::MAX;
const NO_ANSWER: u8 = u8::MAX;

/// The pending commands of one job, and its state sets by which of them were applied.
#[derive(Clone, Debug, Default)]
struct Pending {
    /// `[1..]`: the sets with those commands applied (`[0]` lives in the job).
    sets: [States; MASKS],
    before: [States; MASKS],
    ops: [u16; MAX_PENDING],
    lines: [u64; MAX_PENDING],
    sent: [Millis; MAX_PENDING],
    refusers: [States; MAX_PENDING],
    count: u8,
}

/// A job's sets, worked on in one place.
#[derive(Clone, Copy, Debug, Default)]
struct Config {
    sets: [States; MASKS],
    before: [States; MASKS],
    ops: [u16; MAX_PENDING],
    lines: [u64; MAX_PENDING],
    sent: [Millis; MAX_PENDING],
    /// The states, consistent when each command was sent, that refuse it: the service's
    /// acceptance ruled them out (brief D.3.2). A later record that only they explain
    /// breaks "the service accepts only what the specification accepts".
    refusers: [States; MAX_PENDING],
    count: usize,
}

impl Config {
    fn union(&self) -> States {
        self.sets.iter().fold(0, |a, s| a | s)
    }

    /// Keeps only the states of `keep` (a mode's): in every set, before and after, and
    /// among the states a pending command's acceptance ruled out.
    fn keep_only(&mut self, keep: States) {
        for mask in 0..MASKS {
            self.sets[mask] &= keep;
            self.before[mask] &= keep;
        }
        for i in 0..self.count {
            self.refusers[i] &= keep;
        }
    }
}

/// The stable hash of a job id that `--shard` splits on: FNV-1a, 64 bits, over the id's
/// UTF-8 bytes (documented in docs/traces.md, so other tools can split the same way).
pub fn job_hash(id: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in id.as_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Job ids are trusted to be ids, not an attack on the map: `rustc-hash`'s Fx hash.
type FastMap<V> = HashMap<Box<str>, V, rustc_hash::FxBuildHasher>;

/// The judge of a whole history, fed one record at a time.
pub struct Judge {
    options: Options,
    tables: &'static Tables,
    jobs: Vec<Job>,
    ids: FastMap<u32>,
    pending: Vec<Pending>,
    free_pending: Vec<u32>,
    accounts: FastMap<u32>,
    account_jobs: Vec<Vec<u32>>,
    account_arrears: Vec<bool>,
    /// What was counted so far.
    pub counts: Counts,
    /// Each violated job's first violation, in the order they were found.
    pub violations: Vec<Violation>,
    /// The divergences kept in full, at most [`MAX_DIVERGENCES`].
    pub divergences: Vec<Divergence>,
    /// The never-applied reports kept in full, at most [`MAX_REPORTS`].
    pub never_applied: Vec<NeverApplied>,
    /// With `explain` on, the gaps since the caller last drained them.
    pub gaps: Vec<Gap>,
    /// Whether to find, for every gap between two polls that show different things, the
    /// shortest run of unseen steps that explains it (`--explain`; costs time).
    pub explain: bool,
    /// The job whose run to keep for an ITF trace, and its records with their sets.
    trace_job: Option<String>,
    /// The kept job's records, each with what it asks of a run and the set of states
    /// consistent after it.
    pub trace: Vec<Kept>,
    /// The files (by index in a location) whose header declared format 1, which read a
    /// bare `stop` as end.
    format_1: Vec<u64>,
    /// With deadlines: each job's current run of polls showing one transient code.
    runs: Vec<Run>,
    /// Jobs that stayed in a transient status past its deadline, in the order found.
    pub stuck: Vec<Stuck>,
    /// Whether a poll may take the fast path of [`Judge::poll`] (off only in the test that
    /// holds the fast path to the general one).
    fast: bool,
}

/// A job's polls showing one transient code, since the first of them.
#[derive(Clone, Copy, Debug)]
struct Run {
    code: u8,
    first_time: Millis,
    first_line: u64,
    /// Index into `Judge::stuck` once reported, else `u32::MAX`.
    report: u32,
}

const NO_RUN: Run = Run {
    code: NO_ANSWER,
    first_time: 0,
    first_line: 0,
    report: u32::MAX,
};

impl Judge {
    /// A judge that has seen nothing yet.
    pub fn new(options: Options) -> Judge {
        Judge {
            options,
            tables: tables(),
            jobs: Vec::new(),
            ids: FastMap::default(),
            pending: Vec::new(),
            free_pending: Vec::new(),
            accounts: FastMap::default(),
            account_jobs: Vec::new(),
            account_arrears: Vec::new(),
            counts: Counts::default(),
            violations: Vec::new(),
            divergences: Vec::new(),
            never_applied: Vec::new(),
            gaps: Vec::new(),
            explain: false,
            trace_job: None,
            trace: Vec::new(),
            format_1: Vec::new(),
            runs: Vec::new(),
            stuck: Vec::new(),
            fast: true,
        }
    }

    /// Keep the records of one job and the states consistent after each, for
    /// [`itf`](super::itf).
    pub fn keep_trace(&mut self, job: &str) {
        self.trace_job = Some(job.to_string());
    }

    /// How the history is being read: the command line's options, or the header's where the
    /// command line said nothing.
    pub fn options(&self) -> Options {
        self.options
    }

    /// A header's statements, where the command line said nothing.
    pub fn set_options(&mut self, options: Options) {
        self.options = options;
    }

    /// Takes note of a header at location `at`: a file that declares format 1 read a bare
    /// `stop` as end, so in that file a bare `stop` is an error rather than a pause.
    pub fn header(&mut self, header: &super::record::Header, at: u64) {
        if header.version == 1 {
            let file = at >> LINE_BITS;
            if !self.format_1.contains(&file) {
                self.format_1.push(file);
            }
        }
    }

    /// Whether the record at `at` comes from a file of format 1.
    fn format_1_at(&self, at: u64) -> bool {
        !self.format_1.is_empty() && self.format_1.contains(&(at >> LINE_BITS))
    }

    /// How many jobs were seen.
    pub fn job_count(&self) -> usize {
        self.jobs.len()
    }

    /// How many jobs have a violation.
    pub fn violated_jobs(&self) -> usize {
        self.violations.len()
    }

    /// Bytes held per job (the job, its id and its map entry, its share of pending
    /// commands), for the memory figure.
    pub fn bytes_in_flight(&self) -> usize {
        let ids: usize = self
            .ids
            .keys()
            .map(|k| k.len().next_multiple_of(16).max(16) + 16)
            .sum();
        let map = self.ids.capacity() * (size_of::<(Box<str>, u32)>() + 1);
        self.jobs.capacity() * size_of::<Job>()
            + ids
            + map
            + self.pending.capacity() * size_of::<Pending>()
    }

    fn job_index(&mut self, id: &str) -> usize {
        if let Some(&i) = self.ids.get(id) {
            return i as usize;
        }
        let i = self.jobs.len();
        self.ids.insert(id.into(), i as u32);
        self.jobs.push(Job {
            sets0: self.tables.all,
            before0: self.tables.all,
            last_time: Millis::MIN,
            last_poll_time: Millis::MIN,
            last_line: 0,
            records: 0,
            pending: NO_PENDING,
            account: NO_ACCOUNT,
            optional_ops: 0,
            last_answer: NO_ANSWER,
            last_what: 0,
            violated: false,
        });
        i
    }

    /// Judges one record (`line` is its line number). An out-of-order record is a
    /// [`RecordError`]; everything else the history shows is a verdict.
    pub fn record(&mut self, record: &Record<'_>, line: u64) -> Result<(), RecordError> {
        self.counts.records += 1;
        match record {
            Record::Header(header) => {
                self.header(header, line);
                Ok(())
            }
            Record::Status(poll) => self.poll(poll, line),
            Record::Polls(polls, transient) => {
                self.counts.transient_errors += u64::from(*transient);
                for poll in polls {
                    self.poll(poll, line)?;
                }
                Ok(())
            }
            Record::Outside(outside) => {
                self.outside(outside);
                Ok(())
            }
            Record::Command(command) => self.command(command, line),
            Record::Timeline(entry) => self.timeline(entry, line),
            Record::Billing(event) => {
                self.billing(event);
                Ok(())
            }
        }
    }

    fn order(&mut self, j: usize, id: &str, time: Millis, line: u64) -> Result<(), RecordError> {
        let job = &self.jobs[j];
        if time < job.last_time {
            return Err(RecordError {
                line,
                what: Malformed::OutOfOrder {
                    job: id.to_string(),
                    time,
                    previous_line: job.last_line,
                    previous_time: job.last_time,
                },
            });
        }
        Ok(())
    }

    fn unseen(&self, job: &Job) -> Unseen {
        if !self.options.billing_recorded || job.account == NO_ACCOUNT {
            Unseen::SystemAndBilling
        } else if self.account_arrears[job.account as usize] {
            Unseen::InArrears
        } else {
            Unseen::System
        }
    }

    fn load(&self, job: &Job) -> Config {
        let mut config = Config::default();
        config.sets[0] = job.sets0;
        config.before[0] = job.before0;
        if job.pending != NO_PENDING {
            let p = &self.pending[job.pending as usize];
            config.sets[1..].copy_from_slice(&p.sets[1..]);
            config.before[1..].copy_from_slice(&p.before[1..]);
            config.ops = p.ops;
            config.lines = p.lines;
            config.sent = p.sent;
            config.refusers = p.refusers;
            config.count = p.count as usize;
        }
        config
    }

    fn store(&mut self, j: usize, config: &Config) {
        let job = &mut self.jobs[j];
        job.sets0 = config.sets[0];
        job.before0 = config.before[0];
        if config.count == 0 {
            if job.pending != NO_PENDING {
                self.free_pending.push(job.pending);
                job.pending = NO_PENDING;
            }
            return;
        }
        if job.pending == NO_PENDING {
            job.pending = match self.free_pending.pop() {
                Some(slot) => slot,
                None => {
                    self.pending.push(Pending::default());
                    (self.pending.len() - 1) as u32
                }
            };
        }
        let p = &mut self.pending[job.pending as usize];
        p.sets = config.sets;
        p.before = config.before;
        p.ops = config.ops;
        p.lines = config.lines;
        p.sent = config.sent;
        p.refusers = config.refusers;
        p.count = config.count as u8;
    }

    /// Lets time pass for a job: unseen steps, pending commands applied, and the bound on
    /// applying them. Returns `false` when the bound left no consistent state.
    fn advance(&self, job: &Job, config: &mut Config, time: Millis) -> bool {
        self.advance_with(job, config, time, self.options.apply_within)
    }

    fn advance_with(
        &self,
        job: &Job,
        config: &mut Config,
        time: Millis,
        apply_within: Option<Millis>,
    ) -> bool {
        let t = self.tables;
        let unseen = self.unseen(job);
        let users = !self.options.commands_complete;
        let close = |set: States| -> States {
            let mut out = t.close(set, unseen, users);
            if job.optional_ops != 0 {
                loop {
                    let mut more = out;
                    for op in 0..USER_OPS.len() {
                        if job.optional_ops & 1 << op != 0 {
                            more |= t.close(t.apply(out, op), unseen, users);
                        }
                    }
                    if more == out {
                        break;
                    }
                    out = more;
                }
            }
            out
        };
        if config.count == 0 {
            config.sets[0] = close(config.sets[0]);
            return true;
        }
        for mask in 0..MASKS {
            config.sets[mask] = close(config.sets[mask]);
        }
        // The states a pending command's acceptance ruled out live on beside the sets, with
        // the same unseen steps and the same polls, so that only what they would still
        // explain is laid at that acceptance's door.
        for i in 0..config.count {
            config.refusers[i] = close(config.refusers[i]);
        }
        for mask in 0..MASKS {
            for i in 0..config.count {
                if mask & 1 << i == 0 && config.sets[mask] != 0 {
                    let applied = close(t.apply_any(config.sets[mask], config.ops[i]));
                    config.sets[mask | 1 << i] |= applied;
                }
            }
        }
        if let Some(within) = apply_within {
            for i in 0..config.count {
                if config.sent[i].saturating_add(within) < time {
                    for mask in 0..MASKS {
                        if mask & 1 << i == 0 {
                            config.sets[mask] = 0;
                        }
                    }
                }
            }
            return config.union() != 0;
        }
        true
    }

    /// Retires pending commands that every consistent state has applied.
    fn retire(&self, config: &mut Config) {
        let mut i = 0;
        while i < config.count {
            let applied_everywhere = (0..MASKS).all(|m| m & 1 << i != 0 || config.sets[m] == 0);
            if applied_everywhere {
                self.remove_pending(config, i);
            } else {
                i += 1;
            }
        }
    }

    /// Forgets pending command `i`, merging the sets with and without it.
    fn remove_pending(&self, config: &mut Config, i: usize) {
        let squeeze = |sets: &[States; MASKS]| -> [States; MASKS] {
            let mut out = [0; MASKS];
            for (mask, set) in sets.iter().enumerate() {
                let low = mask & ((1 << i) - 1);
                let high = (mask >> (i + 1)) << i;
                out[low | high] |= set;
            }
            out
        };
        config.sets = squeeze(&config.sets);
        config.before = squeeze(&config.before);
        for k in i..MAX_PENDING - 1 {
            config.ops[k] = config.ops[k + 1];
            config.lines[k] = config.lines[k + 1];
            config.sent[k] = config.sent[k + 1];
            config.refusers[k] = config.refusers[k + 1];
        }
        config.count -= 1;
    }

    fn is_applied_somewhere(config: &Config, i: usize) -> bool {
        (0..MASKS).any(|m| m & 1 << i != 0 && config.sets[m] != 0)
    }

    fn poll(&mut self, poll: &Poll<'_>, line: u64) -> Result<(), RecordError> {
        self.counts.polls += 1;
        let a = answer_index(poll.answer);
        self.counts.by_answer[a] += 1;
        let j = self.job_index(&poll.job);
        self.order(j, &poll.job, poll.time, line)?;
        if let Some(deadlines) = self.options.deadlines {
            self.track_deadline(j, poll, line, &deadlines);
        }
        let mut other_account = false;
        if let Some(account) = &poll.account {
            if self.jobs[j].account == NO_ACCOUNT {
                self.link_account(j, account);
            } else {
                other_account = self.accounts.get(&**account) != Some(&self.jobs[j].account);
            }
        }
        // The common case, kept cheap: nothing pending, nothing to explain or keep, a poll
        // of a lifecycle status that the states consistent so far explain.
        {
            let unseen = self.unseen(&self.jobs[j]);
            let users = !self.options.commands_complete;
            let job = &mut self.jobs[j];
            if self.fast
                && job.pending == NO_PENDING
                && !other_account
                && job.optional_ops == 0
                && !job.violated
                && poll.mode.is_none()
                && poll.offered.is_none()
                && !self.explain
                && self.trace_job.is_none()
                && (job.last_poll_time != poll.time || job.last_answer as usize == a)
            {
                let now = self.tables.close(job.sets0, unseen, users) & self.tables.shows[a];
                if now != 0 {
                    job.records += 1;
                    job.before0 = job.sets0;
                    job.sets0 = now;
                    job.last_time = poll.time;
                    job.last_poll_time = poll.time;
                    job.last_line = line;
                    job.last_answer = a as u8;
                    job.last_what = 0;
                    return Ok(());
                }
            }
        }
        let job = self.jobs[j].clone();
        self.jobs[j].records += 1;
        if job.violated {
            self.counts.after_violation += 1;
            return Ok(());
        }
        let what = |s: &Self| s.describe_poll(poll.answer);
        if poll.answer.is_excursion() {
            self.jobs[j].last_time = poll.time;
            // The code is outside the lifecycle, but the mode beside it is the task's.
            if let Some(mode) = poll.mode {
                let mut config = self.load(&job);
                let before = config.union();
                config.keep_only(self.tables.of_mode[mode as usize]);
                if config.union() == 0 {
                    let record = self.seen(line, poll.time, what(self));
                    self.violate(
                        j,
                        &poll.job,
                        &job,
                        &config,
                        before,
                        record,
                        claim::KEEPS_MODE,
                    );
                    return Ok(());
                }
                self.store(j, &config);
            }
            if self.options.excursions == ExcursionPolicy::Error {
                let config = self.load(&job);
                let record = self.seen(line, poll.time, what(self));
                self.violate(
                    j,
                    &poll.job,
                    &job,
                    &config,
                    config.union(),
                    record,
                    claim::LIFECYCLE_CODE,
                );
            }
            return Ok(());
        }
        let t = self.tables;
        let mut config = self.load(&job);
        let mut previous = config.union();
        if other_account {
            let record = self.seen(line, poll.time, what(self));
            self.violate(
                j,
                &poll.job,
                &job,
                &config,
                previous,
                record,
                claim::KEEPS_ACCOUNT,
            );
            return Ok(());
        }
        if let Some(mode) = poll.mode {
            config.keep_only(t.of_mode[mode as usize]);
            if config.union() == 0 {
                let record = self.seen(line, poll.time, what(self));
                self.violate(
                    j,
                    &poll.job,
                    &job,
                    &config,
                    previous,
                    record,
                    claim::KEEPS_MODE,
                );
                return Ok(());
            }
            previous = config.union();
        }
        let shows = t.shows[a];
        let same_instant = job.last_poll_time == poll.time
            && job.last_answer != NO_ANSWER
            && job.last_answer as usize != a;
        let start = config;
        let mut in_time = self.advance(&job, &mut config, poll.time);
        for mask in 0..MASKS {
            config.sets[mask] &= shows;
        }
        for i in 0..config.count {
            config.refusers[i] &= shows;
        }
        if same_instant {
            // The two polls of one instant, tried the other way round: this one first, from
            // the states before the other, then the other.
            let mut other = start;
            other.sets = start.before;
            in_time |= self.advance(&job, &mut other, poll.time);
            let last = t.shows[job.last_answer as usize];
            for mask in 0..MASKS {
                other.sets[mask] &= shows;
            }
            self.advance(&job, &mut other, poll.time);
            for mask in 0..MASKS {
                config.sets[mask] |= other.sets[mask] & last;
            }
        } else {
            config.before = start.sets;
        }
        if config.union() == 0 {
            let record = self.seen(line, poll.time, what(self));
            // Had the bound on applying commands not been there, would the poll be
            // explained? Then the bound is what it breaks.
            let mut unbounded = start;
            self.advance_with(&job, &mut unbounded, poll.time, None);
            let explained_late = unbounded.sets.iter().any(|set| set & shows != 0);
            // Would the states the service's acceptance of a pending command ruled out
            // explain it? Then that acceptance is what it breaks.
            let unseen = self.unseen(&job);
            let users = !self.options.commands_complete;
            let accepted_wrongly =
                (0..start.count).any(|i| t.close(start.refusers[i], unseen, users) & shows != 0);
            let claim = if !in_time || explained_late {
                claim::TAKES_EFFECT
            } else if accepted_wrongly {
                claim::ACCEPTS
            } else {
                self.classify(previous, poll.answer)
            };
            self.violate(j, &poll.job, &job, &start, previous, record, claim);
            return Ok(());
        }
        self.retire(&mut config);
        let now = config.union();
        if let Some(offered) = poll.offered {
            self.judge_actions(&poll.job, line, offered, now);
        }
        if self.explain && job.last_answer != NO_ANSWER && job.last_answer as usize != a {
            // The user operations the gap may hold: any, unless every command is recorded;
            // then only the pending and indefinite ones (a recorded force end is explained
            // as a force end, not as an end).
            let users = if self.options.commands_complete {
                (0..start.count).fold(job.optional_ops, |m, i| m | start.ops[i])
            } else {
                u16::MAX
            };
            // From the states that showed the last answer (not every state reached since).
            let last = t.shows[job.last_answer as usize];
            let from = if previous & last != 0 {
                previous & last
            } else {
                last
            };
            let steps = t
                .shortest_unseen_path(from, now, self.unseen(&job), users)
                .unwrap_or_default()
                .into_iter()
                .map(|(event, _)| event.describe())
                .collect();
            self.gaps.push(Gap {
                job: poll.job.to_string(),
                line,
                from: answer_of(job.last_answer as usize).to_string(),
                to: poll.answer.to_string(),
                steps,
            });
        }
        if self.trace_job.as_deref() == Some(&*poll.job) {
            self.trace.push(Kept {
                seen: self.seen(line, poll.time, what(self)),
                asks: Asks::Shows(a as u8),
                after: now,
            });
        }
        self.store(j, &config);
        let job = &mut self.jobs[j];
        job.last_time = poll.time;
        job.last_poll_time = poll.time;
        job.last_line = line;
        job.last_answer = a as u8;
        job.last_what = 0;
        Ok(())
    }

    fn judge_actions(&mut self, id: &str, line: u64, offered: u16, now: States) {
        let (any, every) = self.tables.accepted_ops(now);
        let (restart, start) = (Ops::restart().0, Ops::start().0);
        let singles = offered & offered::SINGLES;
        let mut covered = singles;
        let mut forbidden_groups = Vec::new();
        for (bit, group) in [
            (offered::RESTART, Ops::restart()),
            (offered::START, Ops::start()),
        ] {
            if offered & bit != 0 {
                covered |= group.0;
                if any & group.0 == 0 {
                    forbidden_groups.push(group.describe());
                }
            }
        }
        // The API's capitals name no end, force end or resume of their own: judge as
        // withheld only what the list's vocabulary can name.
        let expressible = if offered & offered::API != 0 {
            start
                | restart
                | Ops::one(Event::Pause).0
                | Ops::one(Event::Reset).0
                | Ops::one(Event::Delete).0
        } else {
            offered::SINGLES
        };
        let forbidden = singles & !any;
        let withheld = every & !covered & expressible;
        if forbidden == 0 && withheld == 0 && forbidden_groups.is_empty() {
            return;
        }
        self.counts.divergences += 1;
        if self.divergences.len() < MAX_DIVERGENCES {
            let names = |mask: u16| -> Vec<&'static str> {
                (0..USER_OPS.len())
                    .filter(|i| mask & 1 << i != 0)
                    .map(|i| USER_OPS[i].describe())
                    .collect()
            };
            let mut offers_forbidden = names(forbidden);
            offers_forbidden.extend(forbidden_groups);
            self.divergences.push(Divergence {
                job: id.to_string(),
                line,
                offers_forbidden,
                withholds_allowed: names(withheld),
            });
        }
    }

    /// Follows a job's run of polls that show one transient code, and reports it once it
    /// outlasts its bound (then keeps its last poll up to date).
    fn track_deadline(&mut self, j: usize, poll: &Poll<'_>, line: u64, deadlines: &Deadlines) {
        if self.runs.len() <= j {
            self.runs.resize(j + 1, NO_RUN);
        }
        let a = answer_index(poll.answer);
        let run = &mut self.runs[j];
        if run.code as usize == a && run.code != NO_ANSWER {
            if run.report != u32::MAX {
                let stuck = &mut self.stuck[run.report as usize];
                stuck.last_line = line;
                stuck.last_time = poll.time;
                return;
            }
            let Answer::Code(code) = poll.answer else {
                return;
            };
            let bound = deadlines.bound(code).unwrap_or(Millis::MAX);
            if poll.time - run.first_time > bound {
                run.report = self.stuck.len() as u32;
                self.stuck.push(Stuck {
                    job: poll.job.to_string(),
                    claim: if code == crate::spec::ApiCode::ReleaseResourceStarted {
                        claim::DEADLINE_RELEASE
                    } else {
                        claim::DEADLINE_TRANSIENT
                    },
                    code: code.to_string(),
                    bound,
                    first_line: run.first_line,
                    first_time: run.first_time,
                    last_line: line,
                    last_time: poll.time,
                });
            }
            return;
        }
        // A run of any code: only a transient code's has a bound to outlast.
        *run = match poll.answer {
            Answer::Code(_) => Run {
                code: a as u8,
                first_time: poll.time,
                first_line: line,
                report: u32::MAX,
            },
            _ => NO_RUN,
        };
    }

    fn outside(&mut self, outside: &OutsideOp<'_>) {
        self.counts.outside += 1;
        let names = &mut self.counts.outside_by_name;
        let name = outside.name.trim();
        if let Some(n) = names.get_mut(name) {
            *n += 1;
        } else if names.len() < MAX_OUTSIDE_NAMES {
            names.insert(name.to_string(), 1);
        } else {
            *names.entry("(other names)".to_string()).or_default() += 1;
        }
    }

    fn command(&mut self, command: &CommandSent<'_>, line: u64) -> Result<(), RecordError> {
        self.counts.commands += 1;
        if command.bare_stop && self.format_1_at(line) {
            return Err(RecordError {
                line,
                what: Malformed::AmbiguousStop,
            });
        }
        let j = self.job_index(&command.job);
        self.order(j, &command.job, command.time, line)?;
        let job = self.jobs[j].clone();
        self.jobs[j].records += 1;
        if job.violated {
            self.counts.after_violation += 1;
            return Ok(());
        }
        let ops = command.op.0;
        let mut config = self.load(&job);
        let previous = config.union();
        let start = config;
        let in_time = self.advance(&job, &mut config, command.time);
        let what = format!(
            "command {} {}",
            command.op.describe(),
            match &command.reply {
                Reply::Accepted => "accepted".to_string(),
                Reply::Refused { error_code } => format!("refused ({error_code})"),
                Reply::Indefinite => "indefinite".to_string(),
            }
        );
        if !in_time {
            let record = self.seen(line, command.time, what);
            self.violate(
                j,
                &command.job,
                &job,
                &start,
                previous,
                record,
                claim::TAKES_EFFECT,
            );
            return Ok(());
        }
        let mut optional_ops = job.optional_ops;
        match &command.reply {
            Reply::Accepted => {
                // Brief D.3.2: the state when it was sent accepts it. Some state consistent
                // with that moment (unseen steps before it included) must, and the others
                // are ruled out from here on (a later record that only they explain breaks
                // the same claim).
                let before = config.union();
                let unrestricted = config;
                for mask in 0..MASKS {
                    let set = config.sets[mask];
                    config.sets[mask] = set & !self.tables.refusing_all(set, ops);
                }
                if config.union() == 0 {
                    let record = self.seen(line, command.time, what);
                    self.violate(
                        j,
                        &command.job,
                        &job,
                        &unrestricted,
                        previous,
                        record,
                        claim::ACCEPTS,
                    );
                    return Ok(());
                }
                if config.count == MAX_PENDING {
                    self.evict_oldest(&command.job, &mut config);
                }
                let i = config.count;
                config.ops[i] = ops;
                config.lines[i] = line;
                config.sent[i] = command.time;
                config.refusers[i] = before & !config.union();
                config.count += 1;
            }
            Reply::Refused { .. } => {
                let before = config;
                for mask in 0..MASKS {
                    config.sets[mask] = self.tables.refusing_all(config.sets[mask], ops);
                }
                if config.union() == 0 {
                    let record = self.seen(line, command.time, what);
                    self.violate(
                        j,
                        &command.job,
                        &job,
                        &before,
                        previous,
                        record,
                        claim::REFUSES,
                    );
                    return Ok(());
                }
            }
            Reply::Indefinite => {
                if self.options.commands_complete {
                    optional_ops |= ops;
                }
            }
        }
        self.retire(&mut config);
        if self.trace_job.as_deref() == Some(&*command.job) {
            self.trace.push(Kept {
                seen: self.seen(line, command.time, what),
                asks: match command.reply {
                    Reply::Accepted => Asks::Accepted(ops),
                    Reply::Refused { .. } => Asks::Refused(ops),
                    Reply::Indefinite => Asks::Indefinite(ops),
                },
                after: config.union(),
            });
        }
        self.store(j, &config);
        let job = &mut self.jobs[j];
        job.optional_ops = optional_ops;
        job.last_time = command.time;
        job.last_line = line;
        job.last_what = 1;
        Ok(())
    }

    fn evict_oldest(&mut self, id: &str, config: &mut Config) {
        if !Self::is_applied_somewhere(config, 0) {
            self.counts.never_applied_evicted += 1;
            self.report_never_applied(id, config.lines[0], config.sent[0], config.ops[0]);
        }
        self.remove_pending(config, 0);
    }

    fn report_never_applied(&mut self, id: &str, line: u64, time: Millis, op: u16) {
        self.counts.never_applied += 1;
        if self.never_applied.len() < MAX_REPORTS {
            self.never_applied.push(NeverApplied {
                job: id.to_string(),
                line,
                time,
                op: Ops(op).describe(),
            });
        }
    }

    fn timeline(&mut self, entry: &TimelineEntry<'_>, line: u64) -> Result<(), RecordError> {
        self.counts.timeline += 1;
        if entry.bare_stop && self.format_1_at(line) {
            return Err(RecordError {
                line,
                what: Malformed::AmbiguousStop,
            });
        }
        let j = self.job_index(&entry.job);
        self.order(j, &entry.job, entry.time, line)?;
        let job = self.jobs[j].clone();
        self.jobs[j].records += 1;
        if job.violated {
            self.counts.after_violation += 1;
            return Ok(());
        }
        let t = self.tables;
        let ops = entry.op.0;
        let mut config = self.load(&job);
        let previous = config.union();
        let start = config;
        let in_time = self.advance(&job, &mut config, entry.time);
        let what = format!(
            "timeline {} {}",
            entry.op.describe(),
            if entry.succeeded { "success" } else { "failed" }
        );
        let claim = if !in_time {
            Some(claim::TAKES_EFFECT)
        } else if entry.succeeded {
            // The operation happened now: as one of the pending commands, or as one the
            // timeline alone records. One that no consistent state accepts is one the
            // service accepted and the specification refuses.
            let mut next = [0; MASKS];
            for mask in 0..MASKS {
                next[mask] |= t.apply_any(config.sets[mask], ops);
                for i in 0..config.count {
                    if mask & 1 << i == 0 && config.ops[i] & ops != 0 {
                        next[mask | 1 << i] |= t.apply_any(config.sets[mask], ops);
                    }
                }
            }
            config.sets = next;
            (config.union() == 0).then_some(claim::ACCEPTS)
        } else {
            for mask in 0..MASKS {
                config.sets[mask] = t.refusing_all(config.sets[mask], ops);
            }
            (config.union() == 0).then_some(claim::REFUSES)
        };
        if let Some(claim) = claim {
            let record = self.seen(line, entry.time, what);
            self.violate(j, &entry.job, &job, &start, previous, record, claim);
            return Ok(());
        }
        self.retire(&mut config);
        if self.trace_job.as_deref() == Some(&*entry.job) {
            self.trace.push(Kept {
                seen: self.seen(line, entry.time, what),
                asks: if entry.succeeded {
                    Asks::Done(ops)
                } else {
                    Asks::NotDone(ops)
                },
                after: config.union(),
            });
        }
        self.store(j, &config);
        let job = &mut self.jobs[j];
        job.last_time = entry.time;
        job.last_line = line;
        job.last_what = 2;
        Ok(())
    }

    fn link_account(&mut self, j: usize, account: &str) {
        let a = match self.accounts.get(account) {
            Some(&a) => a,
            None => {
                let a = self.account_jobs.len() as u32;
                self.accounts.insert(account.into(), a);
                self.account_jobs.push(Vec::new());
                self.account_arrears.push(false);
                a
            }
        };
        self.jobs[j].account = a;
        self.account_jobs[a as usize].push(j as u32);
    }

    fn billing(&mut self, event: &BillingEvent<'_>) {
        self.counts.billing += 1;
        if !self.options.billing_recorded {
            return;
        }
        let a = match self.accounts.get(&*event.account) {
            Some(&a) => a as usize,
            None => {
                let a = self.account_jobs.len();
                self.accounts.insert((*event.account).into(), a as u32);
                self.account_jobs.push(Vec::new());
                self.account_arrears.push(event.in_arrears);
                return;
            }
        };
        if self.account_arrears[a] == event.in_arrears {
            return;
        }
        let jobs = std::mem::take(&mut self.account_jobs[a]);
        for &j in &jobs {
            let job = self.jobs[j as usize].clone();
            if job.violated {
                continue;
            }
            let mut config = self.load(&job);
            // Time passes under the old billing state up to the event (a job whose last
            // record is later is judged as if the event came first: billing must be in
            // time order with the account's records).
            self.advance(&job, &mut config, event.time.max(job.last_time));
            for mask in 0..MASKS {
                config.sets[mask] = if event.in_arrears {
                    self.tables.freeze_all(config.sets[mask])
                } else {
                    self.tables.thaw_all(config.sets[mask])
                };
            }
            self.store(j as usize, &config);
        }
        self.account_jobs[a] = jobs;
        self.account_arrears[a] = event.in_arrears;
    }

    /// Which claim an impossible record breaks, from the states possible before it.
    fn classify(&self, before: States, answer: Answer) -> &'static str {
        let t = self.tables;
        let within = |set: States| before & !set == 0;
        let a = answer_index(answer);
        if within(t.deleted) {
            return claim::DELETED_REAPPEARS;
        }
        if within(t.ended) {
            return claim::ENDED_TERMINAL;
        }
        if within(t.ending) && t.shows[a] & t.ending == 0 {
            return claim::END_NEVER_UNDONE;
        }
        if within(t.frozen) {
            return claim::FROZEN_STAYS;
        }
        if t.shows[a] & t.deleted != 0 {
            return claim::DELETE_ONLY;
        }
        let modes: States = crate::spec::Mode::ALL
            .into_iter()
            .filter(|mode| before & t.of_mode[*mode as usize] != 0)
            .fold(0, |s, mode| s | t.of_mode[mode as usize]);
        if t.shows[a] != 0 && t.shows[a] & modes == 0 {
            return claim::MODE;
        }
        if within(t.paused | (t.frozen & before)) && before & t.paused != 0 {
            return claim::PAUSED_STAYS;
        }
        claim::TABLE
    }

    fn seen(&self, line: u64, time: Millis, what: String) -> Seen {
        Seen { line, time, what }
    }

    fn describe_poll(&self, answer: Answer) -> String {
        format!("status {answer}")
    }

    #[allow(clippy::too_many_arguments)]
    fn violate(
        &mut self,
        j: usize,
        id: &str,
        job: &Job,
        config: &Config,
        possible: States,
        record: Seen,
        claim: &'static str,
    ) {
        let t = self.tables;
        // The job's last judged record (an excursion skipped is none: it sets no line).
        let previous = (job.last_line != 0).then(|| Seen {
            line: job.last_line,
            time: job.last_time,
            what: match job.last_what {
                0 => format!("status {}", answer_of(job.last_answer as usize)),
                1 => "a command".to_string(),
                _ => "a timeline entry".to_string(),
            },
        });
        // What a poll could have shown: under "an accepted command takes effect", only the
        // states where the overdue commands are applied (never the impossible status itself).
        let bound = if claim == claim::TAKES_EFFECT {
            self.options.apply_within
        } else {
            None
        };
        let mut next = *config;
        self.advance_with(job, &mut next, record.time, bound);
        if next.union() == 0 {
            next = *config;
            self.advance_with(job, &mut next, record.time, None);
        }
        let allowed = t.observations(next.union());
        let pending = (0..config.count)
            .filter(|&i| {
                claim != claim::TAKES_EFFECT
                    || bound
                        .is_some_and(|within| config.sent[i].saturating_add(within) < record.time)
            })
            .map(|i| Seen {
                line: config.lines[i],
                time: config.sent[i],
                what: format!("command {} accepted", Ops(config.ops[i]).describe()),
            })
            .collect();
        self.violations.push(Violation {
            job: id.to_string(),
            claim,
            record,
            previous,
            pending,
            possible: t.members(possible).map(|i| t.states[i]).collect(),
            allowed_next: allowed,
            explained_prefix: job.records,
        });
        self.jobs[j].violated = true;
        self.jobs[j].last_time = self.jobs[j].last_time.max(
            self.violations
                .last()
                .map_or(Millis::MIN, |v| v.record.time),
        );
        if let Some(slot) = (job.pending != NO_PENDING).then_some(job.pending) {
            self.free_pending.push(slot);
            self.jobs[j].pending = NO_PENDING;
        }
    }

    /// The end of the history: accepted commands that no consistent run applied.
    pub fn finish(&mut self) {
        let mut names: Vec<(u32, Box<str>)> = Vec::new();
        for (id, &j) in &self.ids {
            let job = &self.jobs[j as usize];
            // A violated job has none: its pending commands are let go at the violation.
            if job.pending != NO_PENDING {
                names.push((j, id.clone()));
            }
        }
        names.sort();
        for (j, id) in names {
            let job = self.jobs[j as usize].clone();
            let config = self.load(&job);
            for i in 0..config.count {
                if !Self::is_applied_somewhere(&config, i) {
                    self.report_never_applied(&id, config.lines[i], config.sent[i], config.ops[i]);
                }
            }
        }
        self.violations.sort_by_key(|v| v.record.line);
    }

    /// The ids of the jobs seen, in no particular order (to suggest one for a mistyped id).
    pub fn job_ids(&self) -> impl Iterator<Item = &str> {
        self.ids.keys().map(|id| &**id)
    }
}

#[cfg(test)]
#[path = "judge_tests.rs"]
mod tests;
