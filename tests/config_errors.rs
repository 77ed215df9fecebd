//! A malformed configuration is an error that names the file and the line, and says what to
//! do; it never panics and never runs.

use std::path::Path;

use drs_lifecycle::check::config::parse;

fn error_of(text: &str) -> String {
    match parse(Path::new("models/broken.toml"), text) {
        Ok(_) => panic!("the configuration was accepted:\n{text}"),
        Err(error) => error.to_string(),
    }
}

fn assert_error(text: &str, line: usize, words: &str) {
    let message = error_of(text);
    let prefix = format!("models/broken.toml:{line}: ");
    assert!(
        message.starts_with(&prefix),
        "{message:?} should start with {prefix:?}"
    );
    assert!(
        message.contains(words),
        "{message:?} should mention {words:?}"
    );
    assert!(!message.contains('\n'), "{message:?} should be one line");
}

#[test]
fn unknown_key_names_its_line() {
    assert_error(
        "model = \"fleet\"\n[parameters]\ntasks = 2\ntaks = 3\n",
        4,
        "unknown field `taks`",
    );
}

#[test]
fn wrong_type_names_its_line() {
    assert_error(
        "model = \"fleet\"\n[parameters]\ntasks = \"two\"\n",
        3,
        "invalid type",
    );
}

#[test]
fn too_many_tasks_is_impossible() {
    assert_error(
        "model = \"fleet\"\n[parameters]\ntasks = 9\n",
        3,
        "between 1 and 8",
    );
}

#[test]
fn zero_accounts_is_impossible() {
    assert_error(
        "model = \"fleet\"\n[parameters]\naccounts = 0\n",
        3,
        "between 1 and 4",
    );
}

#[test]
fn lifecycle_has_exactly_one_task() {
    assert_error(
        "model = \"lifecycle\"\n\n[parameters]\ntasks = 2\n",
        4,
        "use model = \"fleet\"",
    );
}

#[test]
fn unknown_model_is_named() {
    assert_error("model = \"fleets\"\n", 1, "unknown model \"fleets\"");
}

#[test]
fn unknown_mode_lists_the_modes() {
    assert_error(
        "model = \"fleet\"\n[parameters]\nmodes = [\"FULL\", \"CDC\"]\n",
        3,
        "FULL_INCR_TRANS",
    );
}

#[test]
fn unknown_fault_lists_the_faults() {
    assert_error(
        "model = \"lifecycle\"\nfault = \"explode\"\n",
        2,
        "ended-restarts",
    );
}

#[test]
fn engine_fault_needs_the_conformance_model() {
    assert_error(
        "model = \"fleet\"\nfault = \"engine-pauses-frozen-task\"\n",
        2,
        "model = \"conformance\"",
    );
}

#[test]
fn symmetry_needs_dfs() {
    assert_error(
        "model = \"fleet\"\n[checker]\nsymmetry = true\n",
        3,
        "BFS silently ignores",
    );
}

#[test]
fn conformance_refuses_symmetry() {
    assert_error(
        "model = \"conformance\"\n[checker]\nstrategy = \"dfs\"\nsymmetry = true\n",
        4,
        "cannot use symmetry",
    );
}

#[test]
fn timeout_needs_two_threads() {
    assert_error(
        "model = \"fleet\"\n[checker]\ntimeout_seconds = 5\n",
        3,
        "threads >= 2",
    );
}

#[test]
fn unknown_property_in_expectations_lists_the_properties() {
    assert_error(
        "model = \"lifecycle\"\n[expect]\nviolations = { \"ended is final\" = 3 }\n",
        3,
        "ended is terminal",
    );
}

#[test]
fn reachability_property_is_not_a_violation() {
    assert_error(
        "model = \"lifecycle\"\n[expect]\nviolations = { \"reaches 冻结 Frozen\" = 3 }\n",
        3,
        "list it under unreached",
    );
}

#[test]
fn conformance_properties_need_the_conformance_model() {
    assert_error(
        "model = \"fleet\"\n[expect]\nviolations = { \"engine refines the specification\" = 3 }\n",
        3,
        "no property",
    );
}

#[test]
fn malformed_toml_names_its_line() {
    assert_error("model = \"fleet\"\n[parameters\n", 2, "");
}

#[test]
fn a_good_configuration_loads() {
    let config = parse(
        Path::new("models/good.toml"),
        "model = \"fleet\"\n[parameters]\ntasks = 2\naccounts = 2\n[checker]\nstrategy = \"dfs\"\nthreads = 2\nsymmetry = true\n",
    )
    .expect("loads");
    assert_eq!(config.fleet().expect("a fleet configuration").tasks(), 2);
    assert!(config.checker.symmetry);
}

#[test]
fn unknown_properties_mode_is_named() {
    assert_error(
        "model = \"lifecycle\"\n[checker]\nproperties = \"fast\"\n",
        3,
        "expected \"tallied\"",
    );
}

