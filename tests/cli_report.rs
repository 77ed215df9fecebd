//! `drs-lifecycle report` from the outside: the regression gate on saved criterion
//! estimates, its errors, and the committed diagrams staying in sync with the command.
//!
//! `tests/data/criterion/` is a criterion output directory cut down to four benchmarks, with
//! a baseline `main` in which `model-check/fleet-3x2` was 21% faster (an artificial
//! regression of +26.7%), `spec/step/every-edge` 3% faster, `engine/fleet-command/1000000`
//! slower, and `engine/command/pause` absent.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn drs(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_drs-lifecycle"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

fn out_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cli-report")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

const FIXTURE: &str = "tests/data/criterion";

fn gate(name: &str, threshold: &str) -> (Output, String) {
    let dir = out_dir(name);
    let out = drs(&[
        "report",
        "bench",
        "--criterion",
        FIXTURE,
        "--baseline",
        "main",
        "--threshold",
        threshold,
        "--out",
        dir.to_str().expect("a UTF-8 path"),
    ]);
    let table = std::fs::read_to_string(dir.join("benchmarks.md")).unwrap_or_default();
    (out, table)
}

fn row<'a>(table: &'a str, id: &str) -> &'a str {
    let cell = format!("| `{id}` |");
    table
        .lines()
        .find(|line| line.starts_with(&cell))
        .unwrap_or_else(|| panic!("no row for {id} in\n{table}"))
}

#[test]
fn gate_exits_one_on_a_regression_past_the_threshold_and_marks_it_in_the_table() {
    let (out, table) = gate("regression", "10");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("regression: model-check/fleet-3x2 is +26.7% against baseline \"main\""),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 benchmark regressed past 10%"),
        "{stderr}"
    );

    assert!(table.contains(
        "Compared with the saved baseline `main`; a median more than 10% slower is a regression."
    ));
    let fleet = row(&table, "model-check/fleet-3x2");
    assert!(fleet.contains("| 9.50 s |"), "{fleet}");
    assert!(fleet.contains("535 kelem/s"), "{fleet}");
    assert!(fleet.contains("| 1.50 |"), "the load when it ran: {fleet}");
    assert!(fleet.contains("**+26.7% regression**"), "{fleet}");
    let step = row(&table, "spec/step/every-edge");
    assert!(step.contains("| 1.57 ns |"), "time per element: {step}");
    assert!(
        step.contains("+3.4% |") && !step.contains("regression"),
        "{step}"
    );
    assert!(row(&table, "engine/fleet-command/1000000").contains("-0.8% |"));
    assert!(row(&table, "engine/command/pause").contains("no baseline"));

    // The targets are judged on the same figures.
    assert!(table.contains(
        "| specification step | ≤ 5 ns | 1.57 ns (`spec/step/every-edge`) | 0.40 | yes |"
    ));
    assert!(table.contains("535 k/s, peak 141 MiB (`model-check/fleet-3x2`) | 1.50 | **no** |"));
    assert!(table.contains("### What limits the targets missed or close to their goal"));
    assert!(table.contains("| conformance model (specification × engine), same fleet | ≥ 500 k/s | not measured | — | — |"));
}

#[test]
fn gate_passes_when_no_benchmark_regressed_past_the_threshold() {
    let (out, table) = gate("no-regression", "30");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fleet = row(&table, "model-check/fleet-3x2");
    assert!(
        fleet.contains("+26.7% |") && !fleet.contains("regression"),
        "{fleet}"
    );
}

#[test]
fn without_a_baseline_the_table_has_no_change_column_and_never_fails() {
    let dir = out_dir("plain");
    let out = drs(&[
        "report",
        "bench",
        "--criterion",
        FIXTURE,
        "--out",
        dir.to_str().expect("a UTF-8 path"),
    ]);
    assert!(out.status.success());
    let table = std::fs::read_to_string(dir.join("benchmarks.md")).expect("written");
    assert!(table.contains("| benchmark | median | per element | throughput | load |\n"));
    assert!(!table.contains(" change |") && !table.contains("baseline `"));
}

