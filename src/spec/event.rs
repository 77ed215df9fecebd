//! Events: everything that can happen to a task.
//!
//! Users operate a task (create, start, pause, …); the service reports what happened to it
//! (the instance is ready, the full phase is done, a release failed, …); and billing moves
//! the task's account into or out of arrears. The transition table says which of these each
//! status accepts; every other event is refused.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::Mode;

/// Who causes an event. The distinction matters twice: a frozen task refuses every user
/// operation, and liveness assumes weak fairness of system events only (a user may never
/// resume a paused task; the service always finishes a release it began).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Source {
    /// An operation a user asks for (console or API).
    User,
    /// A report of the service about its own work, or one of its timers.
    System,
    /// The billing system moving the account into or out of arrears.
    Billing,
}

/// An event addressed to a task.
///
/// The serde form is the variant name, with the mode for `Create`:
/// `"Pause"`, `{"Create":"FULL_TRANS"}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Event {
    // User operations.
    /// *create(mode)*: ask for a new task and its migration instance.
    Create(Mode),
    /// *start now*.
    StartNow,
    /// *schedule start* at a later time.
    ScheduleStart,
    /// *pause* a running migration.
    Pause,
    /// *resume* (续传) a paused task.
    Resume,
    /// *retry* a failed task.
    Retry,
    /// *reset* (重置): redo the migration from its first phase.
    Reset,
    /// *end* (结束任务): release the instance.
    End,
    /// *force end* (强制结束, `force_terminate`): release the instance now, whatever the
    /// task is doing (starting, recovering, between phases); what it was doing is abandoned
    /// and any late report of it refused.
    ForceEnd,
    /// *delete* the task.
    Delete,

    // Reports of the service and its timers.
    /// The migration instance was created.
    InstanceReady,
    /// Creating the migration instance failed.
    InstanceCreationFailed,
    /// The scheduled start time was reached.
    StartTimeReached,
    /// The migration process started.
    StartSucceeded,
    /// Starting the migration process failed.
    StartError,
    /// The full phase completed.
    FullDone,
    /// The full phase failed.
    FullError,
    /// After the full phase, the incremental phase began (full+incremental tasks).
    IncrementalBegun,
    /// After the full phase, the migration of a full-only task is finished: the system ends
    /// the task.
    MigrationFinished,
    /// The incremental phase failed.
    IncrementalError,
    /// The migration instance failed; the service starts fault recovery.
    InstanceFault,
    /// Fault recovery completed.
    RecoveryDone,
    /// Fault recovery failed.
    RecoveryError,
    /// The release of the instance began.
    ReleaseBegun,
    /// The release of the instance completed.
    ReleaseDone,
    /// The release of the instance failed.
    ReleaseError,
    /// The task stayed in an abnormal (failed) status for `expired_days`.
    AbnormalTimeout,
    /// The retention period of a frozen task ran out.
    RetentionExpired,

    // Billing.
    /// The account's balance fell to zero or below: freeze.
    AccountInArrears,
    /// The account was topped up: unfreeze.
    AccountRecharged,
}

/// How many kinds of event there are (`Create` counts once, whatever its mode).
pub const EVENT_KIND_COUNT: usize = 30;

impl Event {
    /// Every event that is addressed to an existing task: all but `Create`.
    pub const ON_TASK: [Event; EVENT_KIND_COUNT - 1] = [
        Event::StartNow,
        Event::ScheduleStart,
        Event::Pause,
        Event::Resume,
        Event::Retry,
        Event::Reset,
        Event::End,
        Event::ForceEnd,
        Event::Delete,
        Event::InstanceReady,
        Event::InstanceCreationFailed,
        Event::StartTimeReached,
        Event::StartSucceeded,
        Event::StartError,
        Event::FullDone,
        Event::FullError,
        Event::IncrementalBegun,
        Event::MigrationFinished,
        Event::IncrementalError,
        Event::InstanceFault,
        Event::RecoveryDone,
        Event::RecoveryError,
        Event::ReleaseBegun,
        Event::ReleaseDone,
        Event::ReleaseError,
        Event::AbnormalTimeout,
        Event::RetentionExpired,
        Event::AccountInArrears,
        Event::AccountRecharged,
    ];

    /// One event of each kind (`Create` with full+incremental mode), in declaration order.
    pub const KINDS: [Event; EVENT_KIND_COUNT] = {
        let mut all = [Event::Create(Mode::FullIncremental); EVENT_KIND_COUNT];
        let mut i = 1;
        while i < EVENT_KIND_COUNT {
            all[i] = Event::ON_TASK[i - 1];
            i += 1;
        }
        all
    };

    /// A dense index of the event's kind (`Create` is 0 whatever its mode).
    pub const fn index(self) -> usize {
        match self {
            Event::Create(_) => 0,
            Event::StartNow => 1,
            Event::ScheduleStart => 2,
            Event::Pause => 3,
            Event::Resume => 4,
            Event::Retry => 5,
            Event::Reset => 6,
            Event::End => 7,
            Event::ForceEnd => 8,
            Event::Delete => 9,
            Event::InstanceReady => 10,
            Event::InstanceCreationFailed => 11,
            Event::StartTimeReached => 12,
            Event::StartSucceeded => 13,
            Event::StartError => 14,
            Event::FullDone => 15,
            Event::FullError => 16,
            Event::IncrementalBegun => 17,
            Event::MigrationFinished => 18,
            Event::IncrementalError => 19,
            Event::InstanceFault => 20,
            Event::RecoveryDone => 21,
            Event::RecoveryError => 22,
            Event::ReleaseBegun => 23,
            Event::ReleaseDone => 24,
            Event::ReleaseError => 25,
            Event::AbnormalTimeout => 26,
            Event::RetentionExpired => 27,
            Event::AccountInArrears => 28,
            Event::AccountRecharged => 29,
        }
    }

