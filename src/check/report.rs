//! Reporters: the text a person reads after `drs-lifecycle check`, and JSON for machines.

use std::fmt::Write;

use crate::text::{pad, thousands, width};

use super::run::RunResult;

/// The text report of one configuration.
pub fn text(result: &RunResult) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "== {} — {}", result.file, result.summary);
    if !result.description.is_empty() {
        let _ = writeln!(out, "   {}", result.description);
    }
    let columns = result
        .properties
        .iter()
        .map(|p| width(p.name))
        .max()
        .unwrap_or(10);
    let _ = writeln!(
        out,
        "     {}  {:<10} expected",
        pad("property", columns),
        "verdict"
    );
    for property in &result.properties {
        let _ = writeln!(
            out,
            "   {} {}  {:<10} {}",
            if property.met { "✓" } else { "✗" },
            pad(property.name, columns),
            property.verdict.word(),
            property.expected.word(),
        );
    }
    let pinned = match result.expected_unique_states {
        Some(n) if n == result.unique_states => format!(" (pinned {} ✓)", thousands(n)),
        Some(n) => format!(" (pinned {} ✗)", thousands(n)),
        None => String::new(),
    };
    if let Some(runs) = result.runs {
        let seconds = result.seconds.max(1e-9);
        let _ = writeln!(
            out,
            "   simulation: {} runs · {} states visited · depth {} · {:.2} s · {} runs/s · {} states/s (sampled: nothing verified)",
            thousands(runs),
            thousands(result.states),
            result.max_depth,
            result.seconds,
            thousands((runs as f64 / seconds) as usize),
            thousands((result.states as f64 / seconds) as usize),
        );
    } else {
        states_line(&mut out, result, &pinned);
    }
    if let Some(coverage) = &result.coverage {
        let specified = crate::actors::coverage::specified();
        let applied = specified
            .iter()
            .filter(|pair| coverage.applied.contains(pair))
            .count();
        let _ = writeln!(
            out,
            "   coverage: {applied} of the specification's {} (status, event) rules applied, {} refusals made",
            specified.len(),
            coverage.refused.len()
        );
    }
    for property in &result.properties {
        let Some(cx) = &property.counterexample else {
            continue;
        };
        let _ = writeln!(
            out,
            "   counterexample to {:?} ({}{} step{}):",
            property.name,
            if cx.cycle_start.is_some() {
                "lasso: "
            } else {
                "shortest: "
            },
            cx.length,
            if cx.length == 1 { "" } else { "s" }
        );
        if let Some(stuck) = &cx.stuck {
            let _ = writeln!(
                out,
                "     ({stuck}: the steps from {} on repeat forever, a fair run)",
                cx.cycle_start.unwrap_or(1)
            );
        }
        for step in &cx.steps {
            let marker = if cx.cycle_start == Some(step.number) {
                " ↻"
            } else {
                ""
            };
            let _ = writeln!(out, "     {:>2}. {}{marker}", step.number, step.action);
            for task in &step.tasks {
                let _ = writeln!(
                    out,
                    "         task {} (account {}): {} {}",
                    task.task, task.account, task.zh, task.english
                );
            }
        }
    }
    if result.met {
        let _ = writeln!(out, "   MET: every expectation of this configuration holds");
    } else {
        let _ = writeln!(out, "   NOT MET:");
        for failure in &result.failures {
            let _ = writeln!(out, "     - {failure}");
        }
    }
    out
}

fn states_line(out: &mut String, result: &RunResult, pinned: &str) {
    let _ = writeln!(
        out,
        "   states {} · unique {}{pinned} · depth {} · {:.2} s · {} unique states/s{}",
        thousands(result.states),
        thousands(result.unique_states),
        result.max_depth,
        result.seconds,
        thousands(result.unique_states_per_second as usize),
        if result.complete {
            ""
        } else {
            " · INCOMPLETE (cut short: nothing verified)"
        }
    );
}
