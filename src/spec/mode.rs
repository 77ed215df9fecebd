//! Migration modes and phases.
//!
//! A task is created with a mode that fixes which phases it runs: full (initial load) only,
//! full then incremental (change data capture), or incremental only. While a task is
//! starting, start-failed, paused or recovering, it remembers the phase it is heading for or
//! will return to; that is a [`Phase`].

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The migration mode chosen at creation (`migration_type` in the DRS API).
///
/// The serde form is the API code (`"FULL_TRANS"`, `"FULL_INCR_TRANS"`, `"INCR_TRANS"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Mode {
    /// `FULL_TRANS`: the full phase only; the task ends by itself when it completes.
    #[serde(rename = "FULL_TRANS")]
    Full,
    /// `FULL_INCR_TRANS`: the full phase, then incremental until the user ends the task.
    #[serde(rename = "FULL_INCR_TRANS")]
    FullIncremental,
    /// `INCR_TRANS`: the incremental phase only.
    #[serde(rename = "INCR_TRANS")]
    Incremental,
}

impl Mode {
    /// Every mode.
    pub const ALL: [Mode; 3] = [Mode::Full, Mode::FullIncremental, Mode::Incremental];

    /// The API code.
    pub const fn api_code(self) -> &'static str {
        match self {
            Mode::Full => "FULL_TRANS",
            Mode::FullIncremental => "FULL_INCR_TRANS",
            Mode::Incremental => "INCR_TRANS",
        }
    }

    /// A short English name.
    pub const fn english(self) -> &'static str {
        match self {
            Mode::Full => "full",
            Mode::FullIncremental => "full+incremental",
            Mode::Incremental => "incremental",
        }
    }

    /// The phase a first start and a reset head for.
    pub const fn first_phase(self) -> Phase {
        match self {
            Mode::Full | Mode::FullIncremental => Phase::Full,
            Mode::Incremental => Phase::Incremental,
        }
    }

    /// Whether a task of this mode ever runs the given phase.
    pub const fn runs(self, phase: Phase) -> bool {
        !matches!(
            (self, phase),
            (Mode::Full, Phase::Incremental) | (Mode::Incremental, Phase::Full)
        )
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.api_code())
    }
}

/// A string that names no mode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownMode(pub String);

impl fmt::Display for UnknownMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown migration mode {:?}: expected FULL_TRANS, FULL_INCR_TRANS or INCR_TRANS",
            self.0
        )
    }
}

impl std::error::Error for UnknownMode {}

impl FromStr for Mode {
    type Err = UnknownMode;

    /// Accepts the API code (any case) or the Rust name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        Mode::ALL
            .into_iter()
            .find(|mode| {
                mode.api_code().eq_ignore_ascii_case(wanted)
                    || format!("{mode:?}").eq_ignore_ascii_case(wanted)
            })
            .ok_or_else(|| UnknownMode(s.to_string()))
    }
}

/// A migration phase: the full (initial-load) phase or the incremental phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Phase {
    /// 全量迁移: the full (initial-load) copy of the source.
    Full,
    /// 增量迁移: continuous change data capture.
    Incremental,
}

impl Phase {
    /// The status of a task running this phase.
    pub const fn running(self) -> super::Status {
        match self {
            Phase::Full => super::Status::FullMigration,
            Phase::Incremental => super::Status::IncrementalMigration,
        }
    }

    /// The status of a task whose run of this phase failed.
    pub const fn failed(self) -> super::Status {
        match self {
            Phase::Full => super::Status::FullMigrationFailed,
            Phase::Incremental => super::Status::IncrementalMigrationFailed,
        }
    }

    /// A short English name.
    pub const fn english(self) -> &'static str {
        match self {
            Phase::Full => "full",
            Phase::Incremental => "incremental",
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.english())
    }
}
