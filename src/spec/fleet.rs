//! The specification of a fleet: many tasks over several accounts.
//!
//! The table speaks of one task. A fleet adds what tasks share: ids (handed out in order,
//! never reused), accounts (a command for another account's task is answered "not found"),
//! and billing (an account in arrears freezes its tasks; a task that lands on a freezable
//! status while its account is still in arrears freezes at once; recharge restores them).
//!
//! [`FleetSpec`] has a fixed capacity `N` so that it is `Copy` and hashes fast: the models
//! keep millions of them. Task `i` (0-based slot) has id `i + 1`; accounts are numbered from
//! 0 and at most [`MAX_ACCOUNTS`] exist. Both limits are limits of the specification's
//! encoding, not of the lifecycle; commands beyond them are refused as [`Refused::Capacity`].

use std::fmt;
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Serialize};

use super::{AccountId, Command, Event, Mode, Source, Status, TaskId, TaskSpec, step};

/// How many accounts a [`FleetSpec`] can track.
pub const MAX_ACCOUNTS: usize = 32;

/// Why the specification refuses a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Refused {
    /// No task has this id for this account (it never existed, or it belongs to another
    /// account: tenancy does not reveal which).
    NotFound,
    /// The task's status does not allow the event (this includes every event to a deleted
    /// task, every user operation on a frozen one, and billing events addressed to a task
    /// instead of its account).
    NotAllowed,
    /// Creation is refused while the account is in arrears.
    AccountInArrears,
    /// The account is already in arrears.
    AlreadyInArrears,
    /// The account is not in arrears, so there is nothing to recharge.
    NotInArrears,
    /// The command is beyond the capacity of this specification's encoding.
    Capacity,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Refused::NotFound => "not found",
            Refused::NotAllowed => "not allowed in this status",
            Refused::AccountInArrears => "account in arrears",
            Refused::AlreadyInArrears => "account already in arrears",
            Refused::NotInArrears => "account not in arrears",
            Refused::Capacity => "beyond the specification's capacity",
        })
    }
}

/// One task of a fleet: its account and its specification state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Slot {
    /// The owning account's index (account `A` is 0).
    pub account: u8,
    /// The task's specification state.
    pub task: TaskSpec,
}

/// The specification state of a fleet of at most `N` tasks.
///
/// The slots past the created tasks always hold the same constant, so equality and hashing
/// read only the created ones (harnesses compare fleets after every step).
#[derive(Clone, Copy, Debug, Eq, PartialOrd, Ord)]
pub struct FleetSpec<const N: usize> {
    slots: [Slot; N],
    len: u8,
    arrears: u32,
}

impl<const N: usize> PartialEq for FleetSpec<N> {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.arrears == other.arrears && self.slots() == other.slots()
    }
}

impl<const N: usize> Hash for FleetSpec<N> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.len.hash(state);
        self.arrears.hash(state);
        self.slots().hash(state);
    }
}

impl<const N: usize> Default for FleetSpec<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> FleetSpec<N> {
    const UNUSED: Slot = Slot {
        account: 0,
        task: TaskSpec::created(Mode::Full),
    };

    /// An empty fleet: no tasks, every account in credit.
    pub const fn new() -> Self {
        assert!(N <= u8::MAX as usize, "a FleetSpec holds at most 255 tasks");
        FleetSpec {
            slots: [Self::UNUSED; N],
            len: 0,
            arrears: 0,
        }
    }

    /// A fleet with the given tasks (slot `i` has id `i + 1`) and accounts in arrears, or
    /// `None` when there are more than `N` tasks. Harnesses use it to project an
    /// implementation's state onto the specification's.
    pub fn from_parts(slots: &[Slot], arrears_bits: u32) -> Option<Self> {
        if slots.len() > N {
            return None;
        }
        let mut fleet = Self::new();
        fleet.slots[..slots.len()].copy_from_slice(slots);
        fleet.len = slots.len() as u8;
        fleet.arrears = arrears_bits;
        Some(fleet)
    }

    /// The tasks created so far, in id order (deleted ones included).
    pub fn slots(&self) -> &[Slot] {
        &self.slots[..self.len as usize]
    }

    /// Mutable access to the created tasks, for models that permute them (symmetry).
    pub fn slots_mut(&mut self) -> &mut [Slot] {
        &mut self.slots[..self.len as usize]
    }

    /// How many tasks were created (ids 1..=len are taken).
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether no task was created yet.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The id the next creation hands out.
    pub fn next_id(&self) -> TaskId {
        TaskId(self.len as u64 + 1)
    }

    /// The bit set of accounts in arrears.
    pub fn arrears_bits(&self) -> u32 {
        self.arrears
    }

    /// Replaces the bit set of accounts in arrears (for symmetry reduction).
    pub fn set_arrears_bits(&mut self, bits: u32) {
        self.arrears = bits;
    }

    /// Whether an account is in arrears.
    pub fn in_arrears(&self, account: AccountId) -> bool {
        (account.0 as usize) < MAX_ACCOUNTS && self.arrears & (1 << account.0) != 0
    }

    fn slot_index(&self, account: AccountId, id: TaskId) -> Option<usize> {
        let index = usize::try_from(id.0).ok()?.checked_sub(1)?;
        let slot = self.slots().get(index)?;
        (u32::from(slot.account) == account.0).then_some(index)
    }

