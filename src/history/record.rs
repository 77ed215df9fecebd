//! The record format of a recorded history: one JSON object per line (`docs/traces.md`).
//!
//! A history is what an operator's poller and a control plane's logs keep: status polls of
//! tasks, the commands sent and what the service answered, entries of the service's
//! operation timeline, the account's billing events, and the service's own answers saved
//! whole (the v3 batch-status answer, a v5 `ListJobs` page) wrapped with the poll time. The
//! envelope is strict: an unknown field, a missing one, an unknown status code (with the
//! nearest known one suggested), an unknown operation or a bad time is a [`RecordError`]
//! naming the line and what is wrong, never a guess. Inside a wrapped service answer only
//! the fields the lifecycle needs are read and the rest is the service's business, and an
//! `available_actions` name outside the lifecycle's operations (a rename, a clone) is not
//! judged.
//!
//! Parsing borrows the line where it can (job ids, accounts), so that the judge's only
//! allocation per record is none.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

use super::tables::{USER_OPS, op_index};
use super::time::{BadTime, Millis, parse_duration, parse_time};
use crate::spec::{Answer, ApiCode, Event, Mode, NOT_FOUND_ERRORS, UnknownApiCode};

/// One line of a history, read.
#[derive(Clone, Debug, PartialEq)]
pub enum Record<'a> {
    /// What the recorder guarantees about the rest of the history.
    Header(Header),
    /// A poll of one task by id.
    Status(Poll<'a>),
    /// A user operation the control plane sent, and the service's answer.
    Command(CommandSent<'a>),
    /// An entry of the service's operation timeline.
    Timeline(TimelineEntry<'a>),
    /// An account's billing event.
    Billing(BillingEvent<'a>),
    /// A saved service answer (v3 batch status or a v5 `ListJobs` page): a poll of each task
    /// it shows, all at the poll time.
    Polls(Vec<Poll<'a>>),
}

/// What a recorder states about the history that follows it (the command line overrides).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Header {
    /// Every user operation sent to the tasks is recorded as a command.
    pub commands_complete: Option<bool>,
    /// Every billing event of the accounts is recorded.
    pub billing_recorded: Option<bool>,
    /// An accepted command takes effect within this long, or it is a violation.
    pub apply_within: Option<Millis>,
    /// Who wrote the history (free text).
    pub source: Option<String>,
}

/// A status poll of one task.
#[derive(Clone, Debug, PartialEq)]
pub struct Poll<'a> {
    /// The job (task) id polled.
    pub job: Cow<'a, str>,
    /// When the poll was answered, by the poller's clock (`t`).
    pub time: Millis,
    /// A status code, or the error that the task does not exist.
    pub answer: Answer,
    /// The migration mode the answer names (`task_type`), if recorded.
    pub mode: Option<Mode>,
    /// The account that owns the task, if recorded; billing events reach the task through it.
    pub account: Option<Cow<'a, str>>,
    /// The lifecycle operations the service offers now, as a mask over
    /// [`USER_OPS`] (`None`: not recorded).
    pub offered: Option<u16>,
    /// The service's own time of the task's last update, if recorded.
    pub update_time: Option<Millis>,
}

/// The service's answer to a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    /// The service took the command on; it applies it later, or never.
    Accepted,
    /// The service refused the command: nothing changed.
    Refused {
        /// The service's error code (`DRS.…`).
        error_code: String,
    },
    /// A timeout or a server error: the command may or may not have happened.
    Indefinite,
}

/// A user operation sent, with the answer.
#[derive(Clone, Debug, PartialEq)]
pub struct CommandSent<'a> {
    /// The job (task) id the command was for.
    pub job: Cow<'a, str>,
    /// When it was sent (`t`).
    pub time: Millis,
    /// The operation.
    pub op: Event,
    /// What the service answered.
    pub reply: Reply,
}

/// An entry of the service's timeline: an operation done, successfully or not.
#[derive(Clone, Debug, PartialEq)]
pub struct TimelineEntry<'a> {
    /// The job (task) id.
    pub job: Cow<'a, str>,
    /// When the operation was done (`t`, the timeline's `operation_time`).
    pub time: Millis,
    /// The operation the entry names.
    pub op: Event,
    /// Whether the timeline says `success` (rather than `failed`).
    pub succeeded: bool,
}

