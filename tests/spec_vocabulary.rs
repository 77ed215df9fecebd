//! The specification's vocabulary as users type it and files store it: how statuses, modes
//! and events parse (API codes, Rust names, console names, the table's words), and their
//! serde forms, which snapshots, traces and reports depend on and must not change by
//! accident.

use std::collections::BTreeSet;

use drs_lifecycle::spec::{
    AccountId, ApiCode, CodeClass, Command, Event, Excursion, Mode, Phase, Status, TaskId, TaskSpec,
};

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
    assert_eq!("FULL_TRANSFER_COMPLETE".parse(), Ok(FullMigrationComplete));
    assert_eq!("全量迁移完成".parse(), Ok(FullMigrationComplete));
    assert_eq!("REBUILD_NODE_FAILED".parse(), Ok(FaultRecoveryFailed));
    assert_eq!("故障恢复失败".parse(), Ok(FaultRecoveryFailed));
}

#[test]
fn an_unknown_status_names_the_nearest_known_one() {
    for (typo, meant) in [
        ("PASUING", "PAUSING"),
        ("FullMigrationCompleted", "FullMigrationComplete"),
        ("REBUILD_NODE_FAIL", "REBUILD_NODE_FAILED"),
        ("Pause", "Paused"),
    ] {
        let error = typo.parse::<Status>().expect_err(typo);
        assert_eq!(error.nearest(), Some(meant), "{typo}");
        let message = error.to_string();
        assert!(
            message.contains(&format!("did you mean {meant}?")),
            "{message}"
        );
        assert!(!message.contains('\n'), "{message}");
    }
    assert_eq!("xyzzy".parse::<Status>().expect_err("junk").nearest(), None);
}

#[test]
fn an_excursion_code_is_no_status_and_says_so() {
    let error = "CHANGE_JOB_STARTED"
        .parse::<Status>()
        .expect_err("excursion");
    let message = error.to_string();
    assert!(message.contains("not a lifecycle status"), "{message}");
    assert!(message.contains("specification change"), "{message}");
    assert!(message.contains("任务变更中"), "{message}");
}

// ------------------------------------------------------------------------------------------
// API status codes.
// ------------------------------------------------------------------------------------------

#[test]
fn there_are_twenty_nine_api_codes_each_parsing_from_itself() {
    assert_eq!(ApiCode::ALL.len(), 29);
    let codes: BTreeSet<&str> = ApiCode::ALL.iter().map(|code| code.code()).collect();
    assert_eq!(codes.len(), 29, "codes are distinct");
    for code in ApiCode::ALL {
        assert_eq!(code.code().parse(), Ok(code));
        assert_eq!(code.code().to_lowercase().parse(), Ok(code));
        assert_eq!(json(&code), format!("\"{}\"", code.code()));
        assert_eq!(
            serde_json::from_str::<ApiCode>(&json(&code)).ok(),
            Some(code)
        );
        assert!(
            !code.zh().is_empty() && !code.english().is_empty(),
            "{code}"
        );
    }
}

#[test]
fn eighteen_codes_are_lifecycle_statuses_and_eleven_are_excursions() {
    let lifecycle: Vec<Status> = ApiCode::ALL
        .iter()
        .filter_map(|code| code.status())
        .collect();
    assert_eq!(lifecycle.len(), 18);
    // Every status has its own code, except the console-only Frozen and EndRequested.
    let coded: BTreeSet<Status> = lifecycle.iter().copied().collect();
    let expected: BTreeSet<Status> = Status::ALL
        .into_iter()
        .filter(|status| !matches!(status, Frozen | EndRequested))
        .collect();
    assert_eq!(coded, expected);
    for status in Status::ALL {
        assert_eq!(status.api().map(ApiCode::code), status.api_code());
        if let Some(code) = status.api() {
            assert_eq!((code.zh(), code.english()), (status.zh(), status.english()));
        }
    }
    let excursions: Vec<(ApiCode, Excursion)> = ApiCode::ALL
        .into_iter()
        .filter_map(|code| match code.class() {
            CodeClass::Excursion(excursion) => Some((code, excursion)),
            CodeClass::Lifecycle(_) => None,
        })
        .collect();
    assert_eq!(excursions.len(), 11);
    let count = |kind| excursions.iter().filter(|(_, e)| *e == kind).count();
    assert_eq!(count(Excursion::SpecificationChange), 2);
    assert_eq!(count(Excursion::ChildTransfer), 6);
    assert_eq!(count(Excursion::NodeUpgrade), 3);
    assert_eq!(ApiCode::ChangeJobStarted.zh(), "任务变更中");
    assert_eq!(ApiCode::FullTransferComplete.zh(), "全量迁移完成");
    assert_eq!(ApiCode::RebuildNodeFailed.zh(), "故障恢复失败");
}

#[test]
fn an_unknown_api_code_names_the_nearest_known_code() {
    for (typo, meant) in [
        ("FULL_TRANSFER_COMPLETED", ApiCode::FullTransferComplete),
        ("INCR_TRANSFER_STARTED", ApiCode::IncreTransferStarted),
        ("NODE_UPGRADE_STARTED", ApiCode::NodeUpgradeStart),
        ("STARTJOBBING", ApiCode::StartJobing),
    ] {
        let error = typo.parse::<ApiCode>().expect_err(typo);
        assert_eq!(error.nearest(), Some(meant), "{typo}");
        assert_eq!(
            error.to_string(),
            format!(
                "unknown API status code {typo:?}: did you mean {meant}? \
                 `drs-lifecycle spec --format json` lists all 29 codes"
            )
        );
    }
    let error = "?".parse::<ApiCode>().expect_err("junk");
    assert_eq!(error.nearest(), None);
    assert_eq!(
        error.to_string(),
        "unknown API status code \"?\": `drs-lifecycle spec --format json` lists all 29 codes"
    );
}

#[test]
fn status_rejects_junk_with_a_helpful_message() {
    for junk in ["", "PAUSED_NOW", "Pause", "暂停", "xyzzy"] {
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
