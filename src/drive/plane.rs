//! A program spoken to over the protocol, as a [`ControlPlane`]: so the fuzzing harness
//! that holds the reference engine to the specification holds any program to it, unchanged.
//!
//! The trait asks synchronous questions (`tasks`, `listed`) of a `&self`; a process answers
//! them over a pipe. A plane runs a case one of two ways:
//!
//! - **exact** (protocol 1, every program): after every command it fetches the whole fleet
//!   (`tasks`) and answers `tasks` and `accounts_in_arrears` from that copy, and asks for an
//!   account's listing (`list`) when the harness wants it. One round trip per question, and
//!   the fleet written out after every command: a few thousand commands a second.
//! - **pipelined** (protocol 2, negotiated at `reset`): an accepted command's answer carries
//!   the tasks it changed (`changed`), so the plane keeps the fleet *as the answers say it
//!   is* and fetches it only to verify that (every few commands and at the end of the
//!   case). The case's commands do not depend on the answers, so the driver writes the
//!   requests of many steps before it reads their answers ([`ProcessPlane::plan`],
//!   [`ProcessPlane::receive`]): the listings after each command the specification accepts,
//!   the query of each task addressed, exactly the questions an exact run asks.
//!
//! A program's failure (it died, hung, printed a non-answer) cannot be returned through the
//! trait; it is kept in the shared [`Link`] and the driver checks it after every step, so
//! it ends the run as a [`DriveError`] instead of passing for a disagreement.

use std::cell::RefCell;
use std::io::Write as _;
use std::rc::Rc;

use serde_json::{Map, Value};

use crate::plane::{Change, ControlPlane, InstanceChange, Observed, Outcome, TaskView};
use crate::spec::{AccountId, Command, Refused, Status, TaskId};

use super::process::{DriveError, Identified, Process, Reply};
use super::wire::{
    EXECUTE_EXPECTED, EXECUTE_EXPECTED_2, ExecuteAnswer, LIST_EXPECTED, LISTS_EXPECTED, ListAnswer,
    ListsAnswer, QUERY_EXPECTED, QueryAnswer, ResetAnswer, Said, TASKS_EXPECTED, TasksAnswer,
    WireTask,
};

/// The protocol versions: 1, the original (answers say what was decided; the driver reads
/// the fleet after every command), and 2 (answers also say what changed, and requests may
/// be written before earlier ones are answered).
pub const PROTOCOL: u32 = 2;

/// The process and the first error it made, shared by every plane made for it.
pub struct Link {
    process: Process,
    error: Option<DriveError>,
    /// Commands answered `unknown` or not at all.
    pub indefinite: u64,
    /// Of those, how many the next look at the fleet showed had happened.
    pub happened: u64,
    /// The highest protocol version offered at `reset`.
    offer: u32,
    /// Whether the next plane runs exact whatever the program speaks.
    pub(super) exact: bool,
    /// The protocol version the program answered the last reset with, once it has answered
    /// one (0 before): a program that spoke 2 is reset without waiting for its answer, which
    /// is read with the first step's answers.
    spoke: u32,
    /// The next case's reset and first steps, sent while the last case's answers were read.
    pub(super) ahead: Option<Ahead>,
}

/// A case's reset and first steps, sent before the case began (pipelined runs).
pub struct Ahead {
    /// The id of the reset.
    pub reset: u64,
    /// The steps sent, in order.
    pub planned: std::collections::VecDeque<Planned>,
    /// How many.
    pub sent: usize,
}

impl Link {
    /// A link to a started process, offering protocol versions up to `offer` at each reset.
    pub fn new(process: Process, offer: u32) -> Rc<RefCell<Link>> {
        Rc::new(RefCell::new(Link {
            process,
            error: None,
            indefinite: 0,
            happened: 0,
            offer: offer.clamp(1, PROTOCOL),
            exact: false,
            spoke: 0,
            ahead: None,
        }))
    }

    /// Starts the program again, fresh: the old process is ended, the error forgotten,
    /// the protocol to be agreed again.
    pub fn restart(&mut self) -> Result<(), DriveError> {
        self.process = self.process.restarted()?;
        self.error = None;
        self.spoke = 0;
        self.ahead = None;
        self.exact = false;
        Ok(())
    }

