//! `drive --cover-fleet`: the transition tour of a fleet of two tasks over two accounts.
//!
//! The single-task tour ([`super::Tour`]) holds one task to every rule; what it cannot show
//! is two tasks meeting: an id handed out twice, billing that freezes the other account's
//! task or forgets one of its own, a listing that shows a neighbour's task, a deleted task
//! that a neighbour's command brings back. The conformance model checks those in-process
//! on every reachable state of two tasks over two accounts; this tour sends the same
//! commands to a program, in every one of those states, at least once, refusals included.
//!
//! A *state* is the specification's fleet (both tasks, whichever exist, and the two
//! accounts' standing); its *commands* are the conformance model's: a creation in each
//! mode for each account while a task slot is free; every event addressed to each task by
//! its owner (the billing events addressed to a task included, refused); every event the
//! owner could send now, sent by the other account; one event to the id nobody was given;
//! each account's *arrears* and *recharge*. The walk is the single-task tour's: an
//! uncovered pair of the current state, refusals first (they stay put), else the shortest
//! path to the nearest state with one, and a reset only where none is reachable (both
//! tasks ended or deleted, say). Each stretch between resets is a case, run like any other
//! (pipelined under protocol 2); a failure is shrunk from the shortest case of its pair
//! and saved.
//!
//! The state space is about sixty thousand fleets and four million pairs, so the tour is
//! kept compact: the commands of every state in one array, each step of the walk as the
//! index of its pair (the top bit marks the first time a pair is sent), and a stretch's
//! commands are read off when it is run.

use std::collections::{HashMap, VecDeque};

use crate::fuzz::Case;
use crate::spec::{AccountId, Command, Event, FleetSpec, Mode, Source, TaskId};

/// The fleet the tour covers: two tasks.
const TASKS: usize = 2;
/// Over two accounts.
const ACCOUNTS: u32 = 2;

type Fleet = FleetSpec<TASKS>;

/// Marks the first time a pair is sent, in a step of the walk.
const FIRST: u32 = 1 << 31;
/// No pair.
const NONE: u32 = u32::MAX;
/// How many states a search for the nearest state with pairs left may visit before the walk
/// resets instead and goes to the first such state by its shortest path from the empty
/// fleet. Unbounded, a search from a state whose whole region is covered visits the region
/// every time (tens of thousands of states, some thousands of times: minutes); bounded, a
/// reset costs a few commands more than the path a full search would have found.
const SEARCH_BUDGET: usize = 64;

/// The tour of two tasks over two accounts, computed from the specification alone.
pub struct FleetTour {
    nodes: Vec<Fleet>,
    /// The pairs of state `i` are `offsets[i]..offsets[i + 1]`.
    offsets: Vec<u32>,
    /// Each pair's command.
    commands: Vec<Command>,
    /// Each pair's next state.
    next: Vec<u32>,
    /// The pair by which the breadth-first exploration first reached each state (`NONE`
    /// for the empty fleet): a tree of shortest paths from the empty fleet.
    parent: Vec<u32>,
    /// The stretches between resets: each step is a pair, `FIRST` set on its first time.
    stretches: Vec<Vec<u32>>,
}

/// What the fleet tour covered, and what it cost.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FleetCount {
    /// The reachable states of two tasks over two accounts (the empty fleet included).
    pub states: usize,
    /// Pairs sent at least once.
    pub covered: usize,
    /// Every pair.
    pub total: usize,
    /// Commands sent.
    pub commands: usize,
    /// Resets (the first one, to start, not counted).
    pub resets: usize,
}

impl FleetCount {
    /// Commands sent per pair covered.
    pub fn ratio(&self) -> f64 {
        self.commands as f64 / self.covered.max(1) as f64
    }
}

