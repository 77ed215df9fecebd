//! Running checks: configurations, the checker, shortest counterexamples, reporters.
//!
//! `drs-lifecycle check` loads every configuration, runs each, and reports a table of
//! properties with their verdicts, the state counts, and for each violation its shortest
//! counterexample. A run passes only if every expectation of its configuration is met, and a
//! run cut short is never called verified.

pub mod config;
pub mod liveness;
pub mod report;
pub mod run;
pub mod shortest;

use std::path::{Path, PathBuf};

pub use config::{Config, ConfigError, load};
pub use run::{Exploration, RunResult, Verdict, explore, run};

/// The directory of the shipped configurations that the default run checks.
pub const MODELS_DIR: &str = "models";

/// The `*.toml` files directly in a directory (not in sub-directories such as
/// `models/heavy/`), sorted by name.
pub fn configurations_in(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.is_file() && path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    Ok(files)
}
