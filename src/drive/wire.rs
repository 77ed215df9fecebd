//! The protocol's answers as the driver reads them: one type per request, read straight
//! from a line (no JSON tree in between), each carrying the id of its request.

use serde::Deserialize;

use crate::plane::{Outcome, TaskView};
use crate::spec::{AccountId, Mode, Phase, Refused, Status, TaskId};

use super::process::Identified;

/// One task as the protocol writes it.
#[derive(Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WireTask {
    pub(super) id: u64,
    pub(super) account: u32,
    pub(super) mode: Mode,
    pub(super) status: Status,
    #[serde(default)]
    pub(super) phase: Option<Phase>,
    #[serde(default)]
    pub(super) frozen_from: Option<Status>,
    pub(super) holds_instance: bool,
    pub(super) version: u64,
}

impl From<WireTask> for TaskView {
    fn from(task: WireTask) -> Self {
        TaskView {
            id: TaskId(task.id),
            account: AccountId(task.account),
            mode: task.mode,
            status: task.status,
            phase: task.phase,
            frozen_from: task.frozen_from,
            holds_instance: task.holds_instance,
            version: task.version,
        }
    }
}

/// The `answer` of an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum Said {
    Ok,
    Accepted,
    Refused,
    Unknown,
    Tasks,
    List,
    Lists,
    Task,
}

/// The answer to `reset`.
#[derive(Deserialize)]
pub(super) struct ResetAnswer {
    pub(super) id: u64,
    pub(super) answer: Said,
    #[serde(default)]
    pub(super) protocol: Option<u64>,
}

/// The answer to `execute`.
#[derive(Deserialize)]
pub(super) struct ExecuteAnswer {
    pub(super) id: u64,
    pub(super) answer: Said,
    #[serde(default)]
    pub(super) outcome: Option<Outcome>,
    #[serde(default)]
    pub(super) kind: Option<Refused>,
    #[serde(default)]
    pub(super) changed: Option<Vec<WireTask>>,
}

/// The answer to `tasks`.
#[derive(Deserialize)]
pub(super) struct TasksAnswer {
    pub(super) id: u64,
    pub(super) answer: Said,
    pub(super) tasks: Vec<WireTask>,
    pub(super) arrears: Vec<u32>,
}

/// The answer to `list`.
#[derive(Deserialize)]
pub(super) struct ListAnswer {
    pub(super) id: u64,
    pub(super) answer: Said,
    pub(super) tasks: Vec<u64>,
}

/// The answer to `lists` (protocol 2): the listings of several accounts at once.
#[derive(Deserialize)]
pub(super) struct ListsAnswer {
    pub(super) id: u64,
    pub(super) answer: Said,
    pub(super) lists: Vec<Vec<u64>>,
}

/// The answer to `query`.
#[derive(Deserialize)]
pub(super) struct QueryAnswer {
    pub(super) id: u64,
    pub(super) answer: Said,
    #[serde(default)]
    pub(super) task: Option<WireTask>,
}

macro_rules! identified {
    ($($answer:ty),*) => {$(
        impl Identified for $answer {
            fn id(&self) -> u64 {
                self.id
            }
        }
    )*};
}
identified!(
    ResetAnswer,
    ExecuteAnswer,
    TasksAnswer,
    ListAnswer,
    ListsAnswer,
    QueryAnswer
);

pub(super) const TASKS_EXPECTED: &str = r#"{"id":N,"answer":"tasks","tasks":[{"id":1,"account":0,"mode":"FULL_TRANS","status":"Creating","phase":null,"frozen_from":null,"holds_instance":false,"version":1}],"arrears":[]}"#;
pub(super) const EXECUTE_EXPECTED: &str = r#"{"id":N,"answer":"accepted","outcome":{"Task":{…}}} or {"id":N,"answer":"refused","kind":"NotAllowed"} or {"id":N,"answer":"unknown"}"#;
pub(super) const EXECUTE_EXPECTED_2: &str = r#"{"id":N,"answer":"accepted","outcome":{"Task":{…}},"changed":[{"id":1,…}]} or {"id":N,"answer":"refused","kind":"NotAllowed"} or {"id":N,"answer":"unknown"} (protocol 2: an accepted command's answer lists the tasks it changed)"#;
pub(super) const LIST_EXPECTED: &str = r#"{"id":N,"answer":"list","tasks":[1,3]}"#;
pub(super) const LISTS_EXPECTED: &str = r#"{"id":N,"answer":"lists","lists":[[1,3],[2],[]]} (one listing per account asked, in the order asked)"#;
pub(super) const QUERY_EXPECTED: &str = r#"{"id":N,"answer":"task","task":{…} or null}"#;
