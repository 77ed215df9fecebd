//! Snapshots: a fleet as JSON, to save, restore, inspect and hand-edit.
//!
//! ```json
//! {
//!   "format": "drs-lifecycle/fleet",
//!   "version": 2,
//!   "accounts_in_arrears": [1],
//!   "tasks": [
//!     {"id": 1, "account": 0, "mode": "FULL_TRANS", "status": "Paused", "phase": "Full",
//!      "frozen_from": null, "instance": true, "version": 7}
//!   ]
//! }
//! ```
//!
//! Statuses are written by their Rust name, modes by their API code, phases as `Full` or
//! `Incremental`. A snapshot is a file people edit and tools generate, so loading trusts
//! nothing: it rejects every state the lifecycle cannot reach (a deleted id handed out
//! again, an ended task that still holds an instance, a frozen task of an account in credit,
//! …) with one line that names the task and the problem. A fleet loaded from a snapshot
//! therefore behaves exactly like the fleet that wrote it.
//!
//! # Versions
//!
//! The `version` field is the version of the lifecycle the file was written by. Version 2
//! (brief, part D) added two statuses, `FullMigrationComplete` and `FaultRecoveryFailed`;
//! every other status means the same in both, and every state a version-1 engine could
//! reach is one version 2 can reach, so a version-1 file loads as it is (and is written
//! back as version 2). A version-1 file that names a version-2 status was not written by
//! version 1: it is refused, naming the status, rather than silently taken for version 2.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::spec::{AccountId, ApiCode, CodeClass, Mode, Phase, Status, TaskId};

use super::lifecycle::{is_freezable, keeps_phase, mode_runs, needs_instance, phase_of};
use super::{Fleet, Task};

/// The `format` field of every snapshot.
pub(crate) const FORMAT: &str = "drs-lifecycle/fleet";
/// The snapshot format version this engine writes.
pub(crate) const VERSION: u64 = 2;
/// The oldest snapshot format version this engine reads.
pub(crate) const OLDEST_VERSION: u64 = 1;

/// The format version that introduced a status: the two statuses of the API that version 2
/// of the lifecycle took in, and version 1 for the rest.
const fn since_version(status: Status) -> u64 {
    match status {
        Status::FullMigrationComplete | Status::FaultRecoveryFailed => 2,
        _ => 1,
    }
}

