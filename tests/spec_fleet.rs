//! The specification of a fleet (`FleetSpec`): what tasks share beyond the table. Ids are
//! handed out in order and never reused, another account's task is not found, and billing
//! freezes an account's tasks, freezes a task that lands on a freezable status in arrears,
//! and restores them on recharge.

mod common;

use common::{A, B};
use drs_lifecycle::spec::{
    AccountId, Command, Event, FleetSpec, Mode, Phase, Refused, Source, Status, TaskId,
};

use Event::*;
use Status::*;

type Fleet = FleetSpec<6>;

fn apply(fleet: &Fleet, command: Command) -> Fleet {
    fleet
        .apply(&command)
        .unwrap_or_else(|refused| panic!("{command} refused: {refused}"))
}

fn create(fleet: &Fleet, account: AccountId, mode: Mode) -> Fleet {
    apply(fleet, Command::Create { account, mode })
}

fn send(fleet: &Fleet, account: AccountId, id: u64, events: &[Event]) -> Fleet {
    events.iter().fold(*fleet, |fleet, &event| {
        apply(
            &fleet,
            Command::Task {
                account,
                task: TaskId(id),
                event,
            },
        )
    })
}

fn status(fleet: &Fleet, account: AccountId, id: u64) -> Option<Status> {
    fleet.get(account, TaskId(id)).map(|task| task.status)
}

#[test]
fn ids_are_handed_out_in_order_and_never_reused() {
    let mut fleet = Fleet::new();
    fleet = create(&fleet, A, Mode::Full);
    fleet = create(&fleet, B, Mode::Full);
    fleet = send(&fleet, A, 1, &[InstanceCreationFailed, Delete]);
    assert_eq!(fleet.next_id(), TaskId(3));
    fleet = create(&fleet, A, Mode::Full);
    assert_eq!(status(&fleet, A, 1), Some(Deleted));
    assert_eq!(status(&fleet, A, 3), Some(Creating));
    assert_eq!(fleet.len(), 3);
}

#[test]
fn deleted_task_is_never_listed_but_answers_by_id() {
    let mut fleet = create(&Fleet::new(), A, Mode::Full);
    fleet = create(&fleet, A, Mode::Full);
    fleet = send(&fleet, A, 1, &[InstanceCreationFailed, Delete]);
    assert_eq!(fleet.listed(A).collect::<Vec<_>>(), [TaskId(2)]);
    assert_eq!(status(&fleet, A, 1), Some(Deleted));
    for event in Event::ON_TASK
        .into_iter()
        .filter(|e| e.source() != Source::Billing)
    {
        let command = Command::Task {
            account: A,
            task: TaskId(1),
            event,
        };
        assert_eq!(fleet.apply(&command), Err(Refused::NotAllowed), "{command}");
    }
}

#[test]
fn another_account_task_is_not_found() {
    let fleet = send(
        &create(&Fleet::new(), A, Mode::Full),
        A,
        1,
        &[InstanceReady],
    );
    for (account, id) in [(B, 1), (A, 2), (A, 0), (A, u64::MAX)] {
        let command = Command::Task {
            account,
            task: TaskId(id),
            event: StartNow,
        };
        assert_eq!(fleet.apply(&command), Err(Refused::NotFound), "{command}");
    }
    assert_eq!(fleet.get(B, TaskId(1)), None);
    assert_eq!(fleet.listed(B).count(), 0);
}

#[test]
fn billing_events_are_for_accounts_not_tasks() {
    let fleet = send(
        &create(&Fleet::new(), A, Mode::Full),
        A,
        1,
        &[InstanceReady],
    );
    for event in [AccountInArrears, AccountRecharged] {
        let command = Command::Task {
            account: A,
            task: TaskId(1),
            event,
        };
        assert_eq!(fleet.apply(&command), Err(Refused::NotAllowed));
    }
}

