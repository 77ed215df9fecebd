//! The control plane as a distributed system: a stateright actor model.
//!
//! The lifecycle models check one atomic state machine. A real control plane is several
//! processes: an API server that takes the user's requests, the migration instances that
//! run the phases and report back, and the network between them, which delivers late, twice
//! or not at all, while any process may restart. The bugs that reach production live
//! there: a late "start succeeded" from an earlier attempt that moves a resumed task on
//! before it really started, a duplicated "release done", a controller that acknowledges a
//! pause and crashes before it saved it. This module models that system with stateright's
//! actors and checks the protocol that keeps it correct.
//!
//! # The actors
//!
//! - The **controller** (id 0) owns the fleet: an implementation of
//!   [`crate::plane::ControlPlane`] (the reference engine unless a user checks their own),
//!   run in lockstep with the specification exactly as the conformance model runs it, so
//!   every change it makes is checked against the table.
//! - The **client** (id 1) is the users and the billing system: it sends user operations,
//!   creations and billing events, one request at a time, up to a budget.
//! - One **instance** per task (ids 2, 3, …) runs the phases and reports each step as the
//!   specification's event (start succeeded, full done, instance fault, release done, …).
//!
//! Every request, answer, directive, report and poll crosses the network.
//!
//! # The protocol
//!
//! **Attempts.** The controller never sends an instance a status: it derives from the
//! task's status the *stage* the instance should work in (provision, start toward a phase,
//! run a phase, recover, release, or nothing; [`stage::desired`]) and, whenever that stage
//! changes for any reason other than the instance's own report, it sends a directive with a
//! new *attempt* number for the task. Pause, resume, retry, reset, end, force end, a freeze
//! and a recharge each start a new attempt; so does a report that the fleet refused (the
//! instance moved on without the task, and is sent back).
//!
//! **Reports name their attempt.** An instance obeys only a directive newer than the one it
//! works on, and numbers its reports within the attempt (1, 2, …). The controller applies a
//! report only if it is the *next* report of the task's *current* attempt. A report of an
//! earlier attempt is stale (its operation was interrupted: a late "start succeeded" after a
//! pause, a late "release done" after a delete) and a report already applied is a
//! duplicate: both are consumed and change nothing. A report that arrives early (the next
//! number of the current attempt is still on its way) waits in the network.
//!
//! **Persist, then acknowledge.** The controller saves its whole record (the fleet, the
//! attempts and report numbers, the last request's number and answer) in the same step in
//! which it answers the client or sends a directive, so nothing it acknowledged can be lost
//! by a restart. Requests carry the client's number; the controller executes each number
//! once and repeats its answer to a repeated request, so a re-sent request is not run
//! twice.
//!
//! **Instances after a restart.** An instance saves its attempt, stage and report count
//! before it acts. A restart in the middle of a migration is a fault of the instance, and it
//! reports one: an instance that was copying reports an instance fault (the task goes to
//! fault recovery, and the instance recovers), one that was starting reports a start error;
//! one that was idle, provisioning, recovering or releasing carries on.
//!
//! **Polls** (a configuration switch) only repair: when an instance answers that it works
//! on an attempt older than the task's, the controller sends the current directive again.
//! A poll never changes the controller's record: the record is the truth, and a poll
//! answer is as stale as the moment it was sent.
//!
//! # What is checked, on the actors' state
//!
//! Claims are judged on the actors' states, never on a history of messages: on unordered
//! networks stateright drops a delivery its receiver ignores before any history hook sees
//! it, so a late duplicate could vanish from a history. The controller's record is judged
//! by every safety and conformance claim of [`crate::model::CLAIMS`] (its fleet is a state
//! the specification allows, and every change is a step of the table), and by the protocol
//! claims ([`crate::model::Kind::Protocol`]): a stale report changes nothing, nothing
//! acknowledged is lost, an instance runs only while its task should. With liveness on, the
//! lifecycle's two liveness claims are judged on the controller's record under weak
//! fairness of everything but the client and crashes: every accepted start eventually runs
//! or fails, every end eventually reaches Ended or EndFailed.
//!
//! # Bounds
//!
//! stateright's own Raft example has no bound and fills memory; every model here is
//! bounded: the client's budget of requests, messages in flight, attempts per task,
//! controller restarts and instance crashes, each a configuration parameter
//! ([`ActorSystem`]). A state past a bound is not explored. Loss is a switch of its own:
//! when no claim inspects the network, a lost message looks like one delayed forever, so
//! loss adds states and no behaviour unless something re-sends (the client does, on a
//! lossy network).

pub mod client;
pub mod controller;
pub mod coverage;
pub mod effects;
pub mod instance;
pub mod msg;
pub mod node;
pub mod stage;

use std::sync::Arc;

