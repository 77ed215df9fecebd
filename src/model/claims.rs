//! Every claim the project checks, listed once.
//!
//! A claim is what the brief's part C says must hold of the lifecycle: a safety property
//! judged in every reachable state, a status that some run reaches, a liveness property
//! judged under fairness, or a claim about the implementation beside the specification.
//! [`CLAIMS`] is the one list: the model checker (tallied or with one stateright property
//! per claim), the liveness check, the fuzzer, the loading of configurations, the reports
//! and the Explorer all iterate it, so a claim added here is checked everywhere at once.
//! Adding one is one entry here plus the fault that breaks it ([`super::faults`]); a test
//! fails when a claim names no fault, or when no shipped configuration (or, for the
//! snapshot claim, no fuzzing run) shows that fault breaking it.
//!
//! Conditions read only what they need from a state, through [`Judged`]: the tasks, their
//! histories, the sticky transition flags, the accounts in arrears, and the injected fault
//! (the deadlock claim judges with the model's own, possibly faulty, step). That keeps them
//! independent of any model type, and of the fleet's capacity: the models and the fuzzing
//! harness (32 or 64 tasks) judge the same functions.
//!
//! Why liveness is not stateright's `eventually`: it judges only paths that end in a state
//! without successors, and this lifecycle cycles (pause and resume, freeze and recharge,
//! retry), so it would report success that proves nothing. A liveness claim here names the
//! region a task must eventually leave; `check::liveness` judges it on the explicit graph.

/// An array of 64 instances of a const-generic condition `$holds::<P, I>`, one per claim
/// index (stateright takes plain function pointers, so each claim gets its own instance);
/// the claims use the first `CLAIM_COUNT`.
macro_rules! by_claim_index {
    ($holds:ident) => {
        $crate::model::claims::by_claim_index!(@ $holds
            0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30
            31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58
            59 60 61 62 63)
    };
    (@ $holds:ident $($i:literal)*) => {
        [$($holds::<P, $i>),*]
    };
}
pub(crate) use by_claim_index;

use std::fmt;
use std::sync::atomic::{AtomicU8, Ordering};

use serde::Serialize;

use crate::spec::{Event, Mode, STATUS_COUNT, Slot, Source, Status, TaskSpec};

use super::faults::Fault;
use super::world::{Broken, History, World};

/// What kind of claim it is, and so who can judge it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Holds in every reachable state of every model.
    Safety,
    /// Holds in every reachable state of the conformance model (specification × engine),
    /// or (for the snapshot claim) in every fuzzed case.
    Conformance,
    /// Some reachable state shows the status.
    Reachability,
    /// Holds on every fair infinite run (weak fairness of the service's reports).
    Liveness,
    /// Holds in every reachable state of the distributed control plane (the actor model):
    /// what crosses the network, late, twice or not at all, and what a restart keeps.
    Protocol,
    /// Holds of every recorded history of the real service (`validate`): what only a
    /// recorded run shows (a command and its answer, time, an account), judged against the
    /// specification's observations.
    History,
}

impl Kind {
    /// The word reports use.
    pub fn word(self) -> &'static str {
        match self {
            Kind::Safety => "safety",
            Kind::Conformance => "conformance",
            Kind::Reachability => "reachability",
            Kind::Liveness => "liveness",
            Kind::Protocol => "protocol",
            Kind::History => "history",
        }
    }
}

