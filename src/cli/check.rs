//! `drs-lifecycle check [FILES…]`: check model configurations.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::check::check_files;
use crate::check::report::text;

use super::{CheckArgs, CliError, OutputFormat, outln};

pub fn check(args: CheckArgs) -> Result<ExitCode, CliError> {
    let files: Vec<PathBuf> = if args.files.is_empty() {
        super::shipped_configurations()?
    } else {
        args.files
    };
    let format = args.format;
    let checked = check_files(
        &files,
        |_| {},
        |_, result| {
            if format == OutputFormat::Text {
                outln!("{}", text(result));
            }
            Ok::<(), CliError>(())
        },
    )?;
    let results: Vec<_> = checked.into_iter().map(|(_, result)| result).collect();
    let all_met = results.iter().all(|result| result.met);
    match format {
        OutputFormat::Json => {
            let json = serde_json::to_string_pretty(&results)
                .map_err(|error| CliError::input(format!("cannot encode the results: {error}")))?;
            outln!("{json}");
        }
        OutputFormat::Text => {
            let met = results.iter().filter(|result| result.met).count();
            outln!(
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
