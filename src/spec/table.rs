//! The transition table, as data.
//!
//! Each [`Rule`] is one line of the brief's table: the statuses it applies to, the event,
//! the modes of task it applies to, and where the task goes. The targets that depend on what the task remembers (the phase it
//! heads for, the status it froze) or on its mode are named [`Target`]s rather than fixed
//! statuses, so the table reads like the brief and the renderers (`drs-lifecycle spec`) can
//! print it as such.
//!
//! [`step`](super::step) looks rules up through [`rule_for`], a dense status × event index
//! built from [`RULES`] at compile time; building it also proves at compile time that no two
//! rules cover the same (status, event) pair.

use serde::{Serialize, Serializer};

use super::event::EVENT_KIND_COUNT;
use super::status::STATUS_COUNT;
use super::{Event, Mode, Phase, Status};

/// Where a rule takes the task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Target {
    /// A fixed status; the task forgets any remembered phase.
    To(Status),
    /// `Starting`, heading for the mode's first phase (first start and reset).
    StartingTowardFirstPhase,
    /// The given status, remembering the phase the task is in or heading for.
    Remembering(Status),
    /// The given status, remembering the given phase: from `FullMigrationComplete`, the
    /// phase a full+incremental task goes on to is the incremental one, not the full phase
    /// it just completed.
    RememberingPhase(Status, Phase),
    /// The running status of the remembered phase.
    RememberedPhase,
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
            Target::RememberingPhase(status, phase) => {
                format!("{} (remembers the {phase} phase)", status.name())
            }
            Target::RememberedPhase => "the remembered phase".to_string(),
            Target::Freeze => "Frozen (remembers the status)".to_string(),
            Target::Unfreeze => "the remembered status".to_string(),
        }
    }

    /// Every status this target can lead to, for diagrams.
    pub fn possible_statuses(self) -> Vec<Status> {
        match self {
            Target::To(status)
            | Target::Remembering(status)
            | Target::RememberingPhase(status, _) => vec![status],
            Target::StartingTowardFirstPhase => vec![Status::Starting],
            Target::RememberedPhase => vec![Status::FullMigration, Status::IncrementalMigration],
            Target::Freeze => vec![Status::Frozen],
            Target::Unfreeze => Status::ALL
                .into_iter()
                .filter(|status| status.is_freezable())
                .collect(),
        }
    }
}

/// The migration modes a rule applies to. Most rules apply to every mode; the rules from
/// `FullMigrationComplete` depend on whether an incremental phase follows (brief, D.2.1).
/// A task of another mode is refused the event, exactly as if the table had no rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Modes(u8);

impl Modes {
    /// Every mode.
    pub const ANY: Modes = Modes(0b111);

    /// One mode only.
    pub const fn only(mode: Mode) -> Modes {
        Modes(1 << mode as u8)
    }

    /// Whether the rule applies to a task of `mode`.
    #[inline]
    pub const fn contains(self, mode: Mode) -> bool {
        self.0 & (1 << mode as u8) != 0
    }

    /// Whether the rule applies to every mode.
    pub const fn is_any(self) -> bool {
        self.0 == Modes::ANY.0
    }

    /// The modes, in [`Mode::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Mode> {
        Mode::ALL
            .into_iter()
            .filter(move |mode| self.contains(*mode))
    }
}

/// A list of modes (their API codes).
impl Serialize for Modes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

/// One line of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// The statuses the rule applies to; empty for creation, which applies to no task yet.
    pub from: &'static [Status],
    /// The event (for `Create`, any mode).
    pub event: Event,
    /// The modes of task the rule applies to.
    pub modes: Modes,
    /// Where the task goes.
    pub to: Target,
}

use Status::*;
use Target::*;

const ANY: Modes = Modes::ANY;
const FULL_ONLY: Modes = Modes::only(Mode::Full);
const FULL_INCR: Modes = Modes::only(Mode::FullIncremental);

const MIGRATING: &[Status] = &[FullMigration, IncrementalMigration];
/// The stable statuses that hold an instance: *end* accepts them, and billing freezes them.
const ENDABLE: &[Status] = &[
    Configuration,
    WaitingToStart,
    StartFailed,
    FullMigration,
    FullMigrationFailed,
    IncrementalMigration,
    IncrementalMigrationFailed,
    FaultRecoveryFailed,
    Paused,
    EndFailed,
];
const FREEZABLE: &[Status] = ENDABLE;
/// *Force end* (brief, D.2.2): every status that holds an instance and is not already
/// ending, that is, what *end* accepts and the three transient statuses that hold one.
const FORCE_ENDABLE: &[Status] = &[
    Configuration,
    WaitingToStart,
    Starting,
    StartFailed,
    FullMigration,
    FullMigrationComplete,
    FullMigrationFailed,
    IncrementalMigration,
    IncrementalMigrationFailed,
    FaultRecovery,
    FaultRecoveryFailed,
    Paused,
    EndFailed,
];
const ABNORMAL: &[Status] = &[
    StartFailed,
    FullMigrationFailed,
    IncrementalMigrationFailed,
    FaultRecoveryFailed,
];

