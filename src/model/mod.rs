//! Stateright models of the lifecycle, and the properties they check.
//!
//! The specification's table is small (one task has a few hundred reachable states), but
//! the bugs this project hunts live where tasks and events meet: a late report after a
//! delete, an account falling into arrears while a task is starting, an id handed out
//! twice. So the models explore *every* interleaving of *every* event, allowed or not, for
//! one task, for fleets of tasks sharing accounts, and for the specification and the
//! reference implementation side by side, and check the brief's properties in every
//! reachable state. See [`fleet`] for the models, [`claims`] for the claims, and
//! [`faults`] for the deliberately broken variants that prove each claim can fail.

pub mod claims;
pub mod display;
pub mod faults;
pub mod fleet;
pub mod lockstep;
pub mod state;
pub mod svg;
pub mod symmetry;
pub mod tally;
pub mod world;

pub use claims::{CLAIMS, Claim, ClaimId, Kind};
pub use faults::Fault;
pub use fleet::{FleetModel, ModelKind};
pub use state::{EngineView, ModelState};
pub use tally::{Tallied, Tally};
pub use world::{History, MAX_MODEL_ACCOUNTS, MAX_TASKS, World};
