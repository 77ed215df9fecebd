//! Every status code the DRS API answers, known by name.
//!
//! The console shows seventeen statuses; a client of the API meets more. The v3 list and
//! batch-status answers document 29 codes (brief, D.1): the sixteen codes of the console's
//! statuses (with `DELETED`), the two codes of statuses version 2 of the lifecycle takes in
//! (`FULL_TRANSFER_COMPLETE`, `REBUILD_NODE_FAILED`), and eleven codes of operations outside
//! the lifecycle (a specification change, the child tasks of a re-edit of the migrated
//! objects, an engine upgrade). A client that polls must know every one of them by name:
//! an unknown code is an error that says which known code it is nearest to, and a known
//! code outside the lifecycle is an [`Excursion`], judged by a stated policy, never mistaken
//! for junk.
//!
//! The lifecycle's own codes take their Chinese and English names from their [`Status`], so
//! that a status and its code can never be named differently.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Status;
use super::nearest::nearest;

/// A status code of the DRS API (v3 list and batch-status answers).
///
/// The variants are named after the codes (`FullTransferComplete` is
/// `FULL_TRANSFER_COMPLETE`); the serde form is the code itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ApiCode {
    /// `CREATING`: 创建中 [`Status::Creating`].
    Creating,
    /// `CREATE_FAILED`: 创建任务失败 [`Status::CreateFailed`].
    CreateFailed,
    /// `CONFIGURATION`: 配置 [`Status::Configuration`].
    Configuration,
    /// `STARTJOBING`: 启动中 [`Status::Starting`].
    StartJobing,
    /// `WAITING_FOR_START`: 等待启动 [`Status::WaitingToStart`].
    WaitingForStart,
    /// `START_JOB_FAILED`: 启动失败 [`Status::StartFailed`].
    StartJobFailed,
    /// `PAUSING`: 暂停中 [`Status::Paused`], a stable status despite the code's name.
    Pausing,
    /// `FULL_TRANSFER_STARTED`: 全量迁移 [`Status::FullMigration`].
    FullTransferStarted,
    /// `FULL_TRANSFER_FAILED`: 全量迁移失败 [`Status::FullMigrationFailed`].
    FullTransferFailed,
    /// `FULL_TRANSFER_COMPLETE`: 全量迁移完成 [`Status::FullMigrationComplete`].
    FullTransferComplete,
    /// `INCRE_TRANSFER_STARTED`: 增量迁移 [`Status::IncrementalMigration`].
    IncreTransferStarted,
    /// `INCRE_TRANSFER_FAILED`: 增量迁移失败 [`Status::IncrementalMigrationFailed`].
    IncreTransferFailed,
    /// `RELEASE_RESOURCE_STARTED`: 结束任务中 [`Status::Ending`]; a task in 结束任务
    /// [`Status::EndRequested`] shows it too.
    ReleaseResourceStarted,
    /// `RELEASE_RESOURCE_FAILED`: 结束任务失败 [`Status::EndFailed`].
    ReleaseResourceFailed,
    /// `RELEASE_RESOURCE_COMPLETE`: 已结束 [`Status::Ended`].
    ReleaseResourceComplete,
    /// `REBUILD_NODE_STARTED`: 故障恢复 [`Status::FaultRecovery`].
    RebuildNodeStarted,
    /// `REBUILD_NODE_FAILED`: 故障恢复失败 [`Status::FaultRecoveryFailed`].
    RebuildNodeFailed,
    /// `CHANGE_JOB_STARTED`: 任务变更中, a specification change is running (an excursion).
    ChangeJobStarted,
    /// `CHANGE_JOB_FAILED`: 任务变更失败, a specification change failed (an excursion).
    ChangeJobFailed,
    /// `DELETED`: what a query by id answers for a deleted task ([`Status::Deleted`]).
    Deleted,
    /// `CHILD_TRANSFER_STARTING`: 再编辑子任务启动中, the child task of a re-edit is starting (an
    /// excursion).
    ChildTransferStarting,
    /// `CHILD_TRANSFER_STARTED`: 再编辑子任务迁移中, the child task is migrating (an excursion).
    ChildTransferStarted,
    /// `CHILD_TRANSFER_COMPLETE`: 再编辑子任务迁移完成, the child task's migration is complete (an
    /// excursion).
    ChildTransferComplete,
    /// `CHILD_TRANSFER_FAILED`: 再编辑子任务迁移失败, the child task's migration failed (an
    /// excursion).
    ChildTransferFailed,
    /// `RELEASE_CHILD_TRANSFER_STARTED`: 再编辑子任务结束中, the child task is being ended (an
    /// excursion).
    ReleaseChildTransferStarted,
    /// `RELEASE_CHILD_TRANSFER_COMPLETE`: 再编辑子任务已结束, the child task has ended (an
    /// excursion).
    ReleaseChildTransferComplete,
    /// `NODE_UPGRADE_START`: 升级开始, an engine upgrade has started (an excursion).
    NodeUpgradeStart,
    /// `NODE_UPGRADE_COMPLETE`: 升级完成, the engine upgrade is complete (an excursion).
    NodeUpgradeComplete,
    /// `NODE_UPGRADE_FAILED`: 升级失败, the engine upgrade failed (an excursion).
    NodeUpgradeFailed,
}

