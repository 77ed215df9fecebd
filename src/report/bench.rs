//! `reports/benchmarks.md` and the regression gate: criterion's saved estimates, read back.
//!
//! `cargo bench` leaves, for every benchmark, a directory under criterion's output directory
//! with `new/benchmark.json` (its id and throughput) and `new/estimates.json` (the
//! statistics of its last run), and one directory per saved baseline
//! (`cargo bench -- --save-baseline NAME` writes `NAME/`; a plain run overwrites `base/`).
//! This module reads them, whichever bench file wrote them (including benchmarks it does not
//! know of), and compares each median with the same benchmark's median in a named baseline.
//! A benchmark whose median time grew by more than a threshold is a regression, and the
//! command exits non-zero: that is the gate.
//!
//! Two things criterion does not keep are kept beside its files, in
//! `drs-lifecycle/context.jsonl`: the machine's load average when a benchmark finished
//! (figures from a busy shared machine are noisy, so each figure is shown with its load) and
//! the peak memory of the model-checking benchmarks. The benches write them with
//! [`record_context`].
//!
//! The targets the project set itself are checked against the medians, and where one is
//! missed the report says what limits it.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::memory::{format_bytes, load_average};

/// The command that regenerates the report.
pub const REGENERATE: &str = "cargo run --release -- report bench";

/// Where criterion writes its results, found the way criterion finds it:
/// `$CRITERION_HOME`, else `$CARGO_TARGET_DIR/criterion`, else the target directory that
/// `cargo metadata` names (when run by cargo), else `target/criterion`.
pub fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(target).join("criterion");
    }
    cargo_target_dir()
        .map(|target| target.join("criterion"))
        .unwrap_or_else(|| PathBuf::from("target/criterion"))
}

fn cargo_target_dir() -> Option<PathBuf> {
    #[derive(Deserialize)]
    struct Metadata {
        target_directory: PathBuf,
    }
    let cargo = std::env::var_os("CARGO")?;
    let output = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output()
        .ok()?;
    let metadata: Metadata = serde_json::from_slice(&output.stdout).ok()?;
    Some(metadata.target_directory)
}

/// What one iteration of a benchmark processes, as criterion records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Throughput {
    Bytes(u64),
    BytesDecimal(u64),
    Elements(u64),
    Bits(u64),
}

impl Throughput {
    fn per_iteration(self) -> u64 {
        match self {
            Throughput::Bytes(n)
            | Throughput::BytesDecimal(n)
            | Throughput::Elements(n)
            | Throughput::Bits(n) => n,
        }
    }

    fn unit(self) -> &'static str {
        match self {
            Throughput::Bytes(_) | Throughput::BytesDecimal(_) => "B",
            Throughput::Elements(_) => "elem",
            Throughput::Bits(_) => "bit",
        }
    }
}

/// `new/benchmark.json`, the fields this report needs.
#[derive(Deserialize)]
struct BenchmarkFile {
    group_id: String,
    full_id: String,
    #[serde(default)]
    throughput: Option<Throughput>,
}

#[derive(Deserialize)]
struct PointEstimate {
    point_estimate: f64,
}

/// `estimates.json`, the field this report needs: the median time of one iteration.
#[derive(Deserialize)]
struct EstimatesFile {
    median: PointEstimate,
}

/// What was measured around a benchmark, kept beside criterion's files.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Context {
    /// The benchmark's full id (`group/function`).
    pub id: String,
    /// The 1, 5 and 15 minute load averages when it finished.
    pub load: Option<[f64; 3]>,
    /// The process's peak resident memory while it ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_bytes: Option<u64>,
    /// When it was recorded (seconds since the Unix epoch).
    pub unix_seconds: u64,
}

const CONTEXT_FILE: &str = "drs-lifecycle/context.jsonl";

