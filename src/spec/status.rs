//! The twenty statuses of a migration task: the seventeen that the DRS console shows, the
//! two that its API shows on ordinary paths (brief, D.2.1), and `Deleted`, which no list
//! shows but a query by id still answers.
//!
//! Every status carries three names, because users meet it in three places: the Chinese name
//! on the console (`暂停中`), the English name in this tool's output ("Paused"), and the code
//! the DRS API returns (`PAUSING`, an [`ApiCode`]). Two statuses exist only on the console
//! (冻结 and 结束任务) and have no API code.
//!
//! # Order
//!
//! [`Status::ALL`] (and so [`Status::index`], the derived `Ord`, and every table and report
//! listed by status) is the console's table in its order, then the two API statuses of
//! version 2 (`FullMigrationComplete`, `FaultRecoveryFailed`), then `Deleted`. Keeping the
//! seventeen console statuses first keeps their console numbers (1–17) equal to their
//! position; the API statuses follow because the console's table does not number them, and
//! `Deleted` stays last, as the one status no list shows.
//!
//! The class predicates (`is_transient`, `holds_instance`, …) are the vocabulary the
//! properties and the reference implementation speak; they restate the brief's decisions,
//! not the transition table.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::ApiCode;
use super::nearest::nearest;

/// A task's status.
///
/// The serde form is the Rust variant name (`"FullMigration"`), which is stable: renaming a
/// variant is a breaking change of every snapshot, trace and report. `FromStr` is more
/// forgiving and also accepts the API code and the Chinese console name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[repr(u8)]
pub enum Status {
    /// 创建中: the migration instance the task needs is being created (`CREATING`).
    Creating,
    /// 创建任务失败: creating the instance failed; the task holds none and can only be deleted
    /// (`CREATE_FAILED`).
    CreateFailed,
    /// 配置: the instance exists and the task is not started yet; configuration can continue
    /// (`CONFIGURATION`).
    Configuration,
    /// 冻结: the account is in arrears and the billing lock holds the task; it remembers the status
    /// it froze and returns to it on recharge. Console only: a poll shows the frozen status's code.
    Frozen,
    /// 等待启动: a scheduled start was sent; waiting for its time (`WAITING_FOR_START`).
    WaitingToStart,
    /// 启动中: the migration process is starting, toward the phase the task remembers
    /// (`STARTJOBING`).
    Starting,
    /// 启动失败: starting failed; retry heads for the same phase (`START_JOB_FAILED`).
    StartFailed,
    /// 全量迁移: the full (initial-load) copy from source to target runs
    /// (`FULL_TRANSFER_STARTED`).
    FullMigration,
    /// 全量迁移失败: the full phase failed (`FULL_TRANSFER_FAILED`).
    FullMigrationFailed,
    /// 增量迁移: change data capture runs continuously until the user ends the task
    /// (`INCRE_TRANSFER_STARTED`).
    IncrementalMigration,
    /// 增量迁移失败: the incremental phase failed (`INCRE_TRANSFER_FAILED`).
    IncrementalMigrationFailed,
    /// 故障恢复: the instance failed and the system is recovering the task by itself, back to the
    /// phase it remembers (`REBUILD_NODE_STARTED`).
    FaultRecovery,
    /// 暂停中: paused by the user, remembering the phase to resume (`PAUSING`, a stable status
    /// despite the code's name).
    Paused,
    /// 结束任务: an end was accepted (by the user or the system) and the release has not begun.
    /// Console only: a poll shows `RELEASE_RESOURCE_STARTED`.
    EndRequested,
    /// 结束任务中: the instance and its resources are being released
    /// (`RELEASE_RESOURCE_STARTED`).
    Ending,
    /// 结束任务失败: releasing failed; the task still holds its instance and can be ended again
    /// (`RELEASE_RESOURCE_FAILED`).
    EndFailed,
    /// 已结束: the instance is released; only delete is left (`RELEASE_RESOURCE_COMPLETE`).
    Ended,
    /// 全量迁移完成: the short step after the full phase, before the incremental phase or the
    /// system's end (`FULL_TRANSFER_COMPLETE`; version 2).
    FullMigrationComplete,
    /// 故障恢复失败: fault recovery failed; a failed status like the phases' own, remembering the
    /// phase (`REBUILD_NODE_FAILED`; version 2).
    FaultRecoveryFailed,
    /// 已删除: deleted, for good; no list shows it, a query by id answers `DELETED`, and its id is
    /// never reused.
    Deleted,
}