use stateright::Expectation;
use stateright::actor::{ActorModel, ActorModelAction, ActorModelState, Id, LossyNetwork, Network};

use crate::model::claims::{InstanceRun, Judge, Judged, Protocol, ProtocolTask, all};
use crate::model::faults::{Fault, FaultyEngine};
use crate::model::{ClaimId, Tally};
pub use crate::plane::Exhaustive;

pub use client::Operation;
use controller::Controller;
pub use coverage::{Coverage, Pair, Pairs};
use instance::Instance;
pub use msg::{Msg, Timer};
pub use node::{Node, NodeState};

/// The most tasks an actor model holds (one instance each).
pub const MAX_ACTOR_TASKS: usize = 2;

/// The most accounts an actor model holds.
pub const MAX_ACTOR_ACCOUNTS: usize = 2;

/// The controller's id.
pub fn controller_id() -> Id {
    Id::from(0)
}

/// The client's id.
pub fn client_id() -> Id {
    Id::from(1)
}

/// The id of a task slot's instance.
pub fn instance_id(task: msg::Slot) -> Id {
    Id::from(2 + usize::from(task))
}

/// How the network delivers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// Any order, each message once.
    Unordered,
    /// Any order, and a delivered message may be delivered again.
    Duplicating,
    /// In order per pair of actors.
    Ordered,
}

impl Delivery {
    /// The configuration's word.
    pub fn name(self) -> &'static str {
        match self {
            Delivery::Unordered => "unordered",
            Delivery::Duplicating => "duplicating",
            Delivery::Ordered => "ordered",
        }
    }
}

/// An actor model's configuration, and the model's `cfg`.
#[derive(Clone, Debug)]
pub struct ActorSystem {
    /// How many tasks (and instances), 1 to [`MAX_ACTOR_TASKS`].
    pub tasks: usize,
    /// How many accounts, 1 to [`MAX_ACTOR_ACCOUNTS`]; tasks are created for them in turn
    /// ([`client::owner`]).
    pub accounts: usize,
    /// What the client may send.
    pub operations: Vec<Operation>,
    /// How many requests the client sends (re-sends included).
    pub budget: u8,
    /// How the network delivers.
    pub delivery: Delivery,
    /// Whether the network may lose messages.
    pub lossy: bool,
    /// How many times the controller polls each task's instance (0: never; a bound, since
    /// every poll is a round trip that could otherwise repeat forever).
    pub polls: u8,
    /// How many times the controller may restart.
    pub controller_restarts: u8,
    /// How many times each instance may crash.
    pub instance_crashes: u8,
    /// The most messages in flight.
    pub max_in_flight: usize,
    /// The most attempts per task.
    pub max_attempts: u8,
    /// The injected protocol fault, if any.
    pub fault: Option<Fault>,
    /// Whether liveness is judged (needs fair delivery: not on a lossy network).
    pub liveness: bool,
    /// Where the checker's single property tallies the broken claims.
    pub tally: Tally,
    /// Where the controller notes the (status, event) pairs it applied and refused.
    pub coverage: Coverage,
}

/// The stateright model of an [`ActorSystem`], with the reference engine as the
/// controller's fleet.
pub type ActorsModel<P = FaultyEngine> = ActorModel<Node<P>, ActorSystem>;

/// A state of it.
pub type ActorsState<P = FaultyEngine> = ActorModelState<Node<P>>;

/// One of its steps.
pub type ActorsAction = ActorModelAction<Msg, Timer, ()>;

impl ActorSystem {
    /// The model, with one stateright property per claim (`named`, as the Explorer shows
    /// them) or one property that tallies every claim into [`ActorSystem::tally`] and
    /// always holds (so that the checker covers every state).
    pub fn into_model(self, named: bool) -> ActorsModel {
        self.into_model_of::<FaultyEngine>(named)
    }

    /// The model with any implementation of the control plane as the controller's fleet.
    pub fn into_model_of<P: Exhaustive>(self, named: bool) -> ActorsModel<P> {
        let tasks = self.tasks;
        let network = match self.delivery {
            Delivery::Unordered => Network::new_unordered_nonduplicating([]),
            Delivery::Duplicating => Network::new_unordered_duplicating([]),
            Delivery::Ordered => Network::new_ordered([]),
        };
        let lossy = if self.lossy {
            LossyNetwork::Yes
        } else {
            LossyNetwork::No
        };
        let crashes = usize::from(self.controller_restarts > 0 || self.instance_crashes > 0);
        let controller = Controller {
            fault: self.fault,
            accounts: self.accounts,
            tasks,
            polls: self.polls,
            coverage: self.coverage.clone(),
        };
        let client = client::Client {
            operations: self.operations.clone(),
            tasks: tasks as u8,
            accounts: self.accounts as u8,
            budget: self.budget,
            resends: self.lossy,
        };
        let fault = self.fault;
        let mut model = ActorModel::new(self, ())
            .actor(Node::Controller(controller, std::marker::PhantomData))
            .actor(Node::Client(client))
            .actors((0..tasks).map(|task| {
                Node::Instance(Instance {
                    task: task as u8,
                    fault,
                })
            }))
            .init_network(network)
            .lossy_network(lossy)
            .max_crashes(crashes)
            .within_boundary(within_boundary::<P>);
        if named {
            let conditions = conditions::<P>();
            for id in claims(false) {
                model = model.property(Expectation::Always, id.name(), conditions[id.index()]);
            }
        } else {
            model = model.property(Expectation::Always, "tally", tally::<P>);
        }
        model
    }
}