/// Criterion's directory name for an id part: the characters a file name cannot hold become
/// `_` (as criterion's `make_filename_safe` does; a group `engine/command` is stored in
/// `engine_command/`).
fn filename_safe(part: &str) -> String {
    part.chars()
        .map(|c| match c {
            '?' | '"' | '/' | '\\' | '*' | '<' | '>' | ':' | '|' | '^' => '_',
            c => c,
        })
        .collect()
}

/// Records the load average (and, for model checking, the peak memory) for the benchmark
/// `group`/`function` that just finished. Does nothing when criterion did not write the
/// benchmark's estimates after `started` (a filtered-out benchmark, or a `--profile-time`
/// run), so a stale figure is never shown with a fresh load.
pub fn record_context(group: &str, function: &str, started: SystemTime, peak_bytes: Option<u64>) {
    // Found once per bench process: finding it may run `cargo metadata`.
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let dir = DIR.get_or_init(criterion_dir);
    let id = format!("{group}/{function}");
    let estimates = dir
        .join(filename_safe(group))
        .join(filename_safe(function))
        .join("new")
        .join("estimates.json");
    let fresh = fs::metadata(&estimates)
        .and_then(|meta| meta.modified())
        .is_ok_and(|modified| modified >= started);
    if !fresh {
        return;
    }
    let context = Context {
        id: id.clone(),
        load: load_average(),
        peak_bytes,
        unix_seconds: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_secs()),
    };
    let path = dir.join(CONTEXT_FILE);
    let written = (|| -> std::io::Result<()> {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        let line = serde_json::to_string(&context).map_err(std::io::Error::other)?;
        let mut file = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)?;
        writeln!(file, "{line}")
    })();
    if let Err(error) = written {
        eprintln!(
            "warning: cannot record the load for {id} in {}: {error}",
            path.display()
        );
    }
}

/// One benchmark's figures.
#[derive(Clone, Debug, PartialEq)]
pub struct Measurement {
    /// `group/function[/value]`.
    pub id: String,
    pub group: String,
    /// The median time of one iteration, in nanoseconds.
    pub median_ns: f64,
    pub throughput: Option<Throughput>,
    /// The median of the same benchmark in the baseline, when it has one.
    pub baseline_median_ns: Option<f64>,
    /// The latest recorded context.
    pub context: Option<Context>,
    /// When criterion wrote the estimates (seconds since the Unix epoch), if known.
    pub measured_at: Option<u64>,
}

impl Measurement {
    /// The median time per element (or byte, bit) processed.
    pub fn per_element_ns(&self) -> f64 {
        match self.throughput {
            Some(throughput) if throughput.per_iteration() > 0 => {
                self.median_ns / throughput.per_iteration() as f64
            }
            _ => self.median_ns,
        }
    }

    /// Elements (or bytes, bits) per second at the median.
    pub fn per_second(&self) -> Option<f64> {
        let throughput = self.throughput?;
        (self.median_ns > 0.0).then(|| throughput.per_iteration() as f64 * 1e9 / self.median_ns)
    }

    /// The change of the median against the baseline, in percent (positive is slower).
    pub fn change_percent(&self) -> Option<f64> {
        let base = self.baseline_median_ns?;
        (base > 0.0).then(|| (self.median_ns / base - 1.0) * 100.0)
    }

    /// Whether the median grew by more than `threshold` percent.
    pub fn regressed(&self, threshold: f64) -> bool {
        self.change_percent()
            .is_some_and(|change| change > threshold)
    }
}

/// Why the estimates could not be read.
#[derive(Debug)]
pub enum BenchError {
    /// No criterion results at all.
    NoResults(PathBuf),
    /// The named baseline exists for no benchmark.
    NoBaseline { dir: PathBuf, name: String },
    /// A file exists but cannot be read or parsed.
    Unreadable { path: PathBuf, error: String },
    /// The report cannot be written.
    Write { path: PathBuf, error: String },
}

