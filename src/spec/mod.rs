//! The specification: statuses, events, modes, and the transition table, as pure data.
//!
//! This module is the brief's part B made executable. It does no I/O and allocates nothing
//! on the step path. The reference implementation ([`crate::engine`]) shares its vocabulary
//! (the enums and ids) but never its table: the two are independent encodings of the same
//! lifecycle, so that checking one against the other means something.

mod command;
mod event;
pub mod fleet;
mod mode;
pub mod render;
mod status;
pub mod table;
mod task;

pub use command::{AccountId, Command, TaskId, account_letter};
pub use event::{EVENT_KIND_COUNT, Event, Source, UnknownEvent};
pub use fleet::{FleetSpec, MAX_ACCOUNTS, Refused, Slot};
pub use mode::{Mode, Phase, UnknownMode};
pub use status::{STATUS_COUNT, Status, UnknownStatus};
pub use table::{RULES, Rule, Target};
pub use task::{TaskSpec, step};
