//! The fleet: every task of every account, and which accounts are in arrears.
//!
//! What tasks share lives here: ids (handed out 1, 2, 3, … and never reused, so a deleted
//! task keeps its slot forever and an id is a direct index), tenancy (a command naming
//! another account's task is answered exactly like one naming no task) and billing (an
//! account in arrears freezes its tasks, and a task that lands on a freezable status while
//! its account is still in arrears freezes in the same command).
//!
//! The hot path is one task command: an index into a `Vec`, a `match` in
//! [`lifecycle::react`], and, only when the task lands on a freezable status, a binary
//! search of the (small, sorted) list of accounts in arrears. Nothing allocates, refusals
//! included.

use crate::spec::{AccountId, Command, Event, Mode, Status, TaskId};

use super::lifecycle::{self, Landing};
use super::{Change, InstanceChange, Outcome, Refusal, Task};

/// Every task of every account, and the accounts in arrears.
///
/// `Clone::clone_from` reuses the destination's allocations: model checkers clone a fleet
/// into a scratch copy for every event they try.
#[derive(Debug, Default, PartialEq, Eq, Hash)]
pub struct Fleet {
    /// Task `i` has id `i + 1`; deleted tasks stay.
    tasks: Vec<Task>,
    /// Sorted, without duplicates.
    arrears: Vec<AccountId>,
}

impl Clone for Fleet {
    fn clone(&self) -> Self {
        Fleet {
            tasks: self.tasks.clone(),
            arrears: self.arrears.clone(),
        }
    }

    #[inline]
    fn clone_from(&mut self, source: &Self) {
        self.tasks.clone_from(&source.tasks);
        self.arrears.clone_from(&source.arrears);
    }
}

impl Fleet {
    /// An empty fleet: no tasks, every account in credit.
    pub fn new() -> Fleet {
        Fleet::default()
    }

    /// Builds a fleet from parts that [`snapshot`](super::snapshot) has validated.
    pub(crate) fn from_parts(tasks: Vec<Task>, arrears: Vec<AccountId>) -> Fleet {
        Fleet { tasks, arrears }
    }

    /// Runs one command: the single entry point a control plane (or a harness replaying
    /// [`Command`]s) needs. On a refusal the fleet is unchanged.
    #[inline]
    pub fn execute(&mut self, command: &Command) -> Result<Outcome, Refusal> {
        match *command {
            Command::Create { account, mode } => self.create_outcome(account, mode),
            Command::Task {
                account,
                task,
                event,
            } => self.apply(account, task, event).map(Outcome::Task),
            Command::Arrears { account } => self.go_into_arrears(account),
            Command::Recharge { account } => self.recharge(account),
        }
    }

    /// [`create`](Self::create) as [`execute`](Self::execute) answers it: out of line, so
    /// that `execute` sets up no stack frame for the commands that do not need one.
    #[inline(never)]
    fn create_outcome(&mut self, account: AccountId, mode: Mode) -> Result<Outcome, Refusal> {
        self.create(account, mode).map(Outcome::Task)
    }

    /// *create(mode)*: a new task for `account`, with the next id, creating its instance.
    /// The change reports `Creating` as both `from` and `to` (there is no status before).
    pub fn create(&mut self, account: AccountId, mode: Mode) -> Result<Change, Refusal> {
        if self.in_arrears(account) {
            return Err(Refusal::AccountInArrears { account });
        }
        let id = TaskId(self.tasks.len() as u64 + 1);
        let task = Task::created(id, account, mode);
        self.tasks.push(task);
        Ok(Change {
            task: id,
            from: Status::Creating,
            to: Status::Creating,
            instance: InstanceChange::Unchanged,
            version: task.version,
        })
    }

