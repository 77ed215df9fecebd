//! Throughput of the fuzzing harness: generated command sequences run on the specification
//! and the engine side by side, with every check of the brief after every step.
//!
//! The figure that matters is `harness/run`: steps per second on one core, where a step is
//! the engine's `execute`, the specification's step, the lockstep comparison (acceptance,
//! refusal kind, every task, listings, versions, the reported change, an untouched engine on
//! refusal), every safety property, coverage recording, and, after each case's snapshot
//! point, the restored fleet's step beside the original. Snapshots themselves (JSON out and
//! back, once per case) are included. Generation is measured apart.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use drs_lifecycle::fuzz::{COMPACT_CAPACITY, Case, Generator, Harness, Limits, seeded};

/// The allocator `drs-lifecycle` runs with, so that these figures are the command's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A fixed batch of generated cases, and its total number of steps.
fn batch(cases: usize) -> (Vec<Case>, u64) {
    let generator = Generator::new(Limits::default());
    let mut rng = seeded(0xBE7C);
    let cases: Vec<Case> = (0..cases).map(|_| generator.generate(&mut rng)).collect();
    let steps = cases.iter().map(|case| case.commands.len() as u64).sum();
    (cases, steps)
}

fn harness(c: &mut Criterion) {
    let (cases, steps) = batch(500);
    let mut group = c.benchmark_group("harness");
    group.throughput(Throughput::Elements(steps));
    // The default limits create at most 32 tasks a case: the compact harness, as in
    // `cargo test`.
    assert!(Limits::default().max_tasks <= COMPACT_CAPACITY);
    let mut harness = Harness::<COMPACT_CAPACITY>::new(None);
    group.bench_function("run", |b| {
        b.iter(|| {
            for case in &cases {
                if let Err(failure) = harness.run(black_box(case)) {
                    panic!("{failure}");
                }
            }
        })
    });
    let unsnapshotted: Vec<Case> = cases
        .iter()
        .map(|case| Case {
            snapshot_at: None,
            ..case.clone()
        })
        .collect();
    group.bench_function("run without snapshots", |b| {
        b.iter(|| {
            for case in &unsnapshotted {
                if let Err(failure) = harness.run(black_box(case)) {
                    panic!("{failure}");
                }
            }
        })
    });
    group.finish();
}

fn generation(c: &mut Criterion) {
    let generator = Generator::new(Limits::default());
    let (_, steps) = batch(500);
    let mut group = c.benchmark_group("generator");
    group.throughput(Throughput::Elements(steps));
    group.bench_function("generate", |b| {
        b.iter(|| {
            let mut rng = seeded(0xBE7C);
            for _ in 0..500 {
                black_box(generator.generate(&mut rng));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, harness, generation);
criterion_main!(benches);
