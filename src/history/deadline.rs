//! Stuck tasks: the real-time form of the liveness claims (`validate --deadlines`).
//!
//! The specification has no clock: "every transient status is eventually left" and "every
//! EndRequested task eventually reaches Ended or EndFailed" are claims about infinite runs,
//! and no finite history breaks them. A history has time, though, and an operator has an
//! idea of how long is too long. A [`Deadlines`] file states a bound per transient status a
//! poll can show; a job whose consecutive polls show the same transient code for longer
//! than its bound is reported, with the first poll that showed it and the last, as a
//! [`Stuck`] task: apart from the safety violations, with its own exit status (4, when there
//! is no violation), because a slow service is not a wrong one until someone says how slow
//! is wrong.
//!
//! What a poll can show decides the granularity: 结束任务 EndRequested and 结束任务中 Ending
//! both show `RELEASE_RESOURCE_STARTED`, so the release has one bound, from the first poll
//! that shows it to the first that shows `RELEASE_RESOURCE_COMPLETE` or `_FAILED`.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::time::{Millis, parse_duration};
use crate::spec::ApiCode;

/// The bound on each transient status a poll can show, in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Deadlines {
    /// 创建中 Creating (`CREATING`): the migration instance is being created.
    pub creating: Millis,
    /// 启动中 Starting (`STARTJOBING`): a start, resume, retry or reset in progress.
    pub starting: Millis,
    /// 全量迁移完成 (`FULL_TRANSFER_COMPLETE`): the short step after the full phase.
    pub full_migration_complete: Millis,
    /// 故障恢复 FaultRecovery (`REBUILD_NODE_STARTED`): the service recovering by itself.
    pub fault_recovery: Millis,
    /// 结束任务 / 结束任务中 (`RELEASE_RESOURCE_STARTED`): an end's release, to Ended or
    /// EndFailed.
    pub release: Millis,
}

const MINUTE: Millis = 60_000;

impl Default for Deadlines {
    /// Neither the brief nor the service's documentation bounds these steps; the defaults
    /// are an order of magnitude above the durations the simulator draws (creation 2–6 min,
    /// a start 30–120 s, the step after the full phase 10–60 s, a recovery 2–10 min, a
    /// release 1–5 min plus 5–30 s): long enough that a healthy service never trips them,
    /// short enough that a stuck task is named the same day.
    fn default() -> Self {
        Deadlines {
            creating: 60 * MINUTE,
            starting: 30 * MINUTE,
            full_migration_complete: 30 * MINUTE,
            fault_recovery: 2 * 60 * MINUTE,
            release: 60 * MINUTE,
        }
    }
}

/// The file's shape: every key optional (the default stands), durations as text.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    creating: Option<String>,
    starting: Option<String>,
    full_migration_complete: Option<String>,
    fault_recovery: Option<String>,
    release: Option<String>,
}

impl Deadlines {
    /// Reads a deadlines file (TOML: `starting = "30m"`, …; see `docs/traces.md`).
    pub fn parse(text: &str) -> Result<Deadlines, String> {
        let file: File = toml::from_str(text).map_err(|e| e.message().to_string())?;
        let mut out = Deadlines::default();
        for (key, value, slot) in [
            ("creating", file.creating, &mut out.creating),
            ("starting", file.starting, &mut out.starting),
            (
                "full_migration_complete",
                file.full_migration_complete,
                &mut out.full_migration_complete,
            ),
            (
                "fault_recovery",
                file.fault_recovery,
                &mut out.fault_recovery,
            ),
            ("release", file.release, &mut out.release),
        ] {
            if let Some(text) = value {
                let ms = parse_duration(&text)
                    .map_err(|e| format!("{key} = {text:?}: {e} (a duration such as 30m or 2h)"))?;
                if ms <= 0 {
                    return Err(format!("{key} = {text:?}: a deadline must be positive"));
                }
                *slot = ms;
            }
        }
        Ok(out)
    }

    /// The bound on a code, if it is the code of a transient status.
    pub fn bound(&self, code: ApiCode) -> Option<Millis> {
        match code {
            ApiCode::Creating => Some(self.creating),
            ApiCode::StartJobing => Some(self.starting),
            ApiCode::FullTransferComplete => Some(self.full_migration_complete),
            ApiCode::RebuildNodeStarted => Some(self.fault_recovery),
            ApiCode::ReleaseResourceStarted => Some(self.release),
            _ => None,
        }
    }
}

impl fmt::Display for Deadlines {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use super::time::format_gap;
        write!(
            f,
            "creating {}, starting {}, full migration complete {}, fault recovery {}, release {}",
            format_gap(self.creating),
            format_gap(self.starting),
            format_gap(self.full_migration_complete),
            format_gap(self.fault_recovery),
            format_gap(self.release)
        )
    }
}

/// A task that stayed in a transient status past its deadline.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stuck {
    /// The job (task) id.
    pub job: String,
    /// The claim, one of the two deadline claims of the one table.
    pub claim: &'static str,
    /// The code its polls showed.
    pub code: String,
    /// The bound on that code.
    pub bound: Millis,
    /// The first poll that showed it (line, time).
    pub first_line: u64,
    /// When.
    pub first_time: Millis,
    /// The last poll that showed it, so far (line, time).
    pub last_line: u64,
    /// When.
    pub last_time: Millis,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deadlines_read_in_the_tools_words() {
        expect_test::expect!["creating 1 h 0 min, starting 30 min 0 s, full migration complete 30 min 0 s, fault recovery 2 h 0 min, release 1 h 0 min"]
            .assert_eq(&Deadlines::default().to_string());
    }

    #[test]
    fn a_file_overrides_the_defaults_it_names() {
        let d = Deadlines::parse("starting = \"5m\"\nrelease = \"2h\"\n").expect("valid");
        assert_eq!(d.starting, 5 * MINUTE);
        assert_eq!(d.release, 120 * MINUTE);
        assert_eq!(d.creating, Deadlines::default().creating);
    }

    #[test]
    fn a_bad_file_is_an_error_naming_the_key() {
        let error = Deadlines::parse("startng = \"5m\"").expect_err("unknown key");
        assert!(error.contains("startng"), "{error}");
        let error = Deadlines::parse("starting = \"soon\"").expect_err("bad duration");
        assert!(error.starts_with("starting = \"soon\""), "{error}");
        let error = Deadlines::parse("starting = \"0s\"").expect_err("zero");
        assert!(error.contains("positive"), "{error}");
    }

    #[test]
    fn only_transient_codes_have_a_bound() {
        let d = Deadlines::default();
        for code in ApiCode::ALL {
            let transient = code.status().is_some_and(|s| s.is_transient());
            assert_eq!(d.bound(code).is_some(), transient, "{code}");
        }
    }
}
