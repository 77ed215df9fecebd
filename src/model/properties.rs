//! The properties of the brief's part C, as named stateright properties.
//!
//! Safety properties are `always` predicates over [`World`]; transition claims read the
//! sticky [`Broken`] flags that the model's step sets. Reachability is one `sometimes`
//! property per status. Each safety property names the fault that breaks it (see
//! [`super::faults`]); the shipped configurations inject every one of them.
//!
//! Liveness is not here: stateright's `eventually` only judges paths that end in a state
//! without successors, so on this lifecycle (which cycles through pause/resume,
//! freeze/recharge and retry) it would report success that proves nothing.

use stateright::Property;

use crate::spec::{AccountId, Event, Source, Status};

use super::faults::Fault;
use super::fleet::{FleetModel, ModelState};
use super::world::{Broken, World};

/// The two kinds of property the models check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Holds in every reachable state (a stateright `always`).
    Safety,
    /// Holds in some reachable state (a stateright `sometimes`).
    Reachability,
}

/// What a property claims, for reports and documentation.
#[derive(Clone, Copy, Debug)]
pub struct PropertyInfo {
    pub name: &'static str,
    pub kind: Kind,
    /// The claim in a sentence.
    pub claim: &'static str,
    /// Whether only the conformance model (specification × engine) checks it.
    pub conformance_only: bool,
    /// A fault that breaks it.
    pub broken_by: Option<Fault>,
    condition: fn(&FleetModel, &ModelState) -> bool,
}

pub const DELETED_NEVER_REAPPEARS: &str = "deleted task never reappears";
pub const ENDED_IS_TERMINAL: &str = "ended is terminal";
pub const DELETE_ONLY_FROM_CREATE_FAILED_OR_ENDED: &str = "delete only from CreateFailed or Ended";
pub const FROZEN_ONLY_IN_ARREARS: &str = "frozen only in arrears";
pub const UNFREEZE_RESTORES_STATUS: &str = "unfreeze restores the remembered status";
pub const INSTANCE_HELD_EXACTLY_WHILE_NEEDED: &str = "instance held exactly while needed";
pub const INSTANCE_ACQUIRED_AND_RELEASED_ONCE: &str = "instance acquired once and released once";
pub const MODE_PHASES_RESPECTED: &str = "full-only never incremental, incremental-only never full";
pub const NO_DEADLOCK: &str = "no deadlock";
pub const ENGINE_REFINES_SPEC: &str = "engine refines the specification";
pub const REFUSAL_CHANGES_NOTHING: &str = "refused command changes nothing";

