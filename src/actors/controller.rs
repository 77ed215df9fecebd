//! The controller: owns the fleet (an implementation of [`ControlPlane`](crate::plane::ControlPlane) beside the
//! specification, in lockstep), answers the client, directs the instances, and applies
//! their reports.

use std::hash::{Hash, Hasher};

use stateright::actor::Id;

use crate::model::faults::Fault;
use crate::model::lockstep::{Copied, Lockstep, lockstep};
use crate::model::{EngineView, World};
use crate::plane::Exhaustive;
use crate::spec::{
    AccountId, Command, Event, FleetSpec, Mode, Refused, Source, Status, TaskId, step,
};

use super::coverage::Coverage;
use super::effects::{Effects, Handled};
use super::msg::{Msg, Slot, Timer};
use super::stage::{self, Stage};
use super::{MAX_ACTOR_TASKS, instance_id};

/// The service's own clocks, which the controller runs for its tasks.
const SERVICE_EVENTS: [Event; 3] = [
    Event::StartTimeReached,
    Event::AbnormalTimeout,
    Event::RetentionExpired,
];

/// What the controller keeps per task besides the fleet: the protocol's bookkeeping.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Track {
    /// The task's current attempt: the number of the last directive sent for it.
    pub attempt: u8,
    /// The number of the current attempt's next report.
    pub next_seq: u8,
    /// The stage the instance is believed to work in: the last directive's, moved on by
    /// each report applied since.
    pub expected: Stage,
    /// Whether a poll of the task's instance is out.
    pub polling: bool,
    /// How many polls of the task's instance were sent (a bound of the model).
    pub polls: u8,
    /// Fault `recharge-resumes-ended-task` only: the stage the account's freeze stopped
    /// the instance in, to resume on recharge (always idle in the correct protocol).
    pub stopped: Stage,
}

/// The controller's state, which (in the correct protocol) is also exactly what it saves.
#[derive(Clone)]
pub struct ControllerState<P: Exhaustive> {
    /// The specification's view of the fleet, with the claims' history bits: what the
    /// controller's fleet must always agree with.
    pub world: World<MAX_ACTOR_TASKS>,
    /// The implementation under test that owns the fleet.
    pub engine: EngineView<P>,
    /// Per task slot, the protocol's bookkeeping.
    pub tracks: [Track; MAX_ACTOR_TASKS],
    /// The number of the last client request executed.
    pub last_request: u8,
    /// The answer to it, to repeat when the request comes again.
    pub last_reply: Option<Option<u8>>,
    /// How many client requests were accepted.
    pub accepted: u8,
    /// Auxiliary: whether a report or poll answer that was not the current attempt's next
    /// ever changed a task.
    pub stale_changed: bool,
    /// Write-behind variant only: changes not saved yet.
    pub dirty: bool,
    /// Auxiliary: how many times the controller restarted (bounds the model).
    pub restarts: u8,
    /// A hash of all of the above, taken once whenever the state changes
    /// ([`ControllerState::seal`]): the checker hashes every state it generates, and most
    /// steps (an instance's report, the client's request on its way) leave the controller
    /// alone, so its record (in memory and as saved) is hashed as one number.
    fingerprint: u64,
}

impl<P: Exhaustive> ControllerState<P> {
    fn key(&self) -> impl PartialEq + Hash + '_ {
        (
            &self.world,
            &self.tracks,
            self.last_request,
            self.last_reply,
            self.accepted,
            self.stale_changed,
            self.dirty,
            self.restarts,
        )
    }

    /// Takes the state's fingerprint; every changed state is sealed before it is kept or
    /// saved.
    pub fn seal(&mut self) {
        let fingerprint = crate::model::state::fingerprint(&(self.key(), &self.engine));
        self.fingerprint = fingerprint;
    }

    /// Whether the fleet has a task in this slot.
    pub fn has_task(&self, task: Slot) -> bool {
        usize::from(task) < self.world.fleet.len()
    }

    fn new(accounts: usize) -> Self {
        ControllerState {
            world: World::new(accounts),
            engine: EngineView(P::empty()),
            tracks: [Track::default(); MAX_ACTOR_TASKS],
            last_request: 0,
            last_reply: None,
            accepted: 0,
            stale_changed: false,
            dirty: false,
            restarts: 0,
            fingerprint: 0,
        }
    }
}

