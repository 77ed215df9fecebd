//! Every shipped configuration in `models/` is checked, and its expectations (pinned state
//! counts, violations with their shortest counterexample lengths, unreached statuses) must
//! be met. Configurations under `models/heavy/` are not part of the default suite (see the
//! README); they run with `drs-lifecycle check models/heavy/*.toml`.
//!
//! Each configuration is checked once per test run: the results are cached, so the tests
//! that look at the same configuration from several sides (its own expectations, symmetry
//! against the full run, the committed model-check report) share one check.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use drs_lifecycle::check::{Config, RunResult, Verdict, configurations_in, load, run};
use drs_lifecycle::report::models::{self, Entry};

/// A configuration and the result of checking it.
struct Checked {
    config: Config,
    result: RunResult,
}

fn check_uncached(name: &str) -> Checked {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("models")
        .join(name);
    let config = load(&path).unwrap_or_else(|error| panic!("{error}"));
    let result = run(&config, &mut |_, _, _| {});
    assert!(
        result.met,
        "{} did not meet its expectations:\n{}",
        name,
        result.failures.join("\n")
    );
    // A simulation samples and is never complete; every other configuration must be.
    assert!(
        result.complete || config.checker.simulates(),
        "{name} was cut short"
    );
    Checked { config, result }
}

/// The checked configuration, from the cache; checked now if no test has yet.
fn checked(name: &str) -> &'static Checked {
    let index = TESTED
        .iter()
        .position(|tested| *tested == name)
        .unwrap_or_else(|| panic!("{name} has no test line in tests/models.rs"));
    CACHE[index].get_or_init(|| check_uncached(name))
}

fn check(name: &str) -> &'static RunResult {
    &checked(name).result
}

macro_rules! configurations {
    ($($test:ident => $file:literal,)*) => {
        $(
            #[test]
            fn $test() {
                check($file);
            }
        )*

        const TESTED: &[&str] = &[$($file),*];

        static CACHE: [OnceLock<Checked>; TESTED.len()] = [const { OnceLock::new() }; TESTED.len()];
    };
}

