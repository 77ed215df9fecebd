//! The models: one task, a fleet of tasks over accounts, and the specification in lockstep
//! with the reference implementation.
//!
//! All three are one [`FleetModel`] with different parameters, because they are one system
//! seen at different sizes:
//!
//! - **lifecycle**: one task of one account, created in any of the configured modes. Every
//!   user operation and system event is tried in every state, with the account's arrears
//!   and recharge; the table decides which are accepted (and only those are offered to the
//!   checker, see `FleetModel::commands`).
//! - **fleet**: up to [`MAX_TASKS`] tasks over up to [`MAX_MODEL_ACCOUNTS`] accounts. Tasks
//!   meet through ids (handed out in creation order, never reused) and accounts (billing
//!   freezes all tasks of an account at once; a command for another account's task is "not
//!   found").
//! - **conformance**: the fleet, with the reference implementation ([`crate::engine::Fleet`])
//!   running beside the specification. Every command, allowed or not, including commands
//!   for another account's task, for an id not yet handed out, and billing events sent to a
//!   task, is applied to both; they must agree on acceptance, on the refusal's kind, on the
//!   resulting state, on listings, and a refusal must leave the engine untouched. A
//!   disagreement sets a flag and ends that path (the state has no successors), so the
//!   checker reports the first divergence and the state space stays bounded.
//!
//! The state is a [`World`] (the specification's fleet plus the history the properties
//! need) and, for conformance, the engine's fleet. Task ids are slot positions plus one.

use std::any::Any;
use std::cell::RefCell;
use std::fmt;

use stateright::{Model, Property};

use crate::plane::Exhaustive;
use crate::spec::table::ruled_events;
use crate::spec::{AccountId, Command, Event, Mode, Source, TaskId, TaskSpec};

use super::claims::{self, CLAIMS, ClaimId, Judge};
use super::faults::{Fault, FaultyEngine};
use super::lockstep::{Copied, Lockstep, lockstep, refused_alike};
use super::state::{EngineView, ModelState};
use super::world::{MAX_MODEL_ACCOUNTS, MAX_TASKS, World};

/// Which system a model explores.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelKind {
    /// One task of one account, in any configured mode.
    Lifecycle,
    /// Several tasks over several accounts: ids and billing make them meet.
    Fleet,
    /// The fleet with the reference engine running beside the specification in lockstep.
    Conformance,
}

impl ModelKind {
    /// The name configurations use (`model = "fleet"`).
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Lifecycle => "lifecycle",
            ModelKind::Fleet => "fleet",
            ModelKind::Conformance => "conformance",
        }
    }
}

/// A model's parameters, already validated (see [`crate::check::config`]). What a run
/// finds is not a parameter: the checker's tally lives beside the model, in
/// [`super::tally::Tallied`].
///
/// `P` is the implementation the conformance model runs beside the specification: the
/// reference engine (with the configuration's engine fault, if any) unless a user checks
/// their own ([`FleetModel::conformance_of`]).
#[derive(Clone)]
pub struct FleetModel<P = FaultyEngine> {
    kind: ModelKind,
    /// How many tasks can be created (1 for the lifecycle model).
    tasks: usize,
    /// How many accounts exist (1 for the lifecycle model).
    accounts: usize,
    /// The modes tasks may be created in.
    modes: Vec<Mode>,
    /// The injected fault, if any.
    fault: Option<Fault>,
    /// Offer only the commands that change something (for the Explorer, where a list of
    /// 26 refused events per task hides the few that matter). Checking offers every command.
    enabled_only: bool,
    /// Whether the engine runs beside the specification.
    conformance: bool,
    /// The implementation in its initial (empty) state.
    empty: P,
}

impl<P> fmt::Debug for FleetModel<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FleetModel")
            .field("kind", &self.kind)
            .field("tasks", &self.tasks)
            .field("accounts", &self.accounts)
            .field("modes", &self.modes)
            .field("fault", &self.fault)
            .field("enabled_only", &self.enabled_only)
            .field("implementation", &std::any::type_name::<P>())
            .finish()
    }
}

