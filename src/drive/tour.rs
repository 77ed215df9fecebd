//! `drive --cover`: a transition tour of the single-task lifecycle, in every mode.
//!
//! For one task the specification's space is small and known, so it is listed instead of
//! sampled (design, version 3: "a guarantee beats a sample where the space is small"). A
//! *state* is what the specification knows of task 1 and whether its account is in arrears
//! (or "no task yet"); a *command* of a state is every event addressed to the task (each
//! user operation and system event, and the billing and creation events addressed to a task
//! instead of an account: refused), its account's billing (*arrears*, *recharge*), one
//! command from another account, one for an id nobody was given, and a creation. A *pair* is
//! a state and one of its commands; the tour sends every pair at least once, refusals
//! included.
//!
//! The program's state is observable (the harness reads it after every step and holds it to
//! the specification's), so the tour needs no resets where a path exists: it takes an
//! uncovered pair of the current state (refusals first: they stay put), else walks the
//! shortest path to the nearest state that has one, and resets the program only where no
//! path exists (a deleted task) or where the fleet would outgrow the harness (every accepted
//! creation adds a task in Creating that the tour leaves there: it changes nothing of task
//! 1, so the tour's state stays where it was).
//!
//! The tour is computed from the specification alone, before the program is started: each
//! stretch between two resets is a [`Case`], run like any generated case (pipelined under
//! protocol 2), and a failure is shrunk and saved like any other, starting from the shortest
//! case that reaches the failing pair.

use std::collections::{HashMap, VecDeque};

use crate::fuzz::{CAPACITY, Case};
use crate::spec::{AccountId, Command, Event, FleetSpec, Mode, Slot, Source, TaskId, TaskSpec};

/// A state of the tour: task 1 (or no task yet) and whether its account is in arrears.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Node {
    task: Option<TaskSpec>,
    arrears: bool,
}

/// The account that owns task 1, and the other one.
const OWNER: AccountId = AccountId(0);
const OTHER: AccountId = AccountId(1);

/// The commands of a state with no task: a creation in each mode, billing, and an event for
/// an id nobody was given.
const PROBES_EMPTY: usize = 6;
/// The commands of a state with a task: every event kind addressed to it, billing, one from
/// the other account, one for an unknown id, a creation.
const PROBES_TASK: usize = Event::KINDS.len() + 5;

impl Node {
    const EMPTY: Node = Node {
        task: None,
        arrears: false,
    };

    fn probes(&self) -> usize {
        if self.task.is_some() {
            PROBES_TASK
        } else {
            PROBES_EMPTY
        }
    }

    /// The specification's fleet of this state, with nothing else in it.
    fn fleet(&self) -> FleetSpec<2> {
        let slots: Vec<Slot> = self
            .task
            .map(|task| Slot {
                account: OWNER.0 as u8,
                task,
            })
            .into_iter()
            .collect();
        let arrears = if self.arrears { 1 << OWNER.0 } else { 0 };
        // A well-formed task of account 0 always fits.
        FleetSpec::from_parts(&slots, arrears).unwrap_or_else(FleetSpec::new)
    }

    /// The tour's state of a fleet: task 1 and account 0's arrears.
    fn of<const N: usize>(fleet: &FleetSpec<N>) -> Node {
        Node {
            task: fleet.slots().first().map(|slot| slot.task),
            arrears: fleet.in_arrears(OWNER),
        }
    }

