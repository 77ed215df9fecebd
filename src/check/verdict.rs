//! What a claim turned out to be, and what a configuration expects it to be.

use serde::Serialize;

/// What a property turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// A safety, conformance or liveness claim holds: in every reachable state, or on every
    /// fair run.
    Holds,
    /// A safety, conformance or liveness claim is broken by some run.
    Violated,
    /// Some reachable state shows the status of a reachability claim.
    Reached,
    /// No reachable state shows it (the search was complete).
    Unreached,
    /// The run was cut short before this property's verdict was known (or, for a
    /// reachability claim in a simulation, no run reached the status).
    Unknown,
    /// A simulation's runs found no state that breaks the claim: evidence over the states
    /// the runs visited, not a proof over every reachable state.
    Unbroken,
}

impl Verdict {
    /// The word reports and configurations use.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Holds => "holds",
            Verdict::Violated => "violated",
            Verdict::Reached => "reached",
            Verdict::Unreached => "unreached",
            Verdict::Unknown => "unknown",
            Verdict::Unbroken => "not broken",
        }
    }
}
