//! What the engine refuses, and that a refusal changes nothing: per status, for tenancy,
//! after deletion, and under billing.

mod common;

use common::{
    A, B, FREEZABLE, NEVER_FROZEN, NOT_FORCE_ENDABLE, drive, new_task, status_of, task, task_in,
};
use drs_lifecycle::engine::{Fleet, Outcome, Refusal};
use drs_lifecycle::spec::{AccountId, Command, Event, Mode, Phase, Refused, Status, TaskId};

/// Asserts that `event` to `id` is refused as not allowed in `status`, with a one-line
/// message naming the task, the status and the event, and that the fleet is unchanged.
fn assert_not_allowed(fleet: &mut Fleet, account: AccountId, id: TaskId, event: Event) {
    let before = fleet.clone();
    let status = status_of(fleet, account, id);
    let mode = task(fleet, account, id).mode();
    let refusal = fleet
        .apply(account, id, event)
        .expect_err(&format!("{status:?} must refuse {event}"));
    assert_eq!(
        refusal,
        Refusal::NotAllowed {
            task: id,
            status,
            mode,
            event
        }
    );
    assert_eq!(refusal.kind(), Refused::NotAllowed);
    let message = refusal.to_string();
    assert!(!message.contains('\n'), "{message}");
    assert!(message.contains(&format!("task {}", id.0)), "{message}");
    assert!(message.contains(status.name()), "{message}");
    assert!(message.contains(&event.to_string()), "{message}");
    assert_eq!(*fleet, before, "a refused {event} changed the fleet");
}

/// Asserts that a task in `status` accepts exactly `accepted` among the events addressed
/// to a task, and refuses every other one.
fn assert_accepts_exactly(status: Status, accepted: &[Event]) {
    for event in Event::ON_TASK {
        let (mut fleet, id) = task_in(status);
        if accepted.contains(&event) {
            if let Err(refusal) = fleet.apply(A, id, event) {
                panic!("{status:?} must accept {event}: {refusal}");
            }
        } else {
            assert_not_allowed(&mut fleet, A, id, event);
        }
    }
}

/// Like [`assert_accepts_exactly`], for a task of `mode` that got to `status` through
/// `phase`.
fn assert_accepts_exactly_in(mode: Mode, status: Status, phase: Phase, accepted: &[Event]) {
    for event in Event::ON_TASK {
        let mut fleet = Fleet::new();
        let id = new_task(&mut fleet, A, mode, status, phase);
        if accepted.contains(&event) {
            if let Err(refusal) = fleet.apply(A, id, event) {
                panic!("{status:?} must accept {event}: {refusal}");
            }
        } else {
            assert_not_allowed(&mut fleet, A, id, event);
        }
    }
}

// The exact set each of the 20 statuses accepts; every other event is refused.

#[test]
fn creating_accepts_only_the_outcome_of_creating_the_instance() {
    use Event::*;
    assert_accepts_exactly(Status::Creating, &[InstanceReady, InstanceCreationFailed]);
}

#[test]
fn create_failed_accepts_only_delete() {
    assert_accepts_exactly(Status::CreateFailed, &[Event::Delete]);
}

#[test]
fn configuration_accepts_only_the_starts_and_the_ends() {
    use Event::*;
    assert_accepts_exactly(
        Status::Configuration,
        &[StartNow, ScheduleStart, End, ForceEnd],
    );
}

#[test]
fn frozen_accepts_only_retention_expiry() {
    assert_accepts_exactly(Status::Frozen, &[Event::RetentionExpired]);
}

#[test]
fn waiting_to_start_accepts_only_the_start_and_the_ends() {
    use Event::*;
    assert_accepts_exactly(
        Status::WaitingToStart,
        &[StartNow, StartTimeReached, End, ForceEnd],
    );
}

#[test]
fn starting_accepts_only_the_outcome_of_the_start_and_force_end() {
    use Event::*;
    assert_accepts_exactly(Status::Starting, &[StartSucceeded, StartError, ForceEnd]);
}

#[test]
fn start_failed_accepts_only_retry_the_ends_and_the_abnormal_timeout() {
    use Event::*;
    assert_accepts_exactly(
        Status::StartFailed,
        &[Retry, End, ForceEnd, AbnormalTimeout],
    );
}

