//! A failing case as a recorded history (`docs/traces.md`), so that the same evidence can
//! be judged by `drs-lifecycle validate`, shared with people who never run `drive`, and kept
//! beside the real service's histories.
//!
//! Each step becomes what an operator's recorder would have kept: the user's operations
//! with the program's answers (`command`), billing (`billing`), and after every step a poll
//! of every task the program shows (`status`). The service's own reports are not recorded:
//! the validator explains them as unseen steps, as it does for a real service.

use std::fmt::Write as _;

use crate::history::FORMAT;
use crate::spec::observe::{Observation, observe};
use crate::spec::{Command, TaskSpec};

use super::{Answered, StepLine};

/// The history of the steps, one JSON object a line.
pub fn write(steps: &[StepLine], program: &str) -> String {
    let mut out = String::new();
    let source = serde_json::Value::from(format!("drs-lifecycle drive -- {program}"));
    let _ = writeln!(
        out,
        "{{\"kind\":\"header\",\"format\":\"{FORMAT}\",\"commands\":\"complete\",\"billing\":\"recorded\",\"source\":{source}}}"
    );
    // One second a step, from 2025-03-01T00:00:00Z.
    let base: u64 = 1_740_787_200_000;
    for (i, step) in steps.iter().enumerate() {
        let t = base + i as u64 * 1000;
        match step.command {
            Command::Task {
                account,
                task,
                event,
            } if event.is_user_operation() => {
                let owned = step
                    .tasks_after
                    .iter()
                    .any(|view| view.id == task && view.account == account);
                if owned {
                    let answer = match step.answered {
                        Answered::Accepted => "\"accepted\"",
                        Answered::Refused => "\"refused\",\"error_code\":\"DRS.M05006\"",
                        Answered::Indefinite => "\"indefinite\"",
                    };
                    let _ = writeln!(
                        out,
                        "{{\"kind\":\"command\",\"job\":\"job-{}\",\"t\":{t},\"op\":\"{}\",\"answer\":{answer}}}",
                        task.0,
                        event.describe()
                    );
                }
            }
            Command::Arrears { account } | Command::Recharge { account }
                if step.answered != Answered::Refused =>
            {
                let event = if matches!(step.command, Command::Arrears { .. }) {
                    "arrears"
                } else {
                    "recharged"
                };
                let _ = writeln!(
                    out,
                    "{{\"kind\":\"billing\",\"account\":\"acct-{:03}\",\"t\":{t},\"event\":\"{event}\"}}",
                    account.0
                );
            }
            _ => {}
        }
        for view in &step.tasks_after {
            let spec = TaskSpec {
                status: view.status,
                mode: view.mode,
                phase: view.phase,
                frozen_from: view.frozen_from,
            };
            let code = match observe(&spec) {
                Observation::Shows(code) => code.code(),
                Observation::Deleted => "DELETED",
            };
            let _ = writeln!(
                out,
                "{{\"kind\":\"status\",\"job\":\"job-{}\",\"t\":{},\"status\":\"{code}\",\"mode\":\"{}\",\"account\":\"acct-{:03}\"}}",
                view.id.0,
                t + 500,
                view.mode.api_code(),
                view.account.0
            );
        }
    }
    out
}

/// What `drs-lifecycle validate` makes of a saved history, judged here with the same
/// validator: the claim the first violation breaks (and its job), or `None` when the history
/// is consistent with the specification.
pub fn verdict(text: &str) -> Result<Option<(String, &'static str)>, String> {
    use crate::history::validate::{Settings, Validator};
    let mut validator = Validator::new(Settings::default());
    validator
        .read(text.as_bytes(), "the saved history")
        .map_err(|error| error.to_string())?;
    let outcome = validator.finish();
    Ok(outcome
        .judge
        .violations
        .first()
        .map(|violation| (violation.job.clone(), violation.claim)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plane::TaskView;
    use crate::spec::{AccountId, Event, Mode, Status, TaskId};

    /// A task as [`crate::drive::test_view`] has it, holding its instance once created.
    fn view(id: u64, account: u32, status: Status, version: u64) -> TaskView {
        TaskView {
            holds_instance: status != Status::Creating,
            ..crate::drive::test_view(id, account, status, version)
        }
    }

    fn step(command: Command, answered: Answered, tasks_after: Vec<TaskView>) -> StepLine {
        StepLine {
            command,
            spec: String::new(),
            program: String::new(),
            answered,
            tasks_after,
        }
    }

    fn on(account: u32, task: u64, event: Event) -> Command {
        Command::Task {
            account: AccountId(account),
            task: TaskId(task),
            event,
        }
    }

    /// A run of a task: created, configured, paused and deleted, with billing between.
    fn steps() -> Vec<StepLine> {
        use Answered::{Accepted, Indefinite, Refused};
        let created = view(1, 0, Status::Creating, 1);
        let configuring = view(1, 0, Status::Configuration, 2);
        let other = view(2, 1, Status::Creating, 1);
        vec![
            step(
                Command::Create {
                    account: AccountId(0),
                    mode: Mode::Full,
                },
                Accepted,
                vec![created],
            ),
            // A system event: no command line.
            step(on(0, 1, Event::InstanceReady), Accepted, vec![configuring]),
            // Another account's command, and one to an id nobody was given: not recorded.
            step(on(1, 1, Event::Pause), Refused, vec![configuring]),
            step(on(0, 9, Event::Pause), Refused, vec![configuring]),
            step(on(0, 1, Event::Pause), Refused, vec![configuring]),
            step(
                Command::Create {
                    account: AccountId(1),
                    mode: Mode::Full,
                },
                Accepted,
                vec![configuring, other],
            ),
            step(
                Command::Arrears {
                    account: AccountId(0),
                },
                Refused,
                vec![configuring, other],
            ),
            step(
                Command::Arrears {
                    account: AccountId(1),
                },
                Accepted,
                vec![configuring, other],
            ),
            step(
                Command::Recharge {
                    account: AccountId(1),
                },
                Indefinite,
                vec![configuring, other],
            ),
            step(
                on(0, 1, Event::Delete),
                Indefinite,
                vec![view(1, 0, Status::Deleted, 3), other],
            ),
            step(
                on(0, 1, Event::Delete),
                Accepted,
                vec![view(1, 0, Status::Deleted, 3), other],
            ),
        ]
    }

    #[test]
    fn a_run_is_written_as_a_poller_records_it_word_for_word() {
        let written = write(&steps(), "./plane --fast");
        let expected = include_str!("../../tests/driven/history.jsonl");
        assert_eq!(written, expected);
    }

    #[test]
    fn the_verdict_is_validate_s_first_violation_or_none() {
        // Up to the deletion, the specification explains every record.
        let written = write(&steps()[..9], "plane");
        assert_eq!(verdict(&written), Ok(None));
        // A task deleted while it is being configured.
        let written = write(&steps(), "plane");
        assert_eq!(
            verdict(&written),
            Ok(Some((
                "job-1".to_string(),
                "delete only from CreateFailed or Ended"
            )))
        );
        assert!(verdict("{\"kind\":").is_err());
    }
}
