//! The simulation strategy finds what the exhaustive search finds: each protocol fault of the
//! actor model, from its shipped configuration, turned into a simulation on a fixed seed and
//! a stated budget of visited states. A simulation verifies nothing; what these tests show is
//! that its runs reach the violations, so a simulated configuration past exhaustive reach is
//! worth running.

use std::path::Path;

use drs_lifecycle::check::config::{SimulationSettings, Strategy};
use drs_lifecycle::check::{Config, Verdict, explore, load, run};
use drs_lifecycle::model::ClaimId;

/// A shipped fault configuration, as a simulation of `max_states` visited states from seed 1.
fn simulated(name: &str, max_states: usize) -> Config {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("models")
        .join(name);
    let mut config = load(&path).unwrap_or_else(|error| panic!("{error}"));
    config.checker.strategy = Strategy::Simulation;
    config.checker.threads = 1;
    config.checker.liveness = false;
    config.checker.simulation = Some(SimulationSettings {
        seed: 1,
        max_states: Some(max_states),
        max_depth: None,
    });
    config
}

/// The fault's claim is found broken by the simulation within the budget, and the other
/// claims are not.
fn found_by_simulation(name: &str, claim: &str, max_states: usize) {
    let config = simulated(name, max_states);
    let claim = ClaimId::named(claim).expect("a claim");
    let exploration = explore(&config, None);
    assert!(
        exploration.tally.violated(claim),
        "{name}: {claim:?} not found by {} states of simulation",
        exploration.states
    );
    assert!(exploration.runs.is_some_and(|runs| runs >= 1));
    assert!(exploration.states <= max_states + 1_000, "the budget holds");
    for other in config.claims() {
        if other != claim {
            assert!(
                !exploration.tally.violated(other) || config.expect.violations.contains_key(&other),
                "{name}: the simulation broke {other:?}, which the exhaustive search does not"
            );
        }
    }
}

const INSTANCE_RUNS: &str = "an instance runs only while its task should";

#[test]
fn simulation_finds_reports_applied_without_their_attempt() {
    found_by_simulation(
        "fault-reports-without-attempt-check.toml",
        "a stale report changes nothing",
        200_000,
    );
}

#[test]
fn simulation_finds_an_acknowledgement_before_persisting() {
    found_by_simulation(
        "fault-ack-before-persist.toml",
        "nothing acknowledged is lost",
        200_000,
    );
}

#[test]
fn simulation_finds_an_instance_resending_after_a_restart() {
    found_by_simulation(
        "fault-instance-resends-after-restart.toml",
        INSTANCE_RUNS,
        200_000,
    );
}

#[test]
fn simulation_finds_a_controller_trusting_a_poll() {
    found_by_simulation(
        "fault-controller-trusts-poll.toml",
        "a stale report changes nothing",
        2_000_000,
    );
}

#[test]
fn simulation_finds_a_retry_attempt_not_persisted() {
    found_by_simulation(
        "fault-retry-attempt-not-persisted.toml",
        INSTANCE_RUNS,
        2_000_000,
    );
}

#[test]
fn simulation_finds_a_force_end_keeping_the_attempt() {
    found_by_simulation("fault-force-end-keeps-attempt.toml", INSTANCE_RUNS, 200_000);
}

#[test]
fn simulation_finds_a_recharge_resuming_an_ended_task() {
    found_by_simulation(
        "fault-recharge-resumes-ended-task.toml",
        INSTANCE_RUNS,
        500_000,
    );
}

#[test]
fn simulation_finds_arrears_missing_a_task_in_flight() {
    found_by_simulation(
        "fault-arrears-miss-task-in-flight.toml",
        INSTANCE_RUNS,
        2_000_000,
    );
}

/// The same seed and budget give the same runs: a simulation can be repeated.
#[test]
fn a_seed_gives_the_same_runs() {
    let config = simulated("actors-every-operation.toml", 20_000);
    let first = explore(&config, None);
    let second = explore(&config, None);
    assert_eq!(first.runs, second.runs);
    assert_eq!(first.states, second.states);
    assert_eq!(first.max_depth, second.max_depth);
    let other = {
        let mut config = config.clone();
        if let Some(settings) = &mut config.checker.simulation {
            settings.seed = 2;
        }
        explore(&config, None)
    };
    assert_ne!(
        (first.runs, first.max_depth, first.coverage),
        (other.runs, other.max_depth, other.coverage),
        "another seed, other runs"
    );
}

/// A simulation never calls a claim verified: unbroken claims are "not broken", never "holds",
/// and the run is never complete.
#[test]
fn a_simulation_verifies_nothing() {
    let config = simulated("actors-ordered.toml", 5_000);
    let result = run(&config, &mut |_, _, _| {});
    assert!(!result.complete);
    assert!(result.runs.is_some());
    assert!(
        result
            .properties
            .iter()
            .all(|property| property.verdict == Verdict::Unbroken)
    );
}
