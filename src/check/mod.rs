//! Running checks: configurations, the checker, shortest counterexamples, reporters.
//!
//! `drs-lifecycle check` loads every configuration, runs each, and reports a table of
//! properties with their verdicts, the state counts, and for each violation its shortest
//! counterexample. A run passes only if every expectation of its configuration is met, and a
//! run cut short is never called verified.

pub mod config;
pub mod conformance;
pub mod graph;
pub mod liveness;
pub mod report;
pub mod run;
pub mod verdict;

use std::path::{Path, PathBuf};

pub use config::{Config, ConfigError, load};
pub use conformance::{Conformance, conformance};
pub use run::{Exploration, RunResult, Verdict, explore, run};

use crate::text::thousands;

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

/// Checks configuration files, as `drs-lifecycle check` and `report models` do: every file
/// is loaded first (a typo in the last file should not cost a long run), then each is
/// checked in turn with one progress reporter on standard error (the configuration's name
/// when it starts, then its unique states and depth every five seconds once it has run
/// three). `before` sees each configuration as its check starts; `after` sees each result
/// as soon as it is ready and may stop the run with an error (a reader that went away).
pub fn check_files<E: From<ConfigError>>(
    files: &[PathBuf],
    mut before: impl FnMut(&Config),
    mut after: impl FnMut(&Config, &RunResult) -> Result<(), E>,
) -> Result<Vec<(Config, RunResult)>, E> {
    let configs = files
        .iter()
        .map(|file| load(file))
        .collect::<Result<Vec<_>, _>>()?;
    let mut checked = Vec::with_capacity(configs.len());
    for config in configs {
        let name = config.path.display().to_string();
        eprintln!("checking {name} …");
        before(&config);
        let mut progress = |unique: usize, depth: usize, elapsed: std::time::Duration| {
            eprintln!(
                "  … {name}: {} unique states, depth {depth}, {} s",
                thousands(unique),
                elapsed.as_secs()
            );
        };
        let result = run(&config, &mut progress);
        after(&config, &result)?;
        checked.push((config, result));
    }
    Ok(checked)
}