impl FleetModel {
    /// A model of the given kind; `tasks` and `accounts` must be within the model limits
    /// (the configuration loader checks them and says what is wrong).
    pub fn new(kind: ModelKind, tasks: usize, accounts: usize, modes: Vec<Mode>) -> Self {
        assert!((1..=MAX_TASKS).contains(&tasks), "tasks out of range");
        assert!(
            (1..=MAX_MODEL_ACCOUNTS).contains(&accounts),
            "accounts out of range"
        );
        assert!(!modes.is_empty(), "no mode");
        FleetModel {
            kind,
            tasks,
            accounts,
            modes,
            fault: None,
            enabled_only: false,
            conformance: kind == ModelKind::Conformance,
            empty: FaultyEngine::new(None),
        }
    }

    /// The same model with a fault injected: in the specification's step, or in the
    /// reference engine the conformance model runs.
    pub fn with_fault(mut self, fault: Option<Fault>) -> Self {
        self.fault = fault;
        self.empty = FaultyEngine::new(fault);
        self
    }
}

impl<P: Exhaustive> FleetModel<P> {
    /// The conformance model of a user's implementation: `tasks` tasks over `accounts`
    /// accounts (within [`MAX_TASKS`] and [`MAX_MODEL_ACCOUNTS`]; `None` outside), created in
    /// any of `modes`, every command (allowed or not) sent to the specification and to
    /// `P::empty()` side by side.
    pub fn conformance_of(tasks: usize, accounts: usize, modes: &[Mode]) -> Option<Self> {
        ((1..=MAX_TASKS).contains(&tasks)
            && (1..=MAX_MODEL_ACCOUNTS).contains(&accounts)
            && !modes.is_empty())
        .then(|| FleetModel {
            kind: ModelKind::Conformance,
            tasks,
            accounts,
            modes: modes.to_vec(),
            fault: None,
            enabled_only: false,
            conformance: true,
            empty: P::empty(),
        })
    }

    /// The same model offering only the commands that change something, as the Explorer
    /// wants (its action list would otherwise be mostly refusals).
    pub fn enabled_only(mut self) -> Self {
        self.enabled_only = true;
        self
    }

    /// Which system it explores.
    pub fn kind(&self) -> ModelKind {
        self.kind
    }

    /// How many tasks can be created.
    pub fn tasks(&self) -> usize {
        self.tasks
    }

    /// How many accounts exist.
    pub fn accounts(&self) -> usize {
        self.accounts
    }

    /// The modes tasks may be created in.
    pub fn modes(&self) -> &[Mode] {
        &self.modes
    }

    /// The injected fault, if any.
    pub fn fault(&self) -> Option<Fault> {
        self.fault
    }

    /// Whether the engine runs beside the specification.
    pub fn conformance(&self) -> bool {
        self.conformance
    }

    /// The claims it checks (liveness ones only when asked: they need the explicit graph).
    pub fn claims(&self, liveness: bool) -> impl Iterator<Item = ClaimId> + Clone {
        claims::checked_by(self.conformance, liveness)
    }

    fn step(&self, task: &TaskSpec, event: Event) -> Option<TaskSpec> {
        Fault::step(self.fault, task, event)
    }

