//! Holding a control plane written in any language to the specification: the program runs
//! as a child process and is spoken to in JSON lines (`docs/drive-protocol.md`).
//!
//! The fuzzer already holds any [`ControlPlane`] to the
//! specification; a program is made one ([`ProcessPlane`]), so `drive` reuses the fuzzer's
//! generator, harness, shrinker, coverage and regressions unchanged, and a team whose
//! control plane is in Python or Go gets the same checks as a Rust crate.
//!
//! # Indefinite answers
//!
//! A program may answer a command `unknown` (a timeout inside it, a server error), or not
//! answer within `--timeout`: the command may or may not have happened. The driver does not
//! call that a failure or a success. It settles it with the next thing it learns: right
//! after an indefinite answer it reads the whole fleet (`tasks`); every accepted command
//! changes the fleet (a version, a task, an account's arrears), so an unchanged fleet means
//! it did not happen (the specification does not take the step either), and a changed one
//! means it did (judged as accepted, with the change read off the fleet). This is a simpler
//! rule than keeping both branches open over many answers, as Jepsen-style checkers do: it
//! assumes an indefinite command has taken effect, or never will, by the time the program
//! answers the next request. A program whose lost commands take effect later is reported as
//! a divergence at the step where the late effect shows.
//!
//! # Pipelined runs (protocol 2)
//!
//! Reading the whole fleet after every command made the driver wait for a round trip and a
//! fleet written out, parsed and compared, five requests a command: about 2,000 commands a
//! second against any program. A program that speaks protocol 2 (it says so in its answer
//! to `reset`) answers an accepted command with the tasks it changed, and takes requests
//! before it has answered the earlier ones. The driver then writes a window of steps ahead
//! (a case's commands do not depend on the answers) and keeps the fleet as the answers say
//! it is; every claim is judged on that fleet after every step, as before. What the answers
//! did not say (a refusal that changed a task, an accepted command that changed a task it
//! did not name) is caught by reading the whole fleet every `verify_every` commands and at
//! the end of every case: any difference fails the case, which is then run again exact
//! (the fleet read after every command) to name the step that made it. The listings and
//! queries an exact run asks after each step are asked in the same places. So a pipelined
//! run misses only a change that the answers do not mention and that is undone before the
//! next look at the whole fleet; `--verify-every 1` closes that too. An indefinite answer
//! cannot be settled in a pipelined run (later commands have already been sent): the run is
//! abandoned and the case run again, exact.

mod fleet_tour;
mod history;
mod plane;
mod process;
mod serve;
mod tour;
mod wire;

#[cfg(test)]
mod tests;

/// A full-only task of `account` in `status`, with no phase, not frozen, holding no
/// instance: the tasks the tests of this module's parts compare.
#[cfg(test)]
fn test_view(id: u64, account: u32, status: Status, version: u64) -> crate::plane::TaskView {
    crate::plane::TaskView {
        id: crate::spec::TaskId(id),
        account: crate::spec::AccountId(account),
        mode: crate::spec::Mode::Full,
        status,
        phase: None,
        frozen_from: None,
        holds_instance: false,
        version,
    }
}

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::{Duration, Instant};

pub use fleet_tour::{FleetCount, FleetTour};
pub use plane::{Ahead, Link, PROTOCOL, Planned, ProcessPlane, Sent};
pub use process::{DriveError, Process};
pub use serve::{Serving, serve};
pub use tour::{MODE_LABELS, Tour, TourCount};

use crate::fuzz::{
    CAPACITY, Case, CoverageReport, Failure, Generator, Harness, Limits, Regression, Stats,
    load_all, minimize, seeded, to_json,
};
use crate::model::claims::ENGINE_REFINES_SPEC;
use crate::plane::ControlPlane;
use crate::spec::{Command, MAX_ACCOUNTS, Status};

/// What a `drive` run is asked to do.
#[derive(Clone, Debug)]
pub struct Options {
    /// The program and its arguments.
    pub program: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// The generator's seed.
    pub seed: u64,
    /// How many generated cases to run.
    pub cases: u64,
    /// The longest case, in commands.
    pub steps: usize,
    /// How long to wait for an answer.
    pub timeout: Duration,
    /// Where failing cases are saved, and replayed from first.
    pub save: PathBuf,
    /// The highest protocol version offered to the program (1 or 2; it may answer lower).
    pub protocol: u32,
    /// Pipelined runs: read the whole fleet, to verify what the answers said, after every
    /// this many commands (and at the end of every case).
    pub verify_every: usize,
    /// Run the transition tour of the single-task lifecycle ([`Tour`]) instead of generated
    /// cases.
    pub cover: bool,
    /// After the single-task tour, the tour of two tasks over two accounts ([`FleetTour`]).
    pub cover_fleet: bool,
    /// Where the program's standard error is kept whole (truncated at the start).
    pub stderr: Option<PathBuf>,
}

