//! Running one configuration: the stateright checker, then the explicit graph for shortest
//! counterexamples and liveness, then every claim's verdict against the configuration's
//! expectations, in one loop over the claims.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde::Serialize;
use stateright::{Checker, CheckerBuilder, Model};

use std::hash::Hash;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use stateright::Chooser;

use crate::actors::{self, ActorsModel, ActorsState, Coverage, Draw, Pairs, RARE};
use crate::model::claims::Judge;
use crate::model::faults::FaultyEngine;
use crate::model::{ClaimId, FleetModel, Kind, ModelState, Tallied, Tally};
use crate::spec::{FleetSpec, TaskSpec, account_letter};

use super::config::{Config, Strategy, Subject};
use super::graph::{Graph, Node, TooLarge, Trace};
use super::liveness::{self, LIVENESS_BOUND};
pub use super::verdict::Verdict;

/// The most states the shortest-counterexample search visits (without liveness).
pub const SEARCH_BOUND: usize = 20_000_000;

/// A task's status after a step of a counterexample.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TaskAfter {
    /// The task's id, from 1 in creation order.
    pub task: u64,
    /// The owning account, as a letter (`A`, `B`, …).
    pub account: String,
    /// The status's Rust name (`Paused`).
    pub status: String,
    /// The status's console name (`暂停中`).
    pub zh: String,
    /// The status's English name (`paused`).
    pub english: String,
}

/// One numbered step of a counterexample.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    /// Position in the counterexample, from 1.
    pub number: usize,
    /// The command taken, as the model prints it.
    pub action: String,
    /// Every task of the fleet after the command, in id order.
    pub tasks: Vec<TaskAfter>,
}

/// A shortest counterexample.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Counterexample {
    /// How many steps: the fewest of any counterexample to the claim.
    pub length: usize,
    /// The steps from the initial state, in order.
    pub steps: Vec<Step>,
    /// For a liveness counterexample (a lasso): the step number where the cycle that
    /// repeats forever begins; the last step returns to the state before that step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cycle_start: Option<usize>,
    /// For a liveness counterexample: which task is stuck where.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stuck: Option<String>,
}

/// One property's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PropertyResult {
    /// The claim judged.
    #[serde(skip)]
    pub claim: ClaimId,
    /// The claim's name, as configurations and reports spell it.
    pub name: &'static str,
    /// Safety, conformance, reachability or liveness.
    pub kind: Kind,
    /// What the check found.
    pub verdict: Verdict,
    /// What the configuration expected.
    pub expected: Verdict,
    /// Whether the verdict is the expected one, a violation has its counterexample, and the
    /// counterexample has the length the configuration expects, if it expects one.
    pub met: bool,
    /// The counterexample length the configuration expects, if it states one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_length: Option<usize>,
    /// For a violated safety or liveness claim, a shortest run that breaks it (for liveness, a
    /// lasso).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counterexample: Option<Counterexample>,
}

/// The result of checking one configuration.
#[derive(Clone, Debug, Serialize)]
pub struct RunResult {
    /// The configuration file, as given.
    pub file: String,
    /// The configuration's own description.
    pub description: String,
    /// What was modelled, in a phrase: the kind of model, tasks, accounts and modes.
    pub summary: String,
    /// One result per claim, in [`CLAIMS`](crate::model::CLAIMS) order.
    pub properties: Vec<PropertyResult>,
    /// Every successor generated (a complete run expands every unique state once).
    pub states: usize,
    /// Distinct states reached (after symmetry reduction, when it is on).
    pub unique_states: usize,
    /// The count of unique states the configuration pins, if it pins one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_unique_states: Option<usize>,
    /// The deepest the search went, in steps from the initial state.
    pub max_depth: usize,
    /// Wall-clock time of the stateright run, in seconds.
    pub seconds: f64,
    /// Throughput: unique states over seconds.
    pub unique_states_per_second: f64,
    /// Whether the search covered every reachable state. An incomplete run verifies nothing.
    pub complete: bool,
    /// Whether every expectation of the configuration was met.
    pub met: bool,
    /// A simulation's runs (random walks from the initial state); `None` for an exhaustive
    /// search.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runs: Option<usize>,
    /// For the actor model: the (status, event) pairs its controller applied and refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Pairs>,
    /// What was not met, in words.
    pub failures: Vec<String>,
}

