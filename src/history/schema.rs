//! The JSON Schema of a history line, as `drs-lifecycle validate --schema` prints it.
//!
//! Written out by hand from [`super::record`] (the parser is the authority; a test parses
//! the schema's own examples with it), so that tools in other languages can check what
//! they write before the validator reads it.

use serde_json::{Value, json};

use crate::spec::ApiCode;

/// The schema (JSON Schema 2020-12), one `oneOf` branch per record kind.
pub fn schema() -> Value {
    let codes: Vec<&str> = ApiCode::ALL.iter().map(|c| c.code()).collect();
    let time = json!({
        "description": "RFC 3339 (2025-03-01T10:00:00Z) or milliseconds since the epoch, between 2000 and 2100 (epoch seconds are refused)",
        "oneOf": [{ "type": "string" }, { "type": "integer" }]
    });
    let op = json!({
        "type": "string",
        "description": "an operation: the v5 action call's action_name (start, stop = pause, restart = resume or retry, reset, terminate, force_terminate), this tool's words (start now, schedule start, pause, resume, retry, reset, end, force end, delete), or an operation outside the lifecycle (precheck, bind_eip, …: skipped and counted); with call, what the call carries"
    });
    let call = json!({
        "enum": ["execute_job_action", "batch_execute_job_actions", "stop_job_action", "batch_stop_jobs_action", "delete_job", "batch_delete_jobs_by_id", "batch_stop_jobs", "batch_delete_jobs"],
        "description": "the SDK method that sent the command: stop_job_action/batch_stop_jobs_action end (force end with is_force_stop), delete_job/batch_delete_jobs_by_id delete, batch_stop_jobs (v3 batch-pause-task) pause, batch_delete_jobs (v3 batch-jobs) takes op = delete_type"
    });
    let job = json!({ "type": "string", "minLength": 1 });
    let mode = json!({ "enum": ["FULL_TRANS", "FULL_INCR_TRANS", "INCR_TRANS"] });
    let status = json!({ "enum": codes });
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://drs-lifecycle/history-2.schema.json",
        "title": "A line of a drs-lifecycle history (format \"drs-lifecycle history 2\")",
        "oneOf": [
            {
                "title": "header",
                "type": "object", "additionalProperties": false,
                "required": ["kind", "format"],
                "properties": {
                    "kind": { "const": "header" },
                    "format": { "enum": ["drs-lifecycle history 2", "drs-lifecycle history 1"], "description": "1 read a bare stop as end: a bare stop under it is refused" },
                    "commands": { "enum": ["complete", "partial"] },
                    "billing": { "enum": ["recorded", "unrecorded"] },
                    "apply_within": { "type": "string", "description": "a duration: 90s, 15m, 1h" },
                    "source": { "type": "string" }
                }
            },
            {
                "title": "status",
                "type": "object", "additionalProperties": false,
                "required": ["kind", "job", "t"],
                "anyOf": [{ "required": ["status"] }, { "required": ["error_code"] }],
                "properties": {
                    "kind": { "const": "status" }, "job": job, "t": time,
                    "status": status,
                    "error_code": { "type": ["string", "null"], "description": "with no status: DRS.10000010, DRS.M00289 or DRS.M05004 (the task does not exist)" },
                    "error_message": { "type": ["string", "null"] },
                    "update_time": time, "mode": mode, "account": { "type": "string", "minLength": 1 },
                    "available_actions": { "type": "array", "items": { "type": "string" } }
                }
            },
            {
                "title": "command",
                "type": "object", "additionalProperties": false,
                "required": ["kind", "job", "t", "answer"],
                "anyOf": [{ "required": ["op"] }, { "required": ["call"] }],
                "properties": {
                    "kind": { "const": "command" }, "job": job, "t": time, "op": op,
                    "call": call,
                    "start_time": { "description": "with start: schedule start" },
                    "force_delete": { "type": "boolean", "description": "with terminate: force end" },
                    "is_force_stop": { "type": "boolean", "description": "with the stop call: force end" },
                    "answer": { "enum": ["accepted", "refused", "indefinite"] },
                    "error_code": { "type": "string", "description": "required when refused" },
                    "user": { "type": "string" }
                }
            },
            {
                "title": "timeline",
                "type": "object", "additionalProperties": false,
                "required": ["kind", "job", "t", "name", "result"],
                "properties": {
                    "kind": { "const": "timeline" }, "job": job, "t": time, "name": op,
                    "result": { "enum": ["success", "failed"] },
                    "user": { "type": "string" }
                }
            },
            {
                "title": "billing",
                "type": "object", "additionalProperties": false,
                "required": ["kind", "account", "t", "event"],
                "properties": {
                    "kind": { "const": "billing" }, "account": { "type": "string", "minLength": 1 }, "t": time,
                    "event": { "enum": ["arrears", "recharged"] }
                }
            },
            {
                "title": "batch_status (the v3 batch-status answer, wrapped)",
                "type": "object", "additionalProperties": false,
                "required": ["kind", "t", "response"],
                "properties": {
                    "kind": { "const": "batch_status" }, "t": time,
                    "response": {
                        "type": "object", "required": ["results"],
                        "properties": { "results": { "type": "array", "items": {
                            "type": "object", "required": ["id"],
                            "properties": { "id": { "type": "string" }, "status": { "enum": codes.iter().map(|c| Value::from(*c)).chain([Value::Null]).collect::<Vec<_>>() }, "error_code": { "type": ["string", "null"] }, "error_message": { "type": ["string", "null"] } }
                        } } }
                    }
                }
            },
            {
                "title": "list_jobs (a v5 ListJobs page, wrapped)",
                "type": "object", "additionalProperties": false,
                "required": ["kind", "t", "response"],
                "properties": {
                    "kind": { "const": "list_jobs" }, "t": time,
                    "response": {
                        "type": "object", "required": ["jobs"],
                        "properties": { "jobs": { "type": "array", "items": {
                            "type": "object", "required": ["id", "status"],
                            "properties": {
                                "id": { "type": "string" }, "status": status, "task_type": mode,
                                "update_time": time,
                                "job_action": { "type": "object", "properties": { "available_actions": { "type": "array", "items": { "type": "string" } } } }
                            }
                        } } }
                    }
                }
            }
        ]
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_schema_has_a_branch_per_record_kind() {
        let schema = super::schema();
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        let kinds: Vec<&str> = schema["oneOf"]
            .as_array()
            .expect("oneOf")
            .iter()
            .map(|branch| {
                branch["properties"]["kind"]["const"]
                    .as_str()
                    .unwrap_or("?")
            })
            .collect();
        // The kinds the reader knows, in its order: one branch each, no other.
        assert_eq!(kinds, crate::history::record::KINDS);
    }
}