/// Why a snapshot could not be loaded. Its `Display` is one line naming the problem (and
/// the task, where one is at fault) and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SnapshotError {
    /// The text is not JSON, or not JSON of the snapshot's shape (a missing or unknown field,
    /// a value of the wrong type).
    Json {
        /// serde's message, made one line.
        message: String,
        /// Line of the problem in the text, from 1 (serde_json's count).
        line: usize,
        /// Column of the problem in that line, from 1.
        column: usize,
        /// Whether the text is not JSON at all (rather than JSON of the wrong shape).
        syntax: bool,
    },
    /// The `format` field names another kind of file.
    UnknownFormat {
        /// The `format` the file has.
        found: String,
    },
    /// The snapshot was written by another version of the format.
    UnknownVersion {
        /// The `version` the file has.
        found: u64,
    },
    /// A task's status (`field` is `"status"`) or the status it froze (`"frozen_from"`)
    /// names no status.
    UnknownStatus {
        /// The task at fault.
        task: TaskId,
        /// `"status"` or `"frozen_from"`.
        field: &'static str,
        /// The text that names no status.
        found: String,
    },
    /// A task's status (or the status it froze) came with a later format version than the
    /// file's.
    StatusNewerThanFile {
        /// The task at fault.
        task: TaskId,
        /// `"status"` or `"frozen_from"`.
        field: &'static str,
        /// The status, which came with a later version than the file's.
        status: Status,
        /// The file's format version.
        version: u64,
    },
    /// A task's mode names no migration mode.
    UnknownMode {
        /// The task at fault.
        task: TaskId,
        /// The text that names no mode.
        found: String,
    },
    /// A task's phase names no phase.
    UnknownPhase {
        /// The task at fault.
        task: TaskId,
        /// The text that names no phase.
        found: String,
    },
    /// Two tasks have the same id.
    DuplicateId {
        /// The id held twice.
        task: TaskId,
    },
    /// A live task has the id of a deleted one: deleted ids are never handed out again.
    ReusedDeletedId {
        /// The id, held by a deleted task and a live one.
        task: TaskId,
        /// The live task's status.
        status: Status,
    },
    /// The ids are not 1, 2, …, n in order.
    IdOutOfOrder {
        /// Where the entry is in `tasks`, counting from 1 (as the message says "entry 3").
        position: usize,
        /// The id that belongs there (the same number as `position`).
        expected: TaskId,
        /// The id the entry has.
        found: TaskId,
    },
    /// A task claims an instance in a status that holds none, or lacks one in a status that
    /// needs one.
    Instance {
        /// The task at fault.
        task: TaskId,
        /// Its status.
        status: Status,
        /// Whether the file says it holds an instance.
        instance: bool,
    },
    /// A task remembers a phase in a status that keeps none, or lacks one where needed
    /// (for a frozen task, the status it froze decides).
    Phase {
        /// The task at fault.
        task: TaskId,
        /// Its status.
        status: Status,
        /// For a frozen task, the status it froze.
        frozen_from: Option<Status>,
        /// The phase the file says it remembers.
        phase: Option<Phase>,
    },
    /// `frozen_from` on a task that is not frozen, missing on a frozen task, or naming a
    /// status that never freezes.
    FrozenFrom {
        /// The task at fault.
        task: TaskId,
        /// Its status.
        status: Status,
        /// The status the file says it froze.
        frozen_from: Option<Status>,
    },
    /// A frozen task of an account that is not in arrears.
    FrozenInCredit {
        /// The frozen task.
        task: TaskId,
        /// Its account, which the file does not list in arrears.
        account: AccountId,
    },
    /// A freezable task of an account in arrears that is not frozen.
    NotFrozenInArrears {
        /// The task that should be frozen.
        task: TaskId,
        /// Its account, listed in arrears.
        account: AccountId,
        /// Its status, which freezes in arrears.
        status: Status,
    },
    /// A task in a status or phase its mode never runs.
    WrongMode {
        /// The task at fault.
        task: TaskId,
        /// Its migration mode.
        mode: Mode,
        /// The phase its status belongs to, which the mode never runs.
        phase: Phase,
    },
    /// A task with version 0 (a created task has version 1).
    ZeroVersion {
        /// The task at fault.
        task: TaskId,
    },
    /// An account listed twice among the accounts in arrears.
    DuplicateArrears {
        /// The account listed twice.
        account: AccountId,
    },
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use SnapshotError::*;
        match self {
            Json {
                message, syntax, ..
            } => {
                if *syntax {
                    write!(
                        f,
                        "the snapshot is not valid JSON: {message}; fix the file or write a new one with `Fleet::to_json`"
                    )
                } else {
                    write!(
                        f,
                        "the snapshot does not have the fleet snapshot's shape: {message}; compare it with a file written by `Fleet::to_json`"
                    )
                }
            }
            UnknownFormat { found } => write!(
                f,
                "unknown snapshot format {found:?}: expected {FORMAT:?}; this file is not a \
                 fleet snapshot"
            ),
            UnknownVersion { found } => write!(
                f,
                "unknown snapshot version {found}: this engine reads versions {OLDEST_VERSION} \
                 to {VERSION}; use the drs-lifecycle release that wrote the file"
            ),
            UnknownStatus { task, field, found } => {
                write!(f, "{task} has unknown status {found:?} in \"{field}\"")?;
                status_hint(f, found)
            }
            StatusNewerThanFile {
                task,
                field,
                status,
                version,
            } => write!(
                f,
                "{task} has status \"{}\" in \"{field}\", which snapshot version {version} does \
                 not have (it came with version {}): a version-{version} file cannot hold it; \
                 set \"version\" to {} if a newer engine wrote the file",
                status.name(),
                since_version(*status),
                since_version(*status),
            ),
            UnknownMode { task, found } => write!(
                f,
                "{task} has unknown mode {found:?}: expected FULL_TRANS, FULL_INCR_TRANS or \
                 INCR_TRANS"
            ),
            UnknownPhase { task, found } => write!(
                f,
                "{task} has unknown phase {found:?}: expected \"Full\", \"Incremental\" or null"
            ),
            DuplicateId { task } => write!(
                f,
                "two tasks have the id {}: every id belongs to one task; remove the duplicate",
                task.0
            ),
            ReusedDeletedId { task, status } => write!(
                f,
                "{task} is {} but its id belongs to a deleted task: a deleted task keeps its \
                 id forever and the id is never reused; give the live task a new id",
                status.name()
            ),
            IdOutOfOrder {
                position,
                expected,
                found,
            } => write!(
                f,
                "task ids must be 1..=n in order, but entry {position} of `tasks` is {found} \
                 where {expected} belongs: a gap means a lost task, and deleted tasks stay in \
                 the list"
            ),
            Instance {
                task,
                status,
                instance: true,
            } => write!(
                f,
                "{task} is {} but claims an instance: a task holds no instance before \
                 creation succeeds or after the release completes; set \"instance\": false",
                status.name()
            ),
            Instance {
                task,
                status,
                instance: false,
            } => write!(
                f,
                "{task} is {} but holds no instance: every status but Creating, \
                 CreateFailed, Ended and Deleted needs one; set \"instance\": true",
                status.name()
            ),
            Phase {
                task,
                status,
                frozen_from,
                phase: Some(phase),
            } => write!(
                f,
                "{task} is {} but remembers the {phase} phase: only Starting, StartFailed, \
                 Paused, FaultRecovery and FaultRecoveryFailed (also frozen) remember a phase; set \"phase\": null",
                StatusName(*status, *frozen_from)
            ),
            Phase {
                task,
                status,
                frozen_from,
                phase: None,
            } => write!(
                f,
                "{task} is {} but remembers no phase: the phase it heads for or returns to \
                 is needed; set \"phase\" to \"Full\" or \"Incremental\"",
                StatusName(*status, *frozen_from)
            ),
            FrozenFrom {
                task,
                status,
                frozen_from: Some(from),
            } if *status == Status::Frozen => write!(
                f,
                "{task} is Frozen from {}, which is never frozen: only stable statuses that \
                 hold an instance freeze (`drs-lifecycle spec` lists them)",
                from.name()
            ),
            FrozenFrom {
                task,
                status,
                frozen_from: Some(from),
            } => write!(
                f,
                "{task} is {} but has frozen_from {}: only a Frozen task remembers the \
                 status it froze; set \"frozen_from\": null",
                status.name(),
                from.name()
            ),
            FrozenFrom {
                task,
                frozen_from: None,
                ..
            } => write!(
                f,
                "{task} is Frozen but has no frozen_from: a frozen task must remember the \
                 status it returns to when recharged"
            ),
            FrozenInCredit { task, account } => write!(
                f,
                "{task} is Frozen but {account} is not in arrears: add the account to \
                 accounts_in_arrears or unfreeze the task"
            ),
            NotFrozenInArrears {
                task,
                account,
                status,
            } => write!(
                f,
                "{task} is {} but not frozen although {account} is in arrears: billing \
                 freezes every such task; freeze it or remove the account from \
                 accounts_in_arrears",
                status.name()
            ),
            WrongMode { task, mode, phase } => write!(
                f,
                "{task} has mode {mode} ({}) but is in the {phase} phase, which that mode \
                 never runs; fix the mode or the status and phase",
                mode.english()
            ),
            ZeroVersion { task } => write!(
                f,
                "{task} has version 0: a created task has version 1 and every change adds one"
            ),
            DuplicateArrears { account } => write!(
                f,
                "{account} (id {}) is listed twice in accounts_in_arrears: list each account \
                 once",
                account.0
            ),
        }
    }
}

