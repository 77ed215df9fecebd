//! A model state: the specification's world and, in the conformance model, the engine.

use std::fmt;
use std::hash::{Hash, Hasher};

use crate::engine::Fleet;

use super::claims::Judged;
use super::faults::Fault;
use super::world::World;

/// The engine's state inside a model state. Equality and hashing ignore task versions:
/// versions only count changes and never decide behaviour, and keeping them would make the
/// state space infinite (every pause/resume cycle would be a new state). The lockstep step
/// checks versions on every command instead.
#[derive(Clone)]
pub struct EngineView(pub Fleet);

impl EngineView {
    fn key(&self) -> impl Iterator<Item = impl Hash + PartialEq + '_> + '_ {
        self.0.tasks().iter().map(|task| {
            (
                task.id(),
                task.account(),
                task.mode(),
                task.status(),
                task.phase(),
                task.frozen_from(),
                task.holds_instance(),
            )
        })
    }
}

impl PartialEq for EngineView {
    fn eq(&self, other: &Self) -> bool {
        self.key().eq(other.key()) && self.0.accounts_in_arrears() == other.0.accounts_in_arrears()
    }
}

impl Eq for EngineView {}

/// Two words per task rather than a field-by-field walk: hashing is in the checker's inner
/// loop, and stateright takes the 64-bit hash as the state's identity, so every field that
/// equality compares goes in.
impl Hash for EngineView {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_usize(self.0.tasks().len());
        for task in self.0.tasks() {
            let phase = task.phase().map_or(0, |phase| phase as u64 + 1);
            let frozen = task.frozen_from().map_or(0, |status| status as u64 + 1);
            state.write_u64(task.id().0);
            state.write_u64(
                u64::from(task.account().0)
                    | (task.status() as u64) << 32
                    | (task.mode() as u64) << 40
                    | phase << 48
                    | frozen << 52
                    | u64::from(task.holds_instance()) << 60,
            );
        }
        for account in self.0.accounts_in_arrears() {
            state.write_u64(u64::from(account.0) | 1 << 32);
        }
    }
}

impl fmt::Debug for EngineView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for task in self.0.tasks() {
            writeln!(
                f,
                "engine task {} · {} · version {}{}",
                task.id().0,
                task.status().label(),
                task.version(),
                if task.holds_instance() {
                    " · instance"
                } else {
                    ""
                }
            )?;
        }
        Ok(())
    }
}

/// A model state: the world and, for conformance, the engine.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ModelState {
    pub world: World,
    pub engine: Option<EngineView>,
}

impl ModelState {
    /// What the claims may read of the state.
    pub fn judged(&self, fault: Option<Fault>) -> Judged<'_> {
        Judged::of(&self.world, fault)
    }
}

impl fmt::Debug for ModelState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.world)?;
        if let Some(engine) = &self.engine {
            write!(f, "{engine:?}")?;
        }
        Ok(())
    }
}