/// What the checker found, before shortest counterexamples and verdicts.
#[derive(Clone, Debug)]
pub struct Exploration {
    /// Every successor generated (a complete run expands every unique state once).
    pub states: usize,
    /// Distinct states reached (after symmetry reduction, when it is on).
    pub unique_states: usize,
    /// The deepest the search went, in steps from the initial state.
    pub max_depth: usize,
    /// The properties stateright found a discovery for: none when the model tallies its
    /// verdicts, as [`explore`] has it do.
    pub discovered: BTreeSet<&'static str>,
    /// The statuses reached and the safety properties broken.
    pub tally: Tally,
    /// How many properties stateright checked.
    pub registered: usize,
    /// From spawning the checker to joining its threads.
    pub elapsed: Duration,
    /// A simulation's runs.
    pub runs: Option<usize>,
    /// For the actor model, the pairs its controller applied and refused.
    pub coverage: Option<Pairs>,
}

/// The simulation's choice of the next step: uniform within usual steps and within faults,
/// faults one time in [`RARE`]; and the count of runs (each run begins with the choice of
/// an initial state). Seeded, so a seed gives the same runs.
struct Weighted<M: Model> {
    runs: Arc<AtomicUsize>,
    draw: Drawing<M>,
}

/// The kind of each step of a model, for a simulation's draw.
pub type DrawKind<M> = Arc<dyn Fn(&<M as Model>::Action) -> Draw + Send + Sync>;

/// How a model's steps are drawn: each step's kind, and a canonical order of the enabled
/// steps. The order matters for a seed to repeat its runs: stateright lists an actor's timers
/// from a hash set whose keys depend on what else the process hashed before, so the same
/// state can list its steps in another order in another process.
pub struct Drawing<M: Model> {
    /// The kind of a step.
    pub kind: DrawKind<M>,
    /// Sorts the indices of the enabled steps into a canonical order.
    pub order: fn(&[M::Action], &mut [usize]),
}

impl<M: Model> Clone for Drawing<M> {
    fn clone(&self) -> Self {
        Drawing {
            kind: Arc::clone(&self.kind),
            order: self.order,
        }
    }
}

impl<M: Model> Drawing<M> {
    /// Every step usual, in the order the model lists them (for models without
    /// environment faults, whose configurations do not simulate).
    fn uniform() -> Self {
        Drawing {
            kind: Arc::new(|_| Draw::Usual),
            order: |_, _| {},
        }
    }
}

impl<M: Model> Clone for Weighted<M> {
    fn clone(&self) -> Self {
        Weighted {
            runs: Arc::clone(&self.runs),
            draw: self.draw.clone(),
        }
    }
}

impl<M: Model + 'static> Chooser<M> for Weighted<M> {
    type State = SmallRng;

    fn new_state(&self, seed: u64) -> SmallRng {
        SmallRng::seed_from_u64(seed)
    }

    fn choose_initial_state(&self, rng: &mut SmallRng, initial: &[M::State]) -> usize {
        self.runs.fetch_add(1, Ordering::Relaxed);
        rng.random_range(0..initial.len())
    }

    fn choose_action(&self, rng: &mut SmallRng, _: &M::State, actions: &[M::Action]) -> usize {
        let mut order: Vec<usize> = (0..actions.len()).collect();
        (self.draw.order)(actions, &mut order);
        let of = |kind: Draw| -> Vec<usize> {
            order
                .iter()
                .copied()
                .filter(|&i| (self.draw.kind)(&actions[i]) == kind)
                .collect()
        };
        let (usual, rare) = (of(Draw::Usual), of(Draw::Rare));
        let pool = match (usual.is_empty(), rare.is_empty()) {
            (true, true) => order,
            (false, true) => usual,
            (true, false) => rare,
            (false, false) if rng.random_range(0..RARE) == 0 => rare,
            (false, false) => usual,
        };
        pool[rng.random_range(0..pool.len())]
    }
}

