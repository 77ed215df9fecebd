//! Symmetry reduction for the specification-only fleet models.
//!
//! Tasks are interchangeable: ids are handed out in order and never freed, no property and
//! no rule depends on a task's id, and every command is offered for every task. So any
//! permutation of the created tasks (with their histories) maps runs to runs and keeps
//! every property's verdict. Accounts are interchangeable too: all start in credit, every
//! command is offered for every account, and no rule names an account. The representative
//! of a state is therefore the smallest state over all account relabellings, with the tasks
//! sorted; sorting keeps the created tasks in slots `0..len`, so creation still fills slot
//! `len`.
//!
//! The engine's state is not permuted: the conformance model runs without symmetry (the
//! configuration loader refuses `symmetry = true` for it).

use stateright::Representative;

use crate::spec::{Mode, Slot, TaskSpec};

use super::state::ModelState;
use super::world::{History, MAX_MODEL_ACCOUNTS, MAX_TASKS, World};

/// Every permutation of `0..n` for `n <= MAX_MODEL_ACCOUNTS`, smallest first.
fn permutations(n: usize) -> Vec<[u8; MAX_MODEL_ACCOUNTS]> {
    let mut result = Vec::new();
    let mut current = [0u8; MAX_MODEL_ACCOUNTS];
    fn go(
        n: usize,
        depth: usize,
        used: u8,
        current: &mut [u8; MAX_MODEL_ACCOUNTS],
        out: &mut Vec<[u8; MAX_MODEL_ACCOUNTS]>,
    ) {
        if depth == n {
            out.push(*current);
            return;
        }
        for v in 0..n as u8 {
            if used & (1 << v) == 0 {
                current[depth] = v;
                go(n, depth + 1, used | (1 << v), current, out);
            }
        }
    }
    go(n, 0, 0, &mut current, &mut result);
    result
}

fn canonical(world: &World, relabel: &[u8; MAX_MODEL_ACCOUNTS]) -> World {
    let len = world.fleet.len();
    let unused = Slot {
        account: 0,
        task: TaskSpec::created(Mode::Full),
    };
    let mut pairs = [(unused, History::default()); MAX_TASKS];
    for (i, slot) in world.fleet.slots().iter().enumerate() {
        let mut slot = *slot;
        slot.account = relabel[slot.account as usize];
        pairs[i] = (slot, world.history[i]);
    }
    pairs[..len].sort_unstable();
    let mut arrears = 0u32;
    for (account, &to) in relabel.iter().enumerate() {
        if world.fleet.arrears_bits() & (1 << account) != 0 {
            arrears |= 1 << to;
        }
    }
    let mut out = *world;
    for (i, (slot, history)) in pairs[..len].iter().enumerate() {
        out.fleet.slots_mut()[i] = *slot;
        out.history[i] = *history;
    }
    out.fleet.set_arrears_bits(arrears);
    out
}

impl Representative for ModelState {
    fn representative(&self) -> Self {
        if self.engine.is_some() {
            return self.clone();
        }
        thread_local! {
            static PERMUTATIONS: Vec<Vec<[u8; MAX_MODEL_ACCOUNTS]>> =
                (0..=MAX_MODEL_ACCOUNTS).map(permutations).collect();
        }
        // Only accounts of the model may be relabelled: relabelling onto an account the
        // model never offers commands for would not be a symmetry.
        let accounts = usize::from(self.world.accounts).clamp(1, MAX_MODEL_ACCOUNTS);
        let world = PERMUTATIONS.with(|all| {
            all[accounts]
                .iter()
                .map(|relabel| canonical(&self.world, relabel))
                .min()
                .unwrap_or(self.world)
        });
        ModelState {
            world,
            engine: None,
        }
    }
}
