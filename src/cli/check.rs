//! `drs-lifecycle check [FILES…]`: check model configurations.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::check::report::{text, thousands};
use crate::check::{load, run};

use super::{CheckArgs, CliError, OutputFormat};

pub fn check(args: CheckArgs) -> Result<ExitCode, CliError> {
    let files: Vec<PathBuf> = if args.files.is_empty() {
        super::shipped_configurations()?
    } else {
        args.files
    };
    // Load every file first: a typo in the last file should not cost a long run.
    let mut configs = Vec::new();
    for file in &files {
        configs.push(load(file).map_err(|error| CliError::input(error.to_string()))?);
    }
    let mut results = Vec::new();
    let mut all_met = true;
    for config in &configs {
        let name = config.path.display().to_string();
        let mut progress = |unique: usize, depth: usize, elapsed: std::time::Duration| {
            eprintln!(
                "  … {name}: {} unique states, depth {depth}, {} s",
                thousands(unique),
                elapsed.as_secs()
            );
        };
        let result = run(config, &mut progress);
        all_met &= result.met;
        if args.format == OutputFormat::Text {
            print!("{}", text(&result));
            println!();
            let _ = std::io::stdout().flush();
        }
        results.push(result);
    }
    match args.format {
        OutputFormat::Json => {
            let json = serde_json::to_string_pretty(&results)
                .map_err(|error| CliError::input(format!("cannot encode the results: {error}")))?;
            println!("{json}");
        }
        OutputFormat::Text => {
            let met = results.iter().filter(|result| result.met).count();
            println!(
                "{met} of {} configuration{} met {}",
                results.len(),
                if results.len() == 1 { "" } else { "s" },
                if all_met {
                    "every expectation"
                } else {
                    "their expectations; see NOT MET above"
                }
            );
        }
    }
    Ok(if all_met {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