#[test]
fn full_migration_accepts_only_its_outcomes_a_fault_pause_and_the_ends() {
    use Event::*;
    assert_accepts_exactly(
        Status::FullMigration,
        &[FullDone, FullError, InstanceFault, Pause, End, ForceEnd],
    );
}

#[test]
fn full_migration_failed_accepts_only_retry_reset_the_ends_and_the_abnormal_timeout() {
    use Event::*;
    assert_accepts_exactly(
        Status::FullMigrationFailed,
        &[Retry, Reset, End, ForceEnd, AbnormalTimeout],
    );
}

#[test]
fn incremental_migration_accepts_only_its_error_a_fault_pause_and_the_ends() {
    use Event::*;
    assert_accepts_exactly(
        Status::IncrementalMigration,
        &[IncrementalError, InstanceFault, Pause, End, ForceEnd],
    );
}

#[test]
fn incremental_migration_failed_accepts_only_retry_reset_the_ends_and_the_abnormal_timeout() {
    use Event::*;
    assert_accepts_exactly(
        Status::IncrementalMigrationFailed,
        &[Retry, Reset, End, ForceEnd, AbnormalTimeout],
    );
}

#[test]
fn fault_recovery_accepts_only_the_outcome_of_the_recovery_and_force_end() {
    use Event::*;
    assert_accepts_exactly(
        Status::FaultRecovery,
        &[RecoveryDone, RecoveryError, ForceEnd],
    );
}

#[test]
fn paused_accepts_only_resume_reset_and_the_ends() {
    use Event::*;
    assert_accepts_exactly(Status::Paused, &[Resume, Reset, End, ForceEnd]);
}

#[test]
fn end_requested_accepts_only_the_start_of_the_release() {
    assert_accepts_exactly(Status::EndRequested, &[Event::ReleaseBegun]);
}

#[test]
fn ending_accepts_only_the_outcome_of_the_release() {
    use Event::*;
    assert_accepts_exactly(Status::Ending, &[ReleaseDone, ReleaseError]);
}

#[test]
fn end_failed_accepts_only_the_ends() {
    assert_accepts_exactly(Status::EndFailed, &[Event::End, Event::ForceEnd]);
}

#[test]
fn ended_accepts_only_delete() {
    assert_accepts_exactly(Status::Ended, &[Event::Delete]);
}

#[test]
fn deleted_accepts_nothing() {
    assert_accepts_exactly(Status::Deleted, &[]);
}

#[test]
fn full_migration_complete_of_a_full_incr_task_accepts_incremental_begun_pause_fault_and_force_end()
{
    use Event::*;
    assert_accepts_exactly_in(
        Mode::FullIncremental,
        Status::FullMigrationComplete,
        Phase::Full,
        &[IncrementalBegun, InstanceFault, Pause, ForceEnd],
    );
}

#[test]
fn full_migration_complete_of_a_full_only_task_accepts_only_migration_finished_and_force_end() {
    use Event::*;
    assert_accepts_exactly_in(
        Mode::Full,
        Status::FullMigrationComplete,
        Phase::Full,
        &[MigrationFinished, ForceEnd],
    );
}

#[test]
fn fault_recovery_failed_accepts_retry_reset_the_ends_and_the_abnormal_timeout() {
    use Event::*;
    for phase in [Phase::Full, Phase::Incremental] {
        assert_accepts_exactly_in(
            Mode::FullIncremental,
            Status::FaultRecoveryFailed,
            phase,
            &[Retry, Reset, End, ForceEnd, AbnormalTimeout],
        );
    }
}

#[test]
fn pause_in_full_complete_is_refused_for_a_full_only_task_naming_what_it_accepts() {
    let mut fleet = Fleet::new();
    let id = new_task(
        &mut fleet,
        A,
        Mode::Full,
        Status::FullMigrationComplete,
        Phase::Full,
    );
    assert_not_allowed(&mut fleet, A, id, Event::Pause);
    let message = fleet
        .apply(A, id, Event::Pause)
        .expect_err("full only")
        .to_string();
    assert_eq!(
        message,
        "task 1 is FullMigrationComplete (全量迁移完成): pause is not allowed; operations \
         allowed now: force end"
    );
}