impl Options {
    /// Options with the command line's defaults, for `program` and its `args`.
    pub fn new(program: &str, args: &[&str]) -> Self {
        Options {
            program: program.to_string(),
            args: args.iter().map(|arg| (*arg).to_string()).collect(),
            seed: 0,
            cases: 200,
            steps: 100,
            timeout: Duration::from_secs(5),
            save: PathBuf::from("drive-failures"),
            protocol: PROTOCOL,
            verify_every: VERIFY_EVERY,
            cover: false,
            cover_fleet: false,
            stderr: None,
        }
    }
}

/// How often a pipelined run reads the whole fleet by default: every this many commands.
pub const VERIFY_EVERY: usize = 8;

/// How many steps of a case a pipelined run writes ahead of the answers it has read, at
/// most; as many of the next case may follow them. A step's requests take at most about
/// 400 bytes (the command, the listings of up to 32 accounts in one request, a query, a read
/// of the fleet), so the requests in flight (two windows: at most about 51 KB) stay within a
/// Linux pipe's 64 KiB: a write never waits for the program, and a program that stops
/// reading is caught by the timeout. (64 rather than 32 halves the hand-overs between the
/// two processes: 157–159 k against 194–237 k commands/s against `serve-plane`.)
const WINDOW: usize = 64;

/// One step of a failing case as printed: the command and the two answers.
#[derive(Clone, Debug)]
pub struct StepLine {
    /// The command.
    pub command: Command,
    /// What the specification answered.
    pub spec: String,
    /// What the program answered.
    pub program: String,
    /// How the program answered.
    pub answered: Answered,
    /// The program's tasks after the step.
    pub tasks_after: Vec<crate::plane::TaskView>,
}

/// How a program answered a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answered {
    /// Accepted.
    Accepted,
    /// Refused.
    Refused,
    /// `unknown`, or no answer in time.
    Indefinite,
}

