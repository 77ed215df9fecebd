//! The command line: `drs-lifecycle <subcommand>`.
//!
//! Each subcommand lives in its own file and returns a [`CliError`] instead of panicking,
//! so every bad input ends in one line that says what was wrong and what to do.

mod check;
mod drive;
mod explore;
mod report;
mod simulate;
mod snapshot;
mod validate;

use std::fmt;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Parser, Subcommand};

use crate::spec::render::{Format, render};

/// The executable, model-checked specification of a DRS migration task's lifecycle.
///
/// Start with `drs-lifecycle spec` to read the lifecycle.
#[derive(Debug, Parser)]
#[command(name = "drs-lifecycle", version, about, long_about = None)]
pub struct Cli {
    /// The subcommand to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the specification: the transition table, the state diagram, or the whole
    /// specification as JSON.
    Spec(SpecArgs),
    /// Model-check configurations (default: every models/*.toml) and report each property,
    /// the state counts and the shortest counterexample of every violation. Exits 0 only if
    /// every expectation of every configuration is met (also when the reader of its output
    /// goes away early: it checks on, silently, and exits with the verdict).
    Check(CheckArgs),
    /// Serve stateright's Explorer for a model configuration (default: the lifecycle of one
    /// task) and print the URL to open in a browser.
    Explore(ExploreArgs),
    /// Validate a fleet snapshot (the engine's JSON) and list its tasks; a bad snapshot
    /// gets a one-line error naming the problem.
    Snapshot(SnapshotArgs),
    /// Regenerate the reports in reports/: model-check results, the state diagram (Mermaid
    /// and SVG) and the benchmark table. `report bench --baseline NAME --threshold PCT` is
    /// the regression gate.
    Report(ReportArgs),
    /// Judge a recorded history (polls, commands, timelines; JSON lines, `.gz` too) against
    /// the specification: each job's first impossible record, explained.
    Validate(validate::ValidateArgs),
    /// Simulate a fleet over days, seeded and deterministic, and write its history in the
    /// format `validate` reads (optionally with a misbehaving service).
    Simulate(simulate::SimulateArgs),
    /// Hold a control plane in any language to the specification: run PROGRAM and speak to
    /// it in JSON lines (docs/drive-protocol.md) with generated cases; a failure is shrunk,
    /// printed step by step and saved as a regression and a history.
    Drive(drive::DriveArgs),
    /// The reference engine behind the drive protocol, on stdin/stdout.
    #[command(hide = true)]
    ServePlane(drive::ServeArgs),
}

/// Arguments of `drs-lifecycle report`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    drs-lifecycle report                         # every report (runs every models/*.toml)\n  \
    drs-lifecycle report diagram                 # reports/lifecycle.md (full graph) and lifecycle.svg (overview)\n  \
    cargo bench -- --save-baseline main          # before a change\n  \
    cargo bench -- --baseline main               # after it\n  \
    drs-lifecycle report bench --baseline main --threshold 5   # exits 1 on a regression\n\n\
Exit status: 0 written (and no regression), 1 a regression past the threshold or a\n\
configuration that did not meet its expectations, 2 bad input (no criterion results,\n\
unknown baseline, unreadable files).")]
pub struct ReportArgs {
    /// Which report to regenerate; every one when absent.
    #[command(subcommand)]
    pub what: Option<ReportWhat>,
    /// The directory the reports are written to.
    #[arg(long, global = true, default_value = crate::report::REPORTS_DIR)]
    pub out: PathBuf,
    /// Criterion's output directory (default: $CRITERION_HOME, else
    /// $CARGO_TARGET_DIR/criterion, else target/criterion).
    #[arg(long, global = true, value_name = "DIR")]
    pub criterion: Option<PathBuf>,
}