    /// The command `index` of this state; `next_id` is the id the fleet would give next
    /// (the unknown id).
    fn probe(&self, index: usize, next_id: TaskId) -> Command {
        let Some(task) = self.task else {
            return match index {
                0..3 => Command::Create {
                    account: OWNER,
                    mode: Mode::ALL[index],
                },
                3 => Command::Arrears { account: OWNER },
                4 => Command::Recharge { account: OWNER },
                _ => Command::Task {
                    account: OWNER,
                    task: next_id,
                    event: Event::StartNow,
                },
            };
        };
        let kinds = Event::KINDS.len();
        // The event the other account and the unknown id are sent: one the owner could send
        // now, so that only the account or the id makes it wrong.
        let allowed = Event::ON_TASK
            .into_iter()
            .find(|&event| {
                event.source() != Source::Billing && crate::spec::step(&task, event).is_some()
            })
            .unwrap_or(Event::Delete);
        match index {
            i if i < kinds => Command::Task {
                account: OWNER,
                task: TaskId(1),
                event: Event::KINDS[i],
            },
            i if i == kinds => Command::Arrears { account: OWNER },
            i if i == kinds + 1 => Command::Recharge { account: OWNER },
            i if i == kinds + 2 => Command::Task {
                account: OTHER,
                task: TaskId(1),
                event: allowed,
            },
            i if i == kinds + 3 => Command::Task {
                account: OWNER,
                task: next_id,
                event: allowed,
            },
            _ => Command::Create {
                account: OWNER,
                mode: task.mode,
            },
        }
    }
}

/// Which mode a pair belongs to: its task's, or none (the state before any task).
pub const MODE_LABELS: [&str; 4] = ["full", "full+incremental", "incremental", "no task yet"];

fn label(node: &Node) -> usize {
    node.task.map_or(3, |task| task.mode as usize)
}

/// The states, their commands and where each leads.
struct Graph {
    nodes: Vec<Node>,
    /// For each state, for each of its commands, the state it leads to.
    next: Vec<Vec<usize>>,
}

impl Graph {
    fn explore() -> Graph {
        let mut index = HashMap::new();
        let mut nodes = vec![Node::EMPTY];
        index.insert(Node::EMPTY, 0);
        let mut next = Vec::new();
        let mut at = 0;
        while at < nodes.len() {
            let node = nodes[at];
            let fleet = node.fleet();
            let mut row = Vec::with_capacity(node.probes());
            for probe in 0..node.probes() {
                let command = node.probe(probe, fleet.next_id());
                let after = fleet.apply(&command).map_or(node, |fleet| Node::of(&fleet));
                let id = *index.entry(after).or_insert_with(|| {
                    nodes.push(after);
                    nodes.len() - 1
                });
                row.push(id);
            }
            next.push(row);
            at += 1;
        }
        Graph { nodes, next }
    }

    /// The commands (state, command index) of a shortest path from `from` to the nearest
    /// state that satisfies `wanted`, or `None` if none is reachable.
    fn path(&self, from: usize, wanted: impl Fn(usize) -> bool) -> Option<Vec<(usize, usize)>> {
        let mut came = vec![None; self.nodes.len()];
        let mut seen = vec![false; self.nodes.len()];
        seen[from] = true;
        let mut queue = VecDeque::from([from]);
        while let Some(node) = queue.pop_front() {
            if node != from && wanted(node) {
                let mut path = Vec::new();
                let mut at = node;
                while let Some((prev, probe)) = came[at] {
                    path.push((prev, probe));
                    at = prev;
                }
                path.reverse();
                return Some(path);
            }
            for (probe, &to) in self.next[node].iter().enumerate() {
                if !seen[to] {
                    seen[to] = true;
                    came[to] = Some((node, probe));
                    queue.push_back(to);
                }
            }
        }
        None
    }
}

/// One command of the tour: the state it is sent in and which of its commands it is.
#[derive(Clone, Copy, Debug)]
struct Sent {
    node: usize,
    probe: usize,
    /// Whether this is the first time the pair is sent.
    first: bool,
}

/// The tour: its stretches between resets, and what each command covers.
pub struct Tour {
    graph: Graph,
    /// The stretches, each run from a reset.
    pub segments: Vec<Case>,
    sent: Vec<Vec<Sent>>,
}

