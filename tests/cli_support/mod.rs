//! Running the `drs-lifecycle` binary from a test: one copy of the helpers the command-line
//! tests of `validate` and `simulate` share (`tests/history.rs`, `tests/history_api.rs`,
//! `tests/validate_input.rs`). Not every test file uses every helper.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the binary from the repository root with `args`.
pub fn drs(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_drs-lifecycle"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

/// Its standard output, as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Its standard error, as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A path in the test's scratch directory `dir` (created).
pub fn temp_in(dir: &str, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}
