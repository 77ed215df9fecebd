//! `drive --cover-fleet`'s tour of two tasks over two accounts, computed from the
//! specification: every command of every state it reaches is sent in that state, the states
//! are those of the fleet model, it costs at most two commands per pair, and the shortest
//! case of a pair reaches the pair's state. (A binary of its own: the tour and the checks
//! take a few hundred megabytes, which would disturb the library's memory tests beside it.)

use std::collections::HashSet;

use drs_lifecycle::drive::FleetTour;
use drs_lifecycle::spec::FleetSpec;

type Fleet = FleetSpec<2>;

#[test]
fn the_fleet_tour_sends_every_command_of_every_state_it_reaches() {
    let tour = FleetTour::new();
    let count = tour.count(None);
    assert_eq!(count.covered, count.total, "{count:?}");
    assert_eq!(count.resets + 1, tour.len());
    let mut sent: HashSet<(Fleet, drs_lifecycle::spec::Command)> = HashSet::new();
    let mut states = HashSet::new();
    let mut commands = 0;
    for s in 0..tour.len() {
        let case = tour.case(s);
        assert_eq!(case.accounts, 2);
        let mut fleet = Fleet::new();
        states.insert(fleet);
        for command in &case.commands {
            sent.insert((fleet, *command));
            fleet = fleet.apply(command).unwrap_or(fleet);
            states.insert(fleet);
            commands += 1;
        }
    }
    assert_eq!(commands, count.commands);
    // The states the stretches reach are the tour's states, as many as the fleet model's
    // 58,084 states of two tasks over two accounts at most (the model's states carry each
    // task's history as well).
    assert_eq!(states.len(), count.states);
    assert!(count.states > 50_000 && count.states <= 58_084, "{count:?}");
    for state in &states {
        for command in FleetTour::commands(state) {
            assert!(
                sent.contains(&(*state, command)),
                "{command} never sent in {state:?}"
            );
        }
    }
    assert_eq!(sent.len(), count.total);
    println!("{count:?}: {:.3} commands per pair", count.ratio());
    assert!(count.ratio() <= 2.0, "{count:?}");
}

#[test]
fn the_shortest_case_of_a_pair_reaches_its_state_and_sends_its_command() {
    let tour = FleetTour::new();
    for s in (0..tour.len()).step_by(97) {
        let case = tour.case(s);
        for i in (0..case.commands.len()).step_by(7) {
            let shortest = tour.shortest_case(s, i).expect("reachable");
            let reach = |commands: &[drs_lifecycle::spec::Command]| {
                commands.iter().fold(Fleet::new(), |fleet, command| {
                    fleet.apply(command).unwrap_or(fleet)
                })
            };
            let (last, path) = shortest.commands.split_last().expect("a command");
            assert_eq!(
                reach(path),
                reach(&case.commands[..i]),
                "stretch {s}, step {i}"
            );
            assert_eq!(*last, case.commands[i]);
            assert!(shortest.commands.len() <= i + 1);
        }
    }
}