    /// A task as a query by id answers it: deleted tasks are answered (as `Deleted`), tasks
    /// of other accounts are not.
    pub fn get(&self, account: AccountId, id: TaskId) -> Option<&TaskSpec> {
        self.slot_index(account, id).map(|i| &self.slots[i].task)
    }

    /// The ids the account's task list shows: every task of the account but deleted ones.
    pub fn listed(&self, account: AccountId) -> impl Iterator<Item = TaskId> + '_ {
        self.slots()
            .iter()
            .enumerate()
            .filter(move |(_, slot)| {
                u32::from(slot.account) == account.0 && slot.task.status.is_listed()
            })
            .map(|(i, _)| TaskId(i as u64 + 1))
    }

    /// Applies a command with the table's step function.
    #[inline]
    pub fn apply(&self, command: &Command) -> Result<Self, Refused> {
        self.apply_with(command, step)
    }

    /// Applies a command, with `step` deciding each task's transitions. The models pass a
    /// step function with an injected fault here, to show that the properties catch it.
    pub fn apply_with(
        &self,
        command: &Command,
        step: impl Fn(&TaskSpec, Event) -> Option<TaskSpec>,
    ) -> Result<Self, Refused> {
        // Every refusal is decided before the fleet is copied: the model checkers try many
        // more commands than are accepted.
        match *command {
            Command::Create { account, mode } => {
                if account.0 as usize >= MAX_ACCOUNTS || self.len() >= N {
                    return Err(Refused::Capacity);
                }
                if self.in_arrears(account) {
                    return Err(Refused::AccountInArrears);
                }
                let mut next = *self;
                next.slots[self.len()] = Slot {
                    account: account.0 as u8,
                    task: TaskSpec::created(mode),
                };
                next.len += 1;
                Ok(next)
            }
            Command::Task {
                account,
                task,
                event,
            } => {
                let index = self.slot_index(account, task).ok_or(Refused::NotFound)?;
                if event.source() == Source::Billing {
                    return Err(Refused::NotAllowed);
                }
                let mut after = step(&self.slots[index].task, event).ok_or(Refused::NotAllowed)?;
                if self.in_arrears(account) && after.status.is_freezable() {
                    after = step(&after, Event::AccountInArrears).unwrap_or(after);
                }
                let mut next = *self;
                next.slots[index].task = after;
                Ok(next)
            }
            Command::Arrears { account } => {
                if account.0 as usize >= MAX_ACCOUNTS {
                    return Err(Refused::Capacity);
                }
                if self.in_arrears(account) {
                    return Err(Refused::AlreadyInArrears);
                }
                let mut next = *self;
                next.arrears |= 1 << account.0;
                next.for_each_task_of(account, |task| {
                    if task.status.is_freezable() {
                        step(task, Event::AccountInArrears)
                    } else {
                        None
                    }
                });
                Ok(next)
            }
            Command::Recharge { account } => {
                if !self.in_arrears(account) {
                    return Err(Refused::NotInArrears);
                }
                let mut next = *self;
                next.arrears &= !(1 << account.0);
                next.for_each_task_of(account, |task| {
                    if task.status == Status::Frozen {
                        step(task, Event::AccountRecharged)
                    } else {
                        None
                    }
                });
                Ok(next)
            }
        }
    }

    fn for_each_task_of(
        &mut self,
        account: AccountId,
        mut change: impl FnMut(&TaskSpec) -> Option<TaskSpec>,
    ) {
        for slot in &mut self.slots[..self.len as usize] {
            if u32::from(slot.account) == account.0
                && let Some(after) = change(&slot.task)
            {
                slot.task = after;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::hash::{BuildHasher, RandomState};

    use rand::{Rng, SeedableRng, rngs::SmallRng};

    use super::*;

    /// Equality and hashing read only the created tasks, which is right only while every
    /// slot past them holds [`FleetSpec::UNUSED`]: random commands (accepted or refused, any
    /// account, ids past the last one, every event) never break that, and `==` agrees with
    /// the derived `Ord` (and equal fleets hash alike) on every pair of fleets reached.
    #[test]
    fn unused_slots_stay_constant_so_equality_agrees_with_ordering() {
        type Fleet = FleetSpec<4>;
        let hasher = RandomState::new();
        let mut rng = SmallRng::seed_from_u64(5);
        let mut reached = Vec::new();
        for _ in 0..200 {
            let mut fleet = Fleet::new();
            for _ in 0..60 {
                let command = crate::spec::random_command(&mut rng, 3, 10, 5, &Event::KINDS);
                if let Ok(next) = fleet.apply(&command) {
                    fleet = next;
                }
                assert!(
                    fleet.slots[fleet.len()..]
                        .iter()
                        .all(|slot| *slot == Fleet::UNUSED),
                    "after {command}: {fleet:?}"
                );
                reached.push(fleet);
            }
        }
        let neighbours = reached.windows(2).map(|pair| (pair[0], pair[1]));
        let random = (0..20_000).map(|_| {
            (
                reached[rng.random_range(0..reached.len())],
                reached[rng.random_range(0..reached.len())],
            )
        });
        for (a, b) in neighbours.chain(random) {
            assert_eq!(a == b, a.cmp(&b).is_eq(), "{a:?} {b:?}");
            if a == b {
                assert_eq!(hasher.hash_one(a), hasher.hash_one(b));
            }
        }
        // Both outcomes occur among the pairs compared.
        let equal = reached.windows(2).filter(|pair| pair[0] == pair[1]).count();
        assert!(equal > 0 && equal < reached.len() - 1, "{equal}");
    }
}