/// The commands of a state, in a fixed order: the conformance model's.
fn commands_of(fleet: &Fleet, out: &mut Vec<Command>) {
    let accounts = (0..ACCOUNTS).map(AccountId);
    if fleet.len() < TASKS {
        for account in accounts.clone() {
            for mode in Mode::ALL {
                out.push(Command::Create { account, mode });
            }
        }
    }
    for (index, slot) in fleet.slots().iter().enumerate() {
        let task = TaskId(index as u64 + 1);
        let owner = AccountId(slot.account.into());
        for event in Event::ON_TASK {
            out.push(Command::Task {
                account: owner,
                task,
                event,
            });
        }
        let could = Event::ON_TASK.into_iter().filter(|&event| {
            event.source() != Source::Billing && crate::spec::step(&slot.task, event).is_some()
        });
        for event in could {
            for other in accounts.clone().filter(|&other| other != owner) {
                out.push(Command::Task {
                    account: other,
                    task,
                    event,
                });
            }
        }
    }
    out.push(Command::Task {
        account: AccountId(0),
        task: fleet.next_id(),
        event: Event::StartNow,
    });
    for account in accounts {
        out.push(Command::Arrears { account });
        out.push(Command::Recharge { account });
    }
}

impl FleetTour {
    /// Every reachable state, its commands, and a walk that sends each pair at least once.
    pub fn new() -> FleetTour {
        let mut tour = FleetTour::explore();
        tour.walk();
        tour
    }

    /// The reachable states, breadth first from the empty fleet, and their commands.
    fn explore() -> FleetTour {
        let mut index: HashMap<Fleet, u32> = HashMap::new();
        let mut nodes = vec![Fleet::new()];
        index.insert(Fleet::new(), 0);
        let mut offsets = vec![0];
        let mut commands = Vec::new();
        let mut next = Vec::new();
        let mut parent = vec![NONE];
        let mut at = 0;
        while at < nodes.len() {
            let fleet = nodes[at];
            let first = commands.len();
            commands_of(&fleet, &mut commands);
            for (pair, command) in commands.iter().enumerate().skip(first) {
                let after = fleet.apply(command).unwrap_or(fleet);
                let id = *index.entry(after).or_insert_with(|| {
                    nodes.push(after);
                    parent.push(pair as u32);
                    (nodes.len() - 1) as u32
                });
                next.push(id);
            }
            offsets.push(commands.len() as u32);
            at += 1;
        }
        assert!(commands.len() < FIRST as usize, "pairs fit a step's bits");
        FleetTour {
            nodes,
            offsets,
            commands,
            next,
            parent,
            stretches: Vec::new(),
        }
    }

    fn pairs(&self, node: u32) -> std::ops::Range<u32> {
        self.offsets[node as usize]..self.offsets[node as usize + 1]
    }

    fn node_of(&self, pair: u32) -> u32 {
        (self.offsets.partition_point(|&start| start <= pair) - 1) as u32
    }

    /// The pairs of a shortest path from the empty fleet to `node`.
    fn path_from_empty(&self, node: u32) -> Vec<u32> {
        let mut path = Vec::new();
        let mut at = node;
        while self.parent[at as usize] != NONE {
            let pair = self.parent[at as usize];
            path.push(pair);
            at = self.node_of(pair);
        }
        path.reverse();
        path
    }

    /// The walk: an uncovered pair of the current state (refusals first, then one that
    /// leads to a state with pairs left), else the shortest path to the nearest state with
    /// one (within [`SEARCH_BUDGET`] states), else a reset and the shortest path from the
    /// empty fleet to the first state, in breadth-first order, with pairs left.
    fn walk(&mut self) {
        let mut covered = vec![false; self.commands.len()];
        let mut left: Vec<u32> = (0..self.nodes.len() as u32)
            .map(|node| self.pairs(node).len() as u32)
            .collect();
        let mut remaining = self.commands.len();
        let mut stretch = Vec::new();
        let mut here = 0u32;
        let mut search = Search::new(self.nodes.len());
        // States before this one (in breadth-first order) have no pairs left.
        let mut cursor = 0usize;
        while remaining > 0 {
            let open = self.pairs(here).filter(|&pair| !covered[pair as usize]);
            let choice = open.min_by_key(|&pair| {
                let to = self.next[pair as usize];
                (to != here, left[to as usize] == 0)
            });
            let path = match choice {
                Some(pair) => vec![pair],
                None => match search
                    .nearest(self, here, SEARCH_BUDGET, |node| left[node as usize] > 0)
                {
                    Some(path) => path,
                    None => {
                        while left[cursor] == 0 {
                            cursor += 1;
                        }
                        self.stretches.push(std::mem::take(&mut stretch));
                        here = 0;
                        self.path_from_empty(cursor as u32)
                    }
                },
            };
            for pair in path {
                let mut step = pair;
                if !covered[pair as usize] {
                    covered[pair as usize] = true;
                    left[self.node_of(pair) as usize] -= 1;
                    remaining -= 1;
                    step |= FIRST;
                }
                stretch.push(step);
                here = self.next[pair as usize];
            }
        }
        if !stretch.is_empty() {
            self.stretches.push(stretch);
        }
        self.stretches.retain(|stretch| !stretch.is_empty());
    }

