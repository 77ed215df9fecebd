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

use serde::Deserialize;
use serde_json::{Value, json};

use crate::model::Fault;
use crate::model::faults::FaultyEngine;
use crate::plane::{ControlPlane, Outcome, TaskView};
use crate::spec::{AccountId, Command, Event, Mode, Phase, TaskId};

/// Writes one task as the protocol does (the names are the serde forms: the API code of a
/// mode, the Rust name of a status or phase), without going through serde's escaping.
fn write_task(out: &mut impl Write, task: &TaskView) -> std::io::Result<()> {
    let phase = |phase: Option<Phase>| match phase {
        None => "null",
        Some(Phase::Full) => "\"Full\"",
        Some(Phase::Incremental) => "\"Incremental\"",
    };
    write!(
        out,
        "{{\"id\":{},\"account\":{},\"mode\":\"{}\",\"status\":\"{}\",\"phase\":{},\"frozen_from\":",
        task.id.0,
        task.account.0,
        task.mode.api_code(),
        task.status.name(),
        phase(task.phase),
    )?;
    match task.frozen_from {
        Some(status) => write!(out, "\"{}\"", status.name())?,
        None => out.write_all(b"null")?,
    }
    write!(
        out,
        ",\"holds_instance\":{},\"version\":{}}}",
        task.holds_instance, task.version
    )
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
    /// Protocol 2: say that billing changed no task (a lie, for the tests).
    under_report: bool,
}

/// How `serve-plane` answers: the fault planted, if any, and how it misbehaves.
#[derive(Clone, Copy, Debug, Default)]
pub struct Serving {
    /// An engine fault to plant.
    pub fault: Option<Fault>,
    /// Answer every Nth execute `unknown` (0: never), every other of those not executed.
    pub unknown_every: u64,
    /// The highest protocol version to speak.
    pub protocol: u64,
    /// Protocol 2: answer billing as if it changed no task.
    pub under_report: bool,
}

