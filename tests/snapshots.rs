//! Snapshots: a fleet survives a round trip through JSON unchanged and behaves the same
//! afterwards, and every state the lifecycle cannot reach is refused with one line that
//! names the problem.

mod common;

use std::path::PathBuf;

use common::{A, B, drive, new_task};
use drs_lifecycle::engine::{Fleet, SnapshotError};
use drs_lifecycle::spec::{AccountId, Command, Event, Mode, Phase, Status, TaskId};

fn data(name: &str) -> String {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests",
        "data",
        "snapshots",
        name,
    ]
    .iter()
    .collect();
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// A fleet with a task in every status (frozen and deleted ones included), over two
/// accounts, one of them in arrears.
fn varied_fleet() -> Fleet {
    let mut fleet = Fleet::new();
    for status in Status::ALL {
        if status == Status::Frozen {
            continue;
        }
        for (mode, phase) in [
            (Mode::Full, Phase::Full),
            (Mode::FullIncremental, Phase::Incremental),
            (Mode::Incremental, Phase::Incremental),
        ] {
            let runs = match status {
                Status::FullMigration
                | Status::FullMigrationComplete
                | Status::FullMigrationFailed => mode != Mode::Incremental,
                Status::IncrementalMigration | Status::IncrementalMigrationFailed => {
                    mode != Mode::Full
                }
                _ => true,
            };
            if runs {
                new_task(&mut fleet, A, mode, status, phase);
                new_task(&mut fleet, B, mode, status, phase);
            }
        }
    }
    fleet.go_into_arrears(B).expect("arrears");
    assert!(
        fleet
            .tasks()
            .iter()
            .any(|task| task.status() == Status::Frozen)
    );
    fleet
}

/// Every command worth sending to `fleet`: each event to each task by its own account and by
/// the other one, creations, and billing.
fn commands(fleet: &Fleet) -> Vec<Command> {
    let mut commands = Vec::new();
    for account in [A, B, AccountId(2)] {
        commands.push(Command::Arrears { account });
        commands.push(Command::Recharge { account });
        commands.push(Command::Create {
            account,
            mode: Mode::Full,
        });
        for id in 1..=fleet.tasks().len() as u64 + 1 {
            for event in Event::ON_TASK {
                commands.push(Command::Task {
                    account,
                    task: TaskId(id),
                    event,
                });
            }
        }
    }
    commands
}

#[test]
fn a_fleet_survives_the_round_trip_unchanged() {
    let fleet = varied_fleet();
    let json = fleet.to_json();
    let restored = Fleet::from_json(&json).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(restored, fleet);
    assert_eq!(restored.to_json(), json);
}

#[test]
fn a_restored_fleet_behaves_exactly_like_the_original() {
    let original = varied_fleet();
    let restored = Fleet::from_json(&original.to_json()).expect("restore");
    for command in commands(&original) {
        let (mut left, mut right) = (original.clone(), restored.clone());
        assert_eq!(left.execute(&command), right.execute(&command), "{command}");
        assert_eq!(left, right, "{command}");
    }
}

#[test]
fn every_reached_fleet_restores_equal() {
    // Walk a long run of commands and round-trip the fleet after each accepted one.
    let mut fleet = varied_fleet();
    for command in commands(&varied_fleet()) {
        if fleet.execute(&command).is_ok() {
            let restored = Fleet::from_json(&fleet.to_json())
                .unwrap_or_else(|error| panic!("after {command}: {error}"));
            assert_eq!(restored, fleet, "after {command}");
        }
    }
}

#[test]
fn the_good_snapshot_loads_and_is_written_back_byte_for_byte() {
    let text = data("good-fleet.json");
    let fleet = Fleet::from_json(&text).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(fleet.to_json() + "\n", text);
    assert_eq!(fleet.accounts_in_arrears(), &[B]);
    assert_eq!(
        fleet.get(A, TaskId(15)).map(|task| task.status()),
        Ok(Status::FullMigrationComplete)
    );
    let recovery_failed = fleet.get(B, TaskId(16)).expect("task 16");
    assert_eq!(
        (
            recovery_failed.status(),
            recovery_failed.frozen_from(),
            recovery_failed.phase()
        ),
        (
            Status::Frozen,
            Some(Status::FaultRecoveryFailed),
            Some(Phase::Incremental)
        )
    );
    let deleted = fleet.get(A, TaskId(3)).expect("deleted tasks answer");
    assert_eq!(deleted.status(), Status::Deleted);
    let frozen = fleet.get(B, TaskId(4)).expect("task 4");
    assert_eq!(
        (frozen.status(), frozen.frozen_from(), frozen.phase()),
        (
            Status::Frozen,
            Some(Status::Paused),
            Some(Phase::Incremental)
        )
    );
}

#[test]
fn an_empty_fleet_round_trips() {
    let fleet = Fleet::new();
    assert_eq!(Fleet::from_json(&fleet.to_json()), Ok(fleet));
}