impl fmt::Display for BenchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BenchError::NoResults(dir) => write!(
                f,
                "no criterion results in {}: run `cargo bench` first (or name the directory with --criterion)",
                dir.display()
            ),
            BenchError::NoBaseline { dir, name } => write!(
                f,
                "no benchmark in {} has a baseline named {name:?}: save one with `cargo bench -- --save-baseline {name}` before changing the code",
                dir.display()
            ),
            BenchError::Unreadable { path, error } => {
                write!(f, "cannot read {}: {error}", path.display())
            }
            BenchError::Write { path, error } => {
                write!(f, "cannot write {}: {error}", path.display())
            }
        }
    }
}

impl std::error::Error for BenchError {}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, BenchError> {
    let text = fs::read_to_string(path).map_err(|error| BenchError::Unreadable {
        path: path.to_path_buf(),
        error: error.to_string(),
    })?;
    serde_json::from_str(&text).map_err(|error| BenchError::Unreadable {
        path: path.to_path_buf(),
        error: error.to_string(),
    })
}

/// Every directory under `dir` that holds a benchmark's `new/benchmark.json`, sorted.
fn benchmark_dirs(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut children: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.is_dir())
        .collect();
    children.sort();
    if dir.join("new").join("benchmark.json").is_file() {
        out.push(dir.to_path_buf());
    }
    for child in children {
        // Criterion's HTML reports, and this module's own files, hold no benchmarks.
        let name = child
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or("");
        if !matches!(name, "report" | "new" | "drs-lifecycle") {
            benchmark_dirs(&child, out);
        }
    }
}

fn read_contexts(dir: &Path) -> BTreeMap<String, Context> {
    let mut contexts = BTreeMap::new();
    if let Ok(text) = fs::read_to_string(dir.join(CONTEXT_FILE)) {
        for line in text.lines() {
            // A torn line from an interrupted run is skipped, not an error.
            if let Ok(context) = serde_json::from_str::<Context>(line) {
                contexts.insert(context.id.clone(), context);
            }
        }
    }
    contexts
}

/// How much older than the newest figure a figure may be and still count as part of the
/// latest runs. Criterion never deletes a benchmark's directory, so a renamed or removed
/// benchmark would otherwise be reported (and judged) forever.
pub const STALE_AFTER_SECONDS: u64 = 24 * 60 * 60;

/// Splits measurements into those of the latest runs and those left by older ones.
pub fn split_stale(measurements: Vec<Measurement>) -> (Vec<Measurement>, Vec<Measurement>) {
    let newest = measurements.iter().filter_map(|m| m.measured_at).max();
    measurements
        .into_iter()
        .partition(|m| match (newest, m.measured_at) {
            (Some(newest), Some(at)) => newest - at <= STALE_AFTER_SECONDS,
            _ => true,
        })
}

/// Reads every benchmark's latest estimates under `dir`, with the medians of the named
/// baseline where it exists. Sorted by id.
pub fn read(dir: &Path, baseline: Option<&str>) -> Result<Vec<Measurement>, BenchError> {
    let mut dirs = Vec::new();
    benchmark_dirs(dir, &mut dirs);
    if dirs.is_empty() {
        return Err(BenchError::NoResults(dir.to_path_buf()));
    }
    let contexts = read_contexts(dir);
    let mut measurements = Vec::new();
    for bench_dir in dirs {
        let id: BenchmarkFile = read_json(&bench_dir.join("new").join("benchmark.json"))?;
        let estimates: EstimatesFile = read_json(&bench_dir.join("new").join("estimates.json"))?;
        let baseline_median_ns = match baseline {
            Some(name) => {
                let path = bench_dir.join(name).join("estimates.json");
                if path.is_file() {
                    let base: EstimatesFile = read_json(&path)?;
                    Some(base.median.point_estimate)
                } else {
                    None
                }
            }
            None => None,
        };
        let measured_at = fs::metadata(bench_dir.join("new").join("estimates.json"))
            .and_then(|meta| meta.modified())
            .ok()
            .and_then(|modified| modified.duration_since(UNIX_EPOCH).ok())
            .map(|since| since.as_secs());
        measurements.push(Measurement {
            measured_at,
            context: contexts.get(&id.full_id).cloned(),
            id: id.full_id,
            group: id.group_id,
            median_ns: estimates.median.point_estimate,
            throughput: id.throughput,
            baseline_median_ns,
        });
    }
    if let Some(name) = baseline
        && measurements.iter().all(|m| m.baseline_median_ns.is_none())
    {
        return Err(BenchError::NoBaseline {
            dir: dir.to_path_buf(),
            name: name.to_string(),
        });
    }
    measurements.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(measurements)
}

