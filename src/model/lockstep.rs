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
            let (flag, reason) = if unchanged {
                (
                    Broken::DIVERGED,
                    format!(
                        "both refused {command}, the specification as {spec_refusal:?}, the engine as {:?} ({engine_refusal})",
                        engine_refusal.kind()
                    ),
                )
            } else {
                (
                    Broken::REFUSAL_CHANGED_STATE,
                    format!(
                        "the engine refused {command} ({engine_refusal}) but changed its state"
                    ),
                )
            };
            diverged(world, after, command, flag, reason)
        }
        (Ok(spec_fleet), Ok(outcome)) => {
            let (acquired, released) = instance_changes(&outcome, after);
            let mut next = *world;
            next.fleet = spec_fleet;
            next.observe(&world.fleet, command, acquired, released);
            let disagreement = if project::<P, N>(after) != Some(spec_fleet) {
                Some("the engine's tasks differ from the specification's")
            } else if !instances_match(after) {
                Some("a task's instance flag does not match its status")
            } else if !listings_match(after, &spec_fleet, accounts) {
                Some("an account's task list differs")
            } else if !versions_advanced(before, after, &outcome) {
                Some("versions did not advance by one on exactly the changed tasks")
            } else if !outcome_matches(&world.fleet, &spec_fleet, command, &outcome) {
                Some("the reported change names the wrong task or statuses")
            } else {
                None
            };
            match disagreement {
                None => Lockstep::Agreed(next),
                Some(why) => diverged(
                    world,
                    after,
                    command,
                    Broken::DIVERGED,
                    format!("both accepted {command}, but {why}"),
                ),
            }
        }
        (Ok(_), Err(refusal)) => diverged(
            world,
            after,
            command,
            Broken::DIVERGED,
            format!("the specification accepts {command}, the engine refused it: {refusal}"),
        ),
        (Err(refused), Ok(_)) => diverged(
            world,
            after,
            command,
            Broken::DIVERGED,
            format!("the specification refuses {command} ({refused}), the engine accepted it"),
        ),
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

fn diverged<P: ControlPlane, const N: usize>(
    world: &World<N>,
    after: &P,
    command: &Command,
    flag: Broken,
    reason: String,
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
                account: changed, ..
            },
        ) => changed == account,
        _ => false,
    }
}
