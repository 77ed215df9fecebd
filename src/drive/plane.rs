//! A program spoken to over the protocol, as a [`ControlPlane`]: so the fuzzing harness
//! that holds the reference engine to the specification holds any program to it, unchanged.
//!
//! The trait asks synchronous questions (`tasks`, `listed`) of a `&self`; a process answers
//! them over a pipe. So the plane fetches the whole fleet (`tasks`) once after every
//! command and answers `tasks` and `accounts_in_arrears` from that copy, and asks for an
//! account's listing (`list`) when the harness wants it, at most once per command.
//!
//! A program's failure (it died, hung, printed a non-answer) cannot be returned through the
//! trait; it is kept in the shared [`Link`] and the driver checks it after every step, so
//! it ends the run as a [`DriveError`] instead of passing for a disagreement.

use std::cell::RefCell;
use std::rc::Rc;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::plane::{Change, ControlPlane, InstanceChange, Observed, Outcome, TaskView};
use crate::spec::{AccountId, Command, Mode, Phase, Refused, Status, TaskId};

use super::process::{DriveError, Process, Reply};

/// The process and the first error it made, shared by every plane made for it.
pub struct Link {
    process: Process,
    error: Option<DriveError>,
    /// Commands answered `unknown` or not at all.
    pub indefinite: u64,
    /// Of those, how many the next look at the fleet showed had happened.
    pub happened: u64,
}

impl Link {
    /// A link to a started process.
    pub fn new(process: Process) -> Rc<RefCell<Link>> {
        Rc::new(RefCell::new(Link {
            process,
            error: None,
            indefinite: 0,
            happened: 0,
        }))
    }

    /// The first error the program made, if any.
    pub fn error(&self) -> Option<&DriveError> {
        self.error.as_ref()
    }

    fn fail(&mut self, error: DriveError) {
        if self.error.is_none() {
            self.error = Some(error);
        }
    }

    /// A request that must be answered, with the answer's `answer` field checked.
    fn ask(
        &mut self,
        op: &str,
        fields: &[(&str, Value)],
        answer: &str,
        expected: &str,
    ) -> Option<Map<String, Value>> {
        if self.error.is_some() {
            return None;
        }
        match self.process.request(op, fields, expected) {
            Ok(Reply::Answer(map)) if map.get("answer").and_then(Value::as_str) == Some(answer) => {
                Some(map)
            }
            Ok(Reply::Answer(map)) => {
                let error = self.process.bad_answer(op, &map, expected);
                self.fail(error);
                None
            }
            Ok(Reply::TimedOut) => {
                let error = self.process.hangs(op);
                self.fail(error);
                None
            }
            Err(error) => {
                self.fail(error);
                None
            }
        }
    }
}

/// One task as the protocol writes it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireTask {
    id: u64,
    account: u32,
    mode: Mode,
    status: Status,
    #[serde(default)]
    phase: Option<Phase>,
    #[serde(default)]
    frozen_from: Option<Status>,
    holds_instance: bool,
    version: u64,
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

const TASKS_EXPECTED: &str = r#"{"id":N,"answer":"tasks","tasks":[{"id":1,"account":0,"mode":"FULL_TRANS","status":"Creating","phase":null,"frozen_from":null,"holds_instance":false,"version":1}],"arrears":[]}"#;
const EXECUTE_EXPECTED: &str = r#"{"id":N,"answer":"accepted","outcome":{"Task":{…}}} or {"id":N,"answer":"refused","kind":"NotAllowed"} or {"id":N,"answer":"unknown"}"#;

/// What the program answered to the command sent before the harness's step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sent {
    /// Accepted or refused.
    Definite,
    /// Indefinite, and the fleet shows it happened: the step is judged as accepted, with
    /// the change read off the fleet.
    Happened,
    /// Indefinite, and the fleet is exactly as before: it did not happen (and must not be
    /// judged).
    Lost,
}

/// A program under test, reset to an empty fleet.
pub struct ProcessPlane {
    link: Rc<RefCell<Link>>,
    fleet: Observed,
    listings: RefCell<Vec<Option<Vec<TaskId>>>>,
    pending: Option<Result<Outcome, Refused>>,
    last: (String, super::Answered),
}

