//! `drs-lifecycle report [models|diagram|bench]`: regenerate the reports in `reports/`.
//!
//! Without a subcommand every report is regenerated. `report bench` is also the regression
//! gate: with `--baseline NAME --threshold PCT` it exits 1 when a benchmark's median is
//! more than PCT percent slower than in the saved baseline, after writing the table that
//! shows which.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::check::{MODELS_DIR, check_files, configurations_in};
use crate::report::bench::{self, BenchError, Comparison};
use crate::report::models::{self, Entry, Timings};
use crate::report::{
    BENCHMARKS_FILE, LIFECYCLE_MD_FILE, LIFECYCLE_SVG_FILE, MODEL_CHECK_FILE, diagram, memory,
};
use crate::text::format_time;

use super::{BenchArgs, CliError, ReportArgs, ReportWhat};

/// Exit status of the gate when a benchmark regressed.
const REGRESSED: u8 = 1;

pub fn report(args: ReportArgs) -> Result<ExitCode, CliError> {
    let out = args.out.clone();
    let criterion = args.criterion.clone().unwrap_or_else(bench::criterion_dir);
    match args.what {
        Some(ReportWhat::Models) => model_check(&out),
        Some(ReportWhat::Diagram) => diagrams(&out).map(|()| ExitCode::SUCCESS),
        Some(ReportWhat::Bench(bench_args)) => benchmarks(&out, &criterion, &bench_args),
        None => {
            diagrams(&out)?;
            // Without benchmark results the committed table stays; the other reports
            // are still regenerated.
            match bench::read(&criterion, None) {
                Err(error @ BenchError::NoResults(_)) => eprintln!(
                    "warning: {} left as it was: {error}",
                    out.join(BENCHMARKS_FILE).display()
                ),
                _ => {
                    benchmarks(&out, &criterion, &BenchArgs::default())?;
                }
            }
            model_check(&out)
        }
    }
}

fn write_file(path: &Path, text: &str) -> Result<(), CliError> {
    if let Some(parent) = path.parent()
        && !parent.as_os_str().is_empty()
    {
        fs::create_dir_all(parent).map_err(|error| {
            CliError::input(format!("cannot create {}: {error}", parent.display()))
        })?;
    }
    fs::write(path, text)
        .map_err(|error| CliError::input(format!("cannot write {}: {error}", path.display())))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

fn diagrams(out: &Path) -> Result<(), CliError> {
    write_file(&out.join(LIFECYCLE_MD_FILE), &diagram::markdown())?;
    write_file(&out.join(LIFECYCLE_SVG_FILE), &diagram::svg())
}

fn benchmarks(out: &Path, criterion: &Path, args: &BenchArgs) -> Result<ExitCode, CliError> {
    if let Some(threshold) = args.threshold
        && !(threshold.is_finite() && threshold >= 0.0)
    {
        return Err(CliError::input(format!(
            "--threshold {threshold} is not a percentage: give a number of percent, 0 or more (for example 5)"
        )));
    }
    let bench_error = |error: BenchError| CliError::input(error.to_string());
    let measurements = bench::read(criterion, args.baseline.as_deref()).map_err(bench_error)?;
    let comparison = Comparison {
        baseline: args.baseline.as_deref(),
        threshold: args.threshold,
    };
    let path = out.join(BENCHMARKS_FILE);
    bench::write(&path, &bench::render(&measurements, &comparison)).map_err(bench_error)?;
    eprintln!(
        "wrote {} ({} benchmark{} from {})",
        path.display(),
        measurements.len(),
        if measurements.len() == 1 { "" } else { "s" },
        criterion.display()
    );
    let Some(threshold) = args.threshold else {
        return Ok(ExitCode::SUCCESS);
    };
    // Figures the latest runs did not measure cannot have regressed.
    let (current, _) = bench::split_stale(measurements);
    let regressed: Vec<_> = current.iter().filter(|m| m.regressed(threshold)).collect();
    if regressed.is_empty() {
        eprintln!(
            "no benchmark is more than {threshold}% slower than in baseline {:?}",
            args.baseline.as_deref().unwrap_or_default()
        );
        return Ok(ExitCode::SUCCESS);
    }
    for m in &regressed {
        eprintln!(
            "regression: {} is {:+.1}% against baseline {:?} (median {} → {})",
            m.id,
            m.change_percent().unwrap_or_default(),
            args.baseline.as_deref().unwrap_or_default(),
            format_time(m.baseline_median_ns.unwrap_or_default()),
            format_time(m.median_ns),
        );
    }
    eprintln!(
        "drs-lifecycle: {} benchmark{} regressed past {threshold}%",
        regressed.len(),
        if regressed.len() == 1 { "" } else { "s" }
    );
    Ok(ExitCode::from(REGRESSED))
}

fn model_check(out: &Path) -> Result<ExitCode, CliError> {
    let dir = PathBuf::from(MODELS_DIR);
    let files = super::shipped_configurations()?;
    let skipped: Vec<String> = configurations_in(&dir.join("heavy"))
        .unwrap_or_default()
        .iter()
        .map(|path| models::display_name(path))
        .collect();
    let mut timings = Timings {
        load: memory::load_average(),
        peaks: Vec::new(),
    };
    let reset = std::cell::Cell::new(false);
    let checked = check_files(
        &files,
        |_| reset.set(memory::reset_peak()),
        |_, _| {
            timings.peaks.push(if reset.get() {
                memory::peak_bytes()
            } else {
                None
            });
            Ok::<(), CliError>(())
        },
    )?;
    let entries: Vec<Entry> = checked
        .iter()
        .map(|(config, result)| Entry { config, result })
        .collect();
    let text = models::render(&entries, &skipped, Some(&timings));
    write_file(&out.join(MODEL_CHECK_FILE), &text)?;
    let unmet: Vec<String> = entries
        .iter()
        .filter(|entry| !entry.result.met)
        .map(|entry| models::display_name(&entry.config.path))
        .collect();
    if unmet.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "drs-lifecycle: {} did not meet {} expectations; see {}",
            unmet.join(", "),
            if unmet.len() == 1 { "its" } else { "their" },
            out.join(MODEL_CHECK_FILE).display()
        );
        Ok(ExitCode::from(1))
    }
}