    /// The last lines of the program's standard error, if it wrote any.
    pub fn stderr_tail(&self) -> Option<String> {
        self.process.stderr_tail()
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
            Ok(Reply::Answer(map) | Reply::Other(map))
                if map.get("answer").and_then(Value::as_str) == Some(answer) =>
            {
                Some(map)
            }
            Ok(Reply::Answer(map) | Reply::Other(map)) => {
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

    /// A request that must be answered, sent now and answered as a `T`.
    fn ask_now<T: Identified>(
        &mut self,
        op: &str,
        fields: impl FnOnce(&mut Vec<u8>),
        expected: &str,
    ) -> Option<T> {
        if self.error.is_some() {
            return None;
        }
        let sent = self.process.send(op, fields);
        match sent.and_then(|id| self.process.flush(op).map(|()| id)) {
            Ok(id) => self.expect(id, op, expected),
            Err(error) => {
                self.fail(error);
                None
            }
        }
    }

    /// An answer of the wrong kind (`said`) to `op`.
    fn wrong_answer(&mut self, op: &str, said: Said, expected: &str) {
        let said = format!("{said:?}").to_lowercase();
        let error = DriveError {
            message: format!(
                "{} answered {op} with \"{said}\"; expected {expected}",
                self.process.program()
            ),
        };
        self.fail(error);
    }

    /// Waits for the answer to a request sent ahead that must be answered, as a `T`.
    fn expect<T: Identified>(&mut self, id: u64, op: &str, expected: &str) -> Option<T> {
        if self.error.is_some() {
            return None;
        }
        let error = match self.process.receive::<T>(id, op, expected) {
            Ok(Reply::Answer(answer)) => return Some(answer),
            Ok(Reply::Other(map)) => self.process.bad_answer(op, &map, expected),
            Ok(Reply::TimedOut) => self.process.hangs(op),
            Err(error) => error,
        };
        self.fail(error);
        None
    }
}

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

/// The requests of one step written ahead of their answers (pipelined runs): their ids.
#[derive(Clone, Copy, Debug)]
pub struct Planned {
    execute: u64,
    /// The id of the `lists` of accounts `0..n`, and `n` (0: none asked).
    lists: (u64, u32),
    query: Option<u64>,
    verify: Option<u64>,
}

/// The program's last answer to a command, kept as read and written out for people only
/// when a failing case is printed.
#[derive(Clone, Copy, Debug)]
enum Last {
    Nothing,
    Definite(Result<Outcome, Refused>),
    /// Indefinite, and it did not happen.
    Lost,
    /// Indefinite, and it happened.
    Happened,
}

/// A program under test, reset to an empty fleet.
pub struct ProcessPlane {
    link: Rc<RefCell<Link>>,
    /// The protocol version the program answered the reset with.
    protocol: u32,
    /// Whether this case runs pipelined.
    pipelined: bool,
    /// Exact: the fleet as read after the last command. Pipelined: as the answers say.
    fleet: Observed,
    listings: RefCell<Vec<Option<Vec<TaskId>>>>,
    /// Pipelined: the answer to the step's query.
    queried: Option<(AccountId, TaskId, Option<TaskView>)>,
    pending: Option<Result<Outcome, Refused>>,
    last: Last,
    /// What the program shows that its answers did not say, found by the last step.
    unsaid: Option<String>,
    /// Pipelined: the id of the `reset` whose answer is not read yet.
    unanswered_reset: Option<u64>,
}

impl ProcessPlane {
    /// Resets the program to an empty fleet (`reset`, offering the link's protocol) and
    /// answers a plane for it.
    pub fn reset(link: &Rc<RefCell<Link>>) -> Self {
        let (offer, exact, spoke) = {
            let link = link.borrow();
            (link.offer, link.exact, link.spoke)
        };
        let mut plane = ProcessPlane {
            link: Rc::clone(link),
            protocol: 1,
            pipelined: false,
            fleet: Observed::default(),
            listings: RefCell::new(Vec::new()),
            queried: None,
            pending: None,
            last: Last::Nothing,
            unsaid: None,
            unanswered_reset: None,
        };
        if spoke >= 2 && !exact {
            let ahead = link.borrow().ahead.as_ref().map(|ahead| ahead.reset);
            plane.protocol = spoke;
            plane.pipelined = true;
            plane.unanswered_reset = ahead.or_else(|| plane.send_reset());
            return plane;
        }
        let fields = [("protocol", Value::from(offer))];
        let fields = if offer >= 2 { &fields[..] } else { &[][..] };
        let answered = link
            .borrow_mut()
            .ask("reset", fields, "ok", r#"{"id":N,"answer":"ok"}"#);
        if let Some(map) = answered {
            plane.protocol = map
                .get("protocol")
                .and_then(Value::as_u64)
                .map_or(1, |spoken| spoken.clamp(1, offer as u64) as u32);
            plane.pipelined = plane.protocol >= 2 && !exact;
            link.borrow_mut().spoke = plane.protocol;
            if !plane.pipelined {
                plane.refresh();
            }
        }
        plane
    }

    /// Writes a `reset` offering the link's protocol, without waiting for its answer; its
    /// id, or `None` once the program has failed.
    pub fn send_reset(&mut self) -> Option<u64> {
        let mut link = self.link.borrow_mut();
        if link.error.is_some() {
            return None;
        }
        let offer = link.offer;
        match link.process.send("reset", |line| {
            let _ = write!(line, ",\"protocol\":{offer}");
        }) {
            Ok(id) => Some(id),
            Err(error) => {
                link.fail(error);
                None
            }
        }
    }

    /// Reads the answer to a `reset` sent without waiting (pipelined runs, after the first
    /// requests of the case are sent): it must be `ok`, in protocol 2 as before.
    pub fn settle_reset(&mut self) {
        let Some(id) = self.unanswered_reset.take() else {
            return;
        };
        let expected = r#"{"id":N,"answer":"ok","protocol":2}"#;
        let mut link = self.link.borrow_mut();
        let Some(answer) = link.expect::<ResetAnswer>(id, "reset", expected) else {
            return;
        };
        if answer.answer != Said::Ok {
            link.wrong_answer("reset", answer.answer, expected);
        } else if answer.protocol != Some(u64::from(self.protocol)) {
            let error = DriveError {
                message: format!(
                    "{} answered a reset in protocol {} after answering an earlier one in \
                     protocol {}: a program speaks one version",
                    link.process.program(),
                    answer.protocol.unwrap_or(1),
                    self.protocol
                ),
            };
            link.fail(error);
        }
    }

    /// Whether this case runs pipelined (protocol 2, not asked to run exact).
    pub fn pipelined(&self) -> bool {
        self.pipelined
    }

    /// What the program shows that its answers did not say (pipelined: the fleet verified
    /// differs from the answers'; exact: an answer's `changed` differs from the fleet read
    /// after it), found by the last step. Taken: the next step starts clean.
    pub fn take_unsaid(&mut self) -> Option<String> {
        self.unsaid.take()
    }

    /// Fetches the whole fleet (`tasks`).
    fn refresh(&mut self) {
        self.listings.borrow_mut().clear();
        if let Some(fleet) = self.fetch(None) {
            self.fleet = fleet;
        }
    }

    /// The whole fleet, asked now (`id` `None`) or sent ahead.
    fn fetch(&mut self, id: Option<u64>) -> Option<Observed> {
        let mut link = self.link.borrow_mut();
        let answer = match id {
            Some(id) => link.expect::<TasksAnswer>(id, "tasks", TASKS_EXPECTED)?,
            None => link.ask_now::<TasksAnswer>("tasks", |_| {}, TASKS_EXPECTED)?,
        };
        if answer.answer != Said::Tasks {
            link.wrong_answer("tasks", answer.answer, TASKS_EXPECTED);
            return None;
        }
        Some(Observed {
            tasks: answer.tasks.into_iter().map(TaskView::from).collect(),
            arrears: answer.arrears.into_iter().map(AccountId).collect(),
        })
    }

    /// Sends a command to the program before the harness's step (exact runs), and answers
    /// whether the answer was definite; the harness's `execute` then answers what the
    /// program said.
    pub fn send(&mut self, command: &Command) -> Sent {
        let reply = {
            let mut link = self.link.borrow_mut();
            if link.error.is_some() {
                return Sent::Definite;
            }
            let sent = link
                .process
                .send("execute", |line| write_command(line, command));
            let reply = sent
                .and_then(|id| link.process.flush("execute").map(|()| id))
                .and_then(|id| {
                    link.process
                        .receive::<ExecuteAnswer>(id, "execute", self.execute_expected())
                });
            match reply {
                Ok(reply) => reply,
                Err(error) => {
                    link.fail(error);
                    return Sent::Definite;
                }
            }
        };
        let before = std::mem::take(&mut self.fleet);
        let (definite, changed) = match reply {
            Reply::TimedOut => (None, None),
            Reply::Answer(answer) => match self.read_execute(answer) {
                Some(read) => read,
                None => return Sent::Definite,
            },
            Reply::Other(map) => {
                let mut link = self.link.borrow_mut();
                let error = link
                    .process
                    .bad_answer("execute", &map, self.execute_expected());
                link.fail(error);
                return Sent::Definite;
            }
        };
        let deleting = deleting(command, definite.as_ref(), &before);
        self.listings.borrow_mut().clear();
        if let Some(mut fleet) = self.fetch(None) {
            keep_deleted(&before, &mut fleet.tasks, deleting);
            self.fleet = fleet;
        }
        if let Some(answer) = definite {
            if let Some(changed) = changed {
                let deleted = deleting.and_then(|(id, version)| {
                    let old = before.tasks.iter().find(|task| task.id == id)?;
                    Some(deleted_view(old, version))
                });
                self.unsaid = unsaid_changes(&before, &self.fleet, &changed, deleted);
            }
            self.said(&answer);
            self.pending = Some(as_deleted_refusal(answer, command, &before));
            return Sent::Definite;
        }
        let mut link = self.link.borrow_mut();
        link.indefinite += 1;
        if self.fleet == before {
            self.last = Last::Lost;
            return Sent::Lost;
        }
        self.last = Last::Happened;
        link.happened += 1;
        self.pending = Some(Ok(derived_outcome(command, &before, &self.fleet)));
        Sent::Happened
    }

    fn execute_expected(&self) -> &'static str {
        if self.protocol >= 2 {
            EXECUTE_EXPECTED_2
        } else {
            EXECUTE_EXPECTED
        }
    }

    /// Writes the requests of one step without waiting for their answers (pipelined runs):
    /// the command, the listings of accounts `0..lists`, the query of the task the command
    /// addresses, and, with `verify`, the whole fleet. `None` once the program has failed.
    pub fn plan(&mut self, command: &Command, lists: u32, verify: bool) -> Option<Planned> {
        let mut link = self.link.borrow_mut();
        if link.error.is_some() {
            return None;
        }
        let process = &mut link.process;
        let planned = (|| {
            let execute = process.send("execute", |line| write_command(line, command))?;
            let first_list = if lists > 0 {
                process.send("lists", |line| {
                    line.extend_from_slice(b",\"accounts\":[");
                    for account in 0..lists {
                        if account > 0 {
                            line.push(b',');
                        }
                        let _ = write!(line, "{account}");
                    }
                    line.push(b']');
                })?
            } else {
                0
            };
            let query = match *command {
                Command::Task { account, task, .. } => Some(process.send("query", |line| {
                    let _ = write!(line, ",\"account\":{},\"task\":{}", account.0, task.0);
                })?),
                _ => None,
            };
            let verify = if verify {
                Some(process.send("tasks", |_| {})?)
            } else {
                None
            };
            Ok(Planned {
                execute,
                lists: (first_list, lists),
                query,
                verify,
            })
        })();
        match planned {
            Ok(planned) => Some(planned),
            Err(error) => {
                link.fail(error);
                None
            }
        }
    }

    /// Sends the requests planned so far.
    pub fn flush(&mut self) {
        let mut link = self.link.borrow_mut();
        if link.error.is_none()
            && let Err(error) = link.process.flush("execute")
        {
            link.fail(error);
        }
    }

    /// Reads the answers to one step's requests (pipelined runs), before the harness's step.
    /// Answers `false` when the command's answer is indefinite: a pipelined run cannot settle
    /// it (the next commands are already sent), so the case is run again, exact.
    pub fn receive(&mut self, command: &Command, planned: Planned) -> bool {
        let answer = {
            let mut link = self.link.borrow_mut();
            if link.error.is_some() {
                return true;
            }
            match link.process.receive::<ExecuteAnswer>(
                planned.execute,
                "execute",
                EXECUTE_EXPECTED_2,
            ) {
                Ok(Reply::Answer(answer)) => answer,
                Ok(Reply::TimedOut) => return false,
                Ok(Reply::Other(map)) => {
                    let error = link.process.bad_answer("execute", &map, EXECUTE_EXPECTED_2);
                    link.fail(error);
                    return true;
                }
                Err(error) => {
                    link.fail(error);
                    return true;
                }
            }
        };
        let Some((definite, changed)) = self.read_execute(answer) else {
            return true;
        };
        let Some(answer) = definite else {
            return false;
        };
        let deleted = deleting(command, Some(&answer), &self.fleet);
        if answer.is_ok() {
            let Some(changed) = changed else {
                let mut link = self.link.borrow_mut();
                let message = format!(
                    "{} accepted {command} without saying what changed; expected {EXECUTE_EXPECTED_2}",
                    link.process.program()
                );
                link.fail(DriveError { message });
                return true;
            };
            // A task the program deleted may be left out of `changed` (brief D.3.5: to
            // the program it no longer exists): it is the deleted task the answer's
            // outcome names.
            let left_out = deleted.filter(|(id, _)| !changed.iter().any(|view| view.id == id.0));
            for view in changed {
                let view = TaskView::from(view);
                match self
                    .fleet
                    .tasks
                    .binary_search_by_key(&view.id, |task| task.id)
                {
                    Ok(at) => self.fleet.tasks[at] = view,
                    Err(at) => self.fleet.tasks.insert(at, view),
                }
            }
            if let Some((id, version)) = left_out
                && let Ok(at) = self.fleet.tasks.binary_search_by_key(&id, |task| task.id)
            {
                self.fleet.tasks[at] = deleted_view(&self.fleet.tasks[at], version);
            }
            if let Ok(Outcome::Account {
                account,
                in_arrears,
                ..
            }) = answer
            {
                let arrears = &mut self.fleet.arrears;
                match (arrears.binary_search(&account), in_arrears) {
                    (Err(at), true) => arrears.insert(at, account),
                    (Ok(at), false) => {
                        arrears.remove(at);
                    }
                    _ => {}
                }
            }
        }
        self.said(&answer);
        self.pending = Some(as_deleted_refusal(answer, command, &self.fleet));
        let mut listings = self.listings.borrow_mut();
        listings.clear();
        let mut link = self.link.borrow_mut();
        let (id, count) = planned.lists;
        if count > 0 {
            let Some(lists) = link.expect::<ListsAnswer>(id, "lists", LISTS_EXPECTED) else {
                return true;
            };
            if lists.answer != Said::Lists || lists.lists.len() != count as usize {
                let error = DriveError {
                    message: format!(
                        "{} answered lists of {count} accounts with {:?} of {}; expected {LISTS_EXPECTED}",
                        link.process.program(),
                        lists.answer,
                        lists.lists.len(),
                    ),
                };
                link.fail(error);
                return true;
            }
            listings.extend(
                lists
                    .lists
                    .into_iter()
                    .map(|ids| Some(ids.into_iter().map(TaskId).collect())),
            );
        }
        drop(listings);
        self.queried = None;
        if let (Some(id), Command::Task { account, task, .. }) = (planned.query, *command) {
            let Some(found) = link.expect::<QueryAnswer>(id, "query", QUERY_EXPECTED) else {
                return true;
            };
            if found.answer != Said::Task {
                link.wrong_answer("query", found.answer, QUERY_EXPECTED);
                return true;
            }
            self.queried = Some((account, task, found.task.map(TaskView::from)));
        }
        drop(link);
        if let Some(id) = planned.verify
            && let Some(mut shown) = self.fetch(Some(id))
        {
            keep_deleted(&self.fleet, &mut shown.tasks, None);
            if shown != self.fleet {
                self.unsaid = Some(differences(&self.fleet, &shown));
            }
        }
        true
    }

    /// Records the answer for people.
    fn said(&mut self, answer: &Result<Outcome, Refused>) {
        self.last = Last::Definite(*answer);
    }

    /// The program's last answer to a command, for people.
    pub fn last_answer(&self) -> String {
        match self.last {
            Last::Definite(Ok(Outcome::Task(change))) => {
                format!(
                    "accepted → {} (version {})",
                    change.to.name(),
                    change.version
                )
            }
            Last::Definite(Ok(Outcome::Account { .. })) => "accepted".into(),
            Last::Definite(Err(kind)) => format!("refused {}", refusal_name(kind)),
            Last::Lost => "unknown (did not happen)".into(),
            Last::Happened => "unknown (happened)".into(),
            Last::Nothing => String::new(),
        }
    }

    /// How the program answered the last command.
    pub fn last_answered(&self) -> super::Answered {
        match self.last {
            Last::Definite(Ok(_)) => super::Answered::Accepted,
            Last::Definite(Err(_)) | Last::Nothing => super::Answered::Refused,
            Last::Lost | Last::Happened => super::Answered::Indefinite,
        }
    }

    /// The answer to an execute: `Some` definite answer, `None` for `unknown`, with the
    /// tasks it says changed; `None` (and the link failed) when it does not read.
    #[allow(clippy::type_complexity)]
    fn read_execute(
        &self,
        answer: ExecuteAnswer,
    ) -> Option<(Option<Result<Outcome, Refused>>, Option<Vec<WireTask>>)> {
        let read = match (answer.answer, answer.outcome, answer.kind) {
            (Said::Accepted, Some(outcome), _) => Some(Ok(outcome)),
            (Said::Refused, _, Some(kind)) => Some(Err(kind)),
            (Said::Unknown, _, _) => None,
            (said, _, _) => {
                let mut link = self.link.borrow_mut();
                let message = format!(
                    "{} answered execute with \"{}\" and not all of its fields; expected {}",
                    link.process.program(),
                    format!("{said:?}").to_lowercase(),
                    self.execute_expected()
                );
                link.fail(DriveError { message });
                return None;
            }
        };
        Some((read, answer.changed))
    }
}

/// Appends `,"command":…` to a request: the command's serde form, written directly (it is
/// written once for every command a run sends).
fn write_command(line: &mut Vec<u8>, command: &Command) {
    line.extend_from_slice(b",\"command\":");
    let _ = match *command {
        Command::Create { account, mode } => write!(
            line,
            "{{\"command\":\"create\",\"account\":{},\"mode\":\"{}\"}}",
            account.0,
            mode.api_code()
        ),
        Command::Task {
            account,
            task,
            event,
        } if !matches!(event, crate::spec::Event::Create(_)) => write!(
            line,
            "{{\"command\":\"task\",\"account\":{},\"task\":{},\"event\":\"{}\"}}",
            account.0,
            task.0,
            event.name()
        ),
        Command::Arrears { account } => write!(
            line,
            "{{\"command\":\"arrears\",\"account\":{}}}",
            account.0
        ),
        Command::Recharge { account } => write!(
            line,
            "{{\"command\":\"recharge\",\"account\":{}}}",
            account.0
        ),
        // An event with a mode (`{"Create":"FULL_TRANS"}`): serde's form. A command is
        // plain data: it always serialises.
        Command::Task { .. } => serde_json::to_writer(&mut *line, command).map_err(Into::into),
    };
}

/// Exact runs: what an answer's `changed` does not say of the change the fleet shows.
fn unsaid_changes(
    before: &Observed,
    after: &Observed,
    changed: &[WireTask],
    deleted: Option<TaskView>,
) -> Option<String> {
    let mut said: Vec<TaskView> = changed.iter().copied().map(TaskView::from).collect();
    // A deleted task left out of `changed` (brief D.3.5): the deletion the outcome names.
    if let Some(deleted) = deleted.filter(|gone| !said.iter().any(|task| task.id == gone.id)) {
        said.push(deleted);
    }
    said.sort_by_key(|task| task.id);
    let shown: Vec<TaskView> = after
        .tasks
        .iter()
        .filter(|task| !before.tasks.contains(task))
        .copied()
        .collect();
    let said_changes: Vec<TaskView> = said
        .iter()
        .filter(|task| !before.tasks.contains(task))
        .copied()
        .collect();
    if said_changes == shown && said.iter().all(|task| after.tasks.contains(task)) {
        return None;
    }
    let words = |tasks: &[TaskView]| {
        if tasks.is_empty() {
            "none".to_string()
        } else {
            tasks.iter().map(view_words).collect::<Vec<_>>().join("; ")
        }
    };
    Some(format!(
        "the answer says these tasks changed: {}, but the fleet read after it shows these \
         changes: {}",
        words(&said),
        words(&shown)
    ))
}

/// Brief D.3.5: after its deletion, a program may answer a task as not found instead of
/// Deleted (absent from `tasks`, `null` to a `query`, refused `NotFound`), and both are
/// correct. The plane reads "not found" as the deleted task it knows, so that the harness
/// compares one form. Nothing else is read that way: a task that was not deleted, by the
/// fleet the program showed or by the step that deletes it (the program's own outcome, or
/// an indefinite *delete*), and then goes missing stays missing, and is a difference; a
/// deleted task that comes back, or whose id a new task takes, shows as itself.
///
/// The deleted task is `old` (its id, account and mode), Deleted at `version`, holding no
/// instance.
fn deleted_view(old: &TaskView, version: u64) -> TaskView {
    TaskView {
        status: Status::Deleted,
        phase: None,
        frozen_from: None,
        holds_instance: false,
        version,
        ..*old
    }
}

/// The task a step deleted, and its version after it (brief D.3.5): the task an accepted
/// answer's outcome moves to Deleted, at the outcome's version; or, for an indefinite
/// answer, the task a *delete* addressed, one version on from `known`.
fn deleting(
    command: &Command,
    answer: Option<&Result<Outcome, Refused>>,
    known: &Observed,
) -> Option<(TaskId, u64)> {
    match (answer, command) {
        (Some(Ok(Outcome::Task(change))), _) if change.to == Status::Deleted => {
            Some((change.task, change.version))
        }
        (
            None,
            Command::Task {
                task,
                event: crate::spec::Event::Delete,
                ..
            },
        ) => known
            .tasks
            .iter()
            .find(|view| view.id == *task)
            .map(|view| (view.id, view.version + 1)),
        _ => None,
    }
}

/// The tasks a `tasks` answer left out that are deleted (brief D.3.5), put back: each task
/// of `known` that was Deleted, as it was, and the task the step deleted (`deleting`), as
/// [`deleted_view`]. Any other task left out stays out.
fn keep_deleted(known: &Observed, now: &mut Vec<TaskView>, deleting: Option<(TaskId, u64)>) {
    // Almost always every task is there: one pass over both, in id order (a `tasks` answer
    // out of order takes the long way, and fails the comparison after it anyway).
    let mut at = 0;
    let every_one_there = known.tasks.iter().all(|old| {
        while now.get(at).is_some_and(|task| task.id < old.id) {
            at += 1;
        }
        now.get(at).is_some_and(|task| task.id == old.id)
    });
    if every_one_there {
        return;
    }
    for old in &known.tasks {
        if now.iter().any(|task| task.id == old.id) {
            continue;
        }
        let view = match deleting {
            _ if old.status == Status::Deleted => *old,
            Some((id, version)) if id == old.id => deleted_view(old, version),
            _ => continue,
        };
        let at = now
            .iter()
            .position(|task| task.id > old.id)
            .unwrap_or(now.len());
        now.insert(at, view);
    }
}

/// A command to a deleted task refused as not found (brief D.3.5) is read as the refusal
/// the specification gives, not allowed: only when the command's account owns the task
/// and the fleet known before the command shows it Deleted.
fn as_deleted_refusal(
    answer: Result<Outcome, Refused>,
    command: &Command,
    known: &Observed,
) -> Result<Outcome, Refused> {
    match (answer, *command) {
        (Err(Refused::NotFound), Command::Task { account, task, .. })
            if known.tasks.iter().any(|view| {
                view.id == task && view.account == account && view.status == Status::Deleted
            }) =>
        {
            Err(Refused::NotAllowed)
        }
        (answer, _) => answer,
    }
}

/// A task in the tool's words: `task 1 of account A (FULL_TRANS): 全量迁移中 Full migration
/// (FULL_TRANSFER_STARTED), phase none, frozen from none, instance held, version 4`.
pub fn view_words(task: &TaskView) -> String {
    format!(
        "task {} of account {} ({}): {}, phase {}, frozen from {}, instance {}, version {}",
        task.id.0,
        crate::spec::account_letter(task.account.0),
        task.mode.api_code(),
        task.status.label(),
        task.phase.map_or("none", |phase| phase.english()),
        task.frozen_from
            .map_or_else(|| "none".to_string(), Status::label),
        if task.holds_instance {
            "held"
        } else {
            "not held"
        },
        task.version
    )
}

/// A kind of refusal by its protocol name.
pub fn refusal_name(kind: Refused) -> &'static str {
    match kind {
        Refused::NotFound => "NotFound",
        Refused::NotAllowed => "NotAllowed",
        Refused::AccountInArrears => "AccountInArrears",
        Refused::AlreadyInArrears => "AlreadyInArrears",
        Refused::NotInArrears => "NotInArrears",
        Refused::Capacity => "Capacity",
    }
}

/// Pipelined runs: how the fleet the program shows differs from the one its answers said.
fn differences(said: &Observed, shown: &Observed) -> String {
    let mut out = String::from(
        "the program's fleet differs from what its answers said changed (since the last look \
         at the whole fleet): ",
    );
    let mut parts = Vec::new();
    let ids = said
        .tasks
        .iter()
        .chain(&shown.tasks)
        .map(|task| task.id)
        .collect::<std::collections::BTreeSet<_>>();
    for id in ids {
        let a = said.tasks.iter().find(|task| task.id == id);
        let b = shown.tasks.iter().find(|task| task.id == id);
        if a != b {
            let words = |task: Option<&TaskView>| task.map_or("no such task".into(), view_words);
            parts.push(format!(
                "task {}: the answers said {}, the fleet shows {}",
                id.0,
                words(a),
                words(b)
            ));
        }
    }
    if said.arrears != shown.arrears {
        let letters = |accounts: &[AccountId]| {
            accounts
                .iter()
                .map(|account| crate::spec::account_letter(account.0))
                .collect::<Vec<_>>()
                .join(", ")
        };
        parts.push(format!(
            "accounts in arrears: the answers said [{}], the fleet shows [{}]",
            letters(&said.arrears),
            letters(&shown.arrears)
        ));
    }
    out.push_str(&parts.join("; "));
    out
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
        if self.pending.is_none() && !self.pipelined && self.link.borrow().error.is_none() {
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
        if listings[index].is_none() && !self.pipelined {
            let mut link = self.link.borrow_mut();
            let answer = link.ask_now::<ListAnswer>(
                "list",
                |line| {
                    let _ = write!(line, ",\"account\":{}", account.0);
                },
                LIST_EXPECTED,
            );
            let ids = match answer {
                Some(list) if list.answer == Said::List => list.tasks,
                Some(list) => {
                    link.wrong_answer("list", list.answer, LIST_EXPECTED);
                    Vec::new()
                }
                None => Vec::new(),
            };
            listings[index] = Some(ids.into_iter().map(TaskId).collect());
        }
        // Pipelined, the listings of every account are read with the step's answers
        // whenever the specification accepts the command, which is the only time the
        // harness asks.
        debug_assert!(listings[index].is_some(), "listing of {account} not asked");
        listings[index].clone().unwrap_or_default().into_iter()
    }

    fn accounts_in_arrears(&self) -> impl Iterator<Item = AccountId> + '_ {
        self.fleet.arrears.iter().copied()
    }

