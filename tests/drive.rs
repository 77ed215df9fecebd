//! `drs-lifecycle drive` end to end: against the reference engine behind the protocol
//! (`serve-plane`), clean, with indefinite answers and with planted engine faults, and
//! against programs that misbehave.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_drs-lifecycle");

fn drive(save: &Path, extra: &[&str], program: &[&str]) -> Output {
    Command::new(BIN)
        .arg("drive")
        .arg("--save")
        .arg(save)
        .args(extra)
        .arg("--")
        .args(program)
        .output()
        .expect("drs-lifecycle runs")
}

fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn temp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("drs-drive-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn the_reference_engine_passes_also_with_indefinite_answers() {
    let save = temp("clean");
    for extra in [&[][..], &["--unknown-every", "7"][..]] {
        let mut program = vec![BIN, "serve-plane"];
        program.extend_from_slice(extra);
        let output = drive(&save, &["--cases", "40"], &program);
        let (out, err) = text(&output);
        assert_eq!(output.status.code(), Some(0), "{out}{err}");
        assert!(out.contains("40 cases"), "{out}");
        assert!(out.contains("single-task edges"), "{out}");
    }
    assert!(!save.exists(), "nothing saved for a passing run");
}

/// Each planted fault: caught, shrunk to a pinned length, saved as a history that
/// `validate` rejects (unless only a version shows the fault: a history has no versions) and
/// a regression that the next run replays first.
#[test]
fn planted_faults_are_caught_shrunk_saved_and_replayed() {
    for (fault, shrunk, validate_exit) in [
        ("engine-reuses-deleted-id", 4, 1),
        ("engine-pauses-frozen-task", 4, 1),
        // Its refusal says nothing changed, but a version moved: in protocol 2 only a read
        // of the whole fleet shows it, and the exact rerun names the refusal.
        ("engine-refusal-bumps-version", 3, 0),
    ] {
        let save = temp(fault);
        let program = [BIN, "serve-plane", "--fault", fault];
        let output = drive(&save, &["--cases", "300"], &program);
        let (out, err) = text(&output);
        assert_eq!(output.status.code(), Some(1), "{fault}: {out}{err}");
        assert!(
            out.contains(&format!("to {shrunk} steps:")),
            "{fault}: {out}"
        );
        assert!(out.contains("← fails") && out.contains("spec:") && out.contains("program:"));
        let validate = validate_saved_history(&save);
        assert_eq!(
            validate.status.code(),
            Some(validate_exit),
            "{fault}: validate's verdict"
        );
        // The next run replays the saved regression first: found at once, already shrunk.
        let again = drive(&save, &["--cases", "0"], &program);
        let (out, _) = text(&again);
        assert_eq!(again.status.code(), Some(1), "{out}");
        assert!(
            out.contains(&format!("from {shrunk} to {shrunk} steps:")),
            "{out}"
        );
        let _ = std::fs::remove_dir_all(&save);
    }
}