/// How many statuses there are (the 17 console statuses, the 2 API statuses and `Deleted`).
pub const STATUS_COUNT: usize = 20;

/// How many statuses the console's table numbers.
pub const CONSOLE_STATUS_COUNT: usize = 17;

impl Status {
    /// Every status: the console's table in its order, then the API statuses, then
    /// `Deleted`, so that the console statuses keep their console numbers as positions.
    pub const ALL: [Status; STATUS_COUNT] = [
        Status::Creating,
        Status::CreateFailed,
        Status::Configuration,
        Status::Frozen,
        Status::WaitingToStart,
        Status::Starting,
        Status::StartFailed,
        Status::FullMigration,
        Status::FullMigrationFailed,
        Status::IncrementalMigration,
        Status::IncrementalMigrationFailed,
        Status::FaultRecovery,
        Status::Paused,
        Status::EndRequested,
        Status::Ending,
        Status::EndFailed,
        Status::Ended,
        Status::FullMigrationComplete,
        Status::FaultRecoveryFailed,
        Status::Deleted,
    ];

    /// The position of this status in [`Status::ALL`], for dense per-status tables.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The status's number in the console's table (1–17), or `None` for the statuses the
    /// console's table does not list (the two API statuses and `Deleted`).
    pub const fn console_number(self) -> Option<usize> {
        if self.index() < CONSOLE_STATUS_COUNT {
            Some(self.index() + 1)
        } else {
            None
        }
    }

