//! What an instance is doing, and the one table both sides of the protocol read it from.
//!
//! The controller never tells an instance a status: it tells it a [`Stage`] to work in, and
//! derives that stage from the task's status ([`desired`]). The instance then moves on by
//! itself, one report at a time ([`outcomes`]). The two functions are written
//! independently, and a test holds them together: for every reachable task state and every
//! report the instance can make from the stage that state asks for, the specification
//! accepts the report and lands on a state that asks for exactly the stage the instance
//! moved to. So a controller that applies only its current attempt's reports never has to
//! redirect an instance that is doing what it was told.

use std::fmt;

use crate::spec::{Event, Mode, Phase, Status, TaskSpec};

/// What a task's instance works on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    /// Nothing: the task is not migrating (configured, paused, failed, frozen, ended…).
    #[default]
    Idle,
    /// Creating the migration instance.
    Provisioning,
    /// Starting the migration process toward a phase.
    Starting(Phase),
    /// Copying in a phase.
    Running(Phase),
    /// The full phase is done; the incremental phase or the system's end comes next.
    Complete,
    /// Recovering from an instance fault, back to a phase.
    Recovering(Phase),
    /// Releasing the instance (`begun`: the release has begun and been reported).
    Releasing {
        /// Whether "release begun" was reported.
        begun: bool,
    },
}

impl Stage {
    /// Whether the migration is running in this stage (starting, copying or recovering).
    pub fn migrating(self) -> bool {
        matches!(
            self,
            Stage::Starting(_) | Stage::Running(_) | Stage::Complete | Stage::Recovering(_)
        )
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stage::Idle => f.write_str("idle"),
            Stage::Provisioning => f.write_str("provision"),
            Stage::Starting(phase) => write!(f, "start {phase}"),
            Stage::Running(phase) => write!(f, "run {phase}"),
            Stage::Complete => f.write_str("full complete"),
            Stage::Recovering(phase) => write!(f, "recover {phase}"),
            Stage::Releasing { begun: false } => f.write_str("release"),
            Stage::Releasing { begun: true } => f.write_str("releasing"),
        }
    }
}

/// The stage a task's status asks of its instance (the controller's side).
pub fn desired(task: &TaskSpec) -> Stage {
    match task.status {
        Status::Creating => Stage::Provisioning,
        Status::Starting => task.phase.map_or(Stage::Idle, Stage::Starting),
        Status::FullMigration => Stage::Running(Phase::Full),
        Status::IncrementalMigration => Stage::Running(Phase::Incremental),
        Status::FullMigrationComplete => Stage::Complete,
        Status::FaultRecovery => task.phase.map_or(Stage::Idle, Stage::Recovering),
        Status::EndRequested => Stage::Releasing { begun: false },
        Status::Ending => Stage::Releasing { begun: true },
        _ => Stage::Idle,
    }
}

/// The reports an instance in `stage` can make next, each with the stage it moves to (the
/// instance's side). A full-only task's full complete is followed by the system's end, a
/// full+incremental task's by the incremental phase.
pub fn outcomes(stage: Stage, mode: Mode) -> &'static [(Event, Stage)] {
    use Phase::{Full, Incremental};
    match stage {
        Stage::Idle => &[],
        Stage::Provisioning => &[
            (Event::InstanceReady, Stage::Idle),
            (Event::InstanceCreationFailed, Stage::Idle),
        ],
        Stage::Starting(Full) => &[
            (Event::StartSucceeded, Stage::Running(Full)),
            (Event::StartError, Stage::Idle),
        ],
        Stage::Starting(Incremental) => &[
            (Event::StartSucceeded, Stage::Running(Incremental)),
            (Event::StartError, Stage::Idle),
        ],
        Stage::Running(Full) => &[
            (Event::FullDone, Stage::Complete),
            (Event::FullError, Stage::Idle),
            (Event::InstanceFault, Stage::Recovering(Full)),
        ],
        Stage::Complete if mode == Mode::Full => {
            &[(Event::MigrationFinished, Stage::Releasing { begun: false })]
        }
        Stage::Complete => &[
            (Event::IncrementalBegun, Stage::Running(Incremental)),
            (Event::InstanceFault, Stage::Recovering(Incremental)),
        ],
        Stage::Running(Incremental) => &[
            (Event::IncrementalError, Stage::Idle),
            (Event::InstanceFault, Stage::Recovering(Incremental)),
        ],
        Stage::Recovering(Full) => &[
            (Event::RecoveryDone, Stage::Running(Full)),
            (Event::RecoveryError, Stage::Idle),
        ],
        Stage::Recovering(Incremental) => &[
            (Event::RecoveryDone, Stage::Running(Incremental)),
            (Event::RecoveryError, Stage::Idle),
        ],
        Stage::Releasing { begun: false } => {
            &[(Event::ReleaseBegun, Stage::Releasing { begun: true })]
        }
        Stage::Releasing { begun: true } => &[
            (Event::ReleaseDone, Stage::Idle),
            (Event::ReleaseError, Stage::Idle),
        ],
    }
}

/// The stage an instance in `stage` moves to with `event`, if the event is one it makes
/// there.
pub fn after(stage: Stage, mode: Mode, event: Event) -> Option<Stage> {
    outcomes(stage, mode)
        .iter()
        .find(|(e, _)| *e == event)
        .map(|(_, next)| *next)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::spec::{Source, step};

    /// Every task state the specification reaches from a creation, in every mode.
    fn reachable() -> BTreeSet<TaskSpec> {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<TaskSpec> = Mode::ALL.iter().map(|&m| TaskSpec::created(m)).collect();
        while let Some(task) = todo.pop() {
            if seen.insert(task) {
                todo.extend(Event::ON_TASK.iter().filter_map(|&e| step(&task, e)));
            }
        }
        seen
    }

    /// The reports an instance makes: the system events other than the service's timers.
    fn instance_report(event: Event) -> bool {
        event.source() == Source::System
            && !matches!(
                event,
                Event::StartTimeReached | Event::AbnormalTimeout | Event::RetentionExpired
            )
    }

    #[test]
    fn every_report_an_instance_makes_is_a_step_to_the_stage_it_moves_to() {
        for task in reachable() {
            let stage = desired(&task);
            for &(event, next) in outcomes(stage, task.mode) {
                let landed = step(&task, event)
                    .unwrap_or_else(|| panic!("{task}: the instance in {stage} reports {event:?}, which the specification refuses"));
                assert_eq!(desired(&landed), next, "{task} --{event:?}--> {landed}");
            }
        }
    }

    #[test]
    fn every_report_the_specification_accepts_is_one_the_instance_makes() {
        for task in reachable() {
            let stage = desired(&task);
            for &event in Event::ON_TASK.iter().filter(|&&e| instance_report(e)) {
                if step(&task, event).is_some() {
                    assert!(
                        after(stage, task.mode, event).is_some(),
                        "{task} accepts {event:?} but an instance in {stage} never reports it"
                    );
                }
            }
        }
    }

    #[test]
    fn only_the_running_stages_migrate() {
        assert!(Stage::Running(Phase::Full).migrating());
        assert!(Stage::Recovering(Phase::Incremental).migrating());
        assert!(!Stage::Releasing { begun: true }.migrating());
        assert!(!Stage::Idle.migrating() && !Stage::Provisioning.migrating());
    }
}