impl std::error::Error for SnapshotError {}

/// What an unknown status probably meant: another spelling of a status (an API code, a
/// console name, another case), a code of an operation outside the lifecycle, or the
/// nearest Rust name.
fn status_hint(f: &mut fmt::Formatter<'_>, found: &str) -> fmt::Result {
    if let Ok(status) = found.parse::<Status>() {
        return write!(
            f,
            ": statuses are written by their Rust name; did you mean \"{}\"?",
            status.name()
        );
    }
    if let Ok(code) = found.parse::<ApiCode>()
        && let CodeClass::Excursion(excursion) = code.class()
    {
        return write!(
            f,
            ": {code} is a step of an operation outside the lifecycle ({}), not a status a \
             task can be saved in",
            excursion.english()
        );
    }
    let nearest = Status::ALL
        .into_iter()
        .map(|status| (edit_distance(found, status.name()), status))
        .min_by_key(|(distance, _)| *distance)
        .filter(|(distance, _)| *distance <= (found.chars().count() / 3).max(1));
    match nearest {
        Some((_, status)) => write!(
            f,
            " (did you mean \"{}\"?): statuses are written by their Rust name; \
             `drs-lifecycle spec` lists the valid names",
            status.name()
        ),
        None => f.write_str(
            ": statuses are written by their Rust name (e.g. \"Paused\"); \
             `drs-lifecycle spec` lists the valid names",
        ),
    }
}