/// Every safety property, in report order.
pub const SAFETY: &[PropertyInfo] = &[
    PropertyInfo {
        name: DELETED_NEVER_REAPPEARS,
        kind: Kind::Safety,
        claim: "once deleted, a task stays Deleted, is never listed, keeps its id, and no later event changes it",
        conformance_only: false,
        broken_by: Some(Fault::DeletedRevivedByLateReport),
        condition: deleted_never_reappears,
    },
    PropertyInfo {
        name: ENDED_IS_TERMINAL,
        kind: Kind::Safety,
        claim: "once Ended, a task is Ended or Deleted forever",
        conformance_only: false,
        broken_by: Some(Fault::EndedRestarts),
        condition: ended_is_terminal,
    },
    PropertyInfo {
        name: DELETE_ONLY_FROM_CREATE_FAILED_OR_ENDED,
        kind: Kind::Safety,
        claim: "a task becomes Deleted only from CreateFailed or Ended",
        conformance_only: false,
        broken_by: Some(Fault::DeleteWhileRunning),
        condition: delete_only_from_create_failed_or_ended,
    },
    PropertyInfo {
        name: FROZEN_ONLY_IN_ARREARS,
        kind: Kind::Safety,
        claim: "a task is Frozen only while its account is in arrears",
        conformance_only: false,
        broken_by: Some(Fault::RechargeLeavesTaskFrozen),
        condition: frozen_only_in_arrears,
    },
    PropertyInfo {
        name: UNFREEZE_RESTORES_STATUS,
        kind: Kind::Safety,
        claim: "a recharge returns every frozen task to exactly the status (and phase) it froze",
        conformance_only: false,
        broken_by: Some(Fault::UnfreezeForgetsStatus),
        condition: unfreeze_restores_status,
    },
    PropertyInfo {
        name: INSTANCE_HELD_EXACTLY_WHILE_NEEDED,
        kind: Kind::Safety,
        claim: "a task holds a migration instance exactly while its status needs one",
        conformance_only: false,
        broken_by: Some(Fault::ReleaseDoneLandsOnEndFailed),
        condition: instance_held_exactly_while_needed,
    },
    PropertyInfo {
        name: INSTANCE_ACQUIRED_AND_RELEASED_ONCE,
        kind: Kind::Safety,
        claim: "a task's instance is acquired at most once and released at most once",
        conformance_only: false,
        broken_by: Some(Fault::DuplicateInstanceReport),
        condition: instance_acquired_and_released_once,
    },
    PropertyInfo {
        name: MODE_PHASES_RESPECTED,
        kind: Kind::Safety,
        claim: "a full-only task never enters an incremental status and an incremental-only task never a full one",
        conformance_only: false,
        broken_by: Some(Fault::FullOnlyContinuesToIncremental),
        condition: mode_phases_respected,
    },
    PropertyInfo {
        name: NO_DEADLOCK,
        kind: Kind::Safety,
        claim: "every task that is not Ended or Deleted has an event that moves it",
        conformance_only: false,
        broken_by: Some(Fault::CreationReportLost),
        condition: no_deadlock,
    },
    PropertyInfo {
        name: ENGINE_REFINES_SPEC,
        kind: Kind::Safety,
        claim: "on every command, allowed or not, the engine accepts exactly what the specification accepts and lands in the same state",
        conformance_only: true,
        broken_by: Some(Fault::EnginePausesFrozenTask),
        condition: engine_refines_spec,
    },
    PropertyInfo {
        name: REFUSAL_CHANGES_NOTHING,
        kind: Kind::Safety,
        claim: "a command the engine refuses leaves the engine exactly as it was",
        conformance_only: true,
        broken_by: Some(Fault::EngineRefusalBumpsVersion),
        condition: refusal_changes_nothing,
    },
];

fn deleted_never_reappears(_: &FleetModel, state: &ModelState) -> bool {
    deleted_never_reappears_in(&state.world)
}

fn deleted_never_reappears_in<const N: usize>(world: &World<N>) -> bool {
    world
        .fleet
        .slots()
        .iter()
        .enumerate()
        .all(|(i, slot)| !world.history[i].was_deleted() || slot.task.status == Status::Deleted)
}

fn ended_is_terminal(_: &FleetModel, state: &ModelState) -> bool {
    ended_is_terminal_in(&state.world)
}

fn ended_is_terminal_in<const N: usize>(world: &World<N>) -> bool {
    world
        .fleet
        .slots()
        .iter()
        .enumerate()
        .all(|(i, slot)| !world.history[i].was_ended() || slot.task.status.is_terminal())
}

fn delete_only_from_create_failed_or_ended(_: &FleetModel, state: &ModelState) -> bool {
    delete_only_from_create_failed_or_ended_in(&state.world)
}

fn delete_only_from_create_failed_or_ended_in<const N: usize>(world: &World<N>) -> bool {
    !world.broken.contains(Broken::DELETE_FROM_WRONG_STATUS)
}

fn frozen_only_in_arrears(_: &FleetModel, state: &ModelState) -> bool {
    frozen_only_in_arrears_in(&state.world)
}

fn frozen_only_in_arrears_in<const N: usize>(world: &World<N>) -> bool {
    let fleet = &world.fleet;
    fleet.slots().iter().all(|slot| {
        slot.task.status != Status::Frozen || fleet.in_arrears(AccountId(slot.account.into()))
    })
}

fn unfreeze_restores_status(_: &FleetModel, state: &ModelState) -> bool {
    unfreeze_restores_status_in(&state.world)
}

fn unfreeze_restores_status_in<const N: usize>(world: &World<N>) -> bool {
    !world.broken.contains(Broken::UNFREEZE_MISMATCH)
}

fn instance_held_exactly_while_needed(_: &FleetModel, state: &ModelState) -> bool {
    instance_held_exactly_while_needed_in(&state.world)
}

fn instance_held_exactly_while_needed_in<const N: usize>(world: &World<N>) -> bool {
    world
        .fleet
        .slots()
        .iter()
        .enumerate()
        .all(|(i, slot)| world.history[i].holds_instance() == slot.task.status.holds_instance())
}