/// How many API status codes there are.
pub const API_CODE_COUNT: usize = 29;

/// An operation outside the lifecycle whose progress the API reports as a task's status
/// (brief, D.2.4). While it runs the task shows its codes; when it is over the task is back
/// in a lifecycle status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Excursion {
    /// A change of the task's specification (`CHANGE_JOB_*`).
    SpecificationChange,
    /// The child task of a re-edit of the migrated objects (`CHILD_TRANSFER_*` and
    /// `RELEASE_CHILD_TRANSFER_*`).
    ChildTransfer,
    /// An upgrade of the migration engine (`NODE_UPGRADE_*`).
    NodeUpgrade,
}

impl Excursion {
    /// The operation in a few English words.
    pub const fn english(self) -> &'static str {
        match self {
            Excursion::SpecificationChange => "specification change",
            Excursion::ChildTransfer => "re-edit child task",
            Excursion::NodeUpgrade => "engine upgrade",
        }
    }
}

/// What a code stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CodeClass {
    /// The code of a lifecycle status.
    Lifecycle(Status),
    /// A step of an operation outside the lifecycle.
    Excursion(Excursion),
}

impl ApiCode {
    /// Every code, in the order of the v3 batch-status answer's documentation.
    pub const ALL: [ApiCode; API_CODE_COUNT] = [
        ApiCode::Creating,
        ApiCode::CreateFailed,
        ApiCode::Configuration,
        ApiCode::StartJobing,
        ApiCode::WaitingForStart,
        ApiCode::StartJobFailed,
        ApiCode::Pausing,
        ApiCode::FullTransferStarted,
        ApiCode::FullTransferFailed,
        ApiCode::FullTransferComplete,
        ApiCode::IncreTransferStarted,
        ApiCode::IncreTransferFailed,
        ApiCode::ReleaseResourceStarted,
        ApiCode::ReleaseResourceFailed,
        ApiCode::ReleaseResourceComplete,
        ApiCode::RebuildNodeStarted,
        ApiCode::RebuildNodeFailed,
        ApiCode::ChangeJobStarted,
        ApiCode::ChangeJobFailed,
        ApiCode::Deleted,
        ApiCode::ChildTransferStarting,
        ApiCode::ChildTransferStarted,
        ApiCode::ChildTransferComplete,
        ApiCode::ChildTransferFailed,
        ApiCode::ReleaseChildTransferStarted,
        ApiCode::ReleaseChildTransferComplete,
        ApiCode::NodeUpgradeStart,
        ApiCode::NodeUpgradeComplete,
        ApiCode::NodeUpgradeFailed,
    ];

