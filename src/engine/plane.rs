//! The reference engine as a [`ControlPlane`]: the implementation every check of this
//! project has always run, now through the door any implementation uses.

use std::hash::Hasher;

use crate::plane::{self, ControlPlane, Exhaustive, TaskView};
use crate::spec::{AccountId, Command, Refused, TaskId};

use super::{Fleet, Outcome, Refusal, Task};

impl plane::Refusal for Refusal {
    fn kind(&self) -> Refused {
        Refusal::kind(self)
    }
}

/// The specification's view of one engine task.
#[inline]
pub fn view(task: &Task) -> TaskView {
    TaskView {
        id: task.id,
        account: task.account,
        mode: task.mode,
        status: task.status,
        phase: task.phase,
        frozen_from: task.frozen_from,
        holds_instance: task.instance,
        version: task.version,
    }
}

impl ControlPlane for Fleet {
    type Refusal = Refusal;

    #[inline]
    fn execute(&mut self, command: &Command) -> Result<Outcome, Refusal> {
        Fleet::execute(self, command)
    }

    #[inline]
    fn tasks(&self) -> impl Iterator<Item = TaskView> + '_ {
        Fleet::tasks(self).iter().map(view)
    }

    #[inline]
    fn listed(&self, account: AccountId) -> impl Iterator<Item = TaskId> + '_ {
        self.list(account).map(Task::id)
    }

    #[inline]
    fn accounts_in_arrears(&self) -> impl Iterator<Item = AccountId> + '_ {
        Fleet::accounts_in_arrears(self).iter().copied()
    }

    fn query(&self, account: AccountId, task: TaskId) -> Option<TaskView> {
        self.get(account, task).ok().map(view)
    }

    fn restored(&self) -> Option<Result<Self, String>> {
        Some(Fleet::from_json(&self.to_json()).map_err(|error| error.to_string()))
    }
}

/// The key leaves out versions: they only count changes and never decide behaviour, and
/// keeping them would make every pause/resume cycle a new state. Two words per task rather
/// than a field-by-field walk: hashing is in the checker's inner loop, and stateright takes
/// the 64-bit hash as the state's identity, so every field that equality compares goes in.
impl Exhaustive for Fleet {
    #[inline]
    fn hash_key<H: Hasher>(&self, hasher: &mut H) {
        let tasks = Fleet::tasks(self);
        hasher.write_usize(tasks.len());
        for task in tasks {
            let phase = task.phase.map_or(0, |phase| phase as u64 + 1);
            let frozen = task.frozen_from.map_or(0, |status| status as u64 + 1);
            hasher.write_u64(task.id.0);
            hasher.write_u64(
                u64::from(task.account.0)
                    | (task.status as u64) << 32
                    | (task.mode as u64) << 40
                    | phase << 48
                    | frozen << 52
                    | u64::from(task.instance) << 60,
            );
        }
        for account in Fleet::accounts_in_arrears(self) {
            hasher.write_u64(u64::from(account.0) | 1 << 32);
        }
    }

    #[inline]
    fn same_key(&self, other: &Self) -> bool {
        let key = |task: &Task| {
            (
                task.id,
                task.account,
                task.mode,
                task.status,
                task.phase,
                task.frozen_from,
                task.instance,
            )
        };
        Fleet::tasks(self)
            .iter()
            .map(key)
            .eq(Fleet::tasks(other).iter().map(key))
            && Fleet::accounts_in_arrears(self) == Fleet::accounts_in_arrears(other)
    }

    fn empty() -> Self {
        Fleet::new()
    }

    /// The fleet's own equality: every field of every task (versions included; each task
    /// compared without a branch per field) and the accounts in arrears, which is what its
    /// views show.
    #[inline]
    fn unchanged_since(&self, before: &Self) -> bool {
        let (now, then) = (Fleet::tasks(self), Fleet::tasks(before));
        now.len() == then.len()
            && now.iter().zip(then).all(|(now, then)| now.identical(then))
            && self.accounts_in_arrears() == before.accounts_in_arrears()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Event, Mode};
    use rand::{SeedableRng, rngs::SmallRng};

    /// The hash of a fleet's key (a fixed hasher: the same fleet always gives the same).
    fn key_hash(fleet: &Fleet) -> u64 {
        let mut hasher = std::hash::DefaultHasher::new();
        fleet.hash_key(&mut hasher);
        hasher.finish()
    }

    /// A random command over two accounts and task ids `1..=tasks`: a creation or a billing
    /// event one time in `odds` each, otherwise an event addressed to a task.
    fn random_command(rng: &mut SmallRng, odds: u32, tasks: u64) -> Command {
        crate::spec::random_command(rng, 2, odds, tasks, &Event::ON_TASK)
    }