/// Which report to regenerate.
#[derive(Debug, clap::Subcommand)]
pub enum ReportWhat {
    /// Model-check every configuration in models/ and write model-check.md.
    Models,
    /// Write the state diagram: lifecycle.md (the full graph, Mermaid) and lifecycle.svg (the
    /// readable overview, by stage).
    Diagram,
    /// Write benchmarks.md from criterion's saved estimates; with --baseline and
    /// --threshold, exit 1 if a benchmark regressed.
    Bench(BenchArgs),
}

/// Arguments of `drs-lifecycle report bench`: the regression gate.
#[derive(Debug, Default, clap::Args)]
pub struct BenchArgs {
    /// A baseline saved with `cargo bench -- --save-baseline NAME` to compare with.
    #[arg(long, value_name = "NAME")]
    pub baseline: Option<String>,
    /// Exit 1 when a benchmark's median is more than PCT percent slower than in the
    /// baseline.
    #[arg(long, value_name = "PCT", requires = "baseline")]
    pub threshold: Option<f64>,
}

/// Arguments of `drs-lifecycle snapshot`.
#[derive(Debug, clap::Args)]
pub struct SnapshotArgs {
    /// The snapshot file (JSON written by `Fleet::to_json`).
    pub file: PathBuf,
}

/// Arguments of `drs-lifecycle explore`.
#[derive(Debug, clap::Args)]
pub struct ExploreArgs {
    /// A model configuration (models/*.toml); default: one task in any mode.
    pub config: Option<PathBuf>,
    /// The address to listen on.
    #[arg(long, default_value = explore::DEFAULT_ADDR)]
    pub addr: String,
    /// Allow listening on a non-loopback address (the Explorer has no authentication).
    #[arg(long)]
    pub allow_remote: bool,
    /// Do not start checking the properties at once (wait for "Run to completion").
    #[arg(long)]
    pub no_run: bool,
}

/// Output formats of reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Tables and numbered counterexamples for people.
    Text,
    /// One JSON array of results for machines.
    Json,
}

/// Arguments of `drs-lifecycle check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Configuration files to check (default: every *.toml directly in models/; the heavy
    /// ones in models/heavy/ run only when named).
    pub files: Vec<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

/// Output formats of `drs-lifecycle spec`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SpecFormat {
    /// The lifecycle document: statuses, modes, events, the transition table, the billing
    /// rules and the state diagram (docs/lifecycle.md is exactly this output).
    Markdown,
    /// The state diagram as a Mermaid `stateDiagram-v2`, every edge of the table.
    Mermaid,
    /// The state diagram in Graphviz DOT (UTF-8; render with `dot -Tsvg`).
    Dot,
    /// The whole specification, machine-readable: statuses with names, codes and classes,
    /// modes, events, rules and every expanded edge.
    Json,
}

/// Arguments of `drs-lifecycle spec`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    drs-lifecycle spec --format markdown > docs/lifecycle.md   # regenerate the committed docs\n  \
    drs-lifecycle spec --format dot | dot -Tsvg > full-graph.svg   # every edge, with Graphviz\n  \
    drs-lifecycle spec --format json | jq '.rules[] | select(.event == \"Reset\")'")]
pub struct SpecArgs {
    /// What to print.
    #[arg(long, value_enum, default_value_t = SpecFormat::Markdown)]
    pub format: SpecFormat,
}

/// An error that ends the command with a one-line message and a non-zero exit status.
#[derive(Debug)]
pub struct CliError {
    /// What went wrong and what to do, in one line.
    pub message: String,
    /// The process exit status (2 for bad input; `validate` uses 3 for malformed records).
    pub code: u8,
}

impl CliError {
    /// A usage or input error (exit status 2).
    pub fn input(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            code: 2,
        }
    }

    /// The reader of standard output went away (`drs-lifecycle spec | head`): a command
    /// that has no verdict (`spec`, `simulate`, `explore`) stops quietly and successfully, as
    /// Unix tools do, since nobody reads the rest. A command that judges never returns this:
    /// see [`write_out`].
    pub(crate) fn reader_gone() -> Self {
        CliError {
            message: String::new(),
            code: 0,
        }
    }
}