/// The number of single-character edits between two names, ignoring ASCII case: how the
/// engine finds the name a typo meant (its own, to keep the engine apart from the spec's
/// internals).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, &ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != cb))
                .min(above + 1)
                .min(row[j] + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

/// A status as a message names it: `Paused`, or `Frozen from Paused`.
struct StatusName(Status, Option<Status>);

impl fmt::Display for StatusName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.1 {
            Some(from) => write!(f, "{} from {}", self.0.name(), from.name()),
            None => f.write_str(self.0.name()),
        }
    }
}

impl SnapshotError {
    fn from_json(error: &serde_json::Error) -> SnapshotError {
        SnapshotError::Json {
            message: one_line(&error.to_string()),
            line: error.line(),
            column: error.column(),
            syntax: matches!(
                error.classify(),
                serde_json::error::Category::Syntax | serde_json::error::Category::Eof
            ),
        }
    }
}

/// serde echoes parts of the input (field names, strings), which may hold line breaks; an
/// error message must stay on one line.
fn one_line(text: &str) -> String {
    let mut line = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            line.extend(c.escape_default());
        } else {
            line.push(c);
        }
    }
    line
}

/// What is written: the fleet, borrowed.
#[derive(Serialize)]
struct SnapshotOut<'a> {
    format: &'static str,
    version: u64,
    accounts_in_arrears: &'a [AccountId],
    tasks: &'a [Task],
}

/// The first two fields, read before the rest so that a file of another format or version
/// is named as such rather than as a pile of unknown fields.
#[derive(Deserialize)]
#[serde(rename = "FleetSnapshot")]
struct Header {
    format: String,
    version: u64,
}

/// What is read, before validation: names stay strings so that an unknown one can be
/// reported with the task it belongs to.
#[derive(Deserialize)]
#[serde(rename = "FleetSnapshot", deny_unknown_fields)]
struct SnapshotIn {
    format: String,
    version: u64,
    accounts_in_arrears: Vec<AccountId>,
    tasks: Vec<TaskIn>,
}

#[derive(Deserialize)]
#[serde(rename = "Task", deny_unknown_fields)]
struct TaskIn {
    id: TaskId,
    account: AccountId,
    mode: String,
    status: String,
    phase: Option<String>,
    frozen_from: Option<String>,
    instance: bool,
    version: u64,
}

impl Serialize for Fleet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        SnapshotOut {
            format: FORMAT,
            version: VERSION,
            accounts_in_arrears: self.accounts_in_arrears(),
            tasks: self.tasks(),
        }
        .serialize(serializer)
    }
}

