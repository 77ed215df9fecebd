//! The explicit state graph: every reachable state in breadth-first order, each with the
//! step that first reached it, and (for liveness) every edge.
//!
//! One graph serves both searches that need more than stateright gives:
//!
//! - **shortest counterexamples**: stateright 0.31's BFS does not keep the first state it
//!   finds for an `always` property (a later match overwrites the discovery) and DFS paths
//!   are arbitrary; a counterexample is read by a person, so every one this tool shows is
//!   the shortest. States are numbered in breadth-first order, so the lowest-numbered state
//!   that breaks a claim is a nearest one, and following the first steps back gives a
//!   shortest path to it;
//! - **liveness**, which needs every edge ([`super::liveness`]).
//!
//! A configuration with liveness on explores its states once here, after the checker: the
//! graph is built with edges, and the counterexamples are read from the same graph. Without
//! liveness the search keeps no edges and stops at the first state that breaks the last of
//! the claims it looks for.

use std::collections::{HashMap, VecDeque};

use stateright::Model;

use crate::model::faults::FaultyEngine;
use crate::model::{FleetModel, ModelState};
use crate::plane::Exhaustive;
use crate::spec::Command;

/// A state's number in the graph (breadth-first order).
pub type Node = u32;

/// A path: the initial state, then each command with the state after it.
#[derive(Clone)]
pub struct Trace<P = FaultyEngine> {
    /// The initial state.
    pub init: ModelState<P>,
    /// Each command taken, with the state after it.
    pub steps: Vec<(Command, ModelState<P>)>,
}

impl<P: crate::plane::ControlPlane> std::fmt::Debug for Trace<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Trace")
            .field("init", &self.init)
            .field("steps", &self.steps)
            .finish()
    }
}

/// The reachable states (or a breadth-first prefix of them).
pub struct Graph<P = FaultyEngine> {
    /// The states, indexed by [`Node`] in breadth-first order.
    pub states: Vec<ModelState<P>>,
    /// The step that first reached each state (none for initial states).
    pub parent: Vec<Option<(Node, Command)>>,
    /// Every edge out of each state, when built with edges.
    pub edges: Vec<Vec<(Node, Command)>>,
    /// Whether every reachable state is in the graph.
    pub complete: bool,
}

/// Why the graph could not be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TooLarge(pub usize);

impl<P: Exhaustive> Graph<P> {
    /// Explores the model breadth first, holding at most `bound` states. With `edges`,
    /// every edge is kept. `enough` is asked of each state as it is expanded (in order);
    /// when it answers true the search stops there, leaving the graph incomplete.
    pub fn explore(
        model: &FleetModel<P>,
        bound: usize,
        edges: bool,
        mut enough: impl FnMut(Node, &ModelState<P>) -> bool,
    ) -> Result<Graph<P>, TooLarge> {
        let mut graph = Graph {
            states: Vec::new(),
            parent: Vec::new(),
            edges: Vec::new(),
            complete: false,
        };
        let mut index: HashMap<ModelState<P>, Node> = HashMap::new();
        let mut queue = VecDeque::new();
        for init in model.init_states() {
            if !index.contains_key(&init) {
                index.insert(init.clone(), graph.states.len() as Node);
                queue.push_back(graph.states.len() as Node);
                graph.states.push(init);
                graph.parent.push(None);
            }
        }
        let mut actions = Vec::new();
        while let Some(current) = queue.pop_front() {
            let state = graph.states[current as usize].clone();
            if enough(current, &state) {
                return Ok(graph);
            }
            actions.clear();
            model.actions(&state, &mut actions);
            let mut out = Vec::new();
            for &command in &actions {
                let Some(next) = model.next_state(&state, command) else {
                    continue;
                };
                let target = match index.get(&next) {
                    Some(&target) => target,
                    None => {
                        if graph.states.len() >= bound {
                            return Err(TooLarge(bound));
                        }
                        let target = graph.states.len() as Node;
                        index.insert(next.clone(), target);
                        graph.states.push(next);
                        graph.parent.push(Some((current, command)));
                        queue.push_back(target);
                        target
                    }
                };
                if edges {
                    out.push((target, command));
                }
            }
            if edges {
                graph.edges.push(out);
            }
        }
        graph.complete = true;
        Ok(graph)
    }

    /// How many states it holds.
    pub fn len(&self) -> usize {
        self.states.len()
    }

    /// Whether it holds no state.
    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }

    /// The first steps from an initial state to `node`: a shortest path.
    pub fn path_to(&self, mut node: Node) -> Trace<P> {
        let mut steps = Vec::new();
        while let Some((parent, command)) = self.parent[node as usize] {
            steps.push((command, self.states[node as usize].clone()));
            node = parent;
        }
        steps.reverse();
        Trace {
            init: self.states[node as usize].clone(),
            steps,
        }
    }
}
