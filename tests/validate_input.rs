//! `validate` on the files operators really have (issue 20): several files judged as one
//! history with `file:line` locations, headers across files, damaged input that keeps its
//! verdict, a byte-order mark, an empty input, a reader of the output that goes away early,
//! and the JSON report's one shape per field. Fixtures: `tests/traces/input/`.

mod cli_support;
use cli_support::{drs, stderr, stdout, temp_in};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const INPUT: &str = "tests/traces/input";

fn fixture(name: &str) -> String {
    format!("{INPUT}/{name}")
}

fn temp(name: &str) -> PathBuf {
    temp_in("validate_input", name)
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", stdout(out), stderr(out)))
}

fn status(out: &Output) -> i32 {
    out.status.code().expect("an exit status")
}

// Item 6: several files are one history.

#[test]
fn two_files_covering_the_same_hour_are_judged_together() {
    // The polls and the commands of one job, each file in its own time order: read one after
    // the other, the commands would be "earlier than" the polls; merged by time they explain
    // each other (the polls' header says every command is recorded).
    let out = drs(&[
        "validate",
        &fixture("merge-polls.jsonl"),
        &fixture("merge-commands.jsonl"),
    ]);
    assert_eq!(status(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("7 records of 1 jobs (2 files)"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("commands complete"),
        "{}",
        stdout(&out)
    );
    // In the other order of arguments too.
    let out = drs(&[
        "validate",
        &fixture("merge-commands.jsonl"),
        &fixture("merge-polls.jsonl"),
    ]);
    assert_eq!(status(&out), 0, "{}{}", stdout(&out), stderr(&out));
}

#[test]
fn a_violation_across_two_files_names_each_record_by_file_and_line() {
    let a = fixture("reappears-a.jsonl");
    let b = fixture("reappears-b.jsonl");
    let out = drs(&["validate", &a, &b]);
    assert_eq!(status(&out), 1, "{}{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    assert!(text.contains(&format!("job ghost at {a}:2")), "{text}");
    assert!(text.contains(&format!("before      {b}:1")), "{text}");
    let out = drs(&["validate", &a, &b, "--format", "json"]);
    assert_eq!(status(&out), 1);
    let report = json(&out);
    let v = &report["violations"][0];
    assert_eq!(v["file"], a.as_str());
    assert_eq!(v["line"], 2);
    assert_eq!(v["record"]["file"], a.as_str());
    assert_eq!(v["previous"]["file"], b.as_str());
    assert_eq!(v["previous"]["line"], 1);
    assert_eq!(report["files"], serde_json::json!([a, b]));
}

#[test]
fn a_single_file_names_its_locations_by_file_too() {
    let file = "tests/traces/deleted-reappears.jsonl";
    let out = drs(&["validate", file, "--format", "json"]);
    assert_eq!(status(&out), 1);
    let report = json(&out);
    assert_eq!(report["violations"][0]["file"], file);
    assert!(report["violations"][0]["line"].is_u64());
    let out = drs(&["validate", file]);
    assert!(
        stdout(&out).contains(&format!("{file}:4")),
        "{}",
        stdout(&out)
    );
}

/// A simulated week split in two files by record kind (polls in one, everything else in the
/// other, both with the header) is judged exactly as the whole file is.
#[test]
fn a_simulated_history_split_in_two_files_is_judged_as_the_whole() {
    let whole = temp("split-whole.jsonl");
    let out = drs(&[
        "simulate",
        "--tasks",
        "300",
        "--days",
        "4",
        "--seed",
        "5",
        "--service-fault",
        "pause-undone",
        "--output",
        &whole.display().to_string(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&whole).expect("the history");
    let (mut polls, mut others) = (String::new(), String::new());
    for (i, line) in text.lines().enumerate() {
        if i == 0 {
            polls.push_str(line);
            polls.push('\n');
            others.push_str(line);
            others.push('\n');
        } else if line.contains(r#""kind":"status""#) {
            polls.push_str(line);
            polls.push('\n');
        } else {
            others.push_str(line);
            others.push('\n');
        }
    }
    let (p, o) = (temp("split-polls.jsonl"), temp("split-others.jsonl"));
    std::fs::write(&p, polls).expect("write");
    std::fs::write(&o, others).expect("write");
    let whole_report = json(&drs(&[
        "validate",
        &whole.display().to_string(),
        "--format",
        "json",
    ]));
    let out = drs(&[
        "validate",
        &p.display().to_string(),
        &o.display().to_string(),
        "--format",
        "json",
    ]);
    assert_eq!(status(&out), 1, "{}", stderr(&out));
    let split = json(&out);
    assert_eq!(split["counts"], whole_report["counts"]);
    let claims = |r: &serde_json::Value| -> Vec<(String, String)> {
        r["violations"]
            .as_array()
            .expect("violations")
            .iter()
            .map(|v| (v["job"].to_string(), v["claim"].to_string()))
            .collect()
    };
    assert_eq!(claims(&split), claims(&whole_report));
    assert_eq!(claims(&split).len(), 1);
}

#[test]
fn the_reorder_window_applies_within_each_file() {
    // Each file is out of order within 30 s; merged, they interleave.
    let a = temp("window-a.jsonl");
    let b = temp("window-b.jsonl");
    std::fs::write(
        &a,
        "{\"kind\":\"status\",\"job\":\"j\",\"t\":\"2025-03-01T00:01:00Z\",\"status\":\"CONFIGURATION\"}\n\
         {\"kind\":\"status\",\"job\":\"j\",\"t\":\"2025-03-01T00:00:30Z\",\"status\":\"CREATING\"}\n",
    )
    .expect("write");
    std::fs::write(
        &b,
        "{\"kind\":\"status\",\"job\":\"j\",\"t\":\"2025-03-01T00:03:00Z\",\"status\":\"CONFIGURATION\"}\n\
         {\"kind\":\"status\",\"job\":\"j\",\"t\":\"2025-03-01T00:00:45Z\",\"status\":\"CREATING\"}\n",
    )
    .expect("write");
    let (a, b) = (a.display().to_string(), b.display().to_string());
    let out = drs(&["validate", &a, &b]);
    assert_eq!(status(&out), 3, "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("{a}:2: job j")),
        "{}",
        stderr(&out)
    );
    let out = drs(&["validate", &a, &b, "--reorder-window", "5m"]);
    assert_eq!(status(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("4 records"), "{}", stdout(&out));
}

// Headers across files.

#[test]
fn a_second_header_in_a_file_is_an_error_naming_both_lines() {
    let file = fixture("second-header.jsonl");
    let out = drs(&["validate", &file]);
    assert_eq!(status(&out), 3, "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "{file}:3: a second header (the first is on line 1)"
        )),
        "{err}"
    );
    let file = fixture("late-header.jsonl");
    let out = drs(&["validate", &file]);
    assert_eq!(status(&out), 3);
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "{file}:2: a header after records (the first is on line 1)"
        )),
        "{err}"
    );
}

#[test]
fn a_header_that_starts_a_new_file_is_combined_and_two_that_disagree_are_an_error() {
    // Each file's header is on its own first line: both apply to the whole history.
    let out = drs(&[
        "validate",
        &fixture("merge-commands.jsonl"),
        &fixture("header-partial.jsonl"),
    ]);
    assert!(
        stdout(&out).contains("billing recorded"),
        "{}",
        stdout(&out)
    );
    let (c, p) = (
        fixture("header-complete.jsonl"),
        fixture("header-partial.jsonl"),
    );
    let out = drs(&["validate", &c, &p]);
    assert_eq!(status(&out), 3, "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "{p}:1: this header states commands partial, but the header on {c}:1 states complete"
        )),
        "{err}"
    );
    assert!(err.contains("--commands"), "{err}");
    // The command line decides: no contradiction left.
    let out = drs(&["validate", &c, &p, "--commands", "partial"]);
    assert_eq!(status(&out), 0, "{}{}", stdout(&out), stderr(&out));
}

