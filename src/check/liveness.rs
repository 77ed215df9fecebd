//! Liveness under weak fairness of system events, checked on the explicit state graph.
//!
//! Stateright's `eventually` judges only paths that end in a state without successors; the
//! lifecycle cycles (pause and resume, freeze and recharge, retry), so `eventually` would
//! report success that proves nothing. This module checks liveness properly, for models
//! small enough to hold their whole state graph:
//!
//! 1. Explore every reachable state and every edge, breadth first ([`super::graph`]; the
//!    same graph gives the shortest counterexamples of the safety claims).
//! 2. For a claim "task *t* eventually leaves region *R*" (for example "t is Starting"; the
//!    regions are the claim's, see [`crate::model::claims::Region`]), find the strongly connected components of the graph restricted to *R*.
//! 3. A component is a counterexample when a run can stay in it forever *fairly*: under weak
//!    fairness every system event that is enabled in every state of the component must be
//!    taken on some edge inside it (otherwise the service, which always reports eventually,
//!    would take it and leave). User operations and billing are not fair: a user may never
//!    resume, an account may stay in arrears. For weak fairness this test on the whole
//!    component is exact: a run that tours the component visits every state (so a command
//!    disabled somewhere is not continuously enabled) and takes every internal edge.
//! 4. A state without any successor inside the region is a counterexample too (the run
//!    stops there).
//!
//! The counterexample is a lasso: the shortest path from the initial state into the
//! component, then a shortest cycle inside it back to its entry.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

use stateright::Model;

use crate::model::FleetModel;
use crate::model::claims::Region;
use crate::spec::{Command, Source, TaskSpec};

use super::graph::{Graph, Node, OUTSIDE, Trace};

/// The most states a liveness check holds in memory.
pub const LIVENESS_BOUND: usize = 2_000_000;

/// A lasso-shaped counterexample.
pub struct Lasso<M: Model = FleetModel> {
    /// The path into the component that a fair run can stay in forever.
    pub prefix: Trace<M>,
    /// The cycle inside the component, ending where it started.
    pub cycle: Vec<(M::Action, M::State)>,
    /// Which task is stuck, and where.
    pub stuck: String,
}

/// Whether weak fairness covers a command of the lifecycle models: the system's events only.
pub fn is_fair_event(command: &Command) -> bool {
    matches!(command, Command::Task { event, .. } if event.source() == Source::System)
}

