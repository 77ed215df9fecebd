//! The specification's vocabulary as users type it and files store it: how statuses, modes
//! and events parse (API codes, Rust names, console names, the table's words), and their
//! serde forms, which snapshots, traces and reports depend on and must not change by
//! accident.

use drs_lifecycle::spec::{AccountId, Command, Event, Mode, Phase, Status, TaskId, TaskSpec};

use Event::*;
use Status::*;

#[test]
fn status_parses_from_api_code_rust_name_and_console_name() {
    for status in Status::ALL {
        assert_eq!(status.name().parse(), Ok(status));
        assert_eq!(status.name().to_lowercase().parse(), Ok(status));
        assert_eq!(status.zh().parse(), Ok(status));
        assert_eq!(format!("  {}\n", status.zh()).parse(), Ok(status));
        if let Some(code) = status.api_code() {
            assert_eq!(code.parse(), Ok(status));
            assert_eq!(code.to_lowercase().parse(), Ok(status));
        }
    }
    assert_eq!("PAUSING".parse(), Ok(Paused));
    assert_eq!("暂停中".parse(), Ok(Paused));
    assert_eq!("STARTJOBING".parse(), Ok(Starting));
    assert_eq!("结束任务".parse(), Ok(EndRequested));
    assert_eq!("结束任务中".parse(), Ok(Ending));
}

#[test]
fn status_rejects_junk_with_a_helpful_message() {
    for junk in ["", "PAUSED_NOW", "Pause", "暂停", "FULL_TRANSFER_COMPLETE"] {
        let error = junk.parse::<Status>().expect_err(junk);
        let message = error.to_string();
        assert!(message.contains(&format!("{junk:?}")), "{message}");
        assert!(message.contains("API code"), "{message}");
        assert!(message.contains("drs-lifecycle spec"), "{message}");
    }
}

#[test]
fn mode_parses_its_three_api_codes() {
    assert_eq!("FULL_TRANS".parse(), Ok(Mode::Full));
    assert_eq!("FULL_INCR_TRANS".parse(), Ok(Mode::FullIncremental));
    assert_eq!("INCR_TRANS".parse(), Ok(Mode::Incremental));
    assert_eq!("incr_trans".parse(), Ok(Mode::Incremental));
    for mode in Mode::ALL {
        assert_eq!(mode.to_string().parse(), Ok(mode));
    }
    assert_eq!("FullIncremental".parse(), Ok(Mode::FullIncremental));
    let error = "FULLY".parse::<Mode>().expect_err("FULLY is no mode");
    assert!(error.to_string().contains("FULL_INCR_TRANS"), "{error}");
}

#[test]
fn event_parses_its_name_its_words_and_its_display() {
    for event in Event::ON_TASK {
        assert_eq!(event.name().parse(), Ok(event));
        assert_eq!(event.describe().parse(), Ok(event));
        assert_eq!(event.describe().replace(' ', "-").parse(), Ok(event));
        assert_eq!(event.describe().replace(' ', "_").parse(), Ok(event));
        assert_eq!(event.to_string().parse(), Ok(event));
    }
}

#[test]
fn event_parses_create_with_a_mode() {
    for mode in Mode::ALL {
        let create = Create(mode);
        assert_eq!(create.to_string().parse(), Ok(create));
        assert_eq!(format!("create({})", mode.api_code()).parse(), Ok(create));
        assert_eq!(format!("Create:{}", mode.api_code()).parse(), Ok(create));
    }
    for junk in ["create", "create()", "create(FULLY)", "frobnicate", ""] {
        let error = junk.parse::<Event>().expect_err(junk);
        assert!(error.to_string().contains("create(MODE)"), "{error}");
    }
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("serialisable")
}

#[test]
fn serde_forms_are_stable() {
    assert_eq!(json(&FullMigration), r#""FullMigration""#);
    assert_eq!(json(&Mode::Full), r#""FULL_TRANS""#);
    assert_eq!(json(&Mode::FullIncremental), r#""FULL_INCR_TRANS""#);
    assert_eq!(json(&Mode::Incremental), r#""INCR_TRANS""#);
    assert_eq!(json(&Pause), r#""Pause""#);
    assert_eq!(json(&Create(Mode::Full)), r#"{"Create":"FULL_TRANS"}"#);
    assert_eq!(json(&Phase::Incremental), r#""Incremental""#);
    assert_eq!(
        json(&Command::Task {
            account: AccountId(0),
            task: TaskId(1),
            event: Pause,
        }),
        r#"{"command":"task","account":0,"task":1,"event":"Pause"}"#
    );
    assert_eq!(
        json(&Command::Create {
            account: AccountId(1),
            mode: Mode::Incremental,
        }),
        r#"{"command":"create","account":1,"mode":"INCR_TRANS"}"#
    );
    assert_eq!(
        json(&Command::Arrears {
            account: AccountId(2)
        }),
        r#"{"command":"arrears","account":2}"#
    );
    assert_eq!(
        json(&Command::Recharge {
            account: AccountId(2)
        }),
        r#"{"command":"recharge","account":2}"#
    );
    assert_eq!(
        json(&TaskSpec {
            status: Frozen,
            mode: Mode::FullIncremental,
            phase: Some(Phase::Full),
            frozen_from: Some(Paused),
        }),
        r#"{"status":"Frozen","mode":"FULL_INCR_TRANS","phase":"Full","frozen_from":"Paused"}"#
    );
}

#[test]
fn serde_forms_round_trip() {
    for status in Status::ALL {
        assert_eq!(
            serde_json::from_str::<Status>(&json(&status)).ok(),
            Some(status)
        );
    }
    for event in Event::ON_TASK.into_iter().chain(Mode::ALL.map(Create)) {
        assert_eq!(
            serde_json::from_str::<Event>(&json(&event)).ok(),
            Some(event)
        );
    }
    let command = Command::Task {
        account: AccountId(3),
        task: TaskId(7),
        event: Create(Mode::Full),
    };
    assert_eq!(
        serde_json::from_str::<Command>(&json(&command)).ok(),
        Some(command)
    );
}