fn one_line_error(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    stderr
}

#[test]
fn missing_criterion_results_are_bad_input_that_says_to_run_cargo_bench() {
    let dir = out_dir("missing");
    let out = drs(&[
        "report",
        "bench",
        "--criterion",
        "no/such/criterion",
        "--out",
        dir.to_str().expect("a UTF-8 path"),
    ]);
    let stderr = one_line_error(&out);
    assert!(stderr.contains("no criterion results in no/such/criterion"));
    assert!(stderr.contains("run `cargo bench` first"));
    assert!(!dir.join("benchmarks.md").exists());
}

#[test]
fn an_unknown_baseline_is_bad_input_that_says_how_to_save_one() {
    let out = drs(&[
        "report",
        "bench",
        "--criterion",
        FIXTURE,
        "--baseline",
        "nightly",
        "--threshold",
        "5",
        "--out",
        out_dir("unknown-baseline").to_str().expect("a UTF-8 path"),
    ]);
    let stderr = one_line_error(&out);
    assert!(stderr.contains("baseline named \"nightly\""));
    assert!(stderr.contains("cargo bench -- --save-baseline nightly"));
}

#[test]
fn a_threshold_needs_a_baseline_and_a_sensible_percentage() {
    let out = drs(&[
        "report",
        "bench",
        "--criterion",
        FIXTURE,
        "--threshold",
        "5",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--baseline <NAME>"));

    let out = drs(&[
        "report",
        "bench",
        "--criterion",
        FIXTURE,
        "--baseline",
        "main",
        "--threshold=-3",
    ]);
    let stderr = one_line_error(&out);
    assert!(stderr.contains("--threshold -3 is not a percentage"));
}

/// `reports/lifecycle.md` (the full graph) and `reports/lifecycle.svg` (the readable
/// overview) are generated: they must be what `drs-lifecycle report diagram` writes now.
#[test]
fn committed_diagrams_match_the_command() {
    let dir = out_dir("diagram");
    let out = drs(&[
        "report",
        "diagram",
        "--out",
        dir.to_str().expect("a UTF-8 path"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reports = Path::new(env!("CARGO_MANIFEST_DIR")).join("reports");
    for file in ["lifecycle.md", "lifecycle.svg"] {
        let generated = std::fs::read_to_string(dir.join(file)).expect("generated");
        let committed = std::fs::read_to_string(reports.join(file)).expect("committed");
        assert!(
            generated == committed,
            "reports/{file} is out of date: regenerate it with `cargo run --release -- report diagram`"
        );
    }
}

/// The (width, height) a PNG file's header declares.
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.len() < 24 || &bytes[..8] != b"\x89PNG\r\n\x1a\n" || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let word =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    Some((word(16), word(20)))
}

/// The overview is meant to be read at 1,200 px, and `reports/lifecycle.png` is its
/// screenshot: it must be 1,200 px wide and as high as the SVG, or it was taken of another
/// version of the picture (retake it as `reports/README.md` says).
#[test]
fn the_overview_is_1200_px_wide_and_its_screenshot_has_its_size() {
    let reports = Path::new(env!("CARGO_MANIFEST_DIR")).join("reports");
    let svg = std::fs::read_to_string(reports.join("lifecycle.svg")).expect("committed");
    let attribute = |name: &str| -> u32 {
        let start = svg.find(&format!(" {name}=\"")).expect("declared") + name.len() + 3;
        let end = start + svg[start..].find('"').expect("closed");
        svg[start..end].parse().expect("a number of pixels")
    };
    assert_eq!(attribute("width"), 1200);
    let png = std::fs::read(reports.join("lifecycle.png")).expect("the screenshot is committed");
    assert_eq!(
        png_size(&png),
        Some((1200, attribute("height"))),
        "reports/lifecycle.png is not a screenshot of this reports/lifecycle.svg: retake it"
    );
}