    /// Who causes the event.
    pub const fn source(self) -> Source {
        match self {
            Event::Create(_)
            | Event::StartNow
            | Event::ScheduleStart
            | Event::Pause
            | Event::Resume
            | Event::Retry
            | Event::Reset
            | Event::End
            | Event::ForceEnd
            | Event::Delete => Source::User,
            Event::AccountInArrears | Event::AccountRecharged => Source::Billing,
            _ => Source::System,
        }
    }

    /// Whether a user asks for the event.
    pub const fn is_user_operation(self) -> bool {
        matches!(self.source(), Source::User)
    }

    /// The Rust name of the variant, without the mode.
    pub const fn name(self) -> &'static str {
        match self {
            Event::Create(_) => "Create",
            Event::StartNow => "StartNow",
            Event::ScheduleStart => "ScheduleStart",
            Event::Pause => "Pause",
            Event::Resume => "Resume",
            Event::Retry => "Retry",
            Event::Reset => "Reset",
            Event::End => "End",
            Event::ForceEnd => "ForceEnd",
            Event::Delete => "Delete",
            Event::InstanceReady => "InstanceReady",
            Event::InstanceCreationFailed => "InstanceCreationFailed",
            Event::StartTimeReached => "StartTimeReached",
            Event::StartSucceeded => "StartSucceeded",
            Event::StartError => "StartError",
            Event::FullDone => "FullDone",
            Event::FullError => "FullError",
            Event::IncrementalBegun => "IncrementalBegun",
            Event::MigrationFinished => "MigrationFinished",
            Event::IncrementalError => "IncrementalError",
            Event::InstanceFault => "InstanceFault",
            Event::RecoveryDone => "RecoveryDone",
            Event::RecoveryError => "RecoveryError",
            Event::ReleaseBegun => "ReleaseBegun",
            Event::ReleaseDone => "ReleaseDone",
            Event::ReleaseError => "ReleaseError",
            Event::AbnormalTimeout => "AbnormalTimeout",
            Event::RetentionExpired => "RetentionExpired",
            Event::AccountInArrears => "AccountInArrears",
            Event::AccountRecharged => "AccountRecharged",
        }
    }

    /// The event in the words of the brief's table ("start now", "instance fault", …),
    /// without the mode.
    pub const fn describe(self) -> &'static str {
        match self {
            Event::Create(_) => "create",
            Event::StartNow => "start now",
            Event::ScheduleStart => "schedule start",
            Event::Pause => "pause",
            Event::Resume => "resume",
            Event::Retry => "retry",
            Event::Reset => "reset",
            Event::End => "end",
            Event::ForceEnd => "force end",
            Event::Delete => "delete",
            Event::InstanceReady => "instance ready",
            Event::InstanceCreationFailed => "instance creation failed",
            Event::StartTimeReached => "start time reached",
            Event::StartSucceeded => "start succeeded",
            Event::StartError => "start error",
            Event::FullDone => "full done",
            Event::FullError => "full error",
            Event::IncrementalBegun => "incremental begun",
            Event::MigrationFinished => "migration finished",
            Event::IncrementalError => "incremental error",
            Event::InstanceFault => "instance fault",
            Event::RecoveryDone => "recovery done",
            Event::RecoveryError => "recovery error",
            Event::ReleaseBegun => "release begun",
            Event::ReleaseDone => "release done",
            Event::ReleaseError => "release error",
            Event::AbnormalTimeout => "abnormal timeout",
            Event::RetentionExpired => "retention expired",
            Event::AccountInArrears => "account in arrears",
            Event::AccountRecharged => "account recharged",
        }
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Create(mode) => write!(f, "create({mode})"),
            other => f.write_str(other.describe()),
        }
    }
}

/// A string that names no event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownEvent(pub String);

impl fmt::Display for UnknownEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown event {:?}: expected a Rust name (e.g. StartNow), the table's words \
             (e.g. \"start now\" or start-now), or create(MODE) with MODE one of FULL_TRANS, \
             FULL_INCR_TRANS, INCR_TRANS",
            self.0
        )
    }
}

impl std::error::Error for UnknownEvent {}

impl FromStr for Event {
    type Err = UnknownEvent;

    /// Accepts the Rust name (`StartNow`), the table's words (`start now`, `start-now`,
    /// `start_now`), and `create(MODE)` / `create:MODE` for creation. Case is ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unknown = || UnknownEvent(s.to_string());
        let wanted = s.trim();
        let lower = wanted.to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix("create") {
            let mode = rest
                .trim()
                .strip_prefix(':')
                .or_else(|| rest.trim().strip_prefix('(')?.strip_suffix(')'))
                .ok_or_else(unknown)?;
            return mode.parse().map(Event::Create).map_err(|_| unknown());
        }
        let words = lower.replace(['-', '_'], " ");
        Event::ON_TASK
            .into_iter()
            .find(|event| event.name().eq_ignore_ascii_case(wanted) || event.describe() == words)
            .ok_or_else(unknown)
    }
}