    #[test]
    fn the_engine_answers_through_the_trait_as_it_does_directly() {
        let mut fleet = Fleet::new();
        let account = AccountId(0);
        ControlPlane::execute(
            &mut fleet,
            &Command::Create {
                account,
                mode: Mode::Full,
            },
        )
        .expect("created");
        let refused = ControlPlane::execute(
            &mut fleet,
            &Command::Task {
                account,
                task: TaskId(1),
                event: Event::Pause,
            },
        )
        .expect_err("a creating task cannot pause");
        assert_eq!(plane::Refusal::kind(&refused), Refused::NotAllowed);
        let views: Vec<TaskView> = ControlPlane::tasks(&fleet).collect();
        assert_eq!(views.len(), 1);
        assert_eq!(views[0].version, 1);
        assert_eq!(fleet.listed(account).collect::<Vec<_>>(), [TaskId(1)]);
        // A query by its owner shows the task; by another account, nothing.
        assert_eq!(fleet.query(account, TaskId(1)), Some(views[0]));
        assert_eq!(fleet.query(AccountId(1), TaskId(1)), None);
        // The snapshot round trip gives the same fleet back, versions included.
        let restored = fleet.restored().expect("snapshots").expect("restores");
        assert_eq!(restored, fleet);
    }

    /// The key the conformance model hashes tells apart the engine states it must: two
    /// fleets have the same key exactly when they show the same tasks (versions aside) and
    /// arrears, and every pair of fleets with different keys reached by random commands
    /// hashes differently.
    #[test]
    fn different_keys_hash_differently() {
        let mut rng = SmallRng::seed_from_u64(11);
        let mut fleets: Vec<Fleet> = Vec::new();
        for _ in 0..40 {
            let mut fleet = Fleet::new();
            for _ in 0..30 {
                let command = random_command(&mut rng, 8, 3);
                let _ = ControlPlane::execute(&mut fleet, &command);
                fleets.push(fleet.clone());
            }
        }
        // What the key stands for: every task without its version, and the arrears.
        let key = |fleet: &Fleet| {
            let tasks: Vec<TaskView> = ControlPlane::tasks(fleet)
                .map(|task| TaskView { version: 0, ..task })
                .collect();
            (tasks, Fleet::accounts_in_arrears(fleet).to_vec())
        };
        let (mut distinct, mut same) = (0, 0);
        for (i, a) in fleets.iter().enumerate() {
            for b in &fleets[..i] {
                assert_eq!(a.same_key(b), key(a) == key(b), "{a:?} and {b:?}");
                same += usize::from(a.same_key(b));
                if !a.same_key(b) {
                    distinct += 1;
                    assert_ne!(key_hash(a), key_hash(b), "{a:?} and {b:?}");
                }
            }
        }
        assert!(
            distinct > 10_000 && same > 100,
            "{distinct} and {same} pairs"
        );
    }

    /// The engine answers `unchanged_since` with its own equality, faster than the trait's
    /// default; it must agree with what an observer sees (`Observed`), after accepted and
    /// refused commands alike, or the conformance model could pass a refusal that changed
    /// something.
    #[test]
    fn unchanged_since_agrees_with_what_an_observer_sees() {
        let mut rng = SmallRng::seed_from_u64(7);
        let (mut changed, mut unchanged) = (0, 0);
        for _ in 0..200 {
            let mut fleet = Fleet::new();
            for _ in 0..60 {
                let command = random_command(&mut rng, 10, 4);
                let before = fleet.clone();
                let mut seen = plane::Observed::default();
                seen.capture(&before);
                let _ = ControlPlane::execute(&mut fleet, &command);
                let same = fleet.unchanged_since(&before);
                assert_eq!(same, seen.matches(&fleet), "after {command:?}");
                if same {
                    unchanged += 1;
                } else {
                    changed += 1;
                }
            }
        }
        // Both answers were tried many times.
        assert!(changed > 1000 && unchanged > 1000, "{changed} {unchanged}");
    }

    /// Fleets whose only difference is a field the status does not imply: the phase a
    /// paused task returns to, or the status a frozen task froze. Their keys differ, so
    /// their hashes must (random fleets rarely meet such a pair).
    #[test]
    fn a_remembered_phase_or_frozen_status_alone_changes_the_hash() {
        let account = AccountId(0);
        let run = |events: &[Event], arrears: bool| {
            let mut fleet = Fleet::new();
            let create = Command::Create {
                account,
                mode: Mode::FullIncremental,
            };
            ControlPlane::execute(&mut fleet, &create).expect("created");
            for &event in events {
                let command = Command::Task {
                    account,
                    task: TaskId(1),
                    event,
                };
                ControlPlane::execute(&mut fleet, &command).expect("accepted");
            }
            if arrears {
                ControlPlane::execute(&mut fleet, &Command::Arrears { account }).expect("arrears");
            }
            fleet
        };
        use Event::*;
        let full = [InstanceReady, StartNow, StartSucceeded];
        let incremental = [
            InstanceReady,
            StartNow,
            StartSucceeded,
            FullDone,
            IncrementalBegun,
        ];
        let pairs = [
            // Paused, returning to the full phase or to the incremental phase.
            (
                run(&[&full[..], &[Pause]].concat(), false),
                run(&[&incremental[..], &[Pause]].concat(), false),
            ),
            // Frozen from the full phase or from the incremental phase.
            (run(&full, true), run(&incremental, true)),
        ];
        for (a, b) in &pairs {
            assert!(!a.same_key(b), "{a:?} and {b:?}");
            assert_ne!(key_hash(a), key_hash(b), "{a:?} and {b:?}");
        }
    }
}
