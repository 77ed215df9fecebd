//! The harness: one command at a time on the specification and the engine, with every
//! check of the brief after every step.
//!
//! [`Harness::step`] is the whole contract of a step. It reuses the model checker's
//! comparison ([`lockstep`]): the specification and the engine must agree on acceptance, on
//! the kind of refusal, on every task's state, on listings, versions and the reported
//! change, and a refusal must leave the engine untouched. Then it judges every claim of
//! [`crate::model::CLAIMS`] that reads states on the resulting world ([`first_broken`]). After the
//! snapshot point of a case, the fleet restored from JSON runs beside the original and must
//! accept, refuse and land exactly like it.
//!
//! The world (specification and per-task history) is a fixed-capacity `Copy` value, and what
//! the implementation showed after the last step is kept in reused buffers ([`Observed`]),
//! so a step allocates nothing. The implementation is any [`ControlPlane`]: the reference
//! engine by default, a user's own through [`Harness::with`].

use std::fmt;

use crate::model::claims::{Judged, SNAPSHOT_RESTORES_THE_FLEET, first_broken};
use crate::model::faults::FaultyEngine;
use crate::model::lockstep::{Lockstep, lockstep};
use crate::model::{ClaimId, Fault, World};
use crate::plane::{ControlPlane, Observed, Refusal as _};
use crate::spec::{AccountId, Command, MAX_ACCOUNTS, Refused, Source, Status};

use super::case::Case;
use super::corners::Corners;
use super::coverage::Coverage;

/// The most tasks a case may create: the capacity of the largest harness.
pub const CAPACITY: usize = 64;

/// The capacity of the harness for cases of at most this many tasks (the default). The
/// world is a fixed-size value copied a few times per step; half the capacity makes a step
/// about a tenth faster.
pub const COMPACT_CAPACITY: usize = 32;

/// What a failing case broke: a claim, or (for a case that does not fit the harness: more
/// creations than its capacity, an account beyond the specification's) no claim at all,
/// since that is a bad case and not a bug of the engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Broke {
    /// A claim of [`CLAIMS`](crate::model::CLAIMS): a bug of the control plane.
    Claim(ClaimId),
    /// The case does not fit the harness: a bad case, not a bug.
    CaseDoesNotFit,
}

impl Broke {
    /// The claim's name, or "the case fits the harness".
    pub fn name(self) -> &'static str {
        match self {
            Broke::Claim(claim) => claim.name(),
            Broke::CaseDoesNotFit => "the case fits the harness",
        }
    }
}

impl fmt::Display for Broke {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl PartialEq<ClaimId> for Broke {
    fn eq(&self, claim: &ClaimId) -> bool {
        *self == Broke::Claim(*claim)
    }
}

/// Why a case failed: the step, the command, the claim it broke and what was seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The index of the failing command in the case (0-based; printed from 1, as the
    /// printed trace and the saved regression number steps).
    pub step: usize,
    /// The failing command (`None` when the case itself is rejected or the snapshot taken
    /// before `step` failed to restore).
    pub command: Option<Command>,
    /// What it broke: one of [`crate::model::CLAIMS`], judged after every step.
    pub property: Broke,
    /// What the harness saw.
    pub detail: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.command {
            Some(command) => write!(
                f,
                "step {}: {command}: \"{}\" violated: {}",
                self.step + 1,
                self.property,
                self.detail
            ),
            None => write!(
                f,
                "step {}: \"{}\" violated: {}",
                self.step + 1,
                self.property,
                self.detail
            ),
        }
    }
}

impl std::error::Error for Failure {}

/// What the specification (and so the engine) answered to one command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Accepted: the command changed the fleet.
    Accepted,
    /// Refused, of this kind: the fleet is unchanged.
    Refused(Refused),
}

/// Counts over every step the harness ran.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Cases run.
    pub cases: u64,
    /// Commands run, over all cases.
    pub steps: u64,
    /// Commands accepted.
    pub accepted: u64,
    /// Refusals by kind, indexed by [`refusal_index`].
    pub refused: [u64; 6],
    /// Commands addressed to a deleted task (all refused).
    pub to_deleted: u64,
    /// Commands naming an existing task from an account that does not own it.
    pub wrong_account: u64,
    /// Commands naming an id nobody was given.
    pub unknown_id: u64,
    /// Snapshots taken, restored and run beside the original.
    pub snapshots: u64,
}