// Item 7 (reading): a byte-order mark, an empty input.

#[test]
fn a_byte_order_mark_on_the_first_line_is_accepted() {
    let out = drs(&["validate", &fixture("byte-order-mark.jsonl")]);
    assert_eq!(status(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("2 records"), "{}", stdout(&out));
}

#[test]
fn an_input_with_no_record_is_nothing_to_judge_unless_allowed() {
    for name in ["empty.jsonl", "header-only.jsonl"] {
        let file = fixture(name);
        let out = drs(&["validate", &file]);
        assert_eq!(status(&out), 3, "{name}: {}", stdout(&out));
        assert!(
            stderr(&out).contains("nothing to judge"),
            "{}",
            stderr(&out)
        );
        let out = drs(&["validate", &file, "--format", "json"]);
        assert_eq!(status(&out), 3);
        assert_eq!(json(&out)["verdict"], "empty");
        let out = drs(&["validate", &file, "--allow-empty"]);
        assert_eq!(status(&out), 0, "{}", stderr(&out));
    }
    // Standard input with nothing on it, too.
    let mut child = Command::new(env!("CARGO_BIN_EXE_drs-lifecycle"))
        .args(["validate", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    drop(child.stdin.take());
    let out = child.wait_with_output().expect("ends");
    assert_eq!(status(&out), 3);
}

// Item 5: damaged input keeps the verdict.

/// A history whose violation (line 4) comes early, followed by `padding` clean lines.
fn history_with_early_violation(padding: usize) -> String {
    let mut text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/traces/deleted-reappears.jsonl"),
    )
    .expect("fixture");
    for i in 0..padding {
        text.push_str(&format!(
            "{{\"kind\":\"status\",\"job\":\"steady-{}\",\"t\":\"2025-03-01T11:{:02}:{:02}Z\",\"status\":\"INCRE_TRANSFER_STARTED\"}}\n",
            i % 97,
            (i / 60) % 60,
            i % 60
        ));
    }
    text
}

fn clean_history(padding: usize) -> String {
    let mut text = String::new();
    for i in 0..padding {
        text.push_str(&format!(
            "{{\"kind\":\"status\",\"job\":\"steady-{}\",\"t\":\"2025-03-01T11:{:02}:{:02}Z\",\"status\":\"INCRE_TRANSFER_STARTED\"}}\n",
            i % 97,
            (i / 60) % 60,
            i % 60
        ));
    }
    text
}

fn gzip(text: &str) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(text.as_bytes()).expect("compress");
    encoder.finish().expect("compress")
}

fn cut_gz(name: &str, text: &str) -> String {
    let bytes = gzip(text);
    let path = temp(name);
    std::fs::write(&path, &bytes[..bytes.len() * 2 / 3]).expect("write");
    path.display().to_string()
}

#[test]
fn a_cut_gz_keeps_the_violations_before_the_cut() {
    let file = cut_gz(
        "cut-violation.jsonl.gz",
        &history_with_early_violation(3000),
    );
    for extra in [&[][..], &["--keep-going"][..]] {
        let out = drs(&[&["validate", &file][..], extra].concat());
        assert_eq!(
            status(&out),
            1,
            "{extra:?}: {}{}",
            stdout(&out),
            stderr(&out)
        );
        let text = stdout(&out);
        assert!(text.contains(&format!("job ghost at {file}:4")), "{text}");
        let err = stderr(&out);
        assert!(err.contains(&format!("{file}:")), "{err}");
        assert!(err.contains("cut short or damaged"), "{err}");
    }
    let out = drs(&["validate", &file, "--format", "json"]);
    assert_eq!(status(&out), 1);
    let report = json(&out);
    assert_eq!(report["verdict"], "violations");
    assert_eq!(report["exit_status"], 1);
    assert_eq!(report["stopped"][0]["file"], file.as_str());
    assert!(report["stopped"][0]["line"].as_u64().expect("a line") > 4);
}

#[test]
fn a_cut_gz_without_violation_is_malformed_input_naming_the_point() {
    let file = cut_gz("cut-clean.jsonl.gz", &clean_history(3000));
    let out = drs(&["validate", &file]);
    assert_eq!(status(&out), 3, "{}{}", stdout(&out), stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(&format!("{file}:")), "{err}");
    // What was read was judged and summarised.
    assert!(
        stdout(&out).contains("records of 97 jobs"),
        "{}",
        stdout(&out)
    );
    let out = drs(&["validate", &file, "--format", "json", "--keep-going"]);
    assert_eq!(status(&out), 3);
    assert_eq!(json(&out)["verdict"], "malformed");
}

#[test]
fn a_malformed_line_keeps_the_violations_before_it() {
    let mut text = history_with_early_violation(10);
    text.push_str("not a record\n");
    let path = temp("malformed-after-violation.jsonl");
    std::fs::write(&path, text).expect("write");
    let file = path.display().to_string();
    let out = drs(&["validate", &file]);
    assert_eq!(status(&out), 1, "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains(&format!("job ghost at {file}:4")));
    let bad = text_lines(&path);
    assert!(
        stderr(&out).contains(&format!("{file}:{bad}: ")),
        "{}",
        stderr(&out)
    );
}

fn text_lines(path: &Path) -> usize {
    std::fs::read_to_string(path).expect("read").lines().count()
}

/// A reader that fails after `after` bytes: an I/O error in the middle of a file.
struct Failing<R> {
    inner: R,
    left: usize,
}

impl<R: Read> Read for Failing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            return Err(std::io::Error::other("the disk went away"));
        }
        let n = buf.len().min(self.left);
        let n = self.inner.read(&mut buf[..n])?;
        self.left -= n;
        Ok(n)
    }
}