/// A failing case, shrunk and saved.
#[derive(Clone, Debug)]
pub struct Found {
    /// The shrunk case.
    pub case: Case,
    /// Its failure.
    pub failure: Failure,
    /// Step by step, up to the failing step.
    pub steps: Vec<StepLine>,
    /// How many steps the case had before shrinking.
    pub original_length: usize,
    /// Where the regression was saved.
    pub regression: PathBuf,
    /// Where the history was saved (`drs-lifecycle validate` reads it).
    pub history: PathBuf,
    /// What `validate` makes of it: the job and the claim of its first violation, or
    /// `None` when what a poller sees of the failure is consistent with the specification.
    pub rejected: Option<(String, &'static str)>,
    /// Whether the shrunk case failed again when it was replayed to be printed (if not,
    /// the program may be nondeterministic).
    pub recurred: bool,
    /// The last lines of the program's standard error when the failure was printed.
    pub stderr: Option<String>,
}

/// What a run did.
#[derive(Clone, Debug)]
pub struct Report {
    /// Regressions replayed before the generated cases.
    pub regressions: usize,
    /// Cases run.
    pub cases: u64,
    /// Counts over every step.
    pub stats: Stats,
    /// Indefinite answers, and how many of them had happened.
    pub indefinite: (u64, u64),
    /// Edge coverage of the single-task lifecycle.
    pub coverage: CoverageReport,
    /// The wall time.
    pub elapsed: Duration,
    /// The first failure, if any.
    pub found: Option<Found>,
    /// With `--cover`: what the tour covered (up to the failure, if any).
    pub tour: Option<TourCount>,
    /// With `--cover-fleet`: what the fleet tour covered (up to the failure, if any; none
    /// when the single-task tour failed first).
    pub fleet_tour: Option<FleetCount>,
    /// The wall time of the fleet tour alone (from its first case to the end).
    pub fleet_elapsed: Option<Duration>,
}

impl Report {
    /// Commands per second over the run.
    pub fn commands_per_second(&self) -> f64 {
        self.stats.steps as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

type DriveHarness = Harness<CAPACITY, ProcessPlane>;

/// Which tour a case of a `--cover` run belongs to, and its stretch there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stretch {
    Single(usize),
    Fleet(usize),
}

/// Runs the saved regressions, then `cases` generated cases (or the tours); stops at the
/// first failure, shrinks it and saves it. `progress` is called after every case, with the
/// cases run, the cases in all and the counts so far.
pub fn drive(
    options: &Options,
    mut progress: impl FnMut(u64, u64, &Stats),
) -> Result<Report, DriveError> {
    let started = Instant::now();
    let saved = load_all(&options.save).map_err(|error| DriveError {
        message: format!("cannot read the saved regressions: {error}"),
    })?;
    if let Some(path) = &options.stderr {
        std::fs::File::create(path).map_err(|error| DriveError {
            message: format!("cannot create {}: {error}", path.display()),
        })?;
    }
    let process = Process::start_keeping(
        &options.program,
        &options.args,
        options.timeout,
        options.stderr.as_deref(),
    )?;
    let link = Link::new(process, options.protocol);
    let make_link = Rc::clone(&link);
    let mut harness = DriveHarness::with(move || ProcessPlane::reset(&make_link), None);
    check(&link)?;
    let generator = Generator::new(Limits {
        max_steps: options.steps.max(1),
        ..Limits::default()
    });
    let mut rng = seeded(options.seed);
    let mut cases = 0;
    let replayed = saved.len() as u64;
    let cover = options.cover || options.cover_fleet;
    let tour = cover.then(Tour::single_task);
    let fleet = options.cover_fleet.then(FleetTour::new);
    let singles = tour.as_ref().map_or(0, |tour| tour.segments.len());
    let generated = match &tour {
        Some(_) => (singles + fleet.as_ref().map_or(0, FleetTour::len)) as u64,
        None => options.cases,
    };
    // The tour and stretch of case `number` (after the regressions).
    let stretch = |number: u64| -> Option<Stretch> {
        let index = number.checked_sub(replayed)? as usize;
        tour.as_ref()?;
        Some(if index < singles {
            Stretch::Single(index)
        } else {
            Stretch::Fleet(index - singles)
        })
    };
    let shortest_of = |number: u64, step: usize| match stretch(number) {
        Some(Stretch::Single(segment)) => tour.as_ref()?.shortest_case(segment, step),
        Some(Stretch::Fleet(segment)) => fleet.as_ref()?.shortest_case(segment, step),
        None => None,
    };
    let total = replayed + generated;
    let mut saved = saved.into_iter().map(|(_, regression)| regression.case());
    let mut found = None;
    let mut failed_at = None;
    // What the cases run so far covered: generation weights toward the rest.
    let covered = Rc::new(RefCell::new(crate::fuzz::Coverage::new()));
    let seen = Rc::clone(&covered);
    // The case after the one running is known before it ends, so that a pipelined run can
    // send its first requests while the driver judges the last answers of this one.
    let mut upcoming = (0..total)
        .filter_map(|number| {
            let case = match (saved.next(), stretch(number)) {
                (Some(case), _) => case,
                (None, Some(Stretch::Single(segment))) => tour.as_ref()?.segments[segment].clone(),
                (None, Some(Stretch::Fleet(segment))) => fleet.as_ref()?.case(segment),
                (None, None) => generator.generate_toward(&mut rng, Some(&seen.borrow())),
            };
            (case.creations() <= CAPACITY).then_some((number, case))
        })
        .peekable();
    let mut fleet_started = None;
    while let Some((number, case)) = upcoming.next() {
        cases += 1;
        if fleet_started.is_none() && matches!(stretch(number), Some(Stretch::Fleet(_))) {
            fleet_started = Some(Instant::now());
        }
        let next = upcoming.peek().map(|(_, next)| next);
        let ran = match run_case(&mut harness, &link, &case, None, options.verify_every, next) {
            Ok(ran) => ran,
            // A crash, a hang, an answer that does not read: a failure of the program too,
            // shrunk by replaying prefixes of its case from a fresh start, and saved.
            Err(error) => {
                let shortest = |step: usize| shortest_of(number, step);
                let again = number < replayed;
                // Requests of the next case may have been sent ahead: it may be the one.
                let next = upcoming.peek().cloned();
                return Err(program_failed(
                    options,
                    &link,
                    (case, number, again),
                    next,
                    error,
                    shortest,
                ));
            }
        };
        if let Err(failure) = ran {
            // A failure of the tour starts shrinking from the shortest case of its pair.
            failed_at = stretch(number).map(|at| (at, failure.step));
            let shortest = shortest_of(number, failure.step);
            found = Some(shrink_and_save(
                options, &link, case, failure, number, shortest,
            )?);
            break;
        }
        covered.borrow_mut().clone_from(harness.coverage());
        progress(cases, total, harness.stats());
    }
    let (indefinite, happened) = {
        let link = link.borrow();
        (link.indefinite, link.happened)
    };
    Ok(Report {
        regressions: replayed as usize,
        cases,
        stats: harness.stats().clone(),
        indefinite: (indefinite, happened),
        coverage: harness.coverage().report(generator.exhaustive()),
        elapsed: started.elapsed(),
        found,
        tour: tour.map(|tour| {
            tour.count(match failed_at {
                Some((Stretch::Single(segment), step)) => Some((segment, step)),
                // The fleet tour runs after the whole single-task tour.
                _ => None,
            })
        }),
        fleet_elapsed: fleet_started.map(|started| started.elapsed()),
        fleet_tour: match failed_at {
            Some((Stretch::Single(_), _)) => None,
            Some((Stretch::Fleet(segment), step)) => {
                fleet.map(|fleet| fleet.count(Some((segment, step))))
            }
            None => fleet.map(|fleet| fleet.count(None)),
        },
    })
}

fn check(link: &Rc<RefCell<Link>>) -> Result<(), DriveError> {
    match link.borrow().error() {
        Some(error) => Err(error.clone()),
        None => Ok(()),
    }
}

/// Runs one case from a reset; `lines`, if given, gets each step's two answers (and the
/// case runs exact). Pipelined when the program speaks protocol 2: a case that cannot be
/// judged pipelined (an indefinite answer) is run again exact, and so is a case whose fleet
/// differs from what the answers said, to name the step that made the difference.
fn run_case(
    harness: &mut DriveHarness,
    link: &Rc<RefCell<Link>>,
    case: &Case,
    lines: Option<&mut Vec<StepLine>>,
    verify_every: usize,
    next: Option<&Case>,
) -> Result<Result<(), Failure>, DriveError> {
    let stats = harness.stats().clone();
    {
        let mut link = link.borrow_mut();
        link.exact = lines.is_some();
        if link.exact {
            // Requests sent ahead for this case are answered and skipped.
            link.ahead = None;
        }
    }
    harness.reset(case.accounts);
    check(link)?;
    if !harness.plane().pipelined() {
        link.borrow_mut().ahead = None;
        return exact_steps(harness, link, case, lines);
    }
    let ran = pipelined_steps(harness, link, case, verify_every, next)?;
    if !matches!(ran, Pipelined::Passed) {
        // What was sent ahead for the next case is answered and skipped: the next case
        // starts from a reset of its own.
        link.borrow_mut().ahead = None;
    }
    link.borrow_mut().exact = true;
    let result = match ran {
        Pipelined::Passed => Ok(Ok(())),
        Pipelined::Failed(failure) => Ok(Err(failure)),
        Pipelined::Unsaid(failure) => {
            harness.reset(case.accounts);
            check(link)?;
            Ok(Err(exact_steps(harness, link, case, None)?
                .err()
                .unwrap_or(failure)))
        }
        Pipelined::Indefinite => {
            harness.restore_stats(stats);
            harness.reset(case.accounts);
            check(link)?;
            exact_steps(harness, link, case, None)
        }
    };
    link.borrow_mut().exact = false;
    result
}

/// How a pipelined run of a case ended.
enum Pipelined {
    Passed,
    /// A step failed (judged on what the answers said).
    Failed(Failure),
    /// The fleet differs from what the answers said.
    Unsaid(Failure),
    /// An answer was indefinite: the run cannot judge the rest.
    Indefinite,
}

/// The steps of a case after a reset, pipelined (protocol 2): the requests of up to
/// [`WINDOW`] steps are written before their answers are read.
fn pipelined_steps(
    harness: &mut DriveHarness,
    link: &Rc<RefCell<Link>>,
    case: &Case,
    verify_every: usize,
    next: Option<&Case>,
) -> Result<Pipelined, DriveError> {
    let lists = listings_asked(case);
    let total = case.commands.len();
    let verify_every = verify_every.max(1);
    let (mut planned, mut sent) = match link.borrow_mut().ahead.take() {
        Some(ahead) => (ahead.planned, ahead.sent),
        None => (VecDeque::with_capacity(WINDOW), 0),
    };
    let mut next = next.filter(|next| next.creations() <= CAPACITY);
    for (index, command) in case.commands.iter().enumerate() {
        if (planned.len() <= WINDOW / 2 && sent < total) || index == 0 {
            let plane = harness.plane_mut();
            while planned.len() < WINDOW && sent < total {
                let verify = (sent + 1) % verify_every == 0 || sent + 1 == total;
                match plane.plan(&case.commands[sent], lists[sent], verify) {
                    Some(step) => planned.push_back(step),
                    None => break,
                }
                sent += 1;
            }
            if sent == total
                && let Some(next) = next.take()
            {
                let ahead = send_ahead(plane, next, verify_every);
                link.borrow_mut().ahead = ahead;
            }
            plane.flush();
            if index == 0 {
                plane.settle_reset();
            }
            check(link)?;
        }
        let Some(step) = planned.pop_front() else {
            // Planning stops only when the program has failed.
            check(link)?;
            return Err(DriveError {
                message: "drive: a step was read before it was sent".into(),
            });
        };
        let settled = harness.plane_mut().receive(command, step);
        check(link)?;
        if !settled {
            return Ok(Pipelined::Indefinite);
        }
        if let Err(failure) = harness.step(command) {
            check(link)?;
            return Ok(Pipelined::Failed(failure));
        }
        if let Err(failure) = query_agrees(harness, index, command) {
            return Ok(Pipelined::Failed(failure));
        }
        if let Some(detail) = harness.plane_mut().take_unsaid() {
            return Ok(Pipelined::Unsaid(Failure {
                step: index,
                command: Some(*command),
                property: crate::fuzz::Broke::Claim(ENGINE_REFINES_SPEC),
                detail,
            }));
        }
    }
    if total == 0 {
        harness.plane_mut().flush();
        harness.plane_mut().settle_reset();
        check(link)?;
    }
    Ok(Pipelined::Passed)
}

/// After which steps of a case the listings are asked (of how many accounts; 0: none):
/// after the commands the specification accepts, which is where an exact run asks them
/// (after the commands both sides accept) up to the first disagreement, which ends the
/// case.
fn listings_asked(case: &Case) -> Vec<u32> {
    let accounts = (case.accounts as usize + 1).min(MAX_ACCOUNTS) as u32;
    let mut spec = crate::spec::FleetSpec::<CAPACITY>::new();
    case.commands
        .iter()
        .map(|command| match spec.apply(command) {
            Ok(next) => {
                spec = next;
                accounts
            }
            Err(_) => 0,
        })
        .collect()
}

/// Sends the reset and the first window of the next case while this one's last answers
/// are read (pipelined runs of a program that has answered in protocol 2 before).
fn send_ahead(plane: &mut ProcessPlane, next: &Case, verify_every: usize) -> Option<Ahead> {
    let reset = plane.send_reset()?;
    let lists = listings_asked(next);
    let total = next.commands.len();
    let mut planned = VecDeque::with_capacity(WINDOW);
    for (sent, command) in next.commands.iter().enumerate().take(WINDOW) {
        let verify = (sent + 1) % verify_every == 0 || sent + 1 == total;
        planned.push_back(plane.plan(command, lists[sent], verify)?);
    }
    let sent = planned.len();
    Some(Ahead {
        reset,
        planned,
        sent,
    })
}

/// The steps of a case after a reset, exact: the whole fleet read after every command.
fn exact_steps(
    harness: &mut DriveHarness,
    link: &Rc<RefCell<Link>>,
    case: &Case,
    mut lines: Option<&mut Vec<StepLine>>,
) -> Result<Result<(), Failure>, DriveError> {
    for (index, command) in case.commands.iter().enumerate() {
        let spec = harness.world().fleet.apply(command);
        let sent = harness.plane_mut().send(command);
        check(link)?;
        let result = if sent == Sent::Lost {
            harness.skip();
            Ok(())
        } else {
            let stepped = harness.step(command).map(|_| ());
            check(link)?;
            stepped
                .and_then(|()| query_agrees(harness, index, command))
                .and_then(|()| match harness.plane_mut().take_unsaid() {
                    None => Ok(()),
                    Some(detail) => Err(Failure {
                        step: index,
                        command: Some(*command),
                        property: crate::fuzz::Broke::Claim(ENGINE_REFINES_SPEC),
                        detail,
                    }),
                })
        };
        check(link)?;
        if let Some(lines) = lines.as_deref_mut() {
            lines.push(StepLine {
                command: *command,
                spec: match spec {
                    Ok(fleet) => match command {
                        Command::Create { .. } | Command::Task { .. } => {
                            let id = match command {
                                Command::Task { task, .. } => task.0 as usize,
                                _ => fleet.slots().len(),
                            };
                            let status = fleet
                                .slots()
                                .get(id.wrapping_sub(1))
                                .map_or(Status::Creating, |slot| slot.task.status);
                            format!("accepted → {}", status.name())
                        }
                        _ => "accepted".to_string(),
                    },
                    Err(kind) => format!("refused {}", plane::refusal_name(kind)),
                },
                program: harness.plane().last_answer(),
                answered: harness.plane().last_answered(),
                tasks_after: harness.plane().tasks().collect(),
            });
        }
        if let Err(failure) = result {
            return Ok(Err(failure));
        }
    }
    Ok(Ok(()))
}

/// A query by id (`query`) must answer what the fleet (`tasks`) shows of the task, or
/// nothing for an account that does not own it.
fn query_agrees(harness: &DriveHarness, index: usize, command: &Command) -> Result<(), Failure> {
    let Command::Task { account, task, .. } = *command else {
        return Ok(());
    };
    let plane = harness.plane();
    let shown = plane
        .tasks()
        .find(|view| view.id == task && view.account == account);
    let answered = plane.query(account, task);
    if shown == answered {
        return Ok(());
    }
    Err(Failure {
        step: index,
        command: Some(*command),
        property: crate::fuzz::Broke::Claim(ENGINE_REFINES_SPEC),
        detail: {
            let words = |task: Option<crate::plane::TaskView>| {
                task.map_or("no task".to_string(), |task| plane::view_words(&task))
            };
            format!(
                "a query of task {} by account {} answered {}, but the fleet (tasks) shows {}",
                task.0,
                crate::spec::account_letter(account.0),
                words(answered),
                words(shown)
            )
        },
    })
}

fn shrink_and_save(
    options: &Options,
    link: &Rc<RefCell<Link>>,
    case: Case,
    first: Failure,
    number: u64,
    shortest: Option<Case>,
) -> Result<Found, DriveError> {
    let original_length = case.commands.len();
    let target = first.property;
    link.borrow_mut().ahead = None;
    let make_link = Rc::clone(link);
    let mut replayer = DriveHarness::with(move || ProcessPlane::reset(&make_link), None);
    // What follows the failing step plays no part: shrinking starts from the prefix, or
    // from a shorter case (the tour's shortest way to the failing pair) that fails alike.
    let mut start = Case {
        commands: case.commands[..(first.step + 1).min(case.commands.len())].to_vec(),
        ..case
    };
    if let Some(shortest) =
        shortest.filter(|shortest| shortest.commands.len() < start.commands.len())
    {
        let ran = run_case(
            &mut replayer,
            link,
            &shortest,
            None,
            options.verify_every,
            None,
        )?;
        if ran.is_err_and(|failure| failure.property == target) {
            start = shortest;
        }
    }
    let mut error = None;
    let shrunk = minimize(start, |candidate| {
        if error.is_some() {
            return false;
        }
        match run_case(
            &mut replayer,
            link,
            candidate,
            None,
            options.verify_every,
            None,
        ) {
            Ok(Err(failure)) => failure.property == target,
            Ok(Ok(())) => false,
            Err(e) => {
                error = Some(e);
                false
            }
        }
    });
    if let Some(error) = error {
        return Err(error);
    }
    let mut steps = Vec::new();
    let (failure, recurred) = match run_case(
        &mut replayer,
        link,
        &shrunk,
        Some(&mut steps),
        options.verify_every,
        None,
    )? {
        Err(failure) => (failure, true),
        Ok(()) => (first, false),
    };
    std::fs::create_dir_all(&options.save).map_err(|e| DriveError {
        message: format!("cannot create {}: {e}", options.save.display()),
    })?;
    let name = saved_name(options, number);
    let regression = options.save.join(format!("{name}.json"));
    let description = format!(
        "drive -- {}: {} at step {} (seed {:#x}, case {})",
        options.program,
        failure.property,
        failure.step + 1,
        options.seed,
        number + 1
    );
    write(
        &regression,
        &to_json(&Regression::new(description, &shrunk, None)),
    )?;
    let history = options.save.join(format!("{name}.history.jsonl"));
    let recorded = history::write(&steps, &options.program);
    write(&history, &recorded)?;
    let rejected = history::verdict(&recorded).map_err(|error| DriveError {
        message: format!(
            "drive wrote a history that validate cannot read ({error}): a bug of drive"
        ),
    })?;
    Ok(Found {
        case: shrunk,
        failure,
        steps,
        original_length,
        regression,
        history,
        rejected,
        recurred,
        stderr: link.borrow().stderr_tail(),
    })
}

/// The name a case's files are saved under.
fn saved_name(options: &Options, number: u64) -> String {
    if options.cover || options.cover_fleet {
        format!("drive-cover-stretch{}", number + 1)
    } else {
        format!("drive-seed{:x}-case{}", options.seed, number + 1)
    }
}

/// A case during which the program crashed, hung or printed a non-answer: the shortest
/// prefix of it that does the same from a fresh start (a binary search over prefixes, each
/// replayed exact from a new process, so the request is named under protocol 2 too), saved
/// as a regression that the next run replays first. Answers the error to report, with the
/// step and where the case was saved.
fn program_failed(
    options: &Options,
    link: &Rc<RefCell<Link>>,
    (case, number, again): (Case, u64, bool),
    next: Option<(u64, Case)>,
    error: DriveError,
    shortest_of: impl Fn(usize) -> Option<Case>,
) -> DriveError {
    let fails = |case: &Case, length: usize| -> Option<DriveError> {
        if link.borrow_mut().restart().is_err() {
            return None;
        }
        let make_link = Rc::clone(link);
        let mut replayer = DriveHarness::with(move || ProcessPlane::reset(&make_link), None);
        let prefix = Case {
            commands: case.commands[..length].to_vec(),
            ..case.clone()
        };
        let mut lines = Vec::new();
        run_case(
            &mut replayer,
            link,
            &prefix,
            Some(&mut lines),
            options.verify_every,
            None,
        )
        .err()
    };
    // The shortest failing prefix, if the whole case fails again from a fresh start.
    let prefix = |case: &Case| {
        let length = case.commands.len();
        let mut shortest = fails(case, length).map(|error| (length, error));
        if let Some(mut high) = shortest.as_ref().map(|(n, _)| *n) {
            let mut low = 0;
            while low < high {
                let middle = (low + high) / 2;
                match fails(case, middle) {
                    Some(error) => {
                        shortest = Some((middle, error));
                        high = middle;
                    }
                    None => low = middle + 1,
                }
            }
        }
        shortest
    };
    let (mut case, mut number, mut again) = (case, number, again);
    let mut shortest = prefix(&case);
    if shortest.is_none()
        && let Some((next_number, next)) = next
        && let Some(found) = prefix(&next)
    {
        shortest = Some(found);
        (case, number, again) = (next, next_number, false);
    }
    let total = case.commands.len();
    // The tour knows a shorter way to the pair that failed: the shortest path to its state.
    if let Some((length, _)) = &shortest
        && let Some(shorter) = length.checked_sub(1).and_then(&shortest_of)
        && shorter.commands.len() < *length
        && let Some(error) = fails(&shorter, shorter.commands.len())
    {
        shortest = Some((shorter.commands.len(), error));
        case = shorter;
    }
    let Some((length, replayed)) = shortest else {
        return DriveError {
            message: format!(
                "{error} (during case {}; it did not happen again when the case was replayed \
                 from a fresh start: the program may be nondeterministic, or it failed on the \
                 next case's requests, sent ahead)",
                number + 1
            ),
        };
    };
    let shrunk = Case {
        commands: case.commands[..length].to_vec(),
        ..case
    };
    let at = match shrunk.commands.last() {
        Some(command) => format!("at step {length}, {command}"),
        None => "at the case's reset".to_string(),
    };
    let name = saved_name(options, number);
    let regression = options.save.join(format!("{name}.json"));
    let description = format!("drive -- {}: {replayed}", options.program);
    if again {
        return DriveError {
            message: format!(
                "{replayed} — {at}, replaying the saved regression of {total} steps (in {}), \
                 shrunk to {length} steps",
                options.save.display()
            ),
        };
    }
    let saved = std::fs::create_dir_all(&options.save)
        .map_err(|e| e.to_string())
        .and_then(|()| {
            std::fs::write(
                &regression,
                to_json(&Regression::new(description, &shrunk, None)),
            )
            .map_err(|e| e.to_string())
        });
    let saved = match saved {
        Ok(()) => format!(
            "saved the regression {} (replayed first by the next drive; no history: a \
             poller's records have no crash)",
            regression.display()
        ),
        Err(why) => format!(
            "could not save the regression {}: {why}",
            regression.display()
        ),
    };
    DriveError {
        message: format!(
            "{replayed} — {at}: case {} ({total} steps) shrunk to {length} steps by \
             replaying it from a fresh start; {saved}",
            number + 1
        ),
    }
}

fn write(path: &Path, text: &str) -> Result<(), DriveError> {
    std::fs::write(path, text).map_err(|e| DriveError {
        message: format!("cannot write {}: {e}", path.display()),
    })
}

impl std::fmt::Display for Found {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "failing case shrunk from {} to {} steps:",
            self.original_length,
            self.case.commands.len()
        )?;
        let mut table = String::new();
        for (i, line) in self.steps.iter().enumerate() {
            let marker = if i == self.failure.step {
                "  ← fails"
            } else {
                ""
            };
            let _ = writeln!(
                table,
                "  {:>3}. {:<48} spec: {:<28} program: {}{marker}",
                i + 1,
                line.command.to_string(),
                line.spec,
                line.program
            );
        }
        f.write_str(&table)?;
        writeln!(f, "{}", self.failure)?;
        if let Some(tail) = &self.stderr {
            writeln!(f, "the program's standard error ended: {tail}")?;
        }
        if !self.recurred {
            writeln!(
                f,
                "the failure did not happen again when the shrunk case was replayed to be \
                 printed: the program may be nondeterministic"
            )?;
        }
        writeln!(
            f,
            "saved the regression {} (replayed first by the next drive)",
            self.regression.display()
        )?;
        match &self.rejected {
            Some((job, claim)) => write!(
                f,
                "saved the history {} (drs-lifecycle validate rejects it: {job} breaks \"{claim}\")",
                self.history.display()
            ),
            None => write!(
                f,
                "saved the history {} (drs-lifecycle validate does not reject it: what a \
                 poller records of this case, the statuses, the user operations and billing, \
                 is explained by the specification with steps a poller does not see; {})",
                self.history.display(),
                self.unrecorded()
            ),
        }
    }
}

