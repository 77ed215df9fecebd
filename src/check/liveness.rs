//! Liveness under weak fairness of system events, checked on the explicit state graph.
//!
//! Stateright's `eventually` judges only paths that end in a state without successors; the
//! lifecycle cycles (pause and resume, freeze and recharge, retry), so `eventually` would
//! report success that proves nothing. This module checks liveness properly, for models
//! small enough to hold their whole state graph:
//!
//! 1. Explore every reachable state and every edge, breadth first.
//! 2. For a claim "task *t* eventually leaves region *R*" (for example "t is Starting"),
//!    find the strongly connected components of the graph restricted to *R*.
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

use stateright::Model;

use crate::model::{FleetModel, ModelState};
use crate::spec::{Command, Source, Status};

/// The liveness claims of the brief.
pub const LEAVES_TRANSIENT: &str = "every transient status is eventually left";
pub const END_REQUESTED_ENDS: &str =
    "every EndRequested task eventually reaches Ended or EndFailed";

/// Every liveness property name.
pub const LIVENESS: [&str; 2] = [LEAVES_TRANSIENT, END_REQUESTED_ENDS];

/// The most states a liveness check holds in memory.
pub const LIVENESS_BOUND: usize = 2_000_000;

/// A lasso-shaped counterexample.
#[derive(Clone, Debug)]
pub struct Lasso {
    pub init: ModelState,
    /// The path into the component.
    pub prefix: Vec<(Command, ModelState)>,
    /// The cycle inside the component, ending where it started.
    pub cycle: Vec<(Command, ModelState)>,
    /// Which task is stuck, and where.
    pub stuck: String,
}

/// The verdict of one liveness property.
#[derive(Clone, Debug)]
pub struct LivenessResult {
    pub name: &'static str,
    pub counterexample: Option<Lasso>,
}

/// Why liveness could not be checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TooLarge(pub usize);

struct Graph {
    states: Vec<ModelState>,
    parent: Vec<Option<(u32, Command)>>,
    edges: Vec<Vec<(u32, Command)>>,
}

fn explore(model: &FleetModel, bound: usize) -> Result<Graph, TooLarge> {
    let mut graph = Graph {
        states: Vec::new(),
        parent: Vec::new(),
        edges: Vec::new(),
    };
    let mut index: HashMap<ModelState, u32> = HashMap::new();
    let mut queue = VecDeque::new();
    for init in model.init_states() {
        if !index.contains_key(&init) {
            index.insert(init.clone(), graph.states.len() as u32);
            queue.push_back(graph.states.len() as u32);
            graph.states.push(init);
            graph.parent.push(None);
        }
    }
    let mut actions = Vec::new();
    while let Some(current) = queue.pop_front() {
        let state = graph.states[current as usize].clone();
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
                    let target = graph.states.len() as u32;
                    index.insert(next.clone(), target);
                    graph.states.push(next);
                    graph.parent.push(Some((current, command)));
                    queue.push_back(target);
                    target
                }
            };
            out.push((target, command));
        }
        graph.edges.push(out);
    }
    Ok(graph)
}

fn is_fair_event(command: &Command) -> bool {
    matches!(command, Command::Task { event, .. } if event.source() == Source::System)
}