    fn query(&self, account: AccountId, task: TaskId) -> Option<TaskView> {
        // Brief D.3.5: a deleted task may be answered as not found; it is the deleted task
        // the fleet shows (and only a deleted one: any other task answered as not found is
        // a difference).
        let deleted = self
            .fleet
            .tasks
            .iter()
            .find(|view| view.id == task && view.account == account)
            .filter(|view| view.status == Status::Deleted)
            .copied();
        if self.pipelined {
            return match self.queried {
                Some((asked, id, found)) if asked == account && id == task => found.or(deleted),
                _ => None,
            };
        }
        let mut link = self.link.borrow_mut();
        let found = link.ask_now::<QueryAnswer>(
            "query",
            |line| {
                let _ = write!(line, ",\"account\":{},\"task\":{}", account.0, task.0);
            },
            QUERY_EXPECTED,
        )?;
        if found.answer != Said::Task {
            link.wrong_answer("query", found.answer, QUERY_EXPECTED);
            return None;
        }
        found.task.map(TaskView::from).or(deleted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Mode;

    fn task(id: u64, status: Status, version: u64) -> WireTask {
        WireTask {
            id,
            account: 0,
            mode: Mode::Full,
            status,
            phase: None,
            frozen_from: None,
            holds_instance: false,
            version,
        }
    }

    fn fleet(tasks: &[WireTask]) -> Observed {
        Observed {
            tasks: tasks.iter().copied().map(TaskView::from).collect(),
            arrears: Vec::new(),
        }
    }

    #[test]
    fn commands_are_written_in_their_serde_form() {
        use crate::spec::Event;
        let commands = [
            Command::Create {
                account: AccountId(2),
                mode: Mode::FullIncremental,
            },
            Command::Task {
                account: AccountId(0),
                task: TaskId(7),
                event: Event::InstanceReady,
            },
            Command::Task {
                account: AccountId(1),
                task: TaskId(3),
                event: Event::Create(Mode::Incremental),
            },
            Command::Arrears {
                account: AccountId(3),
            },
            Command::Recharge {
                account: AccountId(0),
            },
        ];
        let every_event = Event::KINDS.map(|event| Command::Task {
            account: AccountId(1),
            task: TaskId(2),
            event,
        });
        for command in commands.into_iter().chain(every_event) {
            let mut line = Vec::new();
            write_command(&mut line, &command);
            let written: serde_json::Value =
                serde_json::from_slice(&line[",\"command\":".len()..]).expect("JSON");
            assert_eq!(written, serde_json::to_value(command).expect("serialises"));
        }
    }

    #[test]
    fn an_answer_that_names_every_change_says_all() {
        let before = fleet(&[task(1, Status::Creating, 1), task(2, Status::Creating, 1)]);
        let after = fleet(&[
            task(1, Status::Configuration, 2),
            task(2, Status::Creating, 1),
        ]);
        assert_eq!(
            unsaid_changes(&before, &after, &[task(1, Status::Configuration, 2)], None),
            None
        );
        // Naming an unchanged task as it is is harmless.
        assert_eq!(
            unsaid_changes(
                &before,
                &after,
                &[
                    task(2, Status::Creating, 1),
                    task(1, Status::Configuration, 2)
                ],
                None
            ),
            None
        );
    }

    #[test]
    fn an_answer_that_leaves_out_or_misstates_a_change_is_caught() {
        let before = fleet(&[task(1, Status::Creating, 1), task(2, Status::Creating, 1)]);
        let after = fleet(&[
            task(1, Status::Configuration, 2),
            task(2, Status::Creating, 2),
        ]);
        let left_out = unsaid_changes(&before, &after, &[task(1, Status::Configuration, 2)], None);
        assert!(left_out.is_some_and(|detail| detail.contains("task 2 of account A")));
        let misstated = unsaid_changes(
            &before,
            &after,
            &[
                task(1, Status::Configuration, 3),
                task(2, Status::Creating, 2),
            ],
            None,
        );
        assert!(misstated.is_some());
    }

    #[test]
    fn the_difference_between_the_answers_and_the_fleet_names_each_task() {
        let said = fleet(&[task(1, Status::Paused, 4)]);
        let mut shown = fleet(&[task(1, Status::Paused, 5), task(2, Status::Creating, 1)]);
        shown.arrears.push(AccountId(0));
        let detail = differences(&said, &shown);
        assert!(detail.contains("task 1: the answers said"), "{detail}");
        assert!(detail.contains("version 4, the fleet shows"), "{detail}");
        assert!(
            detail.contains("task 2: the answers said no such task"),
            "{detail}"
        );
        assert!(
            !detail.contains("Some(") && !detail.contains("TaskView"),
            "{detail}"
        );
        assert!(detail.contains("accounts in arrears"), "{detail}");
    }

    /// Brief D.3.5: a deleted task left out of `tasks` is the deleted task the plane knows,
    /// and the task the step deleted is Deleted at the step's version; any other task left
    /// out stays out, and a deleted task shown again is shown as it is.
    #[test]
    fn only_a_deleted_task_may_be_left_out() {
        let mut known = fleet(&[
            task(1, Status::Deleted, 4),
            task(2, Status::Ended, 6),
            task(3, Status::Paused, 5),
        ]);
        known.tasks[0].account = AccountId(1);
        let mut now = vec![TaskView::from(task(4, Status::Creating, 1))];
        keep_deleted(&known, &mut now, Some((TaskId(2), 7)));
        let shown: Vec<(u64, Status, u64)> = now
            .iter()
            .map(|task| (task.id.0, task.status, task.version))
            .collect();
        assert_eq!(
            shown,
            [
                (1, Status::Deleted, 4),
                (2, Status::Deleted, 7),
                (4, Status::Creating, 1)
            ]
        );
        assert_eq!(now[0].account, AccountId(1), "kept as it was");
        // Not deleting task 2: it stays out, as task 3 does.
        let mut now = Vec::new();
        keep_deleted(&known, &mut now, None);
        assert_eq!(now.len(), 1);
        // A deleted task that comes back is shown as it is.
        let mut now = vec![TaskView::from(task(1, Status::Ended, 5))];
        keep_deleted(&known, &mut now, None);
        assert_eq!(now[0].status, Status::Ended);
    }

    #[test]
    fn not_found_for_an_owned_deleted_task_reads_as_not_allowed_and_nothing_else_does() {
        use crate::spec::Event;
        let known = fleet(&[task(1, Status::Deleted, 4), task(2, Status::Ended, 6)]);
        let to = |account, id| Command::Task {
            account: AccountId(account),
            task: TaskId(id),
            event: Event::Delete,
        };
        let not_found = Err(Refused::NotFound);
        assert_eq!(
            as_deleted_refusal(not_found, &to(0, 1), &known),
            Err(Refused::NotAllowed)
        );
        // Another account's, a task that is not deleted, an id nobody was given.
        for command in [to(1, 1), to(0, 2), to(0, 3)] {
            assert_eq!(
                as_deleted_refusal(not_found, &command, &known),
                not_found,
                "{command}"
            );
        }
    }
    use crate::drive::test_view as view;

    fn observed(tasks: &[TaskView], arrears: &[u32]) -> Observed {
        Observed {
            tasks: tasks.to_vec(),
            arrears: arrears.iter().copied().map(AccountId).collect(),
        }
    }

    #[test]
    fn a_task_is_put_in_words_with_every_field() {
        let mut task = view(12, 27, Status::Frozen, 9);
        task.mode = Mode::FullIncremental;
        task.phase = Some(crate::spec::Phase::Incremental);
        task.frozen_from = Some(Status::Paused);
        task.holds_instance = true;
        assert_eq!(
            view_words(&task),
            format!(
                "task 12 of account {} (FULL_INCR_TRANS): {}, phase incremental, frozen from {}, \
                 instance held, version 9",
                crate::spec::account_letter(27),
                Status::Frozen.label(),
                Status::Paused.label()
            )
        );
        assert_eq!(
            view_words(&view(1, 0, Status::Creating, 1)),
            format!(
                "task 1 of account A (FULL_TRANS): {}, phase none, frozen from none, instance \
                 not held, version 1",
                Status::Creating.label()
            )
        );
    }

    #[test]
    fn every_refusal_has_its_protocol_name() {
        let kinds = [
            Refused::NotFound,
            Refused::NotAllowed,
            Refused::AccountInArrears,
            Refused::AlreadyInArrears,
            Refused::NotInArrears,
            Refused::Capacity,
        ];
        for kind in kinds {
            // The name is the serde form the protocol reads.
            assert_eq!(
                serde_json::to_value(kind).expect("serialises"),
                serde_json::Value::from(refusal_name(kind))
            );
        }
        assert_eq!(refusal_name(Refused::AlreadyInArrears), "AlreadyInArrears");
    }

    /// The differences between the fleet the answers said and the fleet shown, word for
    /// word: a task changed, a task only shown, a task only said, the arrears; equal tasks
    /// and equal arrears unnamed.
    #[test]
    fn the_differences_are_named_word_for_word() {
        let same = view(2, 0, Status::Ended, 6);
        let said = observed(
            &[
                view(1, 0, Status::Paused, 4),
                same,
                view(3, 1, Status::Creating, 1),
            ],
            &[1],
        );
        let shown = observed(
            &[
                view(1, 0, Status::Paused, 5),
                same,
                view(4, 1, Status::Creating, 1),
            ],
            &[0, 1],
        );
        let words = |task: &TaskView| view_words(task);
        assert_eq!(
            differences(&said, &shown),
            format!(
                "the program's fleet differs from what its answers said changed (since the \
                 last look at the whole fleet): task 1: the answers said {}, the fleet shows {}; \
                 task 3: the answers said {}, the fleet shows no such task; task 4: the answers \
                 said no such task, the fleet shows {}; accounts in arrears: the answers said \
                 [B], the fleet shows [A, B]",
                words(&said.tasks[0]),
                words(&shown.tasks[0]),
                words(&said.tasks[2]),
                words(&shown.tasks[2]),
            )
        );
        // Arrears alone.
        let mut shown = said.clone();
        shown.arrears.clear();
        assert!(
            differences(&said, &shown).ends_with(
                "whole fleet): accounts in arrears: the answers said [B], the fleet shows []"
            ),
            "{}",
            differences(&said, &shown)
        );
    }

    /// What an answer's `changed` did not say, word for word, and what it may leave out: a
    /// deletion its outcome names.
    #[test]
    fn what_an_answer_did_not_say_is_named_word_for_word() {
        let before = fleet(&[task(1, Status::Creating, 1), task(2, Status::Paused, 3)]);
        let mut after = before.clone();
        after.tasks[1].version = 4;
        after.tasks[1].status = Status::Deleted;
        let deleted = deleted_view(&before.tasks[1], 4);
        assert_eq!(after.tasks[1], deleted);
        // The deletion left out of `changed` is the one the outcome names.
        assert_eq!(unsaid_changes(&before, &after, &[], Some(deleted)), None);
        // Named as well: said once.
        let mut named = task(2, Status::Deleted, 4);
        named.holds_instance = false;
        assert_eq!(
            unsaid_changes(&before, &after, &[named], Some(deleted)),
            None
        );
        // Another version of it: the answer names what the fleet does not show.
        let mut wrong = deleted;
        wrong.version = 5;
        assert_eq!(
            unsaid_changes(&before, &after, &[], Some(wrong)),
            Some(format!(
                "the answer says these tasks changed: {}, but the fleet read after it shows \
                 these changes: {}",
                view_words(&wrong),
                view_words(&deleted)
            ))
        );
        // Nothing said, a change shown.
        assert_eq!(
            unsaid_changes(&before, &after, &[], None),
            Some(format!(
                "the answer says these tasks changed: none, but the fleet read after it shows \
                 these changes: {}",
                view_words(&deleted)
            ))
        );
        // A change said, nothing shown; said out of order, listed in id order.
        let said = [task(2, Status::Ended, 9), task(1, Status::Configuration, 2)];
        assert_eq!(
            unsaid_changes(&before, &before, &said, None),
            Some(format!(
                "the answer says these tasks changed: {}; {}, but the fleet read after it shows \
                 these changes: none",
                view_words(&TaskView::from(said[1])),
                view_words(&TaskView::from(said[0]))
            ))
        );
        // An unchanged task named as it is, beside the change: nothing unsaid.
        assert_eq!(
            unsaid_changes(
                &before,
                &after,
                &[task(1, Status::Creating, 1)],
                Some(deleted)
            ),
            None
        );
        // An unchanged task named as it is not: the fleet does not show it.
        assert!(
            unsaid_changes(
                &before,
                &after,
                &[task(1, Status::Creating, 7)],
                Some(deleted)
            )
            .is_some()
        );
    }

    /// The outcome of an indefinite command that happened, read off the fleet: a creation,
    /// an event to a task (with its instance acquired, released or unchanged), billing.
    #[test]
    fn an_indefinite_command_that_happened_is_read_off_the_fleet() {
        use crate::spec::Event;
        let mut held = view(1, 0, Status::Configuration, 2);
        held.holds_instance = true;
        let before = observed(&[held, view(2, 1, Status::Creating, 1)], &[]);
        // A creation: the task after the last one.
        let created = view(3, 0, Status::Creating, 1);
        let mut after = before.clone();
        after.tasks.push(created);
        let create = Command::Create {
            account: AccountId(0),
            mode: Mode::Full,
        };
        assert_eq!(
            derived_outcome(&create, &before, &after),
            Outcome::Task(Change {
                task: TaskId(3),
                from: Status::Creating,
                to: Status::Creating,
                instance: InstanceChange::Unchanged,
                version: 1,
            })
        );
        let nothing = Outcome::Account {
            account: AccountId(u32::MAX),
            in_arrears: false,
            tasks_changed: 0,
        };
        assert_eq!(derived_outcome(&create, &before, &before), nothing);
        let on = |task, event| Command::Task {
            account: AccountId(0),
            task: TaskId(task),
            event,
        };
        // Released.
        let mut ended = after.clone();
        ended.tasks[0] = view(1, 0, Status::Ended, 3);
        assert_eq!(
            derived_outcome(&on(1, Event::ReleaseDone), &before, &ended),
            Outcome::Task(Change {
                task: TaskId(1),
                from: Status::Configuration,
                to: Status::Ended,
                instance: InstanceChange::Released,
                version: 3,
            })
        );
        // Acquired.
        let mut ready = before.clone();
        ready.tasks[1] = view(2, 1, Status::Configuration, 2);
        ready.tasks[1].holds_instance = true;
        assert_eq!(
            derived_outcome(&on(2, Event::InstanceReady), &before, &ready),
            Outcome::Task(Change {
                task: TaskId(2),
                from: Status::Creating,
                to: Status::Configuration,
                instance: InstanceChange::Acquired,
                version: 2,
            })
        );
        // Held before and after.
        let mut scheduled = before.clone();
        scheduled.tasks[0].status = Status::WaitingToStart;
        scheduled.tasks[0].version = 3;
        assert_eq!(
            derived_outcome(&on(1, Event::ScheduleStart), &before, &scheduled),
            Outcome::Task(Change {
                task: TaskId(1),
                from: Status::Configuration,
                to: Status::WaitingToStart,
                instance: InstanceChange::Unchanged,
                version: 3,
            })
        );
        // A task the fleet no longer shows; a task the fleet had not shown before.
        assert_eq!(
            derived_outcome(&on(5, Event::Delete), &before, &before),
            nothing
        );
        assert_eq!(
            derived_outcome(&on(3, Event::InstanceReady), &before, &after),
            Outcome::Task(Change {
                task: TaskId(3),
                from: Status::Creating,
                to: Status::Creating,
                instance: InstanceChange::Unchanged,
                version: 1,
            })
        );
        // Billing: the account's standing after, and how many tasks changed.
        let mut frozen = before.clone();
        frozen.tasks[0].status = Status::Frozen;
        frozen.tasks[0].version = 3;
        frozen.arrears = vec![AccountId(0)];
        let arrears = Command::Arrears {
            account: AccountId(0),
        };
        assert_eq!(
            derived_outcome(&arrears, &before, &frozen),
            Outcome::Account {
                account: AccountId(0),
                in_arrears: true,
                tasks_changed: 1,
            }
        );
        let recharge = Command::Recharge {
            account: AccountId(0),
        };
        assert_eq!(
            derived_outcome(&recharge, &frozen, &before),
            Outcome::Account {
                account: AccountId(0),
                in_arrears: false,
                tasks_changed: 1,
            }
        );
    }

    /// The task a step deletes: the one an accepted outcome moves to Deleted, at its
    /// version, or the one an indefinite delete addressed, one version on.
    #[test]
    fn the_task_a_step_deletes_is_named_by_its_outcome_or_its_delete() {
        use crate::spec::Event;
        let known = observed(
            &[view(1, 0, Status::Ended, 6), view(2, 0, Status::Ended, 3)],
            &[],
        );
        let delete = |task| Command::Task {
            account: AccountId(0),
            task: TaskId(task),
            event: Event::Delete,
        };
        let moved = |to| {
            Ok(Outcome::Task(Change {
                task: TaskId(2),
                from: Status::Ended,
                to,
                instance: InstanceChange::Unchanged,
                version: 4,
            }))
        };
        assert_eq!(
            deleting(&delete(2), Some(&moved(Status::Deleted)), &known),
            Some((TaskId(2), 4))
        );
        assert_eq!(
            deleting(&delete(2), Some(&moved(Status::Ended)), &known),
            None
        );
        assert_eq!(
            deleting(&delete(2), Some(&Err(Refused::NotAllowed)), &known),
            None
        );
        assert_eq!(deleting(&delete(1), None, &known), Some((TaskId(1), 7)));
        assert_eq!(deleting(&delete(2), None, &known), Some((TaskId(2), 4)));
        assert_eq!(deleting(&delete(3), None, &known), None);
        let end = Command::Task {
            account: AccountId(0),
            task: TaskId(1),
            event: Event::End,
        };
        assert_eq!(deleting(&end, None, &known), None);
        // The deleted view: the task as it was, Deleted, without phase, frozen status or
        // instance, at the version given.
        let mut old = view(5, 3, Status::Frozen, 8);
        old.mode = Mode::Incremental;
        old.phase = Some(crate::spec::Phase::Incremental);
        old.frozen_from = Some(Status::Paused);
        old.holds_instance = true;
        assert_eq!(
            deleted_view(&old, 11),
            TaskView {
                id: TaskId(5),
                account: AccountId(3),
                mode: Mode::Incremental,
                status: Status::Deleted,
                phase: None,
                frozen_from: None,
                holds_instance: false,
                version: 11,
            }
        );
    }

    /// Deleted tasks left out are put back in id order among the others, wherever they
    /// fall; a fleet that shows every known task is left alone.
    #[test]
    fn deleted_tasks_left_out_are_put_back_in_their_places() {
        let known = observed(
            &[
                view(1, 0, Status::Deleted, 2),
                view(3, 0, Status::Deleted, 4),
                view(5, 0, Status::Ended, 5),
                view(7, 0, Status::Deleted, 2),
            ],
            &[],
        );
        let mut now = vec![
            view(2, 0, Status::Creating, 1),
            view(4, 0, Status::Creating, 1),
            view(5, 0, Status::Ended, 5),
            view(6, 0, Status::Creating, 1),
        ];
        keep_deleted(&known, &mut now, None);
        let ids: Vec<u64> = now.iter().map(|task| task.id.0).collect();
        assert_eq!(ids, [1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(now[0], known.tasks[0]);
        assert_eq!(now[2], known.tasks[1]);
        assert_eq!(now[6], known.tasks[3]);
        // Every known task shown, with others between: nothing added.
        let mut all = vec![
            view(1, 0, Status::Ended, 9),
            view(2, 0, Status::Creating, 1),
            view(3, 0, Status::Ended, 9),
            view(5, 0, Status::Ended, 9),
            view(7, 0, Status::Ended, 9),
        ];
        let copy = all.clone();
        keep_deleted(&known, &mut all, Some((TaskId(5), 6)));
        assert_eq!(all, copy);
        // Only the last known task missing: it alone is put back, at the end.
        let mut most = copy[..4].to_vec();
        keep_deleted(&known, &mut most, None);
        assert_eq!(most.len(), 5);
        assert_eq!(most[4], known.tasks[3]);
        // The first one missing, the step deleting task 5: task 5 is Deleted at version 6.
        let mut few = vec![view(2, 0, Status::Creating, 1)];
        keep_deleted(&known, &mut few, Some((TaskId(5), 6)));
        let shown: Vec<(u64, Status, u64)> = few
            .iter()
            .map(|task| (task.id.0, task.status, task.version))
            .collect();
        assert_eq!(
            shown,
            [
                (1, Status::Deleted, 2),
                (2, Status::Creating, 1),
                (3, Status::Deleted, 4),
                (5, Status::Deleted, 6),
                (7, Status::Deleted, 2)
            ]
        );
    }
}
