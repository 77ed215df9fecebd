//! One command on the specification and the reference implementation side by side.
//!
//! This is the comparison behind the conformance model and the fuzzing harness. The two
//! must agree on whether the command is accepted, on the kind of a refusal, on every task's
//! status, mode, remembered phase and frozen status, on which accounts are in arrears, on
//! what each account's task list shows, and on the change the engine reports (the task, the
//! statuses before and after, the instance acquired or released, the version bumped by one
//! on exactly the tasks that changed). A refused command must leave the engine exactly as it
//! was, versions included.

use crate::plane::{
    ControlPlane, Exhaustive, InstanceChange, Observed, Outcome, Refusal as _, TaskView,
};
use crate::spec::{
    AccountId, Command, FleetSpec, MAX_ACCOUNTS, Mode, Refused, Slot, TaskId, TaskSpec,
};

use super::claims::{
    ClaimId, DELETED_NEVER_REAPPEARS, ENGINE_REFINES_SPEC, INSTANCE_HELD_WHILE_NEEDED, Judged,
    REFUSAL_CHANGES_NOTHING, first_broken_by_a_step,
};
use super::faults::Fault;
use super::world::{Broken, World};

/// What one lockstep step found.
#[derive(Clone, Debug)]
pub enum Lockstep<const N: usize> {
    /// Both refused, with the same kind of refusal, and the engine is unchanged.
    BothRefused(Refused),
    /// Both accepted and agree: the world after the step.
    Agreed(World<N>),
    /// They disagree. The world shows what the engine did (so the safety properties judge
    /// the engine's state), with the broken-claim flag set.
    Diverged {
        /// The world after the engine's step, with [`Broken::DIVERGED`] set.
        world: World<N>,
        /// How they disagreed, for the counterexample.
        reason: String,
        /// The claim the disagreement breaks: a safety claim that the implementation's step
        /// breaks (judged on what it did: its tasks, the instances it says it acquired and
        /// released), else the claim of the comparison that failed (a refusal that changed
        /// something, an instance held where its status needs none, a deleted task listed),
        /// else "engine refines the specification".
        claim: ClaimId,
    },
}

/// What the implementation showed before a command, as [`lockstep`] compares it with what
/// it shows after: an [`Observed`] view (for an implementation that cannot be copied), or a
/// copy of the implementation itself ([`Copied`], for an [`Exhaustive`] one: no view to
/// build per command).
pub trait Before<P: ControlPlane> {
    /// Whether `after` shows exactly this: every task, versions included, and the accounts
    /// in arrears.
    fn unchanged(&self, after: &P) -> bool;
    /// Every task as it was, in id order.
    fn tasks(&self) -> impl Iterator<Item = TaskView> + '_;
}

impl<P: ControlPlane> Before<P> for Observed {
    #[inline]
    fn unchanged(&self, after: &P) -> bool {
        self.matches(after)
    }

    #[inline]
    fn tasks(&self) -> impl Iterator<Item = TaskView> + '_ {
        self.tasks.iter().copied()
    }
}

/// A copy of an [`Exhaustive`] implementation as it was before a command.
pub struct Copied<'a, P>(pub &'a P);

impl<P: Exhaustive> Before<P> for Copied<'_, P> {
    #[inline]
    fn unchanged(&self, after: &P) -> bool {
        after.unchanged_since(self.0)
    }

    #[inline]
    fn tasks(&self) -> impl Iterator<Item = TaskView> + '_ {
        self.0.tasks()
    }
}