    /// The commands of a state, each passed to `offer`, in a fixed order.
    ///
    /// The conformance model sends every command, allowed or not: refusals are half of what
    /// it compares. The specification-only models offer only the commands their (possibly
    /// faulty) step accepts, in the same order: a refused command has no successor, so the
    /// state graph, the verdicts and the breadth-first counterexamples are the same, but the
    /// checker no longer spends most of each state on `next_state` calls that answer `None`
    /// (about 75 of the 82 commands of a state of three tasks over two accounts).
    fn commands(&self, state: &ModelState<P>, mut offer: impl FnMut(Command)) {
        let fleet = &state.world.fleet;
        let every = self.conformance;
        let accounts = (0..self.accounts as u32).map(AccountId);
        if fleet.len() < self.tasks {
            for account in accounts.clone() {
                // Creation is refused only at capacity (checked above) and in arrears.
                if every || !fleet.in_arrears(account) {
                    for &mode in &self.modes {
                        offer(Command::Create { account, mode });
                    }
                }
            }
        }
        for (index, slot) in fleet.slots().iter().enumerate() {
            let task = TaskId(index as u64 + 1);
            let account = AccountId(slot.account.into());
            // Without a fault, only the events the table has a rule for can be accepted; a
            // fault may accept others, so then every event is tried.
            let candidates = if every || self.fault.is_some() {
                u32::MAX
            } else {
                ruled_events(slot.task.status)
            };
            for event in Event::ON_TASK {
                // The owner's task event is accepted exactly when the step accepts it
                // (see `FleetSpec::apply_with`); billing events to a task never are.
                if candidates & 1 << event.index() != 0
                    && event.source() != Source::Billing
                    && (every || self.step(&slot.task, event).is_some())
                {
                    offer(Command::Task {
                        account,
                        task,
                        event,
                    });
                }
            }
            if self.conformance {
                // Tenancy: every event the owner could send now, sent by another account.
                // Which events those are is worked out once per task (and, without a fault,
                // only for the events the table has a rule for).
                let ruled = if self.fault.is_some() {
                    u32::MAX
                } else {
                    ruled_events(slot.task.status)
                };
                let mut owner_could = 0u32;
                for event in Event::ON_TASK {
                    let bit = 1 << event.index();
                    if ruled & bit != 0
                        && event.source() != Source::Billing
                        && self.step(&slot.task, event).is_some()
                    {
                        owner_could |= bit;
                    }
                }
                if owner_could != 0 {
                    for other in accounts.clone().filter(|&other| other != account) {
                        for event in Event::ON_TASK {
                            if owner_could & 1 << event.index() != 0 {
                                offer(Command::Task {
                                    account: other,
                                    task,
                                    event,
                                });
                            }
                        }
                    }
                }
                // Billing is addressed to the account, never to a task.
                offer(Command::Task {
                    account,
                    task,
                    event: Event::AccountRecharged,
                });
            }
        }
        if self.conformance {
            // An id nobody was given yet.
            offer(Command::Task {
                account: AccountId(0),
                task: fleet.next_id(),
                event: Event::StartNow,
            });
        }
        for account in accounts {
            let in_arrears = fleet.in_arrears(account);
            if every || !in_arrears {
                offer(Command::Arrears { account });
            }
            if every || in_arrears {
                offer(Command::Recharge { account });
            }
        }
    }

    /// The specification's step on a world, with history; `None` when refused.
    fn spec_next(&self, world: &World, command: &Command) -> Option<World> {
        let fleet = world
            .fleet
            .apply_with(command, |task, event| self.step(task, event))
            .ok()?;
        let mut next = *world;
        next.fleet = fleet;
        let (acquired, released) = world.spec_instance_changes(command);
        next.observe(&world.fleet, command, acquired, released);
        Some(next)
    }

    /// The conformance model's actions: every command goes to both sides, and those that
    /// need a successor state are kept: the ones the specification accepts, and the
    /// refusals on which the engine disagrees (a divergence is a state).
    ///
    /// Why the refusals are settled here rather than in `next_state`: in a state of three
    /// tasks about 85 of the 95 commands are refused by both sides, and a refusal has no
    /// successor. Settled as they are generated, they share one scratch copy of the engine,
    /// since a refusal that passes has left it untouched, where `next_state` would copy the
    /// engine for each. The test is [`lockstep`]'s own (see [`refused_alike`]), so every
    /// command, allowed or not, still goes to both sides.
    fn conformance_actions(&self, state: &ModelState<P>, engine: &P, actions: &mut Vec<Command>) {
        let world = &state.world;
        with_scratch(|after: &mut P| {
            after.clone_from(engine);
            self.commands(state, |command| {
                let spec = world
                    .fleet
                    .apply_with(&command, |task, event| self.step(task, event));
                let Err(refused) = spec else {
                    actions.push(command);
                    return;
                };
                if !refused_alike(engine, after, &command, refused) {
                    // A disagreement: `next_state` runs the whole lockstep step on it.
                    after.clone_from(engine);
                    actions.push(command);
                }
            });
        });
    }

    /// The lockstep step: the command on both the specification and the implementation.
    fn conformance_next(
        &self,
        state: &ModelState<P>,
        engine: &P,
        command: &Command,
    ) -> Option<ModelState<P>> {
        with_scratch(|after: &mut P| {
            after.clone_from(engine);
            match lockstep(
                &state.world,
                &Copied(engine),
                after,
                self.fault,
                command,
                self.accounts,
            ) {
                Lockstep::BothRefused(_) => None,
                Lockstep::Agreed(world) | Lockstep::Diverged { world, .. } => Some(ModelState {
                    world,
                    engine: Some(EngineView(after.clone())),
                }),
            }
        })
    }
}

