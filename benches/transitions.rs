//! Transition throughput: the specification's step, the engine's commands, a fleet at scale,
//! and the conformance step that the conformance model runs for every command.
//!
//! These are the inner loops of everything else: the model checker calls the step and the
//! lockstep comparison tens of millions of times per run, and a control plane calls the
//! engine once per request. Each benchmark states its throughput in elements (steps,
//! commands), so criterion reports a time per element that reads against the targets in
//! `reports/benchmarks.md`.
//!
//! Quick, CI-sized runs: `cargo bench --bench transitions -- --quick`.

use std::collections::{HashMap, VecDeque};
use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use drs_lifecycle::engine::Fleet;
use drs_lifecycle::model::World;
use drs_lifecycle::model::lockstep::{Lockstep, lockstep};
use drs_lifecycle::plane::Observed;
use drs_lifecycle::report::bench::record_context;
use drs_lifecycle::spec::{
    AccountId, Command, Event, FleetSpec, Mode, Source, TaskId, TaskSpec, step,
};

/// The allocator `drs-lifecycle` runs with, so that these figures are the command's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `StartNow` → `start-now`: benchmark ids are criterion directory names, keep them plain.
fn kebab(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Every (task, event) pair: the task is one of every status × mode × remembered phase ×
/// frozen status that a single task can reach, the event any event addressed to a task.
fn reachable_tasks() -> Vec<TaskSpec> {
    let mut seen = Vec::new();
    let mut queue: VecDeque<TaskSpec> = Mode::ALL.into_iter().map(TaskSpec::created).collect();
    while let Some(task) = queue.pop_front() {
        if seen.contains(&task) {
            continue;
        }
        seen.push(task);
        for event in Event::ON_TASK {
            if let Some(next) = step(&task, event) {
                queue.push_back(next);
            }
        }
    }
    seen
}

fn spec_step(c: &mut Criterion) {
    let tasks = reachable_tasks();
    let mut accepted = Vec::new();
    let mut refused = Vec::new();
    for task in &tasks {
        for event in Event::ON_TASK {
            match step(task, event) {
                Some(_) => accepted.push((*task, event)),
                None => refused.push((*task, event)),
            }
        }
    }
    let mut group = c.benchmark_group("spec/step");
    for (name, pairs) in [("every-edge", &accepted), ("refused", &refused)] {
        let started = SystemTime::now();
        group.throughput(Throughput::Elements(pairs.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                for (task, event) in pairs {
                    black_box(step(black_box(task), *event));
                }
            })
        });
        record_context("spec/step", name, started, None);
    }
    group.finish();
}

/// The shortest command path from an empty one-task fleet (account 0) to a state where
/// `command` is accepted, found by a breadth-first search of the specification.
fn path_to_accepting(command: Command) -> Vec<Command> {
    let account = AccountId(0);
    let mut commands = vec![Command::Arrears { account }, Command::Recharge { account }];
    for mode in Mode::ALL {
        commands.push(Command::Create { account, mode });
    }
    for event in Event::ON_TASK {
        if event.source() != Source::Billing {
            commands.push(Command::Task {
                account,
                task: TaskId(1),
                event,
            });
        }
    }
    let start = FleetSpec::<1>::new();
    let mut parent: HashMap<FleetSpec<1>, Option<(FleetSpec<1>, Command)>> = HashMap::new();
    parent.insert(start, None);
    let mut queue = VecDeque::from([start]);
    while let Some(spec) = queue.pop_front() {
        if spec.apply(&command).is_ok() {
            let mut path = Vec::new();
            let mut at = spec;
            while let Some(Some((before, step_command))) = parent.get(&at) {
                path.push(*step_command);
                at = *before;
            }
            path.reverse();
            return path;
        }
        for next_command in &commands {
            if let Ok(next) = spec.apply(next_command)
                && !parent.contains_key(&next)
            {
                parent.insert(next, Some((spec, *next_command)));
                queue.push_back(next);
            }
        }
    }
    panic!("no one-task fleet accepts {command}");
}

/// How many tasks one timed sweep of an engine benchmark commands.
const SWEEP: usize = 1024;

/// A fleet of [`SWEEP`] tasks of account 0 that all went through `path` side by side (so
/// each is where the single task of the path is), and the command for each task.
fn sweep_fleet(path: &[Command], command: Command) -> (Fleet, Vec<Command>) {
    let mut fleet = Fleet::new();
    for step_command in path {
        match *step_command {
            Command::Task { account, event, .. } => {
                for id in 1..=SWEEP as u64 {
                    fleet
                        .apply(account, TaskId(id), event)
                        .expect("the engine accepts what the specification accepts");
                }
            }
            Command::Create { account, mode } => {
                for _ in 0..SWEEP {
                    fleet.create(account, mode).expect("create");
                }
            }
            billing => {
                fleet
                    .execute(&billing)
                    .expect("the engine accepts what the specification accepts");
            }
        }
    }
    let commands = match command {
        Command::Task { account, event, .. } => (1..=SWEEP as u64)
            .map(|id| Command::Task {
                account,
                task: TaskId(id),
                event,
            })
            .collect(),
        other => vec![other; SWEEP],
    };
    (fleet, commands)
}

