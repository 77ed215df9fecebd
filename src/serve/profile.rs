//! The service's own life: how long each of its steps takes and how often it fails.
//!
//! Every duration is a range `[low, high]` in seconds, drawn uniformly (the full and
//! incremental phases log-uniformly: as many short phases as long ones per decade) from the
//! service's seeded generator; every rate is a probability in `[0, 1]`. The defaults are the
//! simulator's (`src/simulate/mod.rs`, `fn plan`), where the simulator has one; a TOML file
//! (`serve --profile FILE`) changes any of them:
//!
//! ```toml
//! creating = [120, 360]
//! start_failure = 0.0
//! ```

use serde::{Deserialize, Serialize};

/// The durations (seconds, `[low, high]`) and failure rates of the emulated service.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Profile {
    /// Creating the migration instance (创建中): 2–6 min.
    pub creating: [u64; 2],
    /// Share of creations that fail (创建任务失败): 5 %.
    pub create_failure: f64,
    /// Starting the migration process (启动中): 30–120 s.
    pub starting: [u64; 2],
    /// Share of starts that fail (启动失败): 3 %.
    pub start_failure: f64,
    /// The full phase (全量迁移), log-uniform: 1–12 h.
    pub full: [u64; 2],
    /// Share of full phases interrupted by an instance fault (故障恢复): 3 %.
    pub full_fault: f64,
    /// Share of full phases that fail (全量迁移失败): 2 %.
    pub full_failure: f64,
    /// Between the full phase and what follows (全量迁移完成): 10–60 s.
    pub full_complete: [u64; 2],
    /// How long an incremental phase runs before a fault or a failure, log-uniform, when
    /// one is drawn: 6 h – 3 d.
    pub incremental: [u64; 2],
    /// Share of incremental phases interrupted by an instance fault: 10 %.
    pub incremental_fault: f64,
    /// Share of incremental phases that fail (增量迁移失败): 5 %.
    pub incremental_failure: f64,
    /// Fault recovery (故障恢复): 2–10 min.
    pub recovery: [u64; 2],
    /// Share of recoveries that fail (故障恢复失败): 10 %.
    pub recovery_failure: f64,
    /// From an accepted end to the start of the release (结束任务): 5–30 s.
    pub end_requested: [u64; 2],
    /// The release of the instance (结束任务中): 1–5 min.
    pub release: [u64; 2],
    /// Share of releases that fail (结束任务失败): 2 %.
    pub release_failure: f64,
    /// From an accepted user command to its effect (the answer comes first, as the service
    /// answers before the status changes): 1–3 s. `[0, 0]`: at once.
    pub command_delay: [u64; 2],
    /// The retention period of a frozen task before the system ends it: 7 days.
    pub retention_days: u64,
    /// The default `expired_days` of a task (a failed task is ended after it): 14.
    pub expired_days: u64,
}

impl Default for Profile {
    fn default() -> Self {
        Profile {
            creating: [120, 360],
            create_failure: 0.05,
            starting: [30, 120],
            start_failure: 0.03,
            full: [3600, 12 * 3600],
            full_fault: 0.03,
            full_failure: 0.02,
            full_complete: [10, 60],
            incremental: [6 * 3600, 3 * 86_400],
            incremental_fault: 0.10,
            incremental_failure: 0.05,
            recovery: [120, 600],
            recovery_failure: 0.10,
            end_requested: [5, 30],
            release: [60, 300],
            release_failure: 0.02,
            command_delay: [1, 3],
            retention_days: 7,
            expired_days: 14,
        }
    }
}

impl Profile {
    /// Reads a profile from TOML text: every field optional, unknown fields refused.
    pub fn from_toml(text: &str) -> Result<Profile, String> {
        let profile: Profile = toml::from_str(text).map_err(|error| error.to_string())?;
        profile.problem().map_or(Ok(profile), Err)
    }

    /// A one-line reason the profile is impossible, or `None`.
    pub fn problem(&self) -> Option<String> {
        let ranges = [
            ("creating", self.creating),
            ("starting", self.starting),
            ("full", self.full),
            ("full_complete", self.full_complete),
            ("incremental", self.incremental),
            ("recovery", self.recovery),
            ("end_requested", self.end_requested),
            ("release", self.release),
        ];
        for (name, [low, high]) in ranges {
            if low == 0 || low > high || high > 366 * 86_400 {
                return Some(format!(
                    "{name} = [{low}, {high}] is impossible: seconds, 1 <= low <= high <= a year"
                ));
            }
        }
        let [low, high] = self.command_delay;
        if low > high || high > 3600 {
            return Some(format!(
                "command_delay = [{low}, {high}] is impossible: seconds, low <= high <= 3600"
            ));
        }
        let rates = [
            ("create_failure", self.create_failure),
            ("start_failure", self.start_failure),
            ("full_fault", self.full_fault),
            ("full_failure", self.full_failure),
            ("incremental_fault", self.incremental_fault),
            ("incremental_failure", self.incremental_failure),
            ("recovery_failure", self.recovery_failure),
            ("release_failure", self.release_failure),
        ];
        for (name, rate) in rates {
            if !(0.0..=1.0).contains(&rate) {
                return Some(format!("{name} = {rate} is impossible: a share in [0, 1]"));
            }
        }
        if self.full_fault + self.full_failure > 1.0 {
            return Some("full_fault + full_failure exceeds 1".into());
        }
        if self.incremental_fault + self.incremental_failure > 1.0 {
            return Some("incremental_fault + incremental_failure exceeds 1".into());
        }
        if !(1..=3650).contains(&self.retention_days) {
            return Some(format!(
                "retention_days = {} is impossible: 1 to 3650",
                self.retention_days
            ));
        }
        if !(14..=100).contains(&self.expired_days) {
            return Some(format!(
                "expired_days = {} is impossible: 14 to 100 (the API's range)",
                self.expired_days
            ));
        }
        None
    }
}