    /// The code as the API writes it.
    pub const fn code(self) -> &'static str {
        match self {
            ApiCode::Creating => "CREATING",
            ApiCode::CreateFailed => "CREATE_FAILED",
            ApiCode::Configuration => "CONFIGURATION",
            ApiCode::StartJobing => "STARTJOBING",
            ApiCode::WaitingForStart => "WAITING_FOR_START",
            ApiCode::StartJobFailed => "START_JOB_FAILED",
            ApiCode::Pausing => "PAUSING",
            ApiCode::FullTransferStarted => "FULL_TRANSFER_STARTED",
            ApiCode::FullTransferFailed => "FULL_TRANSFER_FAILED",
            ApiCode::FullTransferComplete => "FULL_TRANSFER_COMPLETE",
            ApiCode::IncreTransferStarted => "INCRE_TRANSFER_STARTED",
            ApiCode::IncreTransferFailed => "INCRE_TRANSFER_FAILED",
            ApiCode::ReleaseResourceStarted => "RELEASE_RESOURCE_STARTED",
            ApiCode::ReleaseResourceFailed => "RELEASE_RESOURCE_FAILED",
            ApiCode::ReleaseResourceComplete => "RELEASE_RESOURCE_COMPLETE",
            ApiCode::RebuildNodeStarted => "REBUILD_NODE_STARTED",
            ApiCode::RebuildNodeFailed => "REBUILD_NODE_FAILED",
            ApiCode::ChangeJobStarted => "CHANGE_JOB_STARTED",
            ApiCode::ChangeJobFailed => "CHANGE_JOB_FAILED",
            ApiCode::Deleted => "DELETED",
            ApiCode::ChildTransferStarting => "CHILD_TRANSFER_STARTING",
            ApiCode::ChildTransferStarted => "CHILD_TRANSFER_STARTED",
            ApiCode::ChildTransferComplete => "CHILD_TRANSFER_COMPLETE",
            ApiCode::ChildTransferFailed => "CHILD_TRANSFER_FAILED",
            ApiCode::ReleaseChildTransferStarted => "RELEASE_CHILD_TRANSFER_STARTED",
            ApiCode::ReleaseChildTransferComplete => "RELEASE_CHILD_TRANSFER_COMPLETE",
            ApiCode::NodeUpgradeStart => "NODE_UPGRADE_START",
            ApiCode::NodeUpgradeComplete => "NODE_UPGRADE_COMPLETE",
            ApiCode::NodeUpgradeFailed => "NODE_UPGRADE_FAILED",
        }
    }

    /// A lifecycle status, or the operation outside the lifecycle the code belongs to.
    pub const fn class(self) -> CodeClass {
        use CodeClass::{Excursion as Out, Lifecycle as In};
        match self {
            ApiCode::Creating => In(Status::Creating),
            ApiCode::CreateFailed => In(Status::CreateFailed),
            ApiCode::Configuration => In(Status::Configuration),
            ApiCode::StartJobing => In(Status::Starting),
            ApiCode::WaitingForStart => In(Status::WaitingToStart),
            ApiCode::StartJobFailed => In(Status::StartFailed),
            ApiCode::Pausing => In(Status::Paused),
            ApiCode::FullTransferStarted => In(Status::FullMigration),
            ApiCode::FullTransferFailed => In(Status::FullMigrationFailed),
            ApiCode::FullTransferComplete => In(Status::FullMigrationComplete),
            ApiCode::IncreTransferStarted => In(Status::IncrementalMigration),
            ApiCode::IncreTransferFailed => In(Status::IncrementalMigrationFailed),
            ApiCode::ReleaseResourceStarted => In(Status::Ending),
            ApiCode::ReleaseResourceFailed => In(Status::EndFailed),
            ApiCode::ReleaseResourceComplete => In(Status::Ended),
            ApiCode::RebuildNodeStarted => In(Status::FaultRecovery),
            ApiCode::RebuildNodeFailed => In(Status::FaultRecoveryFailed),
            ApiCode::Deleted => In(Status::Deleted),
            ApiCode::ChangeJobStarted | ApiCode::ChangeJobFailed => {
                Out(Excursion::SpecificationChange)
            }
            ApiCode::ChildTransferStarting
            | ApiCode::ChildTransferStarted
            | ApiCode::ChildTransferComplete
            | ApiCode::ChildTransferFailed
            | ApiCode::ReleaseChildTransferStarted
            | ApiCode::ReleaseChildTransferComplete => Out(Excursion::ChildTransfer),
            ApiCode::NodeUpgradeStart
            | ApiCode::NodeUpgradeComplete
            | ApiCode::NodeUpgradeFailed => Out(Excursion::NodeUpgrade),
        }
    }

    /// The lifecycle status whose code this is, or `None` for an excursion.
    pub const fn status(self) -> Option<Status> {
        match self.class() {
            CodeClass::Lifecycle(status) => Some(status),
            CodeClass::Excursion(_) => None,
        }
    }

    /// The Chinese name: the console's name of the status for a lifecycle code, the API
    /// documentation's description for an excursion.
    pub const fn zh(self) -> &'static str {
        match self {
            ApiCode::ChangeJobStarted => "任务变更中",
            ApiCode::ChangeJobFailed => "任务变更失败",
            ApiCode::ChildTransferStarting => "再编辑子任务启动中",
            ApiCode::ChildTransferStarted => "再编辑子任务迁移中",
            ApiCode::ChildTransferComplete => "再编辑子任务迁移完成",
            ApiCode::ChildTransferFailed => "再编辑子任务迁移失败",
            ApiCode::ReleaseChildTransferStarted => "再编辑子任务结束中",
            ApiCode::ReleaseChildTransferComplete => "再编辑子任务已结束",
            ApiCode::NodeUpgradeStart => "升级开始",
            ApiCode::NodeUpgradeComplete => "升级完成",
            ApiCode::NodeUpgradeFailed => "升级失败",
            lifecycle => match lifecycle.status() {
                Some(status) => status.zh(),
                None => "",
            },
        }
    }

    /// The English name used in this tool's output.
    pub const fn english(self) -> &'static str {
        match self {
            ApiCode::ChangeJobStarted => "Specification change in progress",
            ApiCode::ChangeJobFailed => "Specification change failed",
            ApiCode::ChildTransferStarting => "Child task starting",
            ApiCode::ChildTransferStarted => "Child task migrating",
            ApiCode::ChildTransferComplete => "Child task migration complete",
            ApiCode::ChildTransferFailed => "Child task migration failed",
            ApiCode::ReleaseChildTransferStarted => "Child task ending",
            ApiCode::ReleaseChildTransferComplete => "Child task ended",
            ApiCode::NodeUpgradeStart => "Engine upgrade started",
            ApiCode::NodeUpgradeComplete => "Engine upgrade complete",
            ApiCode::NodeUpgradeFailed => "Engine upgrade failed",
            lifecycle => match lifecycle.status() {
                Some(status) => status.english(),
                None => "",
            },
        }
    }
}

