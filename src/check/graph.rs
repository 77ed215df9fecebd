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
//! States are told apart as stateright's checkers tell them apart: by a 64-bit hash of the
//! whole state (aHash with fixed seeds, the hasher stateright's checkers use), so the
//! graph's index holds a number per state rather than a second copy of it, and a state is
//! hashed once per edge instead of hashed and then compared.
//!
//! A configuration with liveness on explores its states once here, after the checker: the
//! graph is built with edges, and the counterexamples are read from the same graph. Without
//! liveness the search keeps no edges and stops at the first state that breaks the last of
//! the claims it looks for.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

use stateright::Model;

use crate::model::state::fingerprint;

/// A state's number in the graph (breadth-first order).
pub type Node = u32;

/// Where an edge leads when its target is outside the model's boundary (a bound of the
/// actor model: messages in flight, attempts, restarts). Liveness counts such a step as
/// enabled and as leaving every region: a run that reaches a bound is not judged.
pub const OUTSIDE: Node = Node::MAX;

/// A path: the initial state, then each step with the state after it.
pub struct Trace<M: Model> {
    /// The initial state.
    pub init: M::State,
    /// Each step taken, with the state after it.
    pub steps: Vec<(M::Action, M::State)>,
}

impl<M: Model> Clone for Trace<M>
where
    M::State: Clone,
    M::Action: Clone,
{
    fn clone(&self) -> Self {
        Trace {
            init: self.init.clone(),
            steps: self.steps.clone(),
        }
    }
}

impl<M: Model> std::fmt::Debug for Trace<M>
where
    M::State: std::fmt::Debug,
    M::Action: std::fmt::Debug,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Trace")
            .field("init", &self.init)
            .field("steps", &self.steps)
            .finish()
    }
}

/// The reachable states (or a breadth-first prefix of them) of any stateright model: the
/// lifecycle models and the actor model alike.
pub struct Graph<M: Model> {
    /// The states, indexed by [`Node`] in breadth-first order.
    pub states: Vec<M::State>,
    /// The step that first reached each state (none for initial states).
    pub parent: Vec<Option<(Node, M::Action)>>,
    /// Every edge out of each state, when built with edges.
    pub edges: Vec<Vec<(Node, M::Action)>>,
    /// Whether every reachable state is in the graph.
    pub complete: bool,
}

/// Why the graph could not be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TooLarge(pub usize);

impl<M: Model> Graph<M>
where
    M::State: Hash + Eq + Clone,
    M::Action: Clone,
{
    /// Explores the model breadth first, holding at most `bound` states (states outside
    /// the model's boundary are not explored, as stateright's checkers skip them). With
    /// `edges`, every edge is kept. `enough` is asked of each state as it is expanded (in
    /// order); when it answers true the search stops there, leaving the graph incomplete.
    pub fn explore(
        model: &M,
        bound: usize,
        edges: bool,
        mut enough: impl FnMut(Node, &M::State) -> bool,
    ) -> Result<Graph<M>, TooLarge> {
        let mut graph: Graph<M> = Graph {
            states: Vec::new(),
            parent: Vec::new(),
            edges: Vec::new(),
            complete: false,
        };
        let mut index: HashMap<u64, Node, rustc_hash::FxBuildHasher> = HashMap::default();
        let mut queue = VecDeque::new();
        for init in model.init_states() {
            let key = fingerprint(&init);
            if model.within_boundary(&init) && !index.contains_key(&key) {
                index.insert(key, graph.states.len() as Node);
                queue.push_back(graph.states.len() as Node);
                graph.states.push(init);
                graph.parent.push(None);
            }
        }
        let mut actions = Vec::new();
        while let Some(current) = queue.pop_front() {
            let state: M::State = graph.states[current as usize].clone();
            if enough(current, &state) {
                return Ok(graph);
            }
            actions.clear();
            model.actions(&state, &mut actions);
            let mut out = Vec::new();
            for action in &actions {
                let Some(next) = model.next_state(&state, action.clone()) else {
                    continue;
                };
                if !model.within_boundary(&next) {
                    if edges {
                        out.push((OUTSIDE, action.clone()));
                    }
                    continue;
                }
                let key = fingerprint(&next);
                let target = match index.get(&key) {
                    Some(&target) => target,
                    None => {
                        if graph.states.len() >= bound {
                            return Err(TooLarge(bound));
                        }
                        let target = graph.states.len() as Node;
                        index.insert(key, target);
                        graph.states.push(next);
                        graph.parent.push(Some((current, action.clone())));
                        queue.push_back(target);
                        target
                    }
                };
                if edges {
                    out.push((target, action.clone()));
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
    pub fn path_to(&self, mut node: Node) -> Trace<M> {
        let mut steps = Vec::new();
        while let Some((parent, action)) = &self.parent[node as usize] {
            steps.push((action.clone(), self.states[node as usize].clone()));
            node = *parent;
        }
        steps.reverse();
        Trace {
            init: self.states[node as usize].clone(),
            steps,
        }
    }
}