    /// The Rust name of the variant, which is also its serde form.
    pub const fn name(self) -> &'static str {
        match self {
            Status::Creating => "Creating",
            Status::CreateFailed => "CreateFailed",
            Status::Configuration => "Configuration",
            Status::Frozen => "Frozen",
            Status::WaitingToStart => "WaitingToStart",
            Status::Starting => "Starting",
            Status::StartFailed => "StartFailed",
            Status::FullMigration => "FullMigration",
            Status::FullMigrationFailed => "FullMigrationFailed",
            Status::IncrementalMigration => "IncrementalMigration",
            Status::IncrementalMigrationFailed => "IncrementalMigrationFailed",
            Status::FaultRecovery => "FaultRecovery",
            Status::Paused => "Paused",
            Status::EndRequested => "EndRequested",
            Status::Ending => "Ending",
            Status::EndFailed => "EndFailed",
            Status::Ended => "Ended",
            Status::FullMigrationComplete => "FullMigrationComplete",
            Status::FaultRecoveryFailed => "FaultRecoveryFailed",
            Status::Deleted => "Deleted",
        }
    }

    /// The name the Chinese DRS console shows, exactly as documented (for the two API
    /// statuses, the name the API documentation gives them).
    pub const fn zh(self) -> &'static str {
        match self {
            Status::Creating => "创建中",
            Status::CreateFailed => "创建任务失败",
            Status::Configuration => "配置",
            Status::Frozen => "冻结",
            Status::WaitingToStart => "等待启动",
            Status::Starting => "启动中",
            Status::StartFailed => "启动失败",
            Status::FullMigration => "全量迁移",
            Status::FullMigrationFailed => "全量迁移失败",
            Status::IncrementalMigration => "增量迁移",
            Status::IncrementalMigrationFailed => "增量迁移失败",
            Status::FaultRecovery => "故障恢复",
            Status::Paused => "暂停中",
            Status::EndRequested => "结束任务",
            Status::Ending => "结束任务中",
            Status::EndFailed => "结束任务失败",
            Status::Ended => "已结束",
            Status::FullMigrationComplete => "全量迁移完成",
            Status::FaultRecoveryFailed => "故障恢复失败",
            Status::Deleted => "已删除",
        }
    }

    /// The English name used in this tool's output.
    pub const fn english(self) -> &'static str {
        match self {
            Status::Creating => "Creating",
            Status::CreateFailed => "Creation failed",
            Status::Configuration => "Configuration",
            Status::Frozen => "Frozen",
            Status::WaitingToStart => "Waiting to start",
            Status::Starting => "Starting",
            Status::StartFailed => "Start failed",
            Status::FullMigration => "Full migration",
            Status::FullMigrationFailed => "Full migration failed",
            Status::IncrementalMigration => "Incremental migration",
            Status::IncrementalMigrationFailed => "Incremental migration failed",
            Status::FaultRecovery => "Fault recovery",
            Status::Paused => "Paused",
            Status::EndRequested => "End requested",
            Status::Ending => "Ending",
            Status::EndFailed => "End failed",
            Status::Ended => "Ended",
            Status::FullMigrationComplete => "Full migration complete",
            Status::FaultRecoveryFailed => "Fault recovery failed",
            Status::Deleted => "Deleted",
        }
    }

    /// The status code the DRS API returns, or `None` for the two console-only statuses
    /// (冻结 Frozen and 结束任务 EndRequested).
    pub const fn api(self) -> Option<ApiCode> {
        Some(match self {
            Status::Creating => ApiCode::Creating,
            Status::CreateFailed => ApiCode::CreateFailed,
            Status::Configuration => ApiCode::Configuration,
            Status::Frozen => return None,
            Status::WaitingToStart => ApiCode::WaitingForStart,
            Status::Starting => ApiCode::StartJobing,
            Status::StartFailed => ApiCode::StartJobFailed,
            Status::FullMigration => ApiCode::FullTransferStarted,
            Status::FullMigrationFailed => ApiCode::FullTransferFailed,
            Status::IncrementalMigration => ApiCode::IncreTransferStarted,
            Status::IncrementalMigrationFailed => ApiCode::IncreTransferFailed,
            Status::FaultRecovery => ApiCode::RebuildNodeStarted,
            Status::Paused => ApiCode::Pausing,
            Status::EndRequested => return None,
            Status::Ending => ApiCode::ReleaseResourceStarted,
            Status::EndFailed => ApiCode::ReleaseResourceFailed,
            Status::Ended => ApiCode::ReleaseResourceComplete,
            Status::FullMigrationComplete => ApiCode::FullTransferComplete,
            Status::FaultRecoveryFailed => ApiCode::RebuildNodeFailed,
            Status::Deleted => ApiCode::Deleted,
        })
    }

    /// The status code as the DRS API writes it (`PAUSING`), or `None` for the two
    /// console-only statuses.
    pub const fn api_code(self) -> Option<&'static str> {
        match self.api() {
            Some(code) => Some(code.code()),
            None => None,
        }
    }

    /// Whether a task list (the console's or the API's) shows a task in this status; only
    /// `Deleted` is not listed.
    pub const fn is_listed(self) -> bool {
        !matches!(self, Status::Deleted)
    }

    /// A status the system leaves by itself: creating, starting, the short step after the
    /// full phase, recovering, and the two release steps. Transient statuses are never
    /// frozen in flight.
    pub const fn is_transient(self) -> bool {
        matches!(
            self,
            Status::Creating
                | Status::Starting
                | Status::FullMigrationComplete
                | Status::FaultRecovery
                | Status::EndRequested
                | Status::Ending
        )
    }

    /// A status that reports a failure of the service (the six "…失败" statuses).
    pub const fn is_failure(self) -> bool {
        matches!(
            self,
            Status::CreateFailed
                | Status::StartFailed
                | Status::FullMigrationFailed
                | Status::IncrementalMigrationFailed
                | Status::FaultRecoveryFailed
                | Status::EndFailed
        )
    }

    /// A failed migration that the system ends by itself after `expired_days` (the brief's
    /// "abnormal" statuses).
    pub const fn is_abnormal(self) -> bool {
        matches!(
            self,
            Status::StartFailed
                | Status::FullMigrationFailed
                | Status::IncrementalMigrationFailed
                | Status::FaultRecoveryFailed
        )
    }

    /// A status after which the lifecycle is over: `Ended` (whose only way on is delete) and
    /// `Deleted` (which nothing leaves).
    pub const fn is_terminal(self) -> bool {
        matches!(self, Status::Ended | Status::Deleted)
    }

    /// Whether a task in this status holds a migration instance. The instance is acquired
    /// when creation succeeds and released when the release completes, so every status
    /// from `Configuration` to `EndFailed` holds one, `Frozen` and the two API statuses
    /// included.
    pub const fn holds_instance(self) -> bool {
        !matches!(
            self,
            Status::Creating | Status::CreateFailed | Status::Ended | Status::Deleted
        )
    }

    /// A stable, instance-holding status that an account in arrears freezes.
    pub const fn is_freezable(self) -> bool {
        matches!(
            self,
            Status::Configuration
                | Status::WaitingToStart
                | Status::StartFailed
                | Status::FullMigration
                | Status::FullMigrationFailed
                | Status::IncrementalMigration
                | Status::IncrementalMigrationFailed
                | Status::FaultRecoveryFailed
                | Status::Paused
                | Status::EndFailed
        )
    }

    /// Whether a task in this status must remember the phase it is heading for or will
    /// return to (brief, decision 5).
    pub const fn remembers_phase(self) -> bool {
        matches!(
            self,
            Status::Starting
                | Status::StartFailed
                | Status::Paused
                | Status::FaultRecovery
                | Status::FaultRecoveryFailed
        )
    }

    /// The migration phase a running, complete or failed migration status belongs to
    /// (`FullMigrationComplete` is the end of the full phase).
    pub const fn migration_phase(self) -> Option<super::Phase> {
        match self {
            Status::FullMigration | Status::FullMigrationComplete | Status::FullMigrationFailed => {
                Some(super::Phase::Full)
            }
            Status::IncrementalMigration | Status::IncrementalMigrationFailed => {
                Some(super::Phase::Incremental)
            }
            _ => None,
        }
    }

    /// `创建中 Creating (CREATING)`: how reports and the Explorer name a status.
    pub fn label(self) -> String {
        match self.api_code() {
            Some(code) => format!("{} {} ({code})", self.zh(), self.english()),
            None => format!("{} {} (console only)", self.zh(), self.english()),
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A string that names no status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownStatus(pub String);

impl fmt::Display for UnknownStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Ok(code) = self.0.parse::<ApiCode>()
            && let super::CodeClass::Excursion(excursion) = code.class()
        {
            return write!(
                f,
                "{code} ({} {}) is not a lifecycle status: it is a step of an operation outside \
                 the lifecycle ({}), after which the task is back in a lifecycle status",
                code.zh(),
                code.english(),
                excursion.english()
            );
        }
        write!(f, "unknown status {:?}", self.0)?;
        if let Some(near) = self.nearest() {
            write!(f, " (did you mean {near}?)")?;
        }
        write!(
            f,
            ": expected an API code (e.g. PAUSING), a Rust name (e.g. Paused) or a console \
             name (e.g. 暂停中); `drs-lifecycle spec` lists all {STATUS_COUNT}"
        )
    }
}

impl UnknownStatus {
    /// The known name (Rust name, API code or console name) nearest to the unknown one, if
    /// any is near.
    pub fn nearest(&self) -> Option<&'static str> {
        let names = Status::ALL.into_iter().flat_map(|status| {
            [Some(status.name()), status.api_code(), Some(status.zh())]
                .into_iter()
                .flatten()
        });
        nearest(&self.0, names)
    }
}

impl std::error::Error for UnknownStatus {}

impl FromStr for Status {
    type Err = UnknownStatus;

    /// Accepts the API code, the Rust name and the Chinese console name. Rust names and API
    /// codes match without regard to case; surrounding whitespace is ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        Status::ALL
            .into_iter()
            .find(|status| {
                status.name().eq_ignore_ascii_case(wanted)
                    || status.zh() == wanted
                    || status
                        .api_code()
                        .is_some_and(|code| code.eq_ignore_ascii_case(wanted))
            })
            .ok_or_else(|| UnknownStatus(s.to_string()))
    }
}