/// The transition table: the brief's table (decision 6) as version 2 (part D) changes it,
/// one rule per line, in the brief's order with version 2's rules where they belong.
#[rustfmt::skip]
pub const RULES: &[Rule] = &[
    Rule { from: &[], event: Event::Create(Mode::FullIncremental), modes: ANY, to: To(Creating) },
    Rule { from: &[Creating], event: Event::InstanceReady, modes: ANY, to: To(Configuration) },
    Rule { from: &[Creating], event: Event::InstanceCreationFailed, modes: ANY, to: To(CreateFailed) },
    Rule { from: &[CreateFailed], event: Event::Delete, modes: ANY, to: To(Deleted) },
    Rule { from: &[Configuration], event: Event::StartNow, modes: ANY, to: StartingTowardFirstPhase },
    Rule { from: &[Configuration], event: Event::ScheduleStart, modes: ANY, to: To(WaitingToStart) },
    Rule { from: &[WaitingToStart], event: Event::StartTimeReached, modes: ANY, to: StartingTowardFirstPhase },
    Rule { from: &[WaitingToStart], event: Event::StartNow, modes: ANY, to: StartingTowardFirstPhase },
    Rule { from: &[Starting], event: Event::StartSucceeded, modes: ANY, to: RememberedPhase },
    Rule { from: &[Starting], event: Event::StartError, modes: ANY, to: Remembering(StartFailed) },
    Rule { from: &[StartFailed], event: Event::Retry, modes: ANY, to: Remembering(Starting) },
    Rule { from: &[FullMigration], event: Event::FullDone, modes: ANY, to: To(FullMigrationComplete) },
    Rule { from: &[FullMigration], event: Event::FullError, modes: ANY, to: To(FullMigrationFailed) },
    Rule { from: &[FullMigrationComplete], event: Event::IncrementalBegun, modes: FULL_INCR, to: To(IncrementalMigration) },
    Rule { from: &[FullMigrationComplete], event: Event::MigrationFinished, modes: FULL_ONLY, to: To(EndRequested) },
    Rule { from: MIGRATING, event: Event::InstanceFault, modes: ANY, to: Remembering(FaultRecovery) },
    Rule {
        from: &[FullMigrationComplete],
        event: Event::InstanceFault,
        modes: FULL_INCR,
        to: RememberingPhase(FaultRecovery, Phase::Incremental),
    },
    Rule { from: MIGRATING, event: Event::Pause, modes: ANY, to: Remembering(Paused) },
    Rule {
        from: &[FullMigrationComplete],
        event: Event::Pause,
        modes: FULL_INCR,
        to: RememberingPhase(Paused, Phase::Incremental),
    },
    Rule { from: &[FullMigrationFailed], event: Event::Retry, modes: ANY, to: Remembering(Starting) },
    Rule { from: &[IncrementalMigration], event: Event::IncrementalError, modes: ANY, to: To(IncrementalMigrationFailed) },
    Rule { from: &[IncrementalMigrationFailed], event: Event::Retry, modes: ANY, to: Remembering(Starting) },
    Rule {
        from: &[FullMigrationFailed, IncrementalMigrationFailed, FaultRecoveryFailed, Paused],
        event: Event::Reset,
        modes: ANY,
        to: StartingTowardFirstPhase,
    },
    Rule { from: &[FaultRecovery], event: Event::RecoveryDone, modes: ANY, to: RememberedPhase },
    Rule { from: &[FaultRecovery], event: Event::RecoveryError, modes: ANY, to: Remembering(FaultRecoveryFailed) },
    Rule { from: &[FaultRecoveryFailed], event: Event::Retry, modes: ANY, to: Remembering(Starting) },
    Rule { from: &[Paused], event: Event::Resume, modes: ANY, to: Remembering(Starting) },
    Rule { from: ENDABLE, event: Event::End, modes: ANY, to: To(EndRequested) },
    Rule { from: FORCE_ENDABLE, event: Event::ForceEnd, modes: ANY, to: To(EndRequested) },
    Rule { from: ABNORMAL, event: Event::AbnormalTimeout, modes: ANY, to: To(EndRequested) },
    Rule { from: &[EndRequested], event: Event::ReleaseBegun, modes: ANY, to: To(Ending) },
    Rule { from: &[Ending], event: Event::ReleaseDone, modes: ANY, to: To(Ended) },
    Rule { from: &[Ending], event: Event::ReleaseError, modes: ANY, to: To(EndFailed) },
    Rule { from: &[Ended], event: Event::Delete, modes: ANY, to: To(Deleted) },
    Rule { from: FREEZABLE, event: Event::AccountInArrears, modes: ANY, to: Freeze },
    Rule { from: &[Frozen], event: Event::AccountRecharged, modes: ANY, to: Unfreeze },
    Rule { from: &[Frozen], event: Event::RetentionExpired, modes: ANY, to: To(EndRequested) },
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
/// a remembered phase still refuses a task without one, and a rule for other modes refuses
/// a task of this one). The model checkers use it to skip,
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

/// Every (status, event) pair the table has a rule for, in status then event order (some
/// apply to one mode only: see [`Rule::modes`]).
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