#[test]
fn force_end_is_refused_where_there_is_no_instance_an_end_under_way_or_a_freeze() {
    for &status in NOT_FORCE_ENDABLE {
        let (mut fleet, id) = task_in(status);
        assert_not_allowed(&mut fleet, A, id, Event::ForceEnd);
    }
}

#[test]
fn a_late_start_report_after_force_end_of_a_starting_task_is_refused() {
    let (mut fleet, id) = task_in(Status::Starting);
    drive(&mut fleet, A, id, &[Event::ForceEnd]);
    assert_eq!(status_of(&fleet, A, id), Status::EndRequested);
    for report in [Event::StartSucceeded, Event::StartError] {
        assert_not_allowed(&mut fleet, A, id, report);
        let message = fleet.apply(A, id, report).expect_err("late").to_string();
        assert!(message.contains("too late"), "{message}");
    }
    drive(
        &mut fleet,
        A,
        id,
        &[Event::ReleaseBegun, Event::ReleaseDone],
    );
    assert_eq!(status_of(&fleet, A, id), Status::Ended);
}

#[test]
fn late_reports_after_force_end_of_a_recovering_or_completing_task_are_refused() {
    for (mode, status, reports) in [
        (
            Mode::FullIncremental,
            Status::FaultRecovery,
            &[Event::RecoveryDone, Event::RecoveryError][..],
        ),
        (
            Mode::FullIncremental,
            Status::FullMigrationComplete,
            &[Event::IncrementalBegun],
        ),
        (
            Mode::Full,
            Status::FullMigrationComplete,
            &[Event::MigrationFinished],
        ),
    ] {
        let mut fleet = Fleet::new();
        let id = new_task(&mut fleet, A, mode, status, Phase::Full);
        drive(&mut fleet, A, id, &[Event::ForceEnd]);
        for &report in reports {
            assert_not_allowed(&mut fleet, A, id, report);
        }
    }
}

#[test]
fn billing_events_addressed_to_a_task_are_refused_in_every_status() {
    for status in Status::ALL {
        for event in [Event::AccountInArrears, Event::AccountRecharged] {
            let (mut fleet, id) = task_in(status);
            assert_not_allowed(&mut fleet, A, id, event);
            let message = fleet.apply(A, id, event).expect_err("refused").to_string();
            assert!(message.contains("account"), "{message}");
        }
    }
}

#[test]
fn create_addressed_to_a_task_is_refused() {
    for mode in Mode::ALL {
        let (mut fleet, id) = task_in(Status::Configuration);
        assert_not_allowed(&mut fleet, A, id, Event::Create(mode));
    }
}

#[test]
fn a_refused_command_does_not_bump_the_version() {
    let (mut fleet, id) = task_in(Status::Paused);
    let version = task(&fleet, A, id).version();
    for event in [
        Event::Pause,
        Event::StartNow,
        Event::Delete,
        Event::FullDone,
    ] {
        assert!(fleet.apply(A, id, event).is_err());
    }
    assert_eq!(task(&fleet, A, id).version(), version);
}

// Tenancy.

#[test]
fn another_accounts_task_is_not_found() {
    let (mut fleet, id) = task_in(Status::FullMigration);
    let before = fleet.clone();
    for event in Event::ON_TASK {
        assert_eq!(
            fleet.apply(B, id, event),
            Err(Refusal::NotFound {
                account: B,
                task: id
            })
        );
    }
    assert_eq!(
        fleet.get(B, id).map(|task| task.status()),
        Err(Refusal::NotFound {
            account: B,
            task: id
        })
    );
    assert_eq!(fleet.list(B).count(), 0);
    assert_eq!(fleet, before);
}

#[test]
fn another_accounts_task_is_indistinguishable_from_a_missing_id() {
    let (mut fleet, id) = task_in(Status::Paused);
    let missing = TaskId(99);
    for event in Event::ON_TASK {
        let foreign = fleet.apply(B, id, event).expect_err("foreign");
        let absent = fleet.apply(B, missing, event).expect_err("absent");
        assert_eq!(foreign.kind(), Refused::NotFound);
        assert_eq!(absent.kind(), Refused::NotFound);
        // The messages differ only in the id: nothing tells the task exists.
        assert_eq!(
            foreign.to_string().replace(" 1:", " 99:"),
            absent.to_string(),
            "{event}"
        );
        assert!(!foreign.to_string().contains("Paused"));
    }
}