    /// An event addressed to one task of `account`: a user operation or a report of the
    /// service. Billing events are refused here; they are addressed to the account
    /// ([`go_into_arrears`](Self::go_into_arrears), [`recharge`](Self::recharge)).
    #[inline]
    pub fn apply(
        &mut self,
        account: AccountId,
        task: TaskId,
        event: Event,
    ) -> Result<Change, Refusal> {
        let index = self.index_of(account, task)?;
        let current = &self.tasks[index];
        let refused = || Refusal::NotAllowed {
            task,
            status: current.status,
            mode: current.mode,
            event,
        };
        let Landing { status, phase } = lifecycle::react(current, event).ok_or_else(refused)?;

        // A task that lands where billing would freeze it, while its account is in arrears,
        // freezes now: billing does not wait for the next arrears notice.
        let freeze = lifecycle::is_freezable(status) && self.in_arrears(account);
        let instance = match event {
            Event::InstanceReady => InstanceChange::Acquired,
            Event::ReleaseDone => InstanceChange::Released,
            _ => InstanceChange::Unchanged,
        };

        let current = &mut self.tasks[index];
        let from = current.status;
        current.status = if freeze { Status::Frozen } else { status };
        current.frozen_from = if freeze { Some(status) } else { None };
        current.phase = phase;
        match instance {
            InstanceChange::Acquired => current.instance = true,
            InstanceChange::Released => current.instance = false,
            InstanceChange::Unchanged => {}
        }
        current.version = current.version.saturating_add(1);
        Ok(Change {
            task,
            from,
            to: current.status,
            instance,
            version: current.version,
        })
    }

    /// Billing reports the account in arrears: every freezable task of the account freezes,
    /// remembering its status (and that status's phase). Tasks in flight (creating,
    /// starting, recovering, releasing) are left alone; they freeze when they land.
    pub fn go_into_arrears(&mut self, account: AccountId) -> Result<Outcome, Refusal> {
        // The usual case, an account that sorts after every account in arrears (always so
        // when none is) with room to store it, is a push: no search and no call, so the
        // command sets up no stack frame. Anything else takes the general path.
        let appends = self.arrears.last().is_none_or(|&last| last < account);
        if !(appends && self.arrears.len() < self.arrears.capacity()) {
            return self.go_into_arrears_in_order(account);
        }
        self.arrears.push(account);
        Ok(self.freeze(account))
    }

    /// [`go_into_arrears`](Self::go_into_arrears) anywhere in the sorted list: a binary
    /// search, then an insertion that may shift the list or grow it.
    #[cold]
    #[inline(never)]
    fn go_into_arrears_in_order(&mut self, account: AccountId) -> Result<Outcome, Refusal> {
        match self.arrears.binary_search(&account) {
            Ok(_) => Err(Refusal::AlreadyInArrears { account }),
            Err(at) => {
                self.arrears.insert(at, account);
                Ok(self.freeze(account))
            }
        }
    }

    /// Freezes every freezable task of `account` (now in arrears).
    #[inline(always)]
    fn freeze(&mut self, account: AccountId) -> Outcome {
        let mut tasks_changed = 0u32;
        for task in &mut self.tasks {
            if task.account == account && lifecycle::is_freezable(task.status) {
                task.frozen_from = Some(task.status);
                task.status = Status::Frozen;
                task.version = task.version.saturating_add(1);
                tasks_changed = tasks_changed.saturating_add(1);
            }
        }
        Outcome::Account {
            account,
            in_arrears: true,
            tasks_changed,
        }
    }

    /// Billing reports the account recharged: every frozen task of the account returns to
    /// exactly the status (and phase) it froze.
    pub fn recharge(&mut self, account: AccountId) -> Result<Outcome, Refusal> {
        // The usual case, the last account in the list (the only one, when one is), is a
        // pop: no search and no call. Anything else takes the general path.
        if self.arrears.last() != Some(&account) {
            return self.recharge_in_order(account);
        }
        self.arrears.pop();
        Ok(self.unfreeze(account))
    }

    /// [`recharge`](Self::recharge) anywhere in the sorted list: a binary search, then a
    /// removal that shifts the rest of the list.
    #[cold]
    #[inline(never)]
    fn recharge_in_order(&mut self, account: AccountId) -> Result<Outcome, Refusal> {
        let at = self
            .arrears
            .binary_search(&account)
            .map_err(|_| Refusal::NotInArrears { account })?;
        self.arrears.remove(at);
        Ok(self.unfreeze(account))
    }

    /// Returns every frozen task of `account` (now recharged) to the status it froze.
    #[inline(always)]
    fn unfreeze(&mut self, account: AccountId) -> Outcome {
        let mut tasks_changed = 0u32;
        for task in &mut self.tasks {
            if task.account == account
                && task.status == Status::Frozen
                && let Some(before) = task.frozen_from.take()
            {
                task.status = before;
                task.version = task.version.saturating_add(1);
                tasks_changed = tasks_changed.saturating_add(1);
            }
        }
        Outcome::Account {
            account,
            in_arrears: false,
            tasks_changed,
        }
    }

