use std::process::ExitCode;

use clap::Parser;
use drs_lifecycle::cli::{Cli, run};

/// mimalloc rather than the system's allocator: stateright copies and frees every state it
/// generates (the actor models' vectors, network and timer sets), and there mimalloc is
/// markedly faster (see `reports/benchmarks.md`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    run(Cli::parse())
}
