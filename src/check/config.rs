//! Model configurations: one TOML file per checked configuration, like TLC's `.cfg` files.
//!
//! A configuration names the model and its parameters, the checker, an injected fault if
//! any, and what the run must show: the pinned number of unique states, the violations that
//! must be found with the length of their shortest counterexample, and the statuses that
//! must stay unreached. Every property the file does not mention must hold (safety) or be
//! reached (reachability), so a new property is checked by every configuration at once.
//!
//! ```toml
//! description = "Three tasks over two accounts."
//! model = "fleet"                       # lifecycle | fleet | conformance
//! fault = "ended-restarts"              # optional
//!
//! [parameters]
//! tasks = 3                             # 1..=8 (lifecycle: 1)
//! accounts = 2                          # 1..=4 (lifecycle: 1)
//! modes = ["FULL_TRANS", "FULL_INCR_TRANS", "INCR_TRANS"]   # default: all three
//!
//! [checker]
//! strategy = "dfs"                      # bfs | dfs | simulation (actor model only)
//! threads = 2
//! symmetry = false                      # dfs and specification-only models
//! timeout_seconds = 600                 # optional; a run cut short is incomplete
//! liveness = true                       # also check liveness (explicit graph, small models)
//! properties = "tallied"                # or "named": one stateright property per claim
//!
//! # simulation only: seed = 1, max_states = 2000000 (or timeout_seconds), max_depth = 400;
//! # it pins runs = … under [expect] instead of unique_states, and verifies nothing
//!
//! [expect]
//! unique_states = 4518129
//! violations = { "ended is terminal" = 9 }
//! unreached = ["reaches 等待启动 WaitingToStart"]
//! ```
//!
//! Unknown keys, wrong types and impossible parameters are errors that name the file and
//! the line.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use crate::actors::{ActorSystem, Delivery, MAX_ACTOR_ACCOUNTS, MAX_ACTOR_TASKS, Operation};
use crate::check::liveness::LIVENESS_BOUND;
use crate::model::{
    ClaimId, Fault, FleetModel, Kind, MAX_MODEL_ACCOUNTS, MAX_TASKS, ModelKind, Tally,
};
use crate::spec::{Event, Mode, Source};

use super::verdict::Verdict;

/// The search strategy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Strategy {
    /// Breadth first: finds shortest discoveries; ignores symmetry reduction.
    Bfs,
    /// Depth first: less memory, and the one strategy that reduces by symmetry.
    Dfs,
    /// stateright's simulation checker: seeded random runs from the initial state, each to
    /// a state with no successor, a state the run visited already, or the depth bound; every
    /// claim judged on every state visited. For models past exhaustive reach: it finds
    /// violations and reached statuses, and verifies nothing.
    Simulation,
}

/// A simulation's seed and budget ([`Strategy::Simulation`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SimulationSettings {
    /// The seed of the first run (each run's seed is drawn from the one before).
    pub seed: u64,
    /// Stop once this many states were visited (counted with repeats; checked between
    /// runs, so a seed gives the same runs every time).
    pub max_states: Option<usize>,
    /// Cut each run at this depth (in steps).
    pub max_depth: Option<usize>,
}

impl Strategy {
    /// The strategy in reports: `BFS`, `DFS`, `simulation`.
    pub fn word(self) -> &'static str {
        match self {
            Strategy::Bfs => "BFS",
            Strategy::Dfs => "DFS",
            Strategy::Simulation => "simulation",
        }
    }
}

/// How to run the checker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckerSettings {
    /// Breadth or depth first.
    pub strategy: Strategy,
    /// Worker threads, 1 to 64.
    pub threads: usize,
    /// Whether states that differ only by a permutation of interchangeable tasks count as one
    /// (depth first and specification-only models only).
    pub symmetry: bool,
    /// Wall-clock limit of the run; a run cut short is incomplete and verifies nothing.
    pub timeout: Option<Duration>,
    /// Also check the liveness claims on the explicit state graph (small models only).
    pub liveness: bool,
    /// Give stateright one named property per claim (as the Explorer does) instead of the
    /// model's tally of verdicts (see [`crate::model::tally`]): slower, same verdicts.
    pub named_properties: bool,
    /// The simulation's seed and budget, with [`Strategy::Simulation`].
    pub simulation: Option<SimulationSettings>,
}

