//! `reports/benchmarks.md` and the regression gate: criterion's saved estimates, read back.
//!
//! `cargo bench` leaves, for every benchmark, a directory under criterion's output directory
//! with `new/benchmark.json` (its id and throughput) and `new/estimates.json` (the
//! statistics of its last run), and one directory per saved baseline
//! (`cargo bench -- --save-baseline NAME` writes `NAME/`; a plain run overwrites `base/`).
//! This module reads them, whichever bench file wrote them (including benchmarks it does not
//! know of), and compares each median with the same benchmark's median in a named baseline.
//! A benchmark whose median time grew by more than a threshold is a regression, and the
//! command exits non-zero: that is the gate.
//!
//! Two things criterion does not keep are kept beside its files, in
//! `drs-lifecycle/context.jsonl`: the machine's load average when a benchmark finished
//! (figures from a busy shared machine are noisy, so each figure is shown with its load) and
//! the peak memory of the model-checking benchmarks. The benches write them with
//! [`record_context`].
//!
//! The targets the project set itself are checked against the medians, and where one is
//! missed the report says what limits it.

mod criterion;
mod table;
mod targets;

pub use criterion::{
    BenchError, Context, Measurement, STALE_AFTER_SECONDS, Throughput, criterion_dir, read,
    record_context, split_stale,
};
pub use table::{Comparison, render, write};
pub use targets::{CLOSE_MARGIN, Goal, TARGETS, Target, TargetResult, judge};

/// The command that regenerates the report.
pub const REGENERATE: &str = "cargo run --release -- report bench";

#[cfg(test)]
mod tests {
    use super::*;

    fn measurement(id: &str, median_ns: f64, base: Option<f64>) -> Measurement {
        Measurement {
            id: id.to_string(),
            group: id.split('/').next().unwrap_or(id).to_string(),
            median_ns,
            throughput: Some(Throughput::Elements(1)),
            baseline_median_ns: base,
            context: None,
            measured_at: Some(1_000_000),
        }
    }

    #[test]
    fn a_regression_is_a_median_slower_than_the_threshold() {
        let slower = measurement("a/b", 110.0, Some(100.0));
        assert!((slower.change_percent().expect("a baseline") - 10.0).abs() < 1e-9);
        assert!(slower.regressed(5.0));
        assert!(!slower.regressed(10.5));
        assert!(!measurement("a/c", 90.0, Some(100.0)).regressed(0.0));
        assert!(!measurement("a/d", 500.0, None).regressed(0.0));
    }

    #[test]
    fn figures_a_day_older_than_the_newest_are_stale() {
        let mut old = measurement("a/old", 1.0, None);
        old.measured_at = Some(1_000_000 - STALE_AFTER_SECONDS - 1);
        let mut unknown = measurement("a/unknown", 1.0, None);
        unknown.measured_at = None;
        let (current, stale) = split_stale(vec![measurement("a/new", 1.0, None), old, unknown]);
        let ids = |ms: &[Measurement]| ms.iter().map(|m| m.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&current), ["a/new", "a/unknown"]);
        assert_eq!(ids(&stale), ["a/old"]);
    }

    #[test]
    fn the_slowest_engine_command_decides_its_target() {
        let results = judge(&[
            measurement("engine/command/pause", 4.0, None),
            measurement("engine/command/end", 12.0, None),
            measurement("engine/command/create", 40.0, None),
        ]);
        let engine = results
            .iter()
            .find(|r| r.target.what.starts_with("engine command"))
            .expect("the engine target");
        assert_eq!(engine.decided_by.as_deref(), Some("engine/command/end"));
        assert_eq!(engine.met, Some(false));
        let spec = results
            .iter()
            .find(|r| r.target.what == "specification step")
            .expect("the specification target");
        assert_eq!(spec.met, None);
    }
}