impl<P: Exhaustive> std::fmt::Debug for ControllerState<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Controller")
            .field("world", &self.world)
            .field("engine", &self.engine)
            .field("tracks", &self.tracks)
            .field("last_request", &self.last_request)
            .field("accepted", &self.accepted)
            .field("stale_changed", &self.stale_changed)
            .field("dirty", &self.dirty)
            .field("restarts", &self.restarts)
            .finish()
    }
}

// Equality and hashing go through the engine's own key (`Exhaustive`), as in the
// conformance model.
impl<P: Exhaustive> PartialEq for ControllerState<P> {
    fn eq(&self, other: &Self) -> bool {
        self.fingerprint == other.fingerprint
            && self.key() == other.key()
            && self.engine == other.engine
    }
}

impl<P: Exhaustive> Eq for ControllerState<P> {}

impl<P: Exhaustive> Hash for ControllerState<P> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.fingerprint.hash(state);
    }
}

/// The controller's configuration.
#[derive(Clone, Debug)]
pub struct Controller {
    /// The injected protocol fault, if any.
    pub fault: Option<Fault>,
    /// How many accounts the fleet has.
    pub accounts: usize,
    /// How many tasks the model holds (one instance each): creations beyond are refused.
    pub tasks: usize,
    /// How many times it polls each task's instance (0: never).
    pub polls: u8,
    /// Where it notes the (status, event) pairs its fleet applied and refused.
    pub coverage: Coverage,
}

impl Controller {
    fn has(&self, fault: Fault) -> bool {
        self.fault == Some(fault)
    }

    /// Starts empty, or restarts from what was saved.
    pub fn start<P: Exhaustive>(
        &self,
        saved: Option<&ControllerState<P>>,
        o: &mut Effects<ControllerState<P>>,
    ) -> ControllerState<P> {
        let mut state = match saved {
            None => ControllerState::new(self.accounts),
            Some(saved) => {
                let mut state = saved.clone();
                state.restarts = state.restarts.saturating_add(1);
                state.dirty = false;
                for track in &mut state.tracks {
                    track.polling = false;
                }
                state
            }
        };
        for slot in 0..state.world.fleet.len() {
            self.arm(&state, slot, o);
        }
        // The restart count is auxiliary: it is saved in every variant.
        state.seal();
        o.save(state.clone());
        state
    }

