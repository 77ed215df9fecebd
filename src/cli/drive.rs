//! `drs-lifecycle drive -- PROGRAM [ARGS]`: the process driver on the command line.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use super::{CliError, outln};
use crate::drive::{Options, drive as run};

/// Arguments of `drs-lifecycle drive`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    drs-lifecycle drive -- python3 examples/python/control_plane.py\n  \
    drs-lifecycle drive --cases 200 --seed 7 -- python3 examples/python/control_plane.py --bug reuse-deleted-id\n\n\
Exit status: 0 every case passed, 1 a case failed (shrunk, printed and saved), 2 bad\n\
invocation, 4 the program misbehaved (not found, exited, hung, printed a non-answer); the\n\
same when the reader of the output goes away early (`drive … | head -1`).")]
pub struct DriveArgs {
    /// The generator's seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// How many generated cases to run (after the saved regressions).
    #[arg(long, default_value_t = 200)]
    pub cases: u64,
    /// The longest case, in commands.
    #[arg(long, default_value_t = 100)]
    pub steps: usize,
    /// How long to wait for an answer, in milliseconds; an execute not answered in time is
    /// indefinite, any other request not answered in time means the program hangs.
    #[arg(long, value_name = "MS", default_value_t = 5000)]
    pub timeout: u64,
    /// Where failing cases are saved (a regression and a history each) and replayed from.
    #[arg(long, value_name = "DIR", default_value = "drive-failures")]
    pub save: PathBuf,
    /// The highest protocol version to offer the program at reset (1: read the whole fleet
    /// after every command; 2: answers say what changed, requests are pipelined; a program
    /// that does not answer with a version speaks 1).
    #[arg(long, value_name = "N", default_value_t = crate::drive::PROTOCOL, value_parser = clap::value_parser!(u32).range(1..=2))]
    pub protocol: u32,
    /// Protocol 2: read the whole fleet, to verify what the answers said changed, after
    /// every N commands and at the end of every case (1: after every command).
    #[arg(long, value_name = "N", default_value_t = crate::drive::VERIFY_EVERY as u64, value_parser = clap::value_parser!(u64).range(1..))]
    pub verify_every: u64,
    /// Instead of generated cases, the transition tour of the single-task lifecycle in
    /// every mode: every command (each user operation and system event, billing, another
    /// account's command, an unknown id, a creation) sent in every reachable state at least
    /// once, refusals included, walking the shortest paths between them.
    #[arg(long)]
    pub cover: bool,
    /// After the single-task tour (implies --cover), the tour of a fleet of two tasks over
    /// two accounts: every command of the conformance model (each event to each task from
    /// its owner and from the other account, creations, billing of each account, an unknown
    /// id) in every reachable state of the fleet. About four million pairs: minutes, with a
    /// progress line.
    #[arg(long)]
    pub cover_fleet: bool,
    /// Keep the program's standard error whole in FILE (its last lines are quoted on a
    /// failure either way).
    #[arg(long, value_name = "FILE")]
    pub stderr: Option<PathBuf>,
    /// Show the progress line even when standard error is not a terminal.
    #[arg(long)]
    pub progress: bool,
    /// The program and its arguments.
    #[arg(last = true, required = true, value_name = "PROGRAM [ARGS]")]
    pub program: Vec<String>,
}