/// Each kind of event on one task where it is accepted. A timed sweep sends the event to
/// each of [`SWEEP`] tasks in the same status (creation: creates that many tasks); the
/// fleet is restored from a template between sweeps, outside the timed part, so the time
/// is the command's own (the fleet, 40 KB, stays in the caches, as a hot task would).
/// Billing events are addressed to an account and touch every task of it, so they are
/// measured on a one-task fleet as a round trip: arrears (the task freezes) then recharge
/// (it unfreezes), two commands per iteration.
fn engine_command(c: &mut Criterion) {
    let account = AccountId(0);
    let mut group = c.benchmark_group("engine/command");
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(2));
    group.throughput(Throughput::Elements(1));
    for event in Event::KINDS {
        let command = match event {
            Event::Create(_) => Command::Create {
                account,
                mode: Mode::FullIncremental,
            },
            event if event.source() == Source::Billing => continue,
            event => Command::Task {
                account,
                task: TaskId(1),
                event,
            },
        };
        let path = match command {
            Command::Create { .. } => Vec::new(),
            _ => path_to_accepting(command),
        };
        let (template, commands) = sweep_fleet(&path, command);
        let mut scratch = template.clone();
        for command in &commands {
            assert!(
                scratch.execute(command).is_ok(),
                "the engine accepts {command}"
            );
        }
        let name = kebab(event.name());
        let started = SystemTime::now();
        group.bench_function(&name, |b| {
            b.iter_custom(|iterations| {
                let mut total = Duration::ZERO;
                let mut left = iterations as usize;
                while left > 0 {
                    let count = left.min(SWEEP);
                    scratch.clone_from(&template);
                    let start = Instant::now();
                    for command in &commands[..count] {
                        let _ = black_box(scratch.execute(black_box(command)));
                    }
                    total += start.elapsed();
                    left -= count;
                }
                total
            })
        });
        record_context("engine/command", &name, started, None);
    }

    // Billing: arrears then recharge on a one-task fleet whose task can freeze.
    let freezable = path_to_accepting(Command::Task {
        account,
        task: TaskId(1),
        event: Event::Pause,
    });
    let mut fleet = Fleet::new();
    for step_command in &freezable {
        fleet.execute(step_command).expect("to full migration");
    }
    let round_trip = [Command::Arrears { account }, Command::Recharge { account }];
    for command in &round_trip {
        assert!(fleet.execute(command).is_ok(), "{command}");
    }
    group.throughput(Throughput::Elements(2));
    let started = SystemTime::now();
    group.bench_function("billing-round-trip", |b| {
        b.iter(|| {
            for command in &round_trip {
                black_box(fleet.execute(black_box(command)))
                    .expect("arrears and recharge alternate");
            }
        })
    });
    record_context("engine/command", "billing-round-trip", started, None);
    group.finish();
}

/// One command at a time on a fleet of `size` tasks over 16 accounts, each task cycling
/// through pause → resume → start succeeded (back to full migration), visiting the tasks in
/// a scattered order so that a large fleet is not walked in cache-friendly sequence.
struct FleetCycle {
    fleet: Fleet,
    size: usize,
    stride: usize,
    index: usize,
    left_in_sweep: usize,
    event: usize,
}

const ACCOUNTS: usize = 16;
const CYCLE: [Event; 3] = [Event::Pause, Event::Resume, Event::StartSucceeded];

impl FleetCycle {
    fn new(size: usize) -> Self {
        let mut fleet = Fleet::new();
        for i in 0..size {
            fleet
                .create(AccountId((i % ACCOUNTS) as u32), Mode::FullIncremental)
                .expect("create");
        }
        for i in 0..size {
            let account = AccountId((i % ACCOUNTS) as u32);
            for event in [Event::InstanceReady, Event::StartNow, Event::StartSucceeded] {
                fleet
                    .apply(account, TaskId(i as u64 + 1), event)
                    .expect("to full migration");
            }
        }
        // A prime that divides no power of ten, reduced below the size: coprime with it,
        // so a sweep visits every task once.
        let stride = 999_983 % size.max(1);
        FleetCycle {
            fleet,
            size,
            stride,
            index: 0,
            left_in_sweep: size,
            event: 0,
        }
    }