impl CheckerSettings {
    /// Whether the run is a simulation (which verifies nothing).
    pub fn simulates(&self) -> bool {
        self.strategy == Strategy::Simulation
    }
}

/// What a run must show.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expectations {
    /// The pinned number of unique states (symmetry-reduced when symmetry is on).
    pub unique_states: Option<usize>,
    /// A simulation's pinned number of runs (its seed and state budget fix them).
    pub runs: Option<usize>,
    /// Whether the configuration is a simulation: claims it does not list are then
    /// expected unbroken in the runs, not to hold.
    pub simulated: bool,
    /// Claims that must be violated, with the length (in steps) of the shortest
    /// counterexample.
    pub violations: BTreeMap<ClaimId, usize>,
    /// Reachability claims that must not be reached.
    pub unreached: BTreeSet<ClaimId>,
}

impl Expectations {
    /// What the run must show of a claim: violated, unreached, or (unmentioned) held or
    /// reached.
    pub fn verdict(&self, claim: ClaimId) -> Verdict {
        match claim.claim().kind {
            Kind::Reachability if self.unreached.contains(&claim) && self.simulated => {
                Verdict::Unknown
            }
            Kind::Reachability if self.unreached.contains(&claim) => Verdict::Unreached,
            Kind::Reachability => Verdict::Reached,
            _ if self.violations.contains_key(&claim) => Verdict::Violated,
            _ if self.simulated => Verdict::Unbroken,
            _ => Verdict::Holds,
        }
    }
}

/// What a configuration checks.
#[derive(Clone, Debug)]
pub enum Subject {
    /// A lifecycle model: one task, a fleet, or a fleet beside the engine.
    Fleet(FleetModel),
    /// The distributed control plane ([`crate::actors`]).
    Actors(ActorSystem),
}

/// A loaded, validated configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// The file it was loaded from.
    pub path: PathBuf,
    /// The file's `description`, for reports.
    pub description: String,
    /// The model to check, with its parameters and injected fault.
    pub subject: Subject,
    /// How to run the checker.
    pub checker: CheckerSettings,
    /// What the run must show.
    pub expect: Expectations,
}

impl Config {
    /// The claims the configured run checks, in report order.
    pub fn claims(&self) -> Vec<ClaimId> {
        match &self.subject {
            Subject::Fleet(model) => model.claims(self.checker.liveness).collect(),
            Subject::Actors(_) => crate::actors::claims(self.checker.liveness).collect(),
        }
    }

    /// The lifecycle model it checks, if it checks one.
    pub fn fleet(&self) -> Option<&FleetModel> {
        match &self.subject {
            Subject::Fleet(model) => Some(model),
            Subject::Actors(_) => None,
        }
    }

    /// The injected fault, if any.
    pub fn fault(&self) -> Option<Fault> {
        match &self.subject {
            Subject::Fleet(model) => model.fault(),
            Subject::Actors(system) => system.fault,
        }
    }

    /// `fleet of 3 tasks over 2 accounts, modes FULL_TRANS, …`
    pub fn summary(&self) -> String {
        let model = match &self.subject {
            Subject::Fleet(model) => model,
            Subject::Actors(system) => return self.actors_summary(system),
        };
        let modes: Vec<_> = model.modes().iter().map(|mode| mode.api_code()).collect();
        let mut text = match model.kind() {
            ModelKind::Lifecycle => "lifecycle of one task".to_string(),
            kind => format!(
                "{} of {} task{} over {} account{}",
                kind.name(),
                model.tasks(),
                if model.tasks() == 1 { "" } else { "s" },
                model.accounts(),
                if model.accounts() == 1 { "" } else { "s" }
            ),
        };
        text.push_str(&format!(", modes {}", modes.join(" ")));
        text.push_str(&format!(
            ", {} {} thread{}{}",
            self.checker.strategy.word(),
            self.checker.threads,
            if self.checker.threads == 1 { "" } else { "s" },
            if self.checker.symmetry {
                ", symmetry"
            } else {
                ""
            }
        ));
        if let Some(fault) = model.fault() {
            text.push_str(&format!(", fault {fault}"));
        }
        text
    }
}