    /// The commands the tour sends in a state of two tasks over two accounts, in its order:
    /// the conformance model's (a creation in each mode for each account while a slot is
    /// free; each event to each task from its owner; each event the owner could send now,
    /// from the other account; an event to the id nobody was given; each account's billing).
    pub fn commands(fleet: &FleetSpec<TASKS>) -> Vec<Command> {
        let mut out = Vec::new();
        commands_of(fleet, &mut out);
        out
    }

    /// How many stretches (cases) the tour has.
    pub fn len(&self) -> usize {
        self.stretches.len()
    }

    /// Whether the tour has no stretch (never: the empty fleet has commands).
    pub fn is_empty(&self) -> bool {
        self.stretches.is_empty()
    }

    /// Stretch `index` as a case.
    pub fn case(&self, index: usize) -> Case {
        Case {
            accounts: ACCOUNTS,
            snapshot_at: None,
            commands: self.stretches[index]
                .iter()
                .map(|&step| self.commands[(step & !FIRST) as usize])
                .collect(),
        }
    }

    /// What the tour covers up to and including command `step` of stretch `stretch`
    /// (everything: `None`).
    pub fn count(&self, until: Option<(usize, usize)>) -> FleetCount {
        let mut count = FleetCount {
            states: self.nodes.len(),
            total: self.commands.len(),
            ..FleetCount::default()
        };
        'stretches: for (s, stretch) in self.stretches.iter().enumerate() {
            if s > 0 {
                count.resets += 1;
            }
            for (i, &step) in stretch.iter().enumerate() {
                count.commands += 1;
                if step & FIRST != 0 {
                    count.covered += 1;
                }
                if until == Some((s, i)) {
                    break 'stretches;
                }
            }
        }
        count
    }

    /// The shortest case that sends the pair of command `step` of stretch `stretch`: the
    /// shortest path from the empty fleet to its state, then the command.
    pub fn shortest_case(&self, stretch: usize, step: usize) -> Option<Case> {
        let pair = self.stretches.get(stretch)?.get(step)? & !FIRST;
        let path = self.path_from_empty(self.node_of(pair));
        Some(Case {
            accounts: ACCOUNTS,
            snapshot_at: None,
            commands: path
                .into_iter()
                .chain([pair])
                .map(|pair| self.commands[pair as usize])
                .collect(),
        })
    }
}

impl Default for FleetTour {
    fn default() -> Self {
        FleetTour::new()
    }
}

/// A breadth-first search over the tour's states, its arrays reused from one search to the
/// next (the walk searches tens of thousands of times).
struct Search {
    /// The search that last saw each state.
    seen: Vec<u32>,
    /// The pair a state was reached by.
    came: Vec<u32>,
    round: u32,
    queue: VecDeque<u32>,
}

impl Search {
    fn new(nodes: usize) -> Search {
        Search {
            seen: vec![0; nodes],
            came: vec![0; nodes],
            round: 0,
            queue: VecDeque::new(),
        }
    }