fn drive<M: Model, C: Checker<M>>(
    checker: C,
    progress: Option<&mut dyn FnMut(usize, usize, Duration)>,
    start: Instant,
) -> (C, Duration) {
    if let Some(progress) = progress {
        let mut last_report = Duration::ZERO;
        while !checker.is_done() {
            // Poll finely at first so that small runs report their real duration.
            let elapsed = start.elapsed();
            std::thread::sleep(if elapsed < Duration::from_secs(1) {
                Duration::from_millis(1)
            } else {
                Duration::from_millis(50)
            });
            let elapsed = start.elapsed();
            if elapsed >= Duration::from_secs(3) && elapsed - last_report >= Duration::from_secs(5)
            {
                last_report = elapsed;
                progress(checker.unique_state_count(), checker.max_depth(), elapsed);
            }
        }
    }
    let checker = checker.join();
    let elapsed = start.elapsed();
    (checker, elapsed)
}

/// Spawns the configured search on a model and collects what it found.
fn search<M>(
    model: M,
    config: &Config,
    tally: Tally,
    progress: Option<&mut dyn FnMut(usize, usize, Duration)>,
    symmetry: fn(CheckerBuilder<M>) -> CheckerBuilder<M>,
    draw: Drawing<M>,
) -> Exploration
where
    M: Model + Send + Sync + 'static,
    M::State: Hash + Clone + PartialEq + Send + Sync + 'static,
    M::Action: Clone + PartialEq,
{
    let settings = &config.checker;
    let registered = model.properties().len();
    let mut builder = model.checker().threads(settings.threads);
    if settings.symmetry {
        builder = symmetry(builder);
    }
    if let Some(timeout) = settings.timeout {
        builder = builder.timeout(timeout);
    }
    let start = Instant::now();
    match (settings.strategy, settings.simulation) {
        (Strategy::Simulation, Some(simulation)) => {
            if let Some(states) = simulation.max_states {
                builder = builder.target_state_count(states);
            }
            if let Some(depth) = simulation.max_depth {
                builder = builder.target_max_depth(depth);
            }
            let runs = Arc::new(AtomicUsize::new(0));
            let chooser = Weighted {
                runs: Arc::clone(&runs),
                draw,
            };
            let mut found = collect(
                drive(
                    builder.spawn_simulation(simulation.seed, chooser),
                    progress,
                    start,
                ),
                tally,
                registered,
            );
            found.runs = Some(runs.load(Ordering::Relaxed));
            found
        }
        (Strategy::Bfs | Strategy::Simulation, _) => collect(
            drive(builder.spawn_bfs(), progress, start),
            tally,
            registered,
        ),
        (Strategy::Dfs, _) => collect(
            drive(builder.spawn_dfs(), progress, start),
            tally,
            registered,
        ),
    }
}

fn collect<M: Model, C: Checker<M>>(
    (checker, elapsed): (C, Duration),
    tally: Tally,
    registered: usize,
) -> Exploration
where
    M::State: Clone + PartialEq,
    M::Action: Clone + PartialEq,
{
    Exploration {
        states: checker.state_count(),
        unique_states: checker.unique_state_count(),
        max_depth: checker.max_depth(),
        discovered: checker.discoveries().keys().copied().collect(),
        tally,
        registered,
        elapsed,
        runs: None,
        coverage: None,
    }
}

/// Runs the checker alone on a configuration's model, as [`run`] does before it builds the
/// graph: this is what the model-checking benchmarks time. Without `progress` it waits for
/// the checker's threads without polling, so the time is the exploration's own.
pub fn explore(
    config: &Config,
    progress: Option<&mut dyn FnMut(usize, usize, Duration)>,
) -> Exploration {
    // The checked model tallies its verdicts itself (see `model::tally` for why), unless the
    // configuration asks for one stateright property per claim.
    match &config.subject {
        Subject::Fleet(model) if config.checker.named_properties => search(
            model.clone(),
            config,
            Tally::default(),
            progress,
            |b| b.symmetry(),
            Drawing::uniform(),
        ),
        Subject::Fleet(model) => {
            let (tallied, tally) = Tallied::new(model.clone());
            search(
                tallied,
                config,
                tally,
                progress,
                |b| b.symmetry(),
                Drawing::uniform(),
            )
        }
        Subject::Actors(system) => {
            // The actor model's one property tallies into the configuration's tally, or
            // (named) each claim is its own property.
            let mut system = system.clone();
            let tally = Tally::new();
            system.tally = tally.clone();
            let named = config.checker.named_properties;
            let coverage = Coverage::new();
            system.coverage = coverage.clone();
            // (Configurations refuse symmetry for the actor model.)
            let draw = Drawing {
                kind: Arc::new(actors::draw(&system)),
                order: |actions: &[actors::ActorsAction], order: &mut [usize]| {
                    order.sort_by(|&a, &b| actions[a].cmp(&actions[b]))
                },
            };
            let mut found = search(
                system.into_model(named),
                config,
                tally,
                progress,
                |b| b,
                draw,
            );
            found.coverage = Some(coverage.pairs());
            found
        }
    }
}