/// An account fell into arrears or was recharged.
#[derive(Clone, Debug, PartialEq)]
pub struct BillingEvent<'a> {
    /// The account.
    pub account: Cow<'a, str>,
    /// When it happened (`t`).
    pub time: Millis,
    /// Whether the account fell into arrears (`true`) or was recharged (`false`).
    pub in_arrears: bool,
}

impl Record<'_> {
    /// The job a record is about (`None` for headers, billing and saved answers).
    pub fn job(&self) -> Option<&str> {
        match self {
            Record::Status(poll) => Some(&poll.job),
            Record::Command(command) => Some(&command.job),
            Record::Timeline(entry) => Some(&entry.job),
            Record::Header(_) | Record::Billing(_) | Record::Polls(_) => None,
        }
    }
}

/// What is wrong with a line.
#[derive(Clone, Debug, PartialEq)]
pub enum Malformed {
    /// Not JSON, or JSON of the wrong shape (serde's words).
    Json(String),
    /// The `kind` is none of the record kinds.
    UnknownKind(String),
    /// A field the kind needs is absent.
    Missing {
        /// The record's kind.
        kind: &'static str,
        /// The absent field.
        field: &'static str,
    },
    /// A field the kind does not have is present.
    Unexpected {
        /// The record's kind.
        kind: &'static str,
        /// The field it does not have.
        field: &'static str,
    },
    /// A status code that is none of the 29, with the nearest known one.
    UnknownCode(UnknownApiCode),
    /// An operation name that is none of the lifecycle's operations.
    UnknownOperation(String),
    /// A mode that is none of `FULL_TRANS`, `FULL_INCR_TRANS`, `INCR_TRANS`.
    UnknownMode(String),
    /// A time that is neither RFC 3339 nor milliseconds since the epoch.
    BadTime(BadTime),
    /// Another value out of its vocabulary.
    BadValue {
        /// The field.
        field: &'static str,
        /// The value found.
        value: String,
        /// The values the field takes, in words.
        expected: &'static str,
    },
    /// A record of a job earlier than the job's previous record.
    OutOfOrder {
        /// The job (task) id.
        job: String,
        /// The record's time.
        time: Millis,
        /// Line number of the job's previous record.
        previous_line: u64,
        /// That record's time, later than this one.
        previous_time: Millis,
    },
}

/// A malformed line: the line number and what is wrong with it.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordError {
    /// Line number in the history, from 1.
    pub line: u64,
    /// What is wrong with it.
    pub what: Malformed,
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use super::time::format_time;
        match self {
            Malformed::Json(message) => write!(f, "not a history record: {message}"),
            Malformed::UnknownKind(kind) => {
                write!(f, "unknown record kind {kind:?}")?;
                if let Some(near) = crate::spec::nearest_name(kind, KINDS) {
                    write!(f, " (did you mean {near}?)")?;
                }
                write!(f, ": expected one of {}", KINDS.join(", "))
            }
            Malformed::Missing { kind, field } => {
                write!(
                    f,
                    "a {kind} record needs the field {field:?}; see docs/traces.md"
                )
            }
            Malformed::Unexpected { kind, field } => {
                write!(
                    f,
                    "a {kind} record has no field {field:?}; see docs/traces.md"
                )
            }
            Malformed::UnknownCode(error) => write!(f, "{error}"),
            Malformed::UnknownOperation(op) => {
                write!(f, "unknown operation {op:?}")?;
                let names = USER_OPS.map(|op| op.describe());
                if let Some(near) = crate::spec::nearest_name(op, names) {
                    write!(f, " (did you mean {near:?}?)")?;
                }
                write!(f, ": expected one of {}", names.join(", "))
            }
            Malformed::UnknownMode(mode) => write!(
                f,
                "unknown migration mode {mode:?}: expected FULL_TRANS, FULL_INCR_TRANS or INCR_TRANS"
            ),
            Malformed::BadTime(error) => write!(f, "{error}"),
            Malformed::BadValue {
                field,
                value,
                expected,
            } => {
                write!(f, "bad {field} {value:?}: expected {expected}")
            }
            Malformed::OutOfOrder {
                job,
                time,
                previous_line,
                previous_time,
            } => write!(
                f,
                "job {job} at {} is earlier than its record on line {previous_line} at {}: \
                 a job's records must be in time order (--reorder-window allows a bounded \
                 reordering)",
                format_time(*time),
                format_time(*previous_time)
            ),
        }
    }
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.what)
    }
}