/// Deserializing a fleet validates it exactly as [`Fleet::from_json`] does; the error is
/// the [`SnapshotError`]'s message.
impl<'de> Deserialize<'de> for Fleet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = SnapshotIn::deserialize(deserializer)?;
        check_header(&raw.format, raw.version)
            .and_then(|()| raw.into_fleet())
            .map_err(D::Error::custom)
    }
}

impl Fleet {
    /// The fleet as a pretty-printed JSON snapshot (see the [module](self) docs for the
    /// format). [`Fleet::from_json`] restores an equal fleet.
    pub fn to_json(&self) -> String {
        // Every field is a plain number, string, bool or list, so serializing cannot fail.
        serde_json::to_string_pretty(self).expect("a fleet always serializes to JSON")
    }

    /// Restores a fleet from a snapshot, refusing any state the lifecycle cannot reach.
    pub fn from_json(text: &str) -> Result<Fleet, SnapshotError> {
        let header: Header =
            serde_json::from_str(text).map_err(|error| SnapshotError::from_json(&error))?;
        check_header(&header.format, header.version)?;
        let raw: SnapshotIn =
            serde_json::from_str(text).map_err(|error| SnapshotError::from_json(&error))?;
        raw.into_fleet()
    }
}

fn check_header(format: &str, version: u64) -> Result<(), SnapshotError> {
    if format != FORMAT {
        return Err(SnapshotError::UnknownFormat {
            found: format.to_string(),
        });
    }
    if !(OLDEST_VERSION..=VERSION).contains(&version) {
        return Err(SnapshotError::UnknownVersion { found: version });
    }
    Ok(())
}

impl SnapshotIn {
    fn into_fleet(self) -> Result<Fleet, SnapshotError> {
        let mut arrears = self.accounts_in_arrears;
        arrears.sort_unstable();
        if let Some(pair) = arrears.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(SnapshotError::DuplicateArrears { account: pair[0] });
        }

        let version = self.version;
        let tasks = self
            .tasks
            .into_iter()
            .map(|task| task.parse(version))
            .collect::<Result<Vec<Task>, SnapshotError>>()?;
        check_ids(&tasks)?;
        for task in &tasks {
            check_task(task, arrears.binary_search(&task.account).is_ok())?;
        }
        Ok(Fleet::from_parts(tasks, arrears))
    }
}

impl TaskIn {
    fn parse(self, version: u64) -> Result<Task, SnapshotError> {
        let task = self.id;
        let status = parse_status(task, "status", &self.status, version)?;
        let frozen_from = self
            .frozen_from
            .as_deref()
            .map(|name| parse_status(task, "frozen_from", name, version))
            .transpose()?;
        let mode = Mode::ALL
            .into_iter()
            .find(|mode| mode.api_code() == self.mode)
            .ok_or_else(|| SnapshotError::UnknownMode {
                task,
                found: self.mode.clone(),
            })?;
        let phase = self
            .phase
            .as_deref()
            .map(|name| match name {
                "Full" => Ok(Phase::Full),
                "Incremental" => Ok(Phase::Incremental),
                _ => Err(SnapshotError::UnknownPhase {
                    task,
                    found: name.to_string(),
                }),
            })
            .transpose()?;
        Ok(Task {
            id: task,
            account: self.account,
            mode,
            status,
            phase,
            frozen_from,
            instance: self.instance,
            version: self.version,
        })
    }
}

/// Statuses are read by their Rust name only, the form [`Fleet::to_json`] writes, and only
/// those the file's format version has.
fn parse_status(
    task: TaskId,
    field: &'static str,
    name: &str,
    version: u64,
) -> Result<Status, SnapshotError> {
    let status = Status::ALL
        .into_iter()
        .find(|status| status.name() == name)
        .ok_or_else(|| SnapshotError::UnknownStatus {
            task,
            field,
            found: name.to_string(),
        })?;
    if since_version(status) > version {
        return Err(SnapshotError::StatusNewerThanFile {
            task,
            field,
            status,
            version,
        });
    }
    Ok(status)
}

