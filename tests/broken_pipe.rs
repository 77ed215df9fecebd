//! A reader that goes away is not a crash: `drs-lifecycle … | head -1` must stop quietly, as
//! Unix tools do, instead of panicking with "failed printing to stdout". A command without a
//! verdict then exits 0; one with a verdict exits with it (`tests/validate_input.rs` pins
//! that under `set -o pipefail`).
//!
//! Each command that writes to standard output runs into a reader that reads one line and
//! closes the pipe. Commands that write more than once (or more than a pipe holds) then
//! meet a closed pipe on a later write.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn closes_after_one_line(args: &[&str]) {
    closes_after_one_line_or_ends(args, 0);
}

/// As [`closes_after_one_line`], for a command whose verdict is `status` (`validate` of a
/// history with a violation exits 1, whether or not its reader stayed).
fn closes_after_one_line_or_ends(args: &[&str], status: i32) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_drs-lifecycle"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("a piped stdout");
    let mut reader = BufReader::new(stdout);
    let mut line = String::new();
    reader.read_line(&mut line).expect("one line");
    assert!(!line.is_empty(), "{args:?} printed nothing");
    drop(reader);
    let output = child.wait_with_output().expect("the command ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
        "{args:?} did not stop quietly:\n{stderr}"
    );
    assert!(
        output.status.code() == Some(status),
        "{args:?} ended with {:?}:\n{stderr}",
        output.status
    );
}

#[test]
fn spec_stops_quietly_when_its_reader_goes_away() {
    for format in ["markdown", "mermaid", "dot", "json"] {
        closes_after_one_line(&["spec", "--format", format]);
    }
}

#[test]
fn check_stops_quietly_when_its_reader_goes_away() {
    let lifecycle = "models/lifecycle.toml";
    let files = [lifecycle, lifecycle, lifecycle, lifecycle];
    closes_after_one_line(&[&["check", "--format", "text"][..], &files].concat());
    closes_after_one_line(&[&["check", "--format", "json"][..], &files].concat());
}

#[test]
fn snapshot_stops_quietly_when_its_reader_goes_away() {
    closes_after_one_line(&["snapshot", "tests/data/snapshots/good-fleet.json"]);
}

#[test]
fn simulate_stops_quietly_when_its_reader_goes_away() {
    closes_after_one_line(&["simulate", "--tasks", "2000", "--days", "3"]);
}

#[test]
fn validate_stops_quietly_when_its_reader_goes_away() {
    closes_after_one_line(&[
        "validate",
        "tests/traces/missed-short-statuses.jsonl",
        "--explain",
    ]);
    closes_after_one_line_or_ends(&["validate", "tests/traces/deleted-reappears.jsonl"], 1);
    closes_after_one_line(&["validate", "--schema"]);
}

#[test]
fn drive_stops_quietly_when_its_reader_goes_away() {
    let bin = env!("CARGO_BIN_EXE_drs-lifecycle");
    closes_after_one_line(&["drive", "--cases", "20", "--", bin, "serve-plane"]);
}