impl std::error::Error for RecordError {}

/// The record kinds, as `kind` spells them.
pub const KINDS: [&str; 7] = [
    "header",
    "status",
    "command",
    "timeline",
    "billing",
    "batch_status",
    "list_jobs",
];

/// A time field: RFC 3339 text or milliseconds.
#[derive(Debug)]
enum RawTime<'a> {
    Text(Cow<'a, str>),
    Millis(i64),
}

impl<'de: 'a, 'a> Deserialize<'de> for RawTime<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TimeVisitor;
        impl<'de> Visitor<'de> for TimeVisitor {
            type Value = RawTime<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an RFC 3339 time or milliseconds since the epoch")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(RawTime::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(RawTime::Text(Cow::Owned(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(RawTime::Millis(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                i64::try_from(v)
                    .map(RawTime::Millis)
                    .map_err(|_| E::custom("time out of range"))
            }
        }
        deserializer.deserialize_any(TimeVisitor)
    }
}

fn time_of(raw: &RawTime<'_>) -> Result<Millis, Malformed> {
    match raw {
        RawTime::Text(text) => parse_time(text).map_err(Malformed::BadTime),
        RawTime::Millis(ms) => Ok(*ms),
    }
}

/// A line as JSON: every field any kind has.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLine<'a> {
    #[serde(borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow, default)]
    job: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    t: Option<RawTime<'a>>,
    #[serde(borrow, default)]
    status: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    error_code: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    error_message: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    update_time: Option<RawTime<'a>>,
    #[serde(borrow, default)]
    mode: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    account: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    available_actions: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow, default)]
    op: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    answer: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    result: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    user: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    event: Option<Cow<'a, str>>,
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    commands: Option<String>,
    #[serde(default)]
    billing: Option<String>,
    #[serde(default)]
    apply_within: Option<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    response: Option<ServiceAnswer>,
}

/// A saved service answer: the fields of a v3 batch-status answer and of a v5 `ListJobs`
/// page that the lifecycle needs (anything else in them is ignored).
#[derive(Deserialize)]
struct ServiceAnswer {
    #[serde(default)]
    results: Option<Vec<BatchEntry>>,
    #[serde(default)]
    jobs: Option<Vec<ListedJob>>,
}

#[derive(Deserialize)]
struct BatchEntry {
    id: String,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    error_code: Option<String>,
}

#[derive(Deserialize)]
struct ListedJob {
    id: String,
    status: String,
    #[serde(default)]
    task_type: Option<String>,
    #[serde(default)]
    update_time: Option<serde_json::Value>,
    #[serde(default)]
    job_action: Option<JobAction>,
}

#[derive(Deserialize)]
struct JobAction {
    #[serde(default)]
    available_actions: Option<Vec<String>>,
}

/// Reads a user operation by its name in this tool (`pause`, `force end`, `ForceEnd`,
/// `force_end`) or the API's (`stop`, `terminate`, `force_terminate`, `force_stop`,
/// `start`).
pub fn parse_op(name: &str) -> Option<Event> {
    let lower = name.trim().to_ascii_lowercase();
    let alias = match lower.as_str() {
        "stop" | "terminate" => Some(Event::End),
        "force_stop" | "force_terminate" | "force-stop" | "force-terminate" => {
            Some(Event::ForceEnd)
        }
        "start" => Some(Event::StartNow),
        _ => None,
    };
    alias
        .or_else(|| name.parse::<Event>().ok())
        .filter(|op| op_index(*op).is_some())
}

fn offered_mask(names: &[impl AsRef<str>]) -> u16 {
    names
        .iter()
        .filter_map(|name| parse_op(name.as_ref()).and_then(op_index))
        .fold(0, |mask, i| mask | 1 << i)
}

/// Reads a status code fast: the exact upper-case spelling first, any case after.
fn parse_code(text: &str) -> Result<ApiCode, Malformed> {
    ApiCode::ALL
        .into_iter()
        .find(|code| code.code() == text)
        .map_or_else(|| text.parse().map_err(Malformed::UnknownCode), Ok)
}