    /// The pairs of a shortest path from `from` to the nearest other state that satisfies
    /// `wanted`, or `None` if none is found among the first `budget` states visited.
    fn nearest(
        &mut self,
        tour: &FleetTour,
        from: u32,
        budget: usize,
        wanted: impl Fn(u32) -> bool,
    ) -> Option<Vec<u32>> {
        self.round += 1;
        let round = self.round;
        self.queue.clear();
        self.seen[from as usize] = round;
        self.queue.push_back(from);
        let mut visited = 0;
        while let Some(node) = self.queue.pop_front() {
            visited += 1;
            if visited > budget {
                return None;
            }
            if node != from && wanted(node) {
                let mut path = Vec::new();
                let mut at = node;
                while at != from {
                    let pair = self.came[at as usize];
                    path.push(pair);
                    at = tour.node_of(pair);
                }
                path.reverse();
                return Some(path);
            }
            for pair in tour.pairs(node) {
                let to = tour.next[pair as usize];
                if self.seen[to as usize] != round {
                    self.seen[to as usize] = round;
                    self.came[to as usize] = pair;
                    self.queue.push_back(to);
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The whole tour is tested in `tests/fleet_tour.rs`, a binary of its own: building it
    // and the sets that check it takes a few hundred megabytes. Here the tour is built once
    // (about a hundred megabytes) and its figures pinned, so that the mutation campaign of
    // `src/drive/` (library tests only) judges it.

    fn tour() -> &'static FleetTour {
        static TOUR: std::sync::OnceLock<FleetTour> = std::sync::OnceLock::new();
        TOUR.get_or_init(FleetTour::new)
    }

    #[test]
    fn the_fleet_tour_counts_are_pinned_whole_and_part_way() {
        let tour = tour();
        let all = tour.count(None);
        assert_eq!(
            format!("{all:?}"),
            "FleetCount { states: 52444, covered: 3526856, total: 3526856, \
             commands: 4420436, resets: 84269 }"
        );
        assert_eq!(format!("{:.4}", all.ratio()), "1.2534");
        assert_eq!((tour.len(), tour.is_empty()), (84270, false));
        assert_eq!(
            format!("{:?}", tour.count(Some((0, 0)))),
            "FleetCount { states: 52444, covered: 1, total: 3526856, commands: 1, resets: 0 }"
        );
        assert_eq!(
            format!("{:?}", tour.count(Some((1, 2)))),
            "FleetCount { states: 52444, covered: 1036, total: 3526856, commands: 1037, \
             resets: 1 }"
        );
        let last = tour.len() - 1;
        let end = tour.count(Some((last, tour.case(last).commands.len() - 1)));
        assert_eq!(end, all);
        assert_eq!(
            FleetCount {
                commands: 5,
                ..FleetCount::default()
            }
            .ratio(),
            5.0
        );
        assert_eq!(
            FleetCount {
                covered: 4,
                commands: 6,
                ..FleetCount::default()
            }
            .ratio(),
            1.5
        );
    }

    /// Each stretch's commands, and the shortest case of a pair, pinned at a few places;
    /// every shortest case is a path of the specification ending in its pair's command.
    #[test]
    fn the_fleet_tour_s_cases_are_pinned() {
        let tour = tour();
        let words = |case: &Case| -> Vec<String> {
            case.commands.iter().map(ToString::to_string).collect()
        };
        let first = tour.case(0);
        assert_eq!(first.accounts, ACCOUNTS);
        assert_eq!(
            words(&first)[..12],
            [
                "task 1 · start now (by account A)",
                "account A · recharge",
                "account B · recharge",
                "account A · create(FULL_TRANS)",
                "task 1 · start now (by account A)",
                "task 1 · schedule start (by account A)",
                "task 1 · pause (by account A)",
                "task 1 · resume (by account A)",
                "task 1 · retry (by account A)",
                "task 1 · reset (by account A)",
                "task 1 · end (by account A)",
                "task 1 · force end (by account A)"
            ]
        );
        let second = tour.case(1);
        assert_eq!(
            words(&second)[..6],
            [
                "account A · create(FULL_INCR_TRANS)",
                "task 1 · start now (by account A)",
                "task 1 · schedule start (by account A)",
                "task 1 · pause (by account A)",
                "task 1 · resume (by account A)",
                "task 1 · retry (by account A)"
            ]
        );
        let stretch = tour.len() / 2;
        let middle = tour.case(stretch);
        for step in [0, middle.commands.len() - 1] {
            let shortest = tour.shortest_case(stretch, step).expect("a pair");
            assert_eq!(shortest.accounts, ACCOUNTS);
            assert_eq!(shortest.commands.last(), Some(&middle.commands[step]));
            let mut fleet = Fleet::new();
            let (last, path) = shortest.commands.split_last().expect("one at least");
            for command in path {
                fleet = fleet.apply(command).expect("a path accepts every command");
            }
            assert!(FleetTour::commands(&fleet).contains(last));
        }
        assert_eq!(
            words(&tour.shortest_case(stretch, 0).expect("a pair")),
            ["account B · create(FULL_INCR_TRANS)"]
        );
        assert_eq!(tour.shortest_case(tour.len(), 0), None);
        assert_eq!(tour.shortest_case(0, first.commands.len()), None);
    }

    /// The commands of a fleet of two tasks, one of each account, one of them paused: every
    /// event to each from its owner, the events the owner could send now from the other
    /// account, no creation (the fleet is full), the unknown id, the billing.
    #[test]
    fn a_full_fleet_has_no_creation_and_lends_each_task_to_the_other_account() {
        let mut fleet = Fleet::new();
        for command in [
            Command::Create {
                account: AccountId(0),
                mode: Mode::Full,
            },
            Command::Create {
                account: AccountId(1),
                mode: Mode::Incremental,
            },
        ] {
            fleet = fleet.apply(&command).expect("accepted");
        }
        let commands = FleetTour::commands(&fleet);
        let words: Vec<String> = commands.iter().map(ToString::to_string).collect();
        assert_eq!(words.len(), 67);
        for (at, want) in [
            (0, "task 1 · start now (by account A)"),
            (28, "task 1 · account recharged (by account A)"),
            (29, "task 1 · instance ready (by account B)"),
            (30, "task 1 · instance creation failed (by account B)"),
            (31, "task 2 · start now (by account B)"),
            (60, "task 2 · instance ready (by account A)"),
            (61, "task 2 · instance creation failed (by account A)"),
            (62, "task 3 · start now (by account A)"),
            (63, "account A · arrears"),
            (64, "account A · recharge"),
            (65, "account B · arrears"),
            (66, "account B · recharge"),
        ] {
            assert_eq!(words[at], want, "{at}");
        }
        let mut one = Fleet::new();
        one = one
            .apply(&Command::Create {
                account: AccountId(1),
                mode: Mode::Full,
            })
            .expect("accepted");
        let words: Vec<String> = FleetTour::commands(&one)
            .iter()
            .map(ToString::to_string)
            .collect();
        // Creations while a slot is free, every event from the owner (B), the two the owner
        // could send now from A, the unknown id, billing.
        assert_eq!(words.len(), 42);
        for (at, want) in [
            (0, "account A · create(FULL_TRANS)"),
            (5, "account B · create(INCR_TRANS)"),
            (6, "task 1 · start now (by account B)"),
            (34, "task 1 · account recharged (by account B)"),
            (35, "task 1 · instance ready (by account A)"),
            (36, "task 1 · instance creation failed (by account A)"),
            (37, "task 2 · start now (by account A)"),
            (38, "account A · arrears"),
            (41, "account B · recharge"),
        ] {
            assert_eq!(words[at], want, "{at}");
        }
    }

    #[test]
    fn the_empty_fleet_has_creations_billing_and_an_unknown_id() {
        let commands = FleetTour::commands(&Fleet::new());
        assert_eq!(commands.len(), 6 + 1 + 4, "{commands:?}");
        assert!(commands.contains(&Command::Task {
            account: AccountId(0),
            task: TaskId(1),
            event: Event::StartNow,
        }));
    }
}