/// How a claim is judged.
#[derive(Clone, Copy)]
pub enum Judge {
    /// The condition holds in every reachable state.
    Always(fn(&Judged<'_>) -> bool),
    /// Some reachable state has a task in this status.
    Reaches(Status),
    /// Under weak fairness of system events, a task never stays forever in one region.
    Leaves(Region),
    /// A fleet saved to JSON restores to an equal fleet that answers every later command
    /// like the original: judged by the fuzzer, which snapshots mid-case.
    SnapshotRoundTrip,
    /// The condition holds in every reachable state of the actor model, read through
    /// [`Protocol`].
    Protocol(fn(&Protocol<'_>) -> bool),
    /// Judged by `validate` on a recorded history (`crate::history::judge`); the breaker is
    /// what must make `validate` name it.
    History(Breaker),
}

/// What makes `validate` name a history claim: a misbehaving service simulated by
/// `simulate --service-fault`, or a committed trace (with the `validate` flags it needs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Breaker {
    /// `drs-lifecycle simulate --service-fault NAME`, judged with these extra `validate`
    /// arguments (e.g. `--deadlines default`).
    ServiceFault {
        /// The fault's name.
        fault: &'static str,
        /// Extra arguments of `validate`.
        args: &'static [&'static str],
    },
    /// A history under `tests/traces/`, judged with these extra `validate` arguments.
    Trace {
        /// The file, relative to `tests/traces/`.
        file: &'static str,
        /// Extra arguments of `validate` (e.g. `--excursions error`).
        args: &'static [&'static str],
    },
}

/// What the protocol claims read of the distributed control plane's state
/// ([`crate::actors`]): the controller's record and what each instance is doing. Filled by
/// the actor model from the actors' states, never from a history of messages (on an
/// unordered network stateright drops a delivery its receiver ignores before any history
/// sees it).
#[derive(Clone, Copy, Debug)]
pub struct Protocol<'a> {
    /// Whether the controller is up; a crashed controller's memory is not judged.
    pub controller_up: bool,
    /// Whether a report or poll answer that was not its task's current attempt's next one
    /// ever changed a task: an auxiliary variable that the controller's trusted part keeps
    /// (the part that is the same in every faulty variant).
    pub stale_changed: bool,
    /// How many of the client's requests the controller's record says it accepted.
    pub accepted: u8,
    /// The most accepted requests the client was told of.
    pub acknowledged: u8,
    /// Per task slot, the controller's record and its instance.
    pub tasks: &'a [ProtocolTask],
}

/// One task as [`Protocol`] judges it.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProtocolTask {
    /// The controller's current attempt for the task.
    pub attempt: u8,
    /// Whether the controller's record has the migration running (Starting,
    /// FullMigration, FullMigrationComplete, IncrementalMigration or FaultRecovery).
    pub view_migrates: bool,
    /// What its instance is doing, when the instance is up.
    pub instance: Option<InstanceRun>,
}

/// What an instance is doing.
#[derive(Clone, Copy, Debug, Default)]
pub struct InstanceRun {
    /// The attempt it works on.
    pub attempt: u8,
    /// The highest attempt it was ever told of (an auxiliary variable that survives its
    /// restarts).
    pub told: u8,
    /// Whether it is running the migration (starting, copying, or recovering).
    pub migrating: bool,
}

/// A liveness claim: "once `from` holds of a task, it eventually leaves its region". Task
/// states with the same region key form one region; `None` is outside every region (the
/// goal).
#[derive(Clone, Copy)]
pub struct Region {
    /// Where the obligation starts.
    pub from: fn(&TaskSpec) -> bool,
    /// The region a task state belongs to.
    pub key: fn(&TaskSpec) -> Option<u8>,
    /// What a task stuck in the region of this state is doing ("stays 启动中 Starting").
    pub stuck: fn(&TaskSpec) -> String,
}

/// One claim.
#[derive(Clone, Copy)]
pub struct Claim {
    /// Its name, as configurations and reports spell it.
    pub name: &'static str,
    /// Safety, conformance, reachability or liveness: who can judge it.
    pub kind: Kind,
    /// The claim in a sentence.
    pub text: &'static str,
    /// The deliberately broken variant that must break it (none for reachability: the
    /// mode-restricted lifecycles and `schedule-start-refused` show those can fail).
    pub broken_by: Option<Fault>,
    /// How it is judged.
    pub judge: Judge,
}

impl fmt::Debug for Claim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} claim {:?}", self.kind.word(), self.name)
    }
}

/// A claim's position in [`CLAIMS`]: how verdicts, expectations and tallies name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClaimId(u8);

impl ClaimId {
    /// The claim.
    pub fn claim(self) -> &'static Claim {
        &CLAIMS[self.0 as usize]
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        self.claim().name
    }

    /// Its position in [`CLAIMS`].
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// The claim with this name.
    pub fn named(name: &str) -> Option<ClaimId> {
        all().find(|id| id.name() == name)
    }

    /// The reachability claim of a status.
    pub fn reaching(status: Status) -> ClaimId {
        ClaimId((REACHABILITY_START + status.index()) as u8)
    }
}

