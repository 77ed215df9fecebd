//! The specification: statuses, events, modes, and the transition table, as pure data.
//!
//! This module is the brief's part B, as its part D (version 2) changes it, made
//! executable. It does no I/O and allocates nothing
//! on the step path. The reference implementation ([`crate::engine`]) shares its vocabulary
//! (the enums and ids) but never its table: the two are independent encodings of the same
//! lifecycle, so that checking one against the other means something.

mod api_code;
mod command;
mod event;
pub mod fleet;
mod mode;
mod nearest;
pub mod observe;
pub mod render;
mod status;
pub mod table;
mod task;

pub use api_code::{API_CODE_COUNT, ApiCode, CodeClass, Excursion, UnknownApiCode};
#[cfg(test)]
pub(crate) use command::random_command;
pub use command::{AccountId, Command, TaskId, account_letter};
pub use event::{EVENT_KIND_COUNT, Event, Source, UnknownEvent};
pub use fleet::{FleetSpec, MAX_ACCOUNTS, Refused, Slot};
pub use mode::{Mode, Phase, UnknownMode};
pub(crate) use nearest::nearest as nearest_name;
pub(crate) use nearest::{edit_distance, near_enough};
pub use observe::{Answer, NOT_FOUND_ERRORS, Observation, list_entry, observe};
pub use status::{CONSOLE_STATUS_COUNT, STATUS_COUNT, Status, UnknownStatus};
pub use table::{Modes, RULES, Rule, Target};
pub use task::{TaskSpec, step};