/// What a tour covered: pairs out of every pair, by mode, and what it cost.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TourCount {
    /// The states of the single-task lifecycle the tour knows (the empty fleet included).
    pub states: usize,
    /// Pairs sent at least once, by [`MODE_LABELS`].
    pub covered: [usize; 4],
    /// Every pair, by [`MODE_LABELS`].
    pub total: [usize; 4],
    /// Commands sent.
    pub commands: usize,
    /// Resets (the first one, to start, not counted).
    pub resets: usize,
}

impl TourCount {
    /// Pairs covered, over every mode.
    pub fn covered(&self) -> usize {
        self.covered.iter().sum()
    }

    /// Every pair, over every mode.
    pub fn total(&self) -> usize {
        self.total.iter().sum()
    }

    /// Commands sent per pair covered.
    pub fn ratio(&self) -> f64 {
        self.commands as f64 / self.covered().max(1) as f64
    }
}

impl Tour {
    /// The tour of the single-task lifecycle in every mode.
    pub fn single_task() -> Tour {
        let graph = Graph::explore();
        let mut covered: Vec<Vec<bool>> = graph
            .nodes
            .iter()
            .map(|node| vec![false; node.probes()])
            .collect();
        let mut remaining: usize = graph.nodes.iter().map(Node::probes).sum();
        let mut tour = Walk {
            graph: &graph,
            segments: Vec::new(),
            sent: Vec::new(),
            commands: Vec::new(),
            sent_now: Vec::new(),
            fleet: FleetSpec::new(),
            at: 0,
        };
        while remaining > 0 {
            let here = tour.at;
            let open = |probe: &usize| !covered[here][*probe];
            // Refusals first (they stay put), then a step to a state with pairs left.
            let choice = (0..graph.next[here].len())
                .filter(open)
                .min_by_key(|&probe| {
                    let to = graph.next[here][probe];
                    (to != here, covered[to].iter().all(|&done| done))
                });
            let steps = match choice {
                Some(probe) => vec![(here, probe)],
                None => match graph.path(here, |node| covered[node].iter().any(|d| !d)) {
                    Some(path) => path,
                    None => {
                        tour.reset();
                        continue;
                    }
                },
            };
            for (node, probe) in steps {
                let first = !covered[node][probe];
                if first {
                    covered[node][probe] = true;
                    remaining -= 1;
                }
                tour.send(node, probe, first);
            }
        }
        tour.reset();
        let Walk { segments, sent, .. } = tour;
        Tour {
            graph,
            segments,
            sent,
        }
    }

    /// What the tour covers up to and including command `step` of segment `segment`
    /// (everything: `None`).
    pub fn count(&self, until: Option<(usize, usize)>) -> TourCount {
        let mut count = TourCount {
            states: self.graph.nodes.len(),
            ..TourCount::default()
        };
        for node in &self.graph.nodes {
            count.total[label(node)] += node.probes();
        }
        'segments: for (s, sent) in self.sent.iter().enumerate() {
            if s > 0 {
                count.resets += 1;
            }
            for (i, sent) in sent.iter().enumerate() {
                count.commands += 1;
                if sent.first {
                    count.covered[label(&self.graph.nodes[sent.node])] += 1;
                }
                if until == Some((s, i)) {
                    break 'segments;
                }
            }
        }
        count
    }

    /// The shortest case that sends the pair of command `step` of segment `segment`: the
    /// shortest path from the empty fleet to its state, then the command.
    pub fn shortest_case(&self, segment: usize, step: usize) -> Option<Case> {
        let sent = self.sent.get(segment)?.get(step)?;
        let mut commands = Vec::new();
        let mut fleet = FleetSpec::<CAPACITY>::new();
        let path = if sent.node == 0 {
            Vec::new()
        } else {
            self.graph.path(0, |node| node == sent.node)?
        };
        for (node, probe) in path.into_iter().chain([(sent.node, sent.probe)]) {
            let command = self.graph.nodes[node].probe(probe, fleet.next_id());
            fleet = fleet.apply(&command).unwrap_or(fleet);
            commands.push(command);
        }
        Some(Case {
            accounts: 1,
            snapshot_at: None,
            commands,
        })
    }
}

