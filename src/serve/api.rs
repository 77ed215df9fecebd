//! The API's shapes: the requests and answers of the DRS calls `serve` speaks, as the
//! official Python SDK (`huaweicloudsdkdrs` 3.1.219, `v5/model/*.py` and `v3/model/*.py`)
//! defines them, and nothing else.
//!
//! Requests keep every field the lifecycle does not use (`#[serde(flatten)]` into `rest`),
//! so a job's creation request is echoed in its detail as the service would. Answers carry
//! the SDK's field names; fields the SDK declares and the emulator has nothing for are left
//! out (the SDK reads a missing field as `None`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The error answer of every DRS call: `{"error_code": "...", "error_msg": "..."}` with an
/// HTTP status, as the SDK's `ClientRequestException` reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ApiError {
    /// The HTTP status.
    #[serde(skip)]
    pub status: u16,
    /// The error code (`DRS.10000010`, …).
    pub error_code: String,
    /// What went wrong, for people.
    pub error_msg: String,
}

/// The project's code for "this operation is not allowed in the task's current status":
/// the API documents none (brief, A.2), so the emulator states its own.
pub const NOT_ALLOWED: &str = "DRS.LC0001";
/// The project's code for a creation refused because the account is in arrears.
pub const ACCOUNT_FROZEN: &str = "DRS.LC0002";
/// A request body or parameter the API cannot read (malformed JSON, a missing or wrong
/// field, an unknown action name).
pub const BAD_REQUEST: &str = "DRS.LC0400";
/// The documented code for a job that does not exist.
pub const NOT_FOUND: &str = "DRS.10000010";
/// API Gateway's code for a path or method no API has.
pub const NO_SUCH_API: &str = "APIGW.0101";
/// API Gateway's code for a missing or wrong signature.
pub const BAD_SIGNATURE: &str = "APIGW.0301";
/// API Gateway's code for a request body over the limit.
pub const TOO_LARGE: &str = "APIGW.0201";

impl ApiError {
    /// An error with its HTTP status, code and message.
    pub fn new(status: u16, error_code: &str, error_msg: impl Into<String>) -> ApiError {
        ApiError {
            status,
            error_code: error_code.to_string(),
            error_msg: error_msg.into(),
        }
    }

    /// A request the API cannot read (HTTP 400, [`BAD_REQUEST`]).
    pub fn bad_request(error_msg: impl Into<String>) -> ApiError {
        ApiError::new(400, BAD_REQUEST, error_msg)
    }

    /// A job that does not exist (HTTP 404, [`NOT_FOUND`]).
    pub fn not_found(job_id: &str) -> ApiError {
        ApiError::new(
            404,
            NOT_FOUND,
            format!("The job does not exist: no job {job_id:?} in this project."),
        )
    }
}

// ---------------------------------------------------------------------------------------
// v5 requests.

/// `CreateJobRequest.body` (`SingleCreateJobReq`): `{"job": CreateJobReq}`.
#[derive(Clone, Debug, Deserialize)]
pub struct SingleCreateJobReq {
    /// The job to create.
    pub job: CreateJobReq,
}

/// `CreateJobReq`: the base information, endpoints and the rest, echoed in the detail.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct CreateJobReq {
    /// `JobBaseInfo`.
    pub base_info: JobBaseInfo,
    /// Everything else (`source_endpoint`, `target_endpoint`, `node_info`, …), kept.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// `JobBaseInfo`: the fields the lifecycle reads, and the rest kept.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct JobBaseInfo {
    /// The job's name.
    pub name: String,
    /// The migration mode: `FULL_TRANS`, `FULL_INCR_TRANS` or `INCR_TRANS`.
    pub task_type: String,
    /// `migration`, `sync`, `cloudDataGuard`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_type: Option<String>,
    /// A start time (milliseconds since the epoch, or RFC 3339): `start` without a time of
    /// its own schedules the start then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    /// Days a failed task is kept before the system ends it (14–100), a string in the SDK.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expired_days: Option<Value>,
    /// Everything else, kept and echoed.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// `JobActionReq`: `{"job": ActionReq}`.
