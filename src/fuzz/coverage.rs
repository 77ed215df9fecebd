//! Coverage: which states and edges of the single-task lifecycle the generated runs hit,
//! out of every reachable one.
//!
//! "Every event kind was seen" says little: the bugs live on particular edges (a retry from
//! a particular failed status, a freeze of a paused task). So the totals come from an
//! exhaustive breadth-first search of the specification's step function over one task
//! ([`Exhaustive`]), computed here rather than hard-coded, and a run records, for every task
//! of every command, the specification state it was in and the event it received when the
//! specification accepted it. Coverage is then counted at two grains:
//!
//! - **states**: every distinct [`TaskSpec`] (status, mode, remembered phase, frozen
//!   status);
//! - **edges**: every accepted (state, event) pair, creation included (one edge per mode,
//!   from "no task yet");
//! - **status edges**: the coarser (status, event) pairs of the brief's table.
//!
//! Recording is a few bit operations per command, so coverage is always on.

use std::collections::VecDeque;
use std::fmt;

use crate::spec::EVENT_KIND_COUNT;
use crate::spec::{Event, Mode, Phase, STATUS_COUNT, Status, TaskSpec, step};
use crate::text::percent;

/// How many distinct keys a [`TaskSpec`] can have in the dense encoding below.
const STATE_KEYS: usize = STATUS_COUNT * 3 * 3 * (STATUS_COUNT + 1);
/// The pseudo-state "no task yet", the source of creation edges.
const ABSENT: usize = STATE_KEYS;
const EDGE_KEYS: usize = (STATE_KEYS + 1) * EVENT_KIND_COUNT;
const STATUS_EDGE_KEYS: usize = (STATUS_COUNT + 1) * EVENT_KIND_COUNT;
/// The commands a task can receive, accepted or refused: every event kind addressed to it,
/// and its account's arrears and recharge.
pub const PAIR_COMMANDS: usize = EVENT_KIND_COUNT + 2;
/// The command index of an account's arrears, and of its recharge, in a pair.
pub const PAIR_ARREARS: usize = EVENT_KIND_COUNT;
/// See [`PAIR_ARREARS`].
pub const PAIR_RECHARGE: usize = EVENT_KIND_COUNT + 1;
const PAIR_KEYS: usize = STATE_KEYS * PAIR_COMMANDS;

/// A dense key for a task state: every field is a small enum.
#[inline]
fn state_key(task: &TaskSpec) -> usize {
    let mode = task.mode as usize;
    let phase = match task.phase {
        None => 0,
        Some(Phase::Full) => 1,
        Some(Phase::Incremental) => 2,
    };
    let frozen = task.frozen_from.map_or(0, |status| status.index() + 1);
    ((task.status.index() * 3 + mode) * 3 + phase) * (STATUS_COUNT + 1) + frozen
}

#[inline]
fn edge_key(from: Option<&TaskSpec>, event: Event) -> usize {
    match (from, event) {
        // Creation edges are told apart by mode, which lives in the event.
        (_, Event::Create(mode)) => ABSENT * EVENT_KIND_COUNT + mode as usize,
        (Some(task), _) => state_key(task) * EVENT_KIND_COUNT + event.index(),
        (None, _) => ABSENT * EVENT_KIND_COUNT + event.index(),
    }
}

#[inline]
fn status_edge_key(from: Option<Status>, event: Event) -> usize {
    from.map_or(STATUS_COUNT, Status::index) * EVENT_KIND_COUNT + event.index()
}

/// A fixed-size bit set.
#[derive(Clone, PartialEq, Eq)]
struct Bits(Vec<u64>);

impl Bits {
    fn new(len: usize) -> Self {
        Bits(vec![0; len.div_ceil(64)])
    }

    #[inline]
    fn insert(&mut self, key: usize) {
        self.0[key / 64] |= 1 << (key % 64);
    }

    #[inline]
    fn contains(&self, key: usize) -> bool {
        self.0[key / 64] & (1 << (key % 64)) != 0
    }

    fn count(&self) -> usize {
        self.0.iter().map(|word| word.count_ones() as usize).sum()
    }

