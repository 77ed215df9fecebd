//! The client: the users and the billing system, sending one request at a time.
//!
//! It may send any configured operation to any task whenever it has no request out, up to
//! its budget; a refused request is an answer like any other. On a lossy network it may
//! also send its request again (the same number, so the controller executes it once), which
//! costs budget too.

use std::convert::Infallible;

use crate::spec::{AccountId, Command, Event, Mode, TaskId};

use super::controller_id;
use super::effects::{Effects, Handled};
use super::msg::{Msg, Slot, Timer};

/// One operation the client can send.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    /// *create* a task in this mode.
    Create(Mode),
    /// A user operation addressed to a task.
    Task(Event),
    /// The account falls into arrears.
    Arrears,
    /// The account is topped up.
    Recharge,
}

impl Operation {
    /// Whether it addresses a task (and so is offered once per task).
    pub fn addresses_a_task(self) -> bool {
        matches!(self, Operation::Task(_))
    }

    /// The command, for a task slot.
    pub fn command(self, task: Slot) -> Command {
        let account = AccountId(0);
        match self {
            Operation::Create(mode) => Command::Create { account, mode },
            Operation::Task(event) => Command::Task {
                account,
                task: TaskId(u64::from(task) + 1),
                event,
            },
            Operation::Arrears => Command::Arrears { account },
            Operation::Recharge => Command::Recharge { account },
        }
    }
}

/// The client's state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ClientState {
    /// Requests (and re-sends) it may still send.
    pub budget: u8,
    /// The number of its last request.
    pub seq: u8,
    /// The request out, not answered yet.
    pub outstanding: Option<Command>,
    /// The most accepted requests the controller has told it of.
    pub acknowledged: u8,
}

/// The client's configuration.
#[derive(Clone, Debug)]
pub struct Client {
    /// What it may send.
    pub operations: Vec<Operation>,
    /// How many tasks the operations address.
    pub tasks: u8,
    /// How many requests it sends in all.
    pub budget: u8,
    /// Whether it re-sends an unanswered request (on lossy networks).
    pub resends: bool,
}

impl Client {
    /// Starts with its whole budget.
    pub fn start(&self, o: &mut Effects<Infallible>) -> ClientState {
        let state = ClientState {
            budget: self.budget,
            ..ClientState::default()
        };
        self.arm(&state, o);
        state
    }

    /// An answer.
    pub fn on_msg(
        &self,
        s: &ClientState,
        msg: &Msg,
        o: &mut Effects<Infallible>,
    ) -> Handled<ClientState> {
        let Msg::Reply { seq, accepted } = *msg else {
            return Handled::Ignored;
        };
        if seq != s.seq || s.outstanding.is_none() {
            return Handled::Same;
        }
        let mut n = *s;
        n.outstanding = None;
        if let Some(count) = accepted {
            n.acknowledged = n.acknowledged.max(count);
        }
        o.cancel_timer(Timer::Resend);
        self.arm(&n, o);
        Handled::New(n)
    }

    /// A timer: send an operation, or send the request out again.
    pub fn on_timeout(
        &self,
        s: &ClientState,
        timer: &Timer,
        o: &mut Effects<Infallible>,
    ) -> Handled<ClientState> {
        if s.budget == 0 {
            return Handled::Ignored;
        }
        let mut n = *s;
        n.budget -= 1;
        match *timer {
            Timer::Send { op, task } if s.outstanding.is_none() => {
                let Some(operation) = self.operations.get(usize::from(op)) else {
                    return Handled::Ignored;
                };
                let command = operation.command(task);
                n.seq += 1;
                n.outstanding = Some(command);
                o.send(
                    controller_id(),
                    Msg::Request {
                        seq: n.seq,
                        command,
                    },
                );
                self.disarm(o);
                if self.resends {
                    o.set_timer(Timer::Resend);
                }
            }
            Timer::Resend => {
                let Some(command) = s.outstanding else {
                    return Handled::Ignored;
                };
                o.send(
                    controller_id(),
                    Msg::Request {
                        seq: n.seq,
                        command,
                    },
                );
                if n.budget > 0 {
                    o.set_timer(Timer::Resend);
                }
            }
            _ => return Handled::Ignored,
        }
        Handled::New(n)
    }

    fn sends(&self) -> impl Iterator<Item = Timer> + '_ {
        self.operations
            .iter()
            .enumerate()
            .flat_map(move |(op, operation)| {
                let tasks = if operation.addresses_a_task() {
                    self.tasks
                } else {
                    1
                };
                (0..tasks).map(move |task| Timer::Send { op: op as u8, task })
            })
    }

    fn arm(&self, s: &ClientState, o: &mut Effects<Infallible>) {
        if s.budget > 0 && s.outstanding.is_none() {
            for timer in self.sends() {
                o.set_timer(timer);
            }
        }
    }

    fn disarm(&self, o: &mut Effects<Infallible>) {
        for timer in self.sends() {
            o.cancel_timer(timer);
        }
    }
}
