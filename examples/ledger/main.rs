//! `cargo run --release --example ledger`: fuzz the second implementation against the
//! specification, as a user would fuzz theirs.

mod plane;

use drs_lifecycle::fuzz::{COMPACT_CAPACITY, Settings, fuzz};

fn main() -> std::process::ExitCode {
    match fuzz::<COMPACT_CAPACITY, _>(plane::Ledger::default, &Settings::default()) {
        Ok(summary) => {
            println!("{summary}");
            std::process::ExitCode::SUCCESS
        }
        Err(counterexample) => {
            eprintln!("{counterexample}");
            std::process::ExitCode::FAILURE
        }
    }
}
