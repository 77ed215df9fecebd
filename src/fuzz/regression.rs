//! Regressions kept as data: a failing case stored as a JSON list of commands under
//! `tests/regressions/`, replayed before any random case, and printed as a `#[test]`.
//!
//! proptest persists a seed; change the generator (add an event, reweight a move) and the
//! seed silently replays another case. A list of commands replays the same case forever,
//! can be read and edited by hand, and survives any change to the generator. A file:
//!
//! ```json
//! {
//!   "description": "why this case is kept",
//!   "fault": null,
//!   "expect_violation": null,
//!   "accounts": 1,
//!   "snapshot_at": 2,
//!   "commands": [
//!     {"command": "create", "account": 0, "mode": "FULL_TRANS"},
//!     {"command": "task", "account": 0, "task": 1, "event": "InstanceReady"},
//!     {"command": "arrears", "account": 0}
//!   ]
//! }
//! ```
//!
//! Without `fault`, the case must pass: it once failed, the bug is fixed, and it must stay
//! fixed. With a `fault` (an injected bug, by its configuration name) the case must fail,
//! with the property named by `expect_violation`, at its last step: that pins a shrunk
//! counterexample exactly.

use std::fmt::{self, Write as _};
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::Fault;
use crate::spec::{Command, Event};

use super::case::Case;
use super::harness::{Failure, replay};

/// A stored case and what replaying it must give.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Regression {
    /// Why the case is kept.
    pub description: String,
    /// An injected fault to replay the case with, by its configuration name.
    #[serde(default)]
    pub fault: Option<Fault>,
    /// With a fault: the property the case must violate at its last step.
    #[serde(default)]
    pub expect_violation: Option<String>,
    /// How many accounts own tasks in the case; account `accounts` is a stranger with none.
    pub accounts: u32,
    /// After how many steps the fleet is saved to JSON and restored, to run beside the original.
    #[serde(default)]
    pub snapshot_at: Option<usize>,
    /// The commands, in order.
    pub commands: Vec<Command>,
}

impl Regression {
    /// A regression for a failing case (the description says where it came from).
    pub fn new(description: String, case: &Case, failure: Option<(&Failure, Fault)>) -> Self {
        Regression {
            description,
            fault: failure.map(|(_, fault)| fault),
            expect_violation: failure.map(|(failure, _)| failure.property.to_string()),
            accounts: case.accounts,
            snapshot_at: case.snapshot_at,
            commands: case.commands.clone(),
        }
    }

    /// The case to replay.
    pub fn case(&self) -> Case {
        Case {
            accounts: self.accounts,
            snapshot_at: self.snapshot_at,
            commands: self.commands.clone(),
        }
    }

    /// Replays the case and checks the expectation: `Ok` with a line saying what held.
    pub fn check(&self) -> Result<String, String> {
        let case = self.case();
        match (
            replay(&case, self.fault),
            self.fault,
            &self.expect_violation,
        ) {
            (Ok(_), None, None) => Ok(format!("passes ({} steps)", case.commands.len())),
            (Err(failure), None, None) => Err(format!("fails again: {failure}")),
            (Err(failure), Some(fault), Some(expected))
                if failure.property.name() == expected.as_str()
                    && failure.step + 1 == case.commands.len() =>
            {
                Ok(format!(
                    "{fault} is caught at its last step ({}), violating \"{expected}\"",
                    failure.step + 1
                ))
            }
            (Err(failure), Some(fault), Some(expected)) => Err(format!(
                "with {fault}, expected \"{expected}\" violated at step {}, got: {failure}",
                case.commands.len() - 1
            )),
            (Ok(_), Some(fault), Some(expected)) => Err(format!(
                "with {fault}, expected \"{expected}\" violated, but the case passes"
            )),
            (_, None, Some(_)) => Err("expect_violation needs a fault".to_string()),
            (_, Some(_), None) => Err("a fault needs expect_violation".to_string()),
        }
    }
}

/// Why the stored regressions could not be read.
#[derive(Debug)]
pub struct RegressionError {
    /// The file or directory that could not be read.
    pub path: PathBuf,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for RegressionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}; a regression file is a JSON object with description, accounts, \
             snapshot_at and commands (see src/fuzz/regression.rs)",
            self.path.display(),
            self.message
        )
    }
}

impl std::error::Error for RegressionError {}