    fn union_with(&mut self, other: &Bits) {
        for (mine, theirs) in self.0.iter_mut().zip(&other.0) {
            *mine |= theirs;
        }
    }
}

/// An edge of the single-task lifecycle: from a state (or from no task, for creation) by an
/// event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Edge {
    /// The task's state before, or `None` for a creation.
    pub from: Option<TaskSpec>,
    /// The event the specification accepted.
    pub event: Event,
}

impl fmt::Display for Edge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.from {
            None => write!(f, "(no task) --{}-->", self.event),
            Some(task) => write!(f, "{task} --{}-->", self.event),
        }
    }
}

/// Everything the specification lets one task reach, found by breadth-first search from
/// each mode's creation, with every event in every state (billing included: the account's
/// arrears and recharge act on the task as freeze and unfreeze).
#[derive(Clone, Debug)]
pub struct Exhaustive {
    /// Every reachable state, in breadth-first order.
    pub states: Vec<TaskSpec>,
    /// Every accepted edge out of a reachable state, creation included.
    pub edges: Vec<Edge>,
    /// Every accepted (status, event) pair; `None` is creation's "no task yet".
    pub status_edges: Vec<(Option<Status>, Event)>,
    /// For each state (same index as `states`), the mode it was created in and the events
    /// of a shortest path to it from creation.
    paths: Vec<(Mode, Vec<Event>)>,
}

impl Exhaustive {
    /// Explores the single-task lifecycle. A few hundred states: microseconds.
    pub fn explore() -> Self {
        let mut seen = vec![usize::MAX; STATE_KEYS];
        let mut states = Vec::new();
        let mut paths: Vec<(Mode, Vec<Event>)> = Vec::new();
        let mut edges = Vec::new();
        let mut status_edges = Vec::new();
        let mut status_seen = Bits::new(STATUS_EDGE_KEYS);
        let mut queue = VecDeque::new();
        for mode in Mode::ALL {
            let task = TaskSpec::created(mode);
            edges.push(Edge {
                from: None,
                event: Event::Create(mode),
            });
            let key = status_edge_key(None, Event::Create(mode));
            if !status_seen.contains(key) {
                status_seen.insert(key);
                status_edges.push((None, Event::Create(mode)));
            }
            if seen[state_key(&task)] == usize::MAX {
                seen[state_key(&task)] = states.len();
                states.push(task);
                paths.push((mode, Vec::new()));
                queue.push_back(task);
            }
        }
        while let Some(task) = queue.pop_front() {
            let index = seen[state_key(&task)];
            for event in Event::ON_TASK {
                let Some(next) = step(&task, event) else {
                    continue;
                };
                edges.push(Edge {
                    from: Some(task),
                    event,
                });
                let key = status_edge_key(Some(task.status), event);
                if !status_seen.contains(key) {
                    status_seen.insert(key);
                    status_edges.push((Some(task.status), event));
                }
                if seen[state_key(&next)] == usize::MAX {
                    seen[state_key(&next)] = states.len();
                    states.push(next);
                    let (mode, mut path) = paths[index].clone();
                    path.push(event);
                    paths.push((mode, path));
                    queue.push_back(next);
                }
            }
        }
        Exhaustive {
            states,
            edges,
            status_edges,
            paths,
        }
    }

    /// The mode and the events of a shortest path from creation to `states[index]`.
    pub fn path_to(&self, index: usize) -> (Mode, &[Event]) {
        let (mode, events) = &self.paths[index];
        (*mode, events)
    }
}

/// What a run hit, as bit sets over the dense keys.
#[derive(Clone, PartialEq, Eq)]
pub struct Coverage {
    states: Bits,
    edges: Bits,
    status_edges: Bits,
    /// Every (state, command) pair a task met, accepted or refused.
    pairs: Bits,
}

impl Default for Coverage {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Coverage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Coverage")
            .field("states", &self.states.count())
            .field("edges", &self.edges.count())
            .field("status_edges", &self.status_edges.count())
            .field("pairs", &self.pairs.count())
            .finish()
    }
}