configurations! {
    lifecycle_meets_every_property => "lifecycle.toml",
    full_only_lifecycle_never_reaches_incremental => "lifecycle-full-only.toml",
    incremental_only_lifecycle_never_reaches_full => "lifecycle-incremental-only.toml",
    fleet_of_two_tasks_over_two_accounts_meets_every_property => "fleet-2x2.toml",
    fleet_of_three_tasks_over_two_accounts_meets_every_property => "fleet-3x2.toml",
    fleet_of_three_tasks_with_symmetry_meets_every_property => "fleet-3x2-symmetry.toml",
    fleet_of_four_tasks_with_symmetry_meets_every_property => "fleet-4x1-symmetry.toml",
    engine_conforms_on_one_task => "conformance-1x1.toml",
    engine_conforms_on_two_tasks_over_two_accounts => "conformance-2x2.toml",
    engine_conforms_on_three_tasks_over_two_accounts => "conformance-3x2.toml",
    late_report_reviving_a_deleted_task_is_caught => "fault-deleted-revived-by-late-report.toml",
    ended_task_restarting_is_caught => "fault-ended-restarts.toml",
    ended_task_restarting_is_caught_in_a_fleet => "fault-ended-restarts-fleet.toml",
    ended_task_restarting_is_caught_with_symmetry => "fault-ended-restarts-fleet-symmetry.toml",
    delete_while_running_is_caught => "fault-delete-while-running.toml",
    recharge_leaving_a_task_frozen_is_caught => "fault-recharge-leaves-task-frozen.toml",
    unfreeze_forgetting_the_status_is_caught => "fault-unfreeze-forgets-status.toml",
    duplicate_instance_report_is_caught => "fault-duplicate-instance-report.toml",
    release_done_landing_on_end_failed_is_caught => "fault-release-done-lands-on-end-failed.toml",
    full_only_task_continuing_to_incremental_is_caught => "fault-full-only-continues-to-incremental.toml",
    lost_creation_report_deadlock_is_caught => "fault-creation-report-lost.toml",
    refused_schedule_start_leaves_waiting_unreached => "fault-schedule-start-refused.toml",
    release_retrying_forever_breaks_liveness => "fault-release-error-requeues.toml",
    hanging_recovery_breaks_liveness => "fault-recovery-hangs.toml",
    force_end_accepted_while_creating_is_caught => "fault-force-end-in-creating.toml",
    version_one_recovery_error_rule_is_caught => "fault-recovery-error-lands-on-phase-failed.toml",
    late_start_report_after_an_end_is_caught => "fault-late-start-report-after-force-end.toml",
    full_only_task_paused_after_full_complete_is_caught => "fault-full-only-paused-after-full-complete.toml",
    engine_pausing_a_frozen_task_is_caught => "fault-engine-pauses-frozen-task.toml",
    engine_refusal_bumping_a_version_is_caught => "fault-engine-refusal-bumps-version.toml",
    engine_reusing_a_deleted_id_is_caught => "fault-engine-reuses-deleted-id.toml",
    engine_late_report_undoing_a_pause_is_caught => "fault-engine-late-report-undoes-pause.toml",
    actor_protocol_meets_every_claim_and_liveness => "actors.toml",
    actor_protocol_survives_a_duplicating_network => "actors-duplicating.toml",
    actor_protocol_holds_over_ordered_channels => "actors-ordered.toml",
    actor_protocol_survives_a_lossy_network_with_polls_and_resends => "actors-lossy.toml",
    actor_protocol_survives_controller_restarts_and_instance_crashes => "actors-restarts.toml",
    actor_protocol_stops_frozen_instances_and_resumes_them => "actors-billing.toml",
    reports_applied_without_their_attempt_are_caught => "fault-reports-without-attempt-check.toml",
    acknowledging_before_persisting_is_caught => "fault-ack-before-persist.toml",
    instance_resending_after_a_restart_is_caught => "fault-instance-resends-after-restart.toml",
    controller_trusting_a_poll_is_caught => "fault-controller-trusts-poll.toml",
    actor_protocol_meets_every_claim_under_every_operation => "actors-every-operation.toml",
    actor_protocol_meets_every_claim_under_every_operation_over_ordered_channels => "actors-every-operation-ordered.toml",
    actor_protocol_freezes_both_tasks_of_an_account_with_reports_in_flight => "actors-two-tasks.toml",
    actor_protocol_keeps_two_accounts_apart => "actors-two-accounts.toml",
    actor_protocol_simulated_past_exhaustive_reach_breaks_no_claim => "actors-simulation.toml",
    retry_attempt_not_persisted_is_caught => "fault-retry-attempt-not-persisted.toml",
    force_end_keeping_the_attempt_is_caught => "fault-force-end-keeps-attempt.toml",
    recharge_resuming_an_ended_task_is_caught => "fault-recharge-resumes-ended-task.toml",
    arrears_missing_a_task_in_flight_is_caught => "fault-arrears-miss-task-in-flight.toml",
}

#[test]
fn every_shipped_configuration_has_a_test() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models");
    let shipped: Vec<String> = configurations_in(&dir)
        .expect("models/ is readable")
        .iter()
        .filter_map(|path| path.file_name()?.to_str().map(str::to_string))
        .collect();
    let mut tested: Vec<String> = TESTED.iter().map(|name| name.to_string()).collect();
    tested.sort();
    assert_eq!(
        shipped, tested,
        "add a test line for each configuration in models/"
    );
}