/// Every `*.json` regression in `dir`, in file-name order. A missing directory has none.
pub fn load_all(dir: &Path) -> Result<Vec<(PathBuf, Regression)>, RegressionError> {
    let error = |path: &Path, message: String| RegressionError {
        path: path.to_path_buf(),
        message,
    };
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(error(dir, e.to_string())),
    };
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| error(dir, e.to_string()))?.path();
        if path.extension().is_some_and(|ext| ext == "json") {
            paths.push(path);
        }
    }
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = fs::read_to_string(&path).map_err(|e| error(&path, e.to_string()))?;
            let regression =
                serde_json::from_str(&text).map_err(|e| error(&path, e.to_string()))?;
            Ok((path, regression))
        })
        .collect()
}

/// The regression as the JSON a file holds: one command per line, so diffs stay readable.
pub fn to_json(regression: &Regression) -> String {
    let mut out = String::from("{\n");
    let _ = writeln!(out, "  \"description\": {},", json(&regression.description));
    let _ = writeln!(out, "  \"fault\": {},", json(&regression.fault));
    let _ = writeln!(
        out,
        "  \"expect_violation\": {},",
        json(&regression.expect_violation)
    );
    let _ = writeln!(out, "  \"accounts\": {},", regression.accounts);
    let _ = writeln!(out, "  \"snapshot_at\": {},", json(&regression.snapshot_at));
    out.push_str("  \"commands\": [\n");
    for (i, command) in regression.commands.iter().enumerate() {
        let comma = if i + 1 < regression.commands.len() {
            ","
        } else {
            ""
        };
        let _ = writeln!(out, "    {}{comma}", json(command));
    }
    out.push_str("  ]\n}\n");
    out
}

/// One value as compact JSON. Strings, numbers, options, faults and commands always
/// serialize; the fallback only keeps this total.
fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|error| format!("\"{error}\""))
}

/// The regression as a ready-to-paste `#[test]` for an integration test of this crate,
/// formatted as `cargo fmt` leaves it.
pub fn rust_test(name: &str, regression: &Regression) -> String {
    let mut helpers = vec!["Case"];
    for (helper, used) in [
        (
            "arrears",
            regression
                .commands
                .iter()
                .any(|c| matches!(c, Command::Arrears { .. })),
        ),
        (
            "create",
            regression
                .commands
                .iter()
                .any(|c| matches!(c, Command::Create { .. })),
        ),
        (
            "recharge",
            regression
                .commands
                .iter()
                .any(|c| matches!(c, Command::Recharge { .. })),
        ),
        ("replay", true),
        (
            "task",
            regression
                .commands
                .iter()
                .any(|c| matches!(c, Command::Task { .. })),
        ),
    ] {
        if used {
            helpers.push(helper);
        }
    }
    let mode = regression.commands.iter().any(|c| {
        matches!(
            c,
            Command::Create { .. }
                | Command::Task {
                    event: Event::Create(_),
                    ..
                }
        )
    });
    let event = regression
        .commands
        .iter()
        .any(|c| matches!(c, Command::Task { .. }));
    let spec: Vec<&str> = [(event, "Event"), (mode, "Mode")]
        .into_iter()
        .filter_map(|(used, name)| used.then_some(name))
        .collect();

    let mut out = String::new();
    for line in wrap(&regression.description, 92) {
        let _ = writeln!(out, "/// {line}");
    }
    let _ = writeln!(out, "#[test]");
    let _ = writeln!(out, "fn {}() {{", rust_identifier(name));
    let _ = writeln!(
        out,
        "    use drs_lifecycle::fuzz::{{{}}};",
        helpers.join(", ")
    );
    if regression.fault.is_some() {
        let _ = writeln!(out, "    use drs_lifecycle::model::Fault;");
    }
    match spec.as_slice() {
        [] => {}
        [one] => {
            let _ = writeln!(out, "    use drs_lifecycle::spec::{one};");
        }
        many => {
            let _ = writeln!(out, "    use drs_lifecycle::spec::{{{}}};", many.join(", "));
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "    let case = Case {{");
    let _ = writeln!(out, "        accounts: {},", regression.accounts);
    let _ = writeln!(out, "        snapshot_at: {:?},", regression.snapshot_at);
    let _ = writeln!(out, "        commands: vec![");
    for command in &regression.commands {
        let _ = writeln!(out, "            {},", rust_command(command));
    }
    let _ = writeln!(out, "        ],");
    let _ = writeln!(out, "    }};");
    match (&regression.fault, &regression.expect_violation) {
        (Some(fault), Some(property)) => {
            let _ = writeln!(
                out,
                "    let failure = replay(&case, Some(Fault::{fault:?}))\n        \
                 .expect_err(\"the injected fault is caught\");"
            );
            let _ = writeln!(
                out,
                "    assert_eq!(failure.property.name(), {property:?});"
            );
            let _ = writeln!(
                out,
                "    assert_eq!(failure.step, {});",
                regression.commands.len().saturating_sub(1)
            );
        }
        _ => {
            let _ = writeln!(
                out,
                "    if let Err(failure) = replay(&case, None) {{\n        \
                 panic!(\"{{failure}}\");\n    }}"
            );
        }
    }
    out.push_str("}\n");
    out
}

/// Words into lines of at most `width` characters (a longer word gets a line of its own).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(line);
    }
    lines
}