impl Coverage {
    /// Nothing hit yet.
    pub fn new() -> Self {
        Coverage {
            states: Bits::new(STATE_KEYS),
            edges: Bits::new(EDGE_KEYS),
            status_edges: Bits::new(STATUS_EDGE_KEYS),
            pairs: Bits::new(PAIR_KEYS),
        }
    }

    /// Records that a task in `from` received command `command` (an event kind's index, or
    /// [`PAIR_ARREARS`] / [`PAIR_RECHARGE`] for its account's billing), accepted or refused.
    #[inline]
    pub fn record_pair(&mut self, from: &TaskSpec, command: usize) {
        self.pairs.insert(state_key(from) * PAIR_COMMANDS + command);
    }

    /// Whether a task in `from` received `command` (see [`Coverage::record_pair`]).
    pub fn hit_pair(&self, from: &TaskSpec, command: usize) -> bool {
        self.pairs
            .contains(state_key(from) * PAIR_COMMANDS + command)
    }

    /// How many (state, command) pairs were met (see [`Coverage::record_pair`]).
    pub fn pairs_met(&self) -> usize {
        self.pairs.count()
    }

    /// Whether every (state, command) pair of the reachable states was met. (A count
    /// first: pairs of states outside the search, which only a fault injected into the
    /// specification reaches, do not make up for a reachable one missed.)
    pub fn every_pair_met(&self, all: &Exhaustive) -> bool {
        self.pairs_met() >= all.states.len() * PAIR_COMMANDS
            && all
                .states
                .iter()
                .all(|state| (0..PAIR_COMMANDS).all(|command| self.hit_pair(state, command)))
    }

    /// Records that the specification accepted `event` for a task in `from` (`None` for a
    /// creation) and that the task is now in `to`.
    #[inline]
    pub fn record(&mut self, from: Option<&TaskSpec>, event: Event, to: &TaskSpec) {
        self.edges.insert(edge_key(from, event));
        self.status_edges
            .insert(status_edge_key(from.map(|task| task.status), event));
        self.states.insert(state_key(to));
    }

    /// Adds what another run hit.
    pub fn merge(&mut self, other: &Coverage) {
        self.states.union_with(&other.states);
        self.edges.union_with(&other.edges);
        self.status_edges.union_with(&other.status_edges);
        self.pairs.union_with(&other.pairs);
    }

    /// Whether the state was hit.
    pub fn hit_state(&self, task: &TaskSpec) -> bool {
        self.states.contains(state_key(task))
    }

    /// Whether the edge was hit.
    pub fn hit_edge(&self, edge: &Edge) -> bool {
        self.edges
            .contains(edge_key(edge.from.as_ref(), edge.event))
    }

    /// The hits counted against the exhaustive totals.
    pub fn report(&self, all: &Exhaustive) -> CoverageReport {
        let missed_edges: Vec<Edge> = all
            .edges
            .iter()
            .filter(|edge| !self.hit_edge(edge))
            .copied()
            .collect();
        let states = all.states.iter().filter(|t| self.hit_state(t)).count();
        let edges = all.edges.len() - missed_edges.len();
        let mut pairs = [0; 3];
        let mut pairs_total = [0; 3];
        for state in &all.states {
            let mode = state.mode as usize;
            pairs_total[mode] += PAIR_COMMANDS;
            pairs[mode] += (0..PAIR_COMMANDS)
                .filter(|&command| self.hit_pair(state, command))
                .count();
        }
        CoverageReport {
            pairs,
            pairs_total,
            states,
            states_total: all.states.len(),
            edges,
            edges_total: all.edges.len(),
            status_edges: all
                .status_edges
                .iter()
                .filter(|(from, event)| self.status_edges.contains(status_edge_key(*from, *event)))
                .count(),
            status_edges_total: all.status_edges.len(),
            outside: (self.states.count() - states) + (self.edges.count() - edges),
            missed_edges,
        }
    }
}