/// What the graph gave a claim the checker found broken.
enum Found {
    /// A shortest counterexample, or a lasso for a liveness claim.
    Counterexample(Counterexample),
    /// The graph search hit its bound first.
    Bound(usize),
    /// The graph is complete and no state breaks it: the checker and the graph disagree.
    Exhausted,
}

/// Builds the explicit graph once and finds, for each claim the checker found broken (and
/// for each liveness claim), its shortest counterexample or lasso.
///
/// Also answers whether the liveness claims were judged (the graph fitted its bound).
fn counterexamples(
    config: &Config,
    broken: &[ClaimId],
    failures: &mut Vec<String>,
) -> (Vec<(ClaimId, Found)>, bool) {
    let liveness = config.checker.liveness;
    if broken.is_empty() && !liveness {
        return (Vec::new(), false);
    }
    match &config.subject {
        Subject::Fleet(model) => {
            let fault = model.fault();
            let search = Search {
                model,
                broken,
                liveness,
                tasks: model.tasks(),
                breaks: |claim: ClaimId, state: &ModelState| match claim.claim().judge {
                    Judge::Always(holds) => !holds(&state.judged(fault)),
                    _ => false,
                },
                task_of: |state: &ModelState, task: usize| {
                    state.world.fleet.slots().get(task).map(|slot| slot.task)
                },
                is_fair: &liveness::is_fair_event,
                describe: |trace: &Trace<FleetModel>| counterexample(model, trace),
            };
            search.run(failures)
        }
        Subject::Actors(system) => {
            let model = system.clone().into_model(false);
            let search = Search {
                model: &model,
                broken,
                liveness,
                tasks: system.tasks,
                breaks: actors::breaks::<FaultyEngine>,
                task_of: |state: &ActorsState, task: usize| {
                    actors::record(state)
                        .and_then(|c| c.world.fleet.slots().get(task).map(|slot| slot.task))
                },
                is_fair: &actors::is_fair,
                describe: |trace: &Trace<ActorsModel>| actors_counterexample(trace),
            };
            search.run(failures)
        }
    }
}

/// The shortest-counterexample search and liveness judgement of one model.
struct Search<'a, M: Model, B, T, F, D> {
    model: &'a M,
    broken: &'a [ClaimId],
    liveness: bool,
    tasks: usize,
    breaks: B,
    task_of: T,
    is_fair: &'a F,
    describe: D,
}