impl fmt::Display for ApiCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A string that is no API status code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownApiCode(pub String);

impl UnknownApiCode {
    /// The known code nearest to the unknown string, if any is near. A string that names a
    /// lifecycle status in words rather than by its code (`Starting`, `FULL_MIGRATION`,
    /// `暂停中`) is answered with that status's code (`STARTJOBING`, `FULL_TRANSFER_STARTED`,
    /// `PAUSING`), however far the spellings are apart.
    pub fn nearest(&self) -> Option<ApiCode> {
        if let Some(code) = self.named_status().and_then(Status::api) {
            return Some(code);
        }
        let code = nearest(&self.0, ApiCode::ALL.map(ApiCode::code))?;
        ApiCode::ALL.into_iter().find(|known| known.code() == code)
    }

    /// The status the string names by its Rust, English or Chinese name, with case,
    /// spaces, `_` and `-` ignored.
    fn named_status(&self) -> Option<Status> {
        let words = |name: &str| -> String {
            name.chars()
                .filter(|c| !matches!(c, ' ' | '_' | '-'))
                .flat_map(char::to_lowercase)
                .collect()
        };
        let wanted = words(&self.0);
        Status::ALL.into_iter().find(|status| {
            [status.name(), status.english(), status.zh()]
                .iter()
                .any(|name| words(name) == wanted)
        })
    }
}

impl fmt::Display for UnknownApiCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown API status code {:?}", self.0)?;
        match self.nearest() {
            Some(code) => write!(f, ": did you mean {code}?")?,
            None => f.write_str(":")?,
        }
        write!(
            f,
            " `drs-lifecycle spec --format json` lists all {API_CODE_COUNT} codes"
        )
    }
}

impl std::error::Error for UnknownApiCode {}

impl FromStr for ApiCode {
    type Err = UnknownApiCode;

    /// Accepts the code in any case, with surrounding whitespace ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        ApiCode::ALL
            .into_iter()
            .find(|code| code.code().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| UnknownApiCode(s.to_string()))
    }
}

impl Serialize for ApiCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for ApiCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_named_in_words_suggests_its_code() {
        let suggested = |text: &str| UnknownApiCode(text.to_string()).nearest();
        assert_eq!(suggested("STARTING"), Some(ApiCode::StartJobing));
        assert_eq!(suggested("Starting"), Some(ApiCode::StartJobing));
        assert_eq!(
            suggested("FULL_MIGRATION"),
            Some(ApiCode::FullTransferStarted)
        );
        assert_eq!(
            suggested("full migration"),
            Some(ApiCode::FullTransferStarted)
        );
        assert_eq!(suggested("暂停中"), Some(ApiCode::Pausing));
        assert_eq!(
            suggested("Fault-Recovery-Failed"),
            Some(ApiCode::RebuildNodeFailed)
        );
        // Frozen has no code of its own; the misspelt code is still suggested by spelling.
        assert_eq!(suggested("FROZEN"), None);
        assert_eq!(
            suggested("FULL_TRANSFER_COMPLETED"),
            Some(ApiCode::FullTransferComplete)
        );
        let message = UnknownApiCode("STARTING".to_string()).to_string();
        assert!(message.contains("did you mean STARTJOBING?"), "{message}");
    }

    #[test]
    fn every_code_is_listed_once_in_declaration_order() {
        for (i, code) in ApiCode::ALL.into_iter().enumerate() {
            assert_eq!(code as usize, i, "{code}");
        }
    }

    #[test]
    fn a_status_and_its_code_name_each_other() {
        for status in Status::ALL {
            if let Some(code) = status.api() {
                assert_eq!(code.status(), Some(status), "{code}");
            }
        }
        for code in ApiCode::ALL {
            if let Some(status) = code.status() {
                assert_eq!(status.api(), Some(code), "{status}");
            }
        }
    }
}