/// A time in the unit that reads best: `3.21 ns`, `45.6 µs`, `7.89 s`.
pub fn format_time(ns: f64) -> String {
    let (value, unit) = if ns < 1e3 {
        (ns, "ns")
    } else if ns < 1e6 {
        (ns / 1e3, "µs")
    } else if ns < 1e9 {
        (ns / 1e6, "ms")
    } else {
        (ns / 1e9, "s")
    };
    if value < 10.0 {
        format!("{value:.2} {unit}")
    } else if value < 100.0 {
        format!("{value:.1} {unit}")
    } else {
        format!("{value:.0} {unit}")
    }
}

/// A rate with an SI prefix: `312 k`, `1.05 M`, `2.31 G`.
pub fn format_rate(per_second: f64) -> String {
    let (value, prefix) = if per_second >= 1e9 {
        (per_second / 1e9, " G")
    } else if per_second >= 1e6 {
        (per_second / 1e6, " M")
    } else if per_second >= 1e3 {
        (per_second / 1e3, " k")
    } else {
        (per_second, " ")
    };
    if value < 10.0 {
        format!("{value:.2}{prefix}")
    } else {
        format!("{value:.0}{prefix}")
    }
}

fn format_load(context: Option<&Context>) -> String {
    context
        .and_then(|context| context.load)
        .map_or_else(|| "—".to_string(), |load| format!("{:.2}", load[0]))
}

/// How a target is judged.
#[derive(Clone, Copy, Debug)]
pub enum Goal {
    /// The median time per element is at most this many nanoseconds, for every benchmark
    /// the target names (the slowest decides).
    AtMostNs(f64),
    /// At least this many elements per second at the median, and optionally at most this
    /// peak memory.
    AtLeastPerSecond { rate: f64, peak_bytes: Option<u64> },
}

/// A performance target of the project.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    pub what: &'static str,
    /// The benchmark ids it is judged on: an exact id, or a prefix ending in `/`.
    pub benchmarks: &'static [&'static str],
    /// Benchmarks the prefix would match that the target does not cover.
    pub except: &'static [&'static str],
    pub goal: Goal,
    /// What limits the figure, shown when the target is missed.
    pub limit: &'static str,
}