/// The claim with this name, found at compile time (a name that is not in [`CLAIMS`] fails
/// the build): for the few claims code refers to by name.
const fn find(name: &str) -> ClaimId {
    let list = list();
    let mut i = 0;
    while i < CLAIM_COUNT {
        if same(list[i].name, name) {
            return ClaimId(i as u8);
        }
        i += 1;
    }
    panic!("no claim has this name")
}

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// "deleted task never reappears".
pub const DELETED_NEVER_REAPPEARS: ClaimId = find("deleted task never reappears");
/// "engine refines the specification": what a disagreement of the engine breaks.
pub const ENGINE_REFINES_SPEC: ClaimId = find("engine refines the specification");
/// "no deadlock".
pub const NO_DEADLOCK: ClaimId = find("no deadlock");
/// "instance held exactly while needed".
pub const INSTANCE_HELD_WHILE_NEEDED: ClaimId = find("instance held exactly while needed");
/// "refused command changes nothing".
pub const REFUSAL_CHANGES_NOTHING: ClaimId = find("refused command changes nothing");
/// "a snapshot restores the fleet": what the fuzzer's snapshot round trip judges.
pub const SNAPSHOT_RESTORES_THE_FLEET: ClaimId = find(SNAPSHOT.name);

impl fmt::Display for ClaimId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a condition may read of a state: the same for every model and every capacity.
#[derive(Clone, Copy, Debug)]
pub struct Judged<'a> {
    /// The fleet's tasks, by slot (task id minus one).
    pub slots: &'a [Slot],
    /// Each slot's history: what the task ever went through.
    pub history: &'a [History],
    /// The transition claims broken on the way to the state.
    pub broken: Broken,
    /// One bit per account in arrears.
    pub arrears: u32,
    /// The fault injected in the step the state was made with.
    pub fault: Option<Fault>,
}

impl<'a> Judged<'a> {
    /// What the claims may read of a world, judged with the given fault's step.
    pub fn of<const N: usize>(world: &'a World<N>, fault: Option<Fault>) -> Self {
        Judged {
            slots: world.fleet.slots(),
            history: &world.history[..world.fleet.len()],
            broken: world.broken,
            arrears: world.fleet.arrears_bits(),
            fault,
        }
    }

    fn in_arrears(&self, account: u8) -> bool {
        self.arrears & 1 << account != 0
    }

    fn tasks(&self) -> impl Iterator<Item = (&Slot, History)> {
        self.slots.iter().zip(self.history.iter().copied())
    }
}

/// Every claim, in report order: safety, conformance, reachability (one per status, in
/// [`Status::ALL`] order), liveness, the fuzzer's snapshot claim, the protocol claims of
/// the distributed control plane, and the claims only a recorded history can break.
pub static CLAIMS: [Claim; CLAIM_COUNT] = list();

