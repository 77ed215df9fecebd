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
    /// it shows, all at the poll time; and how many of its per-task answers were errors other
    /// than does-not-exist (a transient `DRS.M…`: the poll failed, it shows nothing), skipped
    /// and counted. A single poll answered by such an error is an empty answer with a count
    /// of one.
    Polls(Vec<Poll<'a>>, u32),
    /// A command or timeline entry of an operation outside the lifecycle (a speed limit, a
    /// comparison, a tag: brief D.3.1): known, skipped and counted by name.
    Outside(OutsideOp<'a>),
}

/// An operation outside the lifecycle, as recorded.
#[derive(Clone, Debug, PartialEq)]
pub struct OutsideOp<'a> {
    /// The job (task) id.
    pub job: Cow<'a, str>,
    /// When it was sent or done (`t`).
    pub time: Millis,
    /// The operation's name, as recorded.
    pub name: Cow<'a, str>,
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
    /// The format's version: 1 read a bare `stop` as end, 2 reads it as the v5 action
    /// call's pause.
    pub version: u8,
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
    /// The lifecycle operations it may be: one, or (the API's `restart`) resume or retry,
    /// whichever the task's state accepts.
    pub op: Ops,
    /// What the service answered.
    pub reply: Reply,
    /// Written as the bare word `stop` (no `call`, no `is_force_stop`): pause in the v5
    /// action call, but end in format 1 of this record format, which such a history must
    /// not silently change its reading of.
    pub bare_stop: bool,
}

/// An entry of the service's timeline: an operation done, successfully or not.
#[derive(Clone, Debug, PartialEq)]
pub struct TimelineEntry<'a> {
    /// The job (task) id.
    pub job: Cow<'a, str>,
    /// When the operation was done (`t`, the timeline's `operation_time`).
    pub time: Millis,
    /// The operation the entry names.
    pub op: Ops,
    /// Whether the timeline says `success` (rather than `failed`).
    pub succeeded: bool,
    /// Written as the bare word `stop` (see [`CommandSent::bare_stop`]).
    pub bare_stop: bool,
}

/// The lifecycle operations a recorded operation may be, as a mask over [`USER_OPS`]: one
/// operation, or a group the API names with one word (`restart`: resume or retry; `START`
/// in `available_actions`: start now or schedule start).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Ops(pub u16);

impl Ops {
    /// One operation.
    pub fn one(op: Event) -> Ops {
        Ops(op_index(op).map_or(0, |i| 1 << i))
    }

    /// The API's `restart`: resume or retry, one endpoint for both (brief A.2, D.3.1).
    pub fn restart() -> Ops {
        Ops(Ops::one(Event::Resume).0 | Ops::one(Event::Retry).0)
    }

    /// `START` in `available_actions`: start now, or with a time, schedule start.
    pub fn start() -> Ops {
        Ops(Ops::one(Event::StartNow).0 | Ops::one(Event::ScheduleStart).0)
    }

    /// The operations, in [`USER_OPS`] order.
    pub fn events(self) -> impl Iterator<Item = Event> {
        USER_OPS
            .into_iter()
            .enumerate()
            .filter(move |(i, _)| self.0 & 1 << i != 0)
            .map(|(_, op)| op)
    }

    /// The operation in this tool's words (`pause`; `restart (resume or retry)`).
    pub fn describe(self) -> &'static str {
        if self == Ops::restart() {
            "restart (resume or retry)"
        } else if self == Ops::start() {
            "start (start now or schedule start)"
        } else {
            self.events().next().map_or("no operation", Event::describe)
        }
    }
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
            Record::Outside(outside) => Some(&outside.job),
            Record::Header(_) | Record::Billing(_) | Record::Polls(..) => None,
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
    /// A field present with the value `null`, where the record needs a value.
    Null {
        /// The record's kind.
        kind: &'static str,
        /// The field.
        field: &'static str,
    },
    /// An empty job id.
    EmptyJob,
    /// A poll that shows a status and says the task does not exist.
    StatusAndNotFound {
        /// The status code.
        status: String,
        /// The does-not-exist error code.
        error_code: String,
    },
    /// A time outside 2000–2100: epoch seconds where milliseconds were meant, or a zero.
    ImplausibleTime(Millis),
    /// A bare `stop` in a history whose header declares format 1, which read it as end.
    AmbiguousStop,
    /// A `call` that names no API call of the lifecycle, or an operation it cannot carry.
    BadCall {
        /// The call as recorded.
        call: String,
        /// What is wrong, in words.
        why: String,
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
            Malformed::Null { kind, field } => write!(
                f,
                "a {kind} record's field {field:?} is null: give it a value or leave it out \
                 (see docs/traces.md)"
            ),
            Malformed::EmptyJob => f.write_str("the job id is empty: a job needs a non-empty id"),
            Malformed::StatusAndNotFound { status, error_code } => write!(
                f,
                "the poll shows the status {status} and the does-not-exist error \
                 {error_code}: a task that does not exist has no status; record one or the other"
            ),
            Malformed::ImplausibleTime(value) => {
                if (SECONDS_LIKE_FROM..SECONDS_LIKE_TO).contains(value) {
                    write!(
                        f,
                        "time {value} reads as {} in milliseconds since the epoch, before \
                         2000: it looks like epoch seconds; write milliseconds ({}) or RFC 3339",
                        format_time(*value),
                        value.saturating_mul(1000)
                    )
                } else {
                    write!(
                        f,
                        "time {value} ({}) is outside 2000–2100: write milliseconds since the \
                         epoch or RFC 3339 (2025-03-01T10:00:00Z)",
                        format_time(*value)
                    )
                }
            }
            Malformed::AmbiguousStop => f.write_str(
                "a bare \"stop\" in a history of format 1, which read it as end; the API's \
                 action call reads it as pause. Write \"end\" (or \"call\":\"stop_job_action\") \
                 for an end, \"pause\" for a pause, and set the header's format to \
                 \"drs-lifecycle history 2\"",
            ),
            Malformed::BadCall { call, why } => write!(f, "call {call:?}: {why}"),
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
#[derive(Clone, Debug)]
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
    let ms = match raw {
        RawTime::Text(text) => parse_time(text).map_err(Malformed::BadTime)?,
        RawTime::Millis(ms) => *ms,
    };
    plausible(ms)
}

/// The times a record may carry: 2000-01-01 to 2100-01-01 (milliseconds since the epoch).
/// A DRS history has no earlier or later date, so a time outside is a mistake, never a guess:
/// above all epoch *seconds* (which as milliseconds fall in January 1970), refused with a
/// message that says how to write them, rather than read as a date a thousand times too
/// early or silently multiplied.
pub const PLAUSIBLE_FROM: Millis = 946_684_800_000;
/// The end of the plausible window (exclusive): 2100-01-01.
pub const PLAUSIBLE_TO: Millis = 4_102_444_800_000;
/// Epoch seconds of the plausible window: a number here is named as seconds in the error.
const SECONDS_LIKE_FROM: Millis = PLAUSIBLE_FROM / 1000;
const SECONDS_LIKE_TO: Millis = PLAUSIBLE_TO / 1000;