/// Ids are 1..=n in order. A repeated id is reported as such first (and as a reused id when
/// the first holder is deleted), because "out of order" would hide what went wrong.
fn check_ids(tasks: &[Task]) -> Result<(), SnapshotError> {
    let mut seen: BTreeMap<TaskId, Status> = BTreeMap::new();
    for task in tasks {
        if let Some(&first) = seen.get(&task.id) {
            let deleted = |status| status == Status::Deleted;
            return Err(match (deleted(first), deleted(task.status)) {
                (true, false) => SnapshotError::ReusedDeletedId {
                    task: task.id,
                    status: task.status,
                },
                (false, true) => SnapshotError::ReusedDeletedId {
                    task: task.id,
                    status: first,
                },
                _ => SnapshotError::DuplicateId { task: task.id },
            });
        }
        seen.insert(task.id, task.status);
    }
    for (position, task) in tasks.iter().enumerate() {
        let expected = TaskId(position as u64 + 1);
        if task.id != expected {
            return Err(SnapshotError::IdOutOfOrder {
                position: position + 1,
                expected,
                found: task.id,
            });
        }
    }
    Ok(())
}

/// Everything one task must satisfy, the account's billing state included.
pub(crate) fn check_task(task: &Task, in_arrears: bool) -> Result<(), SnapshotError> {
    let id = task.id;
    if task.version == 0 {
        return Err(SnapshotError::ZeroVersion { task: id });
    }
    let frozen_ok = match task.frozen_from {
        Some(from) => task.status == Status::Frozen && is_freezable(from),
        None => task.status != Status::Frozen,
    };
    if !frozen_ok {
        return Err(SnapshotError::FrozenFrom {
            task: id,
            status: task.status,
            frozen_from: task.frozen_from,
        });
    }
    if task.instance != needs_instance(task.status) {
        return Err(SnapshotError::Instance {
            task: id,
            status: task.status,
            instance: task.instance,
        });
    }
    let effective = task.effective_status();
    if task.phase.is_some() != keeps_phase(effective) {
        return Err(SnapshotError::Phase {
            task: id,
            status: task.status,
            frozen_from: task.frozen_from,
            phase: task.phase,
        });
    }
    for phase in [phase_of(effective), task.phase].into_iter().flatten() {
        if !mode_runs(task.mode, phase) {
            return Err(SnapshotError::WrongMode {
                task: id,
                mode: task.mode,
                phase,
            });
        }
    }
    if task.status == Status::Frozen && !in_arrears {
        return Err(SnapshotError::FrozenInCredit {
            task: id,
            account: task.account,
        });
    }
    if in_arrears && is_freezable(task.status) {
        return Err(SnapshotError::NotFrozenInArrears {
            task: id,
            account: task.account,
            status: task.status,
        });
    }
    Ok(())
}

