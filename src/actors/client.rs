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

    /// Whether it addresses an account (and so is offered once per account): billing.
    pub fn addresses_an_account(self) -> bool {
        matches!(self, Operation::Arrears | Operation::Recharge)
    }

    /// The command: a task operation for task slot `target`, billing for account `target`,
    /// a creation for the account whose turn it is (`next_owner`).
    pub fn command(self, target: Slot, accounts: u8, next_owner: u8) -> Command {
        match self {
            Operation::Create(mode) => Command::Create {
                account: AccountId(next_owner.into()),
                mode,
            },
            Operation::Task(event) => Command::Task {
                account: AccountId(owner(target, accounts).into()),
                task: TaskId(u64::from(target) + 1),
                event,
            },
            Operation::Arrears => Command::Arrears {
                account: AccountId(target.into()),
            },
            Operation::Recharge => Command::Recharge {
                account: AccountId(target.into()),
            },
        }
    }
}

/// The account of a task slot: tasks are created for the accounts in turn (task 1 for
/// account A, task 2 for account B, …), so a task's account follows from its id.
///
/// This is a reduction, and a sound one: accounts are interchangeable (nothing in the
/// lifecycle or the protocol tells account A from B), so renaming them maps any other
/// assignment of two tasks to two accounts onto this one, or onto both tasks in one account,
/// which the one-account configurations check.
pub fn owner(slot: Slot, accounts: u8) -> u8 {
    slot % accounts.max(1)
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
    /// With two accounts, how many of its creations were accepted (the next creation is
    /// for the account whose turn it is); always 0 with one account.
    pub created: u8,
}

/// The client's configuration.
#[derive(Clone, Debug)]
pub struct Client {
    /// What it may send.
    pub operations: Vec<Operation>,
    /// How many tasks the operations address.
    pub tasks: u8,
    /// How many accounts the tasks are created for, in turn.
    pub accounts: u8,
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
            if self.accounts > 1 && matches!(s.outstanding, Some(Command::Create { .. })) {
                n.created = n.created.saturating_add(1);
            }
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
                let command =
                    operation.command(task, self.accounts, owner(s.created, self.accounts));
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
                } else if operation.addresses_an_account() {
                    self.accounts
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