fn parse_mode(text: &str) -> Result<Mode, Malformed> {
    text.parse()
        .map_err(|_| Malformed::UnknownMode(text.to_string()))
}

fn not_found(error_code: &str) -> bool {
    NOT_FOUND_ERRORS
        .iter()
        .any(|known| known.eq_ignore_ascii_case(error_code.trim()))
}

/// What a poll answered: a status code, or a does-not-exist error with no status.
fn answer_of(
    kind: &'static str,
    status: Option<&str>,
    error_code: Option<&str>,
) -> Result<Answer, Malformed> {
    match (status, error_code) {
        (Some(status), _) => parse_code(status).map(Answer::Code),
        (None, Some(code)) if not_found(code) => Ok(Answer::NotFound),
        (None, Some(code)) => Err(Malformed::BadValue {
            field: "error_code",
            value: code.to_string(),
            expected: "a status, or with no status one of the does-not-exist errors \
                       DRS.10000010, DRS.M00289, DRS.M05004",
        }),
        (None, None) => Err(Malformed::Missing {
            kind,
            field: "status",
        }),
    }
}

/// Reads one line (`line` is its number, for the error).
pub fn parse_line(text: &str, line: u64) -> Result<Record<'_>, RecordError> {
    if let Some(record) = fast_status(text) {
        return Ok(record);
    }
    parse(text).map_err(|what| RecordError { line, what })
}

