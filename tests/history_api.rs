//! `validate` on histories written in the API's own words (brief D.3): the operation names of
//! the v5 action call and of the stop, delete and v3 calls, `available_actions` in capitals,
//! operations outside the lifecycle, the acceptance and account claims, stuck tasks, and the
//! hygiene of real files (null fields, empty ids, epoch seconds, transient errors). Every
//! claim only a history can break is broken here by the breaker the one table names.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use drs_lifecycle::model::CLAIMS;
use drs_lifecycle::model::claims::{Breaker, Judge};

fn drs(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_drs-lifecycle"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn temp(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("history-api");
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
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
