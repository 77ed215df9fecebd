//! Shortest counterexamples.
//!
//! Stateright 0.31's BFS does not keep the first state it finds for an `always` property:
//! every later match overwrites the discovery, so the path it reports can be far longer than
//! needed, and DFS paths are arbitrary. A counterexample is read by a person, so every one
//! this tool shows is the shortest: after the checker has found that a property is violated,
//! a plain breadth-first search from the initial states stops at the first violating state
//! of each such property. Breadth-first order makes its path a shortest one.

use std::collections::{HashMap, VecDeque};

use stateright::Model;

use crate::model::properties::PropertyInfo;
use crate::model::{FleetModel, ModelState};
use crate::spec::Command;

/// A path: the initial state, then each command with the state after it.
#[derive(Clone, Debug)]
pub struct Trace {
    pub init: ModelState,
    pub steps: Vec<(Command, ModelState)>,
}

/// Why no shortest counterexample was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShortestError {
    /// The search visited this many states without finding a violating one.
    Bound(usize),
    /// The search ran out of states: the property holds (the checker disagreed).
    Exhausted,
}

/// The most states the search visits before giving up.
pub const SEARCH_BOUND: usize = 20_000_000;

/// The shortest path to a state violating each property (in the order given).
pub fn shortest_counterexamples(
    model: &FleetModel,
    properties: &[PropertyInfo],
) -> Vec<Result<Trace, ShortestError>> {
    let mut found: Vec<Option<usize>> = vec![None; properties.len()];
    // Every visited state, with its parent and the command that led to it.
    let mut nodes: Vec<(ModelState, Option<(usize, Command)>)> = Vec::new();
    let mut index: HashMap<ModelState, usize> = HashMap::new();
    let mut queue = VecDeque::new();
    for init in model.init_states() {
        if !index.contains_key(&init) {
            index.insert(init.clone(), nodes.len());
            queue.push_back(nodes.len());
            nodes.push((init, None));
        }
    }
    let mut actions = Vec::new();
    let mut exhausted = true;
    while let Some(current) = queue.pop_front() {
        let state = nodes[current].0.clone();
        for (i, info) in properties.iter().enumerate() {
            if found[i].is_none() && !info.holds(model, &state) {
                found[i] = Some(current);
            }
        }
        if found.iter().all(Option::is_some) {
            break;
        }
        if nodes.len() >= SEARCH_BOUND {
            exhausted = false;
            break;
        }
        actions.clear();
        model.actions(&state, &mut actions);
        for &command in &actions {
            if let Some(next) = model.next_state(&state, command)
                && !index.contains_key(&next)
            {
                index.insert(next.clone(), nodes.len());
                queue.push_back(nodes.len());
                nodes.push((next, Some((current, command))));
            }
        }
    }
    found
        .into_iter()
        .map(|hit| match hit {
            Some(node) => Ok(trace_to(&nodes, node)),
            None if exhausted => Err(ShortestError::Exhausted),
            None => Err(ShortestError::Bound(nodes.len())),
        })
        .collect()
}

fn trace_to(nodes: &[(ModelState, Option<(usize, Command)>)], mut node: usize) -> Trace {
    let mut steps = Vec::new();
    while let Some((parent, command)) = nodes[node].1 {
        steps.push((command, nodes[node].0.clone()));
        node = parent;
    }
    steps.reverse();
    Trace {
        init: nodes[node].0.clone(),
        steps,
    }
}
