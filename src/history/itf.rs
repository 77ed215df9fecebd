//! One job's reconstructed run as an ITF trace (the Informal Trace Format of Apalache and
//! Quint), so that a recorded history can be replayed, animated or checked by their tools.
//!
//! The judge keeps, for the chosen job, each record and the states consistent right after
//! it. A run that explains them all is rebuilt backwards: the last record's first state,
//! then for each earlier record a state from which the later one is reachable, and between
//! each two the shortest run of unseen steps. Every state of the trace is a specification
//! state, labelled with the event that led to it and the record (line, time) it explains.

use serde_json::{Value, json};

use super::judge::Seen;
use super::tables::{States, Tables, Unseen, tables};
use crate::spec::TaskSpec;

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

fn pick(t: &Tables, set: States) -> Option<usize> {
    t.members(set).next()
}

/// The ITF trace of `job` from the records the judge kept, or `None` when none was kept.
pub fn trace(job: &str, records: &[(Seen, States)]) -> Option<Value> {
    let t = tables();
    let (unseen, users) = (Unseen::SystemAndBilling, true);
    let mut chosen: Vec<usize> = Vec::with_capacity(records.len());
    let mut later: Option<usize> = None;
    for (_, set) in records.iter().rev() {
        let candidates = match later {
            None => *set,
            Some(next) => {
                let mut ok = 0;
                for i in t.members(*set) {
                    if t.close(1 << i, unseen, users) & (1 << next) != 0 {
                        ok |= 1 << i;
                    }
                }
                ok
            }
        };
        let state = pick(t, candidates)?;
        chosen.push(state);
        later = Some(state);
    }
    chosen.reverse();
    let mut states = Vec::new();
    for (k, (seen, _)) in records.iter().enumerate() {
        if k > 0 {
            let path = t
                .shortest_unseen_path(1 << chosen[k - 1], 1 << chosen[k], unseen, users)
                .unwrap_or_default();
            let steps = path.len();
            for (n, (event, state)) in path.into_iter().enumerate() {
                let record = (n + 1 == steps).then_some(seen);
                states.push(state_json(
                    states.len(),
                    &t.states[state],
                    event.describe(),
                    record,
                ));
            }
            if steps > 0 {
                continue;
            }
        }
        let label = if k == 0 {
            "first record"
        } else {
            "poll (no step)"
        };
        states.push(state_json(
            states.len(),
            &t.states[chosen[k]],
            label,
            Some(seen),
        ));
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