#[test]
fn create_is_refused_while_the_account_is_in_arrears() {
    let fleet = apply(&Fleet::new(), Command::Arrears { account: A });
    let command = Command::Create {
        account: A,
        mode: Mode::Full,
    };
    assert_eq!(fleet.apply(&command), Err(Refused::AccountInArrears));
    assert!(
        fleet
            .apply(&Command::Create {
                account: B,
                mode: Mode::Full
            })
            .is_ok()
    );
    let recharged = apply(&fleet, Command::Recharge { account: A });
    assert!(recharged.apply(&command).is_ok());
}

#[test]
fn arrears_and_recharge_are_refused_twice_in_a_row() {
    let fleet = apply(&Fleet::new(), Command::Arrears { account: A });
    assert_eq!(
        fleet.apply(&Command::Arrears { account: A }),
        Err(Refused::AlreadyInArrears)
    );
    assert_eq!(
        fleet.apply(&Command::Recharge { account: B }),
        Err(Refused::NotInArrears)
    );
}

#[test]
fn arrears_freezes_only_that_account_freezable_tasks() {
    let mut fleet = Fleet::new();
    fleet = create(&fleet, A, Mode::Full); // 1: A, Configuration
    fleet = send(&fleet, A, 1, &[InstanceReady]);
    fleet = create(&fleet, A, Mode::Full); // 2: A, Creating (transient)
    fleet = create(&fleet, A, Mode::Full); // 3: A, CreateFailed (holds no instance)
    fleet = send(&fleet, A, 3, &[InstanceCreationFailed]);
    fleet = create(&fleet, B, Mode::Full); // 4: B, Configuration
    fleet = send(&fleet, B, 4, &[InstanceReady]);
    fleet = create(&fleet, A, Mode::Full); // 5: A, Ending (transient)
    fleet = send(&fleet, A, 5, &[InstanceReady, End, ReleaseBegun]);

    fleet = apply(&fleet, Command::Arrears { account: A });
    assert!(fleet.in_arrears(A) && !fleet.in_arrears(B));
    assert_eq!(status(&fleet, A, 1), Some(Frozen));
    assert_eq!(
        fleet.get(A, TaskId(1)).and_then(|t| t.frozen_from),
        Some(Configuration)
    );
    assert_eq!(status(&fleet, A, 2), Some(Creating));
    assert_eq!(status(&fleet, A, 3), Some(CreateFailed));
    assert_eq!(status(&fleet, B, 4), Some(Configuration));
    assert_eq!(
        status(&fleet, A, 5),
        Some(Ending),
        "releasing is never blocked"
    );

    // The release finishes in arrears; Ended is not freezable.
    fleet = send(&fleet, A, 5, &[ReleaseDone]);
    assert_eq!(status(&fleet, A, 5), Some(Ended));
}

#[test]
fn landing_on_a_freezable_status_in_arrears_freezes_at_once() {
    let mut fleet = create(&Fleet::new(), A, Mode::FullIncremental);
    fleet = apply(&fleet, Command::Arrears { account: A });
    fleet = send(&fleet, A, 1, &[InstanceReady]);
    let task = fleet.get(A, TaskId(1)).copied();
    assert_eq!(
        task.map(|t| (t.status, t.frozen_from)),
        Some((Frozen, Some(Configuration)))
    );

    // A release that fails in arrears lands on EndFailed, which freezes too.
    let mut ending = create(&Fleet::new(), A, Mode::Full);
    ending = send(&ending, A, 1, &[InstanceReady, End, ReleaseBegun]);
    ending = apply(&ending, Command::Arrears { account: A });
    ending = send(&ending, A, 1, &[ReleaseError]);
    assert_eq!(status(&ending, A, 1), Some(Frozen));
}

#[test]
fn frozen_task_refuses_user_operations_in_the_fleet() {
    let mut fleet = create(&Fleet::new(), A, Mode::Full);
    fleet = send(&fleet, A, 1, &[InstanceReady]);
    fleet = apply(&fleet, Command::Arrears { account: A });
    for event in Event::ON_TASK.into_iter().filter(|e| e.is_user_operation()) {
        let command = Command::Task {
            account: A,
            task: TaskId(1),
            event,
        };
        assert_eq!(fleet.apply(&command), Err(Refused::NotAllowed), "{command}");
    }
}

