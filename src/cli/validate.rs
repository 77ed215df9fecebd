//! `drs-lifecycle validate [FILES|-]`: judge a recorded history against the specification.
//!
//! Streaming: lines are read, parsed and judged one at a time, so memory grows with the
//! number of jobs (a few dozen bytes each) and not with the records. `--shard I/N` judges
//! only the jobs whose id hashes to I (a stable FNV-1a hash), so a batch runner splits one
//! large history over N machines with the same files and no coordination. A malformed line
//! stops the run with its file, line and what is wrong (exit 3), or with `--keep-going` is
//! counted and skipped.

use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use serde_json::json;

use super::{CliError, out, outln};
use crate::history::deadline::Deadlines;
use crate::history::tables::answer_of;
use crate::history::validate::{Settings, Stop, Validator};
use crate::history::{ExcursionPolicy, Judge, format_gap, format_time, parse_duration};
use crate::text::{pad, thousands};

/// Exit status of a history with violations.
pub const EXIT_VIOLATIONS: u8 = 1;
/// Exit status of malformed input.
pub const EXIT_MALFORMED: u8 = 3;
/// Exit status of a history with no violation but a task stuck past its deadline
/// (`--deadlines`).
pub const EXIT_STUCK: u8 = 4;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Commands {
    /// Users may have operated the tasks unseen (another console, a script).
    Partial,
    /// Every user operation is in the history.
    Complete,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Billing {
    /// Arrears and recharge may happen unseen, task by task.
    Unrecorded,
    /// Billing events are in the history (kind "billing"), with each task's account.
    Recorded,
}

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    drs-lifecycle simulate --tasks 1000 --days 7 --seed 1 | drs-lifecycle validate -\n  \
    drs-lifecycle validate polls.jsonl.gz commands.jsonl --explain\n  \
    drs-lifecycle validate history.jsonl --itf job-17 > job-17.itf.json\n  \
    drs-lifecycle validate history.jsonl --shard 3/8      # the 4th of 8 machines\n  \
    drs-lifecycle validate --schema                       # the record format\n\n\
Exit status: 0 every job is consistent with the specification, 1 violations found,\n\
2 bad invocation (unknown option, a file that cannot be opened), 3 malformed input\n\
(the file, line and what is wrong; with --keep-going the rest is judged and the status\n\
is 1 if it has violations). The record format: docs/traces.md.")]
pub struct ValidateArgs {
    /// History files (JSON lines; `.gz` is decompressed); `-` or nothing: standard input.
    pub files: Vec<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = super::OutputFormat::Text)]
    pub format: super::OutputFormat,
    /// Print the JSON Schema of a history line and exit.
    #[arg(long)]
    pub schema: bool,
    /// Print, for every gap between two polls of a job that show different statuses, the
    /// shortest run of unseen steps that explains it.
    #[arg(long)]
    pub explain: bool,
    /// Print the reconstructed run of one job as an ITF trace (Apalache/Quint) instead of
    /// the summary.
    #[arg(long, value_name = "JOB")]
    pub itf: Option<String>,
    /// What a code of an operation outside the lifecycle (CHANGE_JOB_*, CHILD_TRANSFER_*,
    /// NODE_UPGRADE_*) is: skipped and counted, or a violation.
    #[arg(long, value_enum, default_value_t = Excursions::Skip)]
    pub excursions: Excursions,
    /// Whether every user operation is recorded (default: the header's word, else partial).
    #[arg(long, value_enum)]
    pub commands: Option<Commands>,
    /// Whether billing events are recorded (default: the header's word, else unrecorded).
    #[arg(long, value_enum)]
    pub billing: Option<Billing>,
    /// An accepted command must take effect within this long (90s, 15m, 1h; `never` for
    /// no bound: then it is reported as accepted, never applied). Default: the header's
    /// word, else never.
    #[arg(long, value_name = "DURATION")]
    pub apply_within: Option<String>,
    /// Records of a job may arrive up to this much out of time order (they are buffered and
    /// judged in time order).
    #[arg(long, value_name = "DURATION")]
    pub reorder_window: Option<String>,
    /// Judge the rest after a malformed line (counted and reported) instead of stopping.
    #[arg(long)]
    pub keep_going: bool,
    /// Judge only the jobs whose id hashes to shard I of N (0 ≤ I < N).
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Print a progress line on standard error (default: when it is a terminal and the
    /// input takes more than a second).
    #[arg(long)]
    pub progress: bool,
    /// Report jobs that stay in a transient status (creating, starting, full migration
    /// complete, fault recovery, release) past a bound: a TOML file of bounds
    /// (`starting = "30m"`, see docs/traces.md), or `default` for the documented defaults.
    /// Exit status 4 when a job is stuck and none has a violation.
    #[arg(long, value_name = "FILE|default")]
    pub deadlines: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Excursions {
    Skip,
    Error,
}

/// A malformed line is exit status 3; a read error a bad invocation.
fn stopped(stop: Stop) -> CliError {
    match stop {
        Stop::Malformed { .. } => CliError {
            message: stop.to_string(),
            code: EXIT_MALFORMED,
        },
        Stop::Io { .. } => CliError::input(stop.to_string()),
    }
}

fn parse_shard(text: &str) -> Result<(u64, u64), CliError> {
    let bad = || {
        CliError::input(format!(
            "bad --shard {text:?}: expected I/N with 0 ≤ I < N, e.g. 0/4"
        ))
    };
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n): (u64, u64) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if n == 0 || i >= n {
        return Err(bad());
    }
    Ok((i, n))
}

