//! Running one configuration: the stateright checker, then the shortest counterexamples,
//! then the verdict against the configuration's expectations.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde::Serialize;
use stateright::{Checker, Model};

use crate::model::properties::{Kind, reached_status, safety_index};

use crate::model::{FleetModel, ModelState, Tally};
use crate::spec::{Command, account_letter};

use super::liveness::{LIVENESS_BOUND, TooLarge, check_liveness};

use super::config::{Config, Strategy};
use super::shortest::{ShortestError, Trace, shortest_counterexamples};

/// What a property turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Holds,
    Violated,
    Reached,
    Unreached,
    /// The run was cut short before this property's verdict was known.
    Unknown,
}

impl Verdict {
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Holds => "holds",
            Verdict::Violated => "violated",
            Verdict::Reached => "reached",
            Verdict::Unreached => "unreached",
            Verdict::Unknown => "unknown",
        }
    }
}

/// A task's status after a step of a counterexample.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TaskAfter {
    pub task: u64,
    pub account: String,
    pub status: String,
    pub zh: String,
    pub english: String,
}

/// One numbered step of a counterexample.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    pub number: usize,
    pub action: String,
    pub tasks: Vec<TaskAfter>,
}

/// A shortest counterexample.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Counterexample {
    pub length: usize,
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
    pub name: String,
    pub kind: &'static str,
    pub verdict: Verdict,
    pub expected: Verdict,
    pub met: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_length: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counterexample: Option<Counterexample>,
}

/// The result of checking one configuration.
#[derive(Clone, Debug, Serialize)]
pub struct RunResult {
    pub file: String,
    pub description: String,
    pub summary: String,
    pub properties: Vec<PropertyResult>,
    pub states: usize,
    pub unique_states: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_unique_states: Option<usize>,
    pub max_depth: usize,
    pub seconds: f64,
    pub unique_states_per_second: f64,
    /// Whether the search covered every reachable state. An incomplete run verifies nothing.
    pub complete: bool,
    /// Whether every expectation of the configuration was met.
    pub met: bool,
    /// What was not met, in words.
    pub failures: Vec<String>,
}

/// What the checker found, before shortest counterexamples and verdicts.
#[derive(Clone, Debug)]
pub struct Exploration {
    /// Every successor generated (a complete run expands every unique state once).
    pub states: usize,
    pub unique_states: usize,
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
}

