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
//! - **safety**: stateright is given one property, which evaluates every claim judged on
//!   states (safety and conformance) on each state it visits (the states stateright would have judged each
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
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use crate::spec::{FleetSpec, STATUS_COUNT, Status};

use stateright::{Model, Property};

use crate::spec::Command;

use super::claims::{ClaimId, all, broken_bits};
use super::fleet::FleetModel;
use super::state::ModelState;

// One bit per status (claims have one bit each too: see `claims::CLAIM_COUNT`).
const _: () = assert!(STATUS_COUNT <= 32);

#[derive(Default)]
struct Bits {
    reached: AtomicU32,
    violated: AtomicU64,
}

/// The statuses that states made by the model showed, and the claims (one bit per index in
/// [`super::claims::CLAIMS`]) that states visited by the checker broke. Clones share the
/// sets.
#[derive(Clone, Default)]
pub struct Tally(Arc<Bits>);

macro_rules! add {
    ($set:expr, $bits:expr) => {
        if $bits & !$set.load(Ordering::Relaxed) != 0 {
            $set.fetch_or($bits, Ordering::Relaxed);
        }
    };
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
        add!(self.0.reached, shown);
    }

    /// Whether some recorded state showed the status.
    pub fn reached(&self, status: Status) -> bool {
        self.0.reached.load(Ordering::Relaxed) & 1 << status.index() != 0
    }

    /// Records broken claims, one bit per index in [`super::claims::CLAIMS`].
    #[inline]
    pub fn record_violations(&self, bits: u64) {
        add!(self.0.violated, bits);
    }

    /// Whether some visited state broke the claim.
    pub fn violated(&self, claim: ClaimId) -> bool {
        self.0.violated.load(Ordering::Relaxed) & 1 << claim.index() != 0
    }
}

impl fmt::Debug for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reached: Vec<&str> = Status::ALL
            .into_iter()
            .filter(|&status| self.reached(status))
            .map(Status::name)
            .collect();
        let violated: Vec<&str> = all()
            .filter(|&claim| self.violated(claim))
            .map(ClaimId::name)
            .collect();
        f.debug_struct("Tally")
            .field("reached", &reached)
            .field("violated", &violated)
            .finish()
    }
}

/// The name of the one stateright property of a tallied model.
pub const TALLIED: &str = "every claim, tallied by the model";

/// A model checked with a tally: the same states and steps as the model, with the statuses
/// of every state it makes and the claims broken by every state the checker visits recorded
/// in [`Tally`]. Stateright gets one property, which records and always holds, so that a
/// discovery never cuts the search short.
#[derive(Clone)]
pub struct Tallied {
    model: FleetModel,
    tally: Tally,
}

impl Tallied {
    /// The model with a fresh tally; the tally is returned for reading after the run.
    pub fn new(model: FleetModel) -> (Self, Tally) {
        let tally = Tally::new();
        (
            Tallied {
                model,
                tally: tally.clone(),
            },
            tally,
        )
    }

    fn record(&self, state: &ModelState) -> bool {
        let broken = broken_bits(&state.judged(self.model.fault()), self.model.conformance());
        if broken != 0 {
            self.tally.record_violations(broken);
        }
        true
    }
}

impl Model for Tallied {
    type State = ModelState;
    type Action = Command;

    fn init_states(&self) -> Vec<ModelState> {
        let states = self.model.init_states();
        for state in &states {
            self.tally.record_statuses(&state.world.fleet);
        }
        states
    }

    #[inline]
    fn actions(&self, state: &ModelState, actions: &mut Vec<Command>) {
        self.model.actions(state, actions);
    }

    #[inline]
    fn next_state(&self, state: &ModelState, command: Command) -> Option<ModelState> {
        let next = self.model.next_state(state, command);
        if let Some(next) = &next {
            self.tally.record_statuses(&next.world.fleet);
        }
        next
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![Property::always(TALLIED, |model: &Tallied, state| {
            model.record(state)
        })]
    }
}

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
        let violated: Vec<usize> = all()
            .filter(|&claim| tally.violated(claim))
            .map(ClaimId::index)
            .collect();
        assert_eq!(violated, [0, 2]);
    }
}