/// A time inside the plausible window, or the error that names it.
pub fn plausible(ms: Millis) -> Result<Millis, Malformed> {
    if (PLAUSIBLE_FROM..PLAUSIBLE_TO).contains(&ms) {
        Ok(ms)
    } else {
        Err(Malformed::ImplausibleTime(ms))
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
    #[serde(borrow, default)]
    call: Option<Cow<'a, str>>,
    #[serde(default)]
    start_time: Option<serde_json::Value>,
    #[serde(default)]
    force_delete: Option<bool>,
    #[serde(default)]
    is_force_stop: Option<bool>,
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

/// Reads a lifecycle operation by its name in this tool (`pause`, `force end`, `ForceEnd`,
/// `force_end`) or as the v5 action call names it (`action_name`, brief D.3.1: `start`,
/// `stop` = pause, `restart` = resume or retry, `reset`, `terminate`; also
/// `force_terminate`), in any case. The stop *call* (end) is written with `call` (see
/// [`parse_line`]); `None` for every other name.
pub fn parse_op(name: &str) -> Option<Ops> {
    let lower = name.trim().to_ascii_lowercase();
    let alias = match lower.as_str() {
        "start" => Some(Ops::one(Event::StartNow)),
        "stop" => Some(Ops::one(Event::Pause)),
        "restart" => Some(Ops::restart()),
        "terminate" => Some(Ops::one(Event::End)),
        "force_stop" | "force_terminate" | "force-stop" | "force-terminate" => {
            Some(Ops::one(Event::ForceEnd))
        }
        _ => None,
    };
    alias.or_else(|| {
        name.parse::<Event>()
            .ok()
            .filter(|op| op_index(*op).is_some())
            .map(Ops::one)
    })
}

/// The names of operations outside the lifecycle that the API has (brief D.3.1), besides the
/// action call's ([`OUTSIDE_ACTIONS`]): the capitals of `job_action`
/// (`JobActions`: available and current actions), and the SDK's calls that change a job
/// without moving it through the lifecycle; all from `huaweicloudsdkdrs` 3.1.219. Compared
/// in any case, with `-` and spaces read as `_`.
pub const OUTSIDE_OPS: &[&str] = &[
    // JobActions: available_actions, unavailable_actions and current_action.
    "create",
    "choose_object",
    "pre_check",
    "change_mode",
    "free_resource",
    "modify_db_config",
    "reset_db_pwd",
    "modify_configuration",
    "change",
    "query_pre_check",
    "switch_over",
    "start_incr",
    "modify_task_number",
    "continue_job",
    "stop_job",
    "continue_capture",
    "stop_capture",
    "continue_apply",
    "stop_apply",
    "pay_order",
    "unsubscribe",
    "to_period",
    "to_renew",
    "order_info",
    "change_flavor",
    "clone",
    "api_configuration_action",
    "jump_retry",
    "node_flavor_modify",
    // The SDK's calls that change a job outside its lifecycle.
    "create_job",
    "batch_create_jobs",
    "batch_set_speed",
    "update_params",
    "batch_change_data",
    "change_job_flavor",
    "change_to_period",
    "batch_tag_action",
    "batch_create_tags",
    "batch_delete_tags",
    "update_job",
    "batch_update_job",
    "update_job_configurations",
    "batch_set_objects",
    "batch_set_policy",
    "batch_set_definer",
    "batch_set_smn",
    "batch_reset_password",
    "batch_restore_task",
    "batch_switchover",
    "copy_job",
    "create_compare_task",
    "create_object_level_compare_job",
    "create_data_level_table_compare_job",
    "update_start_position",
    "update_tuning_params",
    "modify_column_infos",
];

/// The v5 action call's `action_name`s outside the lifecycle (`ActionReq`, SDK 3.1.219):
/// every name but start, stop, restart, reset and terminate. `serve` answers and ignores
/// them; `validate` skips and counts them.
pub const OUTSIDE_ACTIONS: [&str; 15] = [
    "network",
    "precheck",
    "skip_precheck",
    "create_compare",
    "cancel_compare",
    "column_limit",
    "reload_parameters",
    "bind_eip",
    "unbind_eip",
    "set_writable",
    "cloud_connection",
    "set_readonly",
    "diagnosis",
    "start_repair",
    "stop_repair",
];

/// Whether a name is an operation outside the lifecycle that the API has
/// ([`OUTSIDE_ACTIONS`], [`OUTSIDE_OPS`]).
pub fn is_outside_op(name: &str) -> bool {
    let normal = name.trim().to_ascii_lowercase().replace(['-', ' '], "_");
    OUTSIDE_ACTIONS.contains(&normal.as_str()) || OUTSIDE_OPS.contains(&normal.as_str())
}

/// The v5 action calls: `op` is the `action_name`.
const ACTION_CALLS: [&str; 2] = ["execute_job_action", "batch_execute_job_actions"];
/// The v5 stop calls: end, or with `is_force_stop` force end.
const STOP_CALLS: [&str; 2] = ["stop_job_action", "batch_stop_jobs_action"];
/// The v5 delete calls.
const DELETE_CALLS: [&str; 2] = ["delete_job", "batch_delete_jobs_by_id"];
/// The v3 `jobs/batch-pause-task` call: pause.
const V3_PAUSE_CALL: &str = "batch_stop_jobs";
/// The v3 `DELETE jobs/batch-jobs` call: `op` is its `delete_type`.
const V3_DELETE_CALL: &str = "batch_delete_jobs";

/// The calls a command's `call` may name (the SDK's method names).
pub const CALLS: [&str; 8] = [
    ACTION_CALLS[0],
    ACTION_CALLS[1],
    STOP_CALLS[0],
    STOP_CALLS[1],
    DELETE_CALLS[0],
    DELETE_CALLS[1],
    V3_PAUSE_CALL,
    V3_DELETE_CALL,
];

/// What a command's or timeline entry's operation is.
enum Named<'a> {
    Lifecycle { op: Ops, bare_stop: bool },
    Outside(Cow<'a, str>),
}

/// The operation of a command record: its `op` read through its `call` (brief D.3.1), with
/// the request fields that change it (`start_time`, `force_delete`, `is_force_stop`).
fn command_op<'a>(raw: &RawLine<'a>) -> Result<Named<'a>, Malformed> {
    let bad = |call: &str, why: String| Malformed::BadCall {
        call: call.to_string(),
        why,
    };
    let call = raw.call.as_deref().map(|c| c.trim().to_ascii_lowercase());
    let op = raw.op.as_deref();
    let op_lower = op.map(|o| o.trim().to_ascii_lowercase());
    let named = |ops: Ops| Named::Lifecycle {
        op: ops,
        bare_stop: false,
    };
    let only_op = |call: &str, allowed: &[&str]| -> Result<(), Malformed> {
        match op_lower.as_deref() {
            None => Ok(()),
            Some(o) if allowed.contains(&o) => Ok(()),
            Some(o) => Err(bad(
                call,
                format!(
                    "the call carries no operation {o:?} (leave op out, or write {})",
                    allowed.join(" or ")
                ),
            )),
        }
    };
    let stop_call = |force: Option<bool>| {
        named(Ops::one(if force == Some(true) {
            Event::ForceEnd
        } else {
            Event::End
        }))
    };
    let result = match call.as_deref() {
        Some(c) if STOP_CALLS.contains(&c) => {
            only_op(c, &["stop", "end", "force end", "force_terminate"])?;
            let force = raw.is_force_stop.or_else(|| {
                matches!(op_lower.as_deref(), Some("force end" | "force_terminate")).then_some(true)
            });
            stop_call(force)
        }
        Some(c) if DELETE_CALLS.contains(&c) => {
            only_op(c, &["delete"])?;
            named(Ops::one(Event::Delete))
        }
        Some(V3_PAUSE_CALL) => {
            only_op(V3_PAUSE_CALL, &["pause"])?;
            named(Ops::one(Event::Pause))
        }
        Some(V3_DELETE_CALL) => match op_lower.as_deref() {
            Some("terminate") => named(Ops::one(Event::End)),
            Some("force_terminate") => named(Ops::one(Event::ForceEnd)),
            Some("delete") => named(Ops::one(Event::Delete)),
            other => {
                return Err(bad(
                    V3_DELETE_CALL,
                    format!(
                        "op is the call's delete_type: terminate, force_terminate or delete, \
                         not {other:?}"
                    ),
                ));
            }
        },
        Some(c) if !ACTION_CALLS.contains(&c) => {
            return Err(bad(
                c,
                format!(
                    "not a call of the lifecycle: expected one of {} (the SDK's method names; \
                     see docs/traces.md)",
                    CALLS.join(", ")
                ),
            ));
        }
        // The v5 action call, named or not: `op` is the action name.
        _ => {
            let name = op.ok_or(Malformed::Missing {
                kind: "command",
                field: "op",
            })?;
            if raw.is_force_stop.is_some() {
                if call.is_some() || op_lower.as_deref() != Some("stop") {
                    return Err(bad(
                        call.as_deref().unwrap_or("(none)"),
                        "is_force_stop belongs to the stop call: write \"call\":\
                         \"stop_job_action\" with \"op\":\"stop\" or no op"
                            .to_string(),
                    ));
                }
                // `{"op":"stop","is_force_stop":…}` is the stop call's request.
                return Ok(stop_call(raw.is_force_stop));
            }
            match parse_op(name) {
                Some(ops) => Named::Lifecycle {
                    op: ops,
                    bare_stop: op_lower.as_deref() == Some("stop"),
                },
                None if is_outside_op(name) => Named::Outside(raw.op.clone().unwrap_or_default()),
                None => return Err(Malformed::UnknownOperation(name.to_string())),
            }
        }
    };
    // The request fields that change an operation, only where they do.
    if let Named::Lifecycle { op: ops, .. } = &result {
        let start_now = *ops == Ops::one(Event::StartNow);
        let action_call = call.as_deref().is_none_or(|c| ACTION_CALLS.contains(&c));
        if raw.start_time.is_some() && !(action_call && start_now) {
            return Err(Malformed::Unexpected {
                kind: "command (start_time is for start)",
                field: "start_time",
            });
        }
        if raw.force_delete.is_some() && !(action_call && *ops == Ops::one(Event::End)) {
            return Err(Malformed::Unexpected {
                kind: "command (force_delete is for terminate)",
                field: "force_delete",
            });
        }
        if raw.is_force_stop.is_some() && !call.as_deref().is_some_and(|c| STOP_CALLS.contains(&c))
        {
            return Err(Malformed::Unexpected {
                kind: "command (is_force_stop is for the stop call)",
                field: "is_force_stop",
            });
        }
        if start_now && raw.start_time.as_ref().is_some_and(|t| !t.is_null()) {
            return Ok(named(Ops::one(Event::ScheduleStart)));
        }
        if raw.force_delete == Some(true) {
            return Ok(named(Ops::one(Event::ForceEnd)));
        }
    }
    Ok(result)
}