#[derive(Clone, Debug, Deserialize)]
pub struct JobActionReq {
    /// The action.
    pub job: ActionReq,
}

/// `ActionReq`: an action name and its parameters.
#[derive(Clone, Debug, Deserialize)]
pub struct ActionReq {
    /// The job (required in batch calls; the path names it otherwise).
    #[serde(default)]
    pub job_id: Option<String>,
    /// `start`, `stop` (pause), `restart`, `reset`, `terminate`, or an operation outside
    /// the lifecycle (`precheck`, `bind_eip`, …).
    pub action_name: String,
    /// `ActionParams`.
    #[serde(default)]
    pub action_params: Option<ActionParams>,
}

/// `ActionParams`: the fields the lifecycle reads, and the rest ignored.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ActionParams {
    /// For `start`: a start time (milliseconds since the epoch, or RFC 3339): schedule.
    #[serde(default)]
    pub start_time: Option<String>,
    /// For `terminate`: force end.
    #[serde(default)]
    pub force_delete: Option<bool>,
    /// Everything else.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// `StopJobActionReq`: the body of the stop call (end; forced with `is_force_stop`).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct StopJobActionReq {
    /// Force end.
    #[serde(default)]
    pub is_force_stop: Option<bool>,
}

/// `BatchJobActionReq`: `{"jobs": [ActionReq]}`.
#[derive(Clone, Debug, Deserialize)]
pub struct BatchJobActionReq {
    /// One action per job.
    pub jobs: Vec<ActionReq>,
}

/// `BatchStopJobActionReq`: `{"jobs": [StopJobActionInfo]}`.
#[derive(Clone, Debug, Deserialize)]
pub struct BatchStopJobActionReq {
    /// One stop per job.
    pub jobs: Vec<StopJobActionInfo>,
}

/// `StopJobActionInfo`.
#[derive(Clone, Debug, Deserialize)]
pub struct StopJobActionInfo {
    /// The job.
    pub job_id: String,
    /// Force end.
    #[serde(default)]
    pub is_force_stop: Option<bool>,
}

/// `BatchDeleteJobReq` (v5): `{"jobs": ["id", …]}`.
#[derive(Clone, Debug, Deserialize)]
pub struct BatchDeleteJobReq {
    /// The jobs to delete.
    pub jobs: Vec<String>,
}

// ---------------------------------------------------------------------------------------
// v3 requests.

/// `BatchQueryJobReqPage` (v3 batch-status).
#[derive(Clone, Debug, Deserialize)]
pub struct BatchQueryJobReqPage {
    /// The jobs asked about.
    pub jobs: Vec<String>,
    /// `PageReq`.
    #[serde(default)]
    pub page_req: Option<PageReq>,
}

/// `PageReq`.
#[derive(Clone, Copy, Debug, Deserialize)]
pub struct PageReq {
    /// The page, from 1.
    #[serde(default)]
    pub cur_page: Option<i64>,
    /// Jobs per page.
    #[serde(default)]
    pub per_page: Option<i64>,
}