    /// A message.
    pub fn on_msg<P: Exhaustive>(
        &self,
        s: &ControllerState<P>,
        src: Id,
        msg: &Msg,
        o: &mut Effects<ControllerState<P>>,
    ) -> Handled<ControllerState<P>> {
        match *msg {
            Msg::Request { seq, command } => {
                if seq < s.last_request {
                    return Handled::Same;
                }
                if seq == s.last_request {
                    if let Some(accepted) = s.last_reply {
                        o.send(src, Msg::Reply { seq, accepted });
                    }
                    return Handled::Same;
                }
                let mut n = s.clone();
                let result = self.apply(&mut n, &command, o);
                n.last_request = seq;
                let retried = result.is_ok()
                    && matches!(
                        command,
                        Command::Task {
                            event: Event::Retry,
                            ..
                        }
                    );
                let accepted = match result {
                    Ok(()) => {
                        n.accepted = n.accepted.saturating_add(1);
                        Some(n.accepted)
                    }
                    Err(_) => None,
                };
                n.last_reply = Some(accepted);
                if retried && self.has(Fault::RetryAttemptNotPersisted) {
                    // The retry's new status is saved, its new attempt numbers are not.
                    let mut saved = n.clone();
                    saved.tracks = s.tracks;
                    o.save(saved);
                } else {
                    self.persist(&mut n, o);
                }
                o.send(src, Msg::Reply { seq, accepted });
                Handled::New(n)
            }
            Msg::Report {
                task,
                attempt,
                seq,
                event,
            } => {
                // A task the fleet does not have (no instance reports for one): consumed.
                let Some(track) = s.tracks.get(usize::from(task)).filter(|_| s.has_task(task))
                else {
                    return Handled::Same;
                };
                let current = attempt == track.attempt && seq == track.next_seq;
                let early = attempt == track.attempt && seq > track.next_seq;
                if !self.has(Fault::ReportsWithoutAttemptCheck) {
                    if early {
                        return Handled::Ignored;
                    }
                    if !current {
                        return Handled::Same;
                    }
                }
                let mut n = s.clone();
                if current {
                    let mode = self.mode_of(&n, task);
                    let t = &mut n.tracks[usize::from(task)];
                    t.next_seq += 1;
                    t.expected = stage::after(t.expected, mode, event).unwrap_or(Stage::Idle);
                }
                self.report(&mut n, task, event, current, o);
                Handled::New(n)
            }
            Msg::Seen {
                task,
                attempt,
                migrating,
            } => {
                let Some(track) = s
                    .tracks
                    .get(usize::from(task))
                    .copied()
                    .filter(|_| s.has_task(task))
                else {
                    return Handled::Same;
                };
                let mut n = s.clone();
                n.tracks[usize::from(task)].polling = false;
                if self.has(Fault::ControllerTrustsPoll)
                    && migrating
                    && n.world.fleet.slots()[usize::from(task)].task.status == Status::Starting
                {
                    // The poll shows the instance running: take its word that the start
                    // succeeded, whichever attempt it runs.
                    let current = attempt == track.attempt;
                    self.report(&mut n, task, Event::StartSucceeded, current, o);
                } else if attempt < track.attempt && track.expected != Stage::Idle {
                    // The instance missed the current directive: send it again.
                    o.send(
                        instance_id(task),
                        Msg::Directive {
                            task,
                            attempt: track.attempt,
                            stage: track.expected,
                            mode: self.mode_of(&n, task),
                        },
                    );
                    self.persist(&mut n, o);
                }
                self.arm(&n, usize::from(task), o);
                Handled::New(n)
            }
            Msg::Reply { .. } | Msg::Directive { .. } | Msg::Poll { .. } => Handled::Ignored,
        }
    }

    /// A timer.
    pub fn on_timeout<P: Exhaustive>(
        &self,
        s: &ControllerState<P>,
        timer: &Timer,
        o: &mut Effects<ControllerState<P>>,
    ) -> Handled<ControllerState<P>> {
        match *timer {
            Timer::Service { task, event } => {
                let Some(slot) = s.world.fleet.slots().get(usize::from(task)).copied() else {
                    return Handled::Ignored;
                };
                let mut n = s.clone();
                let command = Command::Task {
                    account: AccountId(slot.account.into()),
                    task: TaskId(u64::from(task) + 1),
                    event,
                };
                if self.apply(&mut n, &command, o).is_err() {
                    return Handled::Ignored;
                }
                self.persist(&mut n, o);
                Handled::New(n)
            }
            Timer::Poll { task } => {
                if s.tracks[usize::from(task)].polling {
                    return Handled::Ignored;
                }
                let mut n = s.clone();
                let track = &mut n.tracks[usize::from(task)];
                track.polling = true;
                track.polls = track.polls.saturating_add(1);
                o.send(instance_id(task), Msg::Poll { task });
                Handled::New(n)
            }
            Timer::Flush => {
                if !s.dirty {
                    return Handled::Ignored;
                }
                let mut n = s.clone();
                n.dirty = false;
                o.save(n.clone());
                Handled::New(n)
            }
            Timer::Send { .. } | Timer::Resend | Timer::Outcome(_) => Handled::Ignored,
        }
    }