/// Runs `command` on the specification (from `world`, with the specification fault if any)
/// and on the implementation. `before` is what the implementation showed before the
/// command; on return `after` is the implementation after it. `accounts` is how many
/// accounts listings are compared for.
pub fn lockstep<P: ControlPlane, B: Before<P>, const N: usize>(
    world: &World<N>,
    before: &B,
    after: &mut P,
    fault: Option<Fault>,
    command: &Command,
    accounts: usize,
) -> Lockstep<N> {
    let engine_result = after.execute(command);
    let spec_result = world
        .fleet
        .apply_with(command, |task, event| Fault::step(fault, task, event));
    match (spec_result, engine_result) {
        (Err(spec_refusal), Err(engine_refusal)) => {
            let unchanged = before.unchanged(after);
            if spec_refusal == engine_refusal.kind() && unchanged {
                return Lockstep::BothRefused(spec_refusal);
            }
            let (flag, reason, comparison) = if unchanged {
                (
                    Broken::DIVERGED,
                    format!(
                        "both refused {command}, but the specification refuses it as {}, the \
                         program as {} ({engine_refusal})",
                        refusal_words(spec_refusal),
                        refusal_words(engine_refusal.kind())
                    ),
                    ENGINE_REFINES_SPEC,
                )
            } else {
                (
                    Broken::REFUSAL_CHANGED_STATE,
                    format!(
                        "the program refused {command} ({engine_refusal}) but changed its state: {}",
                        changed_by_refusal(before, after)
                    ),
                    REFUSAL_CHANGES_NOTHING,
                )
            };
            let claim = claim_of_step(world, before, after, command, fault, comparison);
            diverged(world, after, command, flag, (reason, claim))
        }
        (Ok(spec_fleet), Ok(outcome)) => {
            let (acquired, released) = instance_changes(&outcome, after);
            let mut next = *world;
            next.fleet = spec_fleet;
            next.observe(&world.fleet, command, acquired, released);
            let disagreement = if project::<P, N>(after) != Some(spec_fleet) {
                Some((task_differences(&spec_fleet, after), ENGINE_REFINES_SPEC))
            } else if !instances_match(after) {
                Some((instance_differences(after), INSTANCE_HELD_WHILE_NEEDED))
            } else if !listings_match(after, &spec_fleet, accounts) {
                Some((
                    listing_differences(after, &spec_fleet, accounts),
                    if lists_a_deleted_task(after, &spec_fleet, accounts) {
                        DELETED_NEVER_REAPPEARS
                    } else {
                        ENGINE_REFINES_SPEC
                    },
                ))
            } else if !versions_advanced(before, after, &outcome) {
                Some((
                    version_differences(before, after, &outcome),
                    ENGINE_REFINES_SPEC,
                ))
            } else if !outcome_matches(&world.fleet, &spec_fleet, command, &outcome) {
                Some((
                    outcome_differences(&world.fleet, &spec_fleet, command, &outcome),
                    ENGINE_REFINES_SPEC,
                ))
            } else {
                None
            };
            match disagreement {
                None => Lockstep::Agreed(next),
                Some((why, comparison)) => {
                    let claim = claim_of_step(world, before, after, command, fault, comparison);
                    diverged(
                        world,
                        after,
                        command,
                        Broken::DIVERGED,
                        (format!("both accepted {command}, but {why}"), claim),
                    )
                }
            }
        }
        (Ok(_), Err(refusal)) => {
            let claim = claim_of_step(world, before, after, command, fault, ENGINE_REFINES_SPEC);
            diverged(
                world,
                after,
                command,
                Broken::DIVERGED,
                (
                    format!(
                        "the specification accepts {command}, the program refused it as {} ({refusal})",
                        refusal_words(refusal.kind())
                    ),
                    claim,
                ),
            )
        }
        (Err(refused), Ok(_)) => {
            let claim = claim_of_step(world, before, after, command, fault, ENGINE_REFINES_SPEC);
            diverged(
                world,
                after,
                command,
                Broken::DIVERGED,
                (
                    format!(
                        "the specification refuses {command} as {}, the program accepted it",
                        refusal_words(refused)
                    ),
                    claim,
                ),
            )
        }
    }
}