/// A command as a call of the constructors in [`crate::fuzz`]: short enough that
/// `cargo fmt` keeps one command per line.
fn rust_command(command: &Command) -> String {
    match *command {
        Command::Create { account, mode } => format!("create({}, Mode::{mode:?})", account.0),
        Command::Task {
            account,
            task,
            event,
        } => {
            let event = match event {
                Event::Create(mode) => format!("Event::Create(Mode::{mode:?})"),
                other => format!("Event::{}", other.name()),
            };
            format!("task({}, {}, {event})", account.0, task.0)
        }
        Command::Arrears { account } => format!("arrears({})", account.0),
        Command::Recharge { account } => format!("recharge({})", account.0),
    }
}

/// A snake_case identifier from a file stem or a free name.
pub fn rust_identifier(name: &str) -> String {
    let mut ident: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if !ident.starts_with(|c: char| c.is_ascii_alphabetic()) {
        ident.insert_str(0, "regression_");
    }
    ident
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzz::{arrears, create, task};
    use crate::spec::Mode;

    fn regression(fault: Option<Fault>) -> Regression {
        Regression {
            description: "A frozen task is paused.".to_string(),
            fault,
            expect_violation: fault.map(|_| "engine refines the specification".to_string()),
            accounts: 1,
            snapshot_at: Some(2),
            commands: vec![
                create(0, Mode::Full),
                task(0, 1, Event::InstanceReady),
                arrears(0),
                task(0, 1, Event::Pause),
            ],
        }
    }

    #[test]
    fn the_json_of_a_regression_reads_back_as_the_same_regression() {
        for fault in [None, Some(Fault::EnginePausesFrozenTask)] {
            let text = to_json(&regression(fault));
            let back: Regression = serde_json::from_str(&text).expect("parses");
            assert_eq!(back, regression(fault));
            assert!(text.contains("\n    {\"command\":\"arrears\",\"account\":0},\n"));
        }
    }

    #[test]
    fn replaying_checks_the_recorded_expectation() {
        // Without the fault both sides refuse the pause: the case passes.
        assert_eq!(regression(None).check(), Ok("passes (4 steps)".to_string()));
        let caught = regression(Some(Fault::EnginePausesFrozenTask)).check();
        assert!(caught.is_ok(), "{caught:?}");
        let wrong = Regression {
            expect_violation: Some("no deadlock".to_string()),
            ..regression(Some(Fault::EnginePausesFrozenTask))
        };
        assert!(wrong.check().is_err());
    }

    #[test]
    fn a_regression_prints_as_a_test_that_replays_it() {
        let printed = rust_test(
            "frozen task paused",
            &regression(Some(Fault::EnginePausesFrozenTask)),
        );
        assert!(
            printed
                .starts_with("/// A frozen task is paused.\n#[test]\nfn frozen_task_paused() {\n")
        );
        assert!(
            printed
                .contains("    use drs_lifecycle::fuzz::{Case, arrears, create, replay, task};\n")
        );
        assert!(printed.contains("            task(0, 1, Event::Pause),\n"));
        assert!(printed.contains("replay(&case, Some(Fault::EnginePausesFrozenTask))"));
        assert!(printed.contains("    assert_eq!(failure.step, 3);\n"));
    }

    #[test]
    fn a_malformed_file_is_reported_with_its_path() {
        let dir = std::env::temp_dir().join(format!("drs-regressions-{}", std::process::id()));
        fs::create_dir_all(&dir).expect("temp dir");
        let file = dir.join("broken.json");
        fs::write(&file, "{\"description\": \"x\", \"commands\": [}").expect("write");
        let error = load_all(&dir).expect_err("not JSON");
        let _ = fs::remove_dir_all(&dir);
        assert_eq!(error.path, file);
        assert!(error.to_string().contains("broken.json"), "{error}");
    }

    #[test]
    fn identifiers_are_snake_case_and_start_with_a_letter() {
        assert_eq!(rust_identifier("deep-corners"), "deep_corners");
        assert_eq!(rust_identifier("42 Steps"), "regression_42_steps");
    }
}
