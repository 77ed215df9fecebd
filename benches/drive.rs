//! Throughput of `drs-lifecycle drive`: generated cases driven over the JSON-lines protocol
//! (`docs/drive-protocol.md`) into a program running as a child process, every answer
//! judged against the specification.
//!
//! Two programs: the reference engine behind the protocol (`drs-lifecycle serve-plane`, the
//! fastest a program can answer, so the figure is the driver's own ceiling) and the Python
//! example (`examples/python/control_plane.py`, standard library only: what a program in a
//! slow language gets). Each iteration is one whole `drive` run with the command line's
//! defaults (protocol 2, the fleet verified every 8 commands), the program's start
//! included; an element is a command. Targets (issue 12): ≥ 200 k commands/s against
//! `serve-plane`, ≥ 20 k commands/s against the Python example.
//!
//! `cargo bench --bench drive` (the Python half is skipped, with a message, without
//! `python3`).

use std::path::PathBuf;
use std::process::Command;
use std::time::SystemTime;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use drs_lifecycle::drive::{Options, drive};
use drs_lifecycle::report::bench::record_context;

/// The allocator `drs-lifecycle` runs with, so that these figures are the command's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn save_dir() -> PathBuf {
    std::env::temp_dir().join(format!("drs-bench-drive-{}", std::process::id()))
}

fn bench(c: &mut Criterion, name: &str, program: &str, args: &[&str], cases: u64) {
    let mut options = Options::new(program, args);
    options.cases = cases;
    options.save = save_dir();
    // The same seed every time: the same cases, so the same number of commands.
    let first = drive(&options, |_, _, _| {}).expect("the program runs");
    assert!(first.found.is_none(), "a conforming program passes");
    let mut group = c.benchmark_group("drive");
    group.throughput(Throughput::Elements(first.stats.steps));
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    let started = SystemTime::now();
    group.bench_function(name, |b| {
        b.iter(|| {
            let report = drive(&options, |_, _, _| {}).expect("the program runs");
            assert_eq!(report.stats.steps, first.stats.steps);
        })
    });
    group.finish();
    record_context("drive", name, started, None);
}

fn serve_plane(c: &mut Criterion) {
    bench(
        c,
        "serve-plane",
        env!("CARGO_BIN_EXE_drs-lifecycle"),
        &["serve-plane"],
        2000,
    );
}

fn python(c: &mut Criterion) {
    let found = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    if !found {
        eprintln!("drive/python skipped: no python3 on this machine");
        return;
    }
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/python/control_plane.py"
    );
    bench(c, "python", "python3", &[script], 1000);
}

criterion_group!(benches, serve_plane, python);
criterion_main!(benches);
