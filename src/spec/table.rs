//! The transition table, as data.
//!
//! Each [`Rule`] is one line of the brief's table: the statuses it applies to, the event,
//! and where the task goes. The targets that depend on what the task remembers (the phase it
//! heads for, the status it froze) or on its mode are named [`Target`]s rather than fixed
//! statuses, so the table reads like the brief and the renderers (`drs-lifecycle spec`) can
//! print it as such.
//!
//! [`step`](super::step) looks rules up through [`rule_for`], a dense status × event index
//! built from [`RULES`] at compile time; building it also proves at compile time that no two
//! rules cover the same (status, event) pair.

use serde::Serialize;

use super::event::EVENT_KIND_COUNT;
use super::status::STATUS_COUNT;
use super::{Event, Mode, Status};

/// Where a rule takes the task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Target {
    /// A fixed status; the task forgets any remembered phase.
    To(Status),
    /// `Starting`, heading for the mode's first phase (first start and reset).
    StartingTowardFirstPhase,
    /// The given status, remembering the phase the task is in or heading for.
    Remembering(Status),
    /// The running status of the remembered phase.
    RememberedPhase,
    /// The failed status of the remembered phase.
    RememberedPhaseFailed,
    /// After the full phase: incremental migration for full+incremental tasks, the end for
    /// full-only tasks.
    AfterFullPhase,
    /// `Frozen`, remembering the status (and that status's phase).
    Freeze,
    /// Back to the status remembered when the task froze.
    Unfreeze,
}

impl Target {
    /// The target in the words of the brief's table.
    pub fn describe(self) -> String {
        match self {
            Target::To(status) => status.name().to_string(),
            Target::StartingTowardFirstPhase => {
                "Starting (toward the mode's first phase)".to_string()
            }
            Target::Remembering(status) => format!("{} (remembers the phase)", status.name()),
            Target::RememberedPhase => "the remembered phase".to_string(),
            Target::RememberedPhaseFailed => "the remembered phase's failed status".to_string(),
            Target::AfterFullPhase => {
                "IncrementalMigration (full+incr) / EndRequested (full only)".to_string()
            }
            Target::Freeze => "Frozen (remembers the status)".to_string(),
            Target::Unfreeze => "the remembered status".to_string(),
        }
    }

    /// Every status this target can lead to, for diagrams.
    pub fn possible_statuses(self) -> Vec<Status> {
        match self {
            Target::To(status) | Target::Remembering(status) => vec![status],
            Target::StartingTowardFirstPhase => vec![Status::Starting],
            Target::RememberedPhase => vec![Status::FullMigration, Status::IncrementalMigration],
            Target::RememberedPhaseFailed => {
                vec![
                    Status::FullMigrationFailed,
                    Status::IncrementalMigrationFailed,
                ]
            }
            Target::AfterFullPhase => vec![Status::IncrementalMigration, Status::EndRequested],
            Target::Freeze => vec![Status::Frozen],
            Target::Unfreeze => Status::ALL
                .into_iter()
                .filter(|status| status.is_freezable())
                .collect(),
        }
    }
}

/// One line of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// The statuses the rule applies to; empty for creation, which applies to no task yet.
    pub from: &'static [Status],
    /// The event (for `Create`, any mode).
    pub event: Event,
    /// Where the task goes.
    pub to: Target,
}

use Status::*;
use Target::*;

const MIGRATING: &[Status] = &[FullMigration, IncrementalMigration];
const ENDABLE: &[Status] = &[
    Configuration,
    WaitingToStart,
    StartFailed,
    FullMigration,
    FullMigrationFailed,
    IncrementalMigration,
    IncrementalMigrationFailed,
    Paused,
    EndFailed,
];
const FREEZABLE: &[Status] = ENDABLE;