/// A program that speaks protocol 1 (it ignores the version offered at reset) is driven as
/// before, and the same seed runs the same cases with the same verdicts in both versions.
#[test]
fn protocol_1_programs_are_driven_as_before_with_the_same_verdicts() {
    let save = temp("protocol-1");
    let summary = |program: &[&str]| {
        let output = drive(&save, &["--cases", "60"], program);
        let (out, err) = text(&output);
        assert_eq!(output.status.code(), Some(0), "{program:?}: {out}{err}");
        // The counts, not the time.
        out.lines()
            .skip(1)
            .take(2)
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let two = summary(&[BIN, "serve-plane"]);
    let one = summary(&[BIN, "serve-plane", "--protocol", "1"]);
    assert_eq!(one, two);
    let offered_one = summary(&[BIN, "serve-plane"]);
    assert_eq!(offered_one, two);
    if let Some([python, script]) = python_example() {
        assert_eq!(summary(&[python, script, "--protocol", "1"]), two);
        assert_eq!(summary(&[python, script]), two);
    }
    assert!(!save.exists(), "nothing saved for a passing run");
}

/// A program whose answers say less than it did (billing that froze tasks, answered as if
/// it froze none) is caught at that command.
#[test]
fn a_program_whose_answers_hide_a_change_is_caught() {
    let save = temp("under-report");
    let program = [BIN, "serve-plane", "--under-report"];
    let output = drive(&save, &["--cases", "300"], &program);
    let (out, err) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{out}{err}");
    assert!(out.contains("← fails"), "{out}");
    let _ = std::fs::remove_dir_all(&save);
}

/// Runs `validate` on the history a failing `drive` saved in `save`.
fn validate_saved_history(save: &Path) -> Output {
    let history = std::fs::read_dir(save)
        .expect("saved")
        .map(|entry| entry.expect("entry").path())
        .find(|path| path.to_string_lossy().ends_with(".history.jsonl"))
        .expect("a history");
    Command::new(BIN)
        .arg("validate")
        .arg(&history)
        .output()
        .expect("validate runs")
}

fn bad(program: &[&str], expected: &str) {
    let save = temp("bad");
    let output = drive(&save, &["--cases", "3", "--timeout", "300"], program);
    let (out, err) = text(&output);
    assert_eq!(output.status.code(), Some(4), "{program:?}: {out}{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(
        err.contains(expected),
        "{program:?}: expected {expected:?} in {err}"
    );
}

#[test]
fn a_program_that_is_not_there_is_named() {
    bad(
        &["/nonexistent/control-plane"],
        "program not found: /nonexistent/control-plane",
    );
}

#[test]
fn a_program_that_exits_at_start_is_reported_with_its_status() {
    bad(
        &["sh", "-c", "echo no config >&2; exit 3"],
        "exits at start: exit status: 3; stderr: no config",
    );
}

#[test]
fn a_program_that_crashes_mid_case_is_reported_with_its_stderr() {
    let script = r#"read l; echo '{"id":1,"answer":"ok"}'; read l; echo panic: index out of range >&2; exit 2"#;
    bad(
        &["sh", "-c", script],
        "crashed in the middle of a case (at tasks): exit status: 2; stderr: panic: index out of range",
    );
}

#[test]
fn a_program_that_hangs_is_reported_after_the_timeout() {
    bad(&["sleep", "30"], "hangs: no answer to reset within 300 ms");
}

#[test]
fn a_program_that_prints_a_non_answer_is_quoted() {
    bad(
        &["sh", "-c", "read l; echo hello; sleep 5"],
        "printed \"hello\" in answer to reset (id 1): not JSON; expected {\"id\":N,\"answer\":\"ok\"}",
    );
}

/// The Python example (`examples/python/control_plane.py`, standard library only), or `None`
/// with a message when this machine has no Python 3. `.ci/run` installs it and sets
/// `DRS_REQUIRE_PYTHON`, so in CI a missing interpreter is a failure.
fn python_example() -> Option<[&'static str; 2]> {
    let found = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    if !found {
        assert!(
            std::env::var_os("DRS_REQUIRE_PYTHON").is_none(),
            "DRS_REQUIRE_PYTHON is set but python3 was not found: apt-get install python3"
        );
        eprintln!("skipped: no python3 on this machine (apt-get install python3; CI requires it)");
        return None;
    }
    Some([
        "python3",
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/python/control_plane.py"
        ),
    ])
}

#[test]
fn the_python_example_passes_clean() {
    let Some(program) = python_example() else {
        return;
    };
    let save = temp("python-clean");
    let output = drive(&save, &["--cases", "300"], &program);
    let (out, err) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{out}{err}");
    assert!(out.contains("300 cases"), "{out}");
}

/// Each bug planted in the Python example is caught and shrunk to a pinned length, and
/// `validate` rejects the history `drive` saved.
#[test]
fn every_bug_planted_in_the_python_example_is_caught() {
    let Some([python, script]) = python_example() else {
        return;
    };
    for (bug, cases, shrunk) in [
        ("delete-while-paused", "1000", 6),
        ("reuse-deleted-id", "1000", 4),
        ("frozen-keeps-running", "1000", 6),
        ("late-report-undoes-pause", "5000", 6),
    ] {
        let save = temp(&format!("python-{bug}"));
        let program = [python, script, "--bug", bug];
        let output = drive(&save, &["--cases", cases], &program);
        let (out, err) = text(&output);
        assert_eq!(output.status.code(), Some(1), "{bug}: {out}{err}");
        assert!(out.contains(&format!("to {shrunk} steps:")), "{bug}: {out}");
        let validate = validate_saved_history(&save);
        assert_eq!(
            validate.status.code(),
            Some(1),
            "{bug}: validate rejects it"
        );
        let _ = std::fs::remove_dir_all(&save);
    }
}