impl Config {
    fn actors_summary(&self, system: &ActorSystem) -> String {
        let mut text = format!(
            "actors: controller, client, {} instance{}{}; {} network{}; budget {}",
            system.tasks,
            if system.tasks == 1 { "" } else { "s" },
            if system.accounts > 1 {
                format!(" over {} accounts", system.accounts)
            } else {
                String::new()
            },
            system.delivery.name(),
            if system.lossy { ", lossy" } else { "" },
            system.budget
        );
        if system.polls > 0 {
            text.push_str(&format!(
                ", {} poll{} per task",
                system.polls,
                if system.polls == 1 { "" } else { "s" }
            ));
        }
        if system.controller_restarts > 0 {
            text.push_str(&format!(
                ", {} controller restart{}",
                system.controller_restarts,
                if system.controller_restarts == 1 {
                    ""
                } else {
                    "s"
                }
            ));
        }
        if system.instance_crashes > 0 {
            text.push_str(&format!(
                ", {} instance crash{}",
                system.instance_crashes,
                if system.instance_crashes == 1 {
                    ""
                } else {
                    "es"
                }
            ));
        }
        text.push_str(&format!(
            ", {} {} thread{}",
            self.checker.strategy.word(),
            self.checker.threads,
            if self.checker.threads == 1 { "" } else { "s" },
        ));
        if let Some(simulation) = self.checker.simulation {
            text.push_str(&format!(", seed {}", simulation.seed));
            if let Some(states) = simulation.max_states {
                text.push_str(&format!(", {states} states"));
            }
            if let Some(depth) = simulation.max_depth {
                text.push_str(&format!(", depth ≤ {depth}"));
            }
        }
        if let Some(fault) = system.fault {
            text.push_str(&format!(", fault {fault}"));
        }
        text
    }
}

/// A configuration that cannot be loaded: the file, the line (when known) and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The configuration file.
    pub path: PathBuf,
    /// The line at fault, from 1, when known.
    pub line: Option<usize>,
    /// What is wrong and what to do about it.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    description: Option<String>,
    model: Spanned<String>,
    fault: Option<Spanned<String>>,
    #[serde(default)]
    parameters: RawParameters,
    #[serde(default)]
    checker: RawChecker,
    #[serde(default)]
    expect: RawExpect,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParameters {
    tasks: Option<Spanned<i64>>,
    accounts: Option<Spanned<i64>>,
    modes: Option<Spanned<Vec<String>>>,
    // The actor model's.
    operations: Option<Spanned<Vec<String>>>,
    budget: Option<Spanned<i64>>,
    network: Option<Spanned<String>>,
    lossy: Option<Spanned<bool>>,
    polls: Option<Spanned<i64>>,
    controller_restarts: Option<Spanned<i64>>,
    instance_crashes: Option<Spanned<i64>>,
    max_in_flight: Option<Spanned<i64>>,
    max_attempts: Option<Spanned<i64>>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChecker {
    strategy: Option<Spanned<String>>,
    threads: Option<Spanned<i64>>,
    symmetry: Option<Spanned<bool>>,
    timeout_seconds: Option<Spanned<i64>>,
    liveness: Option<Spanned<bool>>,
    properties: Option<Spanned<String>>,
    // The simulation's.
    seed: Option<Spanned<i64>>,
    max_states: Option<Spanned<i64>>,
    max_depth: Option<Spanned<i64>>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExpect {
    unique_states: Option<Spanned<i64>>,
    runs: Option<Spanned<i64>>,
    #[serde(default)]
    violations: BTreeMap<String, Spanned<i64>>,
    #[serde(default)]
    unreached: Vec<Spanned<String>>,
}

/// Reads and validates a configuration file.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let unreadable = |message: String| ConfigError {
        path: path.to_path_buf(),
        line: None,
        message,
    };
    if path.is_dir() {
        return Err(unreadable(
            "is a directory: name its *.toml files (`check` alone checks every models/*.toml)"
                .to_string(),
        ));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|error| unreadable(format!("cannot read the configuration: {error}")))?;
    parse(path, &text)
}