impl Stats {
    /// Every refused step.
    pub fn refused_total(&self) -> u64 {
        self.refused.iter().sum()
    }

    /// Adds another run's counts.
    pub fn merge(&mut self, other: &Stats) {
        self.cases += other.cases;
        self.steps += other.steps;
        self.accepted += other.accepted;
        for (mine, theirs) in self.refused.iter_mut().zip(other.refused) {
            *mine += theirs;
        }
        self.to_deleted += other.to_deleted;
        self.wrong_account += other.wrong_account;
        self.unknown_id += other.unknown_id;
        self.snapshots += other.snapshots;
    }
}

/// The kinds of refusal, in the order of [`Stats::refused`].
pub const REFUSAL_KINDS: [Refused; 6] = [
    Refused::NotFound,
    Refused::NotAllowed,
    Refused::AccountInArrears,
    Refused::AlreadyInArrears,
    Refused::NotInArrears,
    Refused::Capacity,
];

/// The position of a kind of refusal in [`REFUSAL_KINDS`].
pub const fn refusal_index(kind: Refused) -> usize {
    match kind {
        Refused::NotFound => 0,
        Refused::NotAllowed => 1,
        Refused::AccountInArrears => 2,
        Refused::AlreadyInArrears => 3,
        Refused::NotInArrears => 4,
        Refused::Capacity => 5,
    }
}

/// The specification and an implementation side by side, for fleets of at most `N` tasks.
///
/// `P` is the implementation under test: the reference engine (with an injected engine
/// fault, if any) unless a user fuzzes their own ([`Harness::with`]).
pub struct Harness<const N: usize, P: ControlPlane = FaultyEngine> {
    world: World<N>,
    plane: P,
    /// What the implementation showed after the last step: a refusal must leave it so.
    observed: Observed,
    /// The implementation restored from its snapshot, running beside it.
    restored: Option<P>,
    /// Makes an empty implementation for each case.
    make: Box<dyn Fn() -> P>,
    /// The injected fault: a specification fault changes the table's answers; an engine
    /// fault lives in the [`FaultyEngine`] that `make` builds.
    fault: Option<Fault>,
    /// How many accounts' listings are compared (the case's accounts and the stranger).
    listed_accounts: usize,
    /// Steps run in the current case.
    position: usize,
    coverage: Coverage,
    corners: Corners,
    stats: Stats,
}

impl<const N: usize> Harness<N> {
    /// A harness of the reference engine over an empty fleet, with an optional injected
    /// fault (a specification fault changes the table's answers; an engine fault wraps the
    /// engine's `execute`).
    pub fn new(fault: Option<Fault>) -> Self {
        Harness::with(move || FaultyEngine::new(fault), fault)
    }
}

impl<const N: usize, P: ControlPlane> Harness<N, P> {
    /// A harness of any implementation: `make` builds an empty one for each case; `fault`
    /// is a specification fault, or `None`.
    pub fn with(make: impl Fn() -> P + 'static, fault: Option<Fault>) -> Self {
        let plane = make();
        let mut observed = Observed::default();
        observed.capture(&plane);
        Harness {
            world: World::new(1),
            plane,
            observed,
            restored: None,
            make: Box::new(make),
            fault,
            listed_accounts: 2,
            position: 0,
            coverage: Coverage::new(),
            corners: Corners::default(),
            stats: Stats::default(),
        }
    }

    /// Starts a new case over an empty fleet with `accounts` accounts. Coverage, corners
    /// and counts carry over.
    pub fn reset(&mut self, accounts: u32) {
        self.world = World::new(accounts.min(u8::MAX as u32) as usize);
        self.plane = (self.make)();
        self.observed.capture(&self.plane);
        self.restored = None;
        self.listed_accounts = (accounts as usize + 1).min(MAX_ACCOUNTS);
        self.position = 0;
        self.corners.new_case();
    }