impl Found {
    /// Why the failure is not in what a poller records: the failing step's own reason when
    /// the two answers tell it, else what such failures show in.
    fn unrecorded(&self) -> String {
        if !self.recurred {
            return "the history records the replay of the shrunk case, in which the failure \
                    did not happen again"
                .to_string();
        }
        let (Some(command), Some(line)) = (self.failure.command, self.steps.get(self.failure.step))
        else {
            return Self::UNRECORDED.to_string();
        };
        if line.command != command {
            return Self::UNRECORDED.to_string();
        }
        // The status an answer names (`accepted → Paused (version 3)`), if it names one,
        // in the tool's words.
        let landed = |answer: &str| {
            let (_, to) = answer.split_once("→ ")?;
            let name = to.split(" (").next().unwrap_or(to);
            Some(
                Status::ALL
                    .into_iter()
                    .find(|status| status.name() == name)
                    .map_or_else(|| name.to_string(), Status::label),
            )
        };
        let system = matches!(command, Command::Task { event, .. }
            if event.source() == crate::spec::Source::System);
        match (line.spec.starts_with("accepted"), line.answered) {
            (true, Answered::Accepted) => match (landed(&line.spec), landed(&line.program)) {
                (Some(spec), Some(program)) if spec != program => format!(
                    "both accepted the failing step, {command}, the program landing in {program} \
                     where the specification lands in {spec}: steps a poller does not see \
                     explain to it the statuses it read"
                ),
                (Some(_), Some(_)) => format!(
                    "both accepted the failing step, {command}, landing in the same status: what \
                     differs is beside it (a version, the tasks an answer lists as changed), \
                     which a poller does not record"
                ),
                _ => format!(
                    "both accepted the failing step, {command}: what differs is not a status an \
                     answer names (a version, the tasks an answer lists as changed), and a \
                     poller does not record it"
                ),
            },
            (false, Answered::Refused) => format!(
                "both refused the failing step, {command}: what differs (a refusal's kind, or a \
                 change the refusal made) a poller does not record, or steps it does not see \
                 explain"
            ),
            (spec, Answered::Accepted | Answered::Refused) if system => format!(
                "the failing step, {command}, is a system event that the program {} and the \
                 specification {}: a poller does not record system events, only the statuses \
                 that follow",
                if spec { "refused" } else { "accepted" },
                if spec { "accepts" } else { "refuses" }
            ),
            _ => Self::UNRECORDED.to_string(),
        }
    }

    /// What a failure that a poller's records do not show shows in.
    const UNRECORDED: &str = "the failure shows only in what the program answered: a system \
                              event accepted or refused, a version, a refusal's kind, the \
                              tasks an answer lists as changed";
}