const SAFETY: &[Claim] = &[
    Claim {
        name: "deleted task never reappears",
        kind: Kind::Safety,
        text: "once deleted, a task stays Deleted, is never listed, keeps its id, and no later event changes it",
        broken_by: Some(Fault::DeletedRevivedByLateReport),
        judge: Judge::Always(deleted_never_reappears),
    },
    Claim {
        name: "ended is terminal",
        kind: Kind::Safety,
        text: "once Ended, a task is Ended or Deleted forever",
        broken_by: Some(Fault::EndedRestarts),
        judge: Judge::Always(ended_is_terminal),
    },
    Claim {
        name: "an end is never undone",
        kind: Kind::Safety,
        text: "once its end is requested (by the user, a force end or the system), a task only goes on ending: EndRequested, Ending, EndFailed, Ended or Deleted (frozen on EndFailed at most); no late report brings it back",
        broken_by: Some(Fault::LateStartReportAfterForceEnd),
        judge: Judge::Always(end_is_never_undone),
    },
    Claim {
        name: "delete only from CreateFailed or Ended",
        kind: Kind::Safety,
        text: "a task becomes Deleted only from CreateFailed or Ended",
        broken_by: Some(Fault::DeleteWhileRunning),
        judge: Judge::Always(|s| !s.broken.contains(Broken::DELETE_FROM_WRONG_STATUS)),
    },
    Claim {
        name: "frozen only in arrears",
        kind: Kind::Safety,
        text: "a task is Frozen only while its account is in arrears",
        broken_by: Some(Fault::RechargeLeavesTaskFrozen),
        judge: Judge::Always(frozen_only_in_arrears),
    },
    Claim {
        name: "unfreeze restores the remembered status",
        kind: Kind::Safety,
        text: "a recharge returns every frozen task to exactly the status (and phase) it froze",
        broken_by: Some(Fault::UnfreezeForgetsStatus),
        judge: Judge::Always(|s| !s.broken.contains(Broken::UNFREEZE_MISMATCH)),
    },
    Claim {
        name: "instance held exactly while needed",
        kind: Kind::Safety,
        text: "a task holds a migration instance exactly while its status needs one",
        broken_by: Some(Fault::ReleaseDoneLandsOnEndFailed),
        judge: Judge::Always(instance_held_exactly_while_needed),
    },
    Claim {
        name: "instance acquired once and released once",
        kind: Kind::Safety,
        text: "a task's instance is acquired at most once and released at most once",
        broken_by: Some(Fault::DuplicateInstanceReport),
        judge: Judge::Always(|s| {
            s.history
                .iter()
                .all(|history| history.acquired() <= 1 && history.released() <= 1)
        }),
    },
    Claim {
        name: "full-only never incremental, incremental-only never full",
        kind: Kind::Safety,
        text: "a full-only task never enters an incremental status and an incremental-only task never a full one",
        broken_by: Some(Fault::FullOnlyContinuesToIncremental),
        judge: Judge::Always(mode_phases_respected),
    },
    Claim {
        name: "no deadlock",
        kind: Kind::Safety,
        text: "every task that is not Ended or Deleted has an event that moves it",
        broken_by: Some(Fault::CreationReportLost),
        judge: Judge::Always(no_deadlock),
    },
    Claim {
        name: "engine refines the specification",
        kind: Kind::Conformance,
        text: "on every command, allowed or not, the engine accepts exactly what the specification accepts and lands in the same state",
        broken_by: Some(Fault::EnginePausesFrozenTask),
        judge: Judge::Always(|s| !s.broken.contains(Broken::DIVERGED)),
    },
    Claim {
        name: "refused command changes nothing",
        kind: Kind::Conformance,
        text: "a command the engine refuses leaves the engine exactly as it was",
        broken_by: Some(Fault::EngineRefusalBumpsVersion),
        judge: Judge::Always(|s| !s.broken.contains(Broken::REFUSAL_CHANGED_STATE)),
    },
];

const LIVENESS: &[Claim] = &[
    Claim {
        name: "every transient status is eventually left",
        kind: Kind::Liveness,
        text: "a task in a transient status (Creating, Starting, FaultRecovery, EndRequested, Ending) eventually leaves it, when the service's reports are fair",
        broken_by: Some(Fault::RecoveryHangs),
        judge: Judge::Leaves(Region {
            from: |task| task.status.is_transient(),
            key: |task| task.status.is_transient().then_some(task.status as u8),
            stuck: |task| format!("stays {} {}", task.status.zh(), task.status.english()),
        }),
    },
    Claim {
        name: "every EndRequested task eventually reaches Ended or EndFailed",
        kind: Kind::Liveness,
        text: "once its end is requested, a task eventually reaches Ended or EndFailed (a task frozen on EndFailed has reached it), when the service's reports are fair",
        broken_by: Some(Fault::ReleaseErrorRequeues),
        judge: Judge::Leaves(Region {
            from: |task| task.status == Status::EndRequested,
            // A release that fails while the account is in arrears lands on EndFailed and
            // freezes at once: the task did reach EndFailed, so the goal reads the status a
            // frozen task remembers.
            key: |task| {
                (!matches!(task.effective_status(), Status::Ended | Status::EndFailed)).then_some(0)
            },
            stuck: |_| "never reaches 已结束 Ended or 结束任务失败 EndFailed".to_string(),
        }),
    },
];

const SNAPSHOT: Claim = Claim {
    name: "a snapshot restores the fleet",
    kind: Kind::Conformance,
    text: "a fleet saved to JSON mid-run restores to an equal fleet that accepts, refuses and lands exactly like the original from then on",
    broken_by: Some(Fault::EngineSnapshotDropsVersions),
    judge: Judge::SnapshotRoundTrip,
};

