//! One job's reconstructed run as an ITF trace (the Informal Trace Format of Apalache and
//! Quint), so that a recorded history can be replayed, animated or checked by their tools.
//!
//! The trace is a run of the specification that explains the job's records *as recorded*:
//! every step is one step of the specification's transition function, every poll shows the
//! observation of the state at that point, every recorded accepted command is applied as
//! its own event once (at the point it was sent or later, as the service applies commands
//! late) unless no run applies it, a refused command meets a state that refuses it, and a
//! timeline success applies its operation then. No unrecorded user operation stands in for
//! a recorded one; unrecorded user operations appear only where the history does not
//! promise complete commands, and only as a last resort (each costs a step like any other,
//! and the search takes the run with the fewest steps).
//!
//! The run is found by a 0-1 breadth-first search over (record, state, commands accepted but
//! not yet applied): consuming a record is free, a step costs one. The judge's set of
//! consistent states after each record prunes the search. Billing steps of the account
//! (arrears, recharge) are unseen steps here, each one step of its own.

use std::collections::{HashMap, VecDeque};

use serde_json::{Value, json};

use super::judge::{Asks, Kept, Seen};
use super::tables::{Tables, Unseen, tables};
use crate::spec::{Event, TaskSpec, step};

fn option<T: ToString>(value: Option<T>) -> Value {
    match value {
        Some(v) => json!({ "tag": "Some", "value": v.to_string() }),
        None => json!({ "tag": "None", "value": { "#tup": [] } }),
    }
}

fn state_json(index: usize, state: &TaskSpec, event: &str, record: Option<&Seen>) -> Value {
    json!({
        "#meta": { "index": index },
        "status": state.status.name(),
        "mode": state.mode.api_code(),
        "phase": option(state.phase.map(|p| format!("{p:?}"))),
        "frozen_from": option(state.frozen_from.map(|s| s.name())),
        "event": event,
        "line": { "#bigint": record.map_or(0, |r| r.line).to_string() },
        "time_ms": { "#bigint": record.map_or(0, |r| r.time).to_string() },
        "record": record.map_or(String::new(), |r| r.what.clone()),
    })
}

/// The most commands accepted and not yet applied that a run carries at once.
const MAX_CARRIED: usize = 4;
/// The most search nodes: a bound on the work for one job (TIGER_STYLE).
const MAX_NODES: usize = 20_000_000;

/// A search node: the next record to explain, the state, and the accepted (or indefinite)
/// commands not yet applied, by record index (`u32::MAX`: empty slot), sorted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct Node {
    next: u32,
    state: u8,
    carried: [u32; MAX_CARRIED],
}

/// How a node was reached.
#[derive(Clone, Copy, Debug)]
pub(super) enum Edge {
    /// A start: the run begins in this state.
    Start,
    /// An unseen step.
    Unseen(Event),
    /// A carried command applied, as this event.
    Apply(u32, Event),
    /// A record explained (a timeline success applies its event then).
    Record(u32, Option<Event>),
}

fn carried_with(carried: [u32; MAX_CARRIED], k: u32) -> Option<[u32; MAX_CARRIED]> {
    let free = carried.iter().position(|c| *c == u32::MAX)?;
    let mut out = carried;
    out[free] = k;
    out.sort_unstable();
    Some(out)
}

fn carried_without(carried: [u32; MAX_CARRIED], slot: usize) -> [u32; MAX_CARRIED] {
    let mut out = carried;
    out[slot] = u32::MAX;
    out.sort_unstable();
    out
}

fn ops_of(asks: Asks) -> u16 {
    match asks {
        Asks::Shows(_) => 0,
        Asks::Accepted(ops)
        | Asks::Refused(ops)
        | Asks::Indefinite(ops)
        | Asks::Done(ops)
        | Asks::NotDone(ops) => ops,
    }
}

fn events(ops: u16) -> impl Iterator<Item = Event> {
    super::tables::USER_OPS
        .into_iter()
        .enumerate()
        .filter(move |(i, _)| ops & 1 << i != 0)
        .map(|(_, op)| op)
}