/// Every claim names the fault that must break it, and a shipped fault configuration (or,
/// for the snapshot claim, which only the fuzzer judges, `tests/fuzz.rs`) shows it doing so.
/// Reachability claims name none: `lifecycle-full-only.toml`, `lifecycle-incremental-only.toml`
/// and `fault-schedule-start-refused.toml` show those can fail.
#[test]
fn every_claim_is_broken_by_a_shipped_fault_configuration() {
    use drs_lifecycle::model::claims::Judge;
    use drs_lifecycle::model::{CLAIMS, ClaimId, Kind};
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models");
    let configs: Vec<_> = configurations_in(&dir)
        .expect("models/ is readable")
        .iter()
        .map(|path| load(path).expect("shipped configurations load"))
        .collect();
    for claim in &CLAIMS {
        let id = ClaimId::named(claim.name).expect("every claim is found by its name");
        // History claims are broken by a simulated service fault or a committed trace:
        // `tests/history_api.rs` holds them to it.
        if claim.kind == Kind::Reachability
            || matches!(claim.judge, Judge::SnapshotRoundTrip | Judge::History(_))
        {
            continue;
        }
        let fault = claim
            .broken_by
            .unwrap_or_else(|| panic!("{claim:?} names no fault that breaks it"));
        let shipped = configs.iter().any(|config| {
            config.fault() == Some(fault) && config.expect.violations.contains_key(&id)
        });
        assert!(
            shipped,
            "no configuration injects {fault} and expects {:?} to be violated",
            claim.name
        );
    }
    let unreached: usize = configs.iter().map(|c| c.expect.unreached.len()).sum();
    assert!(unreached > 0, "some configuration shows a status unreached");
}

#[test]
fn symmetry_reduction_finds_the_same_violations_with_the_same_shortest_counterexamples() {
    let full = check("fault-ended-restarts-fleet.toml");
    let reduced = check("fault-ended-restarts-fleet-symmetry.toml");
    let violations = |result: &RunResult| -> Vec<(&str, Option<usize>)> {
        result
            .properties
            .iter()
            .filter(|p| p.verdict == Verdict::Violated)
            .map(|p| (p.name, p.counterexample.as_ref().map(|cx| cx.length)))
            .collect()
    };
    assert!(!violations(full).is_empty());
    assert_eq!(violations(full), violations(reduced));
    assert!(reduced.unique_states < full.unique_states / 3);
}

#[test]
fn ended_restart_counterexample_is_the_known_shortest_path() {
    let result = check("fault-ended-restarts.toml");
    let property = result
        .properties
        .iter()
        .find(|p| p.name == "ended is terminal")
        .expect("the property is checked");
    let cx = property.counterexample.as_ref().expect("a counterexample");
    let actions: Vec<&str> = cx.steps.iter().map(|step| step.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "account A · create(FULL_TRANS)",
            "task 1 · instance ready",
            "task 1 · end",
            "task 1 · release begun",
            "task 1 · release done",
            "task 1 · start now",
        ]
    );
    let last = cx.steps.last().expect("six steps");
    assert_eq!(last.tasks[0].zh, "启动中");
    assert_eq!(last.tasks[0].english, "Starting");
}

/// `reports/model-check.md` is generated by `drs-lifecycle report models`; its results (all
/// but the timings) must be what checking the shipped configurations gives now.
#[test]
fn committed_model_check_report_matches_the_results() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let files = configurations_in(&root.join("models")).expect("models/ is readable");
    let entries: Vec<Entry> = files
        .iter()
        .map(|path| {
            let name = path
                .file_name()
                .and_then(|name| name.to_str())
                .expect("a file name");
            let checked = checked(name);
            Entry {
                config: &checked.config,
                result: &checked.result,
            }
        })
        .collect();
    let skipped: Vec<String> = configurations_in(&root.join("models").join("heavy"))
        .unwrap_or_default()
        .iter()
        .map(|path| models::display_name(path))
        .collect();
    let expected = models::render(&entries, &skipped, None);
    let path = root.join("reports").join("model-check.md");
    let committed = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    let committed = models::results_part(&committed);
    if committed != expected {
        let line = committed
            .lines()
            .zip(expected.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(expected.lines().count()));
        panic!(
            "reports/model-check.md is out of date (first difference at line {}: committed {:?}, now {:?}); regenerate it with `{}`",
            line + 1,
            committed.lines().nth(line).unwrap_or("<end>"),
            expected.lines().nth(line).unwrap_or("<end>"),
            models::REGENERATE
        );
    }
}