/// The tour being written: the current stretch and the fleet it has made.
struct Walk<'g> {
    graph: &'g Graph,
    segments: Vec<Case>,
    sent: Vec<Vec<Sent>>,
    commands: Vec<Command>,
    sent_now: Vec<Sent>,
    fleet: FleetSpec<CAPACITY>,
    at: usize,
}

impl Walk<'_> {
    fn reset(&mut self) {
        if !self.commands.is_empty() {
            self.segments.push(Case {
                accounts: 1,
                snapshot_at: None,
                commands: std::mem::take(&mut self.commands),
            });
            self.sent.push(std::mem::take(&mut self.sent_now));
        }
        self.fleet = FleetSpec::new();
        self.at = 0;
    }

    fn send(&mut self, node: usize, probe: usize, first: bool) {
        debug_assert_eq!(node, self.at, "the tour sends from where it is");
        let mut command = self.graph.nodes[node].probe(probe, self.fleet.next_id());
        let creations = self
            .commands
            .iter()
            .filter(|command| matches!(command, Command::Create { .. }))
            .count();
        if matches!(command, Command::Create { .. }) && creations >= CAPACITY - 1 {
            // The fleet would outgrow the harness: start over and come back.
            self.reset();
            if node != 0
                && let Some(path) = self.graph.path(0, |to| to == node)
            {
                for (on, by) in path {
                    self.send(on, by, false);
                }
            }
            command = self.graph.nodes[node].probe(probe, self.fleet.next_id());
        }
        self.fleet = self.fleet.apply(&command).unwrap_or(self.fleet);
        self.commands.push(command);
        self.sent_now.push(Sent { node, probe, first });
        self.at = self.graph.next[node][probe];
        debug_assert_eq!(
            self.graph.nodes[self.at],
            Node::of(&self.fleet),
            "the tour's state is the fleet's"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tour_sends_every_pair_of_every_state_and_its_count_says_so() {
        let tour = Tour::single_task();
        let count = tour.count(None);
        assert_eq!(count.covered, count.total);
        assert_eq!(
            count.commands,
            tour.segments
                .iter()
                .map(|s| s.commands.len())
                .sum::<usize>()
        );
        assert_eq!(count.resets + 1, tour.segments.len());
        // Every state of the single-task lifecycle (the exhaustive search's) is a state of
        // the tour, in arrears or not.
        let all = crate::fuzz::Exhaustive::explore();
        for state in &all.states {
            assert!(
                tour.graph
                    .nodes
                    .iter()
                    .any(|node| node.task == Some(*state)),
                "{state}"
            );
        }
        // Every pair of every state was sent in that state: replay the segments on the
        // specification and collect the (state, command) pairs.
        let mut seen = std::collections::HashSet::new();
        for case in &tour.segments {
            let mut fleet = FleetSpec::<CAPACITY>::new();
            assert!(case.creations() <= CAPACITY);
            for command in &case.commands {
                seen.insert((Node::of(&fleet), probe_of(command)));
                fleet = fleet.apply(command).unwrap_or(fleet);
            }
        }
        let pairs: usize = tour.graph.nodes.iter().map(Node::probes).sum();
        assert_eq!(seen.len(), pairs);
        // The mode-specific refusals of FullMigrationComplete are pairs of the tour.
        let full_complete = |mode| TaskSpec {
            status: crate::spec::Status::FullMigrationComplete,
            mode,
            phase: None,
            frozen_from: None,
        };
        for mode in [Mode::Full, Mode::FullIncremental] {
            for event in [
                Event::Pause,
                Event::InstanceFault,
                Event::IncrementalBegun,
                Event::MigrationFinished,
            ] {
                let node = Node {
                    task: Some(full_complete(mode)),
                    arrears: false,
                };
                let command = Command::Task {
                    account: OWNER,
                    task: TaskId(1),
                    event,
                };
                assert!(seen.contains(&(node, Some(command))), "{mode:?} {event:?}");
            }
        }
    }

    /// The tour's size and cost, pinned: the states, the pairs by mode, the commands and
    /// the resets, and what it has covered at a few steps along the way.
    #[test]
    fn the_tour_counts_are_pinned_whole_and_part_way() {
        let tour = Tour::single_task();
        let all = tour.count(None);
        assert_eq!(
            format!("{all:?}"),
            "TourCount { states: 116, covered: [1190, 1680, 1120, 12], \
             total: [1190, 1680, 1120, 12], commands: 4636, resets: 120 }"
        );
        assert_eq!(all.covered(), all.covered.iter().sum::<usize>());
        assert_eq!(all.total(), all.total.iter().sum::<usize>());
        assert_eq!(
            (all.covered(), all.total(), tour.segments.len()),
            (4002, 4002, 121)
        );
        assert_eq!(format!("{:.4}", all.ratio()), "1.1584");
        // The first command covers the first pair of the empty fleet.
        let first = tour.count(Some((0, 0)));
        assert_eq!(
            format!("{first:?}"),
            "TourCount { states: 116, covered: [0, 0, 0, 1], total: [1190, 1680, 1120, 12], \
             commands: 1, resets: 0 }"
        );
        // The first command of the second stretch: one reset.
        let second = tour.count(Some((1, 0)));
        assert_eq!(
            format!("{second:?}"),
            "TourCount { states: 116, covered: [267, 0, 0, 4], total: [1190, 1680, 1120, 12], \
             commands: 271, resets: 1 }"
        );
        // The last command is the whole tour.
        let last = tour.segments.len() - 1;
        let end = tour.count(Some((last, tour.segments[last].commands.len() - 1)));
        assert_eq!(end, all);
        // A step past the tour counts everything.
        assert_eq!(tour.count(Some((last + 1, 0))), all);
        // Nothing covered: the ratio divides by one.
        let none = TourCount {
            commands: 3,
            ..TourCount::default()
        };
        assert_eq!(none.ratio(), 3.0);
        assert_eq!(
            TourCount {
                covered: [1, 2, 3, 4],
                commands: 15,
                ..TourCount::default()
            }
            .ratio(),
            1.5
        );
    }

    /// The commands of a state, in their order, for the empty fleet and for a task.
    #[test]
    fn the_commands_of_a_state_are_pinned() {
        let empty = Node::EMPTY;
        assert_eq!(empty.probes(), 6);
        let words: Vec<String> = (0..empty.probes())
            .map(|probe| empty.probe(probe, TaskId(1)).to_string())
            .collect();
        assert_eq!(
            words,
            [
                "account A · create(FULL_TRANS)",
                "account A · create(FULL_INCR_TRANS)",
                "account A · create(INCR_TRANS)",
                "account A · arrears",
                "account A · recharge",
                "task 1 · start now (by account A)"
            ]
        );
        let paused = Node {
            task: Some(TaskSpec {
                status: crate::spec::Status::Paused,
                mode: Mode::FullIncremental,
                phase: Some(crate::spec::Phase::Incremental),
                frozen_from: None,
            }),
            arrears: true,
        };
        assert_eq!(paused.probes(), Event::KINDS.len() + 5);
        let words: Vec<String> = (0..paused.probes())
            .map(|probe| paused.probe(probe, TaskId(2)).to_string())
            .collect();
        // Every event kind to the task, its account's billing, the event it could take now
        // (resume) from the other account and to the next id, a creation in its mode.
        assert_eq!(words.len(), 35);
        for (at, want) in [
            (0, "task 1 · create(FULL_INCR_TRANS) (by account A)"),
            (1, "task 1 · start now (by account A)"),
            (29, "task 1 · account recharged (by account A)"),
            (30, "account A · arrears"),
            (31, "account A · recharge"),
            (32, "task 1 · resume (by account B)"),
            (33, "task 2 · resume (by account A)"),
            (34, "account A · create(FULL_INCR_TRANS)"),
        ] {
            assert_eq!(words[at], want, "{at}");
        }
        // A task that can take no command of its owner's: the other account and the unknown
        // id are sent a deletion.
        let deleted = Node {
            task: Some(TaskSpec {
                status: crate::spec::Status::Deleted,
                mode: Mode::Full,
                phase: None,
                frozen_from: None,
            }),
            arrears: false,
        };
        assert_eq!(
            deleted.probe(Event::KINDS.len() + 2, TaskId(3)).to_string(),
            "task 1 · delete (by account B)"
        );
        assert!(paused.fleet().in_arrears(OWNER));
        assert!(!paused.fleet().in_arrears(OTHER));
        assert_eq!(Node::of(&paused.fleet()), paused);
        assert_eq!(Node::of(&empty.fleet()), empty);
        assert_eq!(label(&empty), 3);
        assert_eq!(label(&paused), Mode::FullIncremental as usize);
        assert_eq!(MODE_LABELS[label(&paused)], "full+incremental");
        // A shortest path leaves its start: the nearest other state with a task.
        let graph = Graph::explore();
        let path = graph
            .path(0, |node| graph.nodes[node].task.is_some())
            .expect("a creation away");
        assert_eq!(path, [(0, 0)]);
        assert_eq!(graph.path(0, |node| node == 0), None, "only the start");
    }

    /// No stretch of the tour creates as many tasks as the harness holds, so the guard in
    /// `Walk::send` that starts over before the fleet outgrows it never fires for the
    /// single-task tour: the most creations of one stretch are pinned.
    #[test]
    fn no_stretch_of_the_tour_outgrows_the_harness() {
        let tour = Tour::single_task();
        let most = tour.segments.iter().map(Case::creations).max();
        assert_eq!(most, Some(10));
        const { assert!(10 < CAPACITY - 1) };
    }

    /// Which command of a state a command is, by its form (the unknown id varies).
    fn probe_of(command: &Command) -> Option<Command> {
        Some(match *command {
            Command::Task { account, task, .. } if account == OWNER && task != TaskId(1) => {
                Command::Task {
                    account,
                    task: TaskId(u64::MAX),
                    event: Event::Delete,
                }
            }
            other => other,
        })
    }

    #[test]
    fn the_shortest_case_of_a_pair_reaches_its_state_and_sends_it() {
        let tour = Tour::single_task();
        for (s, sent) in tour.sent.iter().enumerate() {
            for (i, one) in sent.iter().enumerate() {
                let case = tour.shortest_case(s, i).expect("reachable");
                let mut fleet = FleetSpec::<CAPACITY>::new();
                let (last, path) = case.commands.split_last().expect("one command at least");
                for command in path {
                    fleet = fleet.apply(command).unwrap_or(fleet);
                }
                assert_eq!(Node::of(&fleet), tour.graph.nodes[one.node]);
                assert_eq!(
                    std::mem::discriminant(last),
                    std::mem::discriminant(&tour.segments[s].commands[i])
                );
            }
        }
    }

    #[test]
    fn a_full_only_task_that_moves_on_to_incremental_is_six_commands_away() {
        let tour = Tour::single_task();
        let (s, i) = tour
            .segments
            .iter()
            .enumerate()
            .find_map(|(s, case)| {
                let mut fleet = FleetSpec::<CAPACITY>::new();
                case.commands.iter().enumerate().find_map(|(i, command)| {
                    let node = Node::of(&fleet);
                    fleet = fleet.apply(command).unwrap_or(fleet);
                    (node.task.is_some_and(|task| {
                        task.mode == Mode::Full
                            && task.status == crate::spec::Status::FullMigrationComplete
                    }) && !node.arrears
                        && matches!(
                            command,
                            Command::Task {
                                event: Event::IncrementalBegun,
                                ..
                            }
                        ))
                    .then_some((s, i))
                })
            })
            .expect("sent");
        let case = tour.shortest_case(s, i).expect("reachable");
        assert_eq!(case.commands.len(), 6, "{:?}", case.commands);
    }
}