/// Whether the implementation refuses a command that the specification refused (as
/// `spec_refusal`) the same way, and stays untouched: the one outcome of [`lockstep`]
/// without a successor state ([`Lockstep::BothRefused`], by the same test, asked of the
/// implementation's copies through [`Exhaustive::unchanged_since`]). `after` must be a copy
/// of `before` on entry; on return it is the implementation after the command. The
/// conformance model settles most of its commands with this, without building a step's
/// result for each.
#[inline]
pub fn refused_alike<P: Exhaustive>(
    before: &P,
    after: &mut P,
    command: &Command,
    spec_refusal: Refused,
) -> bool {
    match after.execute(command) {
        Err(engine_refusal) => {
            engine_refusal.kind() == spec_refusal && after.unchanged_since(before)
        }
        Ok(_) => false,
    }
}

/// The claim a disagreement breaks: the first safety claim that the implementation's own
/// step breaks, judged on the world it made (its tasks, with the instances acquired and
/// released as its tasks show them, so that a step is never charged with an instance it
/// did not take), else `comparison`, the claim of the comparison that failed. Judging the
/// implementation's world with the instance changes left out would name "instance held
/// exactly while needed" for any step into an instance-holding status that differs in
/// something else, a version say.
fn claim_of_step<P: ControlPlane, B: Before<P>, const N: usize>(
    world: &World<N>,
    before: &B,
    after: &P,
    command: &Command,
    fault: Option<Fault>,
    comparison: ClaimId,
) -> ClaimId {
    let Some(projected) = project::<P, N>(after) else {
        return comparison;
    };
    let mut next = *world;
    next.fleet = projected;
    for (slot, task) in after.tasks().enumerate() {
        let had = before
            .tasks()
            .find(|old| old.id == task.id)
            .is_some_and(|old| old.holds_instance);
        match (had, task.holds_instance) {
            (false, true) => next.history[slot].record_acquired(),
            (true, false) => next.history[slot].record_released(),
            _ => {}
        }
    }
    next.observe(&world.fleet, command, None, None);
    first_broken_by_a_step(&Judged::of(&next, fault)).unwrap_or(comparison)
}

/// Whether an account's listing shows a task that the specification has deleted.
fn lists_a_deleted_task<P: ControlPlane, const N: usize>(
    plane: &P,
    spec: &FleetSpec<N>,
    accounts: usize,
) -> bool {
    (0..accounts as u32).map(AccountId).any(|account| {
        plane.listed(account).any(|id| {
            spec.get(account, id)
                .is_some_and(|task| task.status == crate::spec::Status::Deleted)
        })
    })
}

fn diverged<P: ControlPlane, const N: usize>(
    world: &World<N>,
    after: &P,
    command: &Command,
    flag: Broken,
    (reason, claim): (String, ClaimId),
) -> Lockstep<N> {
    let mut next = *world;
    next.broken.insert(flag);
    if let Some(projected) = project::<P, N>(after) {
        next.fleet = projected;
        next.observe(&world.fleet, command, None, None);
    }
    Lockstep::Diverged {
        world: next,
        reason,
        claim,
    }
}

/// The implementation's tasks projected onto the specification's encoding, or `None` if
/// they do not fit (more tasks than `N`, an account beyond the specification's, ids out of
/// order).
pub fn project<P: ControlPlane, const N: usize>(plane: &P) -> Option<FleetSpec<N>> {
    let mut slots = [Slot {
        account: 0,
        task: TaskSpec::created(Mode::Full),
    }; N];
    let mut len = 0;
    for (i, task) in plane.tasks().enumerate() {
        if i >= N || task.id != TaskId(i as u64 + 1) {
            return None;
        }
        slots[i] = Slot {
            account: u8::try_from(task.account.0).ok()?,
            task: TaskSpec {
                status: task.status,
                mode: task.mode,
                phase: task.phase,
                frozen_from: task.frozen_from,
            },
        };
        len = i + 1;
    }
    let mut arrears = 0u32;
    for account in plane.accounts_in_arrears() {
        if account.0 as usize >= MAX_ACCOUNTS {
            return None;
        }
        arrears |= 1 << account.0;
    }
    FleetSpec::from_parts(&slots[..len], arrears)
}