/// The successors of a node, with their edges and costs.
fn successors(
    t: &Tables,
    records: &[Kept],
    node: Node,
    users: bool,
    out: &mut Vec<(Node, Edge, u8)>,
) {
    out.clear();
    let state = t.states[node.state as usize];
    let to = |s: &TaskSpec| t.index_of(s).map(|i| i as u8);
    let k = node.next as usize;
    if let Some(record) = records.get(k) {
        let after = |i: u8| record.after & 1 << i != 0;
        let next = node.next + 1;
        let accepts = |ops: u16| events(ops).any(|op| step(&state, op).is_some());
        match record.asks {
            Asks::Shows(a) => {
                if t.shows[a as usize] & 1 << node.state != 0 && after(node.state) {
                    out.push((Node { next, ..node }, Edge::Record(node.next, None), 0));
                }
            }
            Asks::Accepted(ops) => {
                if accepts(ops)
                    && let Some(carried) = carried_with(node.carried, node.next)
                {
                    out.push((
                        Node {
                            next,
                            state: node.state,
                            carried,
                        },
                        Edge::Record(node.next, None),
                        0,
                    ));
                }
            }
            Asks::Indefinite(_) => {
                if let Some(carried) = carried_with(node.carried, node.next) {
                    out.push((
                        Node {
                            next,
                            state: node.state,
                            carried,
                        },
                        Edge::Record(node.next, None),
                        0,
                    ));
                }
                out.push((Node { next, ..node }, Edge::Record(node.next, None), 0));
            }
            Asks::Refused(ops) | Asks::NotDone(ops) => {
                if !accepts(ops) && after(node.state) {
                    out.push((Node { next, ..node }, Edge::Record(node.next, None), 0));
                }
            }
            Asks::Done(ops) => {
                for op in events(ops) {
                    let Some(s) = step(&state, op).as_ref().and_then(to) else {
                        continue;
                    };
                    // The operation done is a carried command of the same kind if one is
                    // carried, else one the timeline alone records.
                    let slot = node.carried.iter().position(|c| {
                        *c != u32::MAX && ops_of(records[*c as usize].asks) & ops != 0
                    });
                    let carried =
                        slot.map_or(node.carried, |slot| carried_without(node.carried, slot));
                    out.push((
                        Node {
                            next,
                            state: s,
                            carried,
                        },
                        Edge::Record(node.next, Some(op)),
                        1,
                    ));
                }
            }
        }
    }
    for (slot, c) in node.carried.iter().enumerate() {
        if *c == u32::MAX {
            continue;
        }
        for op in events(ops_of(records[*c as usize].asks)) {
            if let Some(s) = step(&state, op).as_ref().and_then(to) {
                out.push((
                    Node {
                        next: node.next,
                        state: s,
                        carried: carried_without(node.carried, slot),
                    },
                    Edge::Apply(*c, op),
                    1,
                ));
            }
        }
    }
    for (event, s) in t.unseen_successors(
        node.state as usize,
        Unseen::SystemAndBilling,
        if users { u16::MAX } else { 0 },
    ) {
        out.push((
            Node {
                next: node.next,
                state: s as u8,
                carried: node.carried,
            },
            Edge::Unseen(event),
            1,
        ));
    }
}

/// The fewest-step run that explains `records`: the nodes from a start to the end, with the
/// edge into each. Runs that apply every accepted command are preferred; `None` when no run
/// explains the records within the search's bound.
pub(super) fn search(
    records: &[Kept],
    commands_complete: bool,
    max_nodes: usize,
) -> Option<Vec<(Node, Edge)>> {
    let t = tables();
    let users = !commands_complete;
    let n = records.len() as u32;
    let mut parent: HashMap<Node, (Option<Node>, Edge, u32)> = HashMap::new();
    let mut queue: VecDeque<Node> = VecDeque::new();
    for i in t.members(t.all) {
        let node = Node {
            next: 0,
            state: i as u8,
            carried: [u32::MAX; MAX_CARRIED],
        };
        parent.insert(node, (None, Edge::Start, 0));
        queue.push_back(node);
    }
    let mut done = std::collections::HashSet::new();
    let mut fallback: Option<Node> = None;
    let mut buffer = Vec::new();
    let mut goal = None;
    while let Some(node) = queue.pop_front() {
        if !done.insert(node) {
            continue;
        }
        if node.next == n {
            let must_apply = node
                .carried
                .iter()
                .any(|c| *c != u32::MAX && matches!(records[*c as usize].asks, Asks::Accepted(_)));
            if !must_apply {
                goal = Some(node);
                break;
            }
            fallback.get_or_insert(node);
        }
        if parent.len() > max_nodes {
            break;
        }
        let cost = parent[&node].2;
        successors(t, records, node, users, &mut buffer);
        for &(next, edge, step_cost) in &buffer {
            let new = cost + u32::from(step_cost);
            let better = parent.get(&next).is_none_or(|(_, _, old)| new < *old);
            if better && !done.contains(&next) {
                parent.insert(next, (Some(node), edge, new));
                if step_cost == 0 {
                    queue.push_front(next);
                } else {
                    queue.push_back(next);
                }
            }
        }
    }
    let mut at = goal.or(fallback)?;
    let mut path = Vec::new();
    loop {
        let (before, edge, _) = parent[&at];
        path.push((at, edge));
        match before {
            Some(before) => at = before,
            None => break,
        }
    }
    path.reverse();
    Some(path)
}

/// The ITF trace of `job` from the records the judge kept, or `None` when none was kept or
/// no run explains them.
pub fn trace(job: &str, records: &[Kept], commands_complete: bool) -> Option<Value> {
    if records.is_empty() {
        return None;
    }
    let t = tables();
    let path = search(records, commands_complete, MAX_NODES)?;
    let mut states = Vec::new();
    let mut start: Option<&TaskSpec> = None;
    for (node, edge) in &path {
        let state = &t.states[node.state as usize];
        let (event, record): (&str, Option<&Seen>) = match edge {
            Edge::Start => {
                start = Some(state);
                continue;
            }
            Edge::Unseen(event) => (event.describe(), None),
            Edge::Apply(c, event) => (event.describe(), Some(&records[*c as usize].seen)),
            Edge::Record(k, Some(event)) => (event.describe(), Some(&records[*k as usize].seen)),
            Edge::Record(k, None) => (
                if states.is_empty() {
                    "first record"
                } else {
                    "record (no step)"
                },
                Some(&records[*k as usize].seen),
            ),
        };
        // The state the run starts in, where its first edge is a step rather than the
        // first record.
        if let Some(first) = start.take()
            && !matches!(edge, Edge::Record(_, None))
        {
            states.push(state_json(0, first, "start", None));
        }
        states.push(state_json(states.len(), state, event, record));
    }
    Some(json!({
        "#meta": {
            "format": "ITF",
            "format-description": "https://apalache-mc.org/docs/adr/015adr-trace.html",
            "source": "drs-lifecycle validate --itf",
            "description": format!("a run of the specification that explains the records of job {job}"),
        },
        "vars": ["status", "mode", "phase", "frozen_from", "event", "line", "time_ms", "record"],
        "states": states,
    }))
}