/// The common line, read without serde: a poll written exactly as
/// `{"kind":"status","job":"ID","t":"TIME","status":"CODE"}` (optionally with `"mode"` and
/// `"account"` after the status, as pollers write on a task's first poll). Anything else,
/// an escape, a space, another field, a bad value, returns `None` and goes the strict way,
/// so both paths accept and refuse exactly the same lines.
fn fast_status(text: &str) -> Option<Record<'_>> {
    fn string<'a>(rest: &'a str, key: &str) -> Option<(&'a str, &'a str)> {
        let rest = rest.strip_prefix(key)?;
        let end = rest.find('"')?;
        let value = &rest[..end];
        if value.contains('\\') {
            return None;
        }
        Some((value, &rest[end + 1..]))
    }
    let rest = text.strip_prefix(r#"{"kind":"status","job":""#)?;
    let end = rest.find('"')?;
    let job = &rest[..end];
    if job.is_empty() || job.contains('\\') {
        return None;
    }
    let (t, rest) = string(&rest[end + 1..], r#","t":""#)?;
    let (status, rest) = string(rest, r#","status":""#)?;
    let (mode, account, rest) = match rest.strip_prefix(r#","mode":""#) {
        None => (None, None, rest),
        Some(_) => {
            let (mode, rest) = string(rest, r#","mode":""#)?;
            let (account, rest) = string(rest, r#","account":""#)?;
            (Some(mode), Some(account), rest)
        }
    };
    if rest != "}" {
        return None;
    }
    let time = parse_time(t).ok()?;
    let code = ApiCode::ALL
        .into_iter()
        .find(|code| code.code() == status)?;
    let mode = match mode {
        Some(mode) => Some(Mode::ALL.into_iter().find(|m| m.api_code() == mode)?),
        None => None,
    };
    Some(Record::Status(Poll {
        job: Cow::Borrowed(job),
        time,
        answer: Answer::Code(code),
        mode,
        account: account.map(Cow::Borrowed),
        offered: None,
        update_time: None,
    }))
}

fn parse(text: &str) -> Result<Record<'_>, Malformed> {
    let raw: RawLine<'_> = serde_json::from_str(text).map_err(|e| {
        // serde's message carries "at line 1 column N"; the line is ours to name.
        let message = e.to_string();
        let message = match message.rfind(" at line ") {
            Some(at) => format!("{} (column {})", &message[..at], e.column()),
            None => message,
        };
        Malformed::Json(message)
    })?;
    macro_rules! need {
        ($kind:expr, $field:ident) => {
            raw.$field.ok_or(Malformed::Missing {
                kind: $kind,
                field: stringify!($field),
            })?
        };
    }
    match raw.kind.as_ref() {
        "status" => {
            const K: &str = "status";
            only(
                &raw,
                K,
                &[
                    "job",
                    "t",
                    "status",
                    "error_code",
                    "error_message",
                    "update_time",
                    "mode",
                    "account",
                    "available_actions",
                ],
            )?;
            let answer = answer_of(K, raw.status.as_deref(), raw.error_code.as_deref())?;
            let time = time_of(&need!(K, t))?;
            let update_time = raw.update_time.as_ref().map(time_of).transpose()?;
            let mode = raw.mode.as_deref().map(parse_mode).transpose()?;
            let offered = raw.available_actions.as_deref().map(offered_mask);
            Ok(Record::Status(Poll {
                job: need!(K, job),
                time,
                answer,
                mode,
                account: raw.account,
                offered,
                update_time,
            }))
        }
        "command" => {
            const K: &str = "command";
            only(&raw, K, &["job", "t", "error_code", "op", "answer", "user"])?;
            let op_name = need!(K, op);
            let op = parse_op(&op_name)
                .ok_or_else(|| Malformed::UnknownOperation(op_name.to_string()))?;
            let reply = match need!(K, answer).as_ref() {
                "accepted" => Reply::Accepted,
                "indefinite" => Reply::Indefinite,
                "refused" => Reply::Refused {
                    error_code: raw
                        .error_code
                        .ok_or(Malformed::Missing {
                            kind: "refused command",
                            field: "error_code",
                        })?
                        .into_owned(),
                },
                other => {
                    return Err(Malformed::BadValue {
                        field: "answer",
                        value: other.to_string(),
                        expected: "accepted, refused or indefinite",
                    });
                }
            };
            Ok(Record::Command(CommandSent {
                job: need!(K, job),
                time: time_of(&need!(K, t))?,
                op,
                reply,
            }))
        }
        "timeline" => {
            const K: &str = "timeline";
            only(&raw, K, &["job", "t", "name", "result", "user"])?;
            let name = need!(K, name);
            let op =
                parse_op(&name).ok_or_else(|| Malformed::UnknownOperation(name.to_string()))?;
            let succeeded = match need!(K, result).as_ref() {
                "success" => true,
                "failed" => false,
                other => {
                    return Err(Malformed::BadValue {
                        field: "result",
                        value: other.to_string(),
                        expected: "success or failed",
                    });
                }
            };
            Ok(Record::Timeline(TimelineEntry {
                job: need!(K, job),
                time: time_of(&need!(K, t))?,
                op,
                succeeded,
            }))
        }
        "billing" => {
            const K: &str = "billing";
            only(&raw, K, &["t", "account", "event"])?;
            let in_arrears = match need!(K, event).as_ref() {
                "arrears" => true,
                "recharged" => false,
                other => {
                    return Err(Malformed::BadValue {
                        field: "event",
                        value: other.to_string(),
                        expected: "arrears or recharged",
                    });
                }
            };
            Ok(Record::Billing(BillingEvent {
                account: need!(K, account),
                time: time_of(&need!(K, t))?,
                in_arrears,
            }))
        }
        "header" => {
            const K: &str = "header";
            only(
                &raw,
                K,
                &["format", "commands", "billing", "apply_within", "source"],
            )?;
            let format = need!(K, format);
            if format != FORMAT {
                return Err(Malformed::BadValue {
                    field: "format",
                    value: format,
                    expected: "\"drs-lifecycle history 1\"",
                });
            }
            let commands_complete = match raw.commands.as_deref() {
                None => None,
                Some("complete") => Some(true),
                Some("partial") => Some(false),
                Some(other) => {
                    return Err(Malformed::BadValue {
                        field: "commands",
                        value: other.to_string(),
                        expected: "complete or partial",
                    });
                }
            };
            let billing_recorded = match raw.billing.as_deref() {
                None => None,
                Some("recorded") => Some(true),
                Some("unrecorded") => Some(false),
                Some(other) => {
                    return Err(Malformed::BadValue {
                        field: "billing",
                        value: other.to_string(),
                        expected: "recorded or unrecorded",
                    });
                }
            };
            let apply_within = raw
                .apply_within
                .as_deref()
                .map(|text| {
                    parse_duration(text).map_err(|_| Malformed::BadValue {
                        field: "apply_within",
                        value: text.to_string(),
                        expected: "a duration such as 90s, 15m or 1h",
                    })
                })
                .transpose()?;
            Ok(Record::Header(Header {
                commands_complete,
                billing_recorded,
                apply_within,
                source: raw.source,
            }))
        }
        kind @ ("batch_status" | "list_jobs") => {
            let k: &'static str = if kind == "list_jobs" {
                "list_jobs"
            } else {
                "batch_status"
            };
            only(&raw, k, &["t", "response"])?;
            let time = time_of(&need!(k, t))?;
            let response = need!(k, response);
            let mut polls = Vec::new();
            if k == "batch_status" {
                let results = response.results.ok_or(Malformed::Missing {
                    kind: "batch_status response",
                    field: "results",
                })?;
                for entry in results {
                    let answer =
                        answer_of(k, entry.status.as_deref(), entry.error_code.as_deref())?;
                    polls.push(Poll {
                        job: Cow::Owned(entry.id),
                        time,
                        answer,
                        mode: None,
                        account: None,
                        offered: None,
                        update_time: None,
                    });
                }
            } else {
                let jobs = response.jobs.ok_or(Malformed::Missing {
                    kind: "list_jobs response",
                    field: "jobs",
                })?;
                for job in jobs {
                    let update_time = match &job.update_time {
                        Some(serde_json::Value::String(text)) => {
                            Some(parse_time(text).map_err(Malformed::BadTime)?)
                        }
                        Some(serde_json::Value::Number(n)) => n.as_i64(),
                        _ => None,
                    };
                    polls.push(Poll {
                        job: Cow::Owned(job.id),
                        time,
                        answer: Answer::Code(parse_code(&job.status)?),
                        mode: job.task_type.as_deref().map(parse_mode).transpose()?,
                        account: None,
                        offered: job
                            .job_action
                            .and_then(|action| action.available_actions)
                            .as_deref()
                            .map(offered_mask),
                        update_time,
                    });
                }
            }
            Ok(Record::Polls(polls))
        }
        other => Err(Malformed::UnknownKind(other.to_string())),
    }
}