/// `QueryJobsReq` (v3 job list).
#[derive(Clone, Debug, Deserialize)]
pub struct QueryJobsReq {
    /// The page, from 1.
    #[serde(default)]
    pub cur_page: Option<i64>,
    /// Jobs per page.
    #[serde(default)]
    pub per_page: Option<i64>,
    /// Only jobs showing this status.
    #[serde(default)]
    pub status: Option<String>,
    /// Only jobs whose name contains this.
    #[serde(default)]
    pub name: Option<String>,
    /// Everything else (`db_use_type`, `engine_type`, …), accepted.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

/// `BatchPauseJobReq` (v3 batch-pause-task).
#[derive(Clone, Debug, Deserialize)]
pub struct BatchPauseJobReq {
    /// One pause per job.
    pub jobs: Vec<PauseInfo>,
}

/// `PauseInfo`.
#[derive(Clone, Debug, Deserialize)]
pub struct PauseInfo {
    /// The job.
    pub job_id: String,
    /// `target`, `all`, … (accepted, not used).
    #[serde(default)]
    pub pause_mode: Option<String>,
}

/// `BatchDeleteJobReq` (v3 `DELETE jobs/batch-jobs`).
#[derive(Clone, Debug, Deserialize)]
pub struct BatchDeleteJobReqV3 {
    /// One deletion per job.
    pub jobs: Vec<DeleteJobReq>,
}

/// `DeleteJobReq` (v3): `delete_type` is `terminate`, `force_terminate` or `delete`.
#[derive(Clone, Debug, Deserialize)]
pub struct DeleteJobReq {
    /// `terminate` (end), `force_terminate` (force end) or `delete`.
    pub delete_type: String,
    /// The job.
    pub job_id: String,
}

// ---------------------------------------------------------------------------------------
// Answers.

/// `CreateJobResponse`.
#[derive(Clone, Debug, Serialize)]
pub struct CreateJobResponse {
    /// The new job's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its status (`CREATING`).
    pub status: String,
    /// Its creation time (milliseconds since the epoch, as a string).
    pub create_time: String,
}

/// `JobActions`: what the service would accept now, in the API's capitals.
#[derive(Clone, Debug, Serialize)]
pub struct JobActions {
    /// Accepted now.
    pub available_actions: Vec<&'static str>,
    /// Refused now.
    pub unavailable_actions: Vec<&'static str>,
    /// The accepted operation not yet in effect, if any.
    pub current_action: Option<&'static str>,
}

/// `JobListResp` (v5 list entry).
#[derive(Clone, Debug, Serialize)]
pub struct JobListResp {
    /// The id.
    pub id: String,
    /// The name.
    pub name: String,
    /// The status code a poll shows.
    pub status: String,
    /// The creation time (milliseconds, string).
    pub create_time: String,
    /// The mode.
    pub task_type: String,
    /// The job type (`migration`).
    pub job_type: String,
    /// Echoed from the creation request where given.
    #[serde(flatten)]
    pub echoed: Map<String, Value>,
    /// What the service would accept now.
    pub job_action: JobActions,
}

/// `ListJobsResponse` (v5).
#[derive(Clone, Debug, Serialize)]
pub struct ListJobsResponse {
    /// How many jobs match (all pages).
    pub total_count: usize,
    /// This page.
    pub jobs: Vec<JobListResp>,
}

/// `JobDetailResp` (v5 `ShowJobDetail`).
#[derive(Clone, Debug, Serialize)]
pub struct JobDetailResp {
    /// The id.
    pub id: String,
    /// The status code a poll shows.
    pub status: String,
    /// The creation time (milliseconds, string).
    pub create_time: String,
    /// The creation request's base information, echoed.
    pub base_info: Value,
    /// The rest of the creation request (endpoints, node information, …), echoed.
    #[serde(flatten)]
    pub echoed: Map<String, Value>,
}

/// `ShowJobDetailResponse`.
#[derive(Clone, Debug, Serialize)]
pub struct ShowJobDetailResponse {
    /// The job.
    pub job: JobDetailResp,
}

/// `ShowActionsResponse`.
#[derive(Clone, Debug, Serialize)]
pub struct ShowActionsResponse {
    /// The job's actions.
    pub job_action: JobActions,
}

/// `ExecuteJobActionResponse`.
#[derive(Clone, Debug, Serialize)]
pub struct ExecuteJobActionResponse {
    /// An id for the accepted action.
    pub query_id: String,
}

/// `AsyncActionResp` (a batch action's answer for one job; a refused one also carries
/// `status` `failed`, `error_code` and `error_msg`).
#[derive(Clone, Debug, Serialize)]
pub struct AsyncActionResp {
    /// An id for the accepted action.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query_id: Option<String>,
    /// The job.
    pub id: String,
    /// Its name, when it exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `success` or `failed`.
    pub status: &'static str,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// Why it failed, for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_msg: Option<String>,
}

/// `BatchExecuteJobActionsResponse`.
#[derive(Clone, Debug, Serialize)]
pub struct BatchExecuteJobActionsResponse {
    /// One answer per job asked.
    pub jobs: Vec<AsyncActionResp>,
}

/// `ActionBaseResp` / `DeleteJobResp` / `StopJobActionResponse`: one job's answer.
#[derive(Clone, Debug, Serialize)]
pub struct ActionBaseResp {
    /// The job.
    pub id: String,
    /// Its name, when it exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `success` or `failed`.
    pub status: &'static str,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// Why it failed, for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_msg: Option<String>,
}

/// `BatchStopJobsActionResponse` / `BatchDeleteJobsByIdResponse`: `{"jobs": [...]}`.
#[derive(Clone, Debug, Serialize)]
pub struct BatchJobsResponse {
    /// One answer per job asked.
    pub jobs: Vec<ActionBaseResp>,
}

/// v3 batch answers (`BatchStopJobsResponse`, `BatchDeleteJobsResponse`):
/// `{"results": [...], "count": n}`.
#[derive(Clone, Debug, Serialize)]
pub struct BatchResultsResponse {
    /// One answer per job asked.
    pub results: Vec<ActionBaseResp>,
    /// How many.
    pub count: usize,
}

/// `TimelineInfo`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TimelineInfo {
    /// The operation, as it was asked (`start`, `stop`, `restart`, `terminate`, `delete`,
    /// `precheck`, …).
    pub name: String,
    /// `success` or `failed`.
    pub status: String,
    /// When (milliseconds, string).
    pub operation_time: String,
    /// Who: the project.
    pub user_name: String,
}