    /// A query by id. A deleted task still answers (as `Deleted`); a task of another
    /// account answers [`Refusal::NotFound`], exactly like an id never handed out.
    #[inline]
    pub fn get(&self, account: AccountId, task: TaskId) -> Result<&Task, Refusal> {
        self.index_of(account, task).map(|index| &self.tasks[index])
    }

    /// The account's task list, in id order: every task of the account but deleted ones.
    pub fn list(&self, account: AccountId) -> impl Iterator<Item = &Task> {
        self.tasks
            .iter()
            .filter(move |task| task.account == account && task.status != Status::Deleted)
    }

    /// Every task of every account in id order, deleted ones included: what harnesses
    /// compare, not what a user sees.
    #[inline]
    pub fn tasks(&self) -> &[Task] {
        &self.tasks
    }

    /// Whether billing has the account in arrears.
    #[inline]
    pub fn in_arrears(&self, account: AccountId) -> bool {
        // Usually no account is in arrears; skip the search then.
        !self.arrears.is_empty() && self.arrears.binary_search(&account).is_ok()
    }

    /// The accounts in arrears, sorted.
    #[inline]
    pub fn accounts_in_arrears(&self) -> &[AccountId] {
        &self.arrears
    }

    /// Mutable access to any task by id, whatever its account, for the crate's
    /// fault-injection wrappers.
    #[allow(dead_code)] // used by the model's fault injection and by tests
    pub(crate) fn task_mut(&mut self, task: TaskId) -> Option<&mut Task> {
        let index = usize::try_from(task.0).ok()?.checked_sub(1)?;
        self.tasks.get_mut(index)
    }