    /// Runs a whole case from an empty fleet: every step checked, the snapshot taken and
    /// restored where the case says (when the implementation has snapshots). Stops at the
    /// first failure.
    pub fn run(&mut self, case: &Case) -> Result<(), Failure> {
        check_fits::<N>(case)?;
        self.reset(case.accounts);
        self.stats.cases += 1;
        for (index, command) in case.commands.iter().enumerate() {
            if case.snapshot_at == Some(index) {
                self.snapshot_and_restore()?;
            }
            self.step(command)?;
        }
        if case.snapshot_at.is_some_and(|at| at >= case.commands.len()) {
            self.snapshot_and_restore()?;
        }
        Ok(())
    }

    /// One command on both sides, then every check.
    #[inline]
    pub fn step(&mut self, command: &Command) -> Result<Answer, Failure> {
        let position = self.position;
        self.position += 1;
        self.stats.steps += 1;
        self.record_pairs(command);
        let answer = match lockstep(
            &self.world,
            &self.observed,
            &mut self.plane,
            self.fault,
            command,
            self.listed_accounts,
        ) {
            Lockstep::BothRefused(kind) => {
                self.count_refusal(command, kind);
                Answer::Refused(kind)
            }
            Lockstep::Agreed(world) => {
                if let Some(claim) = first_broken(&Judged::of(&world, self.fault)) {
                    return Err(Failure {
                        step: position,
                        command: Some(*command),
                        property: Broke::Claim(claim),
                        detail: format!(
                            "the specification and the engine agree, and land in a state that \
                             breaks it:\n{world:?}"
                        ),
                    });
                }
                self.corners
                    .observe(&self.world, &world, command, &mut self.coverage);
                self.world = world;
                self.observed.capture(&self.plane);
                self.stats.accepted += 1;
                Answer::Accepted
            }
            // The claim named is the one the disagreement breaks (`lockstep` works it out
            // from what the program's step did), not the first one its state breaks.
            Lockstep::Diverged { reason, claim, .. } => {
                return Err(Failure {
                    step: position,
                    command: Some(*command),
                    property: Broke::Claim(claim),
                    detail: reason,
                });
            }
        };
        if self.restored.is_some() {
            self.step_restored(position, command, answer)?;
        }
        Ok(answer)
    }

    /// Saves the implementation to its durable form, restores it, and from now on runs the
    /// restored copy beside the original. An implementation without snapshots is left as it
    /// is.
    pub fn snapshot_and_restore(&mut self) -> Result<(), Failure> {
        let failure = |detail: String| Failure {
            step: self.position,
            command: None,
            property: Broke::Claim(SNAPSHOT_RESTORES_THE_FLEET),
            detail,
        };
        let restored = match self.plane.restored() {
            None => return Ok(()),
            Some(Err(error)) => {
                return Err(failure(format!("the snapshot does not load: {error}")));
            }
            Some(Ok(restored)) => restored,
        };
        if !self.observed.matches(&restored) {
            let mut shown = Observed::default();
            shown.capture(&restored);
            return Err(failure(format!(
                "the restored fleet differs:\n{shown:?}\nfrom\n{:?}",
                self.observed
            )));
        }
        self.restored = Some(restored);
        self.stats.snapshots += 1;
        Ok(())
    }

    fn step_restored(
        &mut self,
        position: usize,
        command: &Command,
        answer: Answer,
    ) -> Result<(), Failure> {
        let Some(restored) = &mut self.restored else {
            return Ok(());
        };
        let twin = restored.execute(command);
        let twin_answer = match &twin {
            Ok(_) => Answer::Accepted,
            Err(refusal) => Answer::Refused(refusal.kind()),
        };
        if twin_answer != answer || !self.observed.matches(restored) {
            let mut shown = Observed::default();
            shown.capture(restored);
            return Err(Failure {
                step: position,
                command: Some(*command),
                property: Broke::Claim(SNAPSHOT_RESTORES_THE_FLEET),
                detail: format!(
                    "the original answered {answer:?}, the restored fleet {:?}; original \
                     now {:?}, restored now {shown:?}",
                    twin.map_err(|refusal| refusal.to_string()),
                    self.observed
                ),
            });
        }
        Ok(())
    }

