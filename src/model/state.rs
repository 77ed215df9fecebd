//! A model state: the specification's world and, in the conformance model, the engine.

use std::fmt;
use std::hash::{Hash, Hasher};

use crate::plane::{ControlPlane, Exhaustive};

use super::claims::Judged;
use super::faults::{Fault, FaultyEngine};
use super::world::World;

/// The implementation's state inside a model state (the reference engine, with its fault,
/// unless a user checks their own). Equality and hashing go through the implementation's
/// key ([`Exhaustive`]), which leaves versions out: they only count changes and never decide
/// behaviour, and keeping them would make the state space infinite (every pause/resume
/// cycle would be a new state). The lockstep step checks versions on every command instead.
#[derive(Clone)]
pub struct EngineView<P = FaultyEngine>(pub P);

impl<P: Exhaustive> PartialEq for EngineView<P> {
    fn eq(&self, other: &Self) -> bool {
        self.0.same_key(&other.0)
    }
}

impl<P: Exhaustive> Eq for EngineView<P> {}

impl<P: Exhaustive> Hash for EngineView<P> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash_key(state);
    }
}

impl<P: ControlPlane> fmt::Debug for EngineView<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for task in self.0.tasks() {
            writeln!(
                f,
                "engine task {} · {} · version {}{}",
                task.id.0,
                task.status.label(),
                task.version,
                if task.holds_instance {
                    " · instance"
                } else {
                    ""
                }
            )?;
        }
        Ok(())
    }
}

/// A model state: the world and, for conformance, the implementation.
#[derive(Clone)]
pub struct ModelState<P = FaultyEngine> {
    /// The specification's fleet and the history the claims read.
    pub world: World,
    /// The implementation's state, for the conformance model only.
    pub engine: Option<EngineView<P>>,
}

impl<P: Exhaustive> PartialEq for ModelState<P> {
    fn eq(&self, other: &Self) -> bool {
        self.world == other.world && self.engine == other.engine
    }
}

impl<P: Exhaustive> Eq for ModelState<P> {}

impl<P: Exhaustive> Hash for ModelState<P> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.world.hash(state);
        self.engine.hash(state);
    }
}

impl<P> ModelState<P> {
    /// What the claims may read of the state.
    pub fn judged(&self, fault: Option<Fault>) -> Judged<'_> {
        Judged::of(&self.world, fault)
    }
}

impl<P: ControlPlane> fmt::Debug for ModelState<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.world)?;
        if let Some(engine) = &self.engine {
            write!(f, "{engine:?}")?;
        }
        Ok(())
    }
}

/// A 64-bit hash of a whole state that stands for it, as stateright's checkers take one:
/// aHash (the hasher they use), with fixed seeds so that every run numbers states alike.
/// The explicit graph tells states apart by it, and the actor model's controller keeps one
/// of its record.
pub fn fingerprint<T: Hash + ?Sized>(value: &T) -> u64 {
    const SEEDS: [u64; 4] = [
        0x243f_6a88_85a3_08d3,
        0x1319_8a2e_0370_7344,
        0xa409_3822_299f_31d0,
        0x082e_fa98_ec4e_6c89,
    ];
    ahash::RandomState::with_seeds(SEEDS[0], SEEDS[1], SEEDS[2], SEEDS[3]).hash_one(value)
}
