//! A migration instance: works in the stage its last directive named and reports each step.
//!
//! Each possible report of its stage is a timer (stateright's timers are untimed, so any of
//! them may fire first): that is how the model says the phase may succeed, fail, or the
//! instance may fault. An instance obeys only directives newer than the one it works on,
//! numbers its reports within the attempt, and saves everything before it acts, so that a
//! restart resumes where it stood. A restart during a migration is a fault of the instance,
//! and it says so: an instance that was copying reports an instance fault and recovers, one
//! that was starting reports a start error.

use crate::model::faults::Fault;
use crate::spec::{Event, Mode};

use super::controller_id;
use super::effects::{Effects, Handled};
use super::msg::{Msg, Slot, Timer};
use super::stage::{self, Stage};

/// The last report an instance sent, and the stage it moved to with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LastReport {
    /// Its attempt.
    pub attempt: u8,
    /// Its number within the attempt.
    pub seq: u8,
    /// What it said.
    pub event: Event,
    /// The stage the instance moved to.
    pub stage: Stage,
}

/// An instance's state (and, in the correct protocol, what it saves).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct InstanceState {
    /// The attempt it works on.
    pub attempt: u8,
    /// The task's mode, from the directive.
    pub mode: Option<Mode>,
    /// What it works on.
    pub stage: Stage,
    /// Reports sent in this attempt.
    pub seq: u8,
    /// Whether the instance already faulted in this attempt: the model lets an instance
    /// fault once per attempt (a bound: a fault and recovery loop would otherwise number
    /// its reports without end).
    pub faulted: bool,
    /// The last report it sent.
    pub last: Option<LastReport>,
    /// Auxiliary: the highest attempt it was ever told of; survives restarts in every
    /// variant.
    pub told: u8,
    /// Auxiliary: how many times it crashed (bounds the model).
    pub crashes: u8,
}

/// An instance's configuration.
#[derive(Clone, Debug)]
pub struct Instance {
    /// Its task.
    pub task: Slot,
    /// The injected protocol fault, if any.
    pub fault: Option<Fault>,
}

impl Instance {
    fn forgetful(&self) -> bool {
        self.fault == Some(Fault::InstanceResendsAfterRestart)
    }

    /// Starts idle, or restarts from what was saved.
    pub fn start(
        &self,
        saved: Option<&InstanceState>,
        o: &mut Effects<InstanceState>,
    ) -> InstanceState {
        let Some(saved) = saved else {
            let state = InstanceState::default();
            o.save(state);
            return state;
        };
        let mut n = *saved;
        n.crashes = n.crashes.saturating_add(1);
        if self.forgetful() {
            // It saved only its last report: it sends it again and works on as it was.
            if let Some(last) = n.last {
                o.send(
                    controller_id(),
                    Msg::Report {
                        task: self.task,
                        attempt: last.attempt,
                        seq: last.seq,
                        event: last.event,
                    },
                );
            }
        } else {
            // The crash interrupted the migration: say so.
            let mode = n.mode.unwrap_or(Mode::FullIncremental);
            let fault = match n.stage {
                Stage::Running(_) | Stage::Complete => Some(Event::InstanceFault),
                Stage::Starting(_) => Some(Event::StartError),
                _ => None,
            };
            if let Some(event) = fault
                && let Some(next) = stage::after(n.stage, mode, event)
            {
                // (A full-only task's complete step cannot fault: it goes on to its end.)
                self.report(&mut n, event, next, o);
            }
        }
        self.arm(&n, o);
        self.persist(&n, o);
        n
    }

    /// A message.
    pub fn on_msg(
        &self,
        s: &InstanceState,
        msg: &Msg,
        o: &mut Effects<InstanceState>,
    ) -> Handled<InstanceState> {
        match *msg {
            Msg::Directive {
                attempt,
                stage,
                mode,
                ..
            } => {
                if attempt <= s.attempt {
                    // Stale or repeated: the instance already works on this or a later one.
                    return Handled::Same;
                }
                let mut n = *s;
                self.disarm(n.stage, n.mode, o);
                n.attempt = attempt;
                n.stage = stage;
                n.mode = Some(mode);
                n.seq = 0;
                n.faulted = false;
                n.told = n.told.max(attempt);
                self.arm(&n, o);
                self.persist(&n, o);
                Handled::New(n)
            }
            Msg::Poll { task } => {
                o.send(
                    controller_id(),
                    Msg::Seen {
                        task,
                        attempt: s.attempt,
                        migrating: s.stage.migrating(),
                    },
                );
                Handled::Same
            }
            _ => Handled::Ignored,
        }
    }

    /// A timer: one of the stage's reports happens.
    pub fn on_timeout(
        &self,
        s: &InstanceState,
        timer: &Timer,
        o: &mut Effects<InstanceState>,
    ) -> Handled<InstanceState> {
        let Timer::Outcome(event) = *timer else {
            return Handled::Ignored;
        };
        let mode = s.mode.unwrap_or(Mode::FullIncremental);
        let Some(next) = stage::after(s.stage, mode, event) else {
            return Handled::Ignored;
        };
        if event == Event::InstanceFault && s.faulted {
            return Handled::Ignored;
        }
        let mut n = *s;
        self.disarm(n.stage, n.mode, o);
        self.report(&mut n, event, next, o);
        self.arm(&n, o);
        self.persist(&n, o);
        Handled::New(n)
    }

    fn report(
        &self,
        n: &mut InstanceState,
        event: Event,
        next: Stage,
        o: &mut Effects<InstanceState>,
    ) {
        n.seq = n.seq.saturating_add(1);
        n.faulted |= event == Event::InstanceFault;
        n.stage = next;
        n.last = Some(LastReport {
            attempt: n.attempt,
            seq: n.seq,
            event,
            stage: next,
        });
        o.send(
            controller_id(),
            Msg::Report {
                task: self.task,
                attempt: n.attempt,
                seq: n.seq,
                event,
            },
        );
    }

    fn arm(&self, n: &InstanceState, o: &mut Effects<InstanceState>) {
        let mode = n.mode.unwrap_or(Mode::FullIncremental);
        for &(event, _) in stage::outcomes(n.stage, mode) {
            if !(event == Event::InstanceFault && n.faulted) {
                o.set_timer(Timer::Outcome(event));
            }
        }
    }

    fn disarm(&self, stage: Stage, mode: Option<Mode>, o: &mut Effects<InstanceState>) {
        let mode = mode.unwrap_or(Mode::FullIncremental);
        for &(event, _) in stage::outcomes(stage, mode) {
            o.cancel_timer(Timer::Outcome(event));
        }
    }

    /// Saves the state; the forgetful variant saves only what its last report left (and the
    /// auxiliary counters, which every variant keeps).
    fn persist(&self, n: &InstanceState, o: &mut Effects<InstanceState>) {
        if self.forgetful() {
            let mut saved = *n;
            match n.last {
                Some(last) => {
                    saved.attempt = last.attempt;
                    saved.seq = last.seq;
                    saved.stage = last.stage;
                }
                None => {
                    saved.attempt = 0;
                    saved.seq = 0;
                    saved.stage = Stage::Idle;
                }
            }
            o.save(saved);
        } else {
            o.save(*n);
        }
    }
}
