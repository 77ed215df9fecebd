//! Which rules of the specification the distributed model exercised.
//!
//! A configuration that holds every claim says nothing about a rule that no run of it
//! reaches. So the controller notes, for every command it runs on its fleet (a client's
//! request, an instance's report, one of the service's clocks), the task's status and the
//! event, and whether the fleet applied or refused it; billing is noted for every task of
//! the account. The notes are a set shared by every state the checker expands (like
//! [`crate::model::Tally`]), so a configuration's coverage is the union over every step of
//! its exploration. Reports that the protocol drops before the fleet sees them (stale,
//! duplicate, early) are the protocol's business and are not noted.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::spec::{EVENT_KIND_COUNT, Event, Mode, STATUS_COUNT, Status, TaskSpec, step};

/// The bit of a refusal, above the bits of the applied pairs.
const REFUSED: u32 = 32;

/// The bit that stands for "no task yet" (a creation).
const NO_TASK: usize = STATUS_COUNT;

/// The (status, event) pairs the controller applied and refused; clones share the set.
#[derive(Clone, Default)]
pub struct Coverage(Arc<[AtomicU64; EVENT_KIND_COUNT]>);

impl fmt::Debug for Coverage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pairs = self.pairs();
        write!(
            f,
            "Coverage({} applied, {} refused)",
            pairs.applied.len(),
            pairs.refused.len()
        )
    }
}

impl Coverage {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Notes that the fleet applied (or refused) `event` on a task in `status` (`None`: a
    /// creation, which has no task yet).
    #[inline]
    pub fn note(&self, status: Option<Status>, event: Event, applied: bool) {
        let bit = status.map_or(NO_TASK, Status::index) as u32 + if applied { 0 } else { REFUSED };
        let word = &self.0[event.index()];
        if word.load(Ordering::Relaxed) & 1 << bit == 0 {
            word.fetch_or(1 << bit, Ordering::Relaxed);
        }
    }

    /// What was noted, in status order within event order.
    pub fn pairs(&self) -> Pairs {
        let mut pairs = Pairs::default();
        for event in Event::KINDS {
            let word = self.0[event.index()].load(Ordering::Relaxed);
            for (index, status) in Status::ALL.into_iter().map(Some).chain([None]).enumerate() {
                if word & 1 << index != 0 {
                    pairs.applied.push(Pair { status, event });
                }
                if word & 1 << (index as u32 + REFUSED) != 0 {
                    pairs.refused.push(Pair { status, event });
                }
            }
        }
        pairs
    }
}

/// A status (or none, for a creation) and an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Pair {
    /// The task's status before the event; `None` for a creation.
    pub status: Option<Status>,
    /// The event (a creation's mode is not told apart).
    pub event: Event,
}

impl fmt::Display for Pair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(status) => write!(f, "{} · {}", status.name(), self.event.name()),
            None => write!(f, "(no task) · {}", self.event.name()),
        }
    }
}

/// A configuration's coverage, or a union of several.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Pairs {
    /// The pairs the fleet applied.
    pub applied: Vec<Pair>,
    /// The pairs the fleet refused.
    pub refused: Vec<Pair>,
}

impl Pairs {
    /// The union of two coverages.
    pub fn union(&self, other: &Pairs) -> Pairs {
        let merge = |a: &[Pair], b: &[Pair]| {
            let mut all: Vec<Pair> = a.iter().chain(b).copied().collect();
            all.sort_by_key(|pair| (pair.event.index(), pair.status.map(Status::index)));
            all.dedup();
            all
        };
        Pairs {
            applied: merge(&self.applied, &other.applied),
            refused: merge(&self.refused, &other.refused),
        }
    }
}

/// Every (status, event) pair the specification accepts for some task state it reaches
/// (creation included, as `None`), in event order: what a complete coverage applies.
pub fn specified() -> Vec<Pair> {
    let mut seen = std::collections::BTreeSet::new();
    let mut todo: Vec<TaskSpec> = Mode::ALL.iter().map(|&m| TaskSpec::created(m)).collect();
    while let Some(task) = todo.pop() {
        if seen.insert(task) {
            todo.extend(Event::ON_TASK.iter().filter_map(|&e| step(&task, e)));
        }
    }
    let mut pairs = vec![Pair {
        status: None,
        event: Event::Create(Mode::FullIncremental),
    }];
    for task in &seen {
        for &event in &Event::ON_TASK {
            if step(task, event).is_some() {
                pairs.push(Pair {
                    status: Some(task.status),
                    event,
                });
            }
        }
    }
    pairs.sort_by_key(|pair| (pair.event.index(), pair.status.map(Status::index)));
    pairs.dedup();
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_is_found_again_and_applied_and_refused_are_apart() {
        let coverage = Coverage::new();
        coverage.note(Some(Status::Paused), Event::Resume, true);
        coverage.note(Some(Status::Paused), Event::Resume, true);
        coverage.note(Some(Status::Deleted), Event::Resume, false);
        coverage.note(None, Event::Create(Mode::Full), true);
        let pairs = coverage.pairs();
        assert_eq!(
            pairs.applied,
            vec![
                Pair {
                    status: None,
                    event: Event::Create(Mode::FullIncremental)
                },
                Pair {
                    status: Some(Status::Paused),
                    event: Event::Resume
                },
            ]
        );
        assert_eq!(
            pairs.refused,
            vec![Pair {
                status: Some(Status::Deleted),
                event: Event::Resume
            }]
        );
    }

    #[test]
    fn the_specification_accepts_resume_only_from_paused() {
        let resumes: Vec<_> = specified()
            .into_iter()
            .filter(|pair| pair.event == Event::Resume)
            .collect();
        assert_eq!(
            resumes,
            vec![Pair {
                status: Some(Status::Paused),
                event: Event::Resume
            }]
        );
    }
}