#[test]
fn task_id_zero_and_ids_never_handed_out_are_not_found() {
    let (mut fleet, _) = task_in(Status::Configuration);
    for id in [0, 2, u64::MAX] {
        let refusal = fleet.apply(A, TaskId(id), Event::End).expect_err("absent");
        assert_eq!(
            refusal,
            Refusal::NotFound {
                account: A,
                task: TaskId(id)
            }
        );
        let message = refusal.to_string();
        assert!(message.contains(&id.to_string()) && !message.contains('\n'));
    }
}

#[test]
fn execute_answers_for_the_commands_account_only() {
    let (mut fleet, id) = task_in(Status::Configuration);
    let command = Command::Task {
        account: B,
        task: id,
        event: Event::StartNow,
    };
    assert_eq!(
        fleet.execute(&command).map(|_| ()).map_err(|r| r.kind()),
        Err(Refused::NotFound)
    );
}

// Deletion.

#[test]
fn a_deleted_task_keeps_its_id_and_answers_deleted() {
    let (fleet, id) = task_in(Status::Deleted);
    let deleted = task(&fleet, A, id);
    assert_eq!(deleted.id(), id);
    assert_eq!(deleted.status(), Status::Deleted);
    assert!(!deleted.holds_instance());
    assert_eq!(fleet.tasks().len(), 1);
}

#[test]
fn deleted_task_is_never_listed() {
    let mut fleet = Fleet::new();
    let kept = new_task(&mut fleet, A, Mode::Full, Status::Ended, Phase::Full);
    let gone = new_task(&mut fleet, A, Mode::Full, Status::CreateFailed, Phase::Full);
    drive(&mut fleet, A, gone, &[Event::Delete]);
    let listed: Vec<TaskId> = fleet.list(A).map(|task| task.id()).collect();
    assert_eq!(listed, vec![kept]);
    drive(&mut fleet, A, kept, &[Event::Delete]);
    assert_eq!(fleet.list(A).count(), 0);
    assert_eq!(fleet.tasks().len(), 2, "deleted tasks stay in the fleet");
}

#[test]
fn a_deleted_task_refuses_every_later_event() {
    let (mut fleet, id) = task_in(Status::Deleted);
    for event in Event::ON_TASK {
        assert_not_allowed(&mut fleet, A, id, event);
    }
    // Billing passes it by.
    fleet.go_into_arrears(A).expect("arrears");
    fleet.recharge(A).expect("recharge");
    let deleted = task(&fleet, A, id);
    assert_eq!(deleted.status(), Status::Deleted);
    assert_eq!(deleted.frozen_from(), None);
}

#[test]
fn ids_are_never_reused_after_deletion() {
    let (mut fleet, id) = task_in(Status::Deleted);
    let next = fleet.create(A, Mode::Full).expect("create").task;
    assert_eq!(next, TaskId(id.0 + 1));
    assert_eq!(status_of(&fleet, A, id), Status::Deleted);
    let other = fleet.create(B, Mode::Full).expect("create").task;
    assert_eq!(other, TaskId(id.0 + 2));
}

// Billing.

#[test]
fn arrears_freezes_every_freezable_task_of_that_account_only() {
    let (freezable, left_alone) = (FREEZABLE, NEVER_FROZEN);
    let mut fleet = Fleet::new();
    let mode = Mode::FullIncremental;
    let mut mine = Vec::new();
    let mut theirs = Vec::new();
    for &status in freezable.iter().chain(left_alone) {
        mine.push((new_task(&mut fleet, A, mode, status, Phase::Full), status));
        theirs.push((new_task(&mut fleet, B, mode, status, Phase::Full), status));
    }
    let before = fleet.clone();

    let outcome = fleet.go_into_arrears(A).expect("arrears");
    assert_eq!(
        outcome,
        Outcome::Account {
            account: A,
            in_arrears: true,
            tasks_changed: freezable.len() as u32
        }
    );
    assert!(fleet.in_arrears(A) && !fleet.in_arrears(B));
    assert_eq!(fleet.accounts_in_arrears(), &[A]);
    for (id, status) in mine {
        let old = task(&before, A, id);
        let now = task(&fleet, A, id);
        if freezable.contains(&status) {
            assert_eq!(now.status(), Status::Frozen);
            assert_eq!(now.frozen_from(), Some(status));
            assert_eq!(now.phase(), old.phase());
            assert_eq!(now.version(), old.version() + 1);
        } else {
            assert_eq!(now, old, "{status:?} is not frozen");
        }
    }
    for (id, _) in theirs {
        assert_eq!(task(&fleet, B, id), task(&before, B, id));
    }
}