#[test]
fn liveness_on_a_model_pinned_past_the_bound_is_refused_up_front() {
    assert_error(
        "model = \"fleet\"\n[checker]\nliveness = true\n[expect]\nunique_states = 5085940\n",
        3,
        "whole state graph",
    );
}

#[test]
fn a_snapshot_fault_is_for_the_fuzzer() {
    assert_error(
        "model = \"conformance\"\nfault = \"engine-snapshot-drops-versions\"\n",
        2,
        "only the fuzzer",
    );
}

#[test]
fn actor_model_refuses_symmetry() {
    assert_error(
        "model = \"actors\"\n[checker]\nstrategy = \"dfs\"\nsymmetry = true\n",
        4,
        "actor models cannot use symmetry",
    );
}

#[test]
fn actor_parameters_belong_to_the_actor_model() {
    assert_error(
        "model = \"fleet\"\n[parameters]\nbudget = 3\n",
        3,
        "budget is a parameter of the actor model",
    );
}

#[test]
fn actor_model_needs_a_task_per_account() {
    assert_error(
        "model = \"actors\"\n[parameters]\naccounts = 2\n",
        3,
        "accounts = 2 needs tasks = 2",
    );
    assert_error(
        "model = \"actors\"\n[parameters]\ntasks = 2\naccounts = 3\n",
        4,
        "between 1 and 2",
    );
}

const SIMULATION: &str = "model = \"actors\"\n[checker]\nstrategy = \"simulation\"\n";

#[test]
fn a_simulation_needs_a_seed_and_a_budget() {
    assert_error(
        &format!("{SIMULATION}max_states = 1000\n"),
        3,
        "needs a seed",
    );
    assert_error(&format!("{SIMULATION}seed = 1\n"), 3, "set max_states");
    assert_error(
        &format!("{SIMULATION}seed = -1\nmax_states = 1000\n"),
        4,
        "non-negative",
    );
    assert_error(
        &format!("{SIMULATION}seed = 1\nmax_states = 0\n"),
        5,
        "max_states = 0 is impossible",
    );
}

#[test]
fn a_simulation_pins_runs_not_unique_states() {
    assert_error(
        &format!("{SIMULATION}seed = 1\nmax_states = 1000\n[expect]\nunique_states = 5\n"),
        7,
        "pin runs instead",
    );
    assert_error(
        "model = \"actors\"\n[expect]\nruns = 5\n",
        3,
        "runs is what a simulation pins",
    );
    assert_error(
        &format!("{SIMULATION}seed = 1\ntimeout_seconds = 5\n[expect]\nruns = 5\n"),
        7,
        "pin runs only with a max_states budget",
    );
}

#[test]
fn simulation_settings_belong_to_a_simulation_of_the_actor_model() {
    assert_error(
        "model = \"actors\"\n[checker]\nseed = 1\n",
        3,
        "seed is a setting of the simulation",
    );
    assert_error(
        "model = \"fleet\"\n[checker]\nstrategy = \"simulation\"\n",
        3,
        "for the actor model",
    );
    assert_error(
        &format!("{SIMULATION}threads = 2\nseed = 1\nmax_states = 1000\n"),
        4,
        "set threads = 1",
    );
    assert_error(
        &format!("{SIMULATION}seed = 1\nmax_states = 1000\nliveness = true\n"),
        6,
        "set liveness = false",
    );
}

#[test]
fn actor_operations_are_user_operations_creation_or_billing() {
    assert_error(
        "model = \"actors\"\n[parameters]\noperations = [\"Create\", \"FullDone\"]\n",
        3,
        "report of the service",
    );
    assert_error(
        "model = \"actors\"\n[parameters]\noperations = [\"Create\", \"Pawse\"]\n",
        3,
        "Pawse",
    );
}

#[test]
fn actor_liveness_needs_fair_delivery() {
    assert_error(
        "model = \"actors\"\n[parameters]\nlossy = true\n[checker]\nliveness = true\n",
        3,
        "fair delivery",
    );
}

#[test]
fn protocol_faults_need_the_actor_model_and_lifecycle_faults_the_others() {
    assert_error(
        "model = \"fleet\"\nfault = \"ack-before-persist\"\n",
        2,
        "use model = \"actors\"",
    );
    assert_error(
        "model = \"actors\"\nfault = \"ended-restarts\"\n",
        2,
        "the actor model does not inject",
    );
}

#[test]
fn actor_bounds_are_checked() {
    assert_error(
        "model = \"actors\"\n[parameters]\ntasks = 3\n",
        3,
        "between 1 and 2",
    );
    assert_error(
        "model = \"actors\"\n[parameters]\nbudget = 0\n",
        3,
        "budget = 0 is impossible",
    );
    assert_error(
        "model = \"actors\"\n[parameters]\nnetwork = \"carrier pigeon\"\n",
        3,
        "unknown network",
    );
}