#[test]
fn an_io_error_mid_file_keeps_what_was_read_through_the_library() {
    use drs_lifecycle::history::validate::{Settings, Stop, Validator, Verdict};
    let text = history_with_early_violation(100);
    let cut = text.len() / 2;
    let good_lines = text[..cut].matches('\n').count() as u64;
    let reader = BufReader::with_capacity(
        64,
        Failing {
            inner: text.as_bytes(),
            left: cut,
        },
    );
    let mut validator = Validator::new(Settings::default());
    let Err(Stop::Io { file, line, .. }) = validator.read(reader, "disk.jsonl") else {
        panic!("an I/O error stops the reading");
    };
    assert_eq!(file, "disk.jsonl");
    assert_eq!(line, good_lines + 1);
    let outcome = validator.finish();
    assert_eq!(outcome.verdict(), Verdict::Violations);
    assert_eq!(outcome.stops.len(), 1);
    assert_eq!(outcome.judge.counts.records, good_lines);
    assert_eq!(
        outcome
            .place(outcome.judge.violations[0].record.line)
            .to_string(),
        "disk.jsonl:4"
    );
}

#[test]
fn a_damaged_file_among_several_judges_the_others_up_to_its_damage() {
    use drs_lifecycle::history::validate::{Settings, Validator, Verdict};
    // File a: polls of job x every minute from 10:00 for an hour, cut at 10:29.
    // File b: polls of job y every minute for the same hour, whole.
    let poll = |job: &str, minute: u32| {
        format!(
            "{{\"kind\":\"status\",\"job\":\"{job}\",\"t\":\"2025-03-01T10:{minute:02}:00Z\",\"status\":\"INCRE_TRANSFER_STARTED\"}}\n"
        )
    };
    let a: String = (0..60).map(|m| poll("x", m)).collect();
    let b: String = (0..60).map(|m| poll("y", m)).collect();
    let cut = a.lines().take(30).map(|l| l.len() + 1).sum::<usize>();
    let failing = Failing {
        inner: a.as_bytes(),
        left: cut,
    };
    let readers: Vec<(Box<dyn BufRead>, String)> = vec![
        (Box::new(BufReader::new(failing)), "a.jsonl".to_string()),
        (Box::new(b.as_bytes()), "b.jsonl".to_string()),
    ];
    let mut validator = Validator::new(Settings::default());
    assert!(validator.read_merged(readers, |_, _| {}).is_err());
    let outcome = validator.finish();
    assert_eq!(outcome.verdict(), Verdict::Malformed);
    assert_eq!(outcome.stops[0].file(), "a.jsonl");
    assert_eq!(outcome.stops[0].line(), 31);
    // x's 30 polls, and y's polls up to 10:29; y's later ones are not judged.
    assert_eq!(outcome.judge.counts.records, 60);
    assert!(outcome.not_judged >= 1);
}

