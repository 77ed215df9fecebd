//! What a model remembers about a fleet: the specification state, and per task the bits of
//! history that the properties need.
//!
//! Stateright's properties are predicates on single states. "A deleted task never
//! reappears" and "ended is terminal" are claims about a task's whole history, and "delete
//! happens only from CreateFailed or Ended" is a claim about a transition. So the state
//! carries what each claim needs: per task, whether it was ever deleted or ended and how
//! many times its instance was acquired and released; and, for transition claims, a sticky
//! flag set by the step that broke one. In a correct lifecycle the history bits are almost
//! determined by the status, so they add few states.

use std::fmt;
use std::hash::{Hash, Hasher};

use crate::spec::{Command, Event, FleetSpec, Status};

/// The most tasks a model can hold.
pub const MAX_TASKS: usize = 8;

/// The most accounts a model can hold.
pub const MAX_MODEL_ACCOUNTS: usize = 4;

/// One task's history, packed in a byte.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct History(u8);

impl History {
    const DELETED: u8 = 1;
    const ENDED: u8 = 2;
    const ACQUIRED_SHIFT: u8 = 2;
    const RELEASED_SHIFT: u8 = 4;
    const END_REQUESTED: u8 = 64;

    /// Whether the task was ever deleted.
    pub fn was_deleted(self) -> bool {
        self.0 & Self::DELETED != 0
    }

    /// Whether the task ever reached Ended.
    pub fn was_ended(self) -> bool {
        self.0 & Self::ENDED != 0
    }

    /// Whether the task's end was ever requested (by the user, a force end or the system).
    pub fn was_end_requested(self) -> bool {
        self.0 & Self::END_REQUESTED != 0
    }

    /// How many times its instance was acquired (saturates at 3).
    pub fn acquired(self) -> u8 {
        (self.0 >> Self::ACQUIRED_SHIFT) & 3
    }

    /// How many times its instance was released (saturates at 3).
    pub fn released(self) -> u8 {
        (self.0 >> Self::RELEASED_SHIFT) & 3
    }

    /// Whether, by the history of acquisitions and releases, the task holds an instance.
    pub fn holds_instance(self) -> bool {
        self.acquired() > self.released()
    }

    fn bump(&mut self, shift: u8) {
        let count = (self.0 >> shift) & 3;
        if count < 3 {
            self.0 = (self.0 & !(3 << shift)) | ((count + 1) << shift);
        }
    }

    pub(crate) fn record_acquired(&mut self) {
        self.bump(Self::ACQUIRED_SHIFT);
    }

    pub(crate) fn record_released(&mut self) {
        self.bump(Self::RELEASED_SHIFT);
    }

    pub(crate) fn record_status(&mut self, status: Status) {
        match status {
            Status::Deleted => self.0 |= Self::DELETED,
            Status::Ended => self.0 |= Self::ENDED,
            Status::EndRequested => self.0 |= Self::END_REQUESTED,
            _ => {}
        }
    }
}

/// Transition claims broken by some step on the way to a state. Sticky: once set, every
/// later state keeps the flag, so the checker reports the first state after the bad step.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Broken(u8);

impl fmt::Debug for Broken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [
            (
                Broken::DELETE_FROM_WRONG_STATUS,
                "deleted from a status other than CreateFailed or Ended",
            ),
            (
                Broken::UNFREEZE_MISMATCH,
                "a recharge did not restore the remembered status",
            ),
            (
                Broken::DIVERGED,
                "the engine and the specification disagreed",
            ),
            (
                Broken::REFUSAL_CHANGED_STATE,
                "a refused command changed the engine",
            ),
        ];
        let broken: Vec<&str> = names
            .iter()
            .filter(|(flag, _)| self.contains(*flag))
            .map(|(_, name)| *name)
            .collect();
        if broken.is_empty() {
            f.write_str("none")
        } else {
            f.write_str(&broken.join("; "))
        }
    }
}

impl Broken {
    /// A task was deleted from a status other than CreateFailed or Ended.
    pub const DELETE_FROM_WRONG_STATUS: Broken = Broken(1);
    /// Recharging an account left a task somewhere other than its remembered status.
    pub const UNFREEZE_MISMATCH: Broken = Broken(2);
    /// The implementation and the specification disagreed on a command.
    pub const DIVERGED: Broken = Broken(4);
    /// A command the implementation refused still changed its state.
    pub const REFUSAL_CHANGED_STATE: Broken = Broken(8);

    /// Whether the flag is set.
    pub fn contains(self, flag: Broken) -> bool {
        self.0 & flag.0 != 0
    }

    /// Sets the flag; it stays set on every later state.
    pub fn insert(&mut self, flag: Broken) {
        self.0 |= flag.0;
    }