impl ProcessPlane {
    /// Resets the program to an empty fleet (`reset`) and answers a plane for it.
    pub fn reset(link: &Rc<RefCell<Link>>) -> Self {
        let mut plane = ProcessPlane {
            link: Rc::clone(link),
            fleet: Observed::default(),
            listings: RefCell::new(Vec::new()),
            pending: None,
            last: (String::new(), super::Answered::Refused),
        };
        let answered = link
            .borrow_mut()
            .ask("reset", &[], "ok", r#"{"id":N,"answer":"ok"}"#);
        if answered.is_some() {
            plane.refresh();
        }
        plane
    }

    /// Fetches the whole fleet (`tasks`).
    fn refresh(&mut self) {
        self.listings.borrow_mut().clear();
        let mut link = self.link.borrow_mut();
        let Some(mut map) = link.ask("tasks", &[], "tasks", TASKS_EXPECTED) else {
            return;
        };
        let tasks =
            serde_json::from_value::<Vec<WireTask>>(map.remove("tasks").unwrap_or_default());
        let arrears = serde_json::from_value::<Vec<u32>>(map.remove("arrears").unwrap_or_default());
        match (tasks, arrears) {
            (Ok(tasks), Ok(arrears)) => {
                self.fleet.tasks = tasks.into_iter().map(TaskView::from).collect();
                self.fleet.arrears = arrears.into_iter().map(AccountId).collect();
            }
            (Err(error), _) | (_, Err(error)) => {
                let message = format!(
                    "{}: the answer to tasks does not read ({error}); expected {TASKS_EXPECTED}",
                    "the program"
                );
                link.fail(DriveError { message });
            }
        }
    }

    /// Sends a command to the program before the harness's step, and answers whether the
    /// answer was definite; the harness's `execute` then answers what the program said.
    pub fn send(&mut self, command: &Command) -> Sent {
        let request = serde_json::to_value(command).unwrap_or(Value::Null);
        let reply = {
            let mut link = self.link.borrow_mut();
            if link.error.is_some() {
                return Sent::Definite;
            }
            match link
                .process
                .request("execute", &[("command", request)], EXECUTE_EXPECTED)
            {
                Ok(reply) => reply,
                Err(error) => {
                    link.fail(error);
                    return Sent::Definite;
                }
            }
        };
        let before = std::mem::take(&mut self.fleet);
        let definite = match reply {
            Reply::TimedOut => None,
            Reply::Answer(map) => match self.read_execute(&map) {
                Ok(answer) => answer,
                Err(()) => {
                    let mut link = self.link.borrow_mut();
                    let error = link.process.bad_answer("execute", &map, EXECUTE_EXPECTED);
                    link.fail(error);
                    return Sent::Definite;
                }
            },
        };
        self.refresh();
        if let Some(answer) = definite {
            self.last = match &answer {
                Ok(Outcome::Task(change)) => (
                    format!("accepted → {:?} (version {})", change.to, change.version),
                    super::Answered::Accepted,
                ),
                Ok(Outcome::Account { .. }) => ("accepted".into(), super::Answered::Accepted),
                Err(kind) => (format!("refused {kind:?}"), super::Answered::Refused),
            };
            self.pending = Some(answer);
            return Sent::Definite;
        }
        let mut link = self.link.borrow_mut();
        link.indefinite += 1;
        if self.fleet == before {
            self.last = (
                "unknown (did not happen)".into(),
                super::Answered::Indefinite,
            );
            return Sent::Lost;
        }
        self.last = ("unknown (happened)".into(), super::Answered::Indefinite);
        link.happened += 1;
        self.pending = Some(Ok(derived_outcome(command, &before, &self.fleet)));
        Sent::Happened
    }

    /// The program's last answer to a command, for people.
    pub fn last_answer(&self) -> &str {
        &self.last.0
    }

    /// How the program answered the last command.
    pub fn last_answered(&self) -> super::Answered {
        self.last.1
    }

    /// The answer to an execute: `Some` definite answer, `None` for `unknown`.
    #[allow(clippy::type_complexity)]
    fn read_execute(
        &self,
        map: &Map<String, Value>,
    ) -> Result<Option<Result<Outcome, Refused>>, ()> {
        match map.get("answer").and_then(Value::as_str) {
            Some("accepted") => {
                let outcome = map.get("outcome").cloned().ok_or(())?;
                let outcome = serde_json::from_value::<Outcome>(outcome).map_err(|_| ())?;
                Ok(Some(Ok(outcome)))
            }
            Some("refused") => {
                let kind = map.get("kind").cloned().ok_or(())?;
                let kind = serde_json::from_value::<Refused>(kind).map_err(|_| ())?;
                Ok(Some(Err(kind)))
            }
            Some("unknown") => Ok(None),
            _ => Err(()),
        }
    }
}

/// What an indefinite command that happened changed, read off the fleet before and after.
fn derived_outcome(command: &Command, before: &Observed, after: &Observed) -> Outcome {
    let change = |old: Option<&TaskView>, new: &TaskView| {
        let had = old.is_some_and(|task| task.holds_instance);
        Change {
            task: new.id,
            from: old.map_or(Status::Creating, |task| task.status),
            to: new.status,
            instance: match (had, new.holds_instance) {
                (false, true) => InstanceChange::Acquired,
                (true, false) => InstanceChange::Released,
                _ => InstanceChange::Unchanged,
            },
            version: new.version,
        }
    };
    match *command {
        Command::Create { .. } => match after.tasks.get(before.tasks.len()) {
            Some(new) => Outcome::Task(change(None, new)),
            None => Outcome::Account {
                account: AccountId(u32::MAX),
                in_arrears: false,
                tasks_changed: 0,
            },
        },
        Command::Task { task, .. } => {
            let old = before.tasks.iter().find(|view| view.id == task);
            match after.tasks.iter().find(|view| view.id == task) {
                Some(new) => Outcome::Task(change(old, new)),
                None => Outcome::Account {
                    account: AccountId(u32::MAX),
                    in_arrears: false,
                    tasks_changed: 0,
                },
            }
        }
        Command::Arrears { account } | Command::Recharge { account } => Outcome::Account {
            account,
            in_arrears: after.arrears.contains(&account),
            tasks_changed: after
                .tasks
                .iter()
                .filter(|new| !before.tasks.contains(new))
                .count() as u32,
        },
    }
}

impl ControlPlane for ProcessPlane {
    type Refusal = Refused;

