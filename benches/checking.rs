//! Model-checking throughput: unique states explored per second, for the shipped
//! configurations of one task (`models/lifecycle.toml`), of the largest default fleet
//! (`models/fleet-3x2.toml`: three tasks over two accounts, depth-first with two threads)
//! and of the specification and the engine in lockstep on the same fleet
//! (`models/conformance-3x2.toml`), and of the default actor model of the distributed
//! control plane (`models/actors.toml`, depth-first with two threads).
//!
//! One iteration is one complete exploration by stateright (no shortest-counterexample
//! search, no liveness: [`explore`] is the part of `drs-lifecycle check` that scales with
//! the state space), and its throughput is the configuration's pinned number of unique
//! states, so criterion reports unique states per second. Each exploration is checked
//! against the pinned count, so a benchmark can never report a fast run that explored less.
//! The fleet runs take seconds each, so they use criterion's minimum of ten samples of one
//! run. The peak memory of the process while each benchmark ran is recorded beside
//! criterion's results, for `reports/benchmarks.md`.
//!
//! Quick, CI-sized runs: `cargo bench --bench checking -- --quick` (a few runs each).

use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};

use drs_lifecycle::check::{explore, load};
use drs_lifecycle::report::bench::record_context;
use drs_lifecycle::report::memory;

/// The allocator `drs-lifecycle` runs with, so that these figures are the command's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn model_check(c: &mut Criterion, name: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("models")
        .join(format!("{name}.toml"));
    let config = load(&path).unwrap_or_else(|error| panic!("{error}"));
    let pinned = config
        .expect
        .unique_states
        .unwrap_or_else(|| panic!("{} pins no unique-state count", path.display()));
    let mut group = c.benchmark_group("model-check");
    group.throughput(Throughput::Elements(pinned as u64));
    if pinned > 100_000 {
        group
            .sample_size(10)
            .sampling_mode(SamplingMode::Flat)
            .warm_up_time(Duration::from_millis(1))
            .measurement_time(Duration::from_secs(60));
    }
    let started = SystemTime::now();
    let reset = memory::reset_peak();
    group.bench_function(name, |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                let start = Instant::now();
                let exploration = explore(&config, None);
                total += start.elapsed();
                assert_eq!(
                    exploration.unique_states, pinned,
                    "{name} explored a different state space"
                );
            }
            total
        })
    });
    group.finish();
    let peak = if reset { memory::peak_bytes() } else { None };
    record_context("model-check", name, started, peak);
}

fn lifecycle(c: &mut Criterion) {
    model_check(c, "lifecycle");
}

fn fleet(c: &mut Criterion) {
    model_check(c, "fleet-3x2");
}

fn conformance(c: &mut Criterion) {
    model_check(c, "conformance-3x2");
}

fn actors(c: &mut Criterion) {
    model_check(c, "actors");
}

criterion_group!(checking, lifecycle, fleet, conformance, actors);
criterion_main!(checking);