    /// Records the (state, command) pairs a command meets, accepted or refused: the task
    /// it addresses (when its account owns it), or every task of the account it bills.
    #[inline]
    fn record_pairs(&mut self, command: &Command) {
        use super::coverage::{PAIR_ARREARS, PAIR_RECHARGE};
        let fleet = &self.world.fleet;
        match *command {
            Command::Task {
                account,
                task,
                event,
            } => {
                if let Some(spec) = fleet.get(account, task) {
                    self.coverage.record_pair(spec, event.index());
                }
            }
            Command::Arrears { account } | Command::Recharge { account } => {
                let index = if matches!(command, Command::Arrears { .. }) {
                    PAIR_ARREARS
                } else {
                    PAIR_RECHARGE
                };
                for slot in fleet.slots() {
                    if u32::from(slot.account) == account.0 {
                        self.coverage.record_pair(&slot.task, index);
                    }
                }
            }
            Command::Create { .. } => {}
        }
    }

    fn count_refusal(&mut self, command: &Command, kind: Refused) {
        self.stats.refused[refusal_index(kind)] += 1;
        if let Command::Task {
            account,
            task,
            event,
        } = *command
        {
            let existing = usize::try_from(task.0)
                .ok()
                .and_then(|id| id.checked_sub(1))
                .and_then(|index| self.world.fleet.slots().get(index));
            match existing {
                None => self.stats.unknown_id += 1,
                Some(slot) if AccountId(slot.account.into()) != account => {
                    self.stats.wrong_account += 1
                }
                Some(slot) if slot.task.status == Status::Deleted => {
                    self.stats.to_deleted += 1;
                    if event.source() == Source::System {
                        self.corners.late_report_to_deleted();
                    }
                }
                Some(slot)
                    if event.source() == Source::System
                        && matches!(slot.task.status, Status::EndRequested | Status::Ending) =>
                {
                    self.corners.late_report_after_end();
                }
                Some(_) => {}
            }
        }
    }

    /// The specification's world (fleet and per-task history) after the last step.
    pub fn world(&self) -> &World<N> {
        &self.world
    }

    /// The implementation after the last step.
    pub fn plane(&self) -> &P {
        &self.plane
    }

    /// The implementation, to prepare its next answer: the process driver sends a command
    /// to its program before the step, to learn whether the answer is definite.
    pub fn plane_mut(&mut self) -> &mut P {
        &mut self.plane
    }

    /// Counts a command that did not happen on either side: an indefinite answer that the
    /// implementation's state shows was lost. The specification stays where it was.
    pub fn skip(&mut self) {
        self.position += 1;
        self.stats.steps += 1;
    }

    /// Single-task coverage over every case run so far.
    pub fn coverage(&self) -> &Coverage {
        &self.coverage
    }

    /// The deep corners hit over every case run so far.
    pub fn corners(&self) -> &Corners {
        &self.corners
    }

    /// Counts over every case run so far.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Puts the counts back to what they were: the process driver abandons a run of a case
    /// it cannot judge pipelined and runs the case again, counted once.
    pub fn restore_stats(&mut self, stats: Stats) {
        self.stats = stats;
    }

    /// The injected fault, if any.
    pub fn fault(&self) -> Option<Fault> {
        self.fault
    }
}

/// A case must fit the specification's encoding: at most `N` creations, accounts below
/// [`MAX_ACCOUNTS`]. Beyond that the specification refuses (`Capacity`) what the engine
/// accepts, which would be reported as a disagreement that is not one.
fn check_fits<const N: usize>(case: &Case) -> Result<(), Failure> {
    let reject = |detail: String| Failure {
        step: 0,
        command: None,
        property: Broke::CaseDoesNotFit,
        detail,
    };
    if case.creations() > N {
        return Err(reject(format!(
            "{} creations, but the harness holds at most {N} tasks",
            case.creations()
        )));
    }
    let highest = case
        .highest_account()
        .map_or(case.accounts, |account| account.0.max(case.accounts));
    if highest as usize >= MAX_ACCOUNTS {
        return Err(reject(format!(
            "account {highest} named, but the specification tracks accounts 0 to {}",
            MAX_ACCOUNTS - 1
        )));
    }
    if case.snapshot_at.is_some_and(|at| at > case.commands.len()) {
        return Err(reject(format!(
            "snapshot after step {:?} of a case of {} steps",
            case.snapshot_at,
            case.commands.len()
        )));
    }
    Ok(())
}