/// The claims an actor model judges on states: every safety and conformance claim (on the
/// controller's record) and the protocol claims; with `liveness`, also the liveness claims.
pub fn claims(liveness: bool) -> impl Iterator<Item = ClaimId> + Clone {
    all().filter(move |id| match id.claim().judge {
        Judge::Always(_) | Judge::Protocol(_) => true,
        Judge::Leaves(_) => liveness,
        Judge::Reaches(_) | Judge::SnapshotRoundTrip | Judge::History(_) => false,
    })
}

/// The controller's state, when it is up.
pub fn controller<P: Exhaustive>(
    state: &ActorsState<P>,
) -> Option<&controller::ControllerState<P>> {
    if state.crashed.first().copied().unwrap_or(true) {
        return None;
    }
    match state.actor_states.first().map(Arc::as_ref) {
        Some(NodeState::Controller(s)) => Some(s),
        _ => None,
    }
}

/// The controller's record, up or not: its memory when up, what it saved when down.
pub fn record<P: Exhaustive>(state: &ActorsState<P>) -> Option<&controller::ControllerState<P>> {
    controller(state).or(match state.actor_storages.first() {
        Some(Some(node::Saved::Controller(s))) => Some(&**s),
        _ => None,
    })
}

/// Whether the state breaks the claim (claims the actor model does not judge on states
/// hold).
pub fn breaks<P: Exhaustive>(claim: ClaimId, state: &ActorsState<P>) -> bool {
    match claim.claim().judge {
        Judge::Always(holds) => record(state).is_some_and(|c| !holds(&Judged::of(&c.world, None))),
        Judge::Protocol(holds) => {
            let mut tasks = [ProtocolTask::default(); MAX_ACTOR_TASKS];
            let view = protocol(state, &mut tasks);
            !holds(&view)
        }
        _ => false,
    }
}

fn protocol<'a, P: Exhaustive>(
    state: &ActorsState<P>,
    tasks: &'a mut [ProtocolTask; MAX_ACTOR_TASKS],
) -> Protocol<'a> {
    let up = controller(state);
    let acknowledged = match state.actor_states.get(1).map(Arc::as_ref) {
        Some(NodeState::Client(c)) => c.acknowledged,
        _ => 0,
    };
    let mut len = 0;
    if let Some(c) = up {
        len = c.world.fleet.len();
        for (slot, task) in tasks.iter_mut().enumerate().take(len) {
            let instance = 2 + slot;
            let run = match state.actor_states.get(instance).map(Arc::as_ref) {
                Some(NodeState::Instance(i)) if !state.crashed[instance] => Some(InstanceRun {
                    attempt: i.attempt,
                    told: i.told,
                    migrating: i.stage.migrating(),
                }),
                _ => None,
            };
            *task = ProtocolTask {
                attempt: c.tracks[slot].attempt,
                view_migrates: stage::desired(&c.world.fleet.slots()[slot].task).migrating(),
                instance: run,
            };
        }
    }
    Protocol {
        controller_up: up.is_some(),
        stale_changed: record(state).is_some_and(|c| c.stale_changed),
        accepted: up.map_or(0, |c| c.accepted),
        acknowledged,
        tasks: &tasks[..len],
    }
}

/// Whether a step is one weak fairness assumes is eventually taken when it stays enabled:
/// every delivery, every timer of the controller and the instances (the service's reports
/// and clocks), and recovery from a crash. The client's timers (users may never act), a
/// crash and a loss are not fair.
pub fn is_fair(action: &ActorsAction) -> bool {
    match action {
        ActorModelAction::Deliver { .. } | ActorModelAction::Recover(_) => true,
        ActorModelAction::Timeout(id, _) => *id != client_id(),
        _ => false,
    }
}

/// How a simulation draws an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Draw {
    /// An ordinary step: a delivery, a timer, a recovery.
    Usual,
    /// A fault of the environment (a loss, a crash): drawn one time in [`RARE`], so that a
    /// run is not cut short by faults at every step.
    Rare,
    /// A step that leaves the model's bounds (a crash the configuration does not allow):
    /// drawn only when nothing else is enabled.
    Never,
}