impl<M, B, T, F, D> Search<'_, M, B, T, F, D>
where
    M: Model,
    M::State: Hash + Eq + Clone,
    M::Action: PartialEq + Clone,
    B: Fn(ClaimId, &M::State) -> bool,
    T: Fn(&M::State, usize) -> Option<TaskSpec>,
    F: Fn(&M::Action) -> bool,
    D: Fn(&Trace<M>) -> Counterexample,
{
    fn run(self, failures: &mut Vec<String>) -> (Vec<(ClaimId, Found)>, bool) {
        let (broken, liveness) = (self.broken, self.liveness);
        let mut first: Vec<Option<Node>> = vec![None; broken.len()];
        let mut note = |node: Node, state: &M::State| {
            for (i, &claim) in broken.iter().enumerate() {
                if first[i].is_none() && (self.breaks)(claim, state) {
                    first[i] = Some(node);
                }
            }
            // Without liveness, stop at the state that breaks the last claim looked for.
            !liveness && first.iter().all(Option::is_some)
        };
        let bound = if liveness {
            LIVENESS_BOUND
        } else {
            SEARCH_BOUND
        };
        let graph = match Graph::explore(self.model, bound, liveness, &mut note) {
            Ok(graph) => graph,
            Err(TooLarge(bound)) => {
                if liveness {
                    failures.push(format!(
                        "liveness needs the whole state graph in memory and this model has more than {bound} states: turn liveness off for it"
                    ));
                }
                let found = broken
                    .iter()
                    .map(|&claim| (claim, Found::Bound(bound)))
                    .collect();
                return (found, false);
            }
        };
        let mut found: Vec<(ClaimId, Found)> = broken
            .iter()
            .zip(&first)
            .map(|(&claim, node)| {
                let found = match node {
                    Some(node) => Found::Counterexample((self.describe)(&graph.path_to(*node))),
                    None if graph.complete => Found::Exhausted,
                    None => Found::Bound(graph.len()),
                };
                (claim, found)
            })
            .collect();
        if liveness {
            for claim in crate::model::claims::all() {
                if let Judge::Leaves(region) = claim.claim().judge
                    && let Some(lasso) = liveness::judge_tasks(
                        &graph,
                        self.tasks,
                        region,
                        &self.task_of,
                        self.is_fair,
                    )
                {
                    let mut trace = lasso.prefix;
                    let cycle_start = trace.steps.len() + 1;
                    trace.steps.extend(lasso.cycle);
                    let mut cx = (self.describe)(&trace);
                    cx.cycle_start = Some(cycle_start);
                    cx.stuck = Some(lasso.stuck);
                    found.push((claim, Found::Counterexample(cx)));
                }
            }
        }
        (found, liveness)
    }
}

