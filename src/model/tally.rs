//! Verdicts tallied by the model while the checker runs, instead of by one stateright
//! property per claim.
//!
//! Stateright 0.31 evaluates every property in every state it visits, and before each one
//! it looks the property's name up in its shared map of discoveries: a SipHash of the name
//! and a read lock on a shard that every checker thread takes, so the lock's cache line
//! moves between the cores. A `sometimes` property that holds also re-inserts its discovery
//! (a write lock and a copy of the whole path) in every state where it holds. With one
//! property per claim (9 to 11 safety properties, 18 reachability properties) those
//! look-ups were the largest cost after the visited set: in the fleet of three tasks over
//! two accounts, dropping the 18 reachability properties alone took the checker from 0.62 M
//! to 0.98 M unique states per second.
//!
//! So when checking, the model keeps the verdicts itself, in bit sets shared by the
//! checker's threads:
//!
//! - **reachability**: a status is reached exactly when some reachable state shows it, and
//!   every reachable state is an initial state or is made by `next_state`; the model records
//!   the statuses of each state it makes;
//! - **safety**: stateright is given one property, which evaluates every safety predicate
//!   of the model on each state it visits (the states stateright would have judged each
//!   property on), records those that fail, and always holds, so that the search is never
//!   cut short by a discovery and covers every reachable state.
//!
//! Recording costs a relaxed load; a write happens only the first time a bit is set, so the
//! sets' cache line stays shared. Everything recorded comes from a reachable state, and a
//! complete run visits every reachable state, so the verdicts are those the per-claim
//! stateright properties gave; shortest counterexamples are found afterwards by their own
//! breadth-first search, as before. The Explorer keeps one stateright property per claim,
//! since it shows each with a path to it.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::spec::{FleetSpec, STATUS_COUNT, Status};

use super::properties::SAFETY;

// One bit per status and per safety property.
const _: () = assert!(STATUS_COUNT <= 32 && SAFETY.len() <= 32);

#[derive(Default)]
struct Bits {
    reached: AtomicU32,
    violated: AtomicU32,
}

/// The statuses that states made by the model showed, and the safety properties (by index
/// in [`SAFETY`]) that states visited by the checker broke. Clones share the sets.
#[derive(Clone, Default)]
pub struct Tally(Arc<Bits>);

fn add(set: &AtomicU32, bits: u32) {
    if bits & !set.load(Ordering::Relaxed) != 0 {
        set.fetch_or(bits, Ordering::Relaxed);
    }
}

impl Tally {
    /// An empty tally.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the statuses of a fleet's tasks.
    #[inline]
    pub fn record_statuses<const N: usize>(&self, fleet: &FleetSpec<N>) {
        let shown = fleet
            .slots()
            .iter()
            .fold(0u32, |bits, slot| bits | 1 << slot.task.status.index());
        add(&self.0.reached, shown);
    }

    /// Whether some recorded state showed the status.
    pub fn reached(&self, status: Status) -> bool {
        self.0.reached.load(Ordering::Relaxed) & 1 << status.index() != 0
    }

    /// Records broken safety properties, one bit per index in [`SAFETY`].
    #[inline]
    pub fn record_violations(&self, bits: u32) {
        add(&self.0.violated, bits);
    }

    /// Whether some visited state broke the safety property at this index of [`SAFETY`].
    pub fn violated(&self, index: usize) -> bool {
        index < 32 && self.0.violated.load(Ordering::Relaxed) & 1 << index != 0
    }
}

impl fmt::Debug for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reached: Vec<&str> = Status::ALL
            .into_iter()
            .filter(|&status| self.reached(status))
            .map(Status::name)
            .collect();
        let violated: Vec<&str> = SAFETY
            .iter()
            .enumerate()
            .filter(|(i, _)| self.violated(*i))
            .map(|(_, info)| info.name)
            .collect();
        f.debug_struct("Tally")
            .field("reached", &reached)
            .field("violated", &violated)
            .finish()
    }
}

/// A tally is what a run found, not a parameter of the model: models that differ only in
/// their tallies are the same model.
impl PartialEq for Tally {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Tally {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{AccountId, Command, Event, Mode, TaskId};

    #[test]
    fn records_the_statuses_of_every_task_and_shares_them_between_clones() {
        let tally = Tally::new();
        let clone = tally.clone();
        let mut fleet = FleetSpec::<4>::new();
        tally.record_statuses(&fleet);
        assert!(Status::ALL.iter().all(|&status| !tally.reached(status)));
        let account = AccountId(0);
        for _ in 0..2 {
            fleet = fleet
                .apply(&Command::Create {
                    account,
                    mode: Mode::Full,
                })
                .expect("create");
        }
        fleet = fleet
            .apply(&Command::Task {
                account,
                task: TaskId(2),
                event: Event::InstanceReady,
            })
            .expect("ready");
        clone.record_statuses(&fleet);
        let reached: Vec<Status> = Status::ALL
            .into_iter()
            .filter(|&status| tally.reached(status))
            .collect();
        assert_eq!(reached, [Status::Creating, Status::Configuration]);
    }

    #[test]
    fn records_violations_by_index() {
        let tally = Tally::new();
        tally.record_violations(0b101);
        tally.clone().record_violations(0b100);
        let violated: Vec<usize> = (0..SAFETY.len()).filter(|&i| tally.violated(i)).collect();
        assert_eq!(violated, [0, 2]);
        assert!(!tally.violated(40));
    }
}
