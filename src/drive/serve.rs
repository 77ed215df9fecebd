//! The reference engine behind the drive protocol: the other end of `drive`, for measuring
//! the driver without a slow program, for showing what a conforming program answers (every
//! message of `docs/drive-protocol.md`), and, with an engine fault, for showing what it
//! catches. `drs-lifecycle serve-plane` runs it on stdin/stdout.
//!
//! It speaks protocol 2 when offered (up to `protocol`): an accepted command's answer lists
//! every task whose view changed, found by comparing the fleet before and after (so an
//! engine fault that changes a task it should not is reported as it happened; only a
//! refusal, which by the protocol changed nothing, says nothing of what a fault did). It
//! reads whatever requests have arrived, answers them all, and flushes once: a driver that
//! writes many requests ahead gets its answers in one write.

use std::io::{BufRead, Write};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::model::Fault;
use crate::model::faults::FaultyEngine;
use crate::plane::{ControlPlane, Outcome, TaskView};
use crate::spec::{AccountId, Command, Event, Mode, Phase, Status, TaskId};

/// One task as the protocol writes it.
#[derive(Serialize)]
struct WireTask {
    id: u64,
    account: u32,
    mode: Mode,
    status: Status,
    phase: Option<Phase>,
    frozen_from: Option<Status>,
    holds_instance: bool,
    version: u64,
}

impl From<&TaskView> for WireTask {
    fn from(task: &TaskView) -> Self {
        WireTask {
            id: task.id.0,
            account: task.account.0,
            mode: task.mode,
            status: task.status,
            phase: task.phase,
            frozen_from: task.frozen_from,
            holds_instance: task.holds_instance,
            version: task.version,
        }
    }
}

/// A request, read straight into its fields.
#[derive(Deserialize)]
struct Request {
    #[serde(default)]
    id: Value,
    op: Option<Op>,
    #[serde(default)]
    command: Option<WireCommand>,
    #[serde(default)]
    account: Option<u64>,
    #[serde(default)]
    accounts: Option<Vec<u32>>,
    #[serde(default)]
    task: Option<u64>,
    #[serde(default)]
    protocol: Option<u64>,
}

/// A command as the protocol writes it, read field by field (the specification's
/// `Command` is an internally tagged enum, which serde reads through a buffer).
#[derive(Deserialize)]
struct WireCommand {
    command: CommandKind,
    account: AccountId,
    #[serde(default)]
    mode: Option<Mode>,
    #[serde(default)]
    task: Option<TaskId>,
    #[serde(default)]
    event: Option<Event>,
}

#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum CommandKind {
    Create,
    Task,
    Arrears,
    Recharge,
}

impl WireCommand {
    fn command(&self) -> Option<Command> {
        let account = self.account;
        Some(match self.command {
            CommandKind::Create => Command::Create {
                account,
                mode: self.mode?,
            },
            CommandKind::Task => Command::Task {
                account,
                task: self.task?,
                event: self.event?,
            },
            CommandKind::Arrears => Command::Arrears { account },
            CommandKind::Recharge => Command::Recharge { account },
        })
    }
}

#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Op {
    Reset,
    Execute,
    Tasks,
    List,
    Lists,
    Query,
}

/// The engine and what it remembers between requests.
struct Server {
    plane: FaultyEngine,
    fault: Option<Fault>,
    unknown_every: u64,
    executes: u64,
    /// The highest protocol version it speaks.
    speaks: u64,
    /// The version agreed at the last reset.
    protocol: u64,
    /// The fleet before the command being executed (reused).
    before: Vec<TaskView>,
}

/// Answers requests from `input` on `output` until the input ends, speaking protocol
/// versions up to `protocol`. With `unknown_every` N > 0, every Nth execute is answered
/// `unknown` (every other of those not executed at all), to exercise indefinite answers.
pub fn serve(
    mut input: impl BufRead,
    mut output: impl Write,
    fault: Option<Fault>,
    unknown_every: u64,
    protocol: u64,
) -> std::io::Result<()> {
    let mut server = Server {
        plane: FaultyEngine::new(fault),
        fault,
        unknown_every,
        executes: 0,
        speaks: protocol.max(1),
        protocol: 1,
        before: Vec::new(),
    };
    // A line split over two reads is kept here until its end arrives.
    let mut partial = Vec::new();
    loop {
        let chunk = input.fill_buf()?;
        if chunk.is_empty() {
            break;
        }
        let mut rest = chunk;
        while let Some(end) = rest.iter().position(|&byte| byte == b'\n') {
            if partial.is_empty() {
                server.answer(&rest[..end], &mut output)?;
            } else {
                partial.extend_from_slice(&rest[..end]);
                server.answer(&partial, &mut output)?;
                partial.clear();
            }
            rest = &rest[end + 1..];
        }
        partial.extend_from_slice(rest);
        let used = chunk.len();
        input.consume(used);
        // Everything that had arrived is answered: send it before waiting for more.
        output.flush()?;
    }
    if !partial.iter().all(u8::is_ascii_whitespace) {
        server.answer(&partial, &mut output)?;
    }
    output.flush()
}