    #[inline]
    fn next_command(&mut self) -> Command {
        let index = self.index;
        let command = Command::Task {
            account: AccountId((index % ACCOUNTS) as u32),
            task: TaskId(index as u64 + 1),
            event: CYCLE[self.event],
        };
        self.index += self.stride;
        if self.index >= self.size {
            self.index -= self.size;
        }
        self.left_in_sweep -= 1;
        if self.left_in_sweep == 0 {
            self.left_in_sweep = self.size;
            self.event = (self.event + 1) % CYCLE.len();
        }
        command
    }
}

fn fleet_command(c: &mut Criterion) {
    let mut group = c.benchmark_group("engine/fleet-command");
    group.throughput(Throughput::Elements(1));
    for size in [1usize, 1_000, 1_000_000] {
        let mut cycle = FleetCycle::new(size);
        // Every command of a few sweeps is accepted: the benchmark measures real work.
        for _ in 0..(3 * size).min(3_000_000) {
            let command = cycle.next_command();
            assert!(cycle.fleet.execute(&command).is_ok(), "{command}");
        }
        let started = SystemTime::now();
        group.bench_function(size.to_string(), |b| {
            b.iter(|| {
                let command = cycle.next_command();
                black_box(cycle.fleet.execute(black_box(&command)))
            })
        });
        record_context("engine/fleet-command", &size.to_string(), started, None);
    }
    group.finish();
}

/// A state of three tasks over two accounts in different statuses, one account in
/// arrears, on both the specification (with history) and the engine.
fn conformance_state() -> (World, Fleet) {
    let (a, b) = (AccountId(0), AccountId(1));
    let task = |account, id, event| Command::Task {
        account,
        task: TaskId(id),
        event,
    };
    let script = [
        Command::Create {
            account: a,
            mode: Mode::FullIncremental,
        },
        Command::Create {
            account: b,
            mode: Mode::Full,
        },
        Command::Create {
            account: a,
            mode: Mode::Incremental,
        },
        task(a, 1, Event::InstanceReady),
        task(a, 1, Event::StartNow),
        task(a, 1, Event::StartSucceeded),
        task(b, 2, Event::InstanceReady),
        task(b, 2, Event::ScheduleStart),
        Command::Arrears { account: b },
        task(a, 3, Event::InstanceReady),
        task(a, 3, Event::StartNow),
    ];
    let mut world: World = World::new(2);
    let mut engine = Fleet::new();
    for command in &script {
        let mut after = engine.clone();
        let mut before = Observed::default();
        before.capture(&engine);
        match lockstep(&world, &before, &mut after, None, command, 2) {
            Lockstep::Agreed(next) => world = next,
            other => panic!("the script diverged at {command}: {other:?}"),
        }
        engine = after;
    }
    (world, engine)
}

/// The commands the conformance model sends in a state: every event to every task (and to
/// the next id) from every account, creation in every mode, and billing.
fn every_command(tasks: usize, accounts: u32) -> Vec<Command> {
    let mut commands = Vec::new();
    for account in (0..accounts).map(AccountId) {
        for mode in Mode::ALL {
            commands.push(Command::Create { account, mode });
        }
        for id in 1..=tasks as u64 + 1 {
            for event in Event::ON_TASK {
                commands.push(Command::Task {
                    account,
                    task: TaskId(id),
                    event,
                });
            }
        }
        commands.push(Command::Arrears { account });
        commands.push(Command::Recharge { account });
    }
    commands
}

fn conformance_step(c: &mut Criterion) {
    let (world, engine) = conformance_state();
    let every = every_command(world.fleet.len(), 2);
    let accepted: Vec<Command> = every
        .iter()
        .copied()
        .filter(|command| world.fleet.apply(command).is_ok())
        .collect();
    let mut group = c.benchmark_group("conformance/step");
    for (name, commands) in [("every-command", &every), ("accepted", &accepted)] {
        group.throughput(Throughput::Elements(commands.len() as u64));
        let mut after = engine.clone();
        let mut before = Observed::default();
        before.capture(&engine);
        let started = SystemTime::now();
        group.bench_function(name, |b| {
            b.iter(|| {
                for command in commands {
                    after.clone_from(&engine);
                    let result = lockstep(&world, &before, &mut after, None, command, 2);
                    debug_assert!(!matches!(result, Lockstep::Diverged { .. }));
                    black_box(result);
                }
            })
        });
        record_context("conformance/step", name, started, None);
    }
    group.finish();
}

criterion_group!(
    transitions,
    spec_step,
    engine_command,
    fleet_command,
    conformance_step
);
criterion_main!(transitions);