impl RawLine<'_> {
    /// The names of the fields the line has, in the record format's order.
    fn present(&self) -> impl Iterator<Item = &'static str> {
        [
            ("job", self.job.is_some()),
            ("t", self.t.is_some()),
            ("status", self.status.is_some()),
            ("error_code", self.error_code.is_some()),
            ("error_message", self.error_message.is_some()),
            ("update_time", self.update_time.is_some()),
            ("mode", self.mode.is_some()),
            ("account", self.account.is_some()),
            ("available_actions", self.available_actions.is_some()),
            ("op", self.op.is_some()),
            ("answer", self.answer.is_some()),
            ("name", self.name.is_some()),
            ("result", self.result.is_some()),
            ("user", self.user.is_some()),
            ("event", self.event.is_some()),
            ("format", self.format.is_some()),
            ("commands", self.commands.is_some()),
            ("billing", self.billing.is_some()),
            ("apply_within", self.apply_within.is_some()),
            ("source", self.source.is_some()),
            ("response", self.response.is_some()),
        ]
        .into_iter()
        .filter_map(|(field, present)| present.then_some(field))
    }
}

/// A record of `kind` may have only the `allowed` fields: the first other one it has is an
/// error naming it.
fn only(raw: &RawLine<'_>, kind: &'static str, allowed: &[&str]) -> Result<(), Malformed> {
    match raw.present().find(|field| !allowed.contains(field)) {
        Some(field) => Err(Malformed::Unexpected { kind, field }),
        None => Ok(()),
    }
}

/// The `format` of a header.
pub const FORMAT: &str = "drs-lifecycle history 1";