/// Tarjan's algorithm, iterative, over the states where `inside` holds and that `seeds`
/// reach inside the region.
fn components(graph: &Graph, inside: &[bool], seeds: &[u32]) -> Vec<Vec<u32>> {
    let n = graph.states.len();
    // States reachable from the seeds without leaving the region.
    let mut reached = vec![false; n];
    let mut queue: VecDeque<u32> = seeds
        .iter()
        .copied()
        .filter(|&s| inside[s as usize])
        .collect();
    for &s in &queue {
        reached[s as usize] = true;
    }
    while let Some(s) = queue.pop_front() {
        for &(t, _) in &graph.edges[s as usize] {
            if inside[t as usize] && !reached[t as usize] {
                reached[t as usize] = true;
                queue.push_back(t);
            }
        }
    }
    const NONE: u32 = u32::MAX;
    let mut index = vec![NONE; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut result = Vec::new();
    let mut counter = 0u32;
    for root in 0..n as u32 {
        if !reached[root as usize] || index[root as usize] != NONE {
            continue;
        }
        let mut call: Vec<(u32, usize)> = vec![(root, 0)];
        index[root as usize] = counter;
        low[root as usize] = counter;
        counter += 1;
        stack.push(root);
        on_stack[root as usize] = true;
        while let Some(&mut (v, ref mut next_edge)) = call.last_mut() {
            let edges = &graph.edges[v as usize];
            if *next_edge < edges.len() {
                let (w, _) = edges[*next_edge];
                *next_edge += 1;
                if !reached[w as usize] {
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

/// The first (closest to the initial state) component a run can fairly stay in forever.
fn fair_trap(
    graph: &Graph,
    inside: &[bool],
    seeds: &[u32],
) -> Option<(u32, Vec<u32>, Vec<Command>)> {
    let mut best: Option<(u32, Vec<u32>, Vec<Command>)> = None;
    for component in components(graph, inside, seeds) {
        let mut member = vec![false; graph.states.len()];
        for &s in &component {
            member[s as usize] = true;
        }
        let member = &member;
        let internal = |s: u32| {
            graph.edges[s as usize]
                .iter()
                .filter(move |(t, _)| member[*t as usize])
        };
        let cyclic = component.len() > 1 || internal(component[0]).next().is_some();
        // A state with no successor at all ends every run through it: the task stays.
        let dead_end = component.len() == 1 && graph.edges[component[0] as usize].is_empty();
        if !cyclic && !dead_end {
            continue;
        }
        // Weak fairness: a system event enabled in every state must be taken inside.
        let first = component[0] as usize;
        let always_enabled: Vec<Command> = graph.edges[first]
            .iter()
            .filter(|(_, c)| is_fair_event(c))
            .map(|(_, c)| *c)
            .filter(|c| {
                component
                    .iter()
                    .all(|&s| graph.edges[s as usize].iter().any(|(_, d)| d == c))
            })
            .collect();
        let fair = always_enabled
            .iter()
            .all(|c| component.iter().any(|&s| internal(s).any(|(_, d)| d == c)));
        if !fair && !dead_end {
            continue;
        }
        let entry = *component.iter().min().unwrap_or(&component[0]);
        if best.as_ref().is_none_or(|(e, _, _)| entry < *e) {
            best = Some((entry, component, always_enabled));
        }
    }
    best
}

fn path_to(graph: &Graph, mut node: u32) -> (ModelState, Vec<(Command, ModelState)>) {
    let mut steps = Vec::new();
    while let Some((parent, command)) = graph.parent[node as usize] {
        steps.push((command, graph.states[node as usize].clone()));
        node = parent;
    }
    steps.reverse();
    (graph.states[node as usize].clone(), steps)
}

/// The shortest path inside the component from `from` to `to` (empty when equal).
fn path_inside(graph: &Graph, member: &[bool], from: u32, to: u32) -> Vec<(Command, u32)> {
    if from == to {
        return Vec::new();
    }
    let mut parent: HashMap<u32, (u32, Command)> = HashMap::new();
    let mut queue = VecDeque::from([from]);
    while let Some(s) = queue.pop_front() {
        for &(t, command) in &graph.edges[s as usize] {
            if !member[t as usize] || t == from || parent.contains_key(&t) {
                continue;
            }
            parent.insert(t, (s, command));
            if t == to {
                let mut steps = Vec::new();
                let mut node = to;
                while node != from {
                    let (prev, command) = parent[&node];
                    steps.push((command, node));
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
/// component (so every command disabled somewhere in it is disabled somewhere on the
/// cycle) and takes an edge of every system event enabled throughout (so none is
/// continuously enabled and never taken). For a one-state component it is the self-loop.
fn fair_cycle(
    graph: &Graph,
    component: &[u32],
    entry: u32,
    required: &[Command],
) -> Vec<(Command, ModelState)> {
    let mut member = vec![false; graph.states.len()];
    for &s in component {
        member[s as usize] = true;
    }
    let mut tour: Vec<(Command, u32)> = Vec::new();
    let mut current = entry;
    let mut sorted = component.to_vec();
    sorted.sort_unstable();
    for &target in &sorted {
        tour.extend(path_inside(graph, &member, current, target));
        current = target;
    }
    for &command in required {
        let edge = component.iter().find_map(|&s| {
            graph.edges[s as usize]
                .iter()
                .find(|(t, c)| *c == command && member[*t as usize])
                .map(|&(t, _)| (s, t))
        });
        if let Some((from, to)) = edge {
            tour.extend(path_inside(graph, &member, current, from));
            tour.push((command, to));
            current = to;
        }
    }
    if current != entry {
        tour.extend(path_inside(graph, &member, current, entry));
    } else if tour.is_empty() {
        // A one-state cycle: its self-loop.
        if let Some(&(t, command)) = graph.edges[entry as usize]
            .iter()
            .find(|(t, _)| *t == entry)
        {
            tour.push((command, t));
        }
    }
    tour.into_iter()
        .map(|(command, s)| (command, graph.states[s as usize].clone()))
        .collect()
}

/// Checks both liveness claims on a model.
pub fn check_liveness(model: &FleetModel, bound: usize) -> Result<Vec<LivenessResult>, TooLarge> {
    let graph = explore(model, bound)?;
    let n = graph.states.len();
    let status_of = |s: usize, task: usize| {
        graph.states[s]
            .world
            .fleet
            .slots()
            .get(task)
            .map(|slot| slot.task.status)
    };
    // A release that fails while the account is in arrears lands on EndFailed and freezes at
    // once: the task did reach EndFailed (it is frozen there), so the goal reads the status
    // a frozen task remembers.
    let effective_of = |s: usize, task: usize| {
        graph.states[s]
            .world
            .fleet
            .slots()
            .get(task)
            .map(|slot| slot.task.effective_status())
    };
    let all: Vec<u32> = (0..n as u32).collect();

    let mut leaves = None;
    'transient: for task in 0..model.tasks {
        for status in Status::ALL.into_iter().filter(|s| s.is_transient()) {
            let inside: Vec<bool> = (0..n).map(|s| status_of(s, task) == Some(status)).collect();
            if let Some((entry, component, required)) = fair_trap(&graph, &inside, &all) {
                leaves = Some(lasso(
                    &graph,
                    entry,
                    &component,
                    &required,
                    format!(
                        "task {} stays {} {}",
                        task + 1,
                        status.zh(),
                        status.english()
                    ),
                ));
                break 'transient;
            }
        }
    }

    let mut ends = None;
    for task in 0..model.tasks {
        let inside: Vec<bool> = (0..n)
            .map(|s| {
                effective_of(s, task)
                    .is_some_and(|st| !matches!(st, Status::Ended | Status::EndFailed))
            })
            .collect();
        let seeds: Vec<u32> = (0..n as u32)
            .filter(|&s| status_of(s as usize, task) == Some(Status::EndRequested))
            .collect();
        if let Some((entry, component, required)) = fair_trap(&graph, &inside, &seeds) {
            ends = Some(lasso(
                &graph,
                entry,
                &component,
                &required,
                format!(
                    "task {} never reaches 已结束 Ended or 结束任务失败 EndFailed",
                    task + 1
                ),
            ));
            break;
        }
    }
    Ok(vec![
        LivenessResult {
            name: LEAVES_TRANSIENT,
            counterexample: leaves,
        },
        LivenessResult {
            name: END_REQUESTED_ENDS,
            counterexample: ends,
        },
    ])
}

fn lasso(
    graph: &Graph,
    entry: u32,
    component: &[u32],
    required: &[Command],
    stuck: String,
) -> Lasso {
    let (init, prefix) = path_to(graph, entry);
    Lasso {
        init,
        prefix,
        cycle: fair_cycle(graph, component, entry, required),
        stuck,
    }
}