const PROTOCOL: &[Claim] = &[
    Claim {
        name: "a stale report changes nothing",
        kind: Kind::Protocol,
        text: "a report or poll answer from an earlier attempt, or one already applied, never changes a task: it never undoes a pause, revives a deleted task or restarts an ended one",
        broken_by: Some(Fault::ReportsWithoutAttemptCheck),
        judge: Judge::Protocol(|p| !p.stale_changed),
    },
    Claim {
        name: "nothing acknowledged is lost",
        kind: Kind::Protocol,
        text: "every change the client was told was accepted is still in the controller's record, whatever restarts came between",
        broken_by: Some(Fault::AckBeforePersist),
        judge: Judge::Protocol(|p| !p.controller_up || p.accepted >= p.acknowledged),
    },
    Claim {
        name: "an instance runs only while its task should",
        kind: Kind::Protocol,
        text: "an instance runs a migration only for its task's current attempt while the controller's record has it running, or until the directive that stops it reaches it",
        broken_by: Some(Fault::InstanceResendsAfterRestart),
        judge: Judge::Protocol(instance_runs_only_while_it_should),
    },
];

/// The claims only a recorded history can break: about a command and its answer, time, an
/// account, the codes a poll shows. The model checker's claims that a history can also
/// break (deleted task never reappears, ended is terminal, …) are judged by `validate`
/// under their own names; these are its own.
const HISTORY: &[Claim] = &[
    history(
        "a frozen task moves only on recharge or retention expiry",
        "a task frozen by its account's arrears shows no step of the status it froze until the account is recharged (brief D.3.4), unless retention expires",
        Breaker::ServiceFault {
            fault: "frozen-keeps-migrating",
            args: &[],
        },
    ),
    history(
        "a paused task moves only on a user's resume, reset or end",
        "a paused task stays paused until a user resumes, resets or ends it: no late report moves it",
        Breaker::ServiceFault {
            fault: "pause-undone",
            args: &[],
        },
    ),
    history(
        "every step is in the transition table",
        "every change between two records is explained by a run of the transition table",
        Breaker::Trace {
            file: "table-step-missing.jsonl",
            args: &[],
        },
    ),
    history(
        "the service refuses only what the specification refuses",
        "a command the service refused is one the specification refuses in some state consistent with the moment it was sent",
        Breaker::Trace {
            file: "refuses-allowed.jsonl",
            args: &[],
        },
    ),
    history(
        "the service accepts only what the specification accepts",
        "a command the service accepted is one the specification accepts in some state consistent with the moment it was sent, unseen steps before it included (brief D.3.2)",
        Breaker::ServiceFault {
            fault: "accepts-force-end-in-creating",
            args: &[],
        },
    ),
    history(
        "an accepted command takes effect",
        "an accepted command shows its effect within the history's apply_within bound",
        Breaker::ServiceFault {
            fault: "force-end-ignored",
            args: &[],
        },
    ),
    history(
        "a task keeps its mode",
        "every poll of a task names the migration mode it was created with",
        Breaker::Trace {
            file: "mode-changes.jsonl",
            args: &[],
        },
    ),
    history(
        "a task keeps its account",
        "every record of a task names the account it was created under (brief D.3.3)",
        Breaker::Trace {
            file: "account-changes.jsonl",
            args: &[],
        },
    ),
    history(
        "every status code is a lifecycle status",
        "with --excursions error: no poll shows a code of an operation outside the lifecycle (CHANGE_JOB_*, CHILD_TRANSFER_*, NODE_UPGRADE_*)",
        Breaker::Trace {
            file: "excursions.jsonl",
            args: &["--excursions", "error"],
        },
    ),
    history(
        "every transient status is left within its deadline",
        "with --deadlines: no task stays in a transient status (Creating, Starting, FullMigrationComplete, FaultRecovery, EndRequested, Ending) longer than its bound: the real-time form of the liveness claim",
        Breaker::ServiceFault {
            fault: "stuck-starting",
            args: &["--deadlines", "default"],
        },
    ),
    history(
        "every end is released within its deadline",
        "with --deadlines: a task whose end was requested shows Ended or EndFailed within the release bound: the real-time form of the liveness claim",
        Breaker::ServiceFault {
            fault: "release-hangs",
            args: &["--deadlines", "default"],
        },
    ),
];

const fn history(name: &'static str, text: &'static str, breaker: Breaker) -> Claim {
    Claim {
        name,
        kind: Kind::History,
        text,
        broken_by: None,
        judge: Judge::History(breaker),
    }
}