    /// Whether no transition claim is broken.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// The state every model explores (plus, for conformance, the implementation's state).
///
/// `N` is the task capacity: [`MAX_TASKS`] in the models; the fuzzing harness uses larger
/// fleets with the same history and the same properties.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct World<const N: usize = MAX_TASKS> {
    /// The specification's fleet: every task's state and the accounts in arrears.
    pub fleet: FleetSpec<N>,
    /// Each slot's history, for the claims that judge what a task went through.
    pub history: [History; N],
    /// The transition claims broken on the way here (sticky).
    pub broken: Broken,
    /// How many accounts the model has (constant along a run; symmetry reduction needs it).
    pub accounts: u8,
}

impl<const N: usize> World<N> {
    /// The empty world of a model with the given number of accounts.
    pub fn new(accounts: usize) -> Self {
        World {
            fleet: FleetSpec::new(),
            history: [History::default(); N],
            broken: Broken::default(),
            accounts: accounts as u8,
        }
    }

    /// Records in the history what a step from `before` to `self.fleet` by `command` did.
    /// `acquired` / `released` list the tasks (slot indices) whose instance the step
    /// acquired or released, as the system under test reported it.
    pub fn observe(
        &mut self,
        before: &FleetSpec<N>,
        command: &Command,
        acquired: Option<usize>,
        released: Option<usize>,
    ) {
        if let Some(slot) = acquired {
            self.history[slot].record_acquired();
        }
        if let Some(slot) = released {
            self.history[slot].record_released();
        }
        let after = self.fleet;
        for (slot, task) in after.slots().iter().enumerate() {
            let old = before.slots().get(slot).map(|s| s.task);
            if old == Some(task.task) {
                continue;
            }
            self.history[slot].record_status(task.task.status);
            if task.task.status == Status::Deleted
                && old.is_some_and(|old| {
                    !matches!(
                        old.status,
                        Status::CreateFailed | Status::Ended | Status::Deleted
                    )
                })
            {
                self.broken.insert(Broken::DELETE_FROM_WRONG_STATUS);
            }
            if let (Command::Recharge { .. }, Some(old)) = (command, old)
                && old.status == Status::Frozen
                && (task.task.status != old.frozen_from.unwrap_or(Status::Frozen)
                    || task.task.phase != old.phase)
            {
                self.broken.insert(Broken::UNFREEZE_MISMATCH);
            }
        }
        // A recharge that leaves a task frozen changes nothing in that slot, so the loop
        // above does not see it: check the recharged account's tasks directly.
        if let Command::Recharge { account } = command {
            let left_frozen = after.slots().iter().zip(before.slots()).any(|(now, then)| {
                u32::from(now.account) == account.0
                    && then.task.status == Status::Frozen
                    && now.task.status == Status::Frozen
            });
            if left_frozen {
                self.broken.insert(Broken::UNFREEZE_MISMATCH);
            }
        }
    }

    /// The slot index a command's task id refers to, if it names an existing slot.
    pub fn slot_of(&self, command: &Command) -> Option<usize> {
        match command {
            Command::Task { task, .. } => {
                let index = usize::try_from(task.0).ok()?.checked_sub(1)?;
                (index < self.fleet.len()).then_some(index)
            }
            _ => None,
        }
    }

    /// The slot that a specification step acquired or released an instance for: by the
    /// specification, "instance ready" acquires and "release done" releases.
    pub fn spec_instance_changes(&self, command: &Command) -> (Option<usize>, Option<usize>) {
        match command {
            Command::Task {
                event: Event::InstanceReady,
                ..
            } => (self.slot_of(command), None),
            Command::Task {
                event: Event::ReleaseDone,
                ..
            } => (None, self.slot_of(command)),
            _ => (None, None),
        }
    }
}

/// Hashing is the checker's inner loop: one 64-bit word per task instead of a field-by-field
/// walk over every slot (the derived `Hash` made the fleet check markedly slower). Unused
/// slots are always the same constant, so hashing only the used ones agrees with `Eq`.
impl<const N: usize> Hash for World<N> {
    fn hash<H: Hasher>(&self, hasher: &mut H) {
        let header = self.fleet.len() as u64
            | u64::from(self.fleet.arrears_bits()) << 8
            | u64::from(self.broken.0) << 40
            | u64::from(self.accounts) << 48;
        hasher.write_u64(header);
        for (slot, history) in self.fleet.slots().iter().zip(self.history) {
            let task = &slot.task;
            let phase = task.phase.map_or(0, |phase| phase as u64 + 1);
            let frozen = task.frozen_from.map_or(0, |status| status as u64 + 1);
            hasher.write_u64(
                u64::from(slot.account)
                    | (task.status as u64) << 8
                    | (task.mode as u64) << 16
                    | phase << 24
                    | frozen << 32
                    | u64::from(history.0) << 40,
            );
        }
    }
}
