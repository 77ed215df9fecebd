//! `drs-lifecycle validate [FILES|-]`: judge a recorded history against the specification.
//!
//! Streaming: lines are read, parsed and judged one at a time, so memory grows with the
//! number of jobs (a few dozen bytes each) and not with the records. `--shard I/N` judges
//! only the jobs whose id hashes to I (a stable FNV-1a hash), so a batch runner splits one
//! large history over N machines with the same files and no coordination. Several files are
//! one history, merged by time. A malformed line stops the reading with its file, line and
//! what is wrong, or with `--keep-going` is counted and skipped; a damaged file is judged up
//! to the damage. Everything read is judged before anything is printed, so the exit status
//! is the verdict even when the reader of the output goes away early.

use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use serde_json::json;

use super::{CliError, out, outln};
use crate::history::deadline::Deadlines;
use crate::history::record::PLAUSIBLE_FROM;
use crate::history::tables::answer_of;
use crate::history::validate::{Outcome, Settings, Validator, Verdict};
use crate::history::{ExcursionPolicy, Millis, format_gap, format_time, parse_duration};
use crate::spec::Observation;
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
Several files are one history: each is read in its own order and they are merged by time;\n\
every place is FILE:LINE.\n\n\
Exit status (the verdict; the same when the reader of the output goes away early, as in\n\
`validate FILE | head -1` under `set -o pipefail`, since everything is judged before\n\
anything is printed): 0 every job is consistent with the specification, 1 violations\n\
found (even if the input is also malformed or damaged: every violation before the damage\n\
is reported), 2 bad invocation (unknown option, a file that cannot be opened, --itf of a\n\
job not in the history), 3 malformed, damaged or contradictory input and no violation (the\n\
file, line and what is wrong), or no record at all (unless --allow-empty), 4 a job stuck\n\
past its deadline (--deadlines) and no violation. The record format and the JSON\n\
report: docs/traces.md.")]
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
    /// An input with no record at all is consistent (exit 0) instead of "nothing to judge"
    /// (exit 3).
    #[arg(long)]
    pub allow_empty: bool,
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
    if path.is_dir() {
        return Err(CliError::input(format!(
            "{} is a directory: name the history files in it (e.g. {}/*.jsonl)",
            path.display(),
            path.display()
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
        let name = if path.as_os_str() == "-" {
            "<stdin>".to_string()
        } else {
            path.display().to_string()
        };
        readers.push((open(path)?, name));
    }
    let started = Instant::now();
    let show_progress = args.progress || std::io::stderr().is_terminal();
    let mut last_progress = started;
    let mut printed_progress = false;
    let progress = |judge: &crate::history::Judge, _| {
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
    };
    // A stop (a malformed line, a damaged file) is in the outcome: what was read is judged.
    if readers.len() == 1 {
        let (reader, name) = readers.pop().expect("one reader");
        let _ = validator.read_with_progress(reader, &name, progress);
    } else {
        let _ = validator.read_merged(readers, progress);
    }
    let outcome = validator.finish();
    if printed_progress {
        eprint!("\r{}\r", " ".repeat(70));
    }
    let verdict = match outcome.verdict() {
        Verdict::Empty if args.allow_empty => Verdict::Consistent,
        verdict => verdict,
    };
    let status = exit_status(verdict);
    if let Some(job) = &args.itf {
        return itf(&outcome, job, verdict, status);
    }
    let elapsed = started.elapsed().as_secs_f64();
    match args.format {
        super::OutputFormat::Text => {
            if args.explain {
                explain(&outcome)?;
            }
            summary(&outcome, elapsed)?;
        }
        super::OutputFormat::Json => {
            let report = report(&outcome, verdict, status);
            outln!(
                "{}",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            );
        }
    }
    tell(&outcome, verdict);
    Ok(ExitCode::from(status))
}

/// The exit status of a verdict.
fn exit_status(verdict: Verdict) -> u8 {
    match verdict {
        Verdict::Consistent => 0,
        Verdict::Violations => EXIT_VIOLATIONS,
        Verdict::Stuck => EXIT_STUCK,
        Verdict::Malformed | Verdict::Empty => EXIT_MALFORMED,
    }
}

/// Up to when a stopped history was judged, in words.
fn judged_up_to(until: Millis) -> String {
    if until < PLAUSIBLE_FROM {
        "its start (a file stopped before its first record, so where its records fall among \
         the others' is unknown)"
            .to_string()
    } else {
        format!(
            "{}, the last record read before the stop",
            format_time(until)
        )
    }
}

/// The one-line messages on standard error: where the input stopped, and an empty input.
fn tell(outcome: &Outcome, verdict: Verdict) {
    for stop in &outcome.stops {
        eprintln!("drs-lifecycle: {stop}");
    }
    if let Some(until) = outcome.judged_until
        && outcome.not_judged > 0
    {
        eprintln!(
            "drs-lifecycle: the history was judged up to {}; {} later record(s) of the other \
             files were not judged",
            judged_up_to(until),
            thousands(outcome.not_judged as usize)
        );
    }
    if outcome.malformed > 0
        && let Some(first) = &outcome.first_malformed
    {
        eprintln!(
            "drs-lifecycle: {} malformed line(s) skipped; the first: {first}",
            outcome.malformed
        );
    }
    if verdict == Verdict::Empty {
        eprintln!(
            "drs-lifecycle: nothing to judge: the input holds no record (an empty file, or a \
             header alone); check the file names, or pass --allow-empty if that is expected"
        );
    }
}

/// `--itf JOB`: the job's reconstructed run, or exit 2 naming the jobs it could have meant.
fn itf(outcome: &Outcome, job: &str, verdict: Verdict, status: u8) -> Result<ExitCode, CliError> {
    let judge = &outcome.judge;
    if !judge.job_ids().any(|id| id == job) {
        return Err(CliError::input(unknown_job(outcome, job)));
    }
    let Some(mut trace) =
        crate::history::itf::trace(job, &judge.trace, judge.options().commands_complete)
    else {
        return Err(CliError::input(format!(
            "job {job} has no record that the specification explains: its first record is \
             already a violation, so there is no run to print; run without --itf to see it"
        )));
    };
    place_itf(outcome, &mut trace);
    outln!(
        "{}",
        serde_json::to_string_pretty(&trace).unwrap_or_default()
    );
    tell(outcome, verdict);
    Ok(ExitCode::from(status))
}

/// The message for `--itf` of a job that is not in the history.
fn unknown_job(outcome: &Outcome, job: &str) -> String {
    let judge = &outcome.judge;
    let mut near: Vec<(usize, &str)> = judge
        .job_ids()
        .map(|id| (crate::spec::edit_distance(job, id), id))
        .filter(|(d, _)| *d <= crate::spec::near_enough(job).max(2))
        .collect();
    near.sort();
    near.truncate(5);
    let shard = if outcome.skipped_other_shards > 0 {
        " (this run judges one shard: the job may be in another)"
    } else {
        ""
    };
    if !near.is_empty() {
        let names: Vec<&str> = near.iter().map(|(_, id)| *id).collect();
        format!(
            "--itf {job}: no job {job:?} in this history{shard}; did you mean {}?",
            names.join(", ")
        )
    } else if judge.job_count() == 0 {
        format!("--itf {job}: the history has no job at all{shard}")
    } else {
        let mut some: Vec<&str> = judge.job_ids().collect();
        some.sort_unstable();
        let more = some.len().saturating_sub(5);
        some.truncate(5);
        format!(
            "--itf {job}: no job {job:?} in this history{shard}, and none with a similar id; \
             its jobs include {}{}",
            some.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        )
    }
}

/// An ITF trace's `line` fields hold locations: each becomes the line in its file, with the
/// file named beside it.
fn place_itf(outcome: &Outcome, trace: &mut serde_json::Value) {
    let Some(states) = trace.get_mut("states").and_then(|s| s.as_array_mut()) else {
        return;
    };
    for state in states {
        let Some(object) = state.as_object_mut() else {
            continue;
        };
        let location = object
            .get("line")
            .and_then(|l| l.get("#bigint"))
            .and_then(|n| n.as_str())
            .and_then(|n| n.parse::<u64>().ok());
        if let Some(location) = location {
            let place = outcome.place(location);
            let file = if location == 0 { "" } else { place.file };
            object.insert("line".into(), json!({ "#bigint": place.line.to_string() }));
            object.insert("file".into(), json!(file));
        }
    }
}

/// `--explain`: every gap's shortest unseen path.
fn explain(outcome: &Outcome) -> Result<(), CliError> {
    for gap in &outcome.judge.gaps {
        let steps = gap.steps.len();
        let how = if steps == 0 {
            // The status moved, but by what the records between show (a command applied,
            // a billing event recorded), not by any step unseen.
            "no unseen step: the records between the two polls explain it".to_string()
        } else {
            format!(
                "{}, {steps} unseen step{}",
                gap.steps.join(", "),
                if steps == 1 { "" } else { "s" }
            )
        };
        outln!(
            "gap: job {} at {}: {} → {}: {how}",
            gap.job,
            outcome.place(gap.line),
            gap.from,
            gap.to,
        );
    }
    Ok(())
}

/// A record as the JSON report writes it.
fn seen_json(outcome: &Outcome, seen: &crate::history::Seen) -> serde_json::Value {
    let place = outcome.place(seen.line);
    json!({
        "file": place.file,
        "line": place.line,
        "time": format_time(seen.time),
        "time_ms": seen.time,
        "what": seen.what,
    })
}

/// What a poll could show, as the JSON report writes it: always an object.
fn observation_json(observation: &Observation) -> serde_json::Value {
    match observation {
        Observation::Shows(code) => json!({ "code": code.to_string(), "or_does_not_exist": false }),
        Observation::Deleted => json!({ "code": "DELETED", "or_does_not_exist": true }),
    }
}

/// The JSON report: every field has one shape (docs/traces.md, "The JSON report").
fn report(outcome: &Outcome, verdict: Verdict, status: u8) -> serde_json::Value {
    let judge = &outcome.judge;
    let by_status: serde_json::Map<String, serde_json::Value> = judge
        .counts
        .by_answer
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(a, n)| (answer_of(a).to_string(), json!(n)))
        .collect();
    let violations: Vec<_> = judge
        .violations
        .iter()
        .map(|v| {
            let place = outcome.place(v.record.line);
            json!({
                "job": v.job,
                "claim": v.claim,
                "file": place.file,
                "line": place.line,
                "record": seen_json(outcome, &v.record),
                "previous": v.previous.as_ref().map(|p| seen_json(outcome, p)),
                "gap_ms": v.previous.as_ref().map(|p| v.record.time - p.time),
                "pending": v.pending.iter().map(|p| seen_json(outcome, p)).collect::<Vec<_>>(),
                "possible": v.possible,
                "allowed_next": v.allowed_next.iter().map(observation_json).collect::<Vec<_>>(),
                "explained_prefix": v.explained_prefix,
            })
        })
        .collect();
    let divergences: Vec<_> = judge
        .divergences
        .iter()
        .map(|d| {
            let place = outcome.place(d.line);
            json!({
                "job": d.job,
                "file": place.file,
                "line": place.line,
                "offers_forbidden": d.offers_forbidden,
                "withholds_allowed": d.withholds_allowed,
            })
        })
        .collect();
    let never_applied: Vec<_> = judge
        .never_applied
        .iter()
        .map(|a| {
            let place = outcome.place(a.line);
            json!({
                "job": a.job,
                "file": place.file,
                "line": place.line,
                "time": format_time(a.time),
                "time_ms": a.time,
                "op": a.op,
            })
        })
        .collect();
    let gaps: Vec<_> = judge
        .gaps
        .iter()
        .map(|g| {
            let place = outcome.place(g.line);
            json!({
                "job": g.job,
                "file": place.file,
                "line": place.line,
                "from": g.from,
                "to": g.to,
                "steps": g.steps,
            })
        })
        .collect();
    let stuck: Vec<_> = judge
        .stuck
        .iter()
        .map(|s| {
            let (first, last) = (outcome.place(s.first_line), outcome.place(s.last_line));
            json!({
                "job": s.job,
                "claim": s.claim,
                "code": s.code,
                "bound_ms": s.bound,
                "first": {
                    "file": first.file,
                    "line": first.line,
                    "time": format_time(s.first_time),
                    "time_ms": s.first_time,
                },
                "last": {
                    "file": last.file,
                    "line": last.line,
                    "time": format_time(s.last_time),
                    "time_ms": s.last_time,
                },
            })
        })
        .collect();
    let stops: Vec<_> = outcome
        .stops
        .iter()
        .map(|s| {
            json!({
                "kind": s.kind(),
                "file": s.file(),
                "line": s.line(),
                "message": s.what(),
            })
        })
        .collect();
    json!({
        "verdict": verdict.name(),
        "exit_status": status,
        "files": outcome.files,
        "jobs": judge.job_count(),
        "jobs_with_violations": judge.violated_jobs(),
        "options": judge.options(),
        "counts": judge.counts,
        "polls_by_status": by_status,
        "malformed_lines": outcome.malformed,
        "first_malformed": outcome.first_malformed,
        "skipped_other_shards": outcome.skipped_other_shards,
        "stopped": stops,
        "judged_until": outcome.judged_until.map(format_time),
        "not_judged": outcome.not_judged,
        "violations": violations,
        "divergences": divergences,
        "never_applied": never_applied,
        "gaps": gaps,
        "stuck": stuck,
    })
}

fn summary(outcome: &Outcome, seconds: f64) -> Result<(), CliError> {
    let judge = &outcome.judge;
    let c = &judge.counts;
    let jobs = judge.job_count();
    let bad = judge.violated_jobs();
    let files = outcome.files.len();
    outln!(
        "{} records of {} jobs ({} file{}) in {:.2} s: {} consistent, {} with a violation",
        thousands(c.records as usize),
        thousands(jobs),
        files,
        if files == 1 { "" } else { "s" },
        seconds,
        thousands(jobs - bad),
        thousands(bad)
    );
    outln!(
        "  {} polls, {} commands, {} timeline entries, {} billing events{}{}",
        thousands(c.polls as usize),
        thousands(c.commands as usize),
        thousands(c.timeline as usize),
        thousands(c.billing as usize),
        if outcome.skipped_other_shards > 0 {
            format!(
                ", {} records of other shards",
                thousands(outcome.skipped_other_shards as usize)
            )
        } else {
            String::new()
        },
        if outcome.malformed > 0 {
            format!(
                ", {} malformed lines skipped",
                thousands(outcome.malformed as usize)
            )
        } else {
            String::new()
        },
    );
    if let Some(first) = &outcome.first_malformed {
        outln!("  first malformed line: {first}");
    }
    for stop in &outcome.stops {
        outln!("  stopped reading {stop}");
    }
    if let Some(until) = outcome.judged_until
        && outcome.not_judged > 0
    {
        outln!(
            "  judged up to {}; {} later record(s) of the other files not judged",
            judged_up_to(until),
            thousands(outcome.not_judged as usize)
        );
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
            "violation {} of {}: job {} at {}: {}",
            n + 1,
            judge.violations.len(),
            v.job,
            outcome.place(v.record.line),
            v.claim
        );
        if let Some(p) = &v.previous {
            outln!(
                "  before      {}  {}  {}",
                outcome.place(p.line),
                format_time(p.time),
                p.what
            );
        }
        outln!(
            "  impossible  {}  {}  {}",
            outcome.place(v.record.line),
            format_time(v.record.time),
            v.record.what
        );
        if let Some(p) = &v.previous {
            outln!("  gap         {}", format_gap(v.record.time - p.time));
        }
        for p in &v.pending {
            outln!(
                "  pending     {}  {}  {} ({} before)",
                outcome.place(p.line),
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
                "  job {}: {} — {} from {} at {} to {} at {} ({}, bound {})",
                s.job,
                s.claim,
                s.code,
                outcome.place(s.first_line),
                format_time(s.first_time),
                outcome.place(s.last_line),
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
                "  job {} at {}: {}",
                d.job,
                outcome.place(d.line),
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
                "  job {} at {}: {} at {}",
                a.job,
                outcome.place(a.line),
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