fn open(path: &PathBuf) -> Result<Box<dyn BufRead>, CliError> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(BufReader::with_capacity(
            1 << 18,
            std::io::stdin(),
        )));
    }
    let mut file = File::open(path)
        .map_err(|e| CliError::input(format!("cannot open the history {}: {e}", path.display())))?;
    let mut magic = [0u8; 2];
    let gz = file
        .read(&mut magic)
        .map(|n| n == 2 && magic == [0x1f, 0x8b])
        .unwrap_or(false);
    let file = File::open(path)
        .map_err(|e| CliError::input(format!("cannot open the history {}: {e}", path.display())))?;
    Ok(if gz {
        Box::new(BufReader::with_capacity(
            1 << 18,
            flate2::read::MultiGzDecoder::new(file),
        ))
    } else {
        Box::new(BufReader::with_capacity(1 << 18, file))
    })
}

pub fn validate(args: ValidateArgs) -> Result<ExitCode, CliError> {
    if args.schema {
        outln!(
            "{}",
            serde_json::to_string_pretty(&crate::history::schema::schema()).unwrap_or_default()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let duration = |flag: &str, text: &str| {
        parse_duration(text).map_err(|e| CliError::input(format!("{flag}: {e}")))
    };
    let apply_within = match args.apply_within.as_deref() {
        None => None,
        Some("never") => Some(None),
        Some(text) => Some(Some(duration("--apply-within", text)?)),
    };
    let window = args
        .reorder_window
        .as_deref()
        .map(|t| duration("--reorder-window", t))
        .transpose()?;
    let shard = args.shard.as_deref().map(parse_shard).transpose()?;
    let deadlines = match args.deadlines.as_deref() {
        None => None,
        Some("default") => Some(Deadlines::default()),
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                CliError::input(format!("cannot read the deadlines file {path}: {e}"))
            })?;
            Some(
                Deadlines::parse(&text)
                    .map_err(|e| CliError::input(format!("the deadlines file {path}: {e}")))?,
            )
        }
    };
    let settings = Settings {
        excursions: match args.excursions {
            Excursions::Skip => ExcursionPolicy::Skip,
            Excursions::Error => ExcursionPolicy::Error,
        },
        commands_complete: args.commands.map(|c| c == Commands::Complete),
        billing_recorded: args.billing.map(|b| b == Billing::Recorded),
        apply_within,
        reorder_window: window,
        shard,
        keep_going: args.keep_going,
        explain: args.explain,
        trace_job: args.itf.clone(),
        deadlines,
    };
    let mut validator = Validator::new(settings);
    let files = if args.files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        args.files.clone()
    };
    // Open every file first: a missing one is a bad invocation, before any output.
    let mut readers = Vec::new();
    for path in &files {
        readers.push((open(path)?, path.display().to_string()));
    }
    let started = Instant::now();
    let show_progress = args.progress || std::io::stderr().is_terminal();
    let mut last_progress = started;
    let mut printed_progress = false;
    for (reader, name) in readers {
        let name = if name == "-" {
            "<stdin>".to_string()
        } else {
            name
        };
        validator
            .read_with_progress(reader, &name, |judge, _| {
                if show_progress && last_progress.elapsed().as_secs_f64() >= 1.0 {
                    last_progress = Instant::now();
                    printed_progress = true;
                    let records = judge.counts.records;
                    eprint!(
                        "\rvalidate: {} records, {} jobs, {} violations, {}/s   ",
                        thousands(records as usize),
                        thousands(judge.job_count()),
                        judge.violated_jobs(),
                        crate::text::format_rate(records as f64 / started.elapsed().as_secs_f64())
                    );
                }
            })
            .map_err(stopped)?;
    }
    let outcome = validator.finish().map_err(stopped)?;
    if printed_progress {
        eprint!("\r{}\r", " ".repeat(70));
    }
    let mut judge = outcome.judge;
    if args.explain && args.itf.is_none() {
        for gap in std::mem::take(&mut judge.gaps) {
            let steps = gap.steps.len();
            outln!(
                "gap: job {} line {}: {} → {}: {}{} unseen step{}",
                gap.job,
                thousands(gap.line as usize),
                gap.from,
                gap.to,
                if steps == 0 {
                    String::new()
                } else {
                    format!("{}, ", gap.steps.join(", "))
                },
                steps,
                if steps == 1 { "" } else { "s" }
            );
        }
    }
    if let Some(job) = &args.itf {
        let Some(trace) =
            crate::history::itf::trace(job, &judge.trace, judge.options().commands_complete)
        else {
            return Err(CliError::input(format!(
                "job {job} has no record in this history (or none that the specification explains)"
            )));
        };
        outln!(
            "{}",
            serde_json::to_string_pretty(&trace).unwrap_or_default()
        );
    } else {
        let elapsed = started.elapsed().as_secs_f64();
        match args.format {
            super::OutputFormat::Text => summary(
                &judge,
                &run_info(
                    files.len(),
                    outcome.malformed,
                    &outcome.first_malformed,
                    outcome.skipped_other_shards,
                    elapsed,
                ),
            )?,
            super::OutputFormat::Json => {
                let by_status: serde_json::Map<String, serde_json::Value> = judge
                    .counts
                    .by_answer
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| **n > 0)
                    .map(|(a, n)| (answer_of(a).to_string(), json!(n)))
                    .collect();
                let report = json!({
                    "verdict": if judge.violations.is_empty() { "consistent" } else { "violations" },
                    "jobs": judge.job_count(),
                    "jobs_with_violations": judge.violated_jobs(),
                    "options": judge.options(),
                    "counts": judge.counts,
                    "polls_by_status": by_status,
                    "malformed_lines": outcome.malformed,
                    "skipped_other_shards": outcome.skipped_other_shards,
                    "violations": judge.violations,
                    "divergences": judge.divergences,
                    "never_applied": judge.never_applied,
                    "stuck": judge.stuck,
                });
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                );
            }
        }
    }
    Ok(if !judge.violations.is_empty() {
        ExitCode::from(EXIT_VIOLATIONS)
    } else if !judge.stuck.is_empty() {
        ExitCode::from(EXIT_STUCK)
    } else if outcome.malformed > 0 {
        if let Some(first) = &outcome.first_malformed {
            eprintln!(
                "drs-lifecycle: {} malformed line(s); the first: {first}",
                outcome.malformed
            );
        }
        ExitCode::from(EXIT_MALFORMED)
    } else {
        ExitCode::SUCCESS
    })
}