fn instance_acquired_and_released_once(_: &FleetModel, state: &ModelState) -> bool {
    instance_acquired_and_released_once_in(&state.world)
}

fn instance_acquired_and_released_once_in<const N: usize>(world: &World<N>) -> bool {
    world
        .history
        .iter()
        .all(|history| history.acquired() <= 1 && history.released() <= 1)
}

fn mode_phases_respected(_: &FleetModel, state: &ModelState) -> bool {
    mode_phases_respected_in(&state.world)
}

fn mode_phases_respected_in<const N: usize>(world: &World<N>) -> bool {
    world.fleet.slots().iter().all(|slot| {
        let task = &slot.task;
        let status_phase = task.effective_status().migration_phase();
        status_phase.is_none_or(|phase| task.mode.runs(phase))
            && task.phase.is_none_or(|phase| task.mode.runs(phase))
    })
}

/// A task is stuck when no event addressed to it and no billing event of its account moves
/// it. Judged with the model's (possibly faulty) step, so a fault that removes a status's
/// last way out is caught.
fn no_deadlock(model: &FleetModel, state: &ModelState) -> bool {
    no_deadlock_in(&state.world, model.fault)
}

fn no_deadlock_in<const N: usize>(world: &World<N>, fault: Option<Fault>) -> bool {
    let fleet = &world.fleet;
    fleet.slots().iter().all(|slot| {
        let task = &slot.task;
        if task.status.is_terminal() {
            return true;
        }
        let moves = |event| Fault::step(fault, task, event).is_some_and(|next| next != *task);
        let in_arrears = fleet.in_arrears(AccountId(slot.account.into()));
        Event::ON_TASK
            .iter()
            .filter(|event| event.source() != Source::Billing)
            .any(|&event| moves(event))
            || (in_arrears && task.status == Status::Frozen && moves(Event::AccountRecharged))
            || (!in_arrears && task.status.is_freezable() && moves(Event::AccountInArrears))
    })
}

fn engine_refines_spec(_: &FleetModel, state: &ModelState) -> bool {
    engine_refines_spec_in(&state.world)
}

fn engine_refines_spec_in<const N: usize>(world: &World<N>) -> bool {
    !world.broken.contains(Broken::DIVERGED)
}

fn refusal_changes_nothing(_: &FleetModel, state: &ModelState) -> bool {
    refusal_changes_nothing_in(&state.world)
}

fn refusal_changes_nothing_in<const N: usize>(world: &World<N>) -> bool {
    !world.broken.contains(Broken::REFUSAL_CHANGED_STATE)
}

/// The name of the reachability property of a status: "reaches 暂停中 Paused".
pub const fn reach_name(status: Status) -> &'static str {
    match status {
        Status::Creating => "reaches 创建中 Creating",
        Status::CreateFailed => "reaches 创建任务失败 CreateFailed",
        Status::Configuration => "reaches 配置 Configuration",
        Status::Frozen => "reaches 冻结 Frozen",
        Status::WaitingToStart => "reaches 等待启动 WaitingToStart",
        Status::Starting => "reaches 启动中 Starting",
        Status::StartFailed => "reaches 启动失败 StartFailed",
        Status::FullMigration => "reaches 全量迁移 FullMigration",
        Status::FullMigrationFailed => "reaches 全量迁移失败 FullMigrationFailed",
        Status::IncrementalMigration => "reaches 增量迁移 IncrementalMigration",
        Status::IncrementalMigrationFailed => "reaches 增量迁移失败 IncrementalMigrationFailed",
        Status::FaultRecovery => "reaches 故障恢复 FaultRecovery",
        Status::Paused => "reaches 暂停中 Paused",
        Status::EndRequested => "reaches 结束任务 EndRequested",
        Status::Ending => "reaches 结束任务中 Ending",
        Status::EndFailed => "reaches 结束任务失败 EndFailed",
        Status::Ended => "reaches 已结束 Ended",
        Status::FullMigrationComplete => "reaches 全量迁移完成 FullMigrationComplete",
        Status::FaultRecoveryFailed => "reaches 故障恢复失败 FaultRecoveryFailed",
        Status::Deleted => "reaches 已删除 Deleted",
    }
}

/// The name of the one stateright property of a model that tallies its verdicts.
pub const TALLIED: &str = "every claim, tallied by the model";