/// `ShowTimelineResponse`.
#[derive(Clone, Debug, Serialize)]
pub struct ShowTimelineResponse {
    /// How many entries (all pages).
    pub count: usize,
    /// This page.
    pub timelines: Vec<TimelineInfo>,
}

/// `QueryJobStatusResp` (v3 batch-status, one job).
#[derive(Clone, Debug, Serialize)]
pub struct QueryJobStatusResp {
    /// The job asked about.
    pub id: String,
    /// Its status, or `null` when it does not exist.
    pub status: Option<String>,
    /// `DRS.10000010` when it does not exist.
    pub error_code: Option<String>,
    /// Why.
    pub error_message: Option<String>,
}

/// `BatchListJobStatusResponse` (v3).
#[derive(Clone, Debug, Serialize)]
pub struct BatchListJobStatusResponse {
    /// One answer per job asked (this page).
    pub results: Vec<QueryJobStatusResp>,
    /// How many jobs were asked about.
    pub count: usize,
}

/// `JobActionResp` (v3 list entry's actions).
#[derive(Clone, Debug, Serialize)]
pub struct JobActionResp {
    /// Accepted now.
    pub available_actions: Vec<&'static str>,
    /// Refused now.
    pub unavailable_actions: Vec<&'static str>,
    /// The accepted operation not yet in effect, if any.
    pub current_action: Option<&'static str>,
}

/// `JobInfo` (v3 list entry).
#[derive(Clone, Debug, Serialize)]
pub struct JobInfo {
    /// The id.
    pub id: String,
    /// The name.
    pub name: String,
    /// The status code a poll shows.
    pub status: String,
    /// The creation time (milliseconds, string).
    pub create_time: String,
    /// The mode.
    pub task_type: String,
    /// What the service would accept now.
    pub job_action: JobActionResp,
}

/// `ShowJobListResponse` (v3).
#[derive(Clone, Debug, Serialize)]
pub struct ShowJobListResponse {
    /// How many jobs match (all pages).
    pub total_record: usize,
    /// This page.
    pub jobs: Vec<JobInfo>,
}
