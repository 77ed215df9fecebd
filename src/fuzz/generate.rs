//! The generator: command sequences that reach deep into the lifecycle, with a fifth or
//! more of their steps refused on purpose.
//!
//! A uniform random walk over the commands dies early: most events are refused in most
//! statuses, and one *delete* ends a task for good. So each step is drawn against the
//! specification's current state (the generator runs the specification as it goes):
//!
//! - **allowed steps** pick a live task and one of the events its status accepts, weighted
//!   away from the ones that end a task (*end*, *delete*);
//! - **refused steps** (about three in ten moves) are built to be refused, in every way a
//!   control plane meets: an event the status does not accept (billing and creation sent to
//!   a task included), a command from an account that does not own the task or from a
//!   stranger account, an id never handed out, a late report to a deleted task, arrears
//!   twice, a recharge in credit, a creation in arrears;
//! - **swarm testing**: half the cases run with a random subset of the event kinds, so
//!   that some cases never fail a start, never end a task, or never touch billing, and go
//!   deep where the others do not;
//! - **warps**: now and then a new task is driven along a shortest path (from the
//!   exhaustive search) to a uniformly chosen reachable state of the single-task lifecycle,
//!   so rare states are as likely a starting point as common ones;
//! - each case has its own number of accounts, task budget and length, and a snapshot
//!   point.
//!
//! The result is a plain [`Case`]: concrete commands, not choices, so deleting a step
//! while shrinking never makes the rest meaningless (later steps may be refused, which is
//! a valid outcome, never an invalid case).

use crate::spec::{
    AccountId, Command, Event, FleetSpec, MAX_ACCOUNTS, Mode, Source, Status, TaskId, TaskSpec,
    step,
};

use super::case::Case;
use super::coverage::{Coverage, Exhaustive, PAIR_ARREARS, PAIR_COMMANDS, PAIR_RECHARGE};
use super::entropy::Entropy;
use super::harness::{CAPACITY, COMPACT_CAPACITY};

/// The limits of generated cases.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The longest case, in commands.
    pub max_steps: usize,
    /// The most creations in one case (at most [`CAPACITY`]; the default,
    /// [`COMPACT_CAPACITY`], runs in the faster compact harness).
    pub max_tasks: usize,
    /// The most accounts owning tasks in one case (one more, a stranger, sends commands).
    pub max_accounts: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_steps: 200,
            max_tasks: COMPACT_CAPACITY,
            max_accounts: 4,
        }
    }
}

/// Percent of moves that are built to be refused.
const REFUSED_PERCENT: usize = 30;
/// Percent of moves that send an account into arrears or recharge it.
const BILLING_PERCENT: usize = 6;
/// Percent of moves that create a task and drive it to a random reachable state.
const WARP_PERCENT: usize = 3;
/// Percent of moves, when weighting toward uncovered pairs, that send a task a command its
/// state has not met.
const PROBE_PERCENT: usize = 10;
/// Percent of moves that create a task (when the budget allows).
const CREATE_PERCENT: usize = 8;

/// Swarm bits: one per event kind ([`Event::index`]), then billing.
const ARREARS_BIT: u32 = 1 << crate::spec::EVENT_KIND_COUNT;
const RECHARGE_BIT: u32 = 1 << (crate::spec::EVENT_KIND_COUNT + 1);
const _: () = assert!(crate::spec::EVENT_KIND_COUNT + 2 <= 32);
const EVERYTHING: u32 = u32::MAX;

/// Generates cases.
#[derive(Clone, Debug)]
pub struct Generator {
    limits: Limits,
    all: Exhaustive,
}