/// The targets, for this machine (2 cores), from the issue that asked for the benchmarks.
pub const TARGETS: &[Target] = &[
    Target {
        what: "specification step",
        benchmarks: &["spec/step/every-edge"],
        except: &[],
        goal: Goal::AtMostNs(5.0),
        limit: "The step is a table lookup and a small match; what remains is the cost of \
                building the 4-byte result and, per call, the benchmark's loop over the edges.",
    },
    Target {
        what: "engine command on a task (slowest kind of event)",
        benchmarks: &["engine/command/"],
        except: &["engine/command/create"],
        goal: Goal::AtMostNs(10.0),
        limit: "A command on a task is about 6 ns: the id lookup (an index and an account \
                check), the engine's `match` on the event, the version bump and the `Change` \
                it returns. The slowest kind is billing, measured as a round trip on a \
                one-task fleet (arrears, then recharge): each inserts into or removes from \
                the sorted list of accounts in arrears and walks the fleet's tasks to freeze \
                or restore them.",
    },
    Target {
        what: "fleet command at 1,000,000 tasks",
        benchmarks: &["engine/fleet-command/1000000"],
        except: &[],
        goal: Goal::AtMostNs(50.0),
        limit: "At a million tasks the fleet (40 MB) does not fit in the caches, so each \
                command on a random task is bound by one or two cache misses to main memory \
                (about 80–100 ns each on this machine); the engine's own work is the same as \
                at one task.",
    },
    Target {
        what: "model checking, fleet of 3 tasks over 2 accounts (DFS, 2 threads)",
        benchmarks: &["model-check/fleet-3x2"],
        except: &[],
        goal: Goal::AtLeastPerSecond {
            rate: 1_000_000.0,
            peak_bytes: Some(1 << 30),
        },
        limit: "Profiled with `perf`, half of the time is stateright inserting every \
                generated state (7 per unique state, 35 million in all) into the visited set \
                that its two threads share (a `DashMap`: a shard lock, a cache miss, and \
                contention between the threads), and a tenth its atomic increment of a \
                shared counter per generated state; the model's part (commands, steps, \
                history, hashing) is about a quarter. On a quiet machine the run reaches 1.1 to \
                1.3 million unique states per second; with other work on the two cores it \
                loses a quarter or more. Done on the model's side: only accepted commands are offered \
                (about 75 of the 82 commands of a state were refused), the verdicts are \
                tallied by the model under one stateright property instead of 27 (each cost \
                a shared look-up per state), and the specification decides a refusal before \
                it copies the fleet.",
    },
    Target {
        what: "conformance model (specification × engine), same fleet",
        benchmarks: &["model-check/conformance-3x2"],
        except: &[],
        goal: Goal::AtLeastPerSecond {
            rate: 500_000.0,
            peak_bytes: None,
        },
        limit: "Profiled with `perf`, two thirds of the time is the model's own work and a \
                third stateright's (as for the fleet: the shared visited set and counter). \
                The conformance model explores the same 5 million states as the fleet, but in \
                each it sends about 95 commands (every event to every task from its account, \
                tenancy probes from the other account, billing events sent to a task, an id \
                never handed out, creation in every mode) to both the specification and the \
                engine, and a command both refuse is settled only after the engine's whole \
                state is compared with its state before (a refusal must change nothing): \
                about 20 ns each, 2 µs per state. Each accepted command also projects and \
                compares the whole fleet and allocates the engine's task list for the new \
                state. Done: both-refused commands are settled as they are generated over one \
                scratch copy of the engine (no copy per command), the verdicts are tallied \
                under one stateright property, and the engine's state is hashed in two words \
                per task.",
    },
];

/// A target's verdict.
#[derive(Clone, Debug)]
pub struct TargetResult {
    pub target: Target,
    /// The benchmark that decides it, and the figure shown.
    pub decided_by: Option<String>,
    pub measured: String,
    pub load: String,
    pub met: Option<bool>,
    /// Met, but within [`CLOSE_MARGIN`] of the goal: a busier machine may miss it.
    pub close: bool,
}

/// How near its goal a met target is reported as close: the model-checking figures of
/// this shared machine were seen to vary by that much from one run to the next.
pub const CLOSE_MARGIN: f64 = 0.3;

fn covered<'a>(target: &Target, measurements: &'a [Measurement]) -> Vec<&'a Measurement> {
    measurements
        .iter()
        .filter(|m| {
            target.benchmarks.iter().any(|pattern| {
                if pattern.ends_with('/') {
                    m.id.starts_with(pattern)
                } else {
                    m.id == *pattern
                }
            }) && !target.except.contains(&m.id.as_str())
        })
        .collect()
}

