//! One migration task as the engine stores it.

use serde::{Deserialize, Serialize};

use crate::spec::{AccountId, Mode, Phase, Status, TaskId};

/// A migration task: what a control plane keeps per task, and what a query by id answers.
///
/// The fields are read through accessors so that only the [`Fleet`](super::Fleet) changes
/// them, and only through the lifecycle's transitions; they are `pub(crate)` so that the
/// crate's fault-injection wrappers can corrupt a task on purpose and show that the checks
/// catch it. The serde form is one entry of a snapshot's `tasks` list; a snapshot is only
/// loaded through [`Fleet::from_json`](super::Fleet::from_json), which validates it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Task {
    pub(crate) id: TaskId,
    pub(crate) account: AccountId,
    pub(crate) mode: Mode,
    pub(crate) status: Status,
    /// The phase the task heads for or returns to, kept exactly while its status (or, while
    /// frozen, the status it froze) is Starting, StartFailed, Paused or FaultRecovery.
    pub(crate) phase: Option<Phase>,
    /// The status the task froze, kept exactly while it is Frozen.
    pub(crate) frozen_from: Option<Status>,
    /// Whether the task holds its migration instance.
    pub(crate) instance: bool,
    /// Bumped by one on every accepted change; a created task has version 1, so version 0
    /// never names a real state and clients can use it as "nothing seen yet".
    pub(crate) version: u64,
}

impl Task {
    /// Whether every field is the same, versions included: `==`, without short-circuiting.
    /// The conformance model asks it of every task after every refused command (a refusal
    /// must change nothing), where the tasks are almost always equal and every field is
    /// read anyway; one branch instead of one per field took a fifth of the instructions
    /// out of that check.
    #[inline]
    pub(crate) fn identical(&self, other: &Task) -> bool {
        // Destructured so that a new field cannot be left out.
        let Task {
            id,
            account,
            mode,
            status,
            phase,
            frozen_from,
            instance,
            version,
        } = *self;
        (id == other.id)
            & (account == other.account)
            & (mode == other.mode)
            & (status == other.status)
            & (phase == other.phase)
            & (frozen_from == other.frozen_from)
            & (instance == other.instance)
            & (version == other.version)
    }

    /// A task as *create(mode)* makes it: creating its instance, holding none yet.
    #[inline]
    pub(crate) const fn created(id: TaskId, account: AccountId, mode: Mode) -> Task {
        Task {
            id,
            account,
            mode,
            status: Status::Creating,
            phase: None,
            frozen_from: None,
            instance: false,
            version: 1,
        }
    }

    /// The task's id, unique in its fleet forever (deleted tasks keep theirs).
    #[inline]
    pub fn id(&self) -> TaskId {
        self.id
    }

    /// The account (tenant) the task belongs to.
    #[inline]
    pub fn account(&self) -> AccountId {
        self.account
    }

    /// The migration mode chosen at creation; it never changes.
    #[inline]
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The task's status. A deleted task answers [`Status::Deleted`].
    #[inline]
    pub fn status(&self) -> Status {
        self.status
    }

    /// The phase the task is heading for or will return to, while it is starting,
    /// start-failed, paused or recovering (also while frozen in one of those).
    #[inline]
    pub fn phase(&self) -> Option<Phase> {
        self.phase
    }

    /// The status a frozen task returns to when its account is recharged.
    #[inline]
    pub fn frozen_from(&self) -> Option<Status> {
        self.frozen_from
    }

    /// Whether the task holds its migration instance (acquired when creation succeeds,
    /// released when the release completes).
    #[inline]
    pub fn holds_instance(&self) -> bool {
        self.instance
    }

    /// The task's version: 1 at creation, one more for every accepted change, so a client
    /// can tell whether the task changed since it last looked.
    #[inline]
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The status that decides what the task remembers: the one it froze, while frozen.
    #[inline]
    pub(crate) fn effective_status(&self) -> Status {
        self.frozen_from.unwrap_or(self.status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Phase;

    /// `identical` is `==`: it tells apart tasks that differ in any one field, and only those.
    #[test]
    fn identical_tells_apart_a_difference_in_any_one_field() {
        let task = Task {
            id: TaskId(3),
            account: AccountId(2),
            mode: Mode::FullIncremental,
            status: Status::Frozen,
            phase: Some(Phase::Full),
            frozen_from: Some(Status::Paused),
            instance: true,
            version: 7,
        };
        assert!(task.identical(&task));
        let one_field_changed = [
            Task {
                id: TaskId(4),
                ..task
            },
            Task {
                account: AccountId(1),
                ..task
            },
            Task {
                mode: Mode::Full,
                ..task
            },
            Task {
                status: Status::Paused,
                ..task
            },
            Task {
                phase: Some(Phase::Incremental),
                ..task
            },
            Task {
                phase: None,
                ..task
            },
            Task {
                frozen_from: Some(Status::FullMigration),
                ..task
            },
            Task {
                frozen_from: None,
                ..task
            },
            Task {
                instance: false,
                ..task
            },
            Task { version: 8, ..task },
        ];
        for other in one_field_changed {
            assert!(!task.identical(&other), "{other:?}");
            assert!(!other.identical(&task), "{other:?}");
            assert_eq!(task.identical(&other), task == other);
        }
    }
}