/// One draw in `RARE` is of a fault, when faults and usual steps are both enabled.
pub const RARE: u32 = 8;
/// How a simulation draws each step of the actor model: losses and the crashes the
/// configuration allows are rare; the client never crashes, nor does an actor the
/// configuration gives no crash (those steps leave the model's bounds and would end the run).
pub fn draw(cfg: &ActorSystem) -> impl Fn(&ActorsAction) -> Draw + Send + Sync + 'static {
    let (controller, instances) = (cfg.controller_restarts > 0, cfg.instance_crashes > 0);
    move |action| match action {
        ActorModelAction::Drop(_) => Draw::Rare,
        ActorModelAction::Crash(id) if *id == controller_id() => {
            if controller {
                Draw::Rare
            } else {
                Draw::Never
            }
        }
        ActorModelAction::Crash(id) if *id == client_id() => Draw::Never,
        ActorModelAction::Crash(_) if instances => Draw::Rare,
        ActorModelAction::Crash(_) => Draw::Never,
        _ => Draw::Usual,
    }
}

fn within_boundary<P: Exhaustive>(cfg: &ActorSystem, state: &ActorsState<P>) -> bool {
    if state.network.len() > cfg.max_in_flight {
        return false;
    }
    for (index, crashed) in state.crashed.iter().enumerate() {
        if !crashed {
            continue;
        }
        let allowed = match state.actor_storages.get(index) {
            Some(Some(node::Saved::Controller(c))) => c.restarts < cfg.controller_restarts,
            Some(Some(node::Saved::Instance(i))) => i.crashes < cfg.instance_crashes,
            _ => false,
        };
        if !allowed {
            return false;
        }
    }
    record(state).is_none_or(|c| c.tracks.iter().all(|t| t.attempt <= cfg.max_attempts))
}

/// The tallying property: records every claim the state breaks; always holds. The
/// controller's record and the protocol view are read once for all the claims.
fn tally<P: Exhaustive>(model: &ActorsModel<P>, state: &ActorsState<P>) -> bool {
    let mut tasks = [ProtocolTask::default(); MAX_ACTOR_TASKS];
    let view = protocol(state, &mut tasks);
    let judged = record(state).map(|c| Judged::of(&c.world, None));
    let mut bits = 0u64;
    for id in claims(false) {
        let broken = match id.claim().judge {
            Judge::Always(holds) => judged.as_ref().is_some_and(|j| !holds(j)),
            Judge::Protocol(holds) => !holds(&view),
            _ => false,
        };
        if broken {
            bits |= 1 << id.index();
        }
    }
    if bits != 0 {
        model.cfg.tally.record_violations(bits);
    }
    true
}

fn holds<P: Exhaustive, const I: usize>(_: &ActorsModel<P>, state: &ActorsState<P>) -> bool {
    all().nth(I).is_none_or(|id| !breaks(id, state))
}

type Condition<P> = fn(&ActorsModel<P>, &ActorsState<P>) -> bool;

fn conditions<P: Exhaustive>() -> [Condition<P>; 64] {
    crate::model::claims::by_claim_index!(holds)
}

/// An actor's name in counterexamples and the README's message sequences.
pub fn actor_name(id: Id) -> String {
    match usize::from(id) {
        0 => "controller".to_string(),
        1 => "client".to_string(),
        n => format!("instance {}", n - 1),
    }
}

/// A step of the actor model in words: `client → controller: request 2: task 1 · Pause`.
pub fn describe(action: &ActorsAction) -> String {
    match action {
        ActorModelAction::Deliver { src, dst, msg } => {
            format!("{} → {}: {msg}", actor_name(*src), actor_name(*dst))
        }
        ActorModelAction::Drop(envelope) => format!(
            "the network loses {} → {}: {}",
            actor_name(envelope.src),
            actor_name(envelope.dst),
            envelope.msg
        ),
        ActorModelAction::Timeout(id, timer) => {
            let what = match timer {
                Timer::Send { .. } => "sends a request".to_string(),
                Timer::Resend => "sends its request again".to_string(),
                Timer::Outcome(event) => format!("{} happens", event.name()),
                Timer::Service { task, event } => {
                    format!("task {}: {} (the service's clock)", task + 1, event.name())
                }
                Timer::Poll { task } => format!("polls task {}", task + 1),
                Timer::Flush => "saves its record".to_string(),
            };
            format!("{}: {what}", actor_name(*id))
        }
        ActorModelAction::Crash(id) => format!("{} crashes", actor_name(*id)),
        ActorModelAction::Recover(id) => format!("{} restarts", actor_name(*id)),
        ActorModelAction::SelectRandom { actor, .. } => format!("{} chooses", actor_name(*actor)),
    }
}