#[test]
fn serde_deserialization_validates_like_from_json() {
    let good: Fleet = serde_json::from_str(&data("good-fleet.json")).expect("good");
    assert_eq!(good.tasks().len(), 16);
    let bad = serde_json::from_str::<Fleet>(&data("bad-frozen-in-credit.json"))
        .expect_err("bad")
        .to_string();
    assert!(bad.contains("task 4") && bad.contains("arrears"), "{bad}");
}

/// Each bad snapshot, and words its error must contain.
const BAD: &[(&str, &[&str])] = &[
    ("malformed-json", &["not valid JSON", "line 23"]),
    ("wrong-type", &["shape", "invalid type", "line 19"]),
    ("unknown-field", &["unknown field", "colour"]),
    ("unknown-format", &["format", "drs-lifecycle/trace"]),
    ("unknown-version", &["version 3", "versions 1 to 2"]),
    (
        "unknown-status",
        &["task 2", "unknown status", "Running", "drs-lifecycle spec"],
    ),
    ("unknown-mode", &["task 2", "unknown mode", "FULL"]),
    ("unknown-phase", &["task 1", "unknown phase", "Initial"]),
    ("duplicate-id", &["two tasks", "id 2"]),
    ("reused-deleted-id", &["task 3", "deleted", "never reused"]),
    ("id-gap", &["task 5", "task 4", "gap", "lost task"]),
    (
        "ended-with-instance",
        &["task 2", "Ended", "claims an instance"],
    ),
    (
        "deleted-with-instance",
        &["task 3", "Deleted", "claims an instance"],
    ),
    (
        "creating-with-instance",
        &["task 3", "Creating", "claims an instance"],
    ),
    (
        "live-without-instance",
        &["task 2", "IncrementalMigration", "no instance"],
    ),
    (
        "phase-on-status-without-one",
        &["task 2", "IncrementalMigration", "phase"],
    ),
    ("phase-missing", &["task 1", "Paused", "no phase"]),
    (
        "frozen-task-without-phase",
        &["task 4", "Frozen from Paused", "no phase"],
    ),
    (
        "frozen-from-on-unfrozen-task",
        &["task 2", "frozen_from", "only a Frozen task"],
    ),
    (
        "frozen-without-frozen-from",
        &["task 4", "Frozen", "no frozen_from"],
    ),
    (
        "frozen-from-transient-status",
        &["task 4", "Starting", "never frozen"],
    ),
    (
        "frozen-in-credit",
        &["task 4", "Frozen", "account B", "not in arrears"],
    ),
    (
        "unfrozen-in-arrears",
        &["task 1", "Paused", "account A", "not frozen"],
    ),
    (
        "full-only-in-incremental-status",
        &["task 2", "FULL_TRANS", "incremental phase"],
    ),
    (
        "incremental-only-in-full-phase",
        &["task 1", "INCR_TRANS", "full phase"],
    ),
    ("duplicate-accounts-in-arrears", &["account B", "twice"]),
    ("version-zero", &["task 2", "version 0"]),
];

#[test]
fn every_bad_snapshot_is_refused_with_one_line_naming_the_problem() {
    for (name, words) in BAD {
        let text = data(&format!("bad-{name}.json"));
        let error = Fleet::from_json(&text).expect_err(&format!("bad-{name}.json must be refused"));
        let message = error.to_string();
        assert!(!message.contains('\n'), "bad-{name}.json: {message}");
        for word in *words {
            assert!(
                message.contains(word),
                "bad-{name}.json: {message:?} does not contain {word:?}"
            );
        }
    }
}

/// The bad inputs of version 2 (issue 10, "Bad input"), each with its whole one-line error.
const BAD_V2: &[(&str, &str)] = &[
    (
        "v1-with-v2-status",
        "task 2 has status \"FaultRecoveryFailed\" in \"status\", which snapshot version 1 \
         does not have (it came with version 2): a version-1 file cannot hold it; set \
         \"version\" to 2 if a newer engine wrote the file",
    ),
    (
        "v1-frozen-from-v2-status",
        "task 4 has status \"FaultRecoveryFailed\" in \"frozen_from\", which snapshot \
         version 1 does not have (it came with version 2): a version-1 file cannot hold it; \
         set \"version\" to 2 if a newer engine wrote the file",
    ),
    (
        "status-as-api-code",
        "task 15 has unknown status \"FULL_TRANSFER_COMPLETE\" in \"status\": statuses are \
         written by their Rust name; did you mean \"FullMigrationComplete\"?",
    ),
    (
        "excursion-code-as-status",
        "task 15 has unknown status \"CHANGE_JOB_STARTED\" in \"status\": \
         CHANGE_JOB_STARTED is a step of an operation outside the lifecycle (specification \
         change), not a status a task can be saved in",
    ),
    (
        "misspelt-status",
        "task 15 has unknown status \"FullMigrationCompleted\" in \"status\" (did you mean \
         \"FullMigrationComplete\"?): statuses are written by their Rust name; \
         `drs-lifecycle spec` lists the valid names",
    ),
    (
        "unknown-status",
        "task 2 has unknown status \"Running\" in \"status\": statuses are written by their \
         Rust name (e.g. \"Paused\"); `drs-lifecycle spec` lists the valid names",
    ),
    (
        "unknown-version",
        "unknown snapshot version 3: this engine reads versions 1 to 2; use the \
         drs-lifecycle release that wrote the file",
    ),
    (
        "incremental-only-in-full-complete",
        "task 15 has mode INCR_TRANS (incremental) but is in the full phase, which that mode \
         never runs; fix the mode or the status and phase",
    ),
    (
        "recovery-failed-without-phase",
        "task 16 is Frozen from FaultRecoveryFailed but remembers no phase: the phase it \
         heads for or returns to is needed; set \"phase\" to \"Full\" or \"Incremental\"",
    ),
];

