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

use std::cell::RefCell;
use std::fmt;
use std::hash::{Hash, Hasher};

use stateright::{Model, Property};

use crate::engine::Fleet;
use crate::spec::table::ruled_events;
use crate::spec::{AccountId, Command, Event, Mode, Source, TaskId, TaskSpec};

use super::faults::Fault;
use super::lockstep::{Lockstep, lockstep, refused_alike};
use super::properties::{TALLIED, properties_of};
use super::tally::Tally;
use super::world::{MAX_MODEL_ACCOUNTS, MAX_TASKS, World};

/// Which system a model explores.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelKind {
    Lifecycle,
    Fleet,
    Conformance,
}

impl ModelKind {
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Lifecycle => "lifecycle",
            ModelKind::Fleet => "fleet",
            ModelKind::Conformance => "conformance",
        }
    }
}

/// A model's parameters, already validated (see [`crate::check::config`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FleetModel {
    pub kind: ModelKind,
    /// How many tasks can be created (1 for the lifecycle model).
    pub tasks: usize,
    /// How many accounts exist (1 for the lifecycle model).
    pub accounts: usize,
    /// The modes tasks may be created in.
    pub modes: Vec<Mode>,
    /// The injected fault, if any.
    pub fault: Option<Fault>,
    /// Offer only the commands that change something (for the Explorer, where a list of
    /// 26 refused events per task hides the few that matter). Checking offers every command.
    pub enabled_only: bool,
    /// Whether the engine runs beside the specification.
    pub conformance: bool,
    /// When set, the verdicts are recorded here as the checker runs and stateright is
    /// given a single property that records them (see [`super::tally`] for why). Unset,
    /// as in the Explorer, every claim is a stateright property of its own.
    pub tally: Option<Tally>,
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
            tally: None,
        }
    }

    /// The same model with a fault injected.
    pub fn with_fault(mut self, fault: Option<Fault>) -> Self {
        self.fault = fault;
        self
    }

    /// The same model, recording its verdicts in a fresh tally instead of checking one
    /// stateright property per claim; the tally is returned for reading after the run.
    pub fn with_tally(mut self) -> (Self, Tally) {
        let tally = Tally::new();
        self.tally = Some(tally.clone());
        (self, tally)
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
    fn commands(&self, state: &ModelState, mut offer: impl FnMut(Command)) {
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
                for other in accounts.clone().filter(|&other| other != account) {
                    for event in Event::ON_TASK {
                        if event.source() != Source::Billing
                            && self.step(&slot.task, event).is_some()
                        {
                            offer(Command::Task {
                                account: other,
                                task,
                                event,
                            });
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
    fn conformance_actions(&self, state: &ModelState, engine: &Fleet, actions: &mut Vec<Command>) {
        let world = &state.world;
        SCRATCH.with(|scratch| {
            let mut after = scratch.borrow_mut();
            after.clone_from(engine);
            self.commands(state, |command| {
                let spec = world
                    .fleet
                    .apply_with(&command, |task, event| self.step(task, event));
                let Err(refused) = spec else {
                    actions.push(command);
                    return;
                };
                if !refused_alike(engine, &mut after, self.fault, &command, refused) {
                    // A disagreement: `next_state` runs the whole lockstep step on it.
                    after.clone_from(engine);
                    actions.push(command);
                }
            });
        });
    }

    /// The lockstep step: the command on both the specification and the engine.
    fn conformance_next(
        &self,
        state: &ModelState,
        engine: &Fleet,
        command: &Command,
    ) -> Option<ModelState> {
        SCRATCH.with(|scratch| {
            let mut after = scratch.borrow_mut();
            after.clone_from(engine);
            match lockstep(
                &state.world,
                engine,
                &mut after,
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
    /// A copy of the engine for the lockstep step to run commands on, one per checker thread
    /// so that its allocation is reused (`Fleet::clone_from` does not allocate).
    static SCRATCH: RefCell<Fleet> = RefCell::new(Fleet::new());
}

/// The engine's state inside a model state. Equality and hashing ignore task versions:
/// versions only count changes and never decide behaviour, and keeping them would make the
/// state space infinite (every pause/resume cycle would be a new state). The lockstep step
/// checks versions on every command instead.
#[derive(Clone)]
pub struct EngineView(pub Fleet);

impl EngineView {
    fn key(&self) -> impl Iterator<Item = impl Hash + PartialEq + '_> + '_ {
        self.0.tasks().iter().map(|task| {
            (
                task.id(),
                task.account(),
                task.mode(),
                task.status(),
                task.phase(),
                task.frozen_from(),
                task.holds_instance(),
            )
        })
    }
}

impl PartialEq for EngineView {
    fn eq(&self, other: &Self) -> bool {
        self.key().eq(other.key()) && self.0.accounts_in_arrears() == other.0.accounts_in_arrears()
    }
}

impl Eq for EngineView {}

/// Two words per task rather than a field-by-field walk: hashing is in the checker's inner
/// loop, and stateright takes the 64-bit hash as the state's identity, so every field that
/// equality compares goes in.
impl Hash for EngineView {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_usize(self.0.tasks().len());
        for task in self.0.tasks() {
            let phase = task.phase().map_or(0, |phase| phase as u64 + 1);
            let frozen = task.frozen_from().map_or(0, |status| status as u64 + 1);
            state.write_u64(task.id().0);
            state.write_u64(
                u64::from(task.account().0)
                    | (task.status() as u64) << 32
                    | (task.mode() as u64) << 40
                    | phase << 48
                    | frozen << 52
                    | u64::from(task.holds_instance()) << 60,
            );
        }
        for account in self.0.accounts_in_arrears() {
            state.write_u64(u64::from(account.0) | 1 << 32);
        }
    }
}

impl fmt::Debug for EngineView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for task in self.0.tasks() {
            writeln!(
                f,
                "engine task {} · {} · version {}{}",
                task.id().0,
                task.status().label(),
                task.version(),
                if task.holds_instance() {
                    " · instance"
                } else {
                    ""
                }
            )?;
        }
        Ok(())
    }
}

/// A model state: the world and, for conformance, the engine.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ModelState {
    pub world: World,
    pub engine: Option<EngineView>,
}

impl fmt::Debug for ModelState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.world)?;
        if let Some(engine) = &self.engine {
            write!(f, "{engine:?}")?;
        }
        Ok(())
    }
}

impl Model for FleetModel {
    type State = ModelState;
    type Action = Command;

    fn init_states(&self) -> Vec<ModelState> {
        let init = ModelState {
            world: World::new(self.accounts),
            engine: self.conformance.then(|| EngineView(Fleet::new())),
        };
        if let Some(tally) = &self.tally {
            tally.record_statuses(&init.world.fleet);
        }
        vec![init]
    }

    fn actions(&self, state: &ModelState, actions: &mut Vec<Command>) {
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

    fn next_state(&self, state: &ModelState, command: Command) -> Option<ModelState> {
        let next = match &state.engine {
            None => self
                .spec_next(&state.world, &command)
                .map(|world| ModelState {
                    world,
                    engine: None,
                }),
            Some(EngineView(engine)) => self.conformance_next(state, engine, &command),
        };
        if let (Some(tally), Some(next)) = (&self.tally, &next) {
            tally.record_statuses(&next.world.fleet);
        }
        next
    }

    fn format_action(&self, command: &Command) -> String {
        super::display::action_label(command, self.accounts > 1)
    }

    fn format_step(&self, last: &ModelState, command: Command) -> Option<String> {
        // The Explorer shows this instead of the state: say what changed, then the whole
        // state, so the page shows every task's status with its API code.
        let next = self.next_state(last, command)?;
        Some(format!(
            "{}\n\n{:?}",
            super::display::step_outcome(last, &next),
            next
        ))
    }

    fn as_svg(&self, path: stateright::Path<ModelState, Command>) -> Option<String> {
        Some(super::svg::timeline(&path.into_vec()))
    }

    fn properties(&self) -> Vec<Property<Self>> {
        if self.tally.is_some() {
            return vec![Property::always(
                TALLIED,
                super::properties::record_safety_verdicts,
            )];
        }
        properties_of(self)
            .iter()
            .map(|info| info.property())
            .collect()
    }
}