/// Tarjan's algorithm, iterative, over the states where `inside` holds and that `seeds`
/// reach inside the region.
fn components<A>(edges: &[Vec<(Node, A)>], inside: &[bool], seeds: &[Node]) -> Vec<Vec<Node>> {
    let n = edges.len();
    // States reachable from the seeds without leaving the region.
    let mut reached = vec![false; n];
    let mut queue: VecDeque<Node> = seeds
        .iter()
        .copied()
        .filter(|&s| inside[s as usize])
        .collect();
    for &s in &queue {
        reached[s as usize] = true;
    }
    while let Some(s) = queue.pop_front() {
        for &(t, _) in &edges[s as usize] {
            if t != OUTSIDE && inside[t as usize] && !reached[t as usize] {
                reached[t as usize] = true;
                queue.push_back(t);
            }
        }
    }
    const NONE: Node = Node::MAX;
    let mut index = vec![NONE; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut result = Vec::new();
    let mut counter = 0u32;
    for root in 0..n as Node {
        if !reached[root as usize] || index[root as usize] != NONE {
            continue;
        }
        let mut call: Vec<(Node, usize)> = vec![(root, 0)];
        index[root as usize] = counter;
        low[root as usize] = counter;
        counter += 1;
        stack.push(root);
        on_stack[root as usize] = true;
        while let Some(&mut (v, ref mut next_edge)) = call.last_mut() {
            let out = &edges[v as usize];
            if *next_edge < out.len() {
                let (w, _) = out[*next_edge];
                *next_edge += 1;
                if w == OUTSIDE || !reached[w as usize] {
                    continue;
                }
                if index[w as usize] == NONE {
                    index[w as usize] = counter;
                    low[w as usize] = counter;
                    counter += 1;
                    stack.push(w);
                    on_stack[w as usize] = true;
                    call.push((w, 0));
                } else if on_stack[w as usize] {
                    low[v as usize] = low[v as usize].min(index[w as usize]);
                }
            } else {
                call.pop();
                if let Some(&(parent, _)) = call.last() {
                    low[parent as usize] = low[parent as usize].min(low[v as usize]);
                }
                if low[v as usize] == index[v as usize] {
                    let mut component = Vec::new();
                    while let Some(w) = stack.pop() {
                        on_stack[w as usize] = false;
                        component.push(w);
                        if w == v {
                            break;
                        }
                    }
                    result.push(component);
                }
            }
        }
    }
    result
}

/// The first (closest to the initial state) component a run can fairly stay in forever,
/// with the fair steps enabled throughout it.
fn fair_trap<A: PartialEq + Clone>(
    edges: &[Vec<(Node, A)>],
    inside: &[bool],
    seeds: &[Node],
    is_fair: &impl Fn(&A) -> bool,
) -> Option<(Node, Vec<Node>, Vec<A>)> {
    let mut best: Option<(Node, Vec<Node>, Vec<A>)> = None;
    // One membership map for every component, set and cleared per component: most
    // components are single states, and a map per component would cost the whole graph
    // each time (quadratic in the states).
    let mut member = vec![false; edges.len()];
    for component in components(edges, inside, seeds) {
        for &s in &component {
            member[s as usize] = true;
        }
        let verdict = trap_of(edges, &member, &component, is_fair);
        for &s in &component {
            member[s as usize] = false;
        }
        let Some(always_enabled) = verdict else {
            continue;
        };
        let entry = *component.iter().min().unwrap_or(&component[0]);
        if best.as_ref().is_none_or(|(e, _, _)| entry < *e) {
            best = Some((entry, component, always_enabled));
        }
    }
    best
}

/// Whether a run can fairly stay in `component` (its states marked in `member`) forever:
/// the fair steps enabled throughout it if so.
fn trap_of<A: PartialEq + Clone>(
    edges: &[Vec<(Node, A)>],
    member: &[bool],
    component: &[Node],
    is_fair: &impl Fn(&A) -> bool,
) -> Option<Vec<A>> {
    let internal = |s: Node| {
        edges[s as usize]
            .iter()
            .filter(move |(t, _)| *t != OUTSIDE && member[*t as usize])
    };
    let cyclic = component.len() > 1 || internal(component[0]).next().is_some();
    // A state with no successor at all ends every run through it: the task stays.
    let dead_end = component.len() == 1 && edges[component[0] as usize].is_empty();
    if !cyclic && !dead_end {
        return None;
    }
    // Weak fairness: a fair step enabled in every state must be taken inside.
    let first = component[0] as usize;
    let mut always_enabled: Vec<A> = Vec::new();
    for (_, c) in &edges[first] {
        if is_fair(c)
            && !always_enabled.contains(c)
            && component
                .iter()
                .all(|&s| edges[s as usize].iter().any(|(_, d)| d == c))
        {
            always_enabled.push(c.clone());
        }
    }
    let fair = always_enabled
        .iter()
        .all(|c| component.iter().any(|&s| internal(s).any(|(_, d)| d == c)));
    if !fair && !dead_end {
        return None;
    }
    Some(always_enabled)
}

/// The shortest path inside the component from `from` to `to` (empty when equal).
fn path_inside<A: Clone>(
    edges: &[Vec<(Node, A)>],
    member: &[bool],
    from: Node,
    to: Node,
) -> Vec<(A, Node)> {
    if from == to {
        return Vec::new();
    }
    let mut parent: HashMap<Node, (Node, A)> = HashMap::new();
    let mut queue = VecDeque::from([from]);
    while let Some(s) = queue.pop_front() {
        for (t, action) in &edges[s as usize] {
            let t = *t;
            if t == OUTSIDE || !member[t as usize] || t == from || parent.contains_key(&t) {
                continue;
            }
            parent.insert(t, (s, action.clone()));
            if t == to {
                let mut steps = Vec::new();
                let mut node = to;
                while node != from {
                    let (prev, action) = parent[&node].clone();
                    steps.push((action, node));
                    node = prev;
                }
                steps.reverse();
                return steps;
            }
            queue.push_back(t);
        }
    }
    Vec::new()
}

/// A cycle from `entry` back to `entry` that is itself fair: it visits every state of the
/// component (so every step disabled somewhere in it is disabled somewhere on the cycle)
/// and takes an edge of every fair step enabled throughout (so none is continuously
/// enabled and never taken). For a one-state component it is the self-loop.
fn fair_cycle<M: Model>(
    graph: &Graph<M>,
    component: &[Node],
    entry: Node,
    required: &[M::Action],
) -> Vec<(M::Action, M::State)>
where
    M::Action: PartialEq + Clone,
    M::State: Clone,
{
    let edges = &graph.edges;
    let mut member = vec![false; graph.states.len()];
    for &s in component {
        member[s as usize] = true;
    }
    let mut tour: Vec<(M::Action, Node)> = Vec::new();
    let mut current = entry;
    let mut sorted = component.to_vec();
    sorted.sort_unstable();
    for &target in &sorted {
        tour.extend(path_inside(edges, &member, current, target));
        current = target;
    }
    for action in required {
        let edge = component.iter().find_map(|&s| {
            edges[s as usize]
                .iter()
                .find(|(t, c)| c == action && *t != OUTSIDE && member[*t as usize])
                .map(|&(t, _)| (s, t))
        });
        if let Some((from, to)) = edge {
            tour.extend(path_inside(edges, &member, current, from));
            tour.push((action.clone(), to));
            current = to;
        }
    }
    if current != entry {
        tour.extend(path_inside(edges, &member, current, entry));
    } else if tour.is_empty() {
        // A one-state cycle: its self-loop.
        if let Some((t, action)) = edges[entry as usize].iter().find(|(t, _)| *t == entry) {
            tour.push((action.clone(), *t));
        }
    }
    tour.into_iter()
        .map(|(action, s)| (action, graph.states[s as usize].clone()))
        .collect()
}

/// Judges a liveness claim on a complete graph of the lifecycle models: the first task (by
/// slot) and region (by key) that a fair run can stay in forever, as a lasso; `None` when
/// the claim holds. System events are fair; user operations and billing are not.
pub fn judge(model: &FleetModel, graph: &Graph<FleetModel>, region: Region) -> Option<Lasso> {
    judge_tasks(
        graph,
        model.tasks(),
        region,
        |state, task| state.world.fleet.slots().get(task).map(|slot| slot.task),
        &is_fair_event,
    )
}

/// Judges a liveness claim on a complete graph of any model whose states hold tasks:
/// `task_of` reads a task slot's specification state, `is_fair` says which steps weak
/// fairness covers.
pub fn judge_tasks<M: Model>(
    graph: &Graph<M>,
    tasks: usize,
    region: Region,
    task_of: impl Fn(&M::State, usize) -> Option<TaskSpec>,
    is_fair: &impl Fn(&M::Action) -> bool,
) -> Option<Lasso<M>>
where
    M::Action: PartialEq + Clone,
    M::State: Hash + Eq + Clone,
{
    let n = graph.states.len();
    let task_of = |s: usize, task: usize| task_of(&graph.states[s], task);
    for task in 0..tasks {
        let keys: Vec<Option<u8>> = (0..n)
            .map(|s| task_of(s, task).and_then(|t| (region.key)(&t)))
            .collect();
        let mut distinct: Vec<u8> = keys.iter().flatten().copied().collect();
        distinct.sort_unstable();
        distinct.dedup();
        for key in distinct {
            let inside: Vec<bool> = keys.iter().map(|k| *k == Some(key)).collect();
            let seeds: Vec<Node> = (0..n)
                .filter(|&s| inside[s] && task_of(s, task).is_some_and(|t| (region.from)(&t)))
                .map(|s| s as Node)
                .collect();
            if let Some((entry, component, required)) =
                fair_trap(&graph.edges, &inside, &seeds, is_fair)
            {
                let stuck = task_of(entry as usize, task)
                    .map(|t| format!("task {} {}", task + 1, (region.stuck)(&t)))
                    .unwrap_or_default();
                return Some(Lasso {
                    prefix: graph.path_to(entry),
                    cycle: fair_cycle(graph, &component, entry, &required),
                    stuck,
                });
            }
        }
    }
    None
}