fn instance_changes<P: ControlPlane>(
    outcome: &Outcome,
    plane: &P,
) -> (Option<usize>, Option<usize>) {
    let Outcome::Task(change) = outcome else {
        return (None, None);
    };
    let slot = usize::try_from(change.task.0)
        .ok()
        .and_then(|id| id.checked_sub(1))
        .filter(|&i| plane.tasks().nth(i).is_some_and(|t| t.id == change.task));
    match change.instance {
        InstanceChange::Acquired => (slot, None),
        InstanceChange::Released => (None, slot),
        InstanceChange::Unchanged => (None, None),
    }
}

fn instances_match<P: ControlPlane>(plane: &P) -> bool {
    plane
        .tasks()
        .all(|task| task.holds_instance == task.status.holds_instance())
}

fn listings_match<P: ControlPlane, const N: usize>(
    plane: &P,
    spec: &FleetSpec<N>,
    accounts: usize,
) -> bool {
    (0..accounts as u32)
        .map(AccountId)
        .all(|account| plane.listed(account).eq(spec.listed(account)))
}

/// Every task the command changed has its version bumped by one; no other task changed.
fn versions_advanced<P: ControlPlane>(
    before: &impl Before<P>,
    after: &P,
    outcome: &Outcome,
) -> bool {
    // Both in id order: task `i` after the command is task `i` before it, or new.
    let mut old = before.tasks();
    after.tasks().all(|task| match old.next() {
        None => task.version >= 1,
        Some(prev) if prev == task => true,
        Some(prev) => {
            task.version == prev.version + 1
                && match outcome {
                    Outcome::Task(change) => change.task == task.id,
                    Outcome::Account { account, .. } => *account == task.account,
                }
        }
    })
}

/// The outcome names the right task and the statuses before and after.
fn outcome_matches<const N: usize>(
    before: &FleetSpec<N>,
    after: &FleetSpec<N>,
    command: &Command,
    outcome: &Outcome,
) -> bool {
    match (command, outcome) {
        (Command::Create { .. }, Outcome::Task(change)) => change.task == before.next_id(),
        (Command::Task { account, task, .. }, Outcome::Task(change)) => {
            change.task == *task
                && before.get(*account, *task).map(|t| t.status) == Some(change.from)
                && after.get(*account, *task).map(|t| t.status) == Some(change.to)
        }
        (
            Command::Arrears { account } | Command::Recharge { account },
            Outcome::Account {
                account: changed,
                tasks_changed,
                ..
            },
        ) => changed == account && *tasks_changed == billed(before, after),
        _ => false,
    }
}

/// How many tasks a billing command froze or unfroze, by the specification.
fn billed<const N: usize>(before: &FleetSpec<N>, after: &FleetSpec<N>) -> u32 {
    before
        .slots()
        .iter()
        .zip(after.slots())
        .filter(|(old, new)| old.task != new.task)
        .count() as u32
}

/// A kind of refusal in words, with the protocol's name: `not allowed in this status
/// (NotAllowed)`.
pub fn refusal_words(kind: Refused) -> String {
    let name = match kind {
        Refused::NotFound => "NotFound",
        Refused::NotAllowed => "NotAllowed",
        Refused::AccountInArrears => "AccountInArrears",
        Refused::AlreadyInArrears => "AlreadyInArrears",
        Refused::NotInArrears => "NotInArrears",
        Refused::Capacity => "Capacity",
    };
    format!("{kind} ({name})")
}

fn status_words(status: Option<crate::spec::Status>) -> String {
    status.map_or_else(|| "none".to_string(), crate::spec::Status::label)
}

fn phase_words(phase: Option<crate::spec::Phase>) -> String {
    phase.map_or_else(|| "none".to_string(), |phase| phase.english().to_string())
}