struct RunInfo<'a> {
    files: usize,
    malformed: u64,
    first_malformed: &'a Option<String>,
    other_shards: u64,
    seconds: f64,
}

fn run_info(
    files: usize,
    malformed: u64,
    first_malformed: &Option<String>,
    other_shards: u64,
    seconds: f64,
) -> RunInfo<'_> {
    RunInfo {
        files,
        malformed,
        first_malformed,
        other_shards,
        seconds,
    }
}

fn summary(judge: &Judge, info: &RunInfo<'_>) -> Result<(), CliError> {
    let c = &judge.counts;
    let jobs = judge.job_count();
    let bad = judge.violated_jobs();
    outln!(
        "{} records of {} jobs ({} file{}) in {:.2} s: {} consistent, {} with a violation",
        thousands(c.records as usize),
        thousands(jobs),
        info.files,
        if info.files == 1 { "" } else { "s" },
        info.seconds,
        thousands(jobs - bad),
        thousands(bad)
    );
    outln!(
        "  {} polls, {} commands, {} timeline entries, {} billing events{}{}",
        thousands(c.polls as usize),
        thousands(c.commands as usize),
        thousands(c.timeline as usize),
        thousands(c.billing as usize),
        if info.other_shards > 0 {
            format!(
                ", {} records of other shards",
                thousands(info.other_shards as usize)
            )
        } else {
            String::new()
        },
        if info.malformed > 0 {
            format!(
                ", {} malformed lines skipped",
                thousands(info.malformed as usize)
            )
        } else {
            String::new()
        },
    );
    if let Some(first) = info.first_malformed {
        outln!("  first malformed line: {first}");
    }
    let o = judge.options();
    outln!(
        "  read as: commands {}, billing {}, excursions {}, accepted commands take effect {}",
        if o.commands_complete {
            "complete"
        } else {
            "partial (unrecorded user operations allowed)"
        },
        if o.billing_recorded {
            "recorded"
        } else {
            "unrecorded (arrears and recharge unseen)"
        },
        match o.excursions {
            ExcursionPolicy::Skip => "skipped and counted",
            ExcursionPolicy::Error => "are violations",
        },
        match o.apply_within {
            Some(ms) => format!("within {}", format_gap(ms)),
            None => "any time later".to_string(),
        }
    );
    for (n, v) in judge.violations.iter().enumerate() {
        outln!("");
        outln!(
            "violation {} of {}: job {}, line {}: {}",
            n + 1,
            judge.violations.len(),
            v.job,
            thousands(v.record.line as usize),
            v.claim
        );
        if let Some(p) = &v.previous {
            outln!(
                "  before    line {:>9}  {}  {}",
                thousands(p.line as usize),
                format_time(p.time),
                p.what
            );
        }
        outln!(
            "  impossible line {:>7}  {}  {}",
            thousands(v.record.line as usize),
            format_time(v.record.time),
            v.record.what
        );
        if let Some(p) = &v.previous {
            outln!("  gap       {}", format_gap(v.record.time - p.time));
        }
        for p in &v.pending {
            outln!(
                "  pending   line {:>9}  {}  {} ({} before)",
                thousands(p.line as usize),
                format_time(p.time),
                p.what,
                format_gap(v.record.time - p.time)
            );
        }
        let possible: Vec<String> = v.possible.iter().take(6).map(|s| s.to_string()).collect();
        outln!(
            "  possible before it ({}): {}{}",
            v.possible.len(),
            possible.join("; "),
            if v.possible.len() > 6 { "; …" } else { "" }
        );
        let next: Vec<String> = v.allowed_next.iter().map(|o| o.to_string()).collect();
        outln!(
            "  the specification would let a poll show: {}",
            next.join(", ")
        );
        outln!(
            "  explained prefix: {} record(s) of the job",
            v.explained_prefix
        );
    }
    if !judge.stuck.is_empty() {
        outln!("");
        outln!(
            "{} job(s) stuck past a deadline ({}):",
            judge.stuck.len(),
            o.deadlines.map_or(String::new(), |d| d.to_string())
        );
        for s in judge.stuck.iter().take(20) {
            outln!(
                "  job {}: {} — {} from line {} at {} to line {} at {} ({}, bound {})",
                s.job,
                s.claim,
                s.code,
                thousands(s.first_line as usize),
                format_time(s.first_time),
                thousands(s.last_line as usize),
                format_time(s.last_time),
                format_gap(s.last_time - s.first_time),
                format_gap(s.bound)
            );
        }
    }
    if c.outside > 0 || c.transient_errors > 0 {
        outln!("");
        if c.outside > 0 {
            let names: Vec<String> = c
                .outside_by_name
                .iter()
                .map(|(name, n)| format!("{name} {}", thousands(*n as usize)))
                .collect();
            outln!(
                "{} operation(s) outside the lifecycle, skipped: {}",
                thousands(c.outside as usize),
                names.join(", ")
            );
        }
        if c.transient_errors > 0 {
            outln!(
                "{} poll(s) answered by an error other than does-not-exist, skipped",
                thousands(c.transient_errors as usize)
            );
        }
    }
    if c.divergences > 0 {
        outln!("");
        outln!(
            "{} polls whose available_actions disagree with the specification:",
            thousands(c.divergences as usize)
        );
        for d in judge.divergences.iter().take(10) {
            let mut parts = Vec::new();
            if !d.offers_forbidden.is_empty() {
                parts.push(format!(
                    "offers {} (refused in every consistent state)",
                    d.offers_forbidden.join(", ")
                ));
            }
            if !d.withholds_allowed.is_empty() {
                parts.push(format!(
                    "withholds {} (accepted in every consistent state)",
                    d.withholds_allowed.join(", ")
                ));
            }
            outln!(
                "  job {} line {}: {}",
                d.job,
                thousands(d.line as usize),
                parts.join("; ")
            );
        }
    }
    if c.never_applied > 0 {
        outln!("");
        outln!(
            "{} accepted command(s) never applied:",
            thousands(c.never_applied as usize)
        );
        for a in judge.never_applied.iter().take(10) {
            outln!(
                "  job {} line {}: {} at {}",
                a.job,
                thousands(a.line as usize),
                a.op,
                format_time(a.time)
            );
        }
    }
    let polls: u64 = c.by_answer.iter().sum();
    if polls > 0 {
        outln!("");
        outln!("polls by status:");
        for (a, &n) in c.by_answer.iter().enumerate() {
            if n == 0 {
                continue;
            }
            let answer = answer_of(a);
            let note = if answer.is_excursion() {
                match o.excursions {
                    ExcursionPolicy::Skip => "  excursion, skipped",
                    ExcursionPolicy::Error => "  excursion, a violation",
                }
            } else {
                ""
            };
            out!(
                "  {} {:>12}{}\n",
                pad(&answer.to_string(), 32),
                thousands(n as usize),
                note
            );
        }
    }
    Ok(())
}