impl Server {
    /// Answers one request line.
    fn answer(&mut self, line: &[u8], out: &mut impl Write) -> std::io::Result<()> {
        if line.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        let request = match serde_json::from_slice::<Request>(line) {
            Ok(request) => request,
            Err(error) => {
                // Say what is wrong, with the id when there is one.
                let id = serde_json::from_slice::<Value>(line)
                    .ok()
                    .and_then(|value| value.get("id").cloned())
                    .unwrap_or(Value::Null);
                let answer = match id {
                    Value::Null => json!({"answer": "error", "message": error.to_string()}),
                    id => {
                        json!({"id": id, "answer": "error", "message": format!("unreadable request: {error}")})
                    }
                };
                return writeln!(out, "{answer}");
            }
        };
        let id = &request.id;
        let account = AccountId(request.account.unwrap_or(0) as u32);
        match request.op {
            Some(Op::Reset) => {
                self.plane = FaultyEngine::new(self.fault);
                self.protocol = request.protocol.unwrap_or(1).clamp(1, self.speaks);
                if self.protocol >= 2 {
                    writeln!(
                        out,
                        "{{\"id\":{id},\"answer\":\"ok\",\"protocol\":{}}}",
                        self.protocol
                    )
                } else {
                    writeln!(out, "{{\"id\":{id},\"answer\":\"ok\"}}")
                }
            }
            Some(Op::Execute) => match request.command.as_ref().and_then(WireCommand::command) {
                Some(command) => self.execute(id, &command, out),
                None => writeln!(
                    out,
                    "{}",
                    json!({"id": id, "answer": "error", "message": "no readable command"})
                ),
            },
            Some(Op::Tasks) => {
                write!(out, "{{\"id\":{id},\"answer\":\"tasks\",\"tasks\":[")?;
                for (i, task) in self.plane.tasks().enumerate() {
                    if i > 0 {
                        out.write_all(b",")?;
                    }
                    serde_json::to_writer(&mut *out, &WireTask::from(&task))?;
                }
                out.write_all(b"],\"arrears\":[")?;
                for (i, account) in self.plane.accounts_in_arrears().enumerate() {
                    let comma = if i > 0 { "," } else { "" };
                    write!(out, "{comma}{}", account.0)?;
                }
                out.write_all(b"]}\n")
            }
            Some(Op::List) => {
                write!(out, "{{\"id\":{id},\"answer\":\"list\",\"tasks\":[")?;
                for (i, task) in self.plane.listed(account).enumerate() {
                    let comma = if i > 0 { "," } else { "" };
                    write!(out, "{comma}{}", task.0)?;
                }
                out.write_all(b"]}\n")
            }
            Some(Op::Lists) => {
                write!(out, "{{\"id\":{id},\"answer\":\"lists\",\"lists\":[")?;
                for (i, account) in request.accounts.iter().flatten().enumerate() {
                    out.write_all(if i > 0 { b",[" } else { b"[" })?;
                    for (j, task) in self.plane.listed(AccountId(*account)).enumerate() {
                        let comma = if j > 0 { "," } else { "" };
                        write!(out, "{comma}{}", task.0)?;
                    }
                    out.write_all(b"]")?;
                }
                out.write_all(b"]}\n")
            }
            Some(Op::Query) => {
                let task = TaskId(request.task.unwrap_or(0));
                write!(out, "{{\"id\":{id},\"answer\":\"task\",\"task\":")?;
                match self.plane.query(account, task) {
                    Some(found) => serde_json::to_writer(&mut *out, &WireTask::from(&found))?,
                    None => out.write_all(b"null")?,
                }
                out.write_all(b"}\n")
            }
            None => writeln!(
                out,
                "{}",
                json!({"id": id, "answer": "error", "message": "unknown op"})
            ),
        }
    }

    fn execute(
        &mut self,
        id: &Value,
        command: &Command,
        out: &mut impl Write,
    ) -> std::io::Result<()> {
        self.executes += 1;
        let every = self.unknown_every;
        let indefinite = every > 0 && self.executes % every == 0;
        if indefinite && (self.executes / every) % 2 == 0 {
            return writeln!(out, "{{\"id\":{id},\"answer\":\"unknown\"}}");
        }
        if self.protocol >= 2 {
            self.before.clear();
            self.before.extend(self.plane.tasks());
        }
        match self.plane.execute(command) {
            _ if indefinite => writeln!(out, "{{\"id\":{id},\"answer\":\"unknown\"}}"),
            Ok(outcome) => self.accepted(id, &outcome, out),
            Err(refusal) => {
                write!(out, "{{\"id\":{id},\"answer\":\"refused\",\"kind\":")?;
                serde_json::to_writer(&mut *out, &refusal.kind())?;
                out.write_all(b",\"message\":")?;
                serde_json::to_writer(&mut *out, &refusal.to_string())?;
                out.write_all(b"}\n")
            }
        }
    }

    fn accepted(&self, id: &Value, outcome: &Outcome, out: &mut impl Write) -> std::io::Result<()> {
        write!(out, "{{\"id\":{id},\"answer\":\"accepted\",\"outcome\":")?;
        serde_json::to_writer(&mut *out, outcome)?;
        if self.protocol >= 2 {
            out.write_all(b",\"changed\":[")?;
            let mut first = true;
            for (i, task) in self.plane.tasks().enumerate() {
                if self.before.get(i) == Some(&task) {
                    continue;
                }
                if !first {
                    out.write_all(b",")?;
                }
                first = false;
                serde_json::to_writer(&mut *out, &WireTask::from(&task))?;
            }
            out.write_all(b"]")?;
        }
        out.write_all(b"}\n")
    }
}