/// Judges every target on the measurements.
pub fn judge(measurements: &[Measurement]) -> Vec<TargetResult> {
    TARGETS
        .iter()
        .map(|target| {
            let found = covered(target, measurements);
            match target.goal {
                Goal::AtMostNs(bound) => {
                    let worst = found
                        .iter()
                        .max_by(|a, b| a.per_element_ns().total_cmp(&b.per_element_ns()));
                    match worst {
                        None => missing(*target),
                        Some(worst) => {
                            let mut measured = format_time(worst.per_element_ns());
                            if found.len() > 1 {
                                let best = found
                                    .iter()
                                    .map(|m| m.per_element_ns())
                                    .fold(f64::INFINITY, f64::min);
                                measured = format!(
                                    "{measured} (`{}`; fastest of {}: {})",
                                    worst.id,
                                    found.len(),
                                    format_time(best)
                                );
                            }
                            TargetResult {
                                target: *target,
                                decided_by: Some(worst.id.clone()),
                                measured,
                                load: format_load(worst.context.as_ref()),
                                met: Some(worst.per_element_ns() <= bound),
                                close: worst.per_element_ns() > bound * (1.0 - CLOSE_MARGIN),
                            }
                        }
                    }
                }
                Goal::AtLeastPerSecond { rate, peak_bytes } => {
                    let Some(m) = found.first() else {
                        return missing(*target);
                    };
                    let per_second = m.per_second().unwrap_or(0.0);
                    let peak = m.context.as_ref().and_then(|context| context.peak_bytes);
                    let mut measured = format!("{}/s", format_rate(per_second));
                    let mut met = per_second >= rate;
                    if let Some(limit) = peak_bytes {
                        match peak {
                            Some(peak) => {
                                measured.push_str(&format!(", peak {}", format_bytes(peak)));
                                met &= peak < limit;
                            }
                            None => measured.push_str(", peak memory not recorded"),
                        }
                    }
                    TargetResult {
                        target: *target,
                        decided_by: Some(m.id.clone()),
                        measured,
                        load: format_load(m.context.as_ref()),
                        met: Some(met),
                        close: per_second < rate * (1.0 + CLOSE_MARGIN),
                    }
                }
            }
        })
        .collect()
}

fn missing(target: Target) -> TargetResult {
    TargetResult {
        target,
        decided_by: None,
        measured: "not measured".to_string(),
        load: "—".to_string(),
        met: None,
        close: false,
    }
}

fn goal_text(goal: Goal) -> String {
    match goal {
        Goal::AtMostNs(ns) => format!("≤ {ns} ns"),
        Goal::AtLeastPerSecond { rate, peak_bytes } => {
            let mut text = format!("≥ {}/s", format_rate(rate).trim_end());
            if let Some(peak) = peak_bytes {
                text.push_str(&format!(", peak < {}", format_bytes(peak)));
            }
            text
        }
    }
}

/// How the report was asked for.
#[derive(Clone, Debug, Default)]
pub struct Comparison<'a> {
    /// The baseline compared against, if any.
    pub baseline: Option<&'a str>,
    /// The regression threshold in percent, if the gate is on.
    pub threshold: Option<f64>,
}

/// Renders `benchmarks.md`. Figures left by runs more than [`STALE_AFTER_SECONDS`] older
/// than the newest are listed apart and judged nowhere.
pub fn render(measurements: &[Measurement], comparison: &Comparison) -> String {
    let (current, stale) = split_stale(measurements.to_vec());
    let measurements = &current[..];
    let mut out = String::from("# Benchmarks\n\n");
    let _ = writeln!(
        out,
        "Generated by `{REGENERATE}` (and by `drs-lifecycle report`) from criterion's saved \
         estimates; run `cargo bench` first. Every figure is a median of criterion's samples \
         on this project's 2-core machine, with the 1-minute load average when its benchmark \
         finished. The load counts the benchmark itself (one thread; two for model \
         checking): above that, the machine, which is shared, was running other work on the \
         same cores. How to save a baseline, compare and gate is in the README (*Benchmarks \
         and reports*).\n"
    );
    targets_section(&mut out, measurements);
    all_section(&mut out, measurements, comparison);
    if !stale.is_empty() {
        let ids: Vec<String> = stale.iter().map(|m| format!("`{}`", m.id)).collect();
        let _ = writeln!(
            out,
            "\nLeft out: results more than a day older than the newest, from benchmarks \
             that the latest runs did not measure (renamed, removed or filtered out): {}. \
             Delete criterion's directory to start afresh.",
            ids.join(", ")
        );
    }
    out
}