/// `check` tallies verdicts inside the model for speed (see `model::tally`); with
/// `properties = "named"` stateright checks one named property per claim, as the Explorer
/// does. Both must give the same verdicts and the same state counts, on correct models, with
/// every kind of fault, with symmetry, and in lockstep with the engine.
#[test]
fn named_stateright_properties_give_the_same_verdicts_as_the_tally() {
    let verdicts = |result: &RunResult| -> Vec<(&str, Verdict, Option<usize>)> {
        result
            .properties
            .iter()
            .map(|p| {
                (
                    p.name,
                    p.verdict,
                    p.counterexample.as_ref().map(|cx| cx.length),
                )
            })
            .collect()
    };
    for name in [
        "lifecycle.toml",
        "lifecycle-full-only.toml",
        "fleet-2x2.toml",
        "fault-ended-restarts-fleet-symmetry.toml",
        "fault-creation-report-lost.toml",
        "fault-schedule-start-refused.toml",
        "fault-recharge-leaves-task-frozen.toml",
        "fault-engine-reuses-deleted-id.toml",
        "conformance-2x2.toml",
    ] {
        let tallied = checked(name);
        let mut config = tallied.config.clone();
        config.checker.named_properties = true;
        let named = run(&config, &mut |_, _, _| {});
        assert!(
            named.met,
            "{name} with named properties: {:?}",
            named.failures
        );
        assert_eq!(named.unique_states, tallied.result.unique_states, "{name}");
        assert_eq!(verdicts(&named), verdicts(&tallied.result), "{name}");
    }
}

/// The README shows the trusting controller's counterexample as a sequence of messages: the
/// late poll answer is the last step, from an attempt older than the task's.
#[test]
fn a_trusted_late_poll_answer_is_the_last_message_of_its_counterexample() {
    let stale = counterexample_of(
        "fault-controller-trusts-poll.toml",
        "a stale report changes nothing",
    );
    let steps: Vec<&str> = stale.steps.iter().map(|s| s.action.as_str()).collect();
    assert_eq!(
        steps.last().copied(),
        Some("instance 1 → controller: task 1 attempt 2: migrating"),
        "{steps:#?}"
    );
    assert!(steps.contains(&"client → controller: request 3: task 1 · Retry"));
    let after = |i: usize| stale.steps[i].tasks[0].status.as_str();
    assert_eq!(
        (after(14), after(15), after(16)),
        ("StartFailed", "Starting", "FullMigration")
    );
}

/// A restarted controller that lost an acknowledged change is caught at the restart.
#[test]
fn a_lost_acknowledgement_shows_at_the_restart() {
    let lost = counterexample_of(
        "fault-ack-before-persist.toml",
        "nothing acknowledged is lost",
    );
    let steps: Vec<&str> = lost.steps.iter().map(|s| s.action.as_str()).collect();
    assert_eq!(
        steps.last().copied(),
        Some("controller restarts"),
        "{steps:#?}"
    );
    assert!(steps.contains(&"controller → client: reply 1: accepted (#1)"));
}

/// The shortest counterexample a shipped configuration gives a claim.
fn counterexample_of(
    file: &str,
    claim: &str,
) -> &'static drs_lifecycle::check::run::Counterexample {
    check(file)
        .properties
        .iter()
        .find(|p| p.name == claim)
        .and_then(|p| p.counterexample.as_ref())
        .unwrap_or_else(|| panic!("{file} gives {claim:?} no counterexample"))
}

const INSTANCE_RUNS: &str = "an instance runs only while its task should";

/// The retry's attempt number was not saved: the break shows at the controller's restart,
/// after the retry was answered.
#[test]
fn an_unsaved_retry_attempt_shows_at_the_restart() {
    let cx = counterexample_of("fault-retry-attempt-not-persisted.toml", INSTANCE_RUNS);
    let steps: Vec<&str> = cx.steps.iter().map(|s| s.action.as_str()).collect();
    let retry = steps
        .iter()
        .position(|s| s.ends_with("task 1 · Retry"))
        .expect("a retry");
    let restart = steps
        .iter()
        .position(|s| *s == "controller restarts")
        .expect("a restart");
    assert!(retry < restart, "{steps:#?}");
    assert_eq!(
        cx.steps.last().map(|s| s.tasks[0].status.as_str()),
        Some("Starting")
    );
}

