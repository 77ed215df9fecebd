//! What a client sees of a task: the observation of a specification state (brief, D.2.3).
//!
//! A control plane knows a DRS task only by polling it. A poll by id answers a status code
//! (or, for a deleted task, possibly an error that the task does not exist); a list answers
//! the codes of the tasks it shows. The specification's states hold more than that: a
//! frozen task remembers the status it froze, but the API has no code for 冻结 and shows the
//! frozen status's code; a task whose end was just accepted (结束任务) has no code either and
//! shows `RELEASE_RESOURCE_STARTED`, as a releasing one does; the mode and the remembered
//! phase are not in the status at all. So different states look the same, and some steps
//! (freezing, EndRequested → Ending) cannot be seen. This module is that projection, as a
//! pure function, so that a validator of recorded histories judges polls against exactly the
//! specification's states and nothing else.
//!
//! Codes of operations outside the lifecycle ([`Excursion`](super::Excursion)s such as
//! `CHANGE_JOB_STARTED`) are never the observation of a state: [`Observation::admits`]
//! answers `false` for them, and a history that shows one is judged by the validator's stated
//! policy (by default: skipped and counted), never by this function.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::{ApiCode, Status, TaskSpec, UnknownApiCode};

/// The error codes with which the API answers a query by id for a task that does not exist
/// (brief, D.1); for a deleted task they are as good as `DELETED`.
pub const NOT_FOUND_ERRORS: [&str; 3] = ["DRS.10000010", "DRS.M00289", "DRS.M05004"];

/// What the specification says a poll by id shows of a state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Observation {
    /// The poll answers this status code.
    Shows(ApiCode),
    /// The task is deleted: the poll answers `DELETED`, or an error that the task does not
    /// exist. Either answer is this observation.
    Deleted,
}

/// One answer of the API to a poll by id, as a recorded history holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Answer {
    /// A status code.
    Code(ApiCode),
    /// An error that the task does not exist (one of [`NOT_FOUND_ERRORS`]).
    NotFound,
}

/// What a poll by id shows of `task`: the API code of its status, except that a frozen task
/// shows the code of the status it froze, a task whose end was requested shows
/// `RELEASE_RESOURCE_STARTED` (as `Ending` does), and a deleted task shows `DELETED` or
/// does-not-exist.
pub const fn observe(task: &TaskSpec) -> Observation {
    let shown = match (task.status, task.frozen_from) {
        (Status::Frozen, Some(from)) => from,
        (status, _) => status,
    };
    match shown {
        Status::Deleted => Observation::Deleted,
        Status::EndRequested => Observation::Shows(ApiCode::ReleaseResourceStarted),
        status => match status.api() {
            Some(code) => Observation::Shows(code),
            // Frozen without a frozen status is not a well-formed state; of the statuses
            // without a code, only EndRequested remains, handled above. Show what a task
            // most like it shows rather than panic on a hand-made state.
            None => Observation::Shows(ApiCode::ReleaseResourceStarted),
        },
    }
}

/// What a list of the account's tasks shows of `task`: its code as a poll shows it, or
/// `None` for a deleted task, which no list shows.
pub const fn list_entry(task: &TaskSpec) -> Option<ApiCode> {
    match observe(task) {
        Observation::Shows(code) => Some(code),
        Observation::Deleted => None,
    }
}

impl Observation {
    /// Whether a poll answering `answer` is consistent with this observation.
    pub fn admits(self, answer: Answer) -> bool {
        match (self, answer) {
            (Observation::Shows(code), Answer::Code(seen)) => code == seen,
            (Observation::Deleted, Answer::Code(seen)) => seen == ApiCode::Deleted,
            (Observation::Deleted, Answer::NotFound) => true,
            (Observation::Shows(_), Answer::NotFound) => false,
        }
    }
}

impl fmt::Display for Observation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Observation::Shows(code) => write!(f, "{code}"),
            Observation::Deleted => f.write_str("DELETED or does-not-exist"),
        }
    }
}

impl Answer {
    /// Whether the answer is a code of an operation outside the lifecycle, which no state
    /// of the specification shows.
    pub const fn is_excursion(self) -> bool {
        matches!(self, Answer::Code(code) if code.status().is_none())
    }
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Answer::Code(code) => write!(f, "{code}"),
            Answer::NotFound => f.write_str("does-not-exist"),
        }
    }
}

impl FromStr for Answer {
    type Err = UnknownApiCode;

    /// Accepts a status code (any case) or one of the does-not-exist error codes.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        if NOT_FOUND_ERRORS
            .iter()
            .any(|error| error.eq_ignore_ascii_case(wanted))
        {
            return Ok(Answer::NotFound);
        }
        wanted
            .parse()
            .map(Answer::Code)
            .map_err(|_| UnknownApiCode(s.to_string()))
    }
}