impl Generator {
    /// A generator within `limits` (clamped to what the harness and the specification
    /// hold).
    pub fn new(limits: Limits) -> Self {
        Generator {
            limits: Limits {
                max_steps: limits.max_steps.max(1),
                max_tasks: limits.max_tasks.clamp(1, CAPACITY),
                max_accounts: limits.max_accounts.clamp(1, MAX_ACCOUNTS as u32 - 1),
            },
            all: Exhaustive::explore(),
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The exhaustive single-task search the warps draw from.
    pub fn exhaustive(&self) -> &Exhaustive {
        &self.all
    }

    /// One case.
    pub fn generate(&self, rng: &mut impl Entropy) -> Case {
        self.generate_toward(rng, None)
    }

    /// One case, weighted toward the (state, command) pairs `covered` has not seen, refusals
    /// included: warps go to states with pairs left (the mode-specific refusals of
    /// FullMigrationComplete, say), send one of those pairs on arrival, and one move in ten
    /// sends a task a command its state has not met. `None`: [`Generator::generate`].
    pub fn generate_toward(&self, rng: &mut impl Entropy, covered: Option<&Coverage>) -> Case {
        // Once every pair is met there is nothing to weight toward: generate as without.
        let covered = covered.filter(|covered| !covered.every_pair_met(&self.all));
        let limits = self.limits;
        let accounts = 1 + rng.below(limits.max_accounts as usize) as u32;
        let len = 1 + rng.below(limits.max_steps);
        let swarm = if rng.percent(50) {
            EVERYTHING
        } else {
            rng.next_u64() as u32
        };
        let max_tasks = 1 + rng.below(limits.max_tasks);
        let mut walk = Walk {
            all: &self.all,
            rng,
            spec: FleetSpec::new(),
            commands: Vec::with_capacity(len),
            len,
            accounts,
            max_tasks,
            creations: 0,
            swarm,
            toward: covered,
        };
        while walk.commands.len() < walk.len {
            walk.one_move();
        }
        let snapshot_at = Some(walk.rng.below(len + 1));
        Case {
            accounts,
            snapshot_at,
            commands: walk.commands,
        }
    }
}

/// Whether `event` can ever be accepted when addressed to a task (billing and creation
/// never can: they are addressed to accounts).
fn addressed_to_tasks(event: Event) -> bool {
    !matches!(event, Event::Create(_)) && event.source() != Source::Billing
}

/// The state of one case being generated.
struct Walk<'a, R: Entropy> {
    all: &'a Exhaustive,
    rng: &'a mut R,
    spec: FleetSpec<CAPACITY>,
    commands: Vec<Command>,
    len: usize,
    accounts: u32,
    max_tasks: usize,
    creations: usize,
    swarm: u32,
    /// The pairs already covered, to weight toward the others.
    toward: Option<&'a Coverage>,
}

impl<R: Entropy> Walk<'_, R> {
    fn one_move(&mut self) {
        let roll = self.rng.below(100);
        let mut threshold = REFUSED_PERCENT;
        if roll < threshold {
            return self.refused();
        }
        threshold += BILLING_PERCENT;
        if roll < threshold && self.billing() {
            return;
        }
        threshold += WARP_PERCENT;
        if roll < threshold && self.warp() {
            return;
        }
        if self.toward.is_some() {
            threshold += PROBE_PERCENT;
            if roll < threshold && self.probe() {
                return;
            }
        }
        threshold += CREATE_PERCENT;
        if roll < threshold && self.create() {
            return;
        }
        // An allowed event for some task; failing that (every task deleted, ended or
        // frozen, or its events left out of this case's swarm), whatever else is allowed.
        if self.allowed_event() || self.create() || self.billing() {
            return;
        }
        self.refused();
    }

    fn push(&mut self, command: Command) {
        if let Command::Create { .. } = command {
            self.creations += 1;
        }
        if let Ok(next) = self.spec.apply(&command) {
            self.spec = next;
        }
        self.commands.push(command);
    }

    fn account(&mut self) -> AccountId {
        AccountId(self.rng.below(self.accounts as usize) as u32)
    }

    fn mode(&mut self) -> Mode {
        Mode::ALL[self.rng.below(Mode::ALL.len())]
    }

    fn can_create(&self) -> bool {
        self.creations < self.max_tasks
    }

    fn in_swarm(&self, event: Event) -> bool {
        self.swarm & (1 << event.index()) != 0
    }

    /// A creation for an account in credit, if the budget allows and there is one.
    fn create(&mut self) -> bool {
        let Some(account) = self.account_in_credit() else {
            return false;
        };
        if !self.can_create() {
            return false;
        }
        let mode = self.mode();
        self.push(Command::Create { account, mode });
        true
    }