/// Answers requests from `input` on `output` until the input ends, as `serving` says.
pub fn serve(
    mut input: impl BufRead,
    mut output: impl Write,
    serving: Serving,
) -> std::io::Result<()> {
    let mut server = Server {
        plane: FaultyEngine::new(serving.fault),
        fault: serving.fault,
        unknown_every: serving.unknown_every,
        executes: 0,
        speaks: serving.protocol.max(1),
        protocol: 1,
        before: Vec::new(),
        under_report: serving.under_report,
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
        // Checked as UTF-8 once, then read from a `str` (not string by string).
        let request = match std::str::from_utf8(line)
            .map_err(serde::de::Error::custom)
            .and_then(serde_json::from_str::<Request>)
        {
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
                    write_task(out, &task)?;
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
                    Some(found) => write_task(out, &found)?,
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
                let kind = refusal.kind();
                write!(
                    out,
                    "{{\"id\":{id},\"answer\":\"refused\",\"kind\":\"{kind:?}\""
                )?;
                // The message is for people, who read version 1's exchanges; version 2's
                // answers go to the driver, which reads the kind only.
                if self.protocol < 2 {
                    out.write_all(b",\"message\":")?;
                    serde_json::to_writer(&mut *out, &refusal.to_string())?;
                }
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
            let hide = self.under_report && matches!(outcome, Outcome::Account { .. });
            for (i, task) in self.plane.tasks().enumerate() {
                if hide || self.before.get(i) == Some(&task) {
                    continue;
                }
                if !first {
                    out.write_all(b",")?;
                }
                first = false;
                write_task(out, &task)?;
            }
            out.write_all(b"]")?;
        }
        out.write_all(b"}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(requests: &[&str], serving: Serving) -> Vec<Value> {
        let input = requests.join("\n");
        let mut output = Vec::new();
        serve(input.as_bytes(), &mut output, serving).expect("in memory");
        String::from_utf8(output)
            .expect("UTF-8")
            .lines()
            .map(|line| serde_json::from_str(line).expect("one JSON object a line"))
            .collect()
    }

    const CREATE: &str =
        r#"{"id":2,"op":"execute","command":{"command":"create","account":0,"mode":"FULL_TRANS"}}"#;
    const ARREARS: &str = r#"{"id":4,"op":"execute","command":{"command":"arrears","account":0}}"#;
    const READY: &str = r#"{"id":3,"op":"execute","command":{"command":"task","account":0,"task":1,"event":"InstanceReady"}}"#;

    #[test]
    fn protocol_2_is_spoken_only_when_offered() {
        let speaks_2 = Serving {
            protocol: 2,
            ..Serving::default()
        };
        let offered = answers(&[r#"{"id":1,"op":"reset","protocol":2}"#, CREATE], speaks_2);
        assert_eq!(offered[0], json!({"id": 1, "answer": "ok", "protocol": 2}));
        assert_eq!(offered[1]["changed"][0]["id"], 1);
        let not_offered = answers(&[r#"{"id":1,"op":"reset"}"#, CREATE], speaks_2);
        assert_eq!(not_offered[0], json!({"id": 1, "answer": "ok"}));
        assert!(not_offered[1].get("changed").is_none());
        let speaks_1 = Serving {
            protocol: 1,
            ..Serving::default()
        };
        let declined = answers(&[r#"{"id":1,"op":"reset","protocol":2}"#, CREATE], speaks_1);
        assert_eq!(declined[0], json!({"id": 1, "answer": "ok"}));
    }

    #[test]
    fn an_accepted_command_lists_exactly_the_tasks_it_changed() {
        let serving = Serving {
            protocol: 2,
            ..Serving::default()
        };
        let second = CREATE.replace("\"id\":2", "\"id\":5");
        let all = answers(
            &[
                r#"{"id":1,"op":"reset","protocol":2}"#,
                CREATE,
                READY,
                ARREARS,
                &second,
                r#"{"id":6,"op":"lists","accounts":[0,1]}"#,
            ],
            serving,
        );
        let ids = |answer: &Value| -> Vec<u64> {
            answer["changed"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|task| task["id"].as_u64())
                .collect()
        };
        assert_eq!(ids(&all[2]), [1], "instance ready changes task 1");
        assert_eq!(all[2]["changed"][0]["status"], "Configuration");
        assert_eq!(ids(&all[3]), [1], "arrears freezes task 1");
        assert_eq!(all[3]["changed"][0]["status"], "Frozen");
        assert_eq!(all[4]["answer"], "refused", "no creation in arrears");
        assert!(all[4].get("changed").is_none());
        assert_eq!(
            all[5],
            json!({"id": 6, "answer": "lists", "lists": [[1], []]})
        );
    }

    #[test]
    fn an_under_reporting_engine_hides_what_billing_froze() {
        let serving = Serving {
            protocol: 2,
            under_report: true,
            ..Serving::default()
        };
        let all = answers(
            &[
                r#"{"id":1,"op":"reset","protocol":2}"#,
                CREATE,
                READY,
                ARREARS,
            ],
            serving,
        );
        assert_eq!(all[3]["outcome"]["Account"]["tasks_changed"], 1);
        assert_eq!(all[3]["changed"], json!([]));
    }

    /// The whole text of a session, answer by answer.
    fn transcript(requests: &[&str], serving: Serving) -> String {
        let input = requests.join("\n");
        let mut output = Vec::new();
        serve(input.as_bytes(), &mut output, serving).expect("in memory");
        String::from_utf8(output).expect("UTF-8")
    }

    fn request(id: u64, body: &str) -> String {
        format!("{{\"id\":{id},{body}}}")
    }

    fn execute(id: u64, command: &str) -> String {
        request(id, &format!("\"op\":\"execute\",\"command\":{{{command}}}"))
    }

    /// Every answer of a protocol-2 session pinned word for word: lists of two and more
    /// (tasks, arrears, listings, changed tasks) with their separators, a billing command
    /// that changes two tasks, a refusal without its message, queries by the owner and by
    /// another account, requests that do not read.
    #[test]
    fn a_protocol_2_session_is_answered_word_for_word() {
        let requests = [
            request(1, r#""op":"reset","protocol":2"#),
            execute(2, r#""command":"create","account":0,"mode":"FULL_TRANS""#),
            execute(
                3,
                r#""command":"create","account":0,"mode":"FULL_INCR_TRANS""#,
            ),
            execute(
                4,
                r#""command":"task","account":0,"task":1,"event":"InstanceReady""#,
            ),
            execute(
                5,
                r#""command":"task","account":0,"task":2,"event":"InstanceReady""#,
            ),
            execute(6, r#""command":"arrears","account":0"#),
            execute(7, r#""command":"arrears","account":1"#),
            request(8, r#""op":"tasks""#),
            request(9, r#""op":"list","account":0"#),
            request(10, r#""op":"lists","accounts":[0,1,0]"#),
            request(11, r#""op":"query","account":0,"task":2"#),
            request(12, r#""op":"query","account":1,"task":2"#),
            execute(13, r#""command":"create","account":0,"mode":"INCR_TRANS""#),
            execute(14, r#""command":"recharge","account":0"#),
            execute(15, r#""command":"task","account":0,"event":"Pause""#),
            request(16, r#""op":"dance""#),
            "{\"op\":".to_string(),
            "   ".to_string(),
            request(17, r#""op":"tasks""#),
        ];
        let requests: Vec<&str> = requests.iter().map(String::as_str).collect();
        let serving = Serving {
            protocol: 2,
            ..Serving::default()
        };
        let task = |id, mode, status, frozen: &str, version| {
            format!(
                "{{\"id\":{id},\"account\":0,\"mode\":\"{mode}\",\"status\":\"{status}\",\
                 \"phase\":null,\"frozen_from\":{frozen},\"holds_instance\":true,\"version\":{version}}}"
            )
        };
        let configuring = |id, mode| task(id, mode, "Configuration", "null", 2);
        let frozen = |id, mode| task(id, mode, "Frozen", "\"Configuration\"", 3);
        let thawed = |id, mode| task(id, mode, "Configuration", "null", 4);
        let (full, both) = ("FULL_TRANS", "FULL_INCR_TRANS");
        let created = |id, mode| {
            format!(
                "{{\"id\":{id},\"account\":0,\"mode\":\"{mode}\",\"status\":\"Creating\",\
                 \"phase\":null,\"frozen_from\":null,\"holds_instance\":false,\"version\":1}}"
            )
        };
        let change = |id, from, to, instance, version| {
            format!(
                "{{\"Task\":{{\"task\":{id},\"from\":\"{from}\",\"to\":\"{to}\",\
                 \"instance\":\"{instance}\",\"version\":{version}}}}}"
            )
        };
        let expected = [
            r#"{"id":1,"answer":"ok","protocol":2}"#.to_string(),
            format!(
                "{{\"id\":2,\"answer\":\"accepted\",\"outcome\":{},\"changed\":[{}]}}",
                change(1, "Creating", "Creating", "Unchanged", 1),
                created(1, full)
            ),
            format!(
                "{{\"id\":3,\"answer\":\"accepted\",\"outcome\":{},\"changed\":[{}]}}",
                change(2, "Creating", "Creating", "Unchanged", 1),
                created(2, both)
            ),
            format!(
                "{{\"id\":4,\"answer\":\"accepted\",\"outcome\":{},\"changed\":[{}]}}",
                change(1, "Creating", "Configuration", "Acquired", 2),
                configuring(1, full)
            ),
            format!(
                "{{\"id\":5,\"answer\":\"accepted\",\"outcome\":{},\"changed\":[{}]}}",
                change(2, "Creating", "Configuration", "Acquired", 2),
                configuring(2, both)
            ),
            format!(
                "{{\"id\":6,\"answer\":\"accepted\",\"outcome\":{{\"Account\":{{\"account\":0,\
                 \"in_arrears\":true,\"tasks_changed\":2}}}},\"changed\":[{},{}]}}",
                frozen(1, full),
                frozen(2, both)
            ),
            "{\"id\":7,\"answer\":\"accepted\",\"outcome\":{\"Account\":{\"account\":1,\
             \"in_arrears\":true,\"tasks_changed\":0}},\"changed\":[]}"
                .to_string(),
            format!(
                "{{\"id\":8,\"answer\":\"tasks\",\"tasks\":[{},{}],\"arrears\":[0,1]}}",
                frozen(1, full),
                frozen(2, both)
            ),
            r#"{"id":9,"answer":"list","tasks":[1,2]}"#.to_string(),
            r#"{"id":10,"answer":"lists","lists":[[1,2],[],[1,2]]}"#.to_string(),
            format!("{{\"id\":11,\"answer\":\"task\",\"task\":{}}}", frozen(2, both)),
            r#"{"id":12,"answer":"task","task":null}"#.to_string(),
            r#"{"id":13,"answer":"refused","kind":"AccountInArrears"}"#.to_string(),
            format!(
                "{{\"id\":14,\"answer\":\"accepted\",\"outcome\":{{\"Account\":{{\"account\":0,\
                 \"in_arrears\":false,\"tasks_changed\":2}}}},\"changed\":[{},{}]}}",
                thawed(1, full),
                thawed(2, both)
            ),
            r#"{"answer":"error","id":15,"message":"no readable command"}"#.to_string(),
            r#"{"answer":"error","id":16,"message":"unreadable request: unknown variant `dance`, expected one of `reset`, `execute`, `tasks`, `list`, `lists`, `query` at line 1 column 21"}"#.to_string(),
            r#"{"answer":"error","message":"EOF while parsing a value at line 1 column 6"}"#
                .to_string(),
            format!(
                "{{\"id\":17,\"answer\":\"tasks\",\"tasks\":[{},{}],\"arrears\":[1]}}",
                thawed(1, full),
                thawed(2, both)
            ),
        ];
        let text = transcript(&requests, serving);
        for (got, want) in text.lines().zip(&expected) {
            assert_eq!(got, want);
        }
        assert_eq!(text.lines().count(), expected.len(), "{text}");
        assert!(text.ends_with('\n'));
    }

    /// Protocol 1: no `changed`, and a refusal carries its message for people.
    #[test]
    fn a_protocol_1_session_says_no_changes_and_explains_refusals() {
        let requests = [
            request(1, r#""op":"reset""#),
            execute(
                2,
                r#""command":"task","account":0,"task":1,"event":"Pause""#,
            ),
            execute(3, r#""command":"create","account":1,"mode":"INCR_TRANS""#),
        ];
        let requests: Vec<&str> = requests.iter().map(String::as_str).collect();
        for protocol in [1, 2] {
            let text = transcript(
                &requests,
                Serving {
                    protocol,
                    ..Serving::default()
                },
            );
            let lines: Vec<&str> = text.lines().collect();
            assert_eq!(lines[0], r#"{"id":1,"answer":"ok"}"#);
            let refused: Value = serde_json::from_str(lines[1]).expect("JSON");
            assert_eq!(refused["kind"], "NotFound");
            assert!(
                refused["message"]
                    .as_str()
                    .is_some_and(|message| message.contains("task 1")),
                "{refused}"
            );
            assert_eq!(
                lines[2],
                "{\"id\":3,\"answer\":\"accepted\",\"outcome\":{\"Task\":{\"task\":1,\
                 \"from\":\"Creating\",\"to\":\"Creating\",\"instance\":\"Unchanged\",\"version\":1}}}"
            );
            assert_eq!(lines.len(), 3);
        }
    }

    /// `unknown_every`: every Nth execute is answered `unknown`, alternately after doing
    /// it and without doing it; the others are answered as usual.
    #[test]
    fn every_nth_execute_is_indefinite_done_and_not_done_in_turn() {
        // Every third: executes 3 and 9 happen unanswered (tasks 3 and 8), 6 does not.
        assert_eq!(
            indefinite_run(3),
            [
                "ok",
                "task 1",
                "task 2",
                "unknown",
                "task 4",
                "task 5",
                "unknown",
                "task 6",
                "task 7",
                "unknown",
                "list [1,2,3,4,5,6,7,8]"
            ]
        );
        // Every other: executes 2 and 6 happen, 4 and 8 do not.
        assert_eq!(
            indefinite_run(2),
            [
                "ok",
                "task 1",
                "unknown",
                "task 3",
                "unknown",
                "task 4",
                "unknown",
                "task 6",
                "unknown",
                "task 7",
                "list [1,2,3,4,5,6,7]"
            ]
        );
    }

    /// Nine creations answered with every `every`th indefinite, then the listing.
    fn indefinite_run(every: u64) -> Vec<String> {
        let mut requests = vec![request(1, r#""op":"reset","protocol":2"#)];
        for id in 2..=10 {
            requests.push(execute(
                id,
                r#""command":"create","account":0,"mode":"FULL_TRANS""#,
            ));
        }
        requests.push(request(11, r#""op":"list","account":0"#));
        let requests: Vec<&str> = requests.iter().map(String::as_str).collect();
        let text = transcript(
            &requests,
            Serving {
                protocol: 2,
                unknown_every: every,
                ..Serving::default()
            },
        );
        text.lines()
            .map(|line| {
                let answer: Value = serde_json::from_str(line).expect("JSON");
                match answer["answer"].as_str() {
                    Some("accepted") => format!("task {}", answer["outcome"]["Task"]["task"]),
                    Some("list") => format!("list {}", answer["tasks"]),
                    other => other.unwrap_or("?").to_string(),
                }
            })
            .collect()
    }

    #[test]
    fn requests_split_over_reads_are_answered_once_each() {
        // A reader that returns a few bytes at a time.
        struct Trickle<'a>(&'a [u8]);
        impl std::io::Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = buf.len().min(7).min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let input =
            format!("{{\"id\":1,\"op\":\"reset\"}}\n{CREATE}\n{{\"id\":3,\"op\":\"tasks\"}}");
        let mut output = Vec::new();
        let reader = std::io::BufReader::with_capacity(16, Trickle(input.as_bytes()));
        serve(reader, &mut output, Serving::default()).expect("in memory");
        let text = String::from_utf8(output).expect("UTF-8");
        let ids: Vec<u64> = text
            .lines()
            .map(|line| {
                serde_json::from_str::<Value>(line).expect("JSON")["id"]
                    .as_u64()
                    .expect("id")
            })
            .collect();
        assert_eq!(ids, [1, 2, 3]);
    }
}
