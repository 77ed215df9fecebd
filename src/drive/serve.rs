//! The reference engine behind the drive protocol: the other end of `drive`, for measuring
//! the driver without a slow program, for showing what a conforming program answers (every
//! message of `docs/drive-protocol.md`), and, with an engine fault, for showing what it
//! catches. `drs-lifecycle serve-plane` runs it on stdin/stdout.

use std::io::{BufRead, Write};

use serde_json::{Value, json};

use crate::model::Fault;
use crate::model::faults::FaultyEngine;
use crate::plane::{ControlPlane, TaskView};
use crate::spec::{AccountId, Command, TaskId};

fn view(task: &TaskView) -> Value {
    json!({
        "id": task.id.0,
        "account": task.account.0,
        "mode": task.mode,
        "status": task.status,
        "phase": task.phase,
        "frozen_from": task.frozen_from,
        "holds_instance": task.holds_instance,
        "version": task.version,
    })
}

/// Answers requests from `input` on `output` until the input ends. With `unknown_every`
/// N > 0, every Nth execute is answered `unknown` (every other of those not executed at
/// all), to exercise indefinite answers.
pub fn serve(
    input: impl BufRead,
    mut output: impl Write,
    fault: Option<Fault>,
    unknown_every: u64,
) -> std::io::Result<()> {
    let mut plane = FaultyEngine::new(fault);
    let mut executes = 0u64;
    for line in input.lines() {
        let line = line?;
        let request: Value = match serde_json::from_str(&line) {
            Ok(request) => request,
            Err(error) => {
                writeln!(
                    output,
                    "{}",
                    json!({"answer": "error", "message": error.to_string()})
                )?;
                continue;
            }
        };
        let id = request.get("id").cloned().unwrap_or(Value::Null);
        let account =
            || AccountId(request.get("account").and_then(Value::as_u64).unwrap_or(0) as u32);
        let answer = match request.get("op").and_then(Value::as_str) {
            Some("reset") => {
                plane = FaultyEngine::new(fault);
                json!({"id": id, "answer": "ok"})
            }
            Some("execute") => {
                let command = request
                    .get("command")
                    .cloned()
                    .map(serde_json::from_value::<Command>);
                match command {
                    Some(Ok(command)) => {
                        executes += 1;
                        let indefinite = unknown_every > 0 && executes % unknown_every == 0;
                        if indefinite && (executes / unknown_every) % 2 == 0 {
                            json!({"id": id, "answer": "unknown"})
                        } else {
                            let result = plane.execute(&command);
                            match result {
                                _ if indefinite => json!({"id": id, "answer": "unknown"}),
                                Ok(outcome) => {
                                    json!({"id": id, "answer": "accepted", "outcome": outcome})
                                }
                                Err(refusal) => {
                                    json!({"id": id, "answer": "refused", "kind": crate::plane::Refusal::kind(&refusal), "message": refusal.to_string()})
                                }
                            }
                        }
                    }
                    _ => json!({"id": id, "answer": "error", "message": "no readable command"}),
                }
            }
            Some("tasks") => {
                let tasks: Vec<Value> = plane.tasks().map(|task| view(&task)).collect();
                let arrears: Vec<u32> = plane.accounts_in_arrears().map(|a| a.0).collect();
                json!({"id": id, "answer": "tasks", "tasks": tasks, "arrears": arrears})
            }
            Some("list") => {
                let ids: Vec<u64> = plane.listed(account()).map(|task| task.0).collect();
                json!({"id": id, "answer": "list", "tasks": ids})
            }
            Some("query") => {
                let task = TaskId(request.get("task").and_then(Value::as_u64).unwrap_or(0));
                let found = plane.query(account(), task).map(|task| view(&task));
                json!({"id": id, "answer": "task", "task": found})
            }
            _ => json!({"id": id, "answer": "error", "message": "unknown op"}),
        };
        writeln!(output, "{answer}")?;
        output.flush()?;
    }
    Ok(())
}
