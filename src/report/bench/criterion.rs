//! Reading what `cargo bench` left: criterion's saved estimates, the baselines, and the
//! context (load, peak memory) the benches record beside them.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::report::memory::load_average;

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
    /// Bytes per iteration (binary prefixes in criterion's output).
    Bytes(u64),
    /// Bytes per iteration (decimal prefixes).
    BytesDecimal(u64),
    /// Elements per iteration: here, records, commands or states.
    Elements(u64),
    /// Bits per iteration.
    Bits(u64),
}

impl Throughput {
    pub(super) fn per_iteration(self) -> u64 {
        match self {
            Throughput::Bytes(n)
            | Throughput::BytesDecimal(n)
            | Throughput::Elements(n)
            | Throughput::Bits(n) => n,
        }
    }

    pub(super) fn unit(self) -> &'static str {
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
    /// The benchmark group, the `group` part of the id.
    pub group: String,
    /// The median time of one iteration, in nanoseconds.
    pub median_ns: f64,
    /// What one iteration processes, when the benchmark declares it.
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
    NoBaseline {
        /// Criterion's output directory searched.
        dir: PathBuf,
        /// The baseline's name.
        name: String,
    },
    /// A file exists but cannot be read or parsed.
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why it cannot be read or parsed.
        error: String,
    },
    /// The report cannot be written.
    Write {
        /// The report file.
        path: PathBuf,
        /// Why it cannot be written.
        error: String,
    },
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

/// The 1-minute load average of a benchmark's context, or a dash.
pub(super) fn format_load(context: Option<&Context>) -> String {
    context
        .and_then(|context| context.load)
        .map_or_else(|| "—".to_string(), |load| format!("{:.2}", load[0]))
}