/// The condition of the [`TALLIED`] property: judges every safety property of the model on
/// the state, records those it breaks in the model's tally, and holds, so that stateright
/// never stops the search on a discovery (see [`super::tally`]).
pub fn record_safety_verdicts(model: &FleetModel, state: &ModelState) -> bool {
    let Some(tally) = &model.tally else {
        return true;
    };
    let mut broken = 0u32;
    for (i, info) in SAFETY.iter().enumerate() {
        if (model.conformance || !info.conformance_only) && !(info.condition)(model, state) {
            broken |= 1 << i;
        }
    }
    if broken != 0 {
        tally.record_violations(broken);
    }
    true
}

/// The index in [`SAFETY`] of the safety property with this name.
pub fn safety_index(name: &str) -> Option<usize> {
    SAFETY.iter().position(|info| info.name == name)
}

/// The status whose reachability property has this name.
pub fn reached_status(name: &str) -> Option<Status> {
    Status::ALL
        .into_iter()
        .find(|&status| reach_name(status) == name)
}

fn reaches<const S: usize>(_: &FleetModel, state: &ModelState) -> bool {
    let wanted = Status::ALL[S];
    state
        .world
        .fleet
        .slots()
        .iter()
        .any(|slot| slot.task.status == wanted)
}

macro_rules! reach_properties {
    ($($s:literal)*) => {
        [$(PropertyInfo {
            name: reach_name(Status::ALL[$s]),
            kind: Kind::Reachability,
            claim: "some run reaches the status",
            conformance_only: false,
            broken_by: None,
            condition: reaches::<$s>,
        }),*]
    };
}

/// One reachability property per status.
pub const REACHABILITY: [PropertyInfo; crate::spec::STATUS_COUNT] =
    reach_properties!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19);

/// The properties a model checks.
pub fn properties_of(model: &FleetModel) -> Vec<PropertyInfo> {
    SAFETY
        .iter()
        .filter(|info| model.conformance || !info.conformance_only)
        .chain(REACHABILITY.iter())
        .copied()
        .collect()
}

/// Every property name any model can check.
pub fn all_names() -> impl Iterator<Item = &'static str> {
    SAFETY
        .iter()
        .chain(REACHABILITY.iter())
        .map(|info| info.name)
}

impl PropertyInfo {
    /// The stateright property.
    pub fn property(&self) -> Property<FleetModel> {
        match self.kind {
            Kind::Safety => Property::always(self.name, self.condition),
            Kind::Reachability => Property::sometimes(self.name, self.condition),
        }
    }

    /// Evaluates the predicate on a state (for the shortest-counterexample search).
    pub fn holds(&self, model: &FleetModel, state: &ModelState) -> bool {
        (self.condition)(model, state)
    }
}

/// The first safety property (of those that do not need the conformance model's flags
/// beyond the world itself) that a world violates, judged with the given fault's step. The
/// fuzzing harness calls it after every step, on fleets larger than the models'.
pub fn violated_property<const N: usize>(
    world: &World<N>,
    fault: Option<Fault>,
) -> Option<&'static str> {
    let checks: [(&'static str, bool); 11] = [
        (DELETED_NEVER_REAPPEARS, deleted_never_reappears_in(world)),
        (ENDED_IS_TERMINAL, ended_is_terminal_in(world)),
        (
            DELETE_ONLY_FROM_CREATE_FAILED_OR_ENDED,
            delete_only_from_create_failed_or_ended_in(world),
        ),
        (FROZEN_ONLY_IN_ARREARS, frozen_only_in_arrears_in(world)),
        (UNFREEZE_RESTORES_STATUS, unfreeze_restores_status_in(world)),
        (
            INSTANCE_HELD_EXACTLY_WHILE_NEEDED,
            instance_held_exactly_while_needed_in(world),
        ),
        (
            INSTANCE_ACQUIRED_AND_RELEASED_ONCE,
            instance_acquired_and_released_once_in(world),
        ),
        (MODE_PHASES_RESPECTED, mode_phases_respected_in(world)),
        (NO_DEADLOCK, no_deadlock_in(world, fault)),
        (ENGINE_REFINES_SPEC, engine_refines_spec_in(world)),
        (REFUSAL_CHANGES_NOTHING, refusal_changes_nothing_in(world)),
    ];
    checks
        .into_iter()
        .find(|(_, holds)| !holds)
        .map(|(name, _)| name)
}
