use std::process::ExitCode;

use clap::Parser;
use drs_lifecycle::cli::{Cli, run};

fn main() -> ExitCode {
    run(Cli::parse())
}