/// Which tasks differ between the specification's fleet and the implementation's, field by
/// field, in words; and the accounts in arrears.
fn task_differences<P: ControlPlane, const N: usize>(spec: &FleetSpec<N>, plane: &P) -> String {
    let shown: Vec<TaskView> = plane.tasks().collect();
    let mut parts = Vec::new();
    let count = spec.len().max(shown.len());
    for index in 0..count {
        let id = index as u64 + 1;
        let said = spec.slots().get(index);
        let view = shown.iter().find(|task| task.id == TaskId(id));
        match (said, view) {
            (Some(_), None) => parts.push(format!(
                "task {id}: the specification has it, the program shows no such task"
            )),
            (None, Some(view)) => parts.push(format!(
                "task {id}: the specification has no such task, the program shows it ({}, account {})",
                view.status.label(),
                crate::spec::account_letter(view.account.0)
            )),
            (Some(slot), Some(view)) => {
                let mut fields = Vec::new();
                let mut field = |name: &str, spec: String, program: String| {
                    if spec != program {
                        fields.push(format!(
                            "{name}: the specification says {spec}, the program says {program}"
                        ));
                    }
                };
                field(
                    "status",
                    slot.task.status.label(),
                    view.status.label(),
                );
                field(
                    "mode",
                    slot.task.mode.api_code().to_string(),
                    view.mode.api_code().to_string(),
                );
                field(
                    "phase",
                    phase_words(slot.task.phase),
                    phase_words(view.phase),
                );
                field(
                    "frozen from",
                    status_words(slot.task.frozen_from),
                    status_words(view.frozen_from),
                );
                field(
                    "account",
                    crate::spec::account_letter(u32::from(slot.account)),
                    crate::spec::account_letter(view.account.0),
                );
                if !fields.is_empty() {
                    parts.push(format!("task {id}: {}", fields.join("; ")));
                }
            }
            (None, None) => {}
        }
    }
    for extra in shown
        .iter()
        .filter(|task| task.id.0 as usize > count || task.id.0 == 0)
    {
        parts.push(format!(
            "the program shows task {} out of order (ids are 1, 2, 3, … in order)",
            extra.id.0
        ));
    }
    let in_arrears: Vec<String> = plane
        .accounts_in_arrears()
        .map(|account| crate::spec::account_letter(account.0))
        .collect();
    let spec_arrears: Vec<String> = (0..MAX_ACCOUNTS as u32)
        .filter(|&account| spec.in_arrears(AccountId(account)))
        .map(crate::spec::account_letter)
        .collect();
    if in_arrears != spec_arrears {
        parts.push(format!(
            "accounts in arrears: the specification says [{}], the program says [{}]",
            spec_arrears.join(", "),
            in_arrears.join(", ")
        ));
    }
    if parts.is_empty() {
        return "the program's tasks do not fit the specification's fleet".to_string();
    }
    parts.join("; ")
}

fn instance_differences<P: ControlPlane>(plane: &P) -> String {
    let parts: Vec<String> = plane
        .tasks()
        .filter(|task| task.holds_instance != task.status.holds_instance())
        .map(|task| {
            let held = |held: bool| if held { "held" } else { "not held" };
            format!(
                "task {}: instance: the specification says {} ({}), the program says {}",
                task.id.0,
                held(task.status.holds_instance()),
                task.status.label(),
                held(task.holds_instance)
            )
        })
        .collect();
    parts.join("; ")
}