/// Runs one case on a fresh harness (of [`COMPACT_CAPACITY`] when the case fits it, of
/// [`CAPACITY`] otherwise): what a stored regression and a printed `#[test]` call.
pub fn replay(case: &Case, fault: Option<Fault>) -> Result<Stats, Failure> {
    fn on<const N: usize>(case: &Case, fault: Option<Fault>) -> Result<Stats, Failure> {
        let mut harness = Harness::<N>::new(fault);
        harness.run(case)?;
        Ok(harness.stats)
    }
    if case.creations() <= COMPACT_CAPACITY {
        on::<COMPACT_CAPACITY>(case, fault)
    } else {
        on::<CAPACITY>(case, fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzz::{arrears, create, task};
    use crate::model::claims::ENGINE_REFINES_SPEC;
    use crate::spec::{Event, Mode};

    fn case(commands: Vec<Command>) -> Case {
        Case {
            accounts: 1,
            snapshot_at: Some(1),
            commands,
        }
    }

    #[test]
    fn a_case_of_allowed_and_refused_commands_passes_and_is_counted() {
        let stats = replay(
            &case(vec![
                create(0, Mode::Full),
                task(0, 1, Event::Pause),
                task(1, 1, Event::InstanceReady),
                task(0, 7, Event::InstanceReady),
                task(0, 1, Event::InstanceReady),
                arrears(0),
                arrears(0),
            ]),
            None,
        )
        .expect("the engine conforms");
        assert_eq!(stats.steps, 7);
        assert_eq!(stats.accepted, 3);
        assert_eq!(stats.refused[refusal_index(Refused::NotAllowed)], 1);
        assert_eq!(stats.refused[refusal_index(Refused::NotFound)], 2);
        assert_eq!(stats.refused[refusal_index(Refused::AlreadyInArrears)], 1);
        assert_eq!((stats.wrong_account, stats.unknown_id), (1, 1));
        assert_eq!(stats.snapshots, 1);
    }

    #[test]
    fn an_injected_engine_fault_fails_at_the_step_that_shows_it() {
        let failure = replay(
            &case(vec![
                create(0, Mode::Full),
                task(0, 1, Event::InstanceReady),
                arrears(0),
                task(0, 1, Event::Pause),
                task(0, 1, Event::Resume),
            ]),
            Some(Fault::EnginePausesFrozenTask),
        )
        .expect_err("caught");
        assert_eq!(failure.step, 3);
        assert_eq!(failure.property, ENGINE_REFINES_SPEC);
        assert_eq!(failure.command, Some(task(0, 1, Event::Pause)));
    }

    #[test]
    fn a_specification_fault_is_judged_by_the_properties() {
        // With the table broken, the engine (right) disagrees with the specification.
        let failure = replay(
            &case(vec![
                create(0, Mode::Full),
                task(0, 1, Event::InstanceCreationFailed),
                task(0, 1, Event::Delete),
                task(0, 1, Event::ReleaseDone),
            ]),
            Some(Fault::DeletedRevivedByLateReport),
        )
        .expect_err("caught");
        assert_eq!(failure.step, 3);
    }

    #[test]
    fn a_case_of_more_tasks_than_the_compact_harness_holds_replays_on_the_large_one() {
        let many = case(vec![create(0, Mode::Full); COMPACT_CAPACITY + 8]);
        let stats = replay(&many, None).expect("fits the large harness");
        assert_eq!(stats.accepted, COMPACT_CAPACITY as u64 + 8);
    }

    #[test]
    fn a_case_beyond_the_capacity_is_rejected_as_such() {
        let too_many = case(vec![create(0, Mode::Full); 3]);
        let failure = Harness::<2>::new(None)
            .run(&too_many)
            .expect_err("3 creations in a harness of 2");
        assert_eq!(failure.property, Broke::CaseDoesNotFit);
        assert!(failure.detail.contains("at most 2 tasks"), "{failure}");

        let stranger = case(vec![arrears(MAX_ACCOUNTS as u32)]);
        let failure = replay(&stranger, None).expect_err("account 32");
        assert_eq!(failure.property, Broke::CaseDoesNotFit);
    }
}