fn drive<C: Checker<FleetModel>>(
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

fn collect<C: Checker<FleetModel>>(
    (checker, elapsed): (C, Duration),
    tally: Tally,
    registered: usize,
) -> Exploration {
    Exploration {
        states: checker.state_count(),
        unique_states: checker.unique_state_count(),
        max_depth: checker.max_depth(),
        discovered: checker.discoveries().keys().copied().collect(),
        tally,
        registered,
        elapsed,
    }
}

/// Runs the checker alone on a configuration's model, as [`run`] does before it looks for
/// shortest counterexamples and liveness: this is what the model-checking benchmarks time.
/// Without `progress` it waits for the checker's threads without polling, so the time is
/// the exploration's own.
pub fn explore(
    config: &Config,
    progress: Option<&mut dyn FnMut(usize, usize, Duration)>,
) -> Exploration {
    let settings = &config.checker;
    // The checked model tallies its verdicts itself (see `model::tally` for why), unless the
    // configuration asks for one stateright property per claim.
    let (checked, tally) = if settings.named_properties {
        (config.model.clone(), Tally::default())
    } else {
        config.model.clone().with_tally()
    };
    let registered = checked.properties().len();
    let mut builder = checked.checker().threads(settings.threads);
    if settings.symmetry {
        builder = builder.symmetry();
    }
    if let Some(timeout) = settings.timeout {
        builder = builder.timeout(timeout);
    }
    let start = Instant::now();
    match settings.strategy {
        Strategy::Bfs => collect(
            drive(builder.spawn_bfs(), progress, start),
            tally,
            registered,
        ),
        Strategy::Dfs => collect(
            drive(builder.spawn_dfs(), progress, start),
            tally,
            registered,
        ),
    }
}

/// Checks a configuration. `progress` is called every five seconds once a run has taken
/// three, with the unique states and depth so far.
pub fn run(config: &Config, progress: &mut dyn FnMut(usize, usize, Duration)) -> RunResult {
    let model = config.model.clone();
    let settings = &config.checker;
    let collected = explore(config, Some(progress));
    let (tally, registered) = (&collected.tally, collected.registered);
    let timed_out = settings
        .timeout
        .is_some_and(|timeout| collected.elapsed >= timeout);
    // Stateright stops exploring once every property it checks has a discovery; the states
    // it left were then neither checked nor tallied.
    let stopped_early = collected.discovered.len() >= registered;
    let complete = !timed_out && !stopped_early;

    // The verdicts come from the model's tally, or from stateright's discoveries when the
    // configuration asks for named properties (the other source is then empty).
    let broken = |name: &str| {
        safety_index(name).is_some_and(|i| tally.violated(i)) || collected.discovered.contains(name)
    };
    let properties = config.properties();
    let violated: Vec<_> = properties
        .iter()
        .filter(|info| info.kind == Kind::Safety && broken(info.name))
        .copied()
        .collect();
    let shortest = shortest_counterexamples(&model, &violated);

    let mut results = Vec::new();
    let mut failures = Vec::new();
    for info in &properties {
        let discovered = match info.kind {
            Kind::Reachability => {
                reached_status(info.name).is_some_and(|s| tally.reached(s))
                    || collected.discovered.contains(info.name)
            }
            Kind::Safety => broken(info.name),
        };
        let (verdict, expected) = match info.kind {
            Kind::Reachability => (
                if discovered {
                    Verdict::Reached
                } else if complete {
                    Verdict::Unreached
                } else {
                    Verdict::Unknown
                },
                if config.expect.unreached.contains(info.name) {
                    Verdict::Unreached
                } else {
                    Verdict::Reached
                },
            ),
            _ => (
                if discovered {
                    Verdict::Violated
                } else if complete {
                    Verdict::Holds
                } else {
                    Verdict::Unknown
                },
                if config.expect.violations.contains_key(info.name) {
                    Verdict::Violated
                } else {
                    Verdict::Holds
                },
            ),
        };
        let expected_length = config.expect.violations.get(info.name).copied();
        let counterexample =
            violated
                .iter()
                .position(|v| v.name == info.name)
                .map(|i| match &shortest[i] {
                    Ok(trace) => Ok(counterexample(&model, trace)),
                    Err(error) => Err(error.clone()),
                });
        let mut met = verdict == expected;
        if !met {
            failures.push(format!(
                "{:?}: expected {}, found {}",
                info.name,
                expected.word(),
                verdict.word()
            ));
        }
        let counterexample = match counterexample {
            Some(Ok(cx)) => {
                if let Some(length) = expected_length
                    && length != cx.length
                {
                    met = false;
                    failures.push(format!(
                        "{:?}: expected a shortest counterexample of {length} steps, found {}",
                        info.name, cx.length
                    ));
                }
                Some(cx)
            }
            Some(Err(ShortestError::Bound(n))) => {
                met = false;
                failures.push(format!(
                    "{:?}: no counterexample within {n} states of the shortest-path search",
                    info.name
                ));
                None
            }
            Some(Err(ShortestError::Exhausted)) => {
                met = false;
                failures.push(format!(
                    "{:?}: the checker reported a violation that the shortest-path search cannot reproduce",
                    info.name
                ));
                None
            }
            None => None,
        };
        results.push(PropertyResult {
            name: info.name.to_string(),
            kind: match info.kind {
                Kind::Reachability => "reachability",
                Kind::Safety => "safety",
            },
            verdict,
            expected,
            met,
            expected_length,
            counterexample,
        });
    }
    if config.checker.liveness {
        liveness_results(config, &model, &mut results, &mut failures);
    }
    if timed_out {
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
    }
}

fn liveness_results(
    config: &Config,
    model: &FleetModel,
    results: &mut Vec<PropertyResult>,
    failures: &mut Vec<String>,
) {
    let checked = match check_liveness(model, LIVENESS_BOUND) {
        Ok(checked) => checked,
        Err(TooLarge(bound)) => {
            failures.push(format!(
                "liveness needs the whole state graph in memory and this model has more than {bound} states: turn liveness off for it"
            ));
            return;
        }
    };
    for result in checked {
        let verdict = if result.counterexample.is_some() {
            Verdict::Violated
        } else {
            Verdict::Holds
        };
        let expected_length = config.expect.violations.get(result.name).copied();
        let expected = if expected_length.is_some() {
            Verdict::Violated
        } else {
            Verdict::Holds
        };
        let mut met = verdict == expected;
        if !met {
            failures.push(format!(
                "{:?}: expected {}, found {}",
                result.name,
                expected.word(),
                verdict.word()
            ));
        }
        let counterexample = result.counterexample.map(|lasso| {
            let mut steps: Vec<(Command, ModelState)> = lasso.prefix.clone();
            steps.extend(lasso.cycle.iter().cloned());
            let trace = Trace {
                init: lasso.init.clone(),
                steps,
            };
            let mut cx = counterexample(model, &trace);
            cx.cycle_start = Some(lasso.prefix.len() + 1);
            cx.stuck = Some(lasso.stuck.clone());
            cx
        });
        if let (Some(length), Some(cx)) = (expected_length, &counterexample)
            && length != cx.length
        {
            met = false;
            failures.push(format!(
                "{:?}: expected a counterexample of {length} steps, found {}",
                result.name, cx.length
            ));
        }
        results.push(PropertyResult {
            name: result.name.to_string(),
            kind: "liveness",
            verdict,
            expected,
            met,
            expected_length,
            counterexample,
        });
    }
}

fn counterexample(model: &FleetModel, trace: &Trace) -> Counterexample {
    let steps = trace
        .steps
        .iter()
        .enumerate()
        .map(|(i, (command, state))| Step {
            number: i + 1,
            action: model.format_action(command),
            tasks: tasks_after(state),
        })
        .collect();
    Counterexample {
        length: trace.steps.len(),
        steps,
        cycle_start: None,
        stuck: None,
    }
}

fn tasks_after(state: &ModelState) -> Vec<TaskAfter> {
    state
        .world
        .fleet
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