/// Checks a configuration. `progress` is called every five seconds once a run has taken
/// three, with the unique states and depth so far.
pub fn run(config: &Config, progress: &mut dyn FnMut(usize, usize, Duration)) -> RunResult {
    let settings = &config.checker;
    let collected = explore(config, Some(progress));
    let tally = &collected.tally;
    let timed_out = settings
        .timeout
        .is_some_and(|timeout| collected.elapsed >= timeout);
    // Stateright stops exploring once every property it checks has a discovery; the states
    // it left were then neither checked nor tallied.
    let stopped_early = collected.discovered.len() >= collected.registered;
    let simulated = settings.simulates();
    // A simulation is never complete: its runs sample the states.
    let complete = !timed_out && !stopped_early && !simulated;
    let mut failures = Vec::new();

    // What the checker found: from the model's tally, or from stateright's discoveries when
    // the configuration asks for named properties (the other source is then empty).
    let discovered = |claim: ClaimId| {
        collected.discovered.contains(claim.name())
            || match claim.claim().judge {
                Judge::Always(_) | Judge::Protocol(_) => tally.violated(claim),
                Judge::Reaches(status) => tally.reached(status),
                _ => false,
            }
    };
    let broken: Vec<ClaimId> = config
        .claims()
        .into_iter()
        .filter(|&claim| {
            matches!(claim.claim().judge, Judge::Always(_) | Judge::Protocol(_))
                && discovered(claim)
        })
        .collect();
    let (mut found, liveness_judged) = counterexamples(config, &broken, &mut failures);

    let mut results = Vec::new();
    for claim in config.claims() {
        let hit = found
            .iter()
            .position(|(c, _)| *c == claim)
            .map(|i| found.swap_remove(i).1);
        let verdict = match claim.claim().judge {
            Judge::Reaches(_) if discovered(claim) => Verdict::Reached,
            Judge::Reaches(_) if complete => Verdict::Unreached,
            Judge::Always(_) | Judge::Protocol(_) if discovered(claim) => Verdict::Violated,
            Judge::Leaves(_) if hit.is_some() => Verdict::Violated,
            Judge::Leaves(_) if liveness_judged => Verdict::Holds,
            Judge::Always(_) | Judge::Protocol(_) if complete => Verdict::Holds,
            Judge::Always(_) | Judge::Protocol(_) if simulated && !stopped_early => {
                Verdict::Unbroken
            }
            _ => Verdict::Unknown,
        };
        let expected = config.expect.verdict(claim);
        let expected_length = config.expect.violations.get(&claim).copied();
        let mut met = verdict == expected;
        if !met {
            failures.push(format!(
                "{:?}: expected {}, found {}",
                claim.name(),
                expected.word(),
                verdict.word()
            ));
        }
        let counterexample = match hit {
            Some(Found::Counterexample(cx)) => Some(cx),
            Some(Found::Bound(n)) => {
                met = false;
                failures.push(format!(
                    "{:?}: no counterexample within {n} states of the shortest-path search",
                    claim.name()
                ));
                None
            }
            Some(Found::Exhausted) => {
                met = false;
                failures.push(format!(
                    "{:?}: the checker reported a violation that the shortest-path search cannot reproduce",
                    claim.name()
                ));
                None
            }
            None => None,
        };
        if let (Some(length), Some(cx)) = (expected_length, &counterexample)
            && length != cx.length
        {
            met = false;
            failures.push(format!(
                "{:?}: expected a shortest counterexample of {length} steps, found {}",
                claim.name(),
                cx.length
            ));
        }
        results.push(PropertyResult {
            claim,
            name: claim.name(),
            kind: claim.claim().kind,
            verdict,
            expected,
            met,
            expected_length,
            counterexample,
        });
    }
    if let (Some(expected), Some(runs)) = (config.expect.runs, collected.runs)
        && expected != runs
    {
        failures.push(format!("expected {expected} runs, found {runs}"));
    }
    if simulated {
        // A simulation's budget is its end, not a cut: its verdicts say so themselves.
    } else if timed_out {
        failures.push("the run was cut short by its timeout: nothing is verified".to_string());
    } else if stopped_early {
        failures.push(
            "the checker stopped once every property it checks had a discovery: the states it left unexplored were not checked".to_string(),
        );
    }
    if let Some(expected) = config.expect.unique_states
        && complete
        && expected != collected.unique_states
    {
        failures.push(format!(
            "expected {expected} unique states, found {}",
            collected.unique_states
        ));
    }
    let seconds = collected.elapsed.as_secs_f64();
    RunResult {
        file: config.path.display().to_string(),
        description: config.description.clone(),
        summary: config.summary(),
        properties: results,
        states: collected.states,
        unique_states: collected.unique_states,
        expected_unique_states: config.expect.unique_states,
        max_depth: collected.max_depth,
        seconds,
        unique_states_per_second: collected.unique_states as f64 / seconds.max(1e-9),
        complete,
        met: failures.is_empty(),
        failures,
        runs: collected.runs,
        coverage: collected.coverage.clone(),
    }
}

fn counterexample(model: &FleetModel, trace: &Trace<FleetModel>) -> Counterexample {
    counterexample_of(
        trace,
        |command| model.format_action(command),
        |state| tasks_after(&state.world.fleet),
    )
}

fn actors_counterexample(trace: &Trace<ActorsModel>) -> Counterexample {
    counterexample_of(trace, actors::describe, |state| {
        actors::record(state)
            .map(|c| tasks_after(&c.world.fleet))
            .unwrap_or_default()
    })
}

/// A trace as a counterexample: each step in words, with every task's status after it.
fn counterexample_of<M: Model>(
    trace: &Trace<M>,
    describe: impl Fn(&M::Action) -> String,
    tasks: impl Fn(&M::State) -> Vec<TaskAfter>,
) -> Counterexample {
    let steps = trace
        .steps
        .iter()
        .enumerate()
        .map(|(i, (action, state))| Step {
            number: i + 1,
            action: describe(action),
            tasks: tasks(state),
        })
        .collect();
    Counterexample {
        length: trace.steps.len(),
        steps,
        cycle_start: None,
        stuck: None,
    }
}

fn tasks_after<const N: usize>(fleet: &FleetSpec<N>) -> Vec<TaskAfter> {
    fleet
        .slots()
        .iter()
        .enumerate()
        .map(|(i, slot)| TaskAfter {
            task: i as u64 + 1,
            account: account_letter(slot.account.into()),
            status: slot.task.status.name().to_string(),
            zh: slot.task.status.zh().to_string(),
            english: slot.task.status.english().to_string(),
        })
        .collect()
}
