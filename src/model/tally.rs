//! Reachability tallied by the model while the checker runs, instead of by one stateright
//! property per status.
//!
//! Stateright 0.31 evaluates every property in every state it visits, and before each one
//! it looks the property's name up in its shared map of discoveries: a SipHash of the name
//! and a read lock on a shard that every checker thread takes, so the lock's cache line
//! bounces between cores. A `sometimes` property that holds also re-inserts its discovery
//! (a write lock and a copy of the whole path) in every state where it holds. With one
//! reachability property per status, 18 of a fleet model's 27 properties are reachability,
//! and in the fleet of three tasks over two accounts those lookups cost about a third of
//! the checking time (measured: 0.62 M against 0.98 M unique states per second).
//!
//! A status is reached exactly when some reachable state shows it, and every reachable state
//! but the initial one (an empty fleet, which shows none) is made by `next_state`. So when
//! checking, the model records the statuses each state it makes shows in a bit set shared by
//! the checker's threads, and the run reads the reachability verdicts from it afterwards.
//! Recording costs one relaxed load per state; a write happens only the first time a status
//! appears, so the set's cache line stays shared. Everything recorded is reachable (the model
//! only steps from states the checker reached), and a complete run records every reachable
//! state, so the verdicts are those the `sometimes` properties gave.
//!
//! The Explorer keeps the reachability properties (it shows each one with a path to it).

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::spec::{FleetSpec, STATUS_COUNT, Status};

// One bit per status.
const _: () = assert!(STATUS_COUNT <= 32);

/// The statuses that some state made by the model has shown. Clones share the set.
#[derive(Clone, Default)]
pub struct StatusTally(Arc<AtomicU32>);

impl StatusTally {
    /// An empty tally.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the statuses of a fleet's tasks.
    #[inline]
    pub fn record<const N: usize>(&self, fleet: &FleetSpec<N>) {
        let shown = fleet
            .slots()
            .iter()
            .fold(0u32, |bits, slot| bits | 1 << slot.task.status.index());
        if shown & !self.0.load(Ordering::Relaxed) != 0 {
            self.0.fetch_or(shown, Ordering::Relaxed);
        }
    }

    /// Whether some recorded state showed the status.
    pub fn contains(&self, status: Status) -> bool {
        self.0.load(Ordering::Relaxed) & 1 << status.index() != 0
    }
}

impl fmt::Debug for StatusTally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(
                Status::ALL
                    .into_iter()
                    .filter(|&status| self.contains(status))
                    .map(Status::name),
            )
            .finish()
    }
}

/// A tally is what a run found, not a parameter of the model: models that differ only in
/// their tallies are the same model.
impl PartialEq for StatusTally {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for StatusTally {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{AccountId, Command, Event, Mode, TaskId};

    #[test]
    fn records_the_statuses_of_every_task_and_shares_them_between_clones() {
        let tally = StatusTally::new();
        let clone = tally.clone();
        let mut fleet = FleetSpec::<4>::new();
        tally.record(&fleet);
        assert!(Status::ALL.iter().all(|&status| !tally.contains(status)));
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
        clone.record(&fleet);
        let reached: Vec<Status> = Status::ALL
            .into_iter()
            .filter(|&status| tally.contains(status))
            .collect();
        assert_eq!(reached, [Status::Creating, Status::Configuration]);
    }
}