    fn execute(&mut self, command: &Command) -> Result<Outcome, Refused> {
        if self.pending.is_none() && self.link.borrow().error.is_none() {
            // Called without `send` (a plain harness run): send it now.
            self.send(command);
        }
        self.pending.take().unwrap_or(Err(Refused::Capacity))
    }

    fn tasks(&self) -> impl Iterator<Item = TaskView> + '_ {
        self.fleet.tasks.iter().copied()
    }

    fn listed(&self, account: AccountId) -> impl Iterator<Item = TaskId> + '_ {
        let index = account.0 as usize;
        let mut listings = self.listings.borrow_mut();
        if listings.len() <= index {
            listings.resize(index + 1, None);
        }
        if listings[index].is_none() {
            let ids = self
                .link
                .borrow_mut()
                .ask(
                    "list",
                    &[("account", Value::from(account.0))],
                    "list",
                    r#"{"id":N,"answer":"list","tasks":[1,3]}"#,
                )
                .and_then(|mut map| {
                    serde_json::from_value::<Vec<u64>>(map.remove("tasks").unwrap_or_default()).ok()
                })
                .unwrap_or_default();
            listings[index] = Some(ids.into_iter().map(TaskId).collect());
        }
        listings[index].clone().unwrap_or_default().into_iter()
    }

    fn accounts_in_arrears(&self) -> impl Iterator<Item = AccountId> + '_ {
        self.fleet.arrears.iter().copied()
    }

    fn query(&self, account: AccountId, task: TaskId) -> Option<TaskView> {
        let mut map = self.link.borrow_mut().ask(
            "query",
            &[
                ("account", Value::from(account.0)),
                ("task", Value::from(task.0)),
            ],
            "task",
            r#"{"id":N,"answer":"task","task":{…} or null}"#,
        )?;
        serde_json::from_value::<Option<WireTask>>(map.remove("task").unwrap_or_default())
            .ok()
            .flatten()
            .map(TaskView::from)
    }
}