#[test]
fn recharge_restores_each_frozen_task_exactly() {
    let mut fleet = Fleet::new();
    fleet = create(&fleet, A, Mode::FullIncremental);
    fleet = send(
        &fleet,
        A,
        1,
        &[InstanceReady, StartNow, StartSucceeded, FullDone, Pause],
    );
    fleet = create(&fleet, A, Mode::Incremental);
    fleet = send(&fleet, A, 2, &[InstanceReady, StartNow, StartError]);
    let before = fleet;
    fleet = apply(&fleet, Command::Arrears { account: A });
    assert_eq!(status(&fleet, A, 1), Some(Frozen));
    assert_eq!(status(&fleet, A, 2), Some(Frozen));
    fleet = apply(&fleet, Command::Recharge { account: A });
    assert_eq!(fleet, before);
    assert_eq!(
        fleet.get(A, TaskId(1)).and_then(|t| t.phase),
        Some(Phase::Incremental)
    );
}

#[test]
fn retention_expiry_ends_a_frozen_task_in_the_fleet() {
    let mut fleet = create(&Fleet::new(), A, Mode::Full);
    fleet = send(&fleet, A, 1, &[InstanceReady]);
    fleet = apply(&fleet, Command::Arrears { account: A });
    fleet = send(
        &fleet,
        A,
        1,
        &[RetentionExpired, ReleaseBegun, ReleaseDone, Delete],
    );
    assert_eq!(status(&fleet, A, 1), Some(Deleted));
    assert_eq!(fleet.listed(A).count(), 0);
}

#[test]
fn capacity_is_a_refusal_not_a_panic() {
    let mut fleet = FleetSpec::<1>::new();
    fleet = fleet
        .apply(&Command::Create {
            account: A,
            mode: Mode::Full,
        })
        .expect("room for one");
    let again = Command::Create {
        account: A,
        mode: Mode::Full,
    };
    assert_eq!(fleet.apply(&again), Err(Refused::Capacity));
    let far = Command::Create {
        account: AccountId(u32::MAX),
        mode: Mode::Full,
    };
    assert_eq!(FleetSpec::<1>::new().apply(&far), Err(Refused::Capacity));
    assert_eq!(
        FleetSpec::<1>::new().apply(&Command::Arrears {
            account: AccountId(u32::MAX)
        }),
        Err(Refused::Capacity)
    );
}

/// Equality and hashing read only the created tasks (the unused slots are a constant):
/// fleets built by different routes to the same tasks are equal and hash alike, and a
/// difference in the number of tasks, in the accounts in arrears or in one task's state
/// makes them unequal.
#[test]
fn equality_and_hashing_see_every_created_task_and_nothing_else() {
    use std::hash::{BuildHasher, RandomState};
    let hasher = RandomState::new();

    let two = send(
        &create(&create(&Fleet::new(), A, Mode::Full), B, Mode::Incremental),
        A,
        1,
        &[InstanceReady],
    );
    let rebuilt = Fleet::from_parts(two.slots(), two.arrears_bits()).expect("fits");
    assert_eq!(two, rebuilt);
    assert_eq!(hasher.hash_one(two), hasher.hash_one(rebuilt));

    let more_tasks = create(&two, A, Mode::Full);
    let in_arrears = apply(&two, Command::Arrears { account: B });
    let one_task_moved = send(&two, B, 2, &[InstanceReady]);
    for other in [more_tasks, in_arrears, one_task_moved] {
        assert_ne!(two, other, "{other:?}");
        assert_ne!(hasher.hash_one(two), hasher.hash_one(other), "{other:?}");
    }
    // Each slot is compared: the same statuses in another order differ.
    let mut swapped = two.slots().to_vec();
    swapped.swap(0, 1);
    let swapped = Fleet::from_parts(&swapped, two.arrears_bits()).expect("fits");
    assert_ne!(two, swapped);
}