/// Runs `drive`.
pub fn drive(args: DriveArgs) -> Result<ExitCode, CliError> {
    let Some((program, rest)) = args.program.split_first() else {
        return Err(CliError::input("name the program after --"));
    };
    let options = Options {
        program: program.clone(),
        args: rest.to_vec(),
        seed: args.seed,
        cases: args.cases,
        steps: args.steps,
        timeout: Duration::from_millis(args.timeout.max(1)),
        save: args.save,
        protocol: args.protocol,
        verify_every: args.verify_every as usize,
        cover: args.cover,
        cover_fleet: args.cover_fleet,
        stderr: args.stderr,
    };
    let show = args.progress || std::io::stderr().is_terminal();
    let started = Instant::now();
    let mut last = Instant::now();
    let report = run(&options, |cases, total, stats| {
        if show && last.elapsed() >= Duration::from_millis(500) {
            last = Instant::now();
            let rate = stats.steps as f64 / started.elapsed().as_secs_f64().max(1e-9);
            let mut err = std::io::stderr().lock();
            let _ = write!(
                err,
                "\r{cases} of {total} cases, {} commands, {:.0} commands/s   ",
                stats.steps, rate
            );
            let _ = err.flush();
        }
    })
    .map_err(|error| CliError {
        message: error.to_string(),
        code: 4,
    })?;
    if show {
        eprintln!();
    }
    let s = &report.stats;
    if let Some(found) = &report.found {
        outln!("{found}");
        match (&report.tour, &report.fleet_tour) {
            (_, Some(fleet)) => outln!(
                "the single-task tour passed; the fleet tour had covered {} of {} pairs in {} \
                 commands when it failed",
                fleet.covered,
                fleet.total,
                fleet.commands
            ),
            (Some(tour), None) => outln!(
                "the tour had covered {} of {} pairs in {} commands when it failed",
                tour.covered(),
                tour.total(),
                tour.commands
            ),
            (None, None) => {}
        }
        return Ok(ExitCode::from(1));
    }
    if let Some(tour) = &report.tour {
        outln!(
            "drive --cover: {} regressions replayed, the single-task tour: {} of {} pairs \
             (state, command) covered in {} states, {} commands sent ({} resets): {:.2} \
             commands per pair, in {:.2} s",
            report.regressions,
            tour.covered(),
            tour.total(),
            tour.states,
            tour.commands,
            tour.resets,
            tour.ratio(),
            // The fleet tour's time is its own line's.
            report
                .elapsed
                .saturating_sub(report.fleet_elapsed.unwrap_or_default())
                .as_secs_f64()
        );
        for (label, (covered, total)) in crate::drive::MODE_LABELS
            .iter()
            .zip(tour.covered.iter().zip(tour.total))
        {
            outln!("  {label:<18} {covered:>5} / {total:<5} pairs");
        }
        if let Some(fleet) = &report.fleet_tour {
            outln!(
                "  the fleet tour (2 tasks over 2 accounts): {} of {} pairs (state, command) \
                 covered in {} states, {} commands sent ({} resets): {:.2} commands per pair, \
                 in {:.1} s",
                fleet.covered,
                fleet.total,
                fleet.states,
                fleet.commands,
                fleet.resets,
                fleet.ratio(),
                report.fleet_elapsed.unwrap_or_default().as_secs_f64()
            );
        }
        outln!(
            "  accepted {}, refused {}, indefinite {} (of which {} happened)",
            s.accepted,
            s.refused_total(),
            report.indefinite.0,
            report.indefinite.1
        );
        return Ok(ExitCode::SUCCESS);
    }
    outln!(
        "drive: {} regressions replayed, {} cases, {} commands in {:.2} s: {:.0} commands/s",
        report.regressions,
        report.cases,
        s.steps,
        report.elapsed.as_secs_f64(),
        report.commands_per_second()
    );
    outln!(
        "  accepted {}, refused {}, indefinite {} (of which {} happened)",
        s.accepted,
        s.refused_total(),
        report.indefinite.0,
        report.indefinite.1
    );
    outln!(
        "  addressed to a deleted task {}, from the wrong account {}, to an unknown id {}",
        s.to_deleted,
        s.wrong_account,
        s.unknown_id
    );
    outln!("coverage of the specification (single-task lifecycle):");
    for line in report.coverage.to_string().lines() {
        outln!("  {line}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Arguments of the hidden `drs-lifecycle serve-plane`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// An engine fault to plant (engine-pauses-frozen-task, engine-reuses-deleted-id, …).
    #[arg(long)]
    pub fault: Option<crate::model::Fault>,
    /// Answer every Nth execute `unknown` (0: never).
    #[arg(long, default_value_t = 0)]
    pub unknown_every: u64,
    /// The highest protocol version to speak (1: never say what changed).
    #[arg(long, default_value_t = crate::drive::PROTOCOL as u64)]
    pub protocol: u64,
    /// Protocol 2: answer billing as if it changed no task (a lie `drive` must catch).
    #[arg(long)]
    pub under_report: bool,
}

/// Runs the reference engine behind the drive protocol.
pub fn serve_plane(args: ServeArgs) -> Result<ExitCode, CliError> {
    let stdin = std::io::stdin().lock();
    let stdout = std::io::BufWriter::new(std::io::stdout().lock());
    match crate::drive::serve(
        stdin,
        stdout,
        crate::drive::Serving {
            fault: args.fault,
            unknown_every: args.unknown_every,
            protocol: args.protocol,
            under_report: args.under_report,
        },
    ) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(error) => Err(CliError::input(format!("serve-plane: {error}"))),
    }
}