    /// A random account in credit, if any.
    fn account_in_credit(&mut self) -> Option<AccountId> {
        let start = self.rng.below(self.accounts as usize) as u32;
        (0..self.accounts)
            .map(|i| AccountId((start + i) % self.accounts))
            .find(|account| !self.spec.in_arrears(*account))
    }

    /// An event that some task's status accepts, for a task drawn at random (the first
    /// from a random start that has one in this case's swarm).
    fn allowed_event(&mut self) -> bool {
        let tasks = self.spec.len();
        if tasks == 0 {
            return false;
        }
        let start = self.rng.below(tasks);
        (0..tasks).any(|i| self.allowed_event_for((start + i) % tasks))
    }

    /// An event the task's status accepts, weighted away from ending the task.
    fn allowed_event_for(&mut self, index: usize) -> bool {
        let slot = self.spec.slots()[index];
        let mut choices = [(Event::StartNow, 0usize); Event::ON_TASK.len()];
        let mut count = 0;
        let mut total = 0;
        for event in Event::ON_TASK {
            if addressed_to_tasks(event)
                && self.in_swarm(event)
                && step(&slot.task, event).is_some()
            {
                let weight = match event {
                    Event::Delete => 1,
                    Event::End
                    | Event::ForceEnd
                    | Event::AbnormalTimeout
                    | Event::RetentionExpired => 2,
                    _ => 6,
                };
                total += weight;
                choices[count] = (event, total);
                count += 1;
            }
        }
        if count == 0 {
            return false;
        }
        let draw = self.rng.below(total);
        let event = choices[..count]
            .iter()
            .find(|(_, upto)| draw < *upto)
            .map_or(choices[0].0, |(event, _)| *event);
        self.push(Command::Task {
            account: AccountId(slot.account.into()),
            task: TaskId(index as u64 + 1),
            event,
        });
        true
    }

    /// Arrears for an account in credit that has tasks, or a recharge for one in arrears.
    fn billing(&mut self) -> bool {
        let account = self.account();
        let command = if self.spec.in_arrears(account) {
            (self.swarm & RECHARGE_BIT != 0).then_some(Command::Recharge { account })
        } else {
            (self.swarm & ARREARS_BIT != 0).then_some(Command::Arrears { account })
        };
        match command {
            Some(command) => {
                self.push(command);
                true
            }
            None => false,
        }
    }

    /// A new task driven along a shortest path to a random reachable state.
    fn warp(&mut self) -> bool {
        if !self.can_create() {
            return false;
        }
        let Some(account) = self.account_in_credit() else {
            return false;
        };
        let states = self.all.states.len();
        let mut target = self.rng.below(states);
        if let Some(covered) = self.toward {
            // The first state from there with a pair left, if any.
            target = (0..states)
                .map(|i| (target + i) % states)
                .find(|&i| (0..PAIR_COMMANDS).any(|k| !covered.hit_pair(&self.all.states[i], k)))
                .unwrap_or(target);
        }
        let (mode, events) = self.all.path_to(target);
        let task = self.spec.next_id();
        self.push(Command::Create { account, mode });
        for &event in events {
            if self.commands.len() >= self.len {
                break;
            }
            let command = match event {
                Event::AccountInArrears => Command::Arrears { account },
                Event::AccountRecharged => Command::Recharge { account },
                event => Command::Task {
                    account,
                    task,
                    event,
                },
            };
            self.push(command);
        }
        if self.toward.is_some() && self.commands.len() < self.len {
            self.probe_task(task.0 as usize - 1);
        }
        true
    }

    /// A command that some task's state has not met (by the coverage weighted toward).
    fn probe(&mut self) -> bool {
        let tasks = self.spec.len();
        if tasks == 0 {
            return false;
        }
        let start = self.rng.below(tasks);
        (0..tasks).any(|i| self.probe_task((start + i) % tasks))
    }