#[test]
fn a_frozen_task_refuses_every_user_operation() {
    let (mut fleet, id) = task_in(Status::Frozen);
    for event in Event::ON_TASK.into_iter().filter(|e| e.is_user_operation()) {
        assert_not_allowed(&mut fleet, A, id, event);
        let message = fleet.apply(A, id, event).expect_err("frozen").to_string();
        assert!(message.contains("recharged"), "{message}");
    }
}

#[test]
fn a_frozen_task_waits_with_its_system_events_until_unfrozen() {
    // A task frozen in FullMigration refuses the full phase's outcome while frozen …
    let mut fleet = Fleet::new();
    let id = new_task(
        &mut fleet,
        A,
        Mode::Full,
        Status::FullMigration,
        Phase::Full,
    );
    fleet.go_into_arrears(A).expect("arrears");
    assert_not_allowed(&mut fleet, A, id, Event::FullDone);
    assert_not_allowed(&mut fleet, A, id, Event::InstanceFault);
    // … and accepts it once recharged.
    fleet.recharge(A).expect("recharge");
    drive(
        &mut fleet,
        A,
        id,
        &[Event::FullDone, Event::MigrationFinished],
    );
    assert_eq!(status_of(&fleet, A, id), Status::EndRequested);
}

#[test]
fn a_task_landing_on_a_freezable_status_in_arrears_freezes_in_the_same_command() {
    let cases = [
        (
            Status::Creating,
            Event::InstanceReady,
            Status::Configuration,
        ),
        (
            Status::Starting,
            Event::StartSucceeded,
            Status::FullMigration,
        ),
        (Status::Starting, Event::StartError, Status::StartFailed),
        (
            Status::FaultRecovery,
            Event::RecoveryDone,
            Status::FullMigration,
        ),
        (
            Status::FaultRecovery,
            Event::RecoveryError,
            Status::FaultRecoveryFailed,
        ),
        (
            Status::FullMigrationComplete,
            Event::IncrementalBegun,
            Status::IncrementalMigration,
        ),
        (Status::Ending, Event::ReleaseError, Status::EndFailed),
    ];
    for (from, event, landed) in cases {
        let (mut fleet, id) = task_in(from);
        let old = task(&fleet, A, id);
        let outcome = fleet.go_into_arrears(A).expect("arrears");
        assert!(matches!(
            outcome,
            Outcome::Account {
                tasks_changed: 0,
                ..
            }
        ));
        assert_eq!(
            status_of(&fleet, A, id),
            from,
            "{from:?} is not frozen in flight"
        );

        let change = fleet.apply(A, id, event).expect("accepted");
        assert_eq!((change.from, change.to), (from, Status::Frozen));
        assert_eq!(change.version, old.version() + 1, "one change, one version");
        let now = task(&fleet, A, id);
        assert_eq!(now.frozen_from(), Some(landed));
        let keeps_phase = matches!(landed, Status::StartFailed | Status::FaultRecoveryFailed);
        assert_eq!(now.phase().is_some(), keeps_phase, "{now:?}");

        fleet.recharge(A).expect("recharge");
        assert_eq!(status_of(&fleet, A, id), landed);
    }
}

#[test]
fn recharge_restores_every_frozen_task_of_the_account() {
    let mut fleet = Fleet::new();
    let paused = new_task(
        &mut fleet,
        A,
        Mode::Incremental,
        Status::Paused,
        Phase::Incremental,
    );
    let failed = new_task(&mut fleet, A, Mode::Full, Status::StartFailed, Phase::Full);
    let starting = new_task(&mut fleet, A, Mode::Full, Status::Starting, Phase::Full);
    let before = fleet.clone();
    fleet.go_into_arrears(A).expect("arrears");
    let outcome = fleet.recharge(A).expect("recharge");
    assert_eq!(
        outcome,
        Outcome::Account {
            account: A,
            in_arrears: false,
            tasks_changed: 2
        }
    );
    assert!(!fleet.in_arrears(A));
    for id in [paused, failed] {
        let (old, now) = (task(&before, A, id), task(&fleet, A, id));
        assert_eq!((now.status(), now.phase()), (old.status(), old.phase()));
        assert_eq!(now.version(), old.version() + 2);
    }
    assert_eq!(task(&fleet, A, starting), task(&before, A, starting));
}