    fn mode_of<P: Exhaustive>(&self, s: &ControllerState<P>, task: Slot) -> Mode {
        s.world
            .fleet
            .slots()
            .get(usize::from(task))
            .map_or(Mode::FullIncremental, |slot| slot.task.mode)
    }

    /// Applies a report (or what a poll was taken to show) to a task; the trusted part
    /// records whether a stale one changed the task.
    fn report<P: Exhaustive>(
        &self,
        n: &mut ControllerState<P>,
        task: Slot,
        event: Event,
        current: bool,
        o: &mut Effects<ControllerState<P>>,
    ) {
        let slot = n.world.fleet.slots()[usize::from(task)];
        let before = slot.task;
        let command = Command::Task {
            account: AccountId(slot.account.into()),
            task: TaskId(u64::from(task) + 1),
            event,
        };
        // A refused report changes nothing; the reconciliation inside `apply` has then
        // redirected an instance that moved on without the task.
        let _ = self.apply(n, &command, o);
        if !current && n.world.fleet.slots()[usize::from(task)].task != before {
            n.stale_changed = true;
        }
        self.persist(n, o);
    }

    /// Runs a command on the fleet, beside the specification, then directs every instance
    /// whose task now asks for a different stage than the one it is believed to work in.
    fn apply<P: Exhaustive>(
        &self,
        n: &mut ControllerState<P>,
        command: &Command,
        o: &mut Effects<ControllerState<P>>,
    ) -> Result<(), Refused> {
        if matches!(command, Command::Create { .. }) && n.world.fleet.len() >= self.tasks {
            // The model has an instance for each of its tasks and no more.
            return Err(Refused::Capacity);
        }
        let before = n.engine.0.clone();
        let before_world = n.world.fleet;
        let accounts = self.accounts;
        let result = match lockstep(
            &n.world,
            &Copied(&before),
            &mut n.engine.0,
            None,
            command,
            accounts,
        ) {
            Lockstep::BothRefused(refused) => Err(refused),
            Lockstep::Agreed(world) | Lockstep::Diverged { world, .. } => {
                n.world = world;
                Ok(())
            }
        };
        self.note(&before_world, command, result.is_ok());
        let faulty = self.fault.is_some() && result.is_ok();
        for slot in 0..n.world.fleet.len() {
            let task = n.world.fleet.slots()[slot].task;
            let wanted = stage::desired(&task);
            if faulty && wanted != n.tracks[slot].expected && self.skips_directive(n, command, slot)
            {
                // Faults `force-end-keeps-attempt` and `arrears-miss-task-in-flight`.
                let track = &mut n.tracks[slot];
                track.expected = wanted;
                if self.has(Fault::ForceEndKeepsAttempt) {
                    o.send(
                        instance_id(slot as Slot),
                        Msg::Directive {
                            task: slot as Slot,
                            attempt: track.attempt,
                            stage: wanted,
                            mode: task.mode,
                        },
                    );
                }
                self.arm(n, slot, o);
                continue;
            }
            let track = &mut n.tracks[slot];
            if wanted != track.expected {
                if self.has(Fault::RechargeResumesEndedTask)
                    && task.status == Status::Frozen
                    && track.expected.migrating()
                {
                    track.stopped = track.expected;
                }
                track.attempt = track.attempt.saturating_add(1);
                track.next_seq = 1;
                track.expected = wanted;
                o.send(
                    instance_id(slot as Slot),
                    Msg::Directive {
                        task: slot as Slot,
                        attempt: track.attempt,
                        stage: wanted,
                        mode: task.mode,
                    },
                );
            }
            self.arm(n, slot, o);
        }
        if let (true, Command::Recharge { account }) =
            (faulty && self.has(Fault::RechargeResumesEndedTask), command)
        {
            // Resumes what the freeze stopped, whatever became of the task since.
            for slot in 0..n.world.fleet.len() {
                let owner = n.world.fleet.slots()[slot].account;
                let mode = n.world.fleet.slots()[slot].task.mode;
                if u32::from(owner) != account.0 {
                    continue;
                }
                let track = &mut n.tracks[slot];
                let stopped = std::mem::take(&mut track.stopped);
                if stopped == Stage::Idle {
                    continue;
                }
                if stopped != track.expected {
                    track.attempt = track.attempt.saturating_add(1);
                    track.next_seq = 1;
                    track.expected = stopped;
                    o.send(
                        instance_id(slot as Slot),
                        Msg::Directive {
                            task: slot as Slot,
                            attempt: track.attempt,
                            stage: stopped,
                            mode,
                        },
                    );
                }
            }
        }
        result
    }