    /// The index of `account`'s task `task`, or `NotFound` (never revealing whether the id
    /// exists for another account).
    #[inline]
    fn index_of(&self, account: AccountId, task: TaskId) -> Result<usize, Refusal> {
        let not_found = Refusal::NotFound { account, task };
        let index = usize::try_from(task.0)
            .ok()
            .and_then(|id| id.checked_sub(1))
            .ok_or(not_found)?;
        match self.tasks.get(index) {
            Some(found) if found.account == account => Ok(index),
            _ => Err(not_found),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{HashSet, VecDeque};

    use super::*;
    use crate::engine::snapshot;

    /// Every command a fleet of at most `max_tasks` tasks over two accounts can be sent,
    /// including ids that do not exist and events addressed to the wrong account.
    fn commands(fleet: &Fleet, max_tasks: usize) -> Vec<Command> {
        let mut commands = Vec::new();
        for account in [AccountId(0), AccountId(1)] {
            if fleet.tasks().len() < max_tasks {
                for mode in Mode::ALL {
                    commands.push(Command::Create { account, mode });
                }
            }
            commands.push(Command::Arrears { account });
            commands.push(Command::Recharge { account });
            for id in 0..=fleet.tasks().len() as u64 + 1 {
                for event in Event::KINDS {
                    commands.push(Command::Task {
                        account,
                        task: TaskId(id),
                        event,
                    });
                }
            }
        }
        commands
    }

    /// The fleet without versions: versions grow on every cycle (pause, resume, pause, …),
    /// so the exploration compares states without them to stay finite.
    fn unversioned(fleet: &Fleet) -> Fleet {
        let mut key = fleet.clone();
        for task in &mut key.tasks {
            task.version = 0;
        }
        key
    }

    /// Explores every fleet of two tasks the engine can reach and checks, in each, that the
    /// state is one a snapshot accepts, that a refusal changed nothing, and that an accepted
    /// change bumped exactly the versions of the tasks it reports.
    #[test]
    fn every_reachable_fleet_of_two_tasks_is_well_formed() {
        let mut seen = HashSet::new();
        let mut queue = VecDeque::from([Fleet::new()]);
        seen.insert(unversioned(&Fleet::new()));
        let mut scratch = Fleet::new();
        while let Some(fleet) = queue.pop_front() {
            assert_eq!(snapshot::check(&fleet), Ok(()), "{fleet:?}");
            for command in commands(&fleet, 2) {
                scratch.clone_from(&fleet);
                match scratch.execute(&command) {
                    Err(_) => assert_eq!(scratch, fleet, "{command}"),
                    Ok(outcome) => {
                        let bumped = scratch
                            .tasks()
                            .iter()
                            .zip(fleet.tasks())
                            .filter(|(after, before)| after.version == before.version + 1)
                            .count();
                        match outcome {
                            Outcome::Task(change) if matches!(command, Command::Create { .. }) => {
                                assert_eq!(change.version, 1);
                                assert_eq!(bumped, 0);
                            }
                            Outcome::Task(change) => {
                                assert_eq!(bumped, 1, "{command}");
                                assert_eq!(
                                    change.to,
                                    scratch.tasks[change.task.0 as usize - 1].status
                                );
                            }
                            Outcome::Account { tasks_changed, .. } => {
                                assert_eq!(bumped, tasks_changed as usize, "{command}");
                            }
                        }
                        if seen.insert(unversioned(&scratch)) {
                            queue.push_back(scratch.clone());
                        }
                    }
                }
            }
        }
        assert!(seen.len() > 1_000, "explored only {} fleets", seen.len());
    }

    #[test]
    fn clone_from_reuses_the_allocation() {
        let mut source = Fleet::new();
        for _ in 0..10 {
            source.create(AccountId(0), Mode::Full).expect("create");
        }
        let mut scratch = source.clone();
        let before = scratch.tasks.as_ptr();
        source
            .apply(AccountId(0), TaskId(1), Event::InstanceReady)
            .expect("ready");
        scratch.clone_from(&source);
        assert_eq!(scratch.tasks.as_ptr(), before);
        assert_eq!(scratch, source);
    }

    #[test]
    fn task_mut_reaches_any_task_by_id() {
        let mut fleet = Fleet::new();
        fleet.create(AccountId(3), Mode::Full).expect("create");
        assert!(fleet.task_mut(TaskId(0)).is_none());
        assert!(fleet.task_mut(TaskId(2)).is_none());
        let task = fleet.task_mut(TaskId(1)).expect("task 1");
        task.status = Status::Ended;
        assert_eq!(fleet.tasks()[0].status(), Status::Ended);
    }

    /// Billing's fast paths (an account appended at the end of the list with room for it, the
    /// last account recharged) answer exactly as the general paths would: the same result,
    /// the same fleet, and the list stays sorted without duplicates. Random billing over
    /// accounts that include the largest ids, with tasks of each, and with the list's spare
    /// room taken away now and then so that appends must grow it.
    #[test]
    fn billing_fast_paths_answer_as_the_general_paths() {
        use rand::{Rng, SeedableRng, rngs::SmallRng};
        let accounts = [0, 1, 2, 5, u32::MAX - 1, u32::MAX].map(AccountId);
        let mut rng = SmallRng::seed_from_u64(11);
        let (mut fast_appends, mut fast_pops) = (0, 0);
        for _ in 0..300 {
            let mut fleet = Fleet::new();
            for &account in &accounts {
                fleet.create(account, Mode::Full).expect("create");
                for event in [Event::InstanceReady, Event::StartNow, Event::StartSucceeded] {
                    let task = TaskId(fleet.tasks().len() as u64);
                    fleet
                        .apply(account, task, event)
                        .expect("to full migration");
                }
            }
            for _ in 0..40 {
                if rng.random_bool(0.2) {
                    fleet.arrears.shrink_to_fit();
                }
                let account = accounts[rng.random_range(0..accounts.len())];
                let mut general = fleet.clone();
                let (fast, slow) = if rng.random_bool(0.5) {
                    if fleet.arrears.last().is_none_or(|&last| last < account)
                        && fleet.arrears.len() < fleet.arrears.capacity()
                    {
                        fast_appends += 1;
                    }
                    (
                        fleet.go_into_arrears(account),
                        general.go_into_arrears_in_order(account),
                    )
                } else {
                    if fleet.arrears.last() == Some(&account) {
                        fast_pops += 1;
                    }
                    (fleet.recharge(account), general.recharge_in_order(account))
                };
                assert_eq!(fast, slow, "{account:?}");
                assert_eq!(fleet, general, "{account:?}");
                assert!(
                    fleet.arrears.windows(2).all(|pair| pair[0] < pair[1]),
                    "{:?}",
                    fleet.arrears
                );
            }
        }
        assert!(
            fast_appends > 100 && fast_pops > 100,
            "{fast_appends} {fast_pops}"
        );
    }
}