impl Record<'_> {
    /// The record with everything it borrows copied, to be held past its line.
    pub fn into_owned(self) -> Record<'static> {
        fn own(cow: Cow<'_, str>) -> Cow<'static, str> {
            Cow::Owned(cow.into_owned())
        }
        fn poll(p: Poll<'_>) -> Poll<'static> {
            Poll {
                job: own(p.job),
                time: p.time,
                answer: p.answer,
                mode: p.mode,
                account: p.account.map(own),
                offered: p.offered,
                update_time: p.update_time,
            }
        }
        match self {
            Record::Header(h) => Record::Header(h),
            Record::Status(p) => Record::Status(poll(p)),
            Record::Polls(ps) => Record::Polls(ps.into_iter().map(poll).collect()),
            Record::Command(c) => Record::Command(CommandSent {
                job: own(c.job),
                time: c.time,
                op: c.op,
                reply: c.reply,
            }),
            Record::Timeline(e) => Record::Timeline(TimelineEntry {
                job: own(e.job),
                time: e.time,
                op: e.op,
                succeeded: e.succeeded,
            }),
            Record::Billing(b) => Record::Billing(BillingEvent {
                account: own(b.account),
                time: b.time,
                in_arrears: b.in_arrears,
            }),
        }
    }

    /// The time a record is about (`None` for a header).
    pub fn time(&self) -> Option<Millis> {
        match self {
            Record::Header(_) => None,
            Record::Status(p) => Some(p.time),
            Record::Polls(ps) => ps.first().map(|p| p.time),
            Record::Command(c) => Some(c.time),
            Record::Timeline(e) => Some(e.time),
            Record::Billing(b) => Some(b.time),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_line_reads() {
        let line = r#"{"kind":"status","job":"j1","t":"2025-03-01T10:00:00Z","status":"PAUSING","mode":"FULL_TRANS"}"#;
        let Ok(Record::Status(poll)) = parse_line(line, 1) else {
            panic!()
        };
        assert_eq!(poll.job, "j1");
        assert_eq!(poll.answer, Answer::Code(ApiCode::Pausing));
        assert_eq!(poll.mode, Some(Mode::Full));
    }

    #[test]
    fn the_fast_path_reads_what_the_strict_one_reads() {
        for line in [
            r#"{"kind":"status","job":"j1","t":"2025-03-01T10:00:00Z","status":"PAUSING"}"#,
            r#"{"kind":"status","job":"j1","t":"2025-03-01T10:00:00Z","status":"PAUSING","mode":"INCR_TRANS","account":"a"}"#,
        ] {
            assert_eq!(fast_status(line), parse(line).ok(), "{line}");
        }
        for line in [
            r#"{"kind":"status","job":"j1","t":"2025-03-01T10:00:00Z","status":"PAUSED"}"#,
            r#"{"kind":"status","job":"j\"1","t":"2025-03-01T10:00:00Z","status":"PAUSING"}"#,
            r#"{"kind":"status","job":"j1","t":"yesterday","status":"PAUSING"}"#,
            r#"{"kind":"status","job":"j1","t":"2025-03-01T10:00:00Z","status":"PAUSING","x":1}"#,
        ] {
            assert_eq!(fast_status(line), None, "{line}");
        }
    }

    #[test]
    fn an_unknown_code_names_the_nearest() {
        let line = r#"{"kind":"status","job":"j1","t":0,"status":"FULL_TRANSFER_COMPLETED"}"#;
        let error = parse_line(line, 7).unwrap_err();
        assert_eq!(error.line, 7);
        assert!(
            error
                .to_string()
                .contains("did you mean FULL_TRANSFER_COMPLETE?"),
            "{error}"
        );
    }

    #[test]
    fn a_field_of_another_kind_of_record_is_named() {
        for (line, field) in [
            (
                r#"{"kind":"command","job":"j1","t":0,"op":"pause","answer":"accepted","status":"PAUSING"}"#,
                "status",
            ),
            (
                r#"{"kind":"billing","t":0,"account":"a","event":"arrears","job":"j1"}"#,
                "job",
            ),
            (
                r#"{"kind":"header","format":"drs-lifecycle history 1","t":0}"#,
                "t",
            ),
        ] {
            let error = parse_line(line, 3).expect_err("a field that does not belong");
            assert_eq!(error.line, 3);
            assert!(
                matches!(error.what, Malformed::Unexpected { field: f, .. } if f == field),
                "{error}"
            );
        }
    }

    #[test]
    fn does_not_exist_is_a_poll_answer() {
        let line = r#"{"kind":"status","job":"j1","t":0,"error_code":"DRS.M05004"}"#;
        let Ok(Record::Status(poll)) = parse_line(line, 1) else {
            panic!()
        };
        assert_eq!(poll.answer, Answer::NotFound);
    }

    #[test]
    fn operations_read_by_their_api_names_too() {
        assert_eq!(parse_op("force_terminate"), Some(Event::ForceEnd));
        assert_eq!(parse_op("force end"), Some(Event::ForceEnd));
        assert_eq!(parse_op("stop"), Some(Event::End));
        assert_eq!(parse_op("InstanceReady"), None);
    }
}
