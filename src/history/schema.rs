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
        "description": "RFC 3339 (2025-03-01T10:00:00Z) or milliseconds since the epoch",
        "oneOf": [{ "type": "string" }, { "type": "integer" }]
    });
    let op = json!({
        "type": "string",
        "description": "a user operation: start now, schedule start, pause, resume, retry, reset, end, force end, delete (also StartNow, force_end, the API's start, stop, terminate, force_terminate, force_stop)"
    });
    let job = json!({ "type": "string", "minLength": 1 });
    let mode = json!({ "enum": ["FULL_TRANS", "FULL_INCR_TRANS", "INCR_TRANS"] });
    let status = json!({ "enum": codes });
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://drs-lifecycle/history-1.schema.json",
        "title": "A line of a drs-lifecycle history (format \"drs-lifecycle history 1\")",
        "oneOf": [
            {
                "title": "header",
                "type": "object", "additionalProperties": false,
                "required": ["kind", "format"],
                "properties": {
                    "kind": { "const": "header" },
                    "format": { "const": "drs-lifecycle history 1" },
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
                    "update_time": time, "mode": mode, "account": { "type": "string" },
                    "available_actions": { "type": "array", "items": { "type": "string" } }
                }
            },
            {
                "title": "command",
                "type": "object", "additionalProperties": false,
                "required": ["kind", "job", "t", "op", "answer"],
                "properties": {
                    "kind": { "const": "command" }, "job": job, "t": time, "op": op,
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
                    "kind": { "const": "billing" }, "account": { "type": "string" }, "t": time,
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