/// The transition table of the brief (decision 6), one rule per line, in its order.
#[rustfmt::skip]
pub const RULES: &[Rule] = &[
    Rule { from: &[], event: Event::Create(Mode::FullIncremental), to: To(Creating) },
    Rule { from: &[Creating], event: Event::InstanceReady, to: To(Configuration) },
    Rule { from: &[Creating], event: Event::InstanceCreationFailed, to: To(CreateFailed) },
    Rule { from: &[CreateFailed], event: Event::Delete, to: To(Deleted) },
    Rule { from: &[Configuration], event: Event::StartNow, to: StartingTowardFirstPhase },
    Rule { from: &[Configuration], event: Event::ScheduleStart, to: To(WaitingToStart) },
    Rule { from: &[WaitingToStart], event: Event::StartTimeReached, to: StartingTowardFirstPhase },
    Rule { from: &[WaitingToStart], event: Event::StartNow, to: StartingTowardFirstPhase },
    Rule { from: &[Starting], event: Event::StartSucceeded, to: RememberedPhase },
    Rule { from: &[Starting], event: Event::StartError, to: Remembering(StartFailed) },
    Rule { from: &[StartFailed], event: Event::Retry, to: Remembering(Starting) },
    Rule { from: &[FullMigration], event: Event::FullDone, to: AfterFullPhase },
    Rule { from: &[FullMigration], event: Event::FullError, to: To(FullMigrationFailed) },
    Rule { from: MIGRATING, event: Event::InstanceFault, to: Remembering(FaultRecovery) },
    Rule { from: MIGRATING, event: Event::Pause, to: Remembering(Paused) },
    Rule { from: &[FullMigrationFailed], event: Event::Retry, to: Remembering(Starting) },
    Rule { from: &[IncrementalMigration], event: Event::IncrementalError, to: To(IncrementalMigrationFailed) },
    Rule { from: &[IncrementalMigrationFailed], event: Event::Retry, to: Remembering(Starting) },
    Rule {
        from: &[FullMigrationFailed, IncrementalMigrationFailed, Paused],
        event: Event::Reset,
        to: StartingTowardFirstPhase,
    },
    Rule { from: &[FaultRecovery], event: Event::RecoveryDone, to: RememberedPhase },
    Rule { from: &[FaultRecovery], event: Event::RecoveryError, to: RememberedPhaseFailed },
    Rule { from: &[Paused], event: Event::Resume, to: Remembering(Starting) },
    Rule { from: ENDABLE, event: Event::End, to: To(EndRequested) },
    Rule {
        from: &[StartFailed, FullMigrationFailed, IncrementalMigrationFailed],
        event: Event::AbnormalTimeout,
        to: To(EndRequested),
    },
    Rule { from: &[EndRequested], event: Event::ReleaseBegun, to: To(Ending) },
    Rule { from: &[Ending], event: Event::ReleaseDone, to: To(Ended) },
    Rule { from: &[Ending], event: Event::ReleaseError, to: To(EndFailed) },
    Rule { from: &[Ended], event: Event::Delete, to: To(Deleted) },
    Rule { from: FREEZABLE, event: Event::AccountInArrears, to: Freeze },
    Rule { from: &[Frozen], event: Event::AccountRecharged, to: Unfreeze },
    Rule { from: &[Frozen], event: Event::RetentionExpired, to: To(EndRequested) },
];

/// `LOOKUP[status][event]` is the index in [`RULES`] plus one, or 0 when no rule applies.
const LOOKUP: [[u8; EVENT_KIND_COUNT]; STATUS_COUNT] = build_lookup();

const fn build_lookup() -> [[u8; EVENT_KIND_COUNT]; STATUS_COUNT] {
    let mut lookup = [[0u8; EVENT_KIND_COUNT]; STATUS_COUNT];
    let mut r = 0;
    while r < RULES.len() {
        let rule = &RULES[r];
        let mut s = 0;
        while s < rule.from.len() {
            let cell = &mut lookup[rule.from[s].index()][rule.event.index()];
            assert!(*cell == 0, "two rules cover the same status and event");
            *cell = (r + 1) as u8;
            s += 1;
        }
        r += 1;
    }
    lookup
}

/// `RULED[status]` has the bit of `event.index()` set when the table has a rule for the
/// pair.
const RULED: [u32; STATUS_COUNT] = build_ruled();

// One bit per kind of event.
const _: () = assert!(EVENT_KIND_COUNT <= 32);

const fn build_ruled() -> [u32; STATUS_COUNT] {
    let mut ruled = [0u32; STATUS_COUNT];
    let mut s = 0;
    while s < STATUS_COUNT {
        let mut e = 0;
        while e < EVENT_KIND_COUNT {
            if LOOKUP[s][e] != 0 {
                ruled[s] |= 1 << e;
            }
            e += 1;
        }
        s += 1;
    }
    ruled
}

/// The kinds of event the table has a rule for in a status, as a bit set over
/// [`Event::index`]: every event a task in the status can accept (a rule whose target needs
/// a remembered phase still refuses a task without one). The model checkers use it to skip,
/// without a step, the events a status has no rule for.
#[inline]
pub fn ruled_events(status: Status) -> u32 {
    RULED[status.index()]
}

/// The rule for a status and an event, if the table has one.
#[inline]
pub fn rule_for(status: Status, event: Event) -> Option<&'static Rule> {
    match LOOKUP[status.index()][event.index()] {
        0 => None,
        n => Some(&RULES[n as usize - 1]),
    }
}

/// Every (status, event) pair the table allows, in status then event order.
pub fn edges() -> impl Iterator<Item = (Status, Event, &'static Rule)> {
    Status::ALL.into_iter().flat_map(|status| {
        Event::ON_TASK
            .into_iter()
            .filter_map(move |event| rule_for(status, event).map(|rule| (status, event, rule)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ruled_events_are_exactly_the_pairs_with_a_rule() {
        for status in Status::ALL {
            for event in Event::KINDS {
                assert_eq!(
                    ruled_events(status) & 1 << event.index() != 0,
                    rule_for(status, event).is_some(),
                    "{status:?} {event:?}"
                );
            }
        }
    }
}