/// The name of a claim of [`CLAIMS`], checked at compile time: `validate` names the claims
/// it judges through this, so a name that is not in the one table fails the build.
pub const fn named(name: &'static str) -> &'static str {
    let id = find(name);
    list()[id.0 as usize].name
}

fn instance_runs_only_while_it_should(p: &Protocol<'_>) -> bool {
    !p.controller_up
        || p.tasks.iter().all(|task| match task.instance {
            Some(run) if run.migrating => {
                (run.attempt == task.attempt && task.view_migrates)
                    || (run.attempt < task.attempt && run.told < task.attempt)
            }
            _ => true,
        })
}

const REACHABILITY_START: usize = SAFETY.len();
const LIVENESS_START: usize = REACHABILITY_START + STATUS_COUNT;
/// How many claims there are.
pub const CLAIM_COUNT: usize = HISTORY_START + HISTORY.len();
const PROTOCOL_START: usize = LIVENESS_START + LIVENESS.len() + 1;
const HISTORY_START: usize = PROTOCOL_START + PROTOCOL.len();

const fn list() -> [Claim; CLAIM_COUNT] {
    let mut out = [SNAPSHOT; CLAIM_COUNT];
    let mut i = 0;
    while i < SAFETY.len() {
        out[i] = SAFETY[i];
        i += 1;
    }
    let mut s = 0;
    while s < STATUS_COUNT {
        let status = Status::ALL[s];
        out[REACHABILITY_START + s] = Claim {
            name: reach_name(status),
            kind: Kind::Reachability,
            text: "some run reaches the status",
            broken_by: None,
            judge: Judge::Reaches(status),
        };
        s += 1;
    }
    let mut l = 0;
    while l < LIVENESS.len() {
        out[LIVENESS_START + l] = LIVENESS[l];
        l += 1;
    }
    let mut p = 0;
    while p < PROTOCOL.len() {
        out[PROTOCOL_START + p] = PROTOCOL[p];
        p += 1;
    }
    let mut h = 0;
    while h < HISTORY.len() {
        out[HISTORY_START + h] = HISTORY[h];
        h += 1;
    }
    out
}

// Verdict bit sets hold one bit per claim.
const _: () = assert!(CLAIM_COUNT <= 64);

/// Every claim's id, in report order.
pub fn all() -> impl Iterator<Item = ClaimId> + Clone {
    (0..CLAIM_COUNT as u8).map(ClaimId)
}

/// The claims a model checks: every safety, reachability (and, when `liveness`, liveness)
/// claim, and the conformance claims that judge states when the engine runs beside the
/// specification.
pub fn checked_by(conformance: bool, liveness: bool) -> impl Iterator<Item = ClaimId> + Clone {
    all().filter(move |id| match id.claim().judge {
        Judge::Always(_) => conformance || id.claim().kind != Kind::Conformance,
        Judge::Reaches(_) => true,
        Judge::Leaves(_) => liveness,
        Judge::SnapshotRoundTrip | Judge::Protocol(_) | Judge::History(_) => false,
    })
}

/// The first claim judged on states (safety or conformance) that a state breaks, in
/// [`CLAIMS`] order: what the fuzzer asks after every step.
#[inline]
pub fn first_broken(state: &Judged<'_>) -> Option<ClaimId> {
    all().find(|id| matches!(id.claim().judge, Judge::Always(holds) if !holds(state)))
}

/// The first safety claim a state breaks, the deadlock claim aside, in [`CLAIMS`] order:
/// what a program's step that the specification does not take is named by, when the state
/// it lands in breaks one (a deleted task back, an end undone, a task frozen in credit, an
/// instance held where its status needs none). Whether a state that the specification never
/// reaches has a way out is a question about the specification's table, not about the
/// program's step: such a step is named "engine refines the specification".
pub fn first_broken_by_a_step(state: &Judged<'_>) -> Option<ClaimId> {
    all().take(REACHABILITY_START).find(|id| {
        id.claim().kind == Kind::Safety
            && *id != NO_DEADLOCK
            && matches!(id.claim().judge, Judge::Always(holds) if !holds(state))
    })
}

/// One bit per claim judged on states that the state breaks (bit = index in [`CLAIMS`]);
/// conformance claims only when `conformance`.
#[inline]
pub fn broken_bits(state: &Judged<'_>, conformance: bool) -> u64 {
    let mut bits = 0;
    for (i, claim) in CLAIMS.iter().enumerate().take(REACHABILITY_START) {
        if let Judge::Always(holds) = claim.judge
            && (conformance || claim.kind != Kind::Conformance)
            && !holds(state)
        {
            bits |= 1 << i;
        }
    }
    bits
}

// Every claim judged on states comes before the reachability claims, so `broken_bits`
// need not look further.
const _: () = {
    let mut i = REACHABILITY_START;
    while i < CLAIM_COUNT {
        assert!(!matches!(list()[i].judge, Judge::Always(_)));
        i += 1;
    }
};

fn deleted_never_reappears(s: &Judged<'_>) -> bool {
    s.tasks()
        .all(|(slot, history)| !history.was_deleted() || slot.task.status == Status::Deleted)
}

fn ended_is_terminal(s: &Judged<'_>) -> bool {
    s.tasks()
        .all(|(slot, history)| !history.was_ended() || slot.task.status.is_terminal())
}

fn end_is_never_undone(s: &Judged<'_>) -> bool {
    s.tasks().all(|(slot, history)| {
        !history.was_end_requested()
            || matches!(
                slot.task.effective_status(),
                Status::EndRequested
                    | Status::Ending
                    | Status::EndFailed
                    | Status::Ended
                    | Status::Deleted
            )
    })
}

fn frozen_only_in_arrears(s: &Judged<'_>) -> bool {
    s.slots
        .iter()
        .all(|slot| slot.task.status != Status::Frozen || s.in_arrears(slot.account))
}

fn instance_held_exactly_while_needed(s: &Judged<'_>) -> bool {
    s.tasks()
        .all(|(slot, history)| history.holds_instance() == slot.task.status.holds_instance())
}

fn mode_phases_respected(s: &Judged<'_>) -> bool {
    s.slots.iter().all(|slot| {
        let task = &slot.task;
        let status_phase = task.effective_status().migration_phase();
        status_phase.is_none_or(|phase| task.mode.runs(phase))
            && task.phase.is_none_or(|phase| task.mode.runs(phase))
    })
}

/// A task is stuck when no event addressed to it and no billing event of its account moves
/// it. Judged with the (possibly faulty) step the state was made with, so a fault that
/// removes a status's last way out is caught.
fn no_deadlock(s: &Judged<'_>) -> bool {
    s.slots.iter().all(|slot| {
        let task = &slot.task;
        if task.status.is_terminal() {
            return true;
        }
        let in_arrears = s.in_arrears(slot.account);
        match s.fault {
            // The specification's own step: the answer depends on the task and its
            // account's standing only, so it is worked out once per kind of task (the
            // fuzzer asks it after every step, of every task).
            None => can_move_memo(task, in_arrears),
            fault => can_move(fault, task, in_arrears),
        }
    })
}

/// Whether some event addressed to the task, or the billing event its account's standing
/// allows, moves it under `fault`'s step.
fn can_move(fault: Option<Fault>, task: &TaskSpec, in_arrears: bool) -> bool {
    let moves = |event| Fault::step(fault, task, event).is_some_and(|next| next != *task);
    Event::ON_TASK
        .iter()
        .filter(|event| event.source() != Source::Billing)
        .any(|&event| moves(event))
        || (in_arrears && task.status == Status::Frozen && moves(Event::AccountRecharged))
        || (!in_arrears && task.status.is_freezable() && moves(Event::AccountInArrears))
}

/// Kinds of task the memo of [`can_move_memo`] tells apart: status, mode, phase (or none),
/// frozen status (or none), and the account's standing.
const MOVE_KINDS: usize = STATUS_COUNT * Mode::ALL.len() * 3 * (STATUS_COUNT + 1) * 2;

/// [`can_move`] of the specification's own step, remembered per kind of task (0: not
/// worked out yet, 1: moves, 2: stuck). Filled as kinds are met, so only tasks that occur
/// are ever stepped; every thread that works an entry out writes the same answer.
static MOVES: [AtomicU8; MOVE_KINDS] = [const { AtomicU8::new(0) }; MOVE_KINDS];

fn can_move_memo(task: &TaskSpec, in_arrears: bool) -> bool {
    let phase = task.phase.map_or(0, |phase| phase as usize + 1);
    let frozen = task.frozen_from.map_or(0, |status| status as usize + 1);
    let kind = (((task.status as usize * Mode::ALL.len() + task.mode as usize) * 3 + phase)
        * (STATUS_COUNT + 1)
        + frozen)
        * 2
        + usize::from(in_arrears);
    match MOVES[kind].load(Ordering::Relaxed) {
        1 => true,
        2 => false,
        _ => {
            let moves = can_move(None, task, in_arrears);
            MOVES[kind].store(if moves { 1 } else { 2 }, Ordering::Relaxed);
            moves
        }
    }
}

/// The name of the reachability claim of a status: "reaches 暂停中 Paused".
pub const fn reach_name(status: Status) -> &'static str {
    match status {
        Status::Creating => "reaches 创建中 Creating",
        Status::CreateFailed => "reaches 创建任务失败 CreateFailed",
        Status::Configuration => "reaches 配置 Configuration",
        Status::Frozen => "reaches 冻结 Frozen",
        Status::WaitingToStart => "reaches 等待启动 WaitingToStart",
        Status::Starting => "reaches 启动中 Starting",
        Status::StartFailed => "reaches 启动失败 StartFailed",
        Status::FullMigration => "reaches 全量迁移 FullMigration",
        Status::FullMigrationFailed => "reaches 全量迁移失败 FullMigrationFailed",
        Status::IncrementalMigration => "reaches 增量迁移 IncrementalMigration",
        Status::IncrementalMigrationFailed => "reaches 增量迁移失败 IncrementalMigrationFailed",
        Status::FaultRecovery => "reaches 故障恢复 FaultRecovery",
        Status::Paused => "reaches 暂停中 Paused",
        Status::EndRequested => "reaches 结束任务 EndRequested",
        Status::Ending => "reaches 结束任务中 Ending",
        Status::EndFailed => "reaches 结束任务失败 EndFailed",
        Status::Ended => "reaches 已结束 Ended",
        Status::FullMigrationComplete => "reaches 全量迁移完成 FullMigrationComplete",
        Status::FaultRecoveryFailed => "reaches 故障恢复失败 FaultRecoveryFailed",
        Status::Deleted => "reaches 已删除 Deleted",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The remembered answer of the deadlock claim is the answer worked out afresh, for
    /// every task the specification can reach, in credit and in arrears, asked twice (the
    /// second time from the memo).
    #[test]
    fn the_remembered_way_out_is_the_way_out() {
        let mut seen: Vec<TaskSpec> = Mode::ALL.into_iter().map(TaskSpec::created).collect();
        let mut next = 0;
        while next < seen.len() {
            let task = seen[next];
            next += 1;
            for event in Event::ON_TASK
                .into_iter()
                .chain([Event::AccountInArrears, Event::AccountRecharged])
            {
                if let Some(after) = Fault::step(None, &task, event)
                    && !seen.contains(&after)
                {
                    seen.push(after);
                }
            }
        }
        assert!(seen.len() > 50, "{} tasks", seen.len());
        let mut stuck = 0;
        for _ in 0..2 {
            for task in &seen {
                for in_arrears in [false, true] {
                    let direct = can_move(None, task, in_arrears);
                    assert_eq!(can_move_memo(task, in_arrears), direct, "{task:?}");
                    stuck += usize::from(!direct);
                }
            }
        }
        // Terminal tasks are stuck by nature (the claim skips them): the memo holds both
        // answers.
        assert!(stuck > 0);
    }

    #[test]
    fn names_are_unique_and_found_again() {
        for id in all() {
            assert_eq!(ClaimId::named(id.name()), Some(id), "{:?}", id.claim());
        }
        for status in Status::ALL {
            assert_eq!(
                ClaimId::reaching(status).claim().kind,
                Kind::Reachability,
                "{status:?}"
            );
            assert!(
                matches!(ClaimId::reaching(status).claim().judge, Judge::Reaches(s) if s == status)
            );
        }
    }

    #[test]
    fn every_claim_but_reachability_names_the_fault_that_breaks_it() {
        for claim in &CLAIMS {
            // A history claim names its breaker in its judge (a service fault or a trace).
            assert_eq!(
                claim.broken_by.is_some(),
                !matches!(claim.kind, Kind::Reachability | Kind::History),
                "{claim:?}"
            );
            assert_eq!(
                matches!(claim.judge, Judge::History(_)),
                claim.kind == Kind::History,
                "{claim:?}"
            );
        }
    }
}