#[test]
fn every_bad_input_of_version_2_gets_its_one_line_error() {
    for (name, expected) in BAD_V2 {
        let text = data(&format!("bad-{name}.json"));
        let error = Fleet::from_json(&text).expect_err(&format!("bad-{name}.json must be refused"));
        assert_eq!(error.to_string(), *expected, "bad-{name}.json");
    }
}

#[test]
fn a_version_1_snapshot_loads_and_is_written_back_as_version_2() {
    let v1 = data("good-fleet-v1.json");
    let fleet = Fleet::from_json(&v1).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(fleet.tasks().len(), 14);
    let written = fleet.to_json() + "\n";
    assert_eq!(
        written,
        v1.replacen("\"version\": 1,", "\"version\": 2,", 1),
        "only the format version changes"
    );
    // The version-2 good snapshot is the version-1 fleet and two tasks in the new statuses.
    let v2 = Fleet::from_json(&data("good-fleet.json")).expect("good");
    assert_eq!(&v2.tasks()[..14], fleet.tasks());
}

#[test]
fn a_version_1_snapshot_of_a_v1_reachable_state_behaves_the_same_in_version_2() {
    // A version-1 FullMigration task of mode FULL_TRANS now completes into
    // FullMigrationComplete: the state is the same, the rules are version 2's.
    let fleet = Fleet::from_json(&data("good-fleet-v1.json")).expect("v1");
    let v2 = Fleet::from_json(&data("good-fleet.json")).expect("v2");
    for command in commands(&fleet) {
        let (mut left, mut right) = (fleet.clone(), v2.clone());
        if let Command::Task { task, .. } = command
            && task.0 > 14
        {
            continue;
        }
        assert_eq!(
            left.execute(&command).is_ok(),
            right.execute(&command).is_ok(),
            "{command}"
        );
    }
}

#[test]
fn every_bad_snapshot_file_is_checked() {
    let dir: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "data", "snapshots"]
        .iter()
        .collect();
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("snapshot dir")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.starts_with("bad-"))
        .collect();
    files.sort();
    let mut checked: Vec<String> = BAD
        .iter()
        .map(|(name, _)| *name)
        .chain(BAD_V2.iter().map(|(name, _)| *name))
        .map(|name| format!("bad-{name}.json"))
        .collect();
    checked.sort();
    checked.dedup();
    checked.sort();
    assert_eq!(files, checked);
}

#[test]
fn json_errors_report_where_the_problem_is() {
    let error = Fleet::from_json(&data("bad-wrong-type.json")).expect_err("wrong type");
    let SnapshotError::Json {
        line,
        column,
        syntax,
        ..
    } = error
    else {
        panic!("{error:?}")
    };
    assert_eq!((line, syntax), (19, false));
    assert!(column > 0);
    let error = Fleet::from_json("{").expect_err("eof");
    assert!(
        matches!(error, SnapshotError::Json { syntax: true, .. }),
        "{error:?}"
    );
}

#[test]
fn error_messages_stay_on_one_line_whatever_the_input_echoes() {
    let text = r#"{"format":"drs-lifecycle/fleet","version":1,"accounts_in_arrears":[],"tasks":[],"bad\nkey":1}"#;
    let message = Fleet::from_json(text)
        .expect_err("unknown field")
        .to_string();
    assert!(!message.contains('\n'), "{message}");
    let text = r#"{"format":"drs\nfleet","version":1}"#;
    let message = Fleet::from_json(text).expect_err("format").to_string();
    assert!(!message.contains('\n'), "{message}");
}

#[test]
fn a_restored_fleet_keeps_handing_out_fresh_ids() {
    let mut fleet = Fleet::from_json(&data("good-fleet.json")).expect("good");
    let next = fleet.create(A, Mode::Full).expect("create").task;
    assert_eq!(next, TaskId(17));
    // And the deleted task 3 stays deleted.
    assert!(fleet.apply(A, TaskId(3), Event::Delete).is_err());
    drive(&mut fleet, A, next, &[Event::InstanceReady]);
}
