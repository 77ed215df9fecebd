//! `validate` on histories written in the API's own words (brief D.3): the operation names of
//! the v5 action call and of the stop, delete and v3 calls, `available_actions` in capitals,
//! operations outside the lifecycle, the acceptance and account claims, stuck tasks, and the
//! hygiene of real files (null fields, empty ids, epoch seconds, transient errors). Every
//! claim only a history can break is broken here by the breaker the one table names.

mod cli_support;
use cli_support::{drs, stderr, stdout, temp_in};
use std::path::{Path, PathBuf};
use std::process::Output;

use drs_lifecycle::model::CLAIMS;
use drs_lifecycle::model::claims::{Breaker, Judge};

fn temp(name: &str) -> PathBuf {
    temp_in("history-api", name)
}

fn trace(name: &str, extra: &[&str]) -> Output {
    let path = format!("tests/traces/{name}");
    drs(&[&["validate", &path][..], extra].concat())
}

/// One line, validated alone (after a good first poll of the same job).
fn line(name: &str, text: &str) -> Output {
    let path = temp(name);
    std::fs::write(&path, format!("{text}\n")).expect("write");
    drs(&["validate", &path.display().to_string()])
}

/// The same fleet as `tests/history.rs`'s faulty fleets: every service fault shows in it.
const FLEET: [&str; 10] = [
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
fn a_history_in_the_apis_own_words_is_judged_not_rejected() {
    let out = trace("api-words.jsonl", &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(text.contains("4 consistent, 0 with a violation"), "{text}");
    assert!(
        text.contains(
            "2 operation(s) outside the lifecycle, skipped: batch_set_speed 1, bind_eip 1"
        ),
        "{text}"
    );
    assert!(
        text.contains("1 poll(s) answered by an error other than does-not-exist, skipped"),
        "{text}"
    );
    assert!(!text.contains("disagree"), "{text}");
}

#[test]
fn stop_in_the_action_call_is_pause_and_the_stop_call_is_end() {
    // Judged with commands complete: a pause read as an end (or the reverse) would be an
    // impossible PAUSING (or RELEASE_RESOURCE_STARTED) after it.
    let pause = r#"{"kind":"header","format":"drs-lifecycle history 2","commands":"complete","apply_within":"30m"}
{"kind":"status","job":"j","t":"2025-03-01T10:00:00Z","status":"INCRE_TRANSFER_STARTED","mode":"FULL_INCR_TRANS"}
{"kind":"command","job":"j","t":"2025-03-01T10:00:10Z","op":"stop","answer":"accepted"}
{"kind":"status","job":"j","t":"2025-03-01T10:01:00Z","status":"PAUSING"}
"#;
    let path = temp("stop-is-pause.jsonl");
    std::fs::write(&path, pause).expect("write");
    let out = drs(&["validate", &path.display().to_string()]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let end = pause.replace(r#""op":"stop","#, r#""call":"stop_job_action","#);
    std::fs::write(&path, &end).expect("write");
    let out = drs(&["validate", &path.display().to_string()]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the stop call ends: PAUSING after it is impossible"
    );
    let end = end.replace("PAUSING", "RELEASE_RESOURCE_STARTED");
    std::fs::write(&path, &end).expect("write");
    let out = drs(&["validate", &path.display().to_string()]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn restart_is_resume_or_retry_whichever_the_state_accepts() {
    // api-words.jsonl resumes from PAUSING and retries from FULL_TRANSFER_FAILED with the
    // one word; refused in a paused task, it breaks the refusal claim (resume was allowed).
    let out = trace("refuses-allowed.jsonl", &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("job r1 at tests/traces/refuses-allowed.jsonl:5: the service refuses only what the specification refuses"),
        "{text}"
    );
    assert!(
        text.contains("command restart (resume or retry) refused (DRS.M05006)"),
        "{text}"
    );
}

#[test]
fn a_bare_stop_under_a_format_1_header_is_never_read_silently() {
    let out = trace("format-1-stop.jsonl", &[]);
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert!(
        err.contains("format-1-stop.jsonl:3: a bare \"stop\" in a history of format 1"),
        "{err}"
    );
}

#[test]
fn the_service_accepting_what_the_specification_refuses_is_a_violation() {
    let out = trace("accepts-force-end-in-creating.jsonl", &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    for expected in [
        "job c1 at tests/traces/accepts-force-end-in-creating.jsonl:4: the service accepts only what the specification accepts",
        "pending     tests/traces/accepts-force-end-in-creating.jsonl:3  2025-03-01T10:00:05Z  command force end accepted (55 s before)",
        "job c2 at tests/traces/accepts-force-end-in-creating.jsonl:7: the service accepts only what the specification accepts",
        "command delete accepted",
    ] {
        assert!(text.contains(expected), "expected {expected:?} in\n{text}");
    }
}

#[test]
fn available_actions_in_capitals_are_judged_in_their_vocabulary() {
    // START in Configuration, RETRY while paused: agreed. DELETE in Configuration: the
    // specification refuses it there, a divergence. No END in the API's vocabulary: not
    // judged as withheld.
    let text = r#"{"kind":"status","job":"j","t":"2025-03-01T10:00:00Z","status":"CONFIGURATION","mode":"FULL_TRANS","available_actions":["START","DELETE"]}
{"kind":"status","job":"k","t":"2025-03-01T10:00:00Z","status":"PAUSING","mode":"FULL_TRANS","available_actions":["RETRY","RESET"]}
"#;
    let path = temp("capitals.jsonl");
    std::fs::write(&path, text).expect("write");
    let out = drs(&["validate", &path.display().to_string()]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("1 polls whose available_actions disagree"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "job j at {}:1: offers delete (refused in every consistent state)",
            path.display()
        )),
        "{text}"
    );
}

#[test]
fn every_history_claim_is_broken_by_its_breaker() {
    let mut checked = 0;
    for claim in &CLAIMS {
        let Judge::History(breaker) = claim.judge else {
            continue;
        };
        let out = match breaker {
            Breaker::ServiceFault { fault, args } => {
                let path = temp(&format!("{fault}.jsonl")).display().to_string();
                let sim = drs(&[
                    &["simulate", "--output", &path, "--service-fault", fault][..],
                    &FLEET,
                ]
                .concat());
                assert!(sim.status.success(), "{}", stderr(&sim));
                drs(&[&["validate", &path][..], args].concat())
            }
            Breaker::Trace { file, args } => trace(file, args),
        };
        let text = stdout(&out);
        assert!(
            matches!(out.status.code(), Some(1) | Some(4)),
            "{:?}: {breaker:?} is judged consistent:\n{text}",
            claim.name
        );
        assert!(
            text.contains(&format!(": {}", claim.name)),
            "{:?}: {breaker:?} does not name it:\n{text}",
            claim.name
        );
        checked += 1;
    }
    assert_eq!(checked, 11, "the history claims of the one table");
}

#[test]
fn a_stuck_task_is_its_own_exit_status_with_the_first_and_last_poll() {
    let path = temp("stuck.jsonl").display().to_string();
    let sim = drs(&[
        &[
            "simulate",
            "--output",
            &path,
            "--service-fault",
            "stuck-starting",
        ][..],
        &FLEET,
    ]
    .concat());
    assert!(sim.status.success());
    // Without deadlines the specification has no clock: consistent.
    assert_eq!(drs(&["validate", &path]).status.code(), Some(0));
    let out = drs(&["validate", &path, "--deadlines", "default"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(4), "{text}");
    assert!(text.contains("1 job(s) stuck past a deadline"), "{text}");
    assert!(
        text.contains("every transient status is left within its deadline — STARTJOBING from "),
        "{text}"
    );
    // A bound longer than the history: nothing stuck.
    let file = temp("deadlines.toml");
    std::fs::write(&file, "starting = \"30d\"\n").expect("write");
    let out = drs(&[
        "validate",
        &path,
        "--deadlines",
        &file.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // A bad deadlines file is a bad invocation naming the key.
    std::fs::write(&file, "startng = \"30m\"\n").expect("write");
    let out = drs(&[
        "validate",
        &path,
        "--deadlines",
        &file.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("startng"), "{}", stderr(&out));
}

/// Each line a real file has been seen to hold, with the one-line message it gets.
#[test]
fn real_file_hygiene_each_with_its_message() {
    for (name, text, expected) in [
        (
            "null-status.jsonl",
            r#"{"kind":"status","job":"j","t":"2025-03-01T10:00:00Z","status":null}"#,
            "1: a status record's field \"status\" is null",
        ),
        (
            "empty-job.jsonl",
            r#"{"kind":"status","job":"","t":"2025-03-01T10:00:00Z","status":"PAUSING"}"#,
            "1: the job id is empty",
        ),
        (
            "status-and-not-found.jsonl",
            r#"{"kind":"status","job":"j","t":"2025-03-01T10:00:00Z","status":"PAUSING","error_code":"DRS.M05004"}"#,
            "1: the poll shows the status PAUSING and the does-not-exist error DRS.M05004",
        ),
        (
            "epoch-seconds.jsonl",
            r#"{"kind":"status","job":"j","t":1740823200,"status":"PAUSING"}"#,
            "1: time 1740823200 reads as 1970-01-21",
        ),
        (
            "zero-time.jsonl",
            r#"{"kind":"status","job":"j","t":0,"status":"PAUSING"}"#,
            "1: time 0 (1970-01-01T00:00:00Z) is outside 2000–2100",
        ),
        (
            "unknown-call.jsonl",
            r#"{"kind":"command","job":"j","t":"2025-03-01T10:00:00Z","call":"pause_job","answer":"accepted"}"#,
            "1: call \"pause_job\": not a call of the lifecycle",
        ),
        (
            "force-delete-on-pause.jsonl",
            r#"{"kind":"command","job":"j","t":"2025-03-01T10:00:00Z","op":"pause","force_delete":true,"answer":"accepted"}"#,
            "1: a command (force_delete is for terminate) record has no field \"force_delete\"",
        ),
        (
            "misspelt-op.jsonl",
            r#"{"kind":"command","job":"j","t":"2025-03-01T10:00:00Z","op":"restrat","answer":"accepted"}"#,
            "1: unknown operation \"restrat\"",
        ),
    ] {
        let out = line(name, text);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(3), "{name}: {err}{}", stdout(&out));
        assert!(
            err.contains(&format!("{name}:{expected}")),
            "{name}: expected {expected:?} in {err}"
        );
    }
}

#[test]
fn a_transient_error_in_a_batch_answer_is_skipped_and_counted() {
    let out = line(
        "transient.jsonl",
        r#"{"kind":"batch_status","t":"2025-03-01T10:00:00Z","response":{"count":2,"results":[{"id":"a","status":"PAUSING","error_code":null},{"id":"b","status":null,"error_code":"DRS.M00001","error_message":"busy"}]}}"#,
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(
        text.contains("1 poll(s) answered by an error other than does-not-exist, skipped"),
        "{text}"
    );
}

/// A state of an ITF trace, read back as a specification state.
fn itf_state(value: &serde_json::Value) -> drs_lifecycle::spec::TaskSpec {
    use drs_lifecycle::spec::{Mode, Phase, Status, TaskSpec};
    let option = |v: &serde_json::Value| -> Option<String> {
        (v["tag"] == "Some").then(|| v["value"].as_str().unwrap_or_default().to_string())
    };
    TaskSpec {
        status: v_str(&value["status"]).parse::<Status>().expect("a status"),
        mode: v_str(&value["mode"]).parse::<Mode>().expect("a mode"),
        phase: option(&value["phase"]).map(|p| match p.as_str() {
            "Full" => Phase::Full,
            "Incremental" => Phase::Incremental,
            other => panic!("phase {other}"),
        }),
        frozen_from: option(&value["frozen_from"]).map(|s| s.parse::<Status>().expect("a status")),
    }
}

fn v_str(v: &serde_json::Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// The jobs a history names (status, command and timeline records, and saved answers).
fn jobs_in(text: &str) -> Vec<String> {
    let mut jobs = std::collections::BTreeSet::new();
    for line in text.lines() {
        let Ok(value) =
            serde_json::from_str::<serde_json::Value>(line.trim_start_matches('\u{feff}'))
        else {
            continue;
        };
        if let Some(job) = value["job"].as_str() {
            jobs.insert(job.to_string());
        }
        for list in ["results", "jobs"] {
            for entry in value["response"][list].as_array().into_iter().flatten() {
                if let Some(id) = entry["id"].as_str() {
                    jobs.insert(id.to_string());
                }
            }
        }
    }
    jobs.into_iter().collect()
}

/// Every step of an ITF trace is a step of the specification, and every accepted command
/// the run applies appears as its own event at its record.
fn replays(file: &str, job: &str, itf: &serde_json::Value, history: &str) {
    use drs_lifecycle::spec::{Event, step};
    let states = itf["states"].as_array().expect("states");
    assert!(!states.is_empty(), "{file} {job}: an empty trace");
    for pair in states.windows(2) {
        let (before, after) = (itf_state(&pair[0]), itf_state(&pair[1]));
        let event = v_str(&pair[1]["event"]);
        if event == "record (no step)" || event == "first record" {
            assert_eq!(before, after, "{file} {job}: {event} changed the state");
            continue;
        }
        let event: Event = event
            .parse()
            .unwrap_or_else(|_| panic!("{file} {job}: event {event:?}"));
        assert_eq!(
            step(&before, event),
            Some(after),
            "{file} {job}: {event:?} does not lead from {before} to {after}"
        );
    }
    // Each accepted command of the explained records (a violation ends them) appears as
    // its event on its line.
    let last: usize = states
        .iter()
        .filter_map(|s| v_str(&s["line"]["#bigint"]).parse().ok())
        .max()
        .unwrap_or(0);
    for (n, line) in history.lines().enumerate().take(last) {
        use drs_lifecycle::history::{Record, Reply, parse_line};
        let Ok(Record::Command(command)) = parse_line(line, n as u64 + 1) else {
            continue;
        };
        if command.job != job || command.reply != Reply::Accepted {
            continue;
        }
        let at = (n + 1).to_string();
        let steps: Vec<&serde_json::Value> = states
            .iter()
            .filter(|s| v_str(&s["line"]["#bigint"]) == at)
            .collect();
        assert!(
            !steps.is_empty(),
            "{file} {job}: the accepted command on line {at} is not in the trace"
        );
    }
}

#[test]
fn every_itf_trace_replays_through_the_step_function() {
    let mut traces = 0;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/traces");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/traces")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    for path in files {
        let file = path.display().to_string();
        let history = std::fs::read_to_string(&path).expect("readable");
        for job in jobs_in(&history) {
            let out = drs(&["validate", &file, "--itf", &job]);
            if out.status.code() == Some(3) {
                break; // a deliberately malformed history
            }
            if out.status.code() == Some(2) {
                // Only a job with no explained record has no trace.
                assert!(
                    stderr(&out).contains("none that the specification explains")
                        || stderr(&out).contains("its first record is already a violation"),
                    "{file} {job}: {}",
                    stderr(&out)
                );
                continue;
            }
            let itf: serde_json::Value = serde_json::from_slice(&out.stdout)
                .unwrap_or_else(|e| panic!("{file} {job}: {e}: {}", stderr(&out)));
            replays(&file, &job, &itf, &history);
            traces += 1;
        }
    }
    assert!(traces >= 20, "{traces} traces replayed");
    // And the job each simulated service fault broke: its explained prefix.
    for fault in drs_lifecycle::simulate::ServiceFault::ALL {
        let path = temp(&format!("itf-{}.jsonl", fault.name()))
            .display()
            .to_string();
        let sim = drs(&[
            &[
                "simulate",
                "--output",
                &path,
                "--service-fault",
                fault.name(),
            ][..],
            &FLEET,
        ]
        .concat());
        let said = stderr(&sim);
        let job = said
            .split("injected into ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("{}: {said}", fault.name()));
        let out = drs(&["validate", &path, "--itf", job]);
        // The job broke the lifecycle (exit 1): the trace is its explained prefix.
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{}: {}",
            fault.name(),
            stderr(&out)
        );
        let itf: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let history = std::fs::read_to_string(&path).expect("readable");
        // Line numbers in the trace are the file's: the other jobs' lines become blanks.
        let pattern = format!("\"job\":\"{job}\"");
        let numbered: String = history
            .lines()
            .map(|line| {
                if line.contains(&pattern) {
                    format!("{line}\n")
                } else {
                    "\n".to_string()
                }
            })
            .collect();
        replays(fault.name(), job, &itf, &numbered);
    }
}

#[test]
fn an_accepted_end_is_never_replaced_by_an_unseen_step_in_the_itf_trace() {
    // Under partial commands an unseen incremental error, timeout, reset or force end could
    // explain the release as well; the trace applies the recorded end.
    let text = r#"{"kind":"status","job":"e","t":"2025-03-01T10:00:00Z","status":"INCRE_TRANSFER_STARTED","mode":"FULL_INCR_TRANS"}
{"kind":"command","job":"e","t":"2025-03-01T10:00:10Z","op":"terminate","answer":"accepted"}
{"kind":"status","job":"e","t":"2025-03-01T10:03:00Z","status":"RELEASE_RESOURCE_COMPLETE"}
"#;
    let path = temp("itf-end.jsonl");
    std::fs::write(&path, text).expect("write");
    let out = drs(&["validate", &path.display().to_string(), "--itf", "e"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let itf: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let events: Vec<&str> = itf["states"]
        .as_array()
        .expect("states")
        .iter()
        .map(|s| v_str(&s["event"]))
        .collect();
    assert_eq!(
        events,
        [
            "first record",
            "record (no step)",
            "end",
            "release begun",
            "release done",
            "record (no step)"
        ]
    );
    replays("itf-end.jsonl", "e", &itf, text);
}

#[test]
fn the_itf_of_a_job_not_in_the_history_is_a_bad_invocation() {
    let out = trace("api-words.jsonl", &["--itf", "w9"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stdout(&out).is_empty());
}

#[test]
fn a_format_1_file_does_not_change_how_another_file_reads_stop() {
    let a = temp("format-1-a.jsonl");
    std::fs::write(
        &a,
        r#"{"kind":"header","format":"drs-lifecycle history 1"}
{"kind":"status","job":"x","t":"2025-03-01T10:00:00Z","status":"INCRE_TRANSFER_STARTED","mode":"FULL_INCR_TRANS"}
"#,
    )
    .expect("write");
    let b = temp("format-2-b.jsonl");
    std::fs::write(
        &b,
        r#"{"kind":"header","format":"drs-lifecycle history 2"}
{"kind":"status","job":"y","t":"2025-03-01T10:00:00Z","status":"INCRE_TRANSFER_STARTED","mode":"FULL_INCR_TRANS"}
{"kind":"command","job":"y","t":"2025-03-01T10:00:10Z","op":"stop","answer":"accepted"}
{"kind":"status","job":"y","t":"2025-03-01T10:01:00Z","status":"PAUSING"}
"#,
    )
    .expect("write");
    let out = drs(&[
        "validate",
        &a.display().to_string(),
        &b.display().to_string(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    // The same stop in the format-1 file is refused, naming that file.
    let out = drs(&[
        "validate",
        &b.display().to_string(),
        &a.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    std::fs::write(
        &a,
        r#"{"kind":"header","format":"drs-lifecycle history 1"}
{"kind":"status","job":"x","t":"2025-03-01T10:00:00Z","status":"INCRE_TRANSFER_STARTED","mode":"FULL_INCR_TRANS"}
{"kind":"command","job":"x","t":"2025-03-01T10:00:10Z","op":"stop","answer":"accepted"}
"#,
    )
    .expect("write");
    let out = drs(&[
        "validate",
        &a.display().to_string(),
        &b.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("format-1-a.jsonl:3: a bare \"stop\""),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_acceptance_long_explained_is_not_blamed_for_a_later_reappearance() {
    // A force end accepted while migrating stays pending (the release could also come from
    // a full error and its timeout), and the polls since ruled out the states that refuse
    // it: the reappearance after the delete is that, not a wrong acceptance. (Found by
    // `serve --service-fault deleted-reappears` with the official SDK.)
    let out = trace("force-end-then-reappears.jsonl", &["--explain"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("force-end-then-reappears.jsonl:15: deleted task never reappears"),
        "{text}"
    );
    assert!(
        text.contains("FULL_TRANSFER_STARTED → RELEASE_RESOURCE_STARTED: force end, 1 unseen step"),
        "{text}"
    );
}