fn listing_differences<P: ControlPlane, const N: usize>(
    plane: &P,
    spec: &FleetSpec<N>,
    accounts: usize,
) -> String {
    let ids = |ids: Vec<TaskId>| {
        ids.iter()
            .map(|id| id.0.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let parts: Vec<String> = (0..accounts as u32)
        .map(AccountId)
        .filter_map(|account| {
            let program: Vec<TaskId> = plane.listed(account).collect();
            let said: Vec<TaskId> = spec.listed(account).collect();
            (program != said).then(|| {
                format!(
                    "account {}'s listing: the specification lists [{}], the program lists [{}]",
                    crate::spec::account_letter(account.0),
                    ids(said),
                    ids(program)
                )
            })
        })
        .collect();
    parts.join("; ")
}

fn version_differences<P: ControlPlane>(
    before: &impl Before<P>,
    after: &P,
    outcome: &Outcome,
) -> String {
    let old: Vec<TaskView> = before.tasks().collect();
    let mut parts = Vec::new();
    for task in after.tasks() {
        let Some(prev) = old.iter().find(|prev| prev.id == task.id) else {
            if task.version < 1 {
                parts.push(format!(
                    "task {}: version: the specification says 1 (a new task), the program says {}",
                    task.id.0, task.version
                ));
            }
            continue;
        };
        if *prev == task {
            continue;
        }
        let named = match outcome {
            Outcome::Task(change) => change.task == task.id,
            Outcome::Account { account, .. } => *account == task.account,
        };
        if !named {
            parts.push(format!(
                "task {}: changed, but the answer names {}",
                task.id.0,
                match outcome {
                    Outcome::Task(change) => format!("task {}", change.task.0),
                    Outcome::Account { account, .. } =>
                        format!("account {}", crate::spec::account_letter(account.0)),
                }
            ));
        } else if task.version != prev.version + 1 {
            parts.push(format!(
                "task {}: version: the specification says {} (one more than {}: it changed once), \
                 the program says {}",
                task.id.0,
                prev.version + 1,
                prev.version,
                task.version
            ));
        }
    }
    if parts.is_empty() {
        return "versions did not advance by one on exactly the changed tasks".to_string();
    }
    parts.join("; ")
}

fn outcome_differences<const N: usize>(
    before: &FleetSpec<N>,
    after: &FleetSpec<N>,
    command: &Command,
    outcome: &Outcome,
) -> String {
    match (command, outcome) {
        (Command::Create { .. }, Outcome::Task(change)) => format!(
            "the answer's change: task: the specification says {} (the next id), the program says {}",
            before.next_id().0,
            change.task.0
        ),
        (Command::Task { account, task, .. }, Outcome::Task(change)) => {
            let from = before.get(*account, *task).map(|t| t.status);
            let to = after.get(*account, *task).map(|t| t.status);
            format!(
                "the answer's change: the specification says task {} from {} to {}, the \
                 program says task {} from {} to {}",
                task.0,
                status_words(from),
                status_words(to),
                change.task.0,
                change.from.label(),
                change.to.label()
            )
        }
        (
            Command::Arrears { account } | Command::Recharge { account },
            Outcome::Account {
                account: changed,
                tasks_changed,
                ..
            },
        ) if changed == account => format!(
            "the answer's change: tasks changed: the specification says {} (the tasks of account \
             {} it froze or unfroze), the program says {tasks_changed}",
            billed(before, after),
            crate::spec::account_letter(account.0)
        ),
        (_, Outcome::Account { account, .. }) => format!(
            "the answer's change names account {}, not the command's",
            crate::spec::account_letter(account.0)
        ),
        (_, Outcome::Task(change)) => format!(
            "the answer's change names task {}, but the command bills an account",
            change.task.0
        ),
    }
}

/// What a refusal changed, task by task (a refusal changes nothing).
fn changed_by_refusal<P: ControlPlane>(before: &impl Before<P>, after: &P) -> String {
    let old: Vec<TaskView> = before.tasks().collect();
    let mut parts = Vec::new();
    for task in after.tasks() {
        match old.iter().find(|prev| prev.id == task.id) {
            None => parts.push(format!("task {} appeared", task.id.0)),
            Some(prev) if *prev != task => parts.push(format!(
                "task {} went from {} version {} to {} version {}",
                task.id.0,
                prev.status.label(),
                prev.version,
                task.status.label(),
                task.version
            )),
            Some(_) => {}
        }
    }
    for gone in old
        .iter()
        .filter(|prev| !after.tasks().any(|task| task.id == prev.id))
    {
        parts.push(format!(
            "task {} ({} version {}) is gone: the program shows no such task",
            gone.id.0,
            gone.status.label(),
            gone.version
        ));
    }
    if parts.is_empty() {
        return "the accounts in arrears changed".to_string();
    }
    parts.join("; ")
}