/// Whether a fleet is in a state the lifecycle can reach, for tests of the engine.
#[cfg(test)]
pub(crate) fn check(fleet: &Fleet) -> Result<(), SnapshotError> {
    check_ids(fleet.tasks())?;
    for task in fleet.tasks() {
        check_task(task, fleet.in_arrears(task.account))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by `cargo mutants`: every suggestion test used a one-letter typo, so a distance
    /// that multiplied instead of adding, or a threshold of `len % 3`, went unnoticed.
    #[test]
    fn edit_distance_counts_single_character_edits_ignoring_case() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("Paused", "paused"), 0);
        assert_eq!(edit_distance("", "Ended"), 5);
        assert_eq!(edit_distance("Pausde", "Paused"), 2);
    }

    #[test]
    fn a_transposed_status_name_is_still_suggested() {
        let mut hint = String::new();
        let _ = fmt::write(&mut hint, format_args!("{}", Hint("Pausde")));
        assert!(hint.contains("did you mean \"Paused\""), "{hint}");
        hint.clear();
        let _ = fmt::write(&mut hint, format_args!("{}", Hint("Zzzzzzzzzz")));
        assert!(!hint.contains("did you mean"), "{hint}");
    }

    /// Found by `cargo mutants` (version 1 lost it too): which holder of a repeated id is
    /// the deleted one decides the error, and the error names the live holder's status.
    #[test]
    fn a_reused_deleted_id_names_the_live_holder_whichever_comes_first() {
        let holder = |status| {
            let mut task = Task::created(TaskId(1), AccountId(0), Mode::Full);
            task.status = status;
            task
        };
        let reused = |first, second| check_ids(&[holder(first), holder(second)]);
        let expected = SnapshotError::ReusedDeletedId {
            task: TaskId(1),
            status: Status::Paused,
        };
        assert_eq!(
            reused(Status::Deleted, Status::Paused),
            Err(expected.clone())
        );
        assert_eq!(reused(Status::Paused, Status::Deleted), Err(expected));
        assert_eq!(
            reused(Status::Paused, Status::Paused),
            Err(SnapshotError::DuplicateId { task: TaskId(1) })
        );
        assert_eq!(
            reused(Status::Deleted, Status::Deleted),
            Err(SnapshotError::DuplicateId { task: TaskId(1) })
        );
    }

    #[test]
    fn an_id_out_of_order_names_its_entry_counting_from_one() {
        let with_ids = |ids: &[u64]| {
            let tasks: Vec<Task> = ids
                .iter()
                .map(|&id| Task::created(TaskId(id), AccountId(0), Mode::Full))
                .collect();
            check_ids(&tasks)
        };
        assert_eq!(with_ids(&[1, 2, 3]), Ok(()));
        assert_eq!(
            with_ids(&[2]),
            Err(SnapshotError::IdOutOfOrder {
                position: 1,
                expected: TaskId(1),
                found: TaskId(2),
            })
        );
        let gap = with_ids(&[1, 2, 4]);
        assert_eq!(
            gap,
            Err(SnapshotError::IdOutOfOrder {
                position: 3,
                expected: TaskId(3),
                found: TaskId(4),
            })
        );
        let message = gap.expect_err("a gap").to_string();
        assert!(
            message.contains("entry 3 of `tasks` is task 4 where task 3 belongs"),
            "{message}"
        );
    }

    /// `status_hint` as a `Display`, for the tests.
    struct Hint(&'static str);

    impl fmt::Display for Hint {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            status_hint(f, self.0)
        }
    }

    const ONE_TASK: &str = r#"{"format":"drs-lifecycle/fleet","version":1,"accounts_in_arrears":[0],
        "tasks":[{"id":1,"account":0,"mode":"FULL_TRANS","status":"Frozen","phase":null,
        "frozen_from":"FROZEN_FROM","instance":true,"version":3}]}"#;

    #[test]
    fn an_unknown_frozen_from_names_its_field() {
        let text = ONE_TASK.replace("FROZEN_FROM", "Waiting");
        let error = Fleet::from_json(&text).expect_err("unknown status");
        assert_eq!(
            error,
            SnapshotError::UnknownStatus {
                task: TaskId(1),
                field: "frozen_from",
                found: "Waiting".to_string()
            }
        );
        assert!(error.to_string().contains("\"frozen_from\""));
    }

    #[test]
    fn statuses_are_read_by_their_rust_name_only() {
        // The API code and the console name are for people; a snapshot has one spelling.
        for name in ["WAITING_FOR_START", "等待启动", "waitingtostart"] {
            let text = ONE_TASK.replace("FROZEN_FROM", name);
            assert!(Fleet::from_json(&text).is_err(), "{name}");
        }
        let text = ONE_TASK.replace("FROZEN_FROM", "WaitingToStart");
        let fleet = Fleet::from_json(&text).expect("valid");
        assert_eq!(fleet.tasks()[0].frozen_from(), Some(Status::WaitingToStart));
    }

    #[test]
    fn one_line_escapes_control_characters() {
        assert_eq!(one_line("a\nb\tc"), "a\\nb\\tc");
    }
}