/// Coverage of the single-task lifecycle: hits out of the exhaustive totals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoverageReport {
    /// Distinct task states hit.
    pub states: usize,
    /// Distinct task states reachable.
    pub states_total: usize,
    /// Distinct (state, event) edges hit.
    pub edges: usize,
    /// Distinct (state, event) edges reachable.
    pub edges_total: usize,
    /// Distinct (status, event) pairs hit, the grain of the brief's table.
    pub status_edges: usize,
    /// Distinct (status, event) pairs reachable.
    pub status_edges_total: usize,
    /// States or edges hit that the exhaustive search does not know: always 0 unless the
    /// specification itself is broken (a fault injected into its step).
    pub outside: usize,
    /// The reachable edges no run hit.
    pub missed_edges: Vec<Edge>,
    /// (state, command) pairs a task met, accepted or refused, by mode (in the order of
    /// [`Mode::ALL`]): every event kind addressed to it and its account's billing.
    pub pairs: [usize; 3],
    /// Every such pair of the reachable states, by mode.
    pub pairs_total: [usize; 3],
}

impl CoverageReport {
    /// The share of reachable edges hit, in percent.
    pub fn edge_percent(&self) -> f64 {
        percent(self.edges as u64, self.edges_total as u64)
    }
}

impl fmt::Display for CoverageReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "single-task states        {:>4} / {:<4} ({:.1}%)",
            self.states,
            self.states_total,
            percent(self.states as u64, self.states_total as u64)
        )?;
        writeln!(
            f,
            "single-task edges         {:>4} / {:<4} ({:.1}%)",
            self.edges,
            self.edges_total,
            self.edge_percent()
        )?;
        write!(
            f,
            "(status, event) edges     {:>4} / {:<4} ({:.1}%)",
            self.status_edges,
            self.status_edges_total,
            percent(self.status_edges as u64, self.status_edges_total as u64)
        )?;
        for mode in Mode::ALL {
            let (hit, total) = (self.pairs[mode as usize], self.pairs_total[mode as usize]);
            write!(
                f,
                "\n(state, command) pairs, refusals included, {:<16} {hit:>4} / {total:<4} ({:.1}%)",
                mode.english(),
                percent(hit as u64, total as u64)
            )?;
        }
        for edge in self.missed_edges.iter().take(10) {
            write!(f, "\n  missed: {edge}")?;
        }
        if self.missed_edges.len() > 10 {
            write!(f, "\n  … and {} more", self.missed_edges.len() - 10)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_found_is_well_formed_and_has_a_distinct_key() {
        let all = Exhaustive::explore();
        let mut keys: Vec<usize> = all.states.iter().map(state_key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), all.states.len());
        assert!(all.states.iter().all(TaskSpec::is_well_formed));
    }

    #[test]
    fn each_path_leads_to_its_state() {
        let all = Exhaustive::explore();
        for (index, target) in all.states.iter().enumerate() {
            let (mode, events) = all.path_to(index);
            let reached = events
                .iter()
                .try_fold(TaskSpec::created(mode), |task, &event| step(&task, event));
            assert_eq!(reached, Some(*target));
        }
    }

    #[test]
    fn the_status_edges_are_the_table_rows_reachable_from_creation() {
        let all = Exhaustive::explore();
        let table: usize = crate::spec::table::edges().count();
        // Every (status, event) pair of the table is reachable, plus the table's creation
        // row (one row whatever the mode).
        assert_eq!(all.status_edges.len(), table + 1);
    }

    #[test]
    fn recording_every_edge_covers_everything() {
        let all = Exhaustive::explore();
        let mut coverage = Coverage::new();
        for edge in &all.edges {
            let to = match (edge.from, edge.event) {
                (None, Event::Create(mode)) => TaskSpec::created(mode),
                (Some(from), event) => step(&from, event).expect("an edge is accepted"),
                (None, _) => unreachable!("only creation starts from no task"),
            };
            coverage.record(edge.from.as_ref(), edge.event, &to);
        }
        let report = coverage.report(&all);
        assert_eq!(report.states, report.states_total);
        assert_eq!(report.edges, report.edges_total);
        assert_eq!(report.status_edges, report.status_edges_total);
        assert_eq!(report.outside, 0);
        assert!(report.missed_edges.is_empty());
    }
}