impl From<crate::check::ConfigError> for CliError {
    fn from(error: crate::check::ConfigError) -> Self {
        CliError::input(error.to_string())
    }
}

/// Set once a write to standard output met a reader that went away.
static READER_GONE: AtomicBool = AtomicBool::new(false);

/// Set for the commands whose exit status is a verdict (`check`, `validate`, `snapshot`,
/// `drive`, `report`): when the reader goes away they finish their work silently and exit
/// with the verdict, so that `drs-lifecycle validate FILE | head -1` under `set -o pipefail`
/// still fails on a broken history.
static KEEP_VERDICT: AtomicBool = AtomicBool::new(false);

/// Writes a command's output to standard output. `print!` panics when the reader has gone
/// away; this ends a command without a verdict quietly instead ([`CliError::reader_gone`]),
/// and lets a command with a verdict go on to it without writing any more.
pub(crate) fn write_out(text: fmt::Arguments<'_>) -> Result<(), CliError> {
    use std::io::Write;
    let gone = || {
        READER_GONE.store(true, Ordering::Relaxed);
        if KEEP_VERDICT.load(Ordering::Relaxed) {
            Ok(())
        } else {
            Err(CliError::reader_gone())
        }
    };
    if READER_GONE.load(Ordering::Relaxed) {
        return gone();
    }
    let mut stdout = std::io::stdout().lock();
    match stdout.write_fmt(text).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => gone(),
        Err(error) => Err(CliError::input(format!(
            "cannot write to standard output: {error}"
        ))),
    }
}

/// `println!` for command output, returning from the command when the reader went away.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::write_out(format_args!("{}\n", format_args!($($arg)*)))?
    };
}
pub(crate) use outln;

/// `print!` for command output, returning from the command when the reader went away.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::write_out(format_args!($($arg)*))?
    };
}
pub(crate) use out;

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The configurations directly in `models/` (the default run), or a one-line error saying
/// what to do when there are none.
fn shipped_configurations() -> Result<Vec<PathBuf>, CliError> {
    let dir = PathBuf::from(crate::check::MODELS_DIR);
    let files = crate::check::configurations_in(&dir).map_err(|error| {
        CliError::input(format!(
            "cannot read {}/: {error}; run from the repository root or name configuration files",
            dir.display()
        ))
    })?;
    if files.is_empty() {
        return Err(CliError::input(format!(
            "no configuration (*.toml) in {}/: name configuration files",
            dir.display()
        )));
    }
    Ok(files)
}

fn spec(args: SpecArgs) -> Result<ExitCode, CliError> {
    let format = match args.format {
        SpecFormat::Markdown => Format::Markdown,
        SpecFormat::Mermaid => Format::Mermaid,
        SpecFormat::Dot => Format::Dot,
        SpecFormat::Json => Format::Json,
    };
    out!("{}", render(format));
    Ok(ExitCode::SUCCESS)
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    let judges = matches!(
        cli.command,
        Command::Check(_)
            | Command::Snapshot(_)
            | Command::Report(_)
            | Command::Validate(_)
            | Command::Drive(_)
    );
    KEEP_VERDICT.store(judges, Ordering::Relaxed);
    let result: Result<ExitCode, CliError> = match cli.command {
        Command::Spec(args) => spec(args),
        Command::Check(args) => check::check(args),
        Command::Explore(args) => explore::explore(args),
        Command::Snapshot(args) => snapshot::snapshot(args),
        Command::Report(args) => report::report(args),
        Command::Validate(args) => validate::validate(args),
        Command::Simulate(args) => simulate::simulate(args),
        Command::Drive(args) => drive::drive(args),
        Command::ServePlane(args) => drive::serve_plane(args),
    };
    match result {
        Ok(code) => code,
        Err(error) if error.code == 0 => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("drs-lifecycle: {error}");
            ExitCode::from(error.code)
        }
    }
}
