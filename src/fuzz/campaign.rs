//! A whole fuzzing campaign against any control plane, in one call: what a user puts in
//! their own `cargo test` (see the README's "How to check your control plane").
//!
//! It is the campaign `tests/fuzz.rs` runs through proptest, without proptest (a
//! development dependency of this crate, not a dependency of its users): cases from the
//! [`Generator`] seeded by the settings, each run on a [`Harness`] of the user's
//! implementation beside the specification, and the first failure shrunk to a fixpoint
//! ([`minimize`]) by replaying candidates on a fresh implementation. Reproducible from the
//! seed, bounded by the settings' case count and limits.

use std::fmt;
use std::time::Instant;

use crate::plane::ControlPlane;

use super::case::Case;
use super::entropy::seeded;
use super::generate::Generator;
use super::harness::{Broke, Failure, Harness};
use super::settings::Settings;
use super::shrink::minimize;
use super::summary::Summary;

/// A campaign's failure: the shrunk case, and what it broke at which step.
#[derive(Clone, Debug)]
pub struct Counterexample {
    /// The case, shrunk until no single step can be removed with it still failing.
    pub case: Case,
    /// The failure of the shrunk case.
    pub failure: Failure,
    /// The seed and case number that found it first.
    pub seed: u64,
    /// Which case of the run it was, from 1.
    pub found_in_case: u64,
}

impl fmt::Display for Counterexample {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "case {} of the run with seed {:#x} fails; shrunk to {} steps:",
            self.found_in_case,
            self.seed,
            self.case.commands.len()
        )?;
        for (i, command) in self.case.commands.iter().enumerate() {
            let marker = if i == self.failure.step {
                "  ← fails"
            } else {
                ""
            };
            writeln!(f, "  {:>3}. {command}{marker}", i + 1)?;
        }
        write!(f, "{}", self.failure)
    }
}

impl std::error::Error for Counterexample {}

/// Fuzzes an implementation: `make` builds an empty one for each case (and for each replay
/// while shrinking). Answers the campaign's summary, or its first failure shrunk.
///
/// `N` is the harness capacity: the most tasks a case may create (the settings' limits must
/// not ask for more). The settings' fault, if any, is applied to the specification's side.
/// Each case is generated toward the (state, command) pairs the cases before it left
/// uncovered, refusals included ([`Generator::generate_toward`]).
pub fn fuzz<const N: usize, P: ControlPlane + 'static>(
    make: impl Fn() -> P + Clone + 'static,
    settings: &Settings,
) -> Result<Summary, Box<Counterexample>> {
    let started = Instant::now();
    let generator = Generator::new(settings.limits);
    let mut rng = seeded(settings.seed);
    let mut harness = Harness::<N, P>::with(make.clone(), settings.fault);
    for number in 0..settings.cases {
        let case = generator.generate_toward(&mut rng, Some(harness.coverage()));
        let Err(first) = harness.run(&case) else {
            continue;
        };
        let target = first.property;
        let replay = |candidate: &Case| -> Option<Failure> {
            Harness::<N, P>::with(make.clone(), settings.fault)
                .run(candidate)
                .err()
        };
        let fails = |candidate: &Case| replay(candidate).is_some_and(|f| f.property == target);
        let case = if target == Broke::CaseDoesNotFit {
            case
        } else {
            minimize(case, fails)
        };
        let failure = replay(&case).unwrap_or(first);
        return Err(Box::new(Counterexample {
            case,
            failure,
            seed: settings.seed,
            found_in_case: number + 1,
        }));
    }
    Ok(Summary {
        settings: settings.clone(),
        stats: harness.stats().clone(),
        coverage: harness.coverage().report(generator.exhaustive()),
        corners: harness.corners().clone(),
        regressions: 0,
        elapsed: started.elapsed(),
    })
}
