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
                Status::FullMigration | Status::FullMigrationFailed => mode != Mode::Incremental,
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
    assert_eq!(good.tasks().len(), 14);
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
    ("unknown-version", &["version 2", "version 1"]),
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
        .map(|(name, _)| format!("bad-{name}.json"))
        .collect();
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
    assert_eq!(next, TaskId(15));
    // And the deleted task 3 stays deleted.
    assert!(fleet.apply(A, TaskId(3), Event::Delete).is_err());
    drive(&mut fleet, A, next, &[Event::InstanceReady]);
}