/// Parses and validates a configuration given as text (`path` is used in messages).
pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    let fail = |span: Option<Range<usize>>, message: String| ConfigError {
        path: path.to_path_buf(),
        line: span.map(|span| line_of(text, span.start)),
        message,
    };
    let raw: RawConfig = toml::from_str(text).map_err(|error| {
        // toml's message spans several lines (with a caret under the column): keep its
        // first line and report the line number ourselves.
        let message = error
            .message()
            .lines()
            .next()
            .unwrap_or("invalid TOML")
            .to_string();
        fail(error.span(), message)
    })?;

    let kind = match raw.model.get_ref().as_str() {
        "lifecycle" => Some(ModelKind::Lifecycle),
        "fleet" => Some(ModelKind::Fleet),
        "conformance" => Some(ModelKind::Conformance),
        "actors" => None,
        other => {
            return Err(fail(
                Some(raw.model.span()),
                format!(
                    "unknown model {other:?}: expected \"lifecycle\", \"fleet\", \"conformance\" or \"actors\""
                ),
            ));
        }
    };
    let actor_keys = [
        (
            "operations",
            raw.parameters.operations.as_ref().map(Spanned::span),
        ),
        ("budget", raw.parameters.budget.as_ref().map(Spanned::span)),
        (
            "network",
            raw.parameters.network.as_ref().map(Spanned::span),
        ),
        ("lossy", raw.parameters.lossy.as_ref().map(Spanned::span)),
        ("polls", raw.parameters.polls.as_ref().map(Spanned::span)),
        (
            "controller_restarts",
            raw.parameters
                .controller_restarts
                .as_ref()
                .map(Spanned::span),
        ),
        (
            "instance_crashes",
            raw.parameters.instance_crashes.as_ref().map(Spanned::span),
        ),
        (
            "max_in_flight",
            raw.parameters.max_in_flight.as_ref().map(Spanned::span),
        ),
        (
            "max_attempts",
            raw.parameters.max_attempts.as_ref().map(Spanned::span),
        ),
    ];
    match kind {
        Some(kind) => {
            if let Some((key, span)) = actor_keys.iter().find(|(_, span)| span.is_some()) {
                return Err(fail(
                    span.clone(),
                    format!(
                        "{key} is a parameter of the actor model (model = \"actors\"), not of the {} model",
                        kind.name()
                    ),
                ));
            }
        }
        None => {
            if let Some(accounts) = &raw.parameters.accounts
                && *accounts.get_ref() > 1
                && raw
                    .parameters
                    .tasks
                    .as_ref()
                    .is_none_or(|t| *t.get_ref() < 2)
            {
                return Err(fail(
                    Some(accounts.span()),
                    "the actor model creates its tasks for the accounts in turn, so accounts = 2 needs tasks = 2".to_string(),
                ));
            }
        }
    }
    let is_kind = |k: ModelKind| kind == Some(k);

    let count = |value: &Option<Spanned<i64>>, name: &str, default: usize, max: usize| {
        let Some(value) = value else {
            return Ok(default);
        };
        let n = *value.get_ref();
        if is_kind(ModelKind::Lifecycle) && n != 1 {
            return Err(fail(
                Some(value.span()),
                format!(
                    "the lifecycle model has exactly one task of one account, so {name} must be 1 (use model = \"fleet\" for more)"
                ),
            ));
        }
        if n < 1 || n > max as i64 {
            return Err(fail(
                Some(value.span()),
                format!("{name} = {n} is impossible: it must be between 1 and {max}"),
            ));
        }
        Ok(n as usize)
    };
    let max_tasks = if kind.is_some() {
        MAX_TASKS
    } else {
        MAX_ACTOR_TASKS
    };
    let tasks = count(&raw.parameters.tasks, "tasks", 1, max_tasks)?;
    let max_accounts = if kind.is_some() {
        MAX_MODEL_ACCOUNTS
    } else {
        MAX_ACTOR_ACCOUNTS
    };
    let accounts = count(&raw.parameters.accounts, "accounts", 1, max_accounts)?;

    let modes = match &raw.parameters.modes {
        None => Mode::ALL.to_vec(),
        Some(list) => {
            let mut modes = Vec::new();
            for name in list.get_ref() {
                let mode: Mode = name
                    .parse()
                    .map_err(|error| fail(Some(list.span()), format!("{error}")))?;
                if modes.contains(&mode) {
                    return Err(fail(
                        Some(list.span()),
                        format!("mode {mode} is listed twice"),
                    ));
                }
                modes.push(mode);
            }
            if modes.is_empty() {
                return Err(fail(
                    Some(list.span()),
                    "modes is empty: list at least one of FULL_TRANS, FULL_INCR_TRANS, INCR_TRANS"
                        .to_string(),
                ));
            }
            modes
        }
    };

    let fault = match &raw.fault {
        None => None,
        Some(name) => {
            let fault: Fault = name
                .get_ref()
                .parse()
                .map_err(|error| fail(Some(name.span()), format!("{error}")))?;
            if fault.is_snapshot_fault() {
                return Err(fail(
                    Some(name.span()),
                    format!(
                        "{fault} is a fault of the engine's snapshots, which only the fuzzer takes: inject it with the fuzzer (DRS_FUZZ_FAULT={fault})"
                    ),
                ));
            }
            if fault.is_protocol_fault() && kind.is_some() {
                return Err(fail(
                    Some(name.span()),
                    format!(
                        "{fault} is a fault of the distributed control plane's protocol, which only the actor model runs: use model = \"actors\""
                    ),
                ));
            }
            if !fault.is_protocol_fault() && kind.is_none() {
                return Err(fail(
                    Some(name.span()),
                    format!(
                        "{fault} is a fault of the lifecycle, which the actor model does not inject: the actor model takes {}",
                        Fault::ALL
                            .iter()
                            .filter(|f| f.is_protocol_fault())
                            .map(|f| f.name())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
            if fault.is_engine_fault() && !is_kind(ModelKind::Conformance) {
                return Err(fail(
                    Some(name.span()),
                    format!(
                        "{fault} is a fault of the engine, which only the conformance model runs: use model = \"conformance\""
                    ),
                ));
            }
            Some(fault)
        }
    };

    let strategy = match &raw.checker.strategy {
        None => Strategy::Bfs,
        Some(name) => match name.get_ref().as_str() {
            "bfs" => Strategy::Bfs,
            "dfs" => Strategy::Dfs,
            "simulation" if kind.is_some() => {
                return Err(fail(
                    Some(name.span()),
                    "the simulation strategy is for the actor model (model = \"actors\"), whose larger configurations are past exhaustive reach".to_string(),
                ));
            }
            "simulation" => Strategy::Simulation,
            other => {
                return Err(fail(
                    Some(name.span()),
                    format!(
                        "unknown strategy {other:?}: expected \"bfs\", \"dfs\" or \"simulation\""
                    ),
                ));
            }
        },
    };
    let threads = match &raw.checker.threads {
        None => 1,
        Some(n) if (1..=64).contains(n.get_ref()) => *n.get_ref() as usize,
        Some(n) => {
            return Err(fail(
                Some(n.span()),
                format!(
                    "threads = {} is impossible: it must be between 1 and 64",
                    n.get_ref()
                ),
            ));
        }
    };
    let symmetry = match &raw.checker.symmetry {
        Some(flag) if *flag.get_ref() => {
            if strategy != Strategy::Dfs {
                return Err(fail(Some(flag.span()), "symmetry needs strategy = \"dfs\": stateright's BFS silently ignores symmetry reduction".to_string()));
            }
            if !is_kind(ModelKind::Fleet) && !is_kind(ModelKind::Lifecycle) {
                return Err(fail(Some(flag.span()), "the conformance and actor models cannot use symmetry: in the conformance model the engine's task ids are not interchangeable in its state, and in the actor model each task has its own instance actor".to_string()));
            }
            true
        }
        _ => false,
    };
    let timeout = match &raw.checker.timeout_seconds {
        None => None,
        Some(seconds) => {
            if *seconds.get_ref() < 1 {
                return Err(fail(
                    Some(seconds.span()),
                    "timeout_seconds must be at least 1".to_string(),
                ));
            }
            if threads == 1 && strategy != Strategy::Simulation {
                return Err(fail(Some(seconds.span()), "timeout_seconds needs threads >= 2: stateright ignores the timeout with one thread".to_string()));
            }
            Some(Duration::from_secs(*seconds.get_ref() as u64))
        }
    };

    let named_properties = match &raw.checker.properties {
        None => false,
        Some(mode) => match mode.get_ref().as_str() {
            "tallied" => false,
            "named" => true,
            other => {
                return Err(fail(
                    Some(mode.span()),
                    format!(
                        "unknown properties mode {other:?}: expected \"tallied\" (the model tallies every verdict, fast) or \"named\" (one stateright property per claim)"
                    ),
                ));
            }
        },
    };
    let liveness = raw
        .checker
        .liveness
        .as_ref()
        .is_some_and(|flag| *flag.get_ref());
    let simulation =
        simulation_settings(&raw.checker, &raw.expect, strategy, threads, timeout, &fail)?;

    let subject = match kind {
        Some(kind) => {
            Subject::Fleet(FleetModel::new(kind, tasks, accounts, modes).with_fault(fault))
        }
        None => Subject::Actors(actor_system(
            &raw.parameters,
            tasks,
            accounts,
            &modes,
            fault,
            liveness,
            &fail,
        )?),
    };
    let checked: Vec<ClaimId> = match &subject {
        Subject::Fleet(model) => model.claims(true).collect(),
        Subject::Actors(_) => crate::actors::claims(true).collect(),
    };

    let unique_states = match &raw.expect.unique_states {
        None => None,
        Some(n) if *n.get_ref() >= 1 => Some(*n.get_ref() as usize),
        Some(n) => {
            return Err(fail(
                Some(n.span()),
                "unique_states must be at least 1".to_string(),
            ));
        }
    };
    // Liveness holds the whole state graph in memory: refuse it up front for a model whose
    // pinned size is already past the bound, instead of after filling the memory.
    if let (true, Some(states), Some(flag)) =
        (liveness, unique_states, raw.checker.liveness.as_ref())
        && states > LIVENESS_BOUND
    {
        return Err(fail(
            Some(flag.span()),
            format!(
                "liveness needs the whole state graph in memory, at most {LIVENESS_BOUND} states, and this model pins {states}: set liveness = false, or check liveness on a smaller configuration"
            ),
        ));
    }
    let mut violations = BTreeMap::new();
    for (name, length) in &raw.expect.violations {
        let claim = match ClaimId::named(name).filter(|id| checked.contains(id)) {
            Some(claim) => claim,
            None => return Err(fail(Some(length.span()), unknown_claim(name, &checked))),
        };
        match claim.claim().kind {
            Kind::Liveness if !liveness => {
                return Err(fail(
                    Some(length.span()),
                    format!(
                        "{name:?} is a liveness property: set liveness = true under [checker] to check it"
                    ),
                ));
            }
            Kind::Reachability => {
                return Err(fail(
                    Some(length.span()),
                    format!(
                        "{name:?} is a reachability property: list it under unreached, not violations"
                    ),
                ));
            }
            _ => {}
        }
        if *length.get_ref() < 1 {
            return Err(fail(
                Some(length.span()),
                format!("the shortest counterexample of {name:?} must be at least 1 step"),
            ));
        }
        violations.insert(claim, *length.get_ref() as usize);
    }
    let mut unreached = BTreeSet::new();
    for name in &raw.expect.unreached {
        let claim = match ClaimId::named(name.get_ref()).filter(|id| checked.contains(id)) {
            Some(claim) => claim,
            None => {
                return Err(fail(
                    Some(name.span()),
                    unknown_claim(name.get_ref(), &checked),
                ));
            }
        };
        if claim.claim().kind != Kind::Reachability {
            return Err(fail(
                Some(name.span()),
                format!(
                    "{:?} is a {} property: list it under violations, not unreached",
                    name.get_ref(),
                    claim.claim().kind.word()
                ),
            ));
        }
        unreached.insert(claim);
    }

    Ok(Config {
        path: path.to_path_buf(),
        description: raw.description.unwrap_or_default(),
        subject,
        checker: CheckerSettings {
            strategy,
            threads,
            symmetry,
            timeout,
            liveness,
            named_properties,
            simulation,
        },
        expect: Expectations {
            unique_states,
            runs: raw.expect.runs.as_ref().map(|n| *n.get_ref() as usize),
            simulated: simulation.is_some(),
            violations,
            unreached,
        },
    })
}

/// The simulation's settings, and the keys only a simulation takes.
fn simulation_settings(
    checker: &RawChecker,
    expect: &RawExpect,
    strategy: Strategy,
    threads: usize,
    timeout: Option<Duration>,
    fail: &impl Fn(Option<Range<usize>>, String) -> ConfigError,
) -> Result<Option<SimulationSettings>, ConfigError> {
    let keys = [
        ("seed", checker.seed.as_ref()),
        ("max_states", checker.max_states.as_ref()),
        ("max_depth", checker.max_depth.as_ref()),
    ];
    if strategy != Strategy::Simulation {
        if let Some((key, Some(value))) = keys.iter().find(|(_, value)| value.is_some()) {
            return Err(fail(
                Some(value.span()),
                format!(
                    "{key} is a setting of the simulation: set strategy = \"simulation\", or remove it"
                ),
            ));
        }
        if let Some(runs) = &expect.runs {
            return Err(fail(
                Some(runs.span()),
                "runs is what a simulation pins: set strategy = \"simulation\", or pin unique_states".to_string(),
            ));
        }
        return Ok(None);
    }
    if let Some(states) = &expect.unique_states {
        return Err(fail(
            Some(states.span()),
            "a simulation counts the states its runs visit, not the unique states of the model: pin runs instead of unique_states".to_string(),
        ));
    }
    if let Some(flag) = checker.liveness.as_ref().filter(|flag| *flag.get_ref()) {
        return Err(fail(
            Some(flag.span()),
            "liveness is judged on the whole state graph, which a simulation does not build: set liveness = false".to_string(),
        ));
    }
    if let Some(flag) = checker.symmetry.as_ref().filter(|flag| *flag.get_ref()) {
        return Err(fail(
            Some(flag.span()),
            "the actor model cannot use symmetry (see the README's protocol section)".to_string(),
        ));
    }
    if threads != 1 {
        let span = checker.threads.as_ref().map(Spanned::span);
        return Err(fail(
            span,
            "a simulation runs on one thread, so that its seed gives the same runs every time: set threads = 1".to_string(),
        ));
    }
    let positive = |value: Option<&Spanned<i64>>, name: &str| match value {
        None => Ok(None),
        Some(n) if *n.get_ref() >= 1 => Ok(Some(*n.get_ref() as usize)),
        Some(n) => Err(fail(
            Some(n.span()),
            format!(
                "{name} = {} is impossible: it must be at least 1",
                n.get_ref()
            ),
        )),
    };
    let max_states = positive(checker.max_states.as_ref(), "max_states")?;
    let max_depth = positive(checker.max_depth.as_ref(), "max_depth")?;
    let at_strategy = checker.strategy.as_ref().map(Spanned::span);
    if max_states.is_none() && timeout.is_none() {
        return Err(fail(
            at_strategy.clone(),
            "a simulation runs until its budget is spent: set max_states (reproducible) or timeout_seconds under [checker]".to_string(),
        ));
    }
    if let (Some(runs), Some(_)) = (&expect.runs, timeout) {
        return Err(fail(
            Some(runs.span()),
            "a simulation cut by timeout_seconds runs as many runs as the machine manages: pin runs only with a max_states budget".to_string(),
        ));
    }
    if let Some(runs) = &expect.runs
        && *runs.get_ref() < 1
    {
        return Err(fail(
            Some(runs.span()),
            "runs must be at least 1".to_string(),
        ));
    }
    let Some(seed) = &checker.seed else {
        return Err(fail(
            at_strategy,
            "a simulation needs a seed under [checker] (seed = 1), so that its runs can be repeated".to_string(),
        ));
    };
    if *seed.get_ref() < 0 {
        return Err(fail(
            Some(seed.span()),
            "seed must be a non-negative integer".to_string(),
        ));
    }
    Ok(Some(SimulationSettings {
        seed: *seed.get_ref() as u64,
        max_states,
        max_depth,
    }))
}

/// The actor model's parameters.
fn actor_system(
    raw: &RawParameters,
    tasks: usize,
    accounts: usize,
    modes: &[Mode],
    fault: Option<Fault>,
    liveness: bool,
    fail: &impl Fn(Option<Range<usize>>, String) -> ConfigError,
) -> Result<ActorSystem, ConfigError> {
    let number = |value: &Option<Spanned<i64>>, name: &str, default: i64, range: Range<i64>| {
        let Some(value) = value else {
            return Ok(default);
        };
        let n = *value.get_ref();
        if !range.contains(&n) {
            return Err(fail(
                Some(value.span()),
                format!(
                    "{name} = {n} is impossible: it must be between {} and {}",
                    range.start,
                    range.end - 1
                ),
            ));
        }
        Ok(n)
    };
    let mut operations = Vec::new();
    let default_operations = ["Create", "StartNow", "Pause", "Resume", "End"];
    let (names, span): (Vec<String>, Option<Range<usize>>) = match &raw.operations {
        Some(list) => (list.get_ref().clone(), Some(list.span())),
        None => (
            default_operations.iter().map(|s| s.to_string()).collect(),
            None,
        ),
    };
    for name in &names {
        let found: Vec<Operation> = match name.as_str() {
            "Create" => modes.iter().map(|&mode| Operation::Create(mode)).collect(),
            "AccountInArrears" => vec![Operation::Arrears],
            "AccountRecharged" => vec![Operation::Recharge],
            other => {
                let event: Event = other
                    .parse()
                    .map_err(|error| fail(span.clone(), format!("operations: {error}")))?;
                if event.source() != Source::User {
                    return Err(fail(
                        span.clone(),
                        format!(
                            "operations: {other} is a report of the service, which the instances and the controller's clocks make; the client sends user operations, Create, AccountInArrears and AccountRecharged"
                        ),
                    ));
                }
                vec![Operation::Task(event)]
            }
        };
        for operation in found {
            if operations.contains(&operation) {
                return Err(fail(
                    span.clone(),
                    format!("operations: {name} is listed twice"),
                ));
            }
            operations.push(operation);
        }
    }
    if operations.is_empty() {
        return Err(fail(
            span,
            "operations is empty: list what the client may send, e.g. [\"Create\", \"StartNow\", \"Pause\"]".to_string(),
        ));
    }
    let delivery = match &raw.network {
        None => Delivery::Unordered,
        Some(name) => match name.get_ref().as_str() {
            "unordered" => Delivery::Unordered,
            "duplicating" => Delivery::Duplicating,
            "ordered" => Delivery::Ordered,
            other => {
                return Err(fail(
                    Some(name.span()),
                    format!(
                        "unknown network {other:?}: expected \"unordered\", \"duplicating\" or \"ordered\""
                    ),
                ));
            }
        },
    };
    let lossy = raw.lossy.as_ref().is_some_and(|flag| *flag.get_ref());
    if lossy && liveness {
        let span = raw.lossy.as_ref().map(Spanned::span);
        return Err(fail(
            span,
            "liveness needs fair delivery, and a lossy network may lose every message: check liveness on a configuration without loss".to_string(),
        ));
    }
    Ok(ActorSystem {
        tasks,
        accounts,
        operations,
        budget: number(&raw.budget, "budget", 4, 1..16)? as u8,
        delivery,
        lossy,
        polls: number(&raw.polls, "polls", 0, 0..8)? as u8,
        controller_restarts: number(&raw.controller_restarts, "controller_restarts", 0, 0..4)?
            as u8,
        instance_crashes: number(&raw.instance_crashes, "instance_crashes", 0, 0..4)? as u8,
        max_in_flight: number(&raw.max_in_flight, "max_in_flight", 8, 1..64)? as usize,
        max_attempts: number(&raw.max_attempts, "max_attempts", 8, 1..64)? as u8,
        fault,
        liveness,
        tally: Tally::new(),
        coverage: crate::actors::Coverage::new(),
    })
}

fn unknown_claim(name: &str, checked: &[ClaimId]) -> String {
    let names: Vec<_> = checked
        .iter()
        .map(|id| format!("{:?}", id.name()))
        .collect();
    format!(
        "this model has no property {name:?}; its properties are {}",
        names.join(", ")
    )
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}
