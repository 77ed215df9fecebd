//! Exhaustive conformance of any implementation: every reachable state of the specification
//! and the implementation in lockstep, every command (allowed or not) in every state, and
//! every claim judged in every state, with the shortest path to each one broken.
//!
//! This is the conformance model the shipped `conformance-*.toml` configurations check, for
//! a user's own [`Exhaustive`] control plane, in one call from their `cargo test`. It walks
//! the explicit state graph breadth first ([`Graph`]), so the first state that breaks a claim
//! is a nearest one and its path a shortest counterexample.

use std::fmt;

use stateright::Model;

use crate::model::claims::{Judged, broken_bits};
use crate::model::{ClaimId, FleetModel};
use crate::plane::Exhaustive;
use crate::spec::{STATUS_COUNT, Status};

use super::graph::{Graph, Node, TooLarge, Trace};

/// What checking an implementation's conformance found.
pub struct Conformance<P: Exhaustive> {
    /// How many distinct states the lockstep reaches.
    pub unique_states: usize,
    /// Each claim some state breaks, with a shortest path to the first such state.
    pub broken: Vec<(ClaimId, Trace<FleetModel<P>>)>,
    /// The statuses no reachable state shows.
    pub unreached: Vec<Status>,
    model: FleetModel<P>,
}

impl<P: Exhaustive> Conformance<P> {
    /// Whether the implementation followed the specification in every reachable state.
    pub fn holds(&self) -> bool {
        self.broken.is_empty()
    }
}

impl<P: Exhaustive> fmt::Display for Conformance<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} unique states of the specification and the implementation in lockstep",
            self.unique_states
        )?;
        if self.broken.is_empty() {
            writeln!(f, "every claim holds")?;
        }
        for (claim, trace) in &self.broken {
            writeln!(
                f,
                "\"{claim}\" broken, shortest counterexample ({} steps):",
                trace.steps.len()
            )?;
            for (i, (command, state)) in trace.steps.iter().enumerate() {
                writeln!(f, "  {:>2}. {}", i + 1, self.model.format_action(command))?;
                for line in format!("{state:?}").lines() {
                    writeln!(f, "        {line}")?;
                }
            }
        }
        Ok(())
    }
}

impl<P: Exhaustive> fmt::Debug for Conformance<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Checks an implementation's conformance model (built with
/// [`FleetModel::conformance_of`]), holding at most `bound` states.
pub fn conformance<P: Exhaustive>(
    model: &FleetModel<P>,
    bound: usize,
) -> Result<Conformance<P>, TooLarge> {
    let fault = model.fault();
    let mut first: Vec<Option<Node>> = vec![None; crate::model::claims::CLAIM_COUNT];
    let mut shown = 0u32;
    let graph = Graph::explore(model, bound, false, |node, state| {
        let broken = broken_bits(&Judged::of(&state.world, fault), true);
        for (i, slot) in first.iter_mut().enumerate() {
            if slot.is_none() && broken & 1 << i != 0 {
                *slot = Some(node);
            }
        }
        for slot in state.world.fleet.slots() {
            shown |= 1 << slot.task.status.index();
        }
        false
    })?;
    let broken = crate::model::claims::all()
        .zip(first)
        .filter_map(|(claim, node)| node.map(|node| (claim, graph.path_to(node))))
        .collect();
    let unreached = Status::ALL
        .into_iter()
        .filter(|status| shown & 1 << status.index() == 0)
        .collect();
    const _: () = assert!(STATUS_COUNT <= 32);
    Ok(Conformance {
        unique_states: graph.len(),
        broken,
        unreached,
        model: model.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Fleet;
    use crate::spec::Mode;

    #[test]
    fn the_reference_engine_conforms_through_the_generic_check() {
        let model = FleetModel::<Fleet>::conformance_of(1, 1, &Mode::ALL).expect("in range");
        let result = conformance(&model, 100_000).expect("small");
        assert!(result.holds(), "{result}");
        // The same count as models/conformance-1x1.toml pins.
        assert_eq!(result.unique_states, 122);
        assert!(result.unreached.is_empty());
    }
}