#[test]
fn retention_expiry_ends_a_frozen_task() {
    let (mut fleet, id) = task_in(Status::Frozen);
    drive(&mut fleet, A, id, &[Event::RetentionExpired]);
    let ended = task(&fleet, A, id);
    assert_eq!(ended.status(), Status::EndRequested);
    assert_eq!(ended.frozen_from(), None);
    assert_eq!(ended.phase(), None);
}

#[test]
fn releasing_proceeds_while_in_arrears() {
    let (mut fleet, id) = task_in(Status::EndRequested);
    fleet.go_into_arrears(A).expect("arrears");
    drive(
        &mut fleet,
        A,
        id,
        &[Event::ReleaseBegun, Event::ReleaseDone, Event::Delete],
    );
    assert_eq!(status_of(&fleet, A, id), Status::Deleted);
}

#[test]
fn create_is_refused_for_an_account_in_arrears() {
    let mut fleet = Fleet::new();
    fleet.go_into_arrears(A).expect("arrears");
    let before = fleet.clone();
    let refusal = fleet.create(A, Mode::Full).expect_err("in arrears");
    assert_eq!(refusal, Refusal::AccountInArrears { account: A });
    assert_eq!(refusal.kind(), Refused::AccountInArrears);
    assert!(refusal.to_string().contains("recharge"));
    assert_eq!(fleet, before);
    // Other accounts still create, and the id sequence has no gap.
    assert_eq!(fleet.create(B, Mode::Full).expect("create").task, TaskId(1));
}

#[test]
fn going_into_arrears_twice_is_refused() {
    let (mut fleet, _) = task_in(Status::Frozen);
    let before = fleet.clone();
    let refusal = fleet.go_into_arrears(A).expect_err("twice");
    assert_eq!(refusal, Refusal::AlreadyInArrears { account: A });
    assert_eq!(refusal.kind(), Refused::AlreadyInArrears);
    assert_eq!(fleet, before);
}

#[test]
fn recharging_an_account_in_credit_is_refused() {
    let (mut fleet, _) = task_in(Status::Paused);
    let before = fleet.clone();
    let refusal = fleet.recharge(A).expect_err("in credit");
    assert_eq!(refusal, Refusal::NotInArrears { account: A });
    assert_eq!(refusal.kind(), Refused::NotInArrears);
    assert_eq!(fleet, before);
    let refusal = fleet
        .execute(&Command::Recharge { account: B })
        .expect_err("never in arrears");
    assert_eq!(refusal, Refusal::NotInArrears { account: B });
}

#[test]
fn accounts_in_arrears_stay_sorted() {
    let mut fleet = Fleet::new();
    for account in [5, 1, 3] {
        fleet.go_into_arrears(AccountId(account)).expect("arrears");
    }
    assert_eq!(
        fleet.accounts_in_arrears(),
        &[AccountId(1), AccountId(3), AccountId(5)]
    );
    fleet.recharge(AccountId(3)).expect("recharge");
    assert_eq!(fleet.accounts_in_arrears(), &[AccountId(1), AccountId(5)]);
}

#[test]
fn every_refusal_message_is_one_line_naming_its_subject() {
    let refusals = [
        Refusal::NotFound {
            account: A,
            task: TaskId(7),
        },
        Refusal::AccountInArrears { account: B },
        Refusal::AlreadyInArrears { account: B },
        Refusal::NotInArrears { account: B },
    ];
    for refusal in refusals {
        let message = refusal.to_string();
        assert!(!message.contains('\n'), "{message}");
        assert!(message.contains("account"), "{message}");
    }
    for status in Status::ALL {
        for mode in Mode::ALL {
            for event in Event::KINDS {
                let message = Refusal::NotAllowed {
                    task: TaskId(3),
                    status,
                    mode,
                    event,
                }
                .to_string();
                assert!(!message.contains('\n'), "{message}");
                assert!(message.contains("task 3") && message.contains(status.name()));
                assert!(message.contains(&event.to_string()), "{message}");
            }
        }
    }
}