#[test]
fn a_file_damaged_on_its_first_line_stops_the_judging_at_the_start_and_says_so() {
    // Where the damaged file's records fall among the others' is unknown, so none of the
    // others is judged; the report says so in words, not as a time before the year 0.
    let good = temp("start-good.jsonl");
    std::fs::write(
        &good,
        "{\"kind\":\"status\",\"job\":\"x\",\"t\":\"2025-03-01T10:00:00Z\",\"status\":\"INCRE_TRANSFER_STARTED\"}\n",
    )
    .expect("write");
    let bad = temp("start-bad.jsonl");
    std::fs::write(&bad, "not a record\n").expect("write");
    let (good, bad) = (good.display().to_string(), bad.display().to_string());
    let out = drs(&["validate", &good, &bad]);
    assert_eq!(status(&out), 3, "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains(
            "the history was judged up to its start (a file stopped before its first record, \
             so where its records fall among the others' is unknown); 1 later record(s) of the \
             other files were not judged"
        ),
        "{err}"
    );
    let out = drs(&["validate", &good, &bad, "--format", "json"]);
    let report = json(&out);
    assert_eq!(
        report["judged_until"], "1999-12-31T23:59:59.999Z",
        "{report}"
    );
    assert_eq!(report["not_judged"], 1, "{report}");
}

