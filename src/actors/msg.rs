//! What crosses the network, and the timers that stand for time passing.

use std::fmt;

use crate::spec::{Command, Event, Mode};

use super::stage::Stage;

/// A task's slot in the model (task id minus one), which is also its instance's index.
pub type Slot = u8;

/// A message between the actors.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Msg {
    /// Client → controller: a user operation or a billing event, numbered by the client.
    Request {
        /// The client's request number (1, 2, …); a re-sent request keeps its number.
        seq: u8,
        /// What the client asks for.
        command: Command,
    },
    /// Controller → client: the answer to a request.
    Reply {
        /// The request answered.
        seq: u8,
        /// Accepted: how many requests the controller has accepted, this one included;
        /// `None`: refused.
        accepted: Option<u8>,
    },
    /// Controller → instance: work in this stage from now on, as attempt `attempt`.
    Directive {
        /// The task.
        task: Slot,
        /// The attempt: one more than the last directive of the task.
        attempt: u8,
        /// The stage to work in.
        stage: Stage,
        /// The task's mode (a full-only task is ended after its full phase).
        mode: Mode,
    },
    /// Instance → controller: what happened, as report `seq` of attempt `attempt`.
    Report {
        /// The task.
        task: Slot,
        /// The attempt the report belongs to.
        attempt: u8,
        /// Its number within the attempt (1, 2, …).
        seq: u8,
        /// What happened, as the specification's event.
        event: Event,
    },
    /// Controller → instance: what are you doing?
    Poll {
        /// The task.
        task: Slot,
    },
    /// Instance → controller: the answer to a poll.
    Seen {
        /// The task.
        task: Slot,
        /// The attempt the instance works on.
        attempt: u8,
        /// Whether it is running the migration.
        migrating: bool,
    },
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Msg::Request { seq, command } => write!(f, "request {seq}: {}", short(command)),
            Msg::Reply {
                seq,
                accepted: Some(n),
            } => write!(f, "reply {seq}: accepted (#{n})"),
            Msg::Reply {
                seq,
                accepted: None,
            } => write!(f, "reply {seq}: refused"),
            Msg::Directive {
                task,
                attempt,
                stage,
                ..
            } => write!(f, "task {} attempt {attempt}: {stage}", task + 1),
            Msg::Report {
                task,
                attempt,
                seq,
                event,
            } => write!(
                f,
                "task {} attempt {attempt} report {seq}: {}",
                task + 1,
                event.name()
            ),
            Msg::Poll { task } => write!(f, "poll task {}", task + 1),
            Msg::Seen {
                task,
                attempt,
                migrating,
            } => write!(
                f,
                "task {} attempt {attempt}: {}",
                task + 1,
                if *migrating {
                    "migrating"
                } else {
                    "not migrating"
                }
            ),
        }
    }
}

/// A command without its account (the actor model has one account per client).
fn short(command: &Command) -> String {
    match command {
        Command::Create { mode, .. } => format!("create({mode})"),
        Command::Task { task, event, .. } => format!("{task} · {}", event.name()),
        Command::Arrears { .. } => "arrears".to_string(),
        Command::Recharge { .. } => "recharge".to_string(),
    }
}

/// A timer. Stateright's timers are untimed: any timer that is set may fire at any moment,
/// which is how the model says "eventually, after some time".
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timer {
    /// Client: send operation `op` (an index into the configured operations) to task
    /// `task`.
    Send {
        /// The operation's index.
        op: u8,
        /// The task slot it addresses.
        task: Slot,
    },
    /// Client: no answer yet; send the request again.
    Resend,
    /// Instance: this report happens.
    Outcome(Event),
    /// Controller: one of the service's own clocks fires for a task (start time reached,
    /// abnormal timeout, retention expired).
    Service {
        /// The task.
        task: Slot,
        /// The event.
        event: Event,
    },
    /// Controller: poll a task's instance.
    Poll {
        /// The task.
        task: Slot,
    },
    /// Controller (write-behind variant only): save what is not saved yet.
    Flush,
}