/// Bits of a poll's `offered` beyond the single operations ([`USER_OPS`] bits 0–8).
pub mod offered {
    /// The API's `RETRY`/`restart`: resume or retry.
    pub const RESTART: u16 = 1 << 9;
    /// The API's `START`: start now or schedule start.
    pub const START: u16 = 1 << 10;
    /// The list speaks the API's capitals (`PAUSE`, `RETRY`, …), which name no end, force
    /// end or resume of their own: only what they can name is judged as withheld.
    pub const API: u16 = 1 << 11;
    /// The single operations' bits.
    pub const SINGLES: u16 = (1 << 9) - 1;
}

/// Reads `available_actions`: lower-case operation names (this tool's, the action call's)
/// and the API's capitals (`START`, `PAUSE`, `RETRY`, `RESET`, `DELETE`); other names (a
/// rename, a clone) are outside the lifecycle and not judged.
fn offered_mask(names: &[impl AsRef<str>]) -> u16 {
    let mut mask = 0;
    for name in names {
        let name = name.as_ref().trim();
        let capitals = name.bytes().any(|b| b.is_ascii_uppercase())
            && !name.bytes().any(|b| b.is_ascii_lowercase());
        let ops = match name {
            "START" => Some(Ops::start()),
            "PAUSE" => Some(Ops::one(Event::Pause)),
            "RETRY" => Some(Ops::restart()),
            "RESET" => Some(Ops::one(Event::Reset)),
            "DELETE" => Some(Ops::one(Event::Delete)),
            _ if capitals => None,
            _ => parse_op(name),
        };
        if capitals {
            mask |= offered::API;
        }
        match ops {
            Some(ops) if ops == Ops::restart() => mask |= offered::RESTART,
            Some(ops) if ops == Ops::start() => mask |= offered::START,
            Some(ops) => mask |= ops.0,
            None => {}
        }
    }
    mask
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

/// What a poll answered: a status code, or a does-not-exist error with no status; `None`
/// for another error with no status (the poll failed: nothing shown).
fn answer_of(
    kind: &'static str,
    status: Option<&str>,
    error_code: Option<&str>,
) -> Result<Option<Answer>, Malformed> {
    match (status, error_code) {
        (Some(status), Some(code)) if not_found(code) => Err(Malformed::StatusAndNotFound {
            status: status.to_string(),
            error_code: code.to_string(),
        }),
        (Some(status), _) => parse_code(status).map(|code| Some(Answer::Code(code))),
        (None, Some(code)) if not_found(code) => Ok(Some(Answer::NotFound)),
        // Another error: the poll failed (a transient DRS.M…); the caller skips and counts it.
        (None, Some(_)) => Ok(None),
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
    let time = plausible(parse_time(t).ok()?).ok()?;
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
    // A needed field that is absent, or present as `null` (serde reads both as `None`: the
    // line is read again, only on this error path, to tell them apart).
    let absent = |kind: &'static str, field: &'static str| -> Malformed {
        let null = serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|value| value.get(field).map(serde_json::Value::is_null))
            .unwrap_or(false);
        if null {
            Malformed::Null { kind, field }
        } else {
            Malformed::Missing { kind, field }
        }
    };
    macro_rules! need {
        ($kind:expr, $field:ident) => {
            match raw.$field.clone() {
                Some(value) => value,
                None => return Err(absent($kind, stringify!($field))),
            }
        };
    }
    let job_of = |kind: &'static str| -> Result<Cow<'_, str>, Malformed> {
        match raw.job.clone() {
            Some(job) if job.is_empty() => Err(Malformed::EmptyJob),
            Some(job) => Ok(job),
            None => Err(absent(kind, "job")),
        }
    };
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
            let job = job_of(K)?;
            let answer = match answer_of(K, raw.status.as_deref(), raw.error_code.as_deref()) {
                Err(Malformed::Missing { kind, field }) => return Err(absent(kind, field)),
                other => other?,
            };
            let time = time_of(&need!(K, t))?;
            let update_time = raw.update_time.as_ref().map(time_of).transpose()?;
            let mode = raw.mode.as_deref().map(parse_mode).transpose()?;
            let offered = raw.available_actions.as_deref().map(offered_mask);
            if let Some(account) = &raw.account
                && account.is_empty()
            {
                return Err(Malformed::BadValue {
                    field: "account",
                    value: String::new(),
                    expected: "a non-empty account (or no account field)",
                });
            }
            let Some(answer) = answer else {
                // The poll failed with a transient error: nothing shown, counted.
                return Ok(Record::Polls(Vec::new(), 1));
            };
            Ok(Record::Status(Poll {
                job,
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
            only(
                &raw,
                K,
                &[
                    "job",
                    "t",
                    "error_code",
                    "op",
                    "answer",
                    "user",
                    "call",
                    "start_time",
                    "force_delete",
                    "is_force_stop",
                ],
            )?;
            let job = job_of(K)?;
            let time = time_of(&need!(K, t))?;
            if raw.op.is_none() && raw.call.is_none() {
                return Err(absent(K, "op"));
            }
            let named = command_op(&raw)?;
            let reply = match need!(K, answer).as_ref() {
                "accepted" => Reply::Accepted,
                "indefinite" => Reply::Indefinite,
                "refused" => Reply::Refused {
                    error_code: match raw.error_code.clone() {
                        Some(code) => code.into_owned(),
                        None => return Err(absent("refused command", "error_code")),
                    },
                },
                other => {
                    return Err(Malformed::BadValue {
                        field: "answer",
                        value: other.to_string(),
                        expected: "accepted, refused or indefinite",
                    });
                }
            };
            Ok(match named {
                Named::Lifecycle { op, bare_stop } => Record::Command(CommandSent {
                    job,
                    time,
                    op,
                    reply,
                    bare_stop,
                }),
                Named::Outside(name) => Record::Outside(OutsideOp { job, time, name }),
            })
        }
        "timeline" => {
            const K: &str = "timeline";
            only(&raw, K, &["job", "t", "name", "result", "user"])?;
            let job = job_of(K)?;
            let name = need!(K, name);
            let time = time_of(&need!(K, t))?;
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
            // The timeline is the service's own vocabulary: a name that is no lifecycle
            // operation is an operation outside it, skipped and counted by name.
            Ok(match parse_op(&name) {
                Some(op) => Record::Timeline(TimelineEntry {
                    job,
                    time,
                    op,
                    succeeded,
                    bare_stop: name.trim().eq_ignore_ascii_case("stop"),
                }),
                None => Record::Outside(OutsideOp { job, time, name }),
            })
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
            let account = need!(K, account);
            if account.is_empty() {
                return Err(Malformed::BadValue {
                    field: "account",
                    value: String::new(),
                    expected: "a non-empty account",
                });
            }
            Ok(Record::Billing(BillingEvent {
                account,
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
            let version = match format.as_str() {
                FORMAT => 2,
                FORMAT_1 => 1,
                _ => {
                    return Err(Malformed::BadValue {
                        field: "format",
                        value: format,
                        expected: "\"drs-lifecycle history 2\" (or 1, which read a bare \"stop\" as end)",
                    });
                }
            };
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
                version,
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
            let Some(response) = raw.response else {
                return Err(absent(k, "response"));
            };
            let mut polls = Vec::new();
            let mut transient = 0u32;
            let empty_id = |id: &str| {
                if id.is_empty() {
                    Err(Malformed::EmptyJob)
                } else {
                    Ok(())
                }
            };
            if k == "batch_status" {
                let results = response.results.ok_or(Malformed::Missing {
                    kind: "batch_status response",
                    field: "results",
                })?;
                for entry in results {
                    empty_id(&entry.id)?;
                    let Some(answer) =
                        answer_of(k, entry.status.as_deref(), entry.error_code.as_deref())?
                    else {
                        transient += 1;
                        continue;
                    };
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
                    empty_id(&job.id)?;
                    let update_time = match &job.update_time {
                        Some(serde_json::Value::String(text)) => {
                            Some(plausible(parse_time(text).map_err(Malformed::BadTime)?)?)
                        }
                        Some(serde_json::Value::Number(n)) => {
                            n.as_i64().map(plausible).transpose()?
                        }
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
            Ok(Record::Polls(polls, transient))
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
            ("call", self.call.is_some()),
            ("start_time", self.start_time.is_some()),
            ("force_delete", self.force_delete.is_some()),
            ("is_force_stop", self.is_force_stop.is_some()),
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

/// The `format` of a header: version 2 reads the API's operation names (brief D.3.1).
pub const FORMAT: &str = "drs-lifecycle history 2";
/// The first version, still read: there a bare `stop` meant end, so in a history that
/// declares it a bare `stop` is an error ([`Malformed::AmbiguousStop`]), never a pause.
pub const FORMAT_1: &str = "drs-lifecycle history 1";

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
            Record::Polls(ps, transient) => {
                Record::Polls(ps.into_iter().map(poll).collect(), transient)
            }
            Record::Command(c) => Record::Command(CommandSent {
                job: own(c.job),
                time: c.time,
                op: c.op,
                reply: c.reply,
                bare_stop: c.bare_stop,
            }),
            Record::Timeline(e) => Record::Timeline(TimelineEntry {
                job: own(e.job),
                time: e.time,
                op: e.op,
                succeeded: e.succeeded,
                bare_stop: e.bare_stop,
            }),
            Record::Outside(o) => Record::Outside(OutsideOp {
                job: own(o.job),
                time: o.time,
                name: own(o.name),
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
            Record::Polls(ps, _) => ps.first().map(|p| p.time),
            Record::Outside(o) => Some(o.time),
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
        let line =
            r#"{"kind":"status","job":"j1","t":1740823200000,"status":"FULL_TRANSFER_COMPLETED"}"#;
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
                r#"{"kind":"command","job":"j1","t":1740823200000,"op":"pause","answer":"accepted","status":"PAUSING"}"#,
                "status",
            ),
            (
                r#"{"kind":"billing","t":1740823200000,"account":"a","event":"arrears","job":"j1"}"#,
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
        let line = r#"{"kind":"status","job":"j1","t":1740823200000,"error_code":"DRS.M05004"}"#;
        let Ok(Record::Status(poll)) = parse_line(line, 1) else {
            panic!()
        };
        assert_eq!(poll.answer, Answer::NotFound);
    }

    #[test]
    fn operations_read_by_their_api_names_too() {
        assert_eq!(parse_op("force_terminate"), Some(Ops::one(Event::ForceEnd)));
        assert_eq!(parse_op("force end"), Some(Ops::one(Event::ForceEnd)));
        // The v5 action call's `stop` is pause; `restart` is resume or retry.
        assert_eq!(parse_op("stop"), Some(Ops::one(Event::Pause)));
        assert_eq!(parse_op("restart"), Some(Ops::restart()));
        assert_eq!(parse_op("terminate"), Some(Ops::one(Event::End)));
        assert_eq!(parse_op("InstanceReady"), None);
    }
}

#[cfg(test)]
mod words {
    //! Every way a record's operation, answer and offered actions are read, pinned word
    //! for word: each branch of the calls (brief D.3.1), each request field that changes an
    //! operation, and the errors that name what is wrong.
    use std::fmt::Write as _;

    use super::*;

    fn read(line: &str) -> String {
        match parse_line(line, 3) {
            Ok(Record::Command(c)) => format!(
                "command of {:?}: {}{} ({:?})",
                c.job,
                c.op.describe(),
                if c.bare_stop { ", a bare stop" } else { "" },
                c.reply
            ),
            Ok(Record::Timeline(e)) => format!(
                "timeline of {:?}: {} {}",
                e.job,
                e.op.describe(),
                if e.succeeded { "succeeded" } else { "failed" }
            ),
            Ok(Record::Outside(o)) => format!("outside of {:?}: {:?} at {}", o.job, o.name, o.time),
            Ok(Record::Status(p)) => format!(
                "status of {:?}: {:?}, offered {:?}",
                p.job,
                p.answer,
                p.offered.map(|m| format!("{m:#06x}"))
            ),
            Ok(Record::Polls(polls, transient)) => {
                let mut out = format!("{} polls, {transient} transient:", polls.len());
                for p in polls {
                    write!(
                        out,
                        " {:?} {:?} mode {:?} offered {:?} updated {:?};",
                        p.job, p.answer, p.mode, p.offered, p.update_time
                    )
                    .unwrap();
                }
                out
            }
            Ok(other) => format!("{other:?}"),
            Err(error) => format!("error: {error}"),
        }
    }

    fn table(lines: &[String]) -> String {
        let mut out = String::new();
        for line in lines {
            let record = parse_line(line, 3);
            let job = record.as_ref().ok().map(|r| r.job().map(str::to_string));
            let time = record.as_ref().ok().map(Record::time);
            writeln!(
                out,
                "{line}\n  -> {} [job {job:?}, time {time:?}]",
                read(line)
            )
            .unwrap();
            // The fast reading of a poll, where it applies, reads what the strict one does;
            // and a record held past its line is the same record.
            if let Some(fast) = fast_status(line) {
                assert_eq!(Ok(fast), parse(line), "{line}");
            }
            if let Ok(record) = record {
                assert_eq!(record.clone().into_owned(), record, "{line}");
            }
        }
        out
    }

    fn command(fields: &str) -> String {
        format!(r#"{{"kind":"command","job":"j7","t":1740823200000,"answer":"accepted",{fields}}}"#)
    }

    #[test]
    fn the_operation_of_every_call_reads_word_for_word() {
        let lines: Vec<String> = [
            r#""call":"stop_job_action""#,
            r#""call":"stop_job_action","op":"force end""#,
            r#""call":"stop_job_action","op":"force_terminate""#,
            r#""call":"stop_job_action","op":"stop""#,
            r#""call":"stop_job_action","is_force_stop":true"#,
            r#""call":"stop_job_action","is_force_stop":false,"op":"force end""#,
            r#""call":"stop_job_action","op":"pause""#,
            r#""call":"Batch_Stop_Jobs_Action","op":"end""#,
            r#""call":"delete_job""#,
            r#""call":"batch_delete_jobs_by_id","op":"delete""#,
            r#""call":"delete_job","op":"end""#,
            r#""call":"batch_stop_jobs""#,
            r#""call":"batch_stop_jobs","op":"pause""#,
            r#""call":"batch_stop_jobs","op":"stop""#,
            r#""call":"batch_delete_jobs","op":"terminate""#,
            r#""call":"batch_delete_jobs","op":"force_terminate""#,
            r#""call":"batch_delete_jobs","op":"delete""#,
            r#""call":"batch_delete_jobs""#,
            r#""call":"batch_delete_jobs","op":"end""#,
            r#""call":"list_jobs","op":"pause""#,
            r#""call":"execute_job_action","op":"stop""#,
            r#""call":"batch_execute_job_actions","op":"restart""#,
            r#""call":"execute_job_action""#,
            r#""op":" Stop ""#,
            r#""op":"restart""#,
            r#""op":"terminate""#,
            r#""op":"force-stop""#,
            r#""op":"ResumeAfterFailure""#,
            r#""op":"rename""#,
            r#""op":"Batch-Set-Speed""#,
            r#""op":"frobnicate""#,
            r#""op":"stop","is_force_stop":true"#,
            r#""op":"stop","is_force_stop":false"#,
            r#""op":"pause","is_force_stop":true"#,
            r#""call":"execute_job_action","op":"stop","is_force_stop":true"#,
            r#""call":"delete_job","is_force_stop":true"#,
            r#""op":"start","start_time":"2025-03-01T10:00:00Z""#,
            r#""op":"start","start_time":null"#,
            r#""call":"execute_job_action","op":"start","start_time":1740823200000"#,
            r#""op":"pause","start_time":"2025-03-01T10:00:00Z""#,
            r#""call":"delete_job","start_time":"2025-03-01T10:00:00Z""#,
            r#""op":"terminate","force_delete":true"#,
            r#""op":"terminate","force_delete":false"#,
            r#""op":"pause","force_delete":true"#,
            r#""call":"stop_job_action","force_delete":true"#,
            r#""call":"batch_delete_jobs","op":"terminate","force_delete":true"#,
        ]
        .iter()
        .map(|fields| command(fields))
        .collect();
        expect_test::expect![[r#"
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","call":"stop_job_action"}
              -> command of "j7": end (Accepted) [job Some(Some("j7")), time Some(Some(1740823200000))]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","call":"stop_job_action","op":"force end"}
              -> command of "j7": force end (Accepted) [job Some(Some("j7")), time Some(Some(1740823200000))]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","call":"stop_job_action","op":"force_terminate"}
              -> command of "j7": force end (Accepted) [job Some(Some("j7")), time Some(Some(1740823200000))]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","call":"stop_job_action","op":"stop"}
              -> command of "j7": end (Accepted) [job Some(Some("j7")), time Some(Some(1740823200000))]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","call":"stop_job_action","is_force_stop":true}
              -> command of "j7": force end (Accepted) [job Some(Some("j7")), time Some(Some(1740823200000))]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","call":"stop_job_action","is_force_stop":false,"op":"force end"}
              -> command of "j7": end (Accepted) [job Some(Some("j7")), time Some(Some(1740823200000))]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","call":"stop_job_action","op":"pause"}
              -> error: line 3: call "stop_job_action": the call carries no operation "pause" (leave op out, or write stop or end or force end or force_terminate) [job None, time None]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","call":"Batch_Stop_Jobs_Action","op":"end"}
              -> command of "j7": end (Accepted) [job Some(Some("j7")), time Some(Some(1740823200000))]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","call":"delete_job"}
              -> command of "j7": delete (Accepted) [job Some(Some("j7")), time Some(Some(1740823200000))]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","call":"batch_delete_jobs_by_id","op":"delete"}
              -> command of "j7": delete (Accepted) [job Some(Some("j7")), time Some(Some(1740823200000))]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","call":"delete_job","op":"end"}
              -> error: line 3: call "delete_job": the call carries no operation "end" (leave op out, or write delete) [job None, time None]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","call":"batch_stop_jobs"}
              -> command of "j7": pause (Accepted) [job Some(Some("j7")), time Some(Some(1740823200000))]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","call":"batch_stop_jobs","op":"pause"}
              -> command of "j7": pause (Accepted) [job Some(Some("j7")), time Some(Some(1740823200000))]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","call":"batch_stop_jobs","op":"stop"}
              -> error: line 3: call "batch_stop_jobs": the call carries no operation "stop" (leave op out, or write pause) [job None, time None]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","call":"batch_delete_jobs","op":"terminate"}
              -> command of "j7": end (Accepted) [job Some(Some("j7")), time Some(Some(1740823200000))]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","call":"batch_delete_jobs","op":"force_terminate"}
              -> command of "j7": force end (Accepted) [job Some(Some("j7")), time Some(Some(1740823200000))]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","call":"batch_delete_jobs","op":"delete"}
              -> command of "j7": delete (Accepted) [job Some(Some("j7")), time Some(Some(1740823200000))]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","call":"batch_delete_jobs"}
              -> error: line 3: call "batch_delete_jobs": op is the call's delete_type: terminate, force_terminate or delete, not None [job None, time None]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","call":"batch_delete_jobs","op":"end"}
              -> error: line 3: call "batch_delete_jobs": op is the call's delete_type: terminate, force_terminate or delete, not Some("end") [job None, time None]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","call":"list_jobs","op":"pause"}
              -> error: line 3: call "list_jobs": not a call of the lifecycle: expected one of execute_job_action, batch_execute_job_actions, stop_job_action, batch_stop_jobs_action, delete_job, batch_delete_jobs_by_id, batch_stop_jobs, batch_delete_jobs (the SDK's method names; see docs/traces.md) [job None, time None]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","call":"execute_job_action","op":"stop"}
              -> command of "j7": pause, a bare stop (Accepted) [job Some(Some("j7")), time Some(Some(1740823200000))]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","call":"batch_execute_job_actions","op":"restart"}
              -> command of "j7": restart (resume or retry) (Accepted) [job Some(Some("j7")), time Some(Some(1740823200000))]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","call":"execute_job_action"}
              -> error: line 3: a command record needs the field "op"; see docs/traces.md [job None, time None]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","op":" Stop "}
              -> command of "j7": pause, a bare stop (Accepted) [job Some(Some("j7")), time Some(Some(1740823200000))]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","op":"restart"}
              -> command of "j7": restart (resume or retry) (Accepted) [job Some(Some("j7")), time Some(Some(1740823200000))]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","op":"terminate"}
              -> command of "j7": end (Accepted) [job Some(Some("j7")), time Some(Some(1740823200000))]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","op":"force-stop"}
              -> command of "j7": force end (Accepted) [job Some(Some("j7")), time Some(Some(1740823200000))]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","op":"ResumeAfterFailure"}
              -> error: line 3: unknown operation "ResumeAfterFailure": expected one of start now, schedule start, pause, resume, retry, reset, end, force end, delete [job None, time None]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","op":"rename"}
              -> error: line 3: unknown operation "rename" (did you mean "resume"?): expected one of start now, schedule start, pause, resume, retry, reset, end, force end, delete [job None, time None]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","op":"Batch-Set-Speed"}
              -> outside of "j7": "Batch-Set-Speed" at 1740823200000 [job Some(Some("j7")), time Some(Some(1740823200000))]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","op":"frobnicate"}
              -> error: line 3: unknown operation "frobnicate": expected one of start now, schedule start, pause, resume, retry, reset, end, force end, delete [job None, time None]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","op":"stop","is_force_stop":true}
              -> command of "j7": force end (Accepted) [job Some(Some("j7")), time Some(Some(1740823200000))]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","op":"stop","is_force_stop":false}
              -> command of "j7": end (Accepted) [job Some(Some("j7")), time Some(Some(1740823200000))]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","op":"pause","is_force_stop":true}
              -> error: line 3: call "(none)": is_force_stop belongs to the stop call: write "call":"stop_job_action" with "op":"stop" or no op [job None, time None]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","call":"execute_job_action","op":"stop","is_force_stop":true}
              -> error: line 3: call "execute_job_action": is_force_stop belongs to the stop call: write "call":"stop_job_action" with "op":"stop" or no op [job None, time None]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","call":"delete_job","is_force_stop":true}
              -> error: line 3: a command (is_force_stop is for the stop call) record has no field "is_force_stop"; see docs/traces.md [job None, time None]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","op":"start","start_time":"2025-03-01T10:00:00Z"}
              -> command of "j7": schedule start (Accepted) [job Some(Some("j7")), time Some(Some(1740823200000))]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","op":"start","start_time":null}
              -> command of "j7": start now (Accepted) [job Some(Some("j7")), time Some(Some(1740823200000))]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","call":"execute_job_action","op":"start","start_time":1740823200000}
              -> command of "j7": schedule start (Accepted) [job Some(Some("j7")), time Some(Some(1740823200000))]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","op":"pause","start_time":"2025-03-01T10:00:00Z"}
              -> error: line 3: a command (start_time is for start) record has no field "start_time"; see docs/traces.md [job None, time None]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","call":"delete_job","start_time":"2025-03-01T10:00:00Z"}
              -> error: line 3: a command (start_time is for start) record has no field "start_time"; see docs/traces.md [job None, time None]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","op":"terminate","force_delete":true}
              -> command of "j7": force end (Accepted) [job Some(Some("j7")), time Some(Some(1740823200000))]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","op":"terminate","force_delete":false}
              -> command of "j7": end (Accepted) [job Some(Some("j7")), time Some(Some(1740823200000))]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","op":"pause","force_delete":true}
              -> error: line 3: a command (force_delete is for terminate) record has no field "force_delete"; see docs/traces.md [job None, time None]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","call":"stop_job_action","force_delete":true}
              -> error: line 3: a command (force_delete is for terminate) record has no field "force_delete"; see docs/traces.md [job None, time None]
            {"kind":"command","job":"j7","t":1740823200000,"answer":"accepted","call":"batch_delete_jobs","op":"terminate","force_delete":true}
              -> error: line 3: a command (force_delete is for terminate) record has no field "force_delete"; see docs/traces.md [job None, time None]
        "#]].assert_eq(&table(&lines));
    }

    #[test]
    fn answers_and_offered_actions_read_word_for_word() {
        let lines: Vec<String> = [
            r#"{"kind":"status","job":"s1","t":1740823200000,"status":"PAUSING","error_code":"DRS.10000010"}"#,
            r#"{"kind":"status","job":"s1","t":1740823200000,"error_code":" drs.10000010 "}"#,
            r#"{"kind":"status","job":"s1","t":1740823200000,"error_code":"DRS.M00289"}"#,
            r#"{"kind":"status","job":"s1","t":1740823200000,"status":"PAUSING","error_code":"DRS.M00289"}"#,
            r#"{"kind":"status","job":"s1","t":1740823200000}"#,
            r#"{"kind":"status","job":"s1","t":1740823200000,"status":"PAUSING","available_actions":["START","PAUSE","RETRY","RESET","DELETE"]}"#,
            r#"{"kind":"status","job":"s1","t":1740823200000,"status":"PAUSING","available_actions":["start","restart","force_end","pause"]}"#,
            r#"{"kind":"status","job":"s1","t":1740823200000,"status":"PAUSING","available_actions":["Pause","RENAME"]}"#,
            r#"{"kind":"status","job":"s1","t":1740823200000,"status":"PAUSING","available_actions":["rename","CLONE_1"]}"#,
            r#"{"kind":"status","job":"s1","t":1740823200000,"status":"PAUSING","available_actions":[]}"#,
            r#"{"kind":"timeline","job":"s2","t":1740823200000,"name":"restart","result":"success"}"#,
            r#"{"kind":"timeline","job":"s2","t":1740823200000,"name":"start","result":"failed"}"#,
            r#"{"kind":"billing","account":"a","t":1740823200000,"event":"arrears"}"#,
            r#"{"kind":"status","job":"s1","t":1740823200,"status":"PAUSING"}"#,
            r#"{"kind":"status","job":"s1","t":-5,"status":"PAUSING"}"#,
            r#"{"kind":"status","job":"s1","t":5,"status":"PAUSING"}"#,
            r#"{"kind":"status","job":"s1","t":5000000000,"status":"PAUSING"}"#,
            r#"{"kind":"status","job":"s1","t":946684800,"status":"PAUSING"}"#,
            r#"{"kind":"status","job":"s1","t":946684799,"status":"PAUSING"}"#,
            r#"{"kind":"status","job":"s1","t":4102444799,"status":"PAUSING"}"#,
            r#"{"kind":"status","job":"s1","t":4102444800,"status":"PAUSING"}"#,
            r#"{"kind":"status","job":"s1","t":4102444800000,"status":"PAUSING"}"#,
            r#"{"kind":"status","job":"s1","t":4102444799999,"status":"PAUSING"}"#,
            r#"{"kind":"status","job":"s1","t":946684800000,"status":"PAUSING"}"#,
            r#"{"kind":"status","job":"s1","t":1740823200000,"status":"PAUSING","error_code":"DRS.M00001"}"#,
            r#"{"kind":"status","job":"s1","t":1740823200000,"status":"PAUSING","available_actions":["RESUME","END","FORCE_END","RETRY"]}"#,
            r#"{"kind":"status","job":"s1","t":true,"status":"PAUSING"}"#,
            r#"{"kind":"status","job":"s1","t":"yesterday","status":"PAUSING"}"#,
            r#"{"kind":"status","job":"","t":"2025-03-01T10:00:00Z","status":"PAUSING"}"#,
            r#"{"kind":"status","job":"a\\b","t":"2025-03-01T10:00:00Z","status":"PAUSING"}"#,
            r#"{"kind":"status","job":"s3","t":"2025-03-01T10:00:00Z","status":"PAUSING","mode":"INCR_TRANS","account":"acct-9"}"#,
            r#"{"kind":"command","job":"","t":1740823200000,"op":"pause","answer":"accepted"}"#,
            r#"{"kind":"timeline","job":"s2","t":1740823200000,"name":"Batch-Set-Speed","result":"success"}"#,
            r#"{"kind":"header","format":"drs-lifecycle history 2","commands":"complete"}"#,
            r#"{"kind":"list_jobs","t":1740823200000,"response":{"count":3,"jobs":[{"id":"l1","status":"PAUSING","task_type":"FULL_TRANS","update_time":"2025-03-01T09:59:00Z","job_action":{"available_actions":["PAUSE"]}},{"id":"l2","status":"INCRE_TRANSFER_STARTED","update_time":1740822000000},{"id":"l3","status":"CONFIGURATION","update_time":null}]}}"#,
            r#"{"kind":"list_jobs","t":1740823200000,"response":{"count":1,"jobs":[{"id":"l1","status":"PAUSING","update_time":1740822000}]}}"#,
            r#"{"kind":"list_jobs","t":1740823200000,"response":{"count":1,"jobs":[{"id":"","status":"PAUSING"}]}}"#,
            r#"{"kind":"batch_status","t":1740823200000,"response":{"count":3,"results":[{"id":"b1","status":"PAUSING"},{"id":"b2","status":null,"error_code":"DRS.M05004"},{"id":"b3","status":null,"error_code":"DRS.M00001"}]}}"#,
            r#"{"kind":"batch_status","t":1740823200000,"response":{"count":1,"results":[{"id":"","status":"PAUSING"}]}}"#,
            r#"{"kind":"status","job":"s1","t":18446744073709551615,"status":"PAUSING"}"#,
        ]
        .iter()
        .map(|line| line.to_string())
        .collect();
        expect_test::expect![[r#"
            {"kind":"status","job":"s1","t":1740823200000,"status":"PAUSING","error_code":"DRS.10000010"}
              -> error: line 3: the poll shows the status PAUSING and the does-not-exist error DRS.10000010: a task that does not exist has no status; record one or the other [job None, time None]
            {"kind":"status","job":"s1","t":1740823200000,"error_code":" drs.10000010 "}
              -> status of "s1": NotFound, offered None [job Some(Some("s1")), time Some(Some(1740823200000))]
            {"kind":"status","job":"s1","t":1740823200000,"error_code":"DRS.M00289"}
              -> status of "s1": NotFound, offered None [job Some(Some("s1")), time Some(Some(1740823200000))]
            {"kind":"status","job":"s1","t":1740823200000,"status":"PAUSING","error_code":"DRS.M00289"}
              -> error: line 3: the poll shows the status PAUSING and the does-not-exist error DRS.M00289: a task that does not exist has no status; record one or the other [job None, time None]
            {"kind":"status","job":"s1","t":1740823200000}
              -> error: line 3: a status record needs the field "status"; see docs/traces.md [job None, time None]
            {"kind":"status","job":"s1","t":1740823200000,"status":"PAUSING","available_actions":["START","PAUSE","RETRY","RESET","DELETE"]}
              -> status of "s1": Code(Pausing), offered Some("0x0f24") [job Some(Some("s1")), time Some(Some(1740823200000))]
            {"kind":"status","job":"s1","t":1740823200000,"status":"PAUSING","available_actions":["start","restart","force_end","pause"]}
              -> status of "s1": Code(Pausing), offered Some("0x0285") [job Some(Some("s1")), time Some(Some(1740823200000))]
            {"kind":"status","job":"s1","t":1740823200000,"status":"PAUSING","available_actions":["Pause","RENAME"]}
              -> status of "s1": Code(Pausing), offered Some("0x0804") [job Some(Some("s1")), time Some(Some(1740823200000))]
            {"kind":"status","job":"s1","t":1740823200000,"status":"PAUSING","available_actions":["rename","CLONE_1"]}
              -> status of "s1": Code(Pausing), offered Some("0x0800") [job Some(Some("s1")), time Some(Some(1740823200000))]
            {"kind":"status","job":"s1","t":1740823200000,"status":"PAUSING","available_actions":[]}
              -> status of "s1": Code(Pausing), offered Some("0x0000") [job Some(Some("s1")), time Some(Some(1740823200000))]
            {"kind":"timeline","job":"s2","t":1740823200000,"name":"restart","result":"success"}
              -> timeline of "s2": restart (resume or retry) succeeded [job Some(Some("s2")), time Some(Some(1740823200000))]
            {"kind":"timeline","job":"s2","t":1740823200000,"name":"start","result":"failed"}
              -> timeline of "s2": start now failed [job Some(Some("s2")), time Some(Some(1740823200000))]
            {"kind":"billing","account":"a","t":1740823200000,"event":"arrears"}
              -> Billing(BillingEvent { account: "a", time: 1740823200000, in_arrears: true }) [job Some(None), time Some(Some(1740823200000))]
            {"kind":"status","job":"s1","t":1740823200,"status":"PAUSING"}
              -> error: line 3: time 1740823200 reads as 1970-01-21T03:33:43.200Z in milliseconds since the epoch, before 2000: it looks like epoch seconds; write milliseconds (1740823200000) or RFC 3339 [job None, time None]
            {"kind":"status","job":"s1","t":-5,"status":"PAUSING"}
              -> error: line 3: time -5 (1969-12-31T23:59:59.995Z) is outside 2000–2100: write milliseconds since the epoch or RFC 3339 (2025-03-01T10:00:00Z) [job None, time None]
            {"kind":"status","job":"s1","t":5,"status":"PAUSING"}
              -> error: line 3: time 5 (1970-01-01T00:00:00.005Z) is outside 2000–2100: write milliseconds since the epoch or RFC 3339 (2025-03-01T10:00:00Z) [job None, time None]
            {"kind":"status","job":"s1","t":5000000000,"status":"PAUSING"}
              -> error: line 3: time 5000000000 (1970-02-27T20:53:20Z) is outside 2000–2100: write milliseconds since the epoch or RFC 3339 (2025-03-01T10:00:00Z) [job None, time None]
            {"kind":"status","job":"s1","t":946684800,"status":"PAUSING"}
              -> error: line 3: time 946684800 reads as 1970-01-11T22:58:04.800Z in milliseconds since the epoch, before 2000: it looks like epoch seconds; write milliseconds (946684800000) or RFC 3339 [job None, time None]
            {"kind":"status","job":"s1","t":946684799,"status":"PAUSING"}
              -> error: line 3: time 946684799 (1970-01-11T22:58:04.799Z) is outside 2000–2100: write milliseconds since the epoch or RFC 3339 (2025-03-01T10:00:00Z) [job None, time None]
            {"kind":"status","job":"s1","t":4102444799,"status":"PAUSING"}
              -> error: line 3: time 4102444799 reads as 1970-02-17T11:34:04.799Z in milliseconds since the epoch, before 2000: it looks like epoch seconds; write milliseconds (4102444799000) or RFC 3339 [job None, time None]
            {"kind":"status","job":"s1","t":4102444800,"status":"PAUSING"}
              -> error: line 3: time 4102444800 (1970-02-17T11:34:04.800Z) is outside 2000–2100: write milliseconds since the epoch or RFC 3339 (2025-03-01T10:00:00Z) [job None, time None]
            {"kind":"status","job":"s1","t":4102444800000,"status":"PAUSING"}
              -> error: line 3: time 4102444800000 (2100-01-01T00:00:00Z) is outside 2000–2100: write milliseconds since the epoch or RFC 3339 (2025-03-01T10:00:00Z) [job None, time None]
            {"kind":"status","job":"s1","t":4102444799999,"status":"PAUSING"}
              -> status of "s1": Code(Pausing), offered None [job Some(Some("s1")), time Some(Some(4102444799999))]
            {"kind":"status","job":"s1","t":946684800000,"status":"PAUSING"}
              -> status of "s1": Code(Pausing), offered None [job Some(Some("s1")), time Some(Some(946684800000))]
            {"kind":"status","job":"s1","t":1740823200000,"status":"PAUSING","error_code":"DRS.M00001"}
              -> status of "s1": Code(Pausing), offered None [job Some(Some("s1")), time Some(Some(1740823200000))]
            {"kind":"status","job":"s1","t":1740823200000,"status":"PAUSING","available_actions":["RESUME","END","FORCE_END","RETRY"]}
              -> status of "s1": Code(Pausing), offered Some("0x0a00") [job Some(Some("s1")), time Some(Some(1740823200000))]
            {"kind":"status","job":"s1","t":true,"status":"PAUSING"}
              -> error: line 3: not a history record: invalid type: boolean `true`, expected an RFC 3339 time or milliseconds since the epoch (column 36) [job None, time None]
            {"kind":"status","job":"s1","t":"yesterday","status":"PAUSING"}
              -> error: line 3: bad time "yesterday": expected RFC 3339 (2025-03-01T10:00:00Z, with optional fraction and offset) or milliseconds since the epoch [job None, time None]
            {"kind":"status","job":"","t":"2025-03-01T10:00:00Z","status":"PAUSING"}
              -> error: line 3: the job id is empty: a job needs a non-empty id [job None, time None]
            {"kind":"status","job":"a\\b","t":"2025-03-01T10:00:00Z","status":"PAUSING"}
              -> status of "a\\b": Code(Pausing), offered None [job Some(Some("a\\b")), time Some(Some(1740823200000))]
            {"kind":"status","job":"s3","t":"2025-03-01T10:00:00Z","status":"PAUSING","mode":"INCR_TRANS","account":"acct-9"}
              -> status of "s3": Code(Pausing), offered None [job Some(Some("s3")), time Some(Some(1740823200000))]
            {"kind":"command","job":"","t":1740823200000,"op":"pause","answer":"accepted"}
              -> error: line 3: the job id is empty: a job needs a non-empty id [job None, time None]
            {"kind":"timeline","job":"s2","t":1740823200000,"name":"Batch-Set-Speed","result":"success"}
              -> outside of "s2": "Batch-Set-Speed" at 1740823200000 [job Some(Some("s2")), time Some(Some(1740823200000))]
            {"kind":"header","format":"drs-lifecycle history 2","commands":"complete"}
              -> Header(Header { commands_complete: Some(true), billing_recorded: None, apply_within: None, source: None, version: 2 }) [job Some(None), time Some(None)]
            {"kind":"list_jobs","t":1740823200000,"response":{"count":3,"jobs":[{"id":"l1","status":"PAUSING","task_type":"FULL_TRANS","update_time":"2025-03-01T09:59:00Z","job_action":{"available_actions":["PAUSE"]}},{"id":"l2","status":"INCRE_TRANSFER_STARTED","update_time":1740822000000},{"id":"l3","status":"CONFIGURATION","update_time":null}]}}
              -> 3 polls, 0 transient: "l1" Code(Pausing) mode Some(Full) offered Some(2052) updated Some(1740823140000); "l2" Code(IncreTransferStarted) mode None offered None updated Some(1740822000000); "l3" Code(Configuration) mode None offered None updated None; [job Some(None), time Some(Some(1740823200000))]
            {"kind":"list_jobs","t":1740823200000,"response":{"count":1,"jobs":[{"id":"l1","status":"PAUSING","update_time":1740822000}]}}
              -> error: line 3: time 1740822000 reads as 1970-01-21T03:33:42Z in milliseconds since the epoch, before 2000: it looks like epoch seconds; write milliseconds (1740822000000) or RFC 3339 [job None, time None]
            {"kind":"list_jobs","t":1740823200000,"response":{"count":1,"jobs":[{"id":"","status":"PAUSING"}]}}
              -> error: line 3: the job id is empty: a job needs a non-empty id [job None, time None]
            {"kind":"batch_status","t":1740823200000,"response":{"count":3,"results":[{"id":"b1","status":"PAUSING"},{"id":"b2","status":null,"error_code":"DRS.M05004"},{"id":"b3","status":null,"error_code":"DRS.M00001"}]}}
              -> 2 polls, 1 transient: "b1" Code(Pausing) mode None offered None updated None; "b2" NotFound mode None offered None updated None; [job Some(None), time Some(Some(1740823200000))]
            {"kind":"batch_status","t":1740823200000,"response":{"count":1,"results":[{"id":"","status":"PAUSING"}]}}
              -> error: line 3: the job id is empty: a job needs a non-empty id [job None, time None]
            {"kind":"status","job":"s1","t":18446744073709551615,"status":"PAUSING"}
              -> error: line 3: not a history record: time out of range (column 52) [job None, time None]
        "#]].assert_eq(&table(&lines));
    }

    #[test]
    fn the_grouped_operations_are_their_two_members() {
        assert_eq!(
            Ops::restart().events().collect::<Vec<_>>(),
            [Event::Resume, Event::Retry]
        );
        assert_eq!(
            Ops::start().events().collect::<Vec<_>>(),
            [Event::StartNow, Event::ScheduleStart]
        );
    }
}
