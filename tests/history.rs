//! `validate` and `simulate` from the outside: clean and faulty simulated fleets, the
//! hand-written histories of tests/traces/, and every kind of malformed input with its exit
//! status and one-line message.

mod cli_support;
use cli_support::{drs, stderr, stdout, temp_in};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn temp(name: &str) -> PathBuf {
    temp_in("history", name)
}

fn write(name: &str, text: &str) -> String {
    let path = temp(name);
    std::fs::write(&path, text).expect("write");
    path.display().to_string()
}

/// Simulates into a file and validates it.
fn simulate_and_validate(name: &str, sim: &[&str], validate: &[&str]) -> Output {
    let path = temp(name).display().to_string();
    let out = drs(&[&["simulate", "--output", &path][..], sim].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    drs(&[&["validate", &path][..], validate].concat())
}

const FAULT_FLEET: [&str; 10] = [
    "--tasks",
    "400",
    "--days",
    "7",
    "--seed",
    "1",
    "--poll-every",
    "120",
    "--jitter",
    "10",
];

#[test]
fn a_clean_simulated_fleet_of_thousands_of_tasks_has_no_violation() {
    let sim = [
        "--tasks",
        "3000",
        "--days",
        "3",
        "--seed",
        "2",
        "--poll-every",
        "600",
        "--jitter",
        "30",
    ];
    let out = simulate_and_validate("clean.jsonl", &sim, &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.starts_with("773,742 records of 3,000 jobs"), "{text}");
    assert!(
        text.contains("3,000 consistent, 0 with a violation"),
        "{text}"
    );
}

fn caught(fault: &str, expected: &str) {
    let sim = [&FAULT_FLEET[..], &["--service-fault", fault]].concat();
    let out = simulate_and_validate(&format!("{fault}.jsonl"), &sim, &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{fault}: {text}");
    // Places are `file:line`.
    let file = temp(&format!("{fault}.jsonl")).display().to_string();
    let expected = &expected.replace("{file}", &file);
    assert!(
        text.contains(expected),
        "{fault}: expected {expected:?} in\n{text}"
    );
}

#[test]
fn a_deleted_task_that_reappears_is_caught_where_it_first_shows() {
    caught(
        "deleted-reappears",
        "violation 1 of 1: job job-000018 at {file}:1130: deleted task never reappears",
    );
}

#[test]
fn an_ended_task_that_restarts_is_caught_where_it_first_shows() {
    caught(
        "ended-restarts",
        "violation 1 of 1: job job-000306 at {file}:534: ended is terminal",
    );
}

#[test]
fn a_pause_undone_by_a_late_report_is_caught_where_it_first_shows() {
    caught(
        "pause-undone",
        "violation 1 of 1: job job-000345 at {file}:29044: a paused task moves only on a user's resume, reset or end",
    );
}

#[test]
fn a_frozen_task_that_keeps_migrating_is_caught_where_it_first_shows() {
    caught(
        "frozen-keeps-migrating",
        "violation 1 of 1: job job-000026 at {file}:58547: a frozen task moves only on recharge or retention expiry",
    );
}

#[test]
fn an_ignored_force_end_is_caught_at_the_first_poll_past_the_bound() {
    caught(
        "force-end-ignored",
        "violation 1 of 1: job job-000070 at {file}:21357: an accepted command takes effect",
    );
}

#[test]
fn the_same_arguments_write_the_same_history() {
    let a = drs(&["simulate", "--tasks", "50", "--days", "2", "--seed", "9"]);
    let b = drs(&["simulate", "--tasks", "50", "--days", "2", "--seed", "9"]);
    assert!(a.status.success());
    assert_eq!(a.stdout, b.stdout);
    let c = drs(&["simulate", "--tasks", "50", "--days", "2", "--seed", "10"]);
    assert_ne!(a.stdout, c.stdout);
}

#[test]
fn simulate_draws_the_fleet_as_svg() {
    let svg = temp("fleet.svg");
    let out = drs(&[
        "simulate",
        "--tasks",
        "100",
        "--days",
        "2",
        "--svg",
        &svg.display().to_string(),
    ]);
    assert!(out.status.success());
    let text = std::fs::read_to_string(&svg).expect("the SVG was written");
    assert!(
        text.starts_with("<svg")
            && text.contains("incremental migration")
            && text.contains("<polygon")
    );
}

#[test]
fn an_impossible_simulation_is_a_one_line_error() {
    let out = drs(&["simulate", "--tasks", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim(),
        "drs-lifecycle: --tasks 0 is impossible: 1 to 10000000"
    );
}

fn trace(name: &str, extra: &[&str]) -> Output {
    drs(&[&["validate", &format!("tests/traces/{name}")][..], extra].concat())
}

#[test]
fn polls_that_miss_short_statuses_are_consistent_and_explained() {
    let out = trace("missed-short-statuses.jsonl", &["--explain"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains(
        "gap: job orders-db at tests/traces/missed-short-statuses.jsonl:6: FULL_TRANSFER_STARTED → INCRE_TRANSFER_STARTED: full done, incremental begun, 2 unseen steps"
    ), "{text}");
    assert!(
        text.contains(
            "CONFIGURATION → FULL_TRANSFER_STARTED: start now, start succeeded, 2 unseen steps"
        ),
        "{text}"
    );
}

#[test]
fn full_transfer_complete_then_the_system_end_of_a_full_only_task_is_consistent() {
    assert_eq!(
        trace("full-transfer-complete.jsonl", &[]).status.code(),
        Some(0)
    );
}

#[test]
fn excursion_codes_are_skipped_and_counted_or_an_error_by_policy() {
    let out = trace("excursions.jsonl", &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("CHANGE_JOB_STARTED") && text.contains("excursion, skipped"),
        "{text}"
    );
    let out = trace("excursions.jsonl", &["--excursions", "error"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains(
        "job crm at tests/traces/excursions.jsonl:2: every status code is a lifecycle status"
    ));
}

#[test]
fn does_not_exist_after_deletion_is_consistent() {
    assert_eq!(trace("deleted-not-found.jsonl", &[]).status.code(), Some(0));
}

#[test]
fn a_prepaid_task_whose_end_shows_late_is_consistent() {
    let out = trace("prepaid-late-end.jsonl", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // With a bound shorter than the delay, the late end breaks it.
    let out = trace("prepaid-late-end.jsonl", &["--apply-within", "2m"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains(
        "job prepaid at tests/traces/prepaid-late-end.jsonl:6: an accepted command takes effect"
    ));
}

#[test]
fn a_deleted_task_that_reappears_is_explained() {
    let out = trace("deleted-reappears.jsonl", &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1));
    for expected in [
        "violation 1 of 1: job ghost at tests/traces/deleted-reappears.jsonl:4: deleted task never reappears",
        "  before      tests/traces/deleted-reappears.jsonl:3  2025-03-01T10:00:20Z  status does-not-exist",
        "  impossible  tests/traces/deleted-reappears.jsonl:4  2025-03-01T10:00:30Z  status INCRE_TRANSFER_STARTED",
        "  gap         10 s",
        "  possible before it (3): 已删除 Deleted [FULL_TRANS]; 已删除 Deleted [FULL_INCR_TRANS]; 已删除 Deleted [INCR_TRANS]",
        "  the specification would let a poll show: DELETED or does-not-exist",
        "  explained prefix: 3 record(s) of the job",
    ] {
        assert!(text.contains(expected), "expected {expected:?} in\n{text}");
    }
}

#[test]
fn an_incremental_only_task_in_a_full_phase_breaks_the_mode_claim() {
    let out = trace("incremental-only-runs-full.jsonl", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out)
            .contains("job cdc at tests/traces/incremental-only-runs-full.jsonl:2: full-only never incremental, incremental-only never full")
    );
}

#[test]
fn a_delete_accepted_while_migrating_is_explained_by_an_unseen_end_unless_commands_are_complete() {
    // Partial commands (the header says complete; the flag overrides): an unrecorded end
    // explains it.
    let out = trace(
        "delete-after-unseen-end.jsonl",
        &["--commands", "partial", "--explain"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains(
        "INCRE_TRANSFER_STARTED → DELETED: end, release begun, release done, delete, 4 unseen steps"
    ));
}

#[test]
fn saved_service_answers_are_polls_and_available_actions_are_judged() {
    let out = trace("service-answers.jsonl", &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("4 records of 2 jobs"), "{text}");
    assert!(
        text.contains("job a1 at tests/traces/service-answers.jsonl:4: offers pause (refused in every consistent state)"),
        "{text}"
    );
}

#[test]
fn two_polls_of_one_instant_are_tried_in_both_orders() {
    assert_eq!(trace("same-instant.jsonl", &[]).status.code(), Some(0));
}

#[test]
fn out_of_order_records_are_an_error_unless_a_reorder_window_allows_them() {
    let out = trace("out-of-order.jsonl", &[]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(stderr(&out).lines().count(), 1);
    assert!(stderr(&out).contains("out-of-order.jsonl:2: job late at 2025-03-01T10:00:00Z is earlier than its record on line 1"));
    assert_eq!(
        trace("out-of-order.jsonl", &["--reorder-window", "30s"])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn the_itf_trace_is_a_run_of_the_specification() {
    let out = trace("missed-short-statuses.jsonl", &["--itf", "orders-db"]);
    assert!(out.status.success());
    let itf: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(itf["#meta"]["format"], "ITF");
    let statuses: Vec<&str> = itf["states"]
        .as_array()
        .expect("states")
        .iter()
        .map(|s| s["status"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        statuses,
        [
            "Configuration",
            "Configuration",
            "Configuration",
            "Starting",
            "FullMigration",
            "FullMigration",
            "FullMigration",
            "FullMigrationComplete",
            "IncrementalMigration",
            "IncrementalMigration",
            "IncrementalMigration"
        ]
    );
}

#[test]
fn the_json_report_names_the_verdict_and_the_violations() {
    let out = trace("deleted-reappears.jsonl", &["--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["verdict"], "violations");
    assert_eq!(
        report["violations"][0]["claim"],
        "deleted task never reappears"
    );
    assert_eq!(report["violations"][0]["record"]["line"], 4);
}

#[test]
fn shards_split_the_jobs_and_together_judge_them_all() {
    let path = temp("shards.jsonl").display().to_string();
    assert!(
        drs(&[
            "simulate", "--tasks", "200", "--days", "2", "--output", &path
        ])
        .status
        .success()
    );
    let jobs = |shard: &str| -> u64 {
        let out = drs(&["validate", &path, "--shard", shard, "--format", "json"]);
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        report["jobs"].as_u64().unwrap_or(0)
    };
    let (a, b, c) = (jobs("0/3"), jobs("1/3"), jobs("2/3"));
    assert_eq!(a + b + c, 200);
    assert!(a > 0 && b > 0 && c > 0);
    let out = drs(&["validate", &path, "--shard", "3/3"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn gzip_input_is_read() {
    let text = std::fs::read("tests/traces/missed-short-statuses.jsonl").expect("trace");
    let path = temp("history.jsonl.gz");
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&path).expect("create"),
        flate2::Compression::fast(),
    );
    gz.write_all(&text).expect("compress");
    gz.finish().expect("finish");
    let out = drs(&["validate", &path.display().to_string()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("7 records of 1 jobs"));
}

#[test]
fn standard_input_is_read() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_drs-lifecycle"))
        .args(["validate", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("starts");
    let text = std::fs::read("tests/traces/deleted-reappears.jsonl").expect("trace");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&text)
        .expect("write");
    let out = child.wait_with_output().expect("ends");
    assert_eq!(out.status.code(), Some(1));
}

/// A malformed line: exit 3, one line on standard error naming the file, the line and what
/// is wrong.
fn malformed(name: &str, text: &str, expected: &str) {
    let path = write(name, text);
    let out = drs(&["validate", &path]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!("{name}:{expected}")),
        "expected {expected:?} in {err}"
    );
}

const GOOD: &str = r#"{"kind":"status","job":"j","t":"2025-03-01T10:00:00Z","status":"PAUSING"}"#;

#[test]
fn bad_json_is_malformed_with_its_line() {
    malformed(
        "bad-json.jsonl",
        &format!("{GOOD}\n{{\"kind\":\"status\",\n"),
        "2: not a history record: EOF while parsing a value (column 17)",
    );
}

#[test]
fn a_missing_field_is_malformed_with_its_line() {
    malformed(
        "missing.jsonl",
        &format!(
            "{GOOD}\n{{\"kind\":\"command\",\"job\":\"j\",\"t\":1740823200000,\"op\":\"pause\"}}\n"
        ),
        "2: a command record needs the field \"answer\"; see docs/traces.md",
    );
}

#[test]
fn an_unknown_code_is_malformed_with_the_nearest_code_suggested() {
    malformed(
        "unknown-code.jsonl",
        "{\"kind\":\"status\",\"job\":\"j\",\"t\":1740823200000,\"status\":\"FULL_TRANSFER_COMPLETED\"}\n",
        "1: unknown API status code \"FULL_TRANSFER_COMPLETED\": did you mean FULL_TRANSFER_COMPLETE?",
    );
}

#[test]
fn a_bad_time_is_malformed_with_its_line() {
    malformed(
        "bad-time.jsonl",
        &format!(
            "{GOOD}\n{GOOD}\n{{\"kind\":\"status\",\"job\":\"j\",\"t\":\"2025-02-30T10:00:00Z\",\"status\":\"PAUSING\"}}\n"
        ),
        "3: bad time \"2025-02-30T10:00:00Z\": expected RFC 3339",
    );
}

#[test]
fn an_unknown_operation_is_malformed_with_the_nearest_suggested() {
    malformed(
        "unknown-op.jsonl",
        "{\"kind\":\"command\",\"job\":\"j\",\"t\":1740823200000,\"op\":\"paus\",\"answer\":\"accepted\"}\n",
        "1: unknown operation \"paus\" (did you mean \"pause\"?)",
    );
}

#[test]
fn keep_going_judges_the_rest_and_still_says_the_input_was_malformed() {
    let path = write("keep-going.jsonl", &format!("{GOOD}\nnot json\n{GOOD}\n"));
    let out = drs(&["validate", &path, "--keep-going"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stdout(&out).contains("1 malformed lines skipped"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_file_that_does_not_exist_is_a_bad_invocation() {
    let out = drs(&["validate", "tests/traces/no-such-file.jsonl"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1);
    assert!(
        err.contains("cannot open the history tests/traces/no-such-file.jsonl"),
        "{err}"
    );
}

#[test]
fn the_schema_is_json_with_a_branch_per_record_kind() {
    let out = drs(&["validate", "--schema"]);
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(schema["oneOf"].as_array().map(Vec::len), Some(7));
}

#[test]
fn every_example_in_docs_traces_md_is_a_valid_record() {
    let doc = std::fs::read_to_string("docs/traces.md").expect("docs/traces.md");
    let examples: Vec<&str> = doc
        .lines()
        .filter(|l| l.starts_with("{\"kind\":"))
        .collect();
    assert!(examples.len() >= 7, "one example per record kind at least");
    for (i, line) in examples.iter().enumerate() {
        drs_lifecycle::history::parse_line(line, i as u64 + 1)
            .unwrap_or_else(|e| panic!("{line}: {e}"));
    }
}

#[test]
fn a_job_in_flight_costs_at_most_200_bytes() {
    use drs_lifecycle::history::{Judge, Options, parse_line};
    let mut judge = Judge::new(Options::default());
    let jobs = 100_000;
    for i in 0..jobs {
        let line = format!(
            r#"{{"kind":"status","job":"job-{i:06}","t":"2025-03-01T10:00:00Z","status":"INCRE_TRANSFER_STARTED"}}"#
        );
        let record = parse_line(&line, i + 1).expect("valid");
        judge.record(&record, i + 1).expect("in order");
    }
    let per_job = judge.bytes_in_flight() / jobs as usize;
    assert!(per_job <= 200, "{per_job} bytes per job");
}

/// The validator names the model checker's claims by the same names: each name it shares
/// must be a claim of the one table (`model::CLAIMS`), so the two cannot drift apart.
#[test]
fn the_claims_the_validator_shares_are_in_the_one_table() {
    for name in drs_lifecycle::history::judge::claim::SHARED {
        assert!(
            drs_lifecycle::model::ClaimId::named(name).is_some(),
            "{name:?} is not a claim of model::CLAIMS"
        );
    }
}

// The library's reading loop (`history::validate`), as a program that embeds it calls it.

mod library {
    use drs_lifecycle::history::validate::{Outcome, Settings, Stop, Validator};
    use drs_lifecycle::simulate::{Config, ServiceFault, run};

    fn simulated(fault: Option<ServiceFault>) -> Vec<u8> {
        let config = Config {
            tasks: 200,
            days: 2,
            seed: 3,
            fault,
            ..Config::default()
        };
        let mut out = Vec::new();
        run(&config, &mut out).expect("writes to memory");
        out
    }

    fn validate(bytes: &[u8], settings: Settings) -> Result<Outcome, Stop> {
        let mut validator = Validator::new(settings);
        validator.read(bytes, "history.jsonl")?;
        Ok(validator.finish())
    }

    fn violations(outcome: &Outcome) -> Vec<(String, u64, &'static str)> {
        let mut all: Vec<_> = outcome
            .judge
            .violations
            .iter()
            .map(|v| (v.job.clone(), v.record.line, v.claim))
            .collect();
        all.sort();
        all
    }

    #[test]
    fn the_library_loop_finds_what_the_command_finds() {
        let clean = validate(&simulated(None), Settings::default()).expect("well formed");
        assert!(clean.judge.violations.is_empty());
        assert!(clean.judge.counts.records > 10_000);
        // The header of a simulated history says commands and billing are recorded.
        assert!(clean.judge.options().commands_complete);
        let faulty = validate(
            &simulated(Some(ServiceFault::DeletedReappears)),
            Settings::default(),
        )
        .expect("well formed");
        let found = violations(&faulty);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].2, drs_lifecycle::history::claim::DELETED_REAPPEARS);
    }

    #[test]
    fn shards_through_the_library_together_judge_every_job_once() {
        let bytes = simulated(Some(ServiceFault::EndedRestarts));
        let whole = validate(&bytes, Settings::default()).expect("well formed");
        let of_jobs = |o: &Outcome| {
            let c = &o.judge.counts;
            (c.polls + c.commands + c.timeline, c.billing)
        };
        let mut records = 0;
        let mut found = Vec::new();
        for i in 0..3 {
            let settings = Settings {
                shard: Some((i, 3)),
                ..Settings::default()
            };
            let part = validate(&bytes, settings).expect("well formed");
            // A job's records are judged in its shard only; billing, by account, in every one.
            records += of_jobs(&part).0;
            assert_eq!(of_jobs(&part).1, of_jobs(&whole).1);
            found.extend(violations(&part));
        }
        found.sort();
        assert_eq!(records, of_jobs(&whole).0);
        assert_eq!(found, violations(&whole));
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn a_malformed_line_stops_the_loop_unless_it_keeps_going() {
        let mut bytes = simulated(None);
        bytes.extend_from_slice(b"{\"kind\":\"status\",\"job\":\"x\"}\nnot json\n");
        let Err(Stop::Malformed { file, error }) = validate(&bytes, Settings::default()) else {
            panic!("a malformed line must stop the loop");
        };
        assert_eq!(file, "history.jsonl");
        let lines = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
        assert_eq!(error.line, lines - 1);
        let settings = Settings {
            keep_going: true,
            ..Settings::default()
        };
        let outcome = validate(&bytes, settings).expect("keeps going");
        assert_eq!(outcome.malformed, 2);
        let first = outcome.first_malformed.expect("the first is kept");
        assert!(
            first.starts_with(&format!("history.jsonl:{}: ", lines - 1)),
            "{first}"
        );
        assert!(outcome.judge.violations.is_empty());
    }

    #[test]
    fn the_reordering_window_judges_records_in_time_order() {
        let history = "{\"kind\":\"status\",\"job\":\"j\",\"t\":\"2025-03-01T00:01:00Z\",\"status\":\"CONFIGURATION\"}\n\
                       {\"kind\":\"status\",\"job\":\"j\",\"t\":\"2025-03-01T00:00:30Z\",\"status\":\"CREATING\"}\n";
        let Err(Stop::Malformed { error, .. }) = validate(history.as_bytes(), Settings::default())
        else {
            panic!("out of order without a window must stop the loop");
        };
        assert_eq!(error.line, 2);
        let settings = Settings {
            reorder_window: Some(60_000),
            ..Settings::default()
        };
        let outcome = validate(history.as_bytes(), settings).expect("reordered");
        assert_eq!(outcome.judge.counts.records, 2);
        assert!(outcome.judge.violations.is_empty());
    }
}

#[test]
fn a_gap_the_records_between_explain_says_so_rather_than_zero_unseen_steps() {
    let out = drs(&[
        "validate",
        "tests/traces/apply-bound-then-refused.jsonl",
        "--explain",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "gap: job q3 at tests/traces/apply-bound-then-refused.jsonl:5: \
             INCRE_TRANSFER_STARTED → PAUSING: no unseen step: the records between the two \
             polls explain it"
        ),
        "{text}"
    );
}
