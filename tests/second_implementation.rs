//! A second, independent implementation (`examples/ledger/`) held to the specification
//! through the public API only, as a user would hold theirs: the fuzzer through
//! `ControlPlane`, and the exhaustive conformance model through `Exhaustive`.

#[path = "../examples/ledger/plane.rs"]
mod plane;

use drs_lifecycle::check::conformance;
use drs_lifecycle::fuzz::{COMPACT_CAPACITY, Settings, fuzz};
use drs_lifecycle::model::FleetModel;
use drs_lifecycle::spec::Mode;

use plane::Ledger;

#[test]
fn the_second_implementation_survives_the_default_fuzzing_campaign() {
    let summary = fuzz::<COMPACT_CAPACITY, _>(Ledger::default, &Settings::default())
        .unwrap_or_else(|counterexample| panic!("{counterexample}"));
    println!("{summary}");
    assert_eq!(summary.coverage.edges, summary.coverage.edges_total);
    assert!(summary.stats.refused_total() > summary.stats.steps / 5);
}

#[test]
fn the_second_implementation_conforms_in_every_state_of_two_tasks_over_two_accounts() {
    let model = FleetModel::<Ledger>::conformance_of(2, 2, &Mode::ALL).expect("within limits");
    let result = conformance(&model, 1_000_000).expect("fits the bound");
    assert!(result.holds(), "{result}");
    // The reference engine's pinned count (models/conformance-2x2.toml): both
    // implementations reach exactly the specification's states.
    assert_eq!(result.unique_states, 58_084);
    assert!(result.unreached.is_empty());
}

/// The check can fail: a ledger that lets a paused job be deleted is caught, with the
/// shortest path to the first bad state.
#[test]
fn a_broken_second_implementation_is_caught_with_a_shortest_counterexample() {
    use drs_lifecycle::plane::{ControlPlane, Exhaustive, Outcome, TaskView};
    use drs_lifecycle::spec::{AccountId, Command, Event, Refused, Status, TaskId};

    /// Deletes a paused task (the specification allows delete only from CreateFailed or
    /// Ended).
    #[derive(Clone, Default)]
    struct Careless(Ledger);

    impl ControlPlane for Careless {
        type Refusal = Refused;
        fn execute(&mut self, command: &Command) -> Result<Outcome, Refused> {
            if let Command::Task {
                account,
                task,
                event: Event::Delete,
            } = *command
                && self
                    .0
                    .query(account, task)
                    .is_some_and(|t| t.status == Status::Paused)
            {
                // Pretend the service deleted it: run the real path to Deleted instead.
                for event in [Event::End, Event::ReleaseBegun, Event::ReleaseDone] {
                    let _ = self.0.execute(&Command::Task {
                        account,
                        task,
                        event,
                    });
                }
            }
            self.0.execute(command)
        }
        fn tasks(&self) -> impl Iterator<Item = TaskView> + '_ {
            self.0.tasks()
        }
        fn listed(&self, account: AccountId) -> impl Iterator<Item = TaskId> + '_ {
            self.0.listed(account)
        }
        fn accounts_in_arrears(&self) -> impl Iterator<Item = AccountId> + '_ {
            self.0.accounts_in_arrears()
        }
    }

    impl Exhaustive for Careless {
        fn hash_key<H: std::hash::Hasher>(&self, hasher: &mut H) {
            self.0.hash_key(hasher)
        }
        fn same_key(&self, other: &Self) -> bool {
            self.0.same_key(&other.0)
        }
        fn empty() -> Self {
            Careless::default()
        }
    }

    let model = FleetModel::<Careless>::conformance_of(1, 1, &Mode::ALL).expect("within limits");
    let result = conformance(&model, 100_000).expect("fits the bound");
    assert!(!result.holds());
    println!("{result}");
    let broken: Vec<(&str, usize)> = result
        .broken
        .iter()
        .map(|(claim, trace)| (claim.name(), trace.steps.len()))
        .collect();
    // create, instance ready, start now, start succeeded, pause, delete: the implementation
    // disagrees with the specification, and its state breaks safety claims as well (the
    // instance it released on the way is not one the specification saw go).
    assert_eq!(
        broken,
        [
            ("delete only from CreateFailed or Ended", 6),
            ("instance held exactly while needed", 6),
            ("engine refines the specification", 6)
        ]
    );

    let found = fuzz::<COMPACT_CAPACITY, _>(Careless::default, &Settings::default())
        .expect_err("the fuzzer catches it too");
    assert_eq!(found.case.commands.len(), 6, "{found}");
}

/// The distributed control plane's controller owns any implementation: with the ledger as
/// its fleet, the actor model of `models/actors.toml` reaches the same states as with the
/// reference engine, and no claim breaks.
#[test]
fn the_second_implementation_runs_the_distributed_control_plane() {
    use drs_lifecycle::check::config::Subject;
    use drs_lifecycle::model::Tally;
    use drs_lifecycle::model::claims::all;
    use stateright::{Checker, Model};

    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/actors.toml");
    let config = drs_lifecycle::check::load(&path).expect("the shipped configuration loads");
    let Subject::Actors(mut system) = config.subject else {
        panic!("models/actors.toml is an actor configuration");
    };
    let tally = Tally::new();
    system.tally = tally.clone();
    let checker = system
        .into_model_of::<Ledger>(false)
        .checker()
        .threads(2)
        .spawn_dfs()
        .join();
    let broken: Vec<&str> = all()
        .filter(|&id| tally.violated(id))
        .map(|id| id.name())
        .collect();
    assert!(broken.is_empty(), "{broken:?}");
    assert_eq!(
        Some(checker.unique_state_count()),
        config.expect.unique_states,
        "the ledger reaches the reference engine's states"
    );
}