thread_local! {
    /// A copy of the implementation for the lockstep step to run commands on, one per
    /// checker thread so that its allocations are reused (`clone_from` of the reference
    /// engine does not allocate). Typed at run time because a `thread_local` cannot be
    /// generic.
    static SCRATCH: RefCell<Option<Box<dyn Any>>> = const { RefCell::new(None) };
}

/// Runs `f` on this thread's scratch implementation of type `P`.
fn with_scratch<P: Exhaustive, R>(f: impl FnOnce(&mut P) -> R) -> R {
    SCRATCH.with(|cell| {
        let mut plane = cell.borrow_mut();
        if !plane.as_ref().is_some_and(|plane| plane.is::<P>()) {
            *plane = Some(Box::new(P::empty()));
        }
        match plane.as_mut().and_then(|plane| plane.downcast_mut::<P>()) {
            Some(plane) => f(plane),
            None => f(&mut P::empty()),
        }
    })
}

impl<P: Exhaustive> Model for FleetModel<P> {
    type State = ModelState<P>;
    type Action = Command;

    fn init_states(&self) -> Vec<ModelState<P>> {
        vec![ModelState {
            world: World::new(self.accounts),
            engine: self.conformance.then(|| EngineView(self.empty.clone())),
        }]
    }

    fn actions(&self, state: &ModelState<P>, actions: &mut Vec<Command>) {
        if !state.world.broken.is_empty() && self.conformance {
            // A divergence ends the path: the report is the first bad step.
            return;
        }
        match &state.engine {
            None => self.commands(state, |command| actions.push(command)),
            Some(EngineView(engine)) => self.conformance_actions(state, engine, actions),
        }
        if self.enabled_only {
            actions.retain(|command| self.next_state(state, *command).is_some());
        }
    }

    fn next_state(&self, state: &ModelState<P>, command: Command) -> Option<ModelState<P>> {
        match &state.engine {
            None => self
                .spec_next(&state.world, &command)
                .map(|world| ModelState {
                    world,
                    engine: None,
                }),
            Some(EngineView(engine)) => self.conformance_next(state, engine, &command),
        }
    }

    fn format_action(&self, command: &Command) -> String {
        super::display::action_label(command, self.accounts > 1)
    }

    fn format_step(&self, last: &ModelState<P>, command: Command) -> Option<String> {
        // The Explorer shows this instead of the state: say what changed, then the whole
        // state, so the page shows every task's status with its API code.
        let next = self.next_state(last, command)?;
        Some(format!(
            "{}\n\n{:?}",
            super::display::step_outcome(last, &next),
            next
        ))
    }

    fn as_svg(&self, path: stateright::Path<ModelState<P>, Command>) -> Option<String> {
        Some(super::svg::timeline(&path.into_vec()))
    }

    /// One stateright property per claim the model judges on states (as the Explorer and
    /// `properties = "named"` check): `always` for safety and conformance claims,
    /// `sometimes` for reachability.
    fn properties(&self) -> Vec<Property<Self>> {
        let conditions = conditions::<P>();
        self.claims(false)
            .filter_map(|id| {
                let condition = conditions[id.index()];
                match id.claim().judge {
                    Judge::Always(_) => Some(Property::always(id.name(), condition)),
                    Judge::Reaches(_) => Some(Property::sometimes(id.name(), condition)),
                    Judge::Leaves(_)
                    | Judge::SnapshotRoundTrip
                    | Judge::Protocol(_)
                    | Judge::History(_) => None,
                }
            })
            .collect()
    }
}

/// Whether the state satisfies the claim at index `I` of [`CLAIMS`]: stateright takes plain
/// function pointers, so each claim gets its own instance.
fn holds<P, const I: usize>(model: &FleetModel<P>, state: &ModelState<P>) -> bool {
    match CLAIMS.get(I).map(|claim| claim.judge) {
        Some(Judge::Always(condition)) => condition(&state.judged(model.fault)),
        Some(Judge::Reaches(status)) => state
            .world
            .fleet
            .slots()
            .iter()
            .any(|slot| slot.task.status == status),
        _ => true,
    }
}

/// What stateright calls a property's condition.
type Condition<P> = fn(&FleetModel<P>, &ModelState<P>) -> bool;

/// The condition of each claim, by index in [`CLAIMS`] (64 slots; the claims use the first
/// `CLAIM_COUNT`).
fn conditions<P: Exhaustive>() -> [Condition<P>; 64] {
    super::claims::by_claim_index!(holds)
}