    /// A command the task's state has not met, drawn uniformly from those left.
    fn probe_task(&mut self, index: usize) -> bool {
        let Some(covered) = self.toward else {
            return false;
        };
        let Some(slot) = self.spec.slots().get(index).copied() else {
            return false;
        };
        let mut open = [0usize; PAIR_COMMANDS];
        let mut count = 0;
        for command in 0..PAIR_COMMANDS {
            if !covered.hit_pair(&slot.task, command) {
                open[count] = command;
                count += 1;
            }
        }
        if count == 0 {
            return false;
        }
        let account = AccountId(slot.account.into());
        let command = match open[self.rng.below(count)] {
            PAIR_ARREARS => Command::Arrears { account },
            PAIR_RECHARGE => Command::Recharge { account },
            kind => Command::Task {
                account,
                task: TaskId(index as u64 + 1),
                event: match Event::KINDS[kind] {
                    Event::Create(_) => Event::Create(self.mode()),
                    event => event,
                },
            },
        };
        self.push(command);
        true
    }

    /// A command built to be refused.
    fn refused(&mut self) {
        let tasks = self.spec.len();
        let kind = self.rng.below(6);
        let index = self.rng.below(tasks.max(1));
        let command = match kind {
            0 | 1 if tasks > 0 => self.not_allowed_here(index),
            2 if tasks > 0 => self.wrong_account(index),
            3 if tasks > 0 => self
                .late_report_to_deleted()
                .unwrap_or_else(|| self.not_allowed_here(index)),
            4 => self.unknown_id(),
            _ => self.billing_misuse(),
        };
        self.push(command);
    }

    /// An event the task's status does not accept (billing and creation included).
    fn not_allowed_here(&mut self, index: usize) -> Command {
        let slot = self.spec.slots()[index];
        let mut refused = [Event::StartNow; Event::KINDS.len()];
        let mut count = 0;
        for event in Event::KINDS {
            if !addressed_to_tasks(event) || step(&slot.task, event).is_none() {
                refused[count] = event;
                count += 1;
            }
        }
        let event = match refused[self.rng.below(count.max(1))] {
            Event::Create(_) => Event::Create(self.mode()),
            event => event,
        };
        Command::Task {
            account: AccountId(slot.account.into()),
            task: TaskId(index as u64 + 1),
            event,
        }
    }

    /// An event the owner could send, from another account (or the stranger).
    fn wrong_account(&mut self, index: usize) -> Command {
        let slot = self.spec.slots()[index];
        let owner = u32::from(slot.account);
        // Accounts 0..=accounts, the owner excluded: there is always at least one other.
        let mut other = self.rng.below(self.accounts as usize) as u32;
        if other >= owner {
            other += 1;
        }
        let event = self.any_event(&slot.task);
        Command::Task {
            account: AccountId(other),
            task: TaskId(index as u64 + 1),
            event,
        }
    }

    /// Preferably an event the task accepts (so only the account is wrong).
    fn any_event(&mut self, task: &TaskSpec) -> Event {
        let start = self.rng.below(Event::ON_TASK.len());
        (0..Event::ON_TASK.len())
            .map(|i| Event::ON_TASK[(start + i) % Event::ON_TASK.len()])
            .find(|&event| addressed_to_tasks(event) && step(task, event).is_some())
            .unwrap_or(Event::ON_TASK[start])
    }

    /// A late report (or any event) to a deleted task.
    fn late_report_to_deleted(&mut self) -> Option<Command> {
        let tasks = self.spec.len();
        let start = self.rng.below(tasks);
        let index = (0..tasks)
            .map(|i| (start + i) % tasks)
            .find(|&i| self.spec.slots()[i].task.status == Status::Deleted)?;
        let slot = self.spec.slots()[index];
        let event = Event::ON_TASK[self.rng.below(Event::ON_TASK.len())];
        Some(Command::Task {
            account: AccountId(slot.account.into()),
            task: TaskId(index as u64 + 1),
            event,
        })
    }

    /// An id nobody was given: 0, the next one, one further on, or the largest.
    fn unknown_id(&mut self) -> Command {
        let next = self.spec.next_id().0;
        let task = match self.rng.below(4) {
            0 => TaskId(0),
            1 => TaskId(next),
            2 => TaskId(next + 1 + self.rng.below(1_000) as u64),
            _ => TaskId(u64::MAX),
        };
        let event = Event::ON_TASK[self.rng.below(Event::ON_TASK.len())];
        let account = self.account();
        Command::Task {
            account,
            task,
            event,
        }
    }

