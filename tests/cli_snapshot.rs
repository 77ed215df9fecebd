//! `drs-lifecycle snapshot FILE` from the outside.

use std::process::Command;

fn drs(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_drs-lifecycle"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

#[test]
fn good_snapshot_is_listed_task_by_task() {
    let out = drs(&["snapshot", "tests/data/snapshots/good-fleet.json"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("a valid snapshot of 14 tasks (12 listed, 2 deleted)"));
    assert!(stdout.contains("account B is in arrears"));
    assert!(
        stdout.contains("冻结 Frozen (console only) · version 6 · froze 暂停中 Paused (PAUSING)")
    );
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