// Item 4: the exit status is the verdict, whoever reads the output.

/// Runs `command | head -1` under bash's `pipefail` and returns the pipeline's status.
fn through_head(command: &str) -> i32 {
    let bin = env!("CARGO_BIN_EXE_drs-lifecycle");
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "set -o pipefail; {bin} {command} | head -1 > /dev/null"
        ))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stderr(Stdio::piped())
        .output()
        .expect("bash runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("panicked") && !err.contains("Broken pipe"),
        "{command}: {err}"
    );
    status(&out)
}

#[test]
fn validate_piped_into_head_still_exits_with_its_verdict() {
    // A large output (every gap explained) that no pipe holds whole, with one violation.
    let history = temp("head-violation.jsonl").display().to_string();
    let out = drs(&[
        "simulate",
        "--tasks",
        "1000",
        "--days",
        "4",
        "--seed",
        "2",
        "--service-fault",
        "deleted-reappears",
        "--output",
        &history,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(through_head(&format!("validate {history} --explain")), 1);
    assert_eq!(
        through_head(&format!("validate {history} --explain --format json")),
        1
    );
    // Malformed input and no violation: 3, also through a closed pipe.
    let clean = temp("head-malformed.jsonl").display().to_string();
    let out = drs(&[
        "simulate", "--tasks", "1000", "--days", "4", "--seed", "2", "--output", &clean,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut text = std::fs::read_to_string(&clean).expect("the history");
    text.push_str("not a record\n");
    std::fs::write(&clean, text).expect("write");
    assert_eq!(
        through_head(&format!("validate {clean} --keep-going --explain")),
        3
    );
}

#[test]
fn check_piped_into_head_still_exits_with_its_verdict() {
    let config = temp("unmet.toml");
    std::fs::write(
        &config,
        "model = \"lifecycle\"\n[expect]\nunique_states = 123\n",
    )
    .expect("write");
    let config = config.display().to_string();
    let lifecycle = "models/lifecycle.toml";
    let command = format!("check {config} {lifecycle} {lifecycle} {lifecycle} {lifecycle}");
    assert_eq!(through_head(&command), 1);
    assert_eq!(through_head(&format!("{command} --format json")), 1);
    // A command without a verdict still ends quietly and successfully.
    assert_eq!(through_head("spec --format json"), 0);
    assert_eq!(through_head("simulate --tasks 2000 --days 3"), 0);
}

#[test]
fn snapshot_piped_into_head_still_exits_with_its_verdict() {
    assert_eq!(
        through_head("snapshot tests/data/snapshots/good-fleet.json"),
        0
    );
    assert_eq!(
        through_head("snapshot tests/data/snapshots/bad-duplicate-id.json"),
        2
    );
}

/// A reader that takes one line and closes the pipe, as `closes_after_one_line` in
/// `tests/broken_pipe.rs`, for a history with a violation: the status stays 1.
#[test]
fn a_reader_that_goes_away_after_one_line_leaves_the_status_one() {
    let history = temp("one-line-reader.jsonl").display().to_string();
    let out = drs(&[
        "simulate",
        "--tasks",
        "1000",
        "--days",
        "4",
        "--seed",
        "2",
        "--service-fault",
        "ended-restarts",
        "--output",
        &history,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut child = Command::new(env!("CARGO_BIN_EXE_drs-lifecycle"))
        .args(["validate", &history, "--explain"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut reader = BufReader::new(child.stdout.take().expect("piped"));
    let mut line = String::new();
    reader.read_line(&mut line).expect("one line");
    drop(reader);
    let out = child.wait_with_output().expect("ends");
    assert_eq!(status(&out), 1, "{}", stderr(&out));
}

// Item 9: the JSON report.

#[test]
fn the_json_report_has_one_shape_per_field() {
    let out = drs(&[
        "validate",
        "tests/traces/deleted-reappears.jsonl",
        "--format",
        "json",
        "--explain",
    ]);
    let report = json(&out);
    for v in report["violations"].as_array().expect("violations") {
        for next in v["allowed_next"].as_array().expect("allowed_next") {
            assert!(next["code"].is_string(), "{next}");
            assert!(next["or_does_not_exist"].is_boolean(), "{next}");
        }
        for possible in v["possible"].as_array().expect("possible") {
            assert!(possible.is_object(), "{possible}");
        }
        assert!(v["file"].is_string() && v["line"].is_u64());
        assert!(v["record"]["time"].is_string() && v["record"]["time_ms"].is_i64());
        assert!(v["previous"].is_object() && v["gap_ms"].is_i64());
    }
    for gap in report["gaps"].as_array().expect("gaps") {
        assert!(gap["file"].is_string() && gap["line"].is_u64() && gap["steps"].is_array());
    }
    assert_eq!(report["verdict"], "violations");
    assert_eq!(report["exit_status"], 1);
}

#[test]
fn the_json_verdict_agrees_with_the_exit_status() {
    let path = temp("keep-going-malformed.jsonl");
    std::fs::write(
        &path,
        "{\"kind\":\"status\",\"job\":\"j\",\"t\":\"2025-03-01T00:00:00Z\",\"status\":\"CREATING\"}\nnot json\n",
    )
    .expect("write");
    let file = path.display().to_string();
    for extra in [&[][..], &["--keep-going"][..]] {
        let out = drs(&[&["validate", &file, "--format", "json"][..], extra].concat());
        assert_eq!(status(&out), 3, "{extra:?}");
        let report = json(&out);
        assert_eq!(report["verdict"], "malformed", "{extra:?}: {report}");
        assert_eq!(report["exit_status"], 3);
    }
    let out = drs(&[
        "validate",
        "tests/traces/same-instant.jsonl",
        "--format",
        "json",
    ]);
    assert_eq!(status(&out), 0);
    assert_eq!(json(&out)["verdict"], "consistent");
    assert_eq!(json(&out)["exit_status"], 0);
}

#[test]
fn itf_of_a_job_not_in_the_history_names_the_jobs_it_could_have_meant() {
    let out = drs(&[
        "validate",
        "tests/traces/deleted-reappears.jsonl",
        "--itf",
        "ghots",
    ]);
    assert_eq!(status(&out), 2, "{}", stdout(&out));
    assert!(stdout(&out).is_empty());
    let err = stderr(&out);
    assert!(
        err.contains("no job \"ghots\"") && err.contains("did you mean ghost?"),
        "{err}"
    );
    let out = drs(&[
        "validate",
        "tests/traces/deleted-reappears.jsonl",
        "--itf",
        "zzzzzzzzzz",
    ]);
    assert_eq!(status(&out), 2);
    assert!(
        stderr(&out).contains("its jobs include ghost"),
        "{}",
        stderr(&out)
    );
    // A job that is there: its trace, with the file of every record named.
    let out = drs(&[
        "validate",
        "tests/traces/deleted-reappears.jsonl",
        "--itf",
        "ghost",
    ]);
    let trace = json(&out);
    let states = trace["states"].as_array().expect("states");
    assert!(
        states
            .iter()
            .any(|s| s["file"] == "tests/traces/deleted-reappears.jsonl")
    );
}

#[test]
fn a_directory_is_a_bad_invocation_that_says_what_to_name() {
    let out = drs(&["validate", INPUT]);
    assert_eq!(status(&out), 2);
    assert!(stderr(&out).contains("is a directory"), "{}", stderr(&out));
}