    /// Notes the (status, event) pairs of a command the fleet ran, applied or refused:
    /// billing for each task of the account, a creation with no status.
    fn note(&self, before: &FleetSpec<MAX_ACTOR_TASKS>, command: &Command, accepted: bool) {
        let coverage = &self.coverage;
        match *command {
            Command::Create { mode, .. } => coverage.note(None, Event::Create(mode), accepted),
            Command::Task { task, event, .. } => {
                let index = task.0.checked_sub(1).and_then(|i| usize::try_from(i).ok());
                if let Some(slot) = index.and_then(|i| before.slots().get(i)) {
                    coverage.note(Some(slot.task.status), event, accepted);
                }
            }
            Command::Arrears { account } | Command::Recharge { account } => {
                let event = match command {
                    Command::Arrears { .. } => Event::AccountInArrears,
                    _ => Event::AccountRecharged,
                };
                for slot in before.slots() {
                    if u32::from(slot.account) == account.0 {
                        let applied = accepted && step(&slot.task, event).is_some();
                        coverage.note(Some(slot.task.status), event, applied);
                    }
                }
            }
        }
    }

    /// Faults that leave a changed task without a new directive: a force end that keeps
    /// the interrupted attempt (`force-end-keeps-attempt`), and a report that freezes its
    /// task while another task of the account is frozen already (`arrears-miss-task-in-flight`).
    fn skips_directive<P: Exhaustive>(
        &self,
        n: &ControllerState<P>,
        command: &Command,
        slot: usize,
    ) -> bool {
        let Command::Task { task, event, .. } = *command else {
            return false;
        };
        if task.0 != slot as u64 + 1 {
            return false;
        }
        let slots = n.world.fleet.slots();
        match self.fault {
            Some(Fault::ForceEndKeepsAttempt) => event == Event::ForceEnd,
            Some(Fault::ArrearsMissTaskInFlight) => {
                event.source() == Source::System
                    && slots[slot].task.status == Status::Frozen
                    && slots.iter().enumerate().any(|(other, s)| {
                        other != slot
                            && s.account == slots[slot].account
                            && s.task.status == Status::Frozen
                    })
            }
            _ => false,
        }
    }

    /// Sets the task's timers: the service's clocks its status runs, and the next poll.
    fn arm<P: Exhaustive>(
        &self,
        s: &ControllerState<P>,
        slot: usize,
        o: &mut Effects<ControllerState<P>>,
    ) {
        let task = s.world.fleet.slots()[slot].task;
        let id = slot as Slot;
        for event in SERVICE_EVENTS {
            let timer = Timer::Service { task: id, event };
            if step(&task, event).is_some() {
                o.set_timer(timer);
            } else {
                o.cancel_timer(timer);
            }
        }
        if self.polls > 0 {
            let timer = Timer::Poll { task: id };
            let track = &s.tracks[slot];
            if task.status != Status::Deleted && !track.polling && track.polls < self.polls {
                o.set_timer(timer);
            } else {
                o.cancel_timer(timer);
            }
        }
    }

    /// Saves the state; the write-behind variant only marks it to be saved later.
    fn persist<P: Exhaustive>(
        &self,
        n: &mut ControllerState<P>,
        o: &mut Effects<ControllerState<P>>,
    ) {
        if self.has(Fault::AckBeforePersist) {
            n.dirty = true;
            o.set_timer(Timer::Flush);
        } else {
            o.save(n.clone());
        }
    }
}