/// `drive --cover` against the reference engine: every (state, command) pair of the
/// single-task lifecycle sent, refusals included, and the figures printed.
#[test]
fn the_tour_covers_every_pair_against_the_reference_engine() {
    let save = temp("cover-clean");
    for protocol in ["1", "2"] {
        let output = drive(
            &save,
            &["--cover", "--protocol", protocol],
            &[BIN, "serve-plane"],
        );
        let (out, err) = text(&output);
        assert_eq!(output.status.code(), Some(0), "{out}{err}");
        let (covered, total) = tour_pairs(&out);
        assert_eq!(covered, total, "{out}");
        assert!(total > 1000, "{out}");
        for label in ["full ", "full+incremental", "incremental ", "no task yet"] {
            assert!(out.contains(&format!("  {label}")), "{label}: {out}");
        }
    }
    assert!(!save.exists(), "nothing saved for a passing run");
}

/// The pairs covered and the pairs in all from `drive --cover`'s summary.
fn tour_pairs(out: &str) -> (usize, usize) {
    let line = out
        .lines()
        .find(|line| line.starts_with("drive --cover:"))
        .unwrap_or_else(|| panic!("a tour summary: {out}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    let of = words.iter().position(|w| *w == "of").expect("N of M");
    (
        words[of - 1].parse().expect("covered"),
        words[of + 1].parse().expect("total"),
    )
}

#[test]
fn the_python_example_passes_the_tour() {
    let Some(program) = python_example() else {
        return;
    };
    let save = temp("python-cover-clean");
    let output = drive(&save, &["--cover"], &program);
    let (out, err) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{out}{err}");
    let (covered, total) = tour_pairs(&out);
    assert_eq!(covered, total, "{out}");
}

/// Every bug planted in the Python example, the four that random cases missed included, is
/// caught by the tour with its shortest case, and the saved history is rejected by
/// `validate`, or the message says why it cannot be: a full+incremental task's *migration
/// finished* is a system event, which a poller does not record, and the statuses it shows
/// (FULL_TRANSFER_COMPLETE, then RELEASE_RESOURCE_STARTED) are explained by unseen system
/// steps (an instance fault, a failed recovery, an abnormal timeout).
#[test]
fn the_tour_catches_every_bug_planted_in_the_python_example_with_its_shortest_case() {
    let Some([python, script]) = python_example() else {
        return;
    };
    for (bug, shrunk, rejected) in [
        ("full-only-goes-incremental", 6, true),
        ("full-only-complete-pauses", 6, true),
        ("full-only-complete-faults", 6, true),
        ("full-incr-finishes", 6, false),
        ("delete-while-paused", 6, true),
        ("reuse-deleted-id", 4, true),
        ("frozen-keeps-running", 6, true),
        ("late-report-undoes-pause", 6, true),
    ] {
        let save = temp(&format!("python-cover-{bug}"));
        let program = [python, script, "--bug", bug];
        let output = drive(&save, &["--cover"], &program);
        let (out, err) = text(&output);
        assert_eq!(output.status.code(), Some(1), "{bug}: {out}{err}");
        assert!(
            out.contains(&format!(" to {shrunk} steps:")),
            "{bug}: {out}"
        );
        assert!(out.contains("the tour had covered"), "{bug}: {out}");
        assert!(
            !out.contains("Some(") && !out.contains("TaskView"),
            "{bug}: {out}"
        );
        let validate = validate_saved_history(&save);
        let said = if rejected {
            "(drs-lifecycle validate rejects it: job-1 breaks"
        } else {
            "(drs-lifecycle validate does not reject it: what a poller records"
        };
        assert!(out.contains(said), "{bug}: {out}");
        if !rejected {
            assert!(
                out.contains(
                    "the failing step, task 1 · migration finished (by account A), is a system \
                     event that the program accepted and the specification refuses: a poller \
                     does not record system events"
                ),
                "{bug}: {out}"
            );
        }
        assert_eq!(
            validate.status.code(),
            Some(if rejected { 1 } else { 0 }),
            "{bug}: validate's verdict: {}",
            String::from_utf8_lossy(&validate.stdout)
        );
        let _ = std::fs::remove_dir_all(&save);
    }
}

/// A program that crashes in the middle of a case is a failure like the others: the request
/// named, the case shrunk (here to the tour's shortest case: six steps) and saved, and the
/// next run replays it first.
#[test]
fn a_crash_is_shrunk_saved_and_replayed_first() {
    let Some([python, script]) = python_example() else {
        return;
    };
    let save = temp("python-crash");
    let program = [python, script, "--bug", "crashes-on-paused-force-end"];
    let kept = std::env::temp_dir().join(format!("drs-drive-{}-stderr.txt", std::process::id()));
    let stderr = kept.to_string_lossy().into_owned();
    for saved in ["saved the regression", "replaying the saved regression"] {
        let output = drive(&save, &["--cover", "--stderr", &stderr], &program);
        let (out, err) = text(&output);
        assert_eq!(output.status.code(), Some(4), "{out}{err}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        for expected in [
            "crashed in the middle of a case (at execute)",
            "a paused task has no worker to stop",
            "at step 6, task 1 · force end (by account A)",
            "shrunk to 6 steps",
            saved,
        ] {
            assert!(err.contains(expected), "{expected:?} in {err}");
        }
    }
    let saved: Vec<_> = std::fs::read_dir(&save)
        .expect("saved")
        .map(|entry| entry.expect("entry").path())
        .collect();
    assert_eq!(saved.len(), 1, "{saved:?}");
    // `--stderr` kept the whole of it: the traceback's first line, which the one-line
    // message (its last lines) does not quote.
    let whole = std::fs::read_to_string(&kept).expect("--stderr kept");
    assert!(
        whole.contains("Traceback (most recent call last):"),
        "{whole}"
    );
    assert!(whole.contains("RuntimeError"), "{whole}");
    let _ = std::fs::remove_file(&kept);
    let _ = std::fs::remove_dir_all(&save);
}

/// Generated cases weight toward the (state, command) pairs not yet covered, refusals
/// included: the four FullMigrationComplete bugs that 5,000 unweighted cases missed are
/// found within 1,000 (seed 0), shrunk to six steps; and the summary counts the pairs.
#[test]
fn weighted_generation_finds_the_full_migration_complete_bugs() {
    let Some([python, script]) = python_example() else {
        return;
    };
    for bug in [
        "full-only-goes-incremental",
        "full-only-complete-pauses",
        "full-only-complete-faults",
        "full-incr-finishes",
    ] {
        let save = temp(&format!("python-weighted-{bug}"));
        let program = [python, script, "--bug", bug];
        let output = drive(&save, &["--cases", "1000"], &program);
        let (out, err) = text(&output);
        assert_eq!(output.status.code(), Some(1), "{bug}: {out}{err}");
        assert!(out.contains(" to 6 steps:"), "{bug}: {out}");
        let _ = std::fs::remove_dir_all(&save);
    }
    let save = temp("python-weighted-clean");
    let output = drive(&save, &["--cases", "50"], &[python, script]);
    let (out, err) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{out}{err}");
    for mode in ["full ", "full+incremental ", "incremental "] {
        assert!(
            out.contains(&format!(
                "(state, command) pairs, refusals included, {mode}"
            )),
            "{mode}: {out}"
        );
    }
}

/// Brief D.3.5: a deleted task may be answered as not found (absent from `tasks`, a query
/// answering null, the deleting answer listing no changed task, commands to it refused
/// NotFound) or with status Deleted, and `drive` accepts both, in the tour and in generated
/// cases, exact (protocol 1) and pipelined (protocol 2).
#[test]
fn a_program_that_answers_deleted_tasks_as_not_found_passes() {
    let Some([python, script]) = python_example() else {
        return;
    };
    let save = temp("python-not-found");
    for (extra, protocol) in [
        (&["--cover"][..], "2"),
        (&["--cover"][..], "1"),
        (&["--cases", "300"][..], "2"),
    ] {
        let mut args = extra.to_vec();
        args.extend(["--protocol", protocol]);
        let output = drive(&save, &args, &[python, script, "--deleted-as-not-found"]);
        let (out, err) = text(&output);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {out}{err}");
        if extra[0] == "--cover" {
            let (covered, total) = tour_pairs(&out);
            assert_eq!(covered, total, "{out}");
        }
    }
    assert!(!save.exists(), "nothing saved for a passing run");
}

/// Answering a deleted task as not found masks nothing: a deleted task that comes back, or
/// whose id a new task takes, still fails, under the claim it breaks, in both forms.
#[test]
fn a_deleted_task_that_comes_back_fails_whichever_way_deleted_tasks_are_answered() {
    let Some([python, script]) = python_example() else {
        return;
    };
    for bug in ["deleted-comes-back", "reuse-deleted-id"] {
        for form in [&[][..], &["--deleted-as-not-found"][..]] {
            let save = temp(&format!("python-back-{bug}-{}", form.len()));
            let mut program = vec![python, script, "--bug", bug];
            program.extend_from_slice(form);
            let output = drive(&save, &["--cover"], &program);
            let (out, err) = text(&output);
            assert_eq!(output.status.code(), Some(1), "{bug} {form:?}: {out}{err}");
            assert!(
                out.contains("\"deleted task never reappears\" violated"),
                "{bug} {form:?}: {out}"
            );
            let _ = std::fs::remove_dir_all(&save);
        }
    }
}

/// The claim named is the one the disagreement breaks, judged on what the program's step
/// did: not the first claim its state seems to break. A version counted twice on *instance
/// ready* lands the task on Configuration holding its instance, as it should: it breaks
/// "engine refines the specification", not "instance held exactly while needed".
#[test]
fn the_claim_named_is_the_one_the_step_breaks() {
    let Some([python, script]) = python_example() else {
        return;
    };
    for (bug, claim, field) in [
        (
            "ready-counts-twice",
            "engine refines the specification",
            "version: the specification says 2",
        ),
        (
            "full-only-goes-incremental",
            "full-only never incremental, incremental-only never full",
            "the specification refuses",
        ),
        (
            "delete-while-paused",
            "delete only from CreateFailed or Ended",
            "the specification refuses",
        ),
        (
            "frozen-keeps-running",
            "engine refines the specification",
            "the specification refuses",
        ),
    ] {
        let save = temp(&format!("python-claim-{bug}"));
        let output = drive(&save, &["--cover"], &[python, script, "--bug", bug]);
        let (out, err) = text(&output);
        assert_eq!(output.status.code(), Some(1), "{bug}: {out}{err}");
        assert!(
            out.contains(&format!("\"{claim}\" violated")),
            "{bug}: {out}"
        );
        assert!(out.contains(field), "{bug}: {out}");
        let _ = std::fs::remove_dir_all(&save);
    }
}

/// `--timeout` applies to each answer, and a program that does not answer an `execute` in
/// time is reported at the execute, under protocol 2 too (where the driver has written
/// later requests, and would wait next for a `reset`): the request named, the case shrunk
/// to the tour's shortest and saved.
#[test]
fn a_slow_execute_is_reported_at_the_execute() {
    let Some([python, script]) = python_example() else {
        return;
    };
    for protocol in ["2", "1"] {
        let save = temp(&format!("python-slow-{protocol}"));
        let program = [
            python,
            script,
            "--bug",
            "slow-on-paused-force-end",
            "--slow-seconds",
            "3",
        ];
        let output = drive(
            &save,
            &["--cover", "--timeout", "800", "--protocol", protocol],
            &program,
        );
        let (out, err) = text(&output);
        assert_eq!(output.status.code(), Some(4), "{out}{err}");
        for expected in [
            "hangs: no answer to execute within 800 ms (--timeout)",
            "at step 6, task 1 · force end (by account A)",
            "shrunk to 6 steps",
        ] {
            assert!(
                err.contains(expected),
                "protocol {protocol}: {expected:?} in {err}"
            );
        }
        assert!(!err.contains("to reset"), "{err}");
        let _ = std::fs::remove_dir_all(&save);
    }
}

/// `--cover-fleet`: after the single-task tour, the tour of two tasks over two accounts. A
/// bug that only two accounts show (arrears freezes every account's tasks) passes the
/// single-task tour, whose tasks all belong to one account, and is caught by the fleet
/// tour with its shortest case (create, instance ready, the other account's arrears),
/// shrunk and saved. The clean example's whole fleet tour takes minutes (measured in
/// `reports/drive-fleet-tour.md`): CI runs the tour's own tests (every pair sent, at most
/// two commands per pair) and this one, which stops at the bug.
#[test]
fn the_fleet_tour_catches_a_bug_only_two_accounts_show() {
    let Some([python, script]) = python_example() else {
        return;
    };
    let program = [python, script, "--bug", "arrears-freezes-everyone"];
    let save = temp("python-fleet");
    let output = drive(&save, &["--cover"], &program);
    let (out, err) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{out}{err}");
    let output = drive(&save, &["--cover-fleet"], &program);
    let (out, err) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{out}{err}");
    for expected in [
        " to 3 steps:",
        "account B · arrears",
        "\"frozen only in arrears\" violated",
        "task 1: status: the specification says 配置 Configuration",
        "the single-task tour passed; the fleet tour had covered",
        "saved the regression",
    ] {
        assert!(out.contains(expected), "{expected:?} in {out}");
    }
    let saved = std::fs::read_dir(&save).expect("saved").count();
    assert_eq!(saved, 2, "a regression and a history");
    let _ = std::fs::remove_dir_all(&save);
}
