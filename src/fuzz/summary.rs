//! The summary a campaign prints at its end.

use std::fmt;
use std::time::Duration;

use crate::text::{percent, thousands};

use super::corners::Corners;
use super::coverage::CoverageReport;
use super::harness::{REFUSAL_KINDS, Stats};
use super::settings::Settings;

/// What a campaign did: cases, steps, throughput, refusals, coverage and corners.
#[derive(Clone, Debug)]
pub struct Summary {
    /// How the campaign was sized.
    pub settings: Settings,
    /// Counts over every step.
    pub stats: Stats,
    /// States and edges of the single-task lifecycle hit.
    pub coverage: CoverageReport,
    /// How often each deep corner (a situation many steps deep) was hit.
    pub corners: Corners,
    /// Stored regressions replayed before the random cases.
    pub regressions: usize,
    /// Wall-clock time of the campaign.
    pub elapsed: Duration,
}

impl Summary {
    /// Steps per second over the whole run (generation, shrinking and reporting included).
    pub fn steps_per_second(&self) -> f64 {
        self.stats.steps as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.stats;
        let limits = &self.settings.limits;
        writeln!(
            f,
            "fuzzing: {} regressions replayed, {} cases, {} steps in {:.2} s: {} steps/s",
            self.regressions,
            thousands(s.cases as usize),
            thousands(s.steps as usize),
            self.elapsed.as_secs_f64(),
            thousands(self.steps_per_second() as usize),
        )?;
        writeln!(
            f,
            "  seed {:#x}{} (DRS_FUZZ_SEED), at most {} steps, {} tasks, {} accounts per case{}",
            self.settings.seed,
            if self.settings.random_seed {
                ", drawn at random"
            } else {
                ""
            },
            limits.max_steps,
            limits.max_tasks,
            limits.max_accounts,
            match self.settings.fault {
                Some(fault) => format!(", injected fault {fault}"),
                None => String::new(),
            }
        )?;
        writeln!(
            f,
            "  accepted {} ({:.1}%), refused {} ({:.1}%)",
            thousands(s.accepted as usize),
            percent(s.accepted, s.steps),
            thousands(s.refused_total() as usize),
            percent(s.refused_total(), s.steps),
        )?;
        let kinds: Vec<String> = REFUSAL_KINDS
            .iter()
            .zip(s.refused)
            .filter(|(_, n)| *n > 0)
            .map(|(kind, n)| format!("{kind} {}", thousands(n as usize)))
            .collect();
        writeln!(f, "  refusals: {}", kinds.join(", "))?;
        writeln!(
            f,
            "  addressed to a deleted task {}, from the wrong account {}, to an unknown id {}",
            thousands(s.to_deleted as usize),
            thousands(s.wrong_account as usize),
            thousands(s.unknown_id as usize),
        )?;
        writeln!(
            f,
            "  snapshots saved, restored and run beside the original: {}",
            thousands(s.snapshots as usize)
        )?;
        writeln!(f, "coverage of the single-task lifecycle:")?;
        for line in self.coverage.to_string().lines() {
            writeln!(f, "  {line}")?;
        }
        writeln!(f, "deep corners hit:")?;
        write!(f, "{}", self.corners)
    }
}
