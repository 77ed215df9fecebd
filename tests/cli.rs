//! The command line from the outside: `check` and `snapshot`, their exit status, reports
//! and errors. (`explore` and `report` have their own files.)

use std::path::Path;
use std::process::Command;

fn drs(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_drs-lifecycle"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

fn write_config(name: &str, text: &str) -> String {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-check");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write config");
    path.display().to_string()
}

#[test]
fn met_configuration_exits_zero_and_prints_the_property_table() {
    let out = drs(&["check", "models/lifecycle.toml"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("✓ deleted task never reappears"));
    assert!(stdout.contains("reaches 结束任务失败 EndFailed"));
    assert!(stdout.contains("unique 122 (pinned 122 ✓)"));
    assert!(stdout.contains("1 of 1 configuration met every expectation"));
}

#[test]
fn fault_configuration_prints_numbered_shortest_counterexample_in_both_languages() {
    let out = drs(&["check", "models/fault-delete-while-running.toml"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains(
        "counterexample to \"delete only from CreateFailed or Ended\" (shortest: 5 steps)"
    ));
    assert!(stdout.contains("5. task 1 · delete"));
    assert!(stdout.contains("已删除 Deleted"));
}

#[test]
fn unmet_expectation_exits_one_and_says_why() {
    let path = write_config(
        "wrong-count.toml",
        "model = \"lifecycle\"\n[expect]\nunique_states = 123\n",
    );
    let out = drs(&["check", &path]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("expected 123 unique states, found 122"));
}

#[test]
fn undetected_expected_violation_fails_the_run() {
    let path = write_config(
        "expects-violation.toml",
        "model = \"lifecycle\"\n[expect]\nviolations = { \"ended is terminal\" = 6 }\n",
    );
    let out = drs(&["check", &path]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("expected violated, found holds"));
}

#[test]
fn malformed_configuration_is_a_one_line_error_with_file_and_line() {
    let path = write_config("bad.toml", "model = \"fleet\"\n[parameters]\ntasks = 99\n");
    let out = drs(&["check", &path]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("bad.toml:3: tasks = 99 is impossible"),
        "{stderr}"
    );
}

#[test]
fn missing_file_is_a_clear_error() {
    let out = drs(&["check", "models/no-such.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read the configuration"));
}

#[test]
fn json_report_is_machine_readable() {
    let out = drs(&[
        "check",
        "--format",
        "json",
        "models/fault-ended-restarts.toml",
    ]);
    assert!(out.status.success());
    let results: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let result = &results[0];
    assert_eq!(result["met"], true);
    assert_eq!(result["complete"], true);
    assert_eq!(result["unique_states"], 380);
    let ended = result["properties"]
        .as_array()
        .expect("properties")
        .iter()
        .find(|p| p["name"] == "ended is terminal")
        .expect("ended is terminal");
    assert_eq!(ended["verdict"], "violated");
    assert_eq!(ended["counterexample"]["length"], 6);
}

#[test]
fn good_snapshot_is_listed_task_by_task() {
    let out = drs(&["snapshot", "tests/data/snapshots/good-fleet.json"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("a valid snapshot of 16 tasks (14 listed, 2 deleted)"));
    assert!(stdout.contains("account B is in arrears"));
    assert!(
        stdout.contains("冻结 Frozen (console only) · version 6 · froze 暂停中 Paused (PAUSING)")
    );
    assert!(stdout.contains(
        "task 15 · account A · FULL_INCR_TRANS · 全量迁移完成 Full migration complete \
         (FULL_TRANSFER_COMPLETE) · version 5 · holds an instance"
    ));
    assert!(stdout.contains(
        "froze 故障恢复失败 Fault recovery failed (REBUILD_NODE_FAILED) · remembers the \
         incremental phase"
    ));
    // A snapshot written by version 1 still loads.
    let out = drs(&["snapshot", "tests/data/snapshots/good-fleet-v1.json"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("a valid snapshot of 14 tasks (12 listed, 2 deleted)"));
}

#[test]
fn every_bad_snapshot_gets_a_one_line_error_naming_the_file() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/snapshots");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("fixtures") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if !name.starts_with("bad-") {
            continue;
        }
        let out = drs(&["snapshot", &path.display().to_string()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
        assert!(stderr.contains(&name), "{name}: {stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} bad snapshots");
}

#[test]
fn missing_snapshot_is_a_clear_error() {
    let out = drs(&["snapshot", "no-such-snapshot.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read the snapshot"));
}

#[test]
fn a_directory_given_as_configuration_says_what_to_name_instead() {
    let out = drs(&["check", "models"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("models: is a directory: name its *.toml files"),
        "{stderr}"
    );
}

/// A Chinese character takes two terminal columns: the verdict column lines up on every
/// property line, whatever script the property's name is in.
#[test]
fn the_property_table_lines_up_in_a_terminal_with_chinese_names() {
    let output = drs(&["check", "models/lifecycle.toml"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let columns: Vec<usize> = stdout
        .lines()
        .filter(|line| line.starts_with("   ✓ ") || line.starts_with("   ✗ "))
        .map(|line| {
            let at = line
                .find("holds")
                .or_else(|| line.find("reached"))
                .or_else(|| line.find("violated"))
                .unwrap_or_else(|| panic!("a verdict in {line:?}"));
            drs_lifecycle::text::width(&line[..at])
        })
        .collect();
    assert!(columns.len() > 20, "{stdout}");
    assert!(
        stdout.lines().any(|line| line.contains("暂停中")),
        "Chinese names in the table"
    );
    assert!(
        columns.iter().all(|&column| column == columns[0]),
        "verdicts start at display columns {columns:?}:\n{stdout}"
    );
}