fn targets_section(out: &mut String, measurements: &[Measurement]) {
    out.push_str("## Targets\n\n");
    out.push_str("| target | goal | measured (median) | load | met |\n");
    out.push_str("|---|---|---|---:|---|\n");
    let results = judge(measurements);
    for result in &results {
        let benchmark = result
            .decided_by
            .as_ref()
            .map_or(String::new(), |id| format!(" (`{id}`)"));
        // A target over several benchmarks names the deciding one in its figure already.
        let measured = if result.measured.contains('`') {
            result.measured.clone()
        } else {
            format!("{}{benchmark}", result.measured)
        };
        let _ = writeln!(
            out,
            "| {} | {} | {measured} | {} | {} |",
            result.target.what,
            goal_text(result.target.goal),
            result.load,
            match (result.met, result.close) {
                (Some(true), false) => "yes",
                (Some(true), true) => "yes, close",
                (Some(false), _) => "**no**",
                (None, _) => "—",
            }
        );
    }
    out.push('\n');
    // What limits a target matters as much when a busier run could miss it.
    let limited: Vec<_> = results
        .iter()
        .filter(|r| r.met == Some(false) || (r.met == Some(true) && r.close))
        .collect();
    if !limited.is_empty() {
        let _ = writeln!(
            out,
            "### What limits the targets missed or close to their goal\n\n\
             *Close* is within {:.0}% of the goal: figures on this shared machine vary by \
             that much between runs.\n",
            CLOSE_MARGIN * 100.0
        );
        for result in limited {
            let _ = writeln!(out, "- **{}**: {}", result.target.what, result.target.limit);
        }
        out.push('\n');
    }
}

fn all_section(out: &mut String, measurements: &[Measurement], comparison: &Comparison) {
    out.push_str("## All benchmarks\n\n");
    match (comparison.baseline, comparison.threshold) {
        (Some(name), Some(threshold)) => {
            let _ = writeln!(
                out,
                "Compared with the saved baseline `{name}`; a median more than {threshold}% \
                 slower is a regression.\n"
            );
        }
        (Some(name), None) => {
            let _ = writeln!(out, "Compared with the saved baseline `{name}`.\n");
        }
        _ => {}
    }
    let compare = comparison.baseline.is_some();
    out.push_str("| benchmark | median | per element | throughput | load |");
    if compare {
        out.push_str(" change |");
    }
    out.push('\n');
    out.push_str("|---|---:|---:|---:|---:|");
    if compare {
        out.push_str("---:|");
    }
    out.push('\n');
    for m in measurements {
        let per_element = match m.throughput {
            Some(throughput) if throughput.per_iteration() > 1 => format_time(m.per_element_ns()),
            _ => "—".to_string(),
        };
        let throughput = match (m.throughput, m.per_second()) {
            (Some(throughput), Some(rate)) => {
                format!("{}{}/s", format_rate(rate), throughput.unit())
            }
            _ => "—".to_string(),
        };
        let _ = write!(
            out,
            "| `{}` | {} | {per_element} | {throughput} | {} |",
            m.id,
            format_time(m.median_ns),
            format_load(m.context.as_ref())
        );
        if compare {
            let change = match m.change_percent() {
                None => "no baseline".to_string(),
                Some(change) => {
                    let text = format!("{change:+.1}%");
                    if comparison.threshold.is_some_and(|t| m.regressed(t)) {
                        format!("**{text} regression**")
                    } else {
                        text
                    }
                }
            };
            let _ = write!(out, " {change} |");
        }
        out.push('\n');
    }
    let peaks: Vec<&Measurement> = measurements
        .iter()
        .filter(|m| m.context.as_ref().is_some_and(|c| c.peak_bytes.is_some()))
        .collect();
    if !peaks.is_empty() {
        out.push_str("\nPeak resident memory of the benchmark process while it ran:\n\n");
        for m in peaks {
            if let Some(peak) = m.context.as_ref().and_then(|c| c.peak_bytes) {
                let _ = writeln!(out, "- `{}`: {}", m.id, format_bytes(peak));
            }
        }
    }
}

