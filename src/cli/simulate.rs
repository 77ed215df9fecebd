//! `drs-lifecycle simulate`: a seeded fleet, written as a history on standard output (or a
//! file), and optionally drawn as an SVG of status counts over time.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use super::CliError;
use crate::simulate::{Config, ServiceFault, run, svg};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    drs-lifecycle simulate --tasks 1000 --days 7 --seed 1 | drs-lifecycle validate -\n  \
    drs-lifecycle simulate --tasks 1000 --days 7 --seed 1 --service-fault deleted-reappears \\\n    \
    | drs-lifecycle validate -       # exits 1, naming the job, the line and the claim\n  \
    drs-lifecycle simulate --tasks 500 --days 14 --svg fleet.svg > history.jsonl\n\n\
The same arguments write the same history, byte for byte. The duration distributions are\n\
in `src/simulate/mod.rs` (fn plan) and docs/traces.md.")]
pub struct SimulateArgs {
    /// How many tasks (created over the first half of the period).
    #[arg(long, default_value_t = 100)]
    pub tasks: usize,
    /// How many accounts the tasks belong to (arrears freeze a whole account).
    #[arg(long, default_value_t = 10)]
    pub accounts: usize,
    /// How many simulated days.
    #[arg(long, default_value_t = 7)]
    pub days: u32,
    /// The seed: the whole history is a function of the arguments.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Seconds between two polls of a task.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub poll_every: u32,
    /// Each poll comes up to this many seconds early or late.
    #[arg(long, value_name = "SECONDS", default_value_t = 5)]
    pub jitter: u32,
    /// The share of polls lost (0 to 1).
    #[arg(long, value_name = "SHARE", default_value_t = 0.01)]
    pub lost_polls: f64,
    /// Make the service break the lifecycle once.
    #[arg(long, value_enum, value_name = "NAME")]
    pub service_fault: Option<ServiceFault>,
    /// Write the history here instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also draw the fleet's status counts over time.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
}

pub fn simulate(args: SimulateArgs) -> Result<ExitCode, CliError> {
    let config = Config {
        tasks: args.tasks,
        accounts: args.accounts,
        days: args.days,
        seed: args.seed,
        poll_every_s: args.poll_every,
        jitter_s: args.jitter,
        lost_polls: args.lost_polls,
        fault: args.service_fault,
    };
    if let Some(problem) = config.problem() {
        return Err(CliError::input(problem));
    }
    let result = match &args.output {
        Some(path) => {
            let file = File::create(path)
                .map_err(|e| CliError::input(format!("cannot create {}: {e}", path.display())))?;
            let mut out = BufWriter::new(file);
            run(&config, &mut out).and_then(|s| out.flush().map(|()| s))
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            run(&config, &mut out)
        }
    };
    let summary = match result {
        Ok(summary) => summary,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Err(CliError::reader_gone()),
        Err(e) => return Err(CliError::input(format!("cannot write the history: {e}"))),
    };
    if let Some(fault) = args.service_fault {
        match &summary.fault_at {
            Some((job, at)) => eprintln!(
                "simulate: service fault {} injected into {job} (shows from {})",
                fault.name(),
                crate::history::format_time(*at)
            ),
            None => eprintln!(
                "simulate: service fault {} never had its moment in this run (more tasks or days?)",
                fault.name()
            ),
        }
    }
    if let Some(path) = &args.svg {
        let title = format!(
            "{} tasks over {} days (seed {}): status counts",
            args.tasks, args.days, args.seed
        );
        std::fs::write(path, svg::chart(&summary.samples, &title))
            .map_err(|e| CliError::input(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(ExitCode::SUCCESS)
}
