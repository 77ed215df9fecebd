//! `drs-lifecycle snapshot FILE`: validate a fleet snapshot and show what it holds.
//!
//! A snapshot is what a control plane embedding the engine saves and restores; people edit
//! them too. This command loads one with the engine's full validation, so a bad file gets
//! the same one-line error the engine gives, and a good one is listed task by task.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::engine::Fleet;
use crate::spec::{Status, account_letter};

use super::{CliError, SnapshotArgs, outln};

pub fn snapshot(args: SnapshotArgs) -> Result<ExitCode, CliError> {
    let text = read(&args.file)?;
    let fleet = Fleet::from_json(&text)
        .map_err(|error| CliError::input(format!("{}: {error}", args.file.display())))?;
    let tasks = fleet.tasks();
    let deleted = tasks
        .iter()
        .filter(|t| t.status() == Status::Deleted)
        .count();
    outln!(
        "{}: a valid snapshot of {} task{} ({} listed, {} deleted)",
        args.file.display(),
        tasks.len(),
        if tasks.len() == 1 { "" } else { "s" },
        tasks.len() - deleted,
        deleted
    );
    for account in fleet.accounts_in_arrears() {
        outln!("account {} is in arrears", account_letter(account.0));
    }
    for task in tasks {
        let mut line = format!(
            "task {} · account {} · {} · {} · version {}",
            task.id().0,
            account_letter(task.account().0),
            task.mode(),
            task.status().label(),
            task.version()
        );
        if let Some(from) = task.frozen_from() {
            line.push_str(&format!(" · froze {}", from.label()));
        }
        if let Some(phase) = task.phase() {
            line.push_str(&format!(" · remembers the {phase} phase"));
        }
        if task.holds_instance() {
            line.push_str(" · holds an instance");
        }
        outln!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}

fn read(path: &PathBuf) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|error| {
        CliError::input(format!(
            "cannot read the snapshot {}: {error}",
            path.display()
        ))
    })
}