    /// Billing where it does not apply: arrears twice, a recharge in credit, a creation in
    /// arrears, or a billing event sent to a task.
    fn billing_misuse(&mut self) -> Command {
        let account = self.account();
        let in_arrears = self.spec.in_arrears(account);
        match self.rng.below(3) {
            0 if in_arrears && self.can_create() => Command::Create {
                account,
                mode: self.mode(),
            },
            1 if !self.spec.is_empty() => {
                let index = self.rng.below(self.spec.len());
                let event = if self.rng.percent(50) {
                    Event::AccountInArrears
                } else {
                    Event::AccountRecharged
                };
                Command::Task {
                    account: AccountId(self.spec.slots()[index].account.into()),
                    task: TaskId(index as u64 + 1),
                    event,
                }
            }
            _ if in_arrears => Command::Arrears { account },
            _ => Command::Recharge { account },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzz::case::account_of;
    use crate::fuzz::seeded;

    #[test]
    fn generated_cases_stay_within_their_limits() {
        let limits = Limits {
            max_steps: 50,
            max_tasks: 3,
            max_accounts: 2,
        };
        let generator = Generator::new(limits);
        let mut rng = seeded(9);
        for _ in 0..500 {
            let case = generator.generate(&mut rng);
            assert!((1..=50).contains(&case.commands.len()));
            assert!(case.creations() <= 3);
            assert!((1..=2).contains(&case.accounts));
            // Commands come from the case's accounts and, for tenancy, the stranger.
            assert!(
                case.commands
                    .iter()
                    .all(|command| account_of(command).0 <= case.accounts)
            );
            assert!(case.snapshot_at.is_some_and(|at| at <= case.commands.len()));
        }
    }

    #[test]
    fn the_same_seed_generates_the_same_case() {
        let generator = Generator::new(Limits::default());
        let case = |seed| generator.generate(&mut seeded(seed));
        assert_eq!(case(3), case(3));
        assert_ne!(case(3), case(4));
    }

    /// Weighted toward a coverage that misses a pair, cases differ from unweighted ones of
    /// the same seed; toward one that has every pair, they are the same.
    #[test]
    fn with_every_pair_met_cases_are_generated_as_without() {
        let generator = Generator::new(Limits::default());
        let mut all = Coverage::new();
        let states = &generator.exhaustive().states;
        for state in states {
            for command in 0..PAIR_COMMANDS {
                all.record_pair(state, command);
            }
        }
        assert_eq!(all.pairs_met(), states.len() * PAIR_COMMANDS);
        assert!(all.every_pair_met(generator.exhaustive()));
        let mut one_short = Coverage::new();
        for (index, state) in states.iter().enumerate() {
            for command in 0..PAIR_COMMANDS {
                if (index, command) != (states.len() / 2, PAIR_ARREARS) {
                    one_short.record_pair(state, command);
                }
            }
        }
        let cases = |covered: Option<&Coverage>| -> Vec<Case> {
            let mut rng = seeded(11);
            (0..50)
                .map(|_| generator.generate_toward(&mut rng, covered))
                .collect()
        };
        assert_eq!(cases(Some(&all)), cases(None));
        assert_ne!(cases(Some(&one_short)), cases(None));
        // A pair met outside the reachable states does not stand in for the one missed.
        assert!(!one_short.every_pair_met(generator.exhaustive()));
        let outside = TaskSpec {
            status: Status::Deleted,
            frozen_from: Some(Status::Paused),
            ..states[0]
        };
        assert!(!states.contains(&outside));
        one_short.record_pair(&outside, PAIR_ARREARS);
        assert_eq!(one_short.pairs_met(), states.len() * PAIR_COMMANDS);
        assert!(!one_short.every_pair_met(generator.exhaustive()));
        assert_ne!(cases(Some(&one_short)), cases(None));
    }

    #[test]
    fn limits_beyond_the_harness_are_clamped() {
        let generator = Generator::new(Limits {
            max_steps: 0,
            max_tasks: 1_000,
            max_accounts: 1_000,
        });
        assert_eq!(
            generator.limits(),
            Limits {
                max_steps: 1,
                max_tasks: CAPACITY,
                max_accounts: MAX_ACCOUNTS as u32 - 1,
            }
        );
    }
}
