//! The environment variables that size a fuzzing run.
//!
//! `cargo test` runs a fixed, CI-sized campaign from a fixed seed, so that the suite is
//! reproducible and its pinned coverage holds. The same test runs a long campaign when
//! these are set:
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `DRS_FUZZ_CASES` | how many random cases | 10000 |
//! | `DRS_FUZZ_SEED` | the run's seed: decimal, `0x` hex, or `random` | 0x5EED_D125 |
//! | `DRS_FUZZ_STEPS` | the longest case, in commands | 200 |
//! | `DRS_FUZZ_TASKS` | the most tasks one case creates (at most 64) | 32 |
//! | `DRS_FUZZ_ACCOUNTS` | the most accounts owning tasks in one case (at most 31) | 4 |
//! | `DRS_FUZZ_FAULT` | inject a fault by its configuration name, to watch it be caught | none |
//!
//! A value that does not parse is an error that names the variable and what it accepts;
//! it is never silently replaced by the default.

use std::fmt;
use std::hash::{BuildHasher, Hasher};

use crate::model::Fault;

use super::generate::Limits;
use super::harness::CAPACITY;

pub const CASES: &str = "DRS_FUZZ_CASES";
pub const SEED: &str = "DRS_FUZZ_SEED";
pub const STEPS: &str = "DRS_FUZZ_STEPS";
pub const TASKS: &str = "DRS_FUZZ_TASKS";
pub const ACCOUNTS: &str = "DRS_FUZZ_ACCOUNTS";
pub const FAULT: &str = "DRS_FUZZ_FAULT";

/// The default case count: sized so that the fuzzing tests take seconds on a 2-core CI
/// machine.
pub const DEFAULT_CASES: u64 = 10_000;
/// The default seed: fixed, so `cargo test` is reproducible.
pub const DEFAULT_SEED: u64 = 0x5EED_D125;

/// How a run is sized.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// How many random cases (`DRS_FUZZ_CASES`).
    pub cases: u64,
    /// The run's seed (`DRS_FUZZ_SEED`): the same seed generates the same cases.
    pub seed: u64,
    /// Whether the seed was drawn at random (`DRS_FUZZ_SEED=random`); the run prints it.
    pub random_seed: bool,
    /// The size of each case (`DRS_FUZZ_STEPS`, `DRS_FUZZ_TASKS`, `DRS_FUZZ_ACCOUNTS`).
    pub limits: Limits,
    /// A fault to inject, to watch it be caught (`DRS_FUZZ_FAULT`).
    pub fault: Option<Fault>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            cases: DEFAULT_CASES,
            seed: DEFAULT_SEED,
            random_seed: false,
            limits: Limits::default(),
            fault: None,
        }
    }
}

/// A variable with a value it does not accept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingsError {
    /// The environment variable.
    pub variable: &'static str,
    /// Its value.
    pub value: String,
    /// What it accepts, in words.
    pub expected: String,
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}={:?} is not valid: expected {}; unset it for the default",
            self.variable, self.value, self.expected
        )
    }
}

impl std::error::Error for SettingsError {}

impl Settings {
    /// The settings from the process environment.
    pub fn from_env() -> Result<Settings, SettingsError> {
        Settings::from_lookup(|name| {
            std::env::var_os(name).map(|value| {
                value
                    .into_string()
                    .unwrap_or_else(|raw| raw.to_string_lossy().into_owned())
            })
        })
    }

    /// The settings from any lookup of variables (tests pass a map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Settings, SettingsError> {
        let mut settings = Settings::default();
        if let Some(value) = lookup(CASES) {
            settings.cases = number(CASES, &value, 1, u64::from(u32::MAX))?;
        }
        if let Some(value) = lookup(SEED) {
            if value.trim().eq_ignore_ascii_case("random") {
                settings.seed = random_seed();
                settings.random_seed = true;
            } else {
                settings.seed = parse_u64(&value).ok_or_else(|| SettingsError {
                    variable: SEED,
                    value: value.clone(),
                    expected: "a number (decimal or 0x hex) or `random`".to_string(),
                })?;
            }
        }
        if let Some(value) = lookup(STEPS) {
            settings.limits.max_steps = number(STEPS, &value, 1, 1_000_000)? as usize;
        }
        if let Some(value) = lookup(TASKS) {
            settings.limits.max_tasks = number(TASKS, &value, 1, CAPACITY as u64)? as usize;
        }
        if let Some(value) = lookup(ACCOUNTS) {
            settings.limits.max_accounts = number(ACCOUNTS, &value, 1, 31)? as u32;
        }
        if let Some(value) = lookup(FAULT) {
            settings.fault = Some(value.parse().map_err(
                |error: crate::model::faults::UnknownFault| SettingsError {
                    variable: FAULT,
                    value: value.clone(),
                    expected: error.to_string(),
                },
            )?);
        }
        Ok(settings)
    }
}

fn number(variable: &'static str, value: &str, min: u64, max: u64) -> Result<u64, SettingsError> {
    parse_u64(value)
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| SettingsError {
            variable,
            value: value.to_string(),
            expected: format!("a whole number from {min} to {max} (underscores allowed)"),
        })
}

/// Decimal or `0x` hexadecimal, with `_` separators.
fn parse_u64(value: &str) -> Option<u64> {
    let digits: String = value.trim().chars().filter(|&c| c != '_').collect();
    match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => digits.parse().ok(),
    }
}

/// A seed nobody chose: the standard library's per-process random hasher keys.
fn random_seed() -> u64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos() as u64),
    );
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn from(vars: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn nothing_set_gives_the_ci_defaults() {
        assert_eq!(from(&[]), Ok(Settings::default()));
    }

    #[test]
    fn every_variable_is_read() {
        let settings = from(&[
            (CASES, "1_000_000"),
            (SEED, "0xDEAD_BEEF"),
            (STEPS, "1000"),
            (TASKS, "8"),
            (ACCOUNTS, "2"),
            (FAULT, "engine-pauses-frozen-task"),
        ])
        .expect("valid settings");
        assert_eq!(settings.cases, 1_000_000);
        assert_eq!(settings.seed, 0xDEAD_BEEF);
        assert_eq!(settings.limits.max_steps, 1000);
        assert_eq!(settings.limits.max_tasks, 8);
        assert_eq!(settings.limits.max_accounts, 2);
        assert_eq!(settings.fault, Some(Fault::EnginePausesFrozenTask));
    }

    #[test]
    fn a_bad_value_names_its_variable_and_what_it_accepts() {
        let error = from(&[(CASES, "lots")]).expect_err("not a number");
        assert_eq!(error.variable, CASES);
        let message = error.to_string();
        assert!(
            message.starts_with("DRS_FUZZ_CASES=\"lots\" is not valid"),
            "{message}"
        );
        assert!(message.contains("whole number from 1"), "{message}");

        let error = from(&[(TASKS, "65")]).expect_err("beyond the capacity");
        assert_eq!(error.variable, TASKS);
        let error = from(&[(SEED, "0xZZ")]).expect_err("not hex");
        assert_eq!(error.variable, SEED);
        let error = from(&[(FAULT, "gremlins")]).expect_err("no such fault");
        assert!(
            error.to_string().contains("engine-pauses-frozen-task"),
            "{error}"
        );
    }

    #[test]
    fn a_random_seed_is_flagged_so_the_run_can_print_it() {
        let settings = from(&[(SEED, "random")]).expect("valid");
        assert!(settings.random_seed);
    }
}