/// A force end without a new attempt leaves the instance starting for an ending task.
#[test]
fn a_force_end_without_a_new_attempt_leaves_the_instance_starting() {
    let cx = counterexample_of("fault-force-end-keeps-attempt.toml", INSTANCE_RUNS);
    let last = cx.steps.last().expect("steps");
    assert_eq!(
        last.action,
        "client → controller: request 3: task 1 · ForceEnd"
    );
    assert_eq!(last.tasks[0].status, "EndRequested");
}

/// The task's retention expired while it was frozen; the recharge resumes its instance.
#[test]
fn a_recharge_resumes_the_instance_of_a_task_ended_while_frozen() {
    let cx = counterexample_of("fault-recharge-resumes-ended-task.toml", INSTANCE_RUNS);
    let steps: Vec<&str> = cx.steps.iter().map(|s| s.action.as_str()).collect();
    let expired = steps
        .iter()
        .position(|s| s.contains("RetentionExpired"))
        .expect("retention expires");
    let recharge = steps
        .iter()
        .position(|s| s.ends_with("recharge"))
        .expect("a recharge");
    assert!(expired < recharge, "{steps:#?}");
    let last = cx.steps.last().expect("steps");
    assert!(last.action.contains("run full"), "{steps:#?}");
    assert_ne!(last.tasks[0].status, "FullMigration");
}

/// Of two tasks of one account, the second is frozen by its late start report, after the
/// first was frozen: its instance is not stopped.
#[test]
fn arrears_miss_the_task_whose_report_was_in_flight() {
    let cx = counterexample_of("fault-arrears-miss-task-in-flight.toml", INSTANCE_RUNS);
    let steps: Vec<&str> = cx.steps.iter().map(|s| s.action.as_str()).collect();
    let arrears = steps
        .iter()
        .position(|s| s.ends_with("arrears"))
        .expect("arrears");
    let last = cx.steps.last().expect("steps");
    assert!(last.action.ends_with("StartSucceeded"), "{steps:#?}");
    assert!(arrears < steps.len() - 1);
    let statuses: Vec<&str> = last.tasks.iter().map(|t| t.status.as_str()).collect();
    assert_eq!(statuses, ["Frozen", "Frozen"]);
}

/// The configuration of every operation applies each of them somewhere: every user
/// operation and both billing events are applied by its controller from some status.
#[test]
fn every_operation_is_applied_in_the_configuration_of_every_operation() {
    use drs_lifecycle::spec::Event;
    let coverage = check("actors-every-operation.toml")
        .coverage
        .as_ref()
        .expect("an actor configuration notes its coverage");
    for event in Event::KINDS {
        if event.is_user_operation()
            || matches!(event, Event::AccountInArrears | Event::AccountRecharged)
        {
            assert!(
                coverage
                    .applied
                    .iter()
                    .any(|pair| pair.event.index() == event.index()),
                "{event:?} is never applied"
            );
        }
    }
    let specified = drs_lifecycle::actors::coverage::specified();
    for pair in &coverage.applied {
        assert!(
            specified.contains(pair),
            "{pair} is applied but not specified"
        );
    }
}

/// With two accounts, arrears freeze and recharges resume tasks (that each account's billing
/// reaches its own task only is the lockstep conformance claims' business, judged in every
/// state).
#[test]
fn two_accounts_freeze_and_resume_their_tasks() {
    use drs_lifecycle::spec::{Event, Status};
    let coverage = check("actors-two-accounts.toml")
        .coverage
        .as_ref()
        .expect("coverage");
    assert!(
        coverage.applied.iter().any(
            |pair| pair.event == Event::AccountRecharged && pair.status == Some(Status::Frozen)
        )
    );
    assert!(
        coverage
            .applied
            .iter()
            .any(|pair| pair.event == Event::AccountInArrears)
    );
}
