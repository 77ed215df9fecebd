//! Why the engine refused a command.
//!
//! A refusal changes nothing, and it is the answer a user reads when an operation fails, so
//! it names the task, its status and the event, and says what would work instead. It carries
//! only `Copy` data and builds its message in `Display`: refusing is a normal outcome on the
//! hot path (a model checker sends every event in every state), so it must not allocate.

use std::fmt;

use crate::spec::{AccountId, Event, Mode, Refused, Source, Status, TaskId};

use super::{Task, lifecycle};

/// A command the engine refused; the fleet is unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Refusal {
    /// The account has no task with this id: it never existed, or it belongs to another
    /// account (tenancy does not reveal which).
    NotFound {
        /// The account that asked.
        account: AccountId,
        /// The id it asked about.
        task: TaskId,
    },
    /// The task's status does not accept the event. This covers every event to a deleted
    /// task, every user operation on a frozen task, billing events addressed to a task
    /// instead of its account, and creation addressed to a task. The mode is there because
    /// a few events depend on it (pause in `FullMigrationComplete` is accepted for a
    /// full+incremental task only), so the message can say what the task itself accepts.
    NotAllowed {
        /// The task addressed.
        task: TaskId,
        /// Its status, which refuses the event.
        status: Status,
        /// Its migration mode.
        mode: Mode,
        /// The refused event.
        event: Event,
    },
    /// Creation is refused while the account is in arrears.
    AccountInArrears {
        /// The account in arrears.
        account: AccountId,
    },
    /// The account is already in arrears.
    AlreadyInArrears {
        /// The account.
        account: AccountId,
    },
    /// The account is not in arrears, so there is nothing to recharge.
    NotInArrears {
        /// The account.
        account: AccountId,
    },
}

impl Refusal {
    /// The specification's name for this kind of refusal, so that a harness can compare the
    /// engine's answer with the specification's.
    pub fn kind(&self) -> Refused {
        match self {
            Refusal::NotFound { .. } => Refused::NotFound,
            Refusal::NotAllowed { .. } => Refused::NotAllowed,
            Refusal::AccountInArrears { .. } => Refused::AccountInArrears,
            Refusal::AlreadyInArrears { .. } => Refused::AlreadyInArrears,
            Refusal::NotInArrears { .. } => Refused::NotInArrears,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Refusal::NotFound { account, task } => write!(
                f,
                "{account} has no task {}: check the id (`list` shows the account's tasks; \
                 tasks of other accounts are not visible)",
                task.0
            ),
            Refusal::NotAllowed {
                task,
                status,
                mode,
                event,
            } => not_allowed(f, task, status, mode, event),
            Refusal::AccountInArrears { account } => write!(
                f,
                "{account} is in arrears, so it cannot create a task: recharge the account first"
            ),
            Refusal::AlreadyInArrears { account } => write!(
                f,
                "{account} is already in arrears and its tasks are frozen: nothing to do \
                 until it is recharged"
            ),
            Refusal::NotInArrears { account } => write!(
                f,
                "{account} is not in arrears: there is nothing to recharge (none of its \
                 tasks is frozen)"
            ),
        }
    }
}

fn not_allowed(
    f: &mut fmt::Formatter<'_>,
    task: TaskId,
    status: Status,
    mode: Mode,
    event: Event,
) -> fmt::Result {
    write!(
        f,
        "{task} is {} ({}): {event} is not allowed; ",
        status.name(),
        status.zh()
    )?;
    if let Event::Create(_) = event {
        return f.write_str("create is addressed to an account, not to a task");
    }
    if event.source() == Source::Billing {
        return f.write_str(
            "billing is addressed to the task's account (arrears, recharge), not to a task",
        );
    }
    match status {
        Status::Deleted => return f.write_str("a deleted task accepts nothing"),
        Status::Frozen if event.is_user_operation() => {
            return f
                .write_str("a frozen task accepts no operation until its account is recharged");
        }
        _ => {}
    }
    let accepted = || accepted_events(status, mode);
    if event.is_user_operation() {
        if accepted().any(|event| event.is_user_operation()) {
            f.write_str("operations allowed now: ")?;
            list(
                f,
                accepted().filter(|event| event.is_user_operation()),
                ", ",
            )
        } else {
            f.write_str("no operation is possible until the service reports ")?;
            list(f, accepted(), " or ")
        }
    } else {
        f.write_str("in this status it accepts ")?;
        list(f, accepted(), ", ")?;
        if status == Status::EndRequested {
            // The report of an operation the task was doing when it was ended (a start, a
            // recovery) arrives too late: ending abandoned it.
            f.write_str(" (a report of what the task did before its end is too late)")?;
        }
        if status == Status::Frozen {
            f.write_str(", and it unfreezes when its account is recharged")?;
        }
        Ok(())
    }
}

fn list(
    f: &mut fmt::Formatter<'_>,
    events: impl Iterator<Item = Event>,
    separator: &str,
) -> fmt::Result {
    for (n, event) in events.enumerate() {
        if n > 0 {
            f.write_str(separator)?;
        }
        write!(f, "{event}")?;
    }
    Ok(())
}

/// The events a task of `mode` in `status` accepts, read off the engine's own lifecycle with
/// a representative task (one that remembers a phase where the status keeps one).
fn accepted_events(status: Status, mode: Mode) -> impl Iterator<Item = Event> {
    let probe = Task {
        status,
        phase: lifecycle::keeps_phase(status).then_some(lifecycle::first_phase(mode)),
        frozen_from: (status == Status::Frozen).then_some(Status::Configuration),
        instance: lifecycle::needs_instance(status),
        ..Task::created(TaskId(0), AccountId(0), mode)
    };
    Event::ON_TASK
        .into_iter()
        .filter(move |&event| lifecycle::react(&probe, event).is_some())
}

impl std::error::Error for Refusal {}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(status: Status, event: Event) -> String {
        Refusal::NotAllowed {
            task: TaskId(7),
            status,
            mode: Mode::FullIncremental,
            event,
        }
        .to_string()
    }

    /// Every branch of the explanation, pinned word for word (mutants of the branches and
    /// of the list's separators survived tests that only look for the status and event).
    #[test]
    fn each_kind_of_refusal_explains_itself() {
        let cases = [
            (Status::Deleted, Event::Pause),
            (Status::Frozen, Event::Pause),
            (Status::Frozen, Event::StartSucceeded),
            (Status::Configuration, Event::StartSucceeded),
            (Status::Configuration, Event::Pause),
            (Status::Paused, Event::Pause),
            (Status::FaultRecovery, Event::Pause),
        ];
        let expected = [
            "task 7 is Deleted (已删除): pause is not allowed; a deleted task accepts nothing",
            "task 7 is Frozen (冻结): pause is not allowed; a frozen task accepts no operation \
             until its account is recharged",
            "task 7 is Frozen (冻结): start succeeded is not allowed; in this status it accepts \
             retention expired, and it unfreezes when its account is recharged",
            "task 7 is Configuration (配置): start succeeded is not allowed; in this status it \
             accepts start now, schedule start, end, force end",
            "task 7 is Configuration (配置): pause is not allowed; operations allowed now: start \
             now, schedule start, end, force end",
            "task 7 is Paused (暂停中): pause is not allowed; operations allowed now: resume, \
             reset, end, force end",
            "task 7 is FaultRecovery (故障恢复): pause is not allowed; operations allowed now: \
             force end",
        ];
        for ((status, event), expected) in cases.into_iter().zip(expected) {
            assert_eq!(message(status, event), expected);
        }
    }
}