/// Writes the report to `path`.
pub fn write(path: &Path, text: &str) -> Result<(), BenchError> {
    if let Some(parent) = path.parent()
        && !parent.as_os_str().is_empty()
    {
        fs::create_dir_all(parent).map_err(|error| BenchError::Write {
            path: path.to_path_buf(),
            error: error.to_string(),
        })?;
    }
    fs::write(path, text).map_err(|error| BenchError::Write {
        path: path.to_path_buf(),
        error: error.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measurement(id: &str, median_ns: f64, base: Option<f64>) -> Measurement {
        Measurement {
            id: id.to_string(),
            group: id.split('/').next().unwrap_or(id).to_string(),
            median_ns,
            throughput: Some(Throughput::Elements(1)),
            baseline_median_ns: base,
            context: None,
            measured_at: Some(1_000_000),
        }
    }

    #[test]
    fn times_and_rates_read_in_their_best_unit() {
        assert_eq!(format_time(3.214), "3.21 ns");
        assert_eq!(format_time(45_600.0), "45.6 µs");
        assert_eq!(format_time(7.89e9), "7.89 s");
        assert_eq!(format_rate(312_400.0), "312 k");
        assert_eq!(format_rate(1_050_000.0), "1.05 M");
    }

    #[test]
    fn a_regression_is_a_median_slower_than_the_threshold() {
        let slower = measurement("a/b", 110.0, Some(100.0));
        assert!((slower.change_percent().expect("a baseline") - 10.0).abs() < 1e-9);
        assert!(slower.regressed(5.0));
        assert!(!slower.regressed(10.5));
        assert!(!measurement("a/c", 90.0, Some(100.0)).regressed(0.0));
        assert!(!measurement("a/d", 500.0, None).regressed(0.0));
    }

    #[test]
    fn figures_a_day_older_than_the_newest_are_stale() {
        let mut old = measurement("a/old", 1.0, None);
        old.measured_at = Some(1_000_000 - STALE_AFTER_SECONDS - 1);
        let mut unknown = measurement("a/unknown", 1.0, None);
        unknown.measured_at = None;
        let (current, stale) = split_stale(vec![measurement("a/new", 1.0, None), old, unknown]);
        let ids = |ms: &[Measurement]| ms.iter().map(|m| m.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&current), ["a/new", "a/unknown"]);
        assert_eq!(ids(&stale), ["a/old"]);
    }

    #[test]
    fn the_slowest_engine_command_decides_its_target() {
        let results = judge(&[
            measurement("engine/command/pause", 4.0, None),
            measurement("engine/command/end", 12.0, None),
            measurement("engine/command/create", 40.0, None),
        ]);
        let engine = results
            .iter()
            .find(|r| r.target.what.starts_with("engine command"))
            .expect("the engine target");
        assert_eq!(engine.decided_by.as_deref(), Some("engine/command/end"));
        assert_eq!(engine.met, Some(false));
        let spec = results
            .iter()
            .find(|r| r.target.what == "specification step")
            .expect("the specification target");
        assert_eq!(spec.met, None);
    }
}
