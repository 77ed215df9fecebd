//! The transport: axum on tokio, the DRS paths the SDK calls, the emulator's own control
//! API under `/_emulator/v1/`, and a real service's manners (a body limit, the API's error
//! shape for every refusal, a signature check, a request id and a request log).
//!
//! The clock lives here, not in the service: with `--clock manual` only the control API
//! moves it; otherwise emulated time runs `speed` times as fast as the wall from the
//! moment the endpoint started, and every request first moves the service to it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};

use super::api::{self, ApiError};
use super::service::{Call, ListQuery, Ms, OpRequest, Service};
use super::sign;
use crate::plane::ControlPlane;

/// The prefix of the emulator's own control API (not part of DRS).
pub const CONTROL_PREFIX: &str = "/_emulator/v1";

/// How the emulated clock moves.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ClockMode {
    /// Only `POST /_emulator/v1/clock/advance` moves it: deterministic.
    Manual,
    /// Emulated time runs this many times as fast as the wall.
    Wall {
        /// The factor (1: real time).
        speed: f64,
    },
}

/// What the transport needs besides the service.
#[derive(Clone, Debug)]
pub struct HttpSettings {
    /// The clock.
    pub clock: ClockMode,
    /// Verify signatures with this access key and secret key; `None`: require the SDK's
    /// signature headers but do not verify them.
    pub keys: Option<(String, String)>,
    /// The largest request body accepted, in bytes.
    pub body_limit: usize,
}

struct Clock {
    mode: ClockMode,
    wall_origin: Instant,
    emulated_origin: Ms,
}

/// The service and its clock, shared by every connection.
pub struct Shared<P: ControlPlane> {
    service: Mutex<Service<P>>,
    clock: Mutex<Clock>,
    settings: HttpSettings,
    request_ids: AtomicU64,
}

impl<P: ControlPlane> Shared<P> {
    /// The service behind `settings`; the emulated clock starts at the service's time.
    pub fn new(service: Service<P>, settings: HttpSettings) -> Shared<P> {
        let clock = Clock {
            mode: settings.clock,
            wall_origin: Instant::now(),
            emulated_origin: service.now(),
        };
        Shared {
            service: Mutex::new(service),
            clock: Mutex::new(clock),
            settings,
            request_ids: AtomicU64::new(0),
        }
    }

    fn clock(&self) -> MutexGuard<'_, Clock> {
        self.clock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The emulated time by the wall, or `None` for a manual clock.
    fn wall_now(&self) -> Option<Ms> {
        let clock = self.clock();
        match clock.mode {
            ClockMode::Manual => None,
            ClockMode::Wall { speed } => {
                let elapsed = clock.wall_origin.elapsed().as_secs_f64() * 1000.0 * speed;
                Some(clock.emulated_origin + elapsed as Ms)
            }
        }
    }

    /// The service, moved to the emulated time now.
    pub fn service(&self) -> MutexGuard<'_, Service<P>> {
        let now = self.wall_now();
        let mut service = self
            .service
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(now) = now {
            service.advance(now);
        }
        service
    }

    /// Runs `f` on the service at the time now; logs its notes, flushes the recording,
    /// and answers its result or its error in the API's shape.
    fn with(&self, f: impl FnOnce(&mut Service<P>) -> Result<Response, ApiError>) -> Response {
        let mut service = self.service();
        let answer = f(&mut service);
        for note in service.take_notes() {
            tracing::warn!("{note}");
        }
        if let Err(error) = service.flush() {
            tracing::warn!("cannot flush the recording: {error}");
        }
        drop(service);
        answer.unwrap_or_else(IntoResponse::into_response)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        (status, axum::Json(self)).into_response()
    }
}

fn ok(body: &impl Serialize) -> Result<Response, ApiError> {
    Ok((StatusCode::OK, axum::Json(body)).into_response())
}

fn parse<T: DeserializeOwned>(body: &[u8], what: &str) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(format!(
            "the request has no body: a JSON {what} is required"
        )));
    }
    serde_json::from_slice(body)
        .map_err(|error| ApiError::bad_request(format!("the body is not a valid {what}: {error}")))
}

type Params = Result<Query<HashMap<String, String>>, axum::extract::rejection::QueryRejection>;

fn params(query: Params) -> Result<HashMap<String, String>, ApiError> {
    query
        .map(|Query(map)| map)
        .map_err(|error| ApiError::bad_request(format!("the query string is malformed: {error}")))
}

fn number(
    params: &HashMap<String, String>,
    name: &str,
    default: usize,
    max: usize,
) -> Result<usize, ApiError> {
    match params.get(name) {
        None => Ok(default),
        Some(text) => match text.trim().parse::<usize>() {
            Ok(n) if n <= max => Ok(n),
            _ => Err(ApiError::bad_request(format!(
                "{name}={text:?} is impossible: a whole number from 0 to {max}"
            ))),
        },
    }
}

fn limit(params: &HashMap<String, String>, name: &str, default: usize) -> Result<usize, ApiError> {
    let n = number(params, name, default, 1000)?;
    if n == 0 {
        return Err(ApiError::bad_request(format!(
            "{name}=0 is impossible: 1 to 1000"
        )));
    }
    Ok(n)
}

type Job = Path<(String, String)>;
type Project = Path<String>;

// ---------------------------------------------------------------------------------------
// v5.

async fn create_job<P: ControlPlane + Send + 'static>(
    State(s): State<Arc<Shared<P>>>,
    Path(project): Project,
    body: Bytes,
) -> Response {
    s.with(|service| {
        let request: api::SingleCreateJobReq = parse(
            &body,
            "CreateJobRequest body ({\"job\": {\"base_info\": {...}, ...}})",
        )?;
        let accepted = service.create(&project, request.job)?;
        let (status, create_ms) = service
            .created_status(&accepted.id)
            .unwrap_or(("CREATING", service.now()));
        ok(&api::CreateJobResponse {
            id: accepted.id,
            name: accepted.name,
            status: status.to_string(),
            create_time: create_ms.to_string(),
        })
    })
}

fn echo(base: &api::JobBaseInfo) -> serde_json::Map<String, Value> {
    const ECHOED: [&str; 7] = [
        "description",
        "engine_type",
        "net_type",
        "charging_mode",
        "job_direction",
        "enterprise_project_id",
        "multi_write",
    ];
    ECHOED
        .iter()
        .filter_map(|k| base.rest.get(*k).map(|v| (k.to_string(), v.clone())))
        .collect()
}

async fn list_jobs<P: ControlPlane + Send + 'static>(
    State(s): State<Arc<Shared<P>>>,
    Path(project): Project,
    query: Params,
) -> Response {
    s.with(|service| {
        let params = params(query)?;
        let job_type = params.get("job_type").ok_or_else(|| {
            ApiError::bad_request("job_type is required: migration, sync or cloudDataGuard")
        })?;
        let list = ListQuery {
            offset: number(&params, "offset", 0, usize::MAX)?,
            limit: limit(&params, "limit", 10)?,
            status: params.get("status").filter(|s| !s.is_empty()).cloned(),
            name: params.get("name").filter(|s| !s.is_empty()).cloned(),
            ascending: params
                .get("sort_dir")
                .is_some_and(|d| d.eq_ignore_ascii_case("asc")),
            job_type: Some(job_type.clone()),
        };
        let (total, listed) = service.list(&project, &list);
        let jobs = listed
            .into_iter()
            .map(|job| api::JobListResp {
                echoed: echo(&job.base_info),
                id: job.id,
                name: job.name,
                status: job.status.to_string(),
                create_time: job.create_ms.to_string(),
                task_type: job.mode.api_code().to_string(),
                job_type: job_type.clone(),
                job_action: job.actions,
            })
            .collect();
        ok(&api::ListJobsResponse {
            total_count: total,
            jobs,
        })
    })
}

async fn show_job_detail<P: ControlPlane + Send + 'static>(
    State(s): State<Arc<Shared<P>>>,
    Path((project, job_id)): Job,
    query: Params,
) -> Response {
    s.with(|service| {
        let params = params(query)?;
        if !params.contains_key("type") {
            return Err(ApiError::bad_request(
                "type is required: job, list, compare, progress, … (the emulator answers every type with the job)",
            ));
        }
        let detail = service.detail(&project, &job_id)?;
        let base_info = serde_json::to_value(&detail.request.base_info).unwrap_or(Value::Null);
        ok(&api::ShowJobDetailResponse {
            job: api::JobDetailResp {
                id: detail.id,
                status: detail.status.to_string(),
                create_time: detail.create_ms.to_string(),
                base_info,
                echoed: detail.request.rest,
            },
        })
    })
}

fn action_of(request: &api::ActionReq) -> (Option<&str>, bool) {
    let params = request.action_params.as_ref();
    (
        params.and_then(|p| p.start_time.as_deref()),
        params.and_then(|p| p.force_delete).unwrap_or(false),
    )
}

async fn execute_job_action<P: ControlPlane + Send + 'static>(
    State(s): State<Arc<Shared<P>>>,
    Path((project, job_id)): Job,
    body: Bytes,
) -> Response {
    s.with(|service| {
        let request: api::JobActionReq =
            parse(&body, "JobActionReq ({\"job\": {\"action_name\": ...}})")?;
        let (start_time, force) = action_of(&request.job);
        let op = OpRequest {
            call: Call::ExecuteJobAction,
            word: &request.job.action_name,
            start_time,
            force,
        };
        let accepted = service.operate(&project, &job_id, op)?;
        ok(&api::ExecuteJobActionResponse {
            query_id: accepted.query_id,
        })
    })
}

async fn stop_job_action<P: ControlPlane + Send + 'static>(
    State(s): State<Arc<Shared<P>>>,
    Path((project, job_id)): Job,
    body: Bytes,
) -> Response {
    s.with(|service| {
        let request: api::StopJobActionReq = if body.iter().all(u8::is_ascii_whitespace) {
            api::StopJobActionReq::default()
        } else {
            parse(&body, "StopJobActionReq ({\"is_force_stop\": bool})")?
        };
        let op = OpRequest {
            call: Call::StopJobAction,
            word: "stop",
            start_time: None,
            force: request.is_force_stop.unwrap_or(false),
        };
        let accepted = service.operate(&project, &job_id, op)?;
        ok(&api::ActionBaseResp {
            id: accepted.id,
            name: Some(accepted.name),
            status: "success",
            error_code: None,
            error_msg: None,
        })
    })
}

async fn show_actions<P: ControlPlane + Send + 'static>(
    State(s): State<Arc<Shared<P>>>,
    Path((project, job_id)): Job,
) -> Response {
    s.with(|service| {
        let actions = service.show_actions(&project, &job_id)?;
        ok(&api::ShowActionsResponse {
            job_action: actions,
        })
    })
}

async fn delete_job<P: ControlPlane + Send + 'static>(
    State(s): State<Arc<Shared<P>>>,
    Path((project, job_id)): Job,
) -> Response {
    s.with(|service| {
        let op = OpRequest {
            call: Call::DeleteJob,
            word: "delete",
            start_time: None,
            force: false,
        };
        service.operate(&project, &job_id, op)?;
        ok(&json!({}))
    })
}

async fn show_timeline<P: ControlPlane + Send + 'static>(
    State(s): State<Arc<Shared<P>>>,
    Path((project, job_id)): Job,
    query: Params,
) -> Response {
    s.with(|service| {
        let params = params(query)?;
        let offset = number(&params, "offset", 0, usize::MAX)?;
        let limit = limit(&params, "limit", 100)?;
        let (count, timelines) = service.timeline(&project, &job_id, offset, limit)?;
        ok(&api::ShowTimelineResponse { count, timelines })
    })
}

/// One job's answer in a batch: success, or the refusal's code and message.
fn per_job(id: &str, result: Result<super::service::Accepted, ApiError>) -> api::ActionBaseResp {
    match result {
        Ok(accepted) => api::ActionBaseResp {
            id: accepted.id,
            name: Some(accepted.name),
            status: "success",
            error_code: None,
            error_msg: None,
        },
        Err(error) => api::ActionBaseResp {
            id: id.to_string(),
            name: None,
            status: "failed",
            error_code: Some(error.error_code),
            error_msg: Some(error.error_msg),
        },
    }
}

fn no_jobs<T>(jobs: &[T]) -> Result<(), ApiError> {
    if jobs.is_empty() {
        Err(ApiError::bad_request(
            "jobs is empty: name at least one job",
        ))
    } else if jobs.len() > 1000 {
        Err(ApiError::bad_request(format!(
            "jobs has {} entries: at most 1000 per call",
            jobs.len()
        )))
    } else {
        Ok(())
    }
}

async fn batch_execute_job_actions<P: ControlPlane + Send + 'static>(
    State(s): State<Arc<Shared<P>>>,
    Path(project): Project,
    body: Bytes,
) -> Response {
    s.with(|service| {
        let request: api::BatchJobActionReq =
            parse(&body, "BatchJobActionReq ({\"jobs\": [ActionReq]})")?;
        no_jobs(&request.jobs)?;
        let mut jobs = Vec::with_capacity(request.jobs.len());
        for (i, action) in request.jobs.iter().enumerate() {
            let Some(job_id) = action.job_id.as_deref() else {
                return Err(ApiError::bad_request(format!(
                    "jobs[{i}].job_id is required in a batch action"
                )));
            };
            let (start_time, force) = action_of(action);
            let op = OpRequest {
                call: Call::BatchExecuteJobActions,
                word: &action.action_name,
                start_time,
                force,
            };
            jobs.push(match service.operate(&project, job_id, op) {
                Ok(accepted) => api::AsyncActionResp {
                    query_id: Some(accepted.query_id),
                    id: accepted.id,
                    name: Some(accepted.name),
                    status: "success",
                    error_code: None,
                    error_msg: None,
                },
                Err(error) => api::AsyncActionResp {
                    query_id: None,
                    id: job_id.to_string(),
                    name: None,
                    status: "failed",
                    error_code: Some(error.error_code),
                    error_msg: Some(error.error_msg),
                },
            });
        }
        ok(&api::BatchExecuteJobActionsResponse { jobs })
    })
}

async fn batch_stop_jobs_action<P: ControlPlane + Send + 'static>(
    State(s): State<Arc<Shared<P>>>,
    Path(project): Project,
    body: Bytes,
) -> Response {
    s.with(|service| {
        let request: api::BatchStopJobActionReq = parse(
            &body,
            "BatchStopJobActionReq ({\"jobs\": [{\"job_id\": ..., \"is_force_stop\": bool}]})",
        )?;
        no_jobs(&request.jobs)?;
        let jobs = request
            .jobs
            .iter()
            .map(|stop| {
                let op = OpRequest {
                    call: Call::BatchStopJobsAction,
                    word: "stop",
                    start_time: None,
                    force: stop.is_force_stop.unwrap_or(false),
                };
                per_job(&stop.job_id, service.operate(&project, &stop.job_id, op))
            })
            .collect();
        ok(&api::BatchJobsResponse { jobs })
    })
}

async fn batch_delete_jobs_by_id<P: ControlPlane + Send + 'static>(
    State(s): State<Arc<Shared<P>>>,
    Path(project): Project,
    body: Bytes,
) -> Response {
    s.with(|service| {
        let request: api::BatchDeleteJobReq =
            parse(&body, "BatchDeleteJobReq ({\"jobs\": [\"job id\", ...]})")?;
        no_jobs(&request.jobs)?;
        let jobs = request
            .jobs
            .iter()
            .map(|job_id| {
                let op = OpRequest {
                    call: Call::BatchDeleteJobsById,
                    word: "delete",
                    start_time: None,
                    force: false,
                };
                per_job(job_id, service.operate(&project, job_id, op))
            })
            .collect();
        ok(&api::BatchJobsResponse { jobs })
    })
}

// ---------------------------------------------------------------------------------------
// v3.

fn page(
    page_req: Option<api::PageReq>,
    cur: Option<i64>,
    per: Option<i64>,
) -> Result<(usize, usize), ApiError> {
    let cur = cur.or(page_req.and_then(|p| p.cur_page)).unwrap_or(1);
    let per = per.or(page_req.and_then(|p| p.per_page)).unwrap_or(1000);
    if cur < 1 || !(1..=1000).contains(&per) {
        return Err(ApiError::bad_request(format!(
            "cur_page {cur} / per_page {per} is impossible: cur_page from 1, per_page 1 to 1000"
        )));
    }
    Ok((((cur - 1) * per) as usize, per as usize))
}

async fn batch_list_job_status<P: ControlPlane + Send + 'static>(
    State(s): State<Arc<Shared<P>>>,
    Path(project): Project,
    body: Bytes,
) -> Response {
    s.with(|service| {
        let request: api::BatchQueryJobReqPage = parse(
            &body,
            "BatchQueryJobReqPage ({\"jobs\": [\"job id\", ...]})",
        )?;
        no_jobs(&request.jobs)?;
        let (offset, per) = page(request.page_req, None, None)?;
        let results = request
            .jobs
            .iter()
            .skip(offset)
            .take(per)
            .map(|id| match service.status_of(&project, id) {
                Some(status) => api::QueryJobStatusResp {
                    id: id.clone(),
                    status: Some(status.to_string()),
                    error_code: None,
                    error_message: None,
                },
                None => api::QueryJobStatusResp {
                    id: id.clone(),
                    status: None,
                    error_code: Some(api::NOT_FOUND.to_string()),
                    error_message: Some("The job does not exist.".to_string()),
                },
            })
            .collect();
        ok(&api::BatchListJobStatusResponse {
            results,
            count: request.jobs.len(),
        })
    })
}

async fn show_job_list<P: ControlPlane + Send + 'static>(
    State(s): State<Arc<Shared<P>>>,
    Path(project): Project,
    body: Bytes,
) -> Response {
    s.with(|service| {
        let request: api::QueryJobsReq = if body.iter().all(u8::is_ascii_whitespace) {
            parse(b"{}", "QueryJobsReq")?
        } else {
            parse(
                &body,
                "QueryJobsReq ({\"cur_page\": 1, \"per_page\": 10, ...})",
            )?
        };
        let (offset, per) = page(
            None,
            request.cur_page.or(Some(1)),
            request.per_page.or(Some(10)),
        )?;
        let (total, listed) = service.list(
            &project,
            &ListQuery {
                offset,
                limit: per,
                status: request.status.clone().filter(|s| !s.is_empty()),
                name: request.name.clone().filter(|s| !s.is_empty()),
                ascending: false,
                job_type: None,
            },
        );
        let jobs = listed
            .into_iter()
            .map(|job| api::JobInfo {
                id: job.id,
                name: job.name,
                status: job.status.to_string(),
                create_time: job.create_ms.to_string(),
                task_type: job.mode.api_code().to_string(),
                job_action: api::JobActionResp {
                    available_actions: job.actions.available_actions,
                    unavailable_actions: job.actions.unavailable_actions,
                    current_action: job.actions.current_action,
                },
            })
            .collect();
        ok(&api::ShowJobListResponse {
            total_record: total,
            jobs,
        })
    })
}

async fn batch_stop_jobs<P: ControlPlane + Send + 'static>(
    State(s): State<Arc<Shared<P>>>,
    Path(project): Project,
    body: Bytes,
) -> Response {
    s.with(|service| {
        let request: api::BatchPauseJobReq =
            parse(&body, "BatchPauseJobReq ({\"jobs\": [{\"job_id\": ...}]})")?;
        no_jobs(&request.jobs)?;
        let results: Vec<_> = request
            .jobs
            .iter()
            .map(|pause| {
                let _ = &pause.pause_mode;
                let op = OpRequest {
                    call: Call::BatchStopJobs,
                    word: "pause",
                    start_time: None,
                    force: false,
                };
                per_job(&pause.job_id, service.operate(&project, &pause.job_id, op))
            })
            .collect();
        ok(&api::BatchResultsResponse {
            count: results.len(),
            results,
        })
    })
}

async fn batch_delete_jobs<P: ControlPlane + Send + 'static>(
    State(s): State<Arc<Shared<P>>>,
    Path(project): Project,
    body: Bytes,
) -> Response {
    s.with(|service| {
        let request: api::BatchDeleteJobReqV3 = parse(
            &body,
            "BatchDeleteJobReq ({\"jobs\": [{\"delete_type\": ..., \"job_id\": ...}]})",
        )?;
        no_jobs(&request.jobs)?;
        let results: Vec<_> = request
            .jobs
            .iter()
            .map(|delete| {
                let op = OpRequest {
                    call: Call::BatchDeleteJobs,
                    word: &delete.delete_type,
                    start_time: None,
                    force: false,
                };
                per_job(
                    &delete.job_id,
                    service.operate(&project, &delete.job_id, op),
                )
            })
            .collect();
        ok(&api::BatchResultsResponse {
            count: results.len(),
            results,
        })
    })
}

// ---------------------------------------------------------------------------------------
// The emulator's control API (not DRS).

async fn clock_show<P: ControlPlane + Send + 'static>(State(s): State<Arc<Shared<P>>>) -> Response {
    let mode = s.clock().mode;
    s.with(|service| {
        ok(&json!({
            "now": crate::history::format_time(service.now()),
            "now_ms": service.now(),
            "next_due_ms": service.next_due(),
            "clock": match mode {
                ClockMode::Manual => json!("manual"),
                ClockMode::Wall { speed } => json!({"speed": speed}),
            },
        }))
    })
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    #[serde(default)]
    seconds: Option<f64>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    next: Option<bool>,
}

async fn clock_advance<P: ControlPlane + Send + 'static>(
    State(s): State<Arc<Shared<P>>>,
    body: Bytes,
) -> Response {
    let request: Advance = match parse(
        &body,
        "advance ({\"seconds\": N} or {\"to\": TIME} or {\"next\": true})",
    ) {
        Ok(request) => request,
        Err(error) => return error.into_response(),
    };
    let shared = s.clone();
    s.with(|service| {
        let now = service.now();
        let target = match (request.seconds, request.to.as_deref(), request.next) {
            (Some(seconds), None, None)
                if seconds.is_finite() && (0.0..=3.2e8).contains(&seconds) =>
            {
                now + (seconds * 1000.0).round() as Ms
            }
            (None, Some(to), None) => {
                let at = crate::history::parse_time(to)
                    .map_err(|error| ApiError::bad_request(format!("to {to:?}: {error}")))?;
                if at < now {
                    return Err(ApiError::bad_request(format!(
                        "to {to:?} is before the emulated time now ({}): the clock never goes back",
                        crate::history::format_time(now)
                    )));
                }
                at
            }
            (None, None, Some(true)) => service.next_due().unwrap_or(now).max(now),
            _ => {
                return Err(ApiError::bad_request(
                    "give exactly one of {\"seconds\": N} (0 to 320000000, ten years), {\"to\": TIME}, {\"next\": true}",
                ));
            }
        };
        let mut clock = shared.clock();
        if let ClockMode::Wall { .. } = clock.mode {
            clock.emulated_origin += target - now;
        }
        drop(clock);
        service.advance(target);
        ok(&json!({
            "now": crate::history::format_time(service.now()),
            "now_ms": service.now(),
            "next_due_ms": service.next_due(),
        }))
    })
}

async fn arrears<P: ControlPlane + Send + 'static>(
    State(s): State<Arc<Shared<P>>>,
    Path(project): Project,
) -> Response {
    s.with(|service| {
        let frozen = service.billing(&project, true)?;
        ok(&json!({"project_id": project, "in_arrears": true, "tasks_changed": frozen}))
    })
}

async fn recharge<P: ControlPlane + Send + 'static>(
    State(s): State<Arc<Shared<P>>>,
    Path(project): Project,
) -> Response {
    s.with(|service| {
        let unfrozen = service.billing(&project, false)?;
        ok(&json!({"project_id": project, "in_arrears": false, "tasks_changed": unfrozen}))
    })
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Inject {
    event: String,
}

async fn inject<P: ControlPlane + Send + 'static>(
    State(s): State<Arc<Shared<P>>>,
    Path((project, job_id)): Job,
    body: Bytes,
) -> Response {
    s.with(|service| {
        let request: Inject = parse(&body, "event ({\"event\": \"instance_fault\"})")?;
        service.inject(&project, &job_id, &request.event)?;
        let shows = service.status_shown(&project, &job_id);
        ok(&json!({"id": job_id, "status": shows}))
    })
}

async fn snapshot<P: ControlPlane + Send + 'static>(State(s): State<Arc<Shared<P>>>) -> Response {
    s.with(|service| ok(&service.snapshot()))
}

// ---------------------------------------------------------------------------------------
// Manners.

async fn no_such_api(method: Method, uri: axum::http::Uri) -> Response {
    ApiError::new(
        404,
        api::NO_SUCH_API,
        format!(
            "The API does not exist or has not been published: {method} {}",
            uri.path()
        ),
    )
    .into_response()
}

async fn wrong_method(method: Method, uri: axum::http::Uri) -> Response {
    ApiError::new(
        405,
        api::NO_SUCH_API,
        format!(
            "The API does not exist for this method: {method} {} (the path exists with another method)",
            uri.path()
        ),
    )
    .into_response()
}

/// A handler that panicked (a bug of the emulator or of the control plane behind it) is
/// answered, not dropped: HTTP 500 in the API's shape.
fn panicked(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic");
    tracing::error!("a request panicked: {what}");
    ApiError::new(
        500,
        "DRS.LC0500",
        format!("the emulator failed on this request ({what}); its log has the details"),
    )
    .into_response()
}

/// Checks the SDK's signature headers (and, with keys, the signature itself); answers
/// every error in the API's shape; gives every answer an `X-Request-Id`.
async fn manners<P: ControlPlane + Send + 'static>(
    State(s): State<Arc<Shared<P>>>,
    request: Request,
    next: Next,
) -> Response {
    let id = s.request_ids.fetch_add(1, Ordering::Relaxed) + 1;
    let is_control = request.uri().path().starts_with(CONTROL_PREFIX);
    let request = if is_control {
        Ok(request)
    } else {
        check_signature(&s.settings, request).await
    };
    let mut response = match request {
        Ok(request) => next.run(request).await,
        Err(error) => error.into_response(),
    };
    // Whatever the layers below answered without the API's shape (a body over the limit),
    // in the API's shape.
    let status = response.status();
    let is_json = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !status.is_success() && !is_json {
        let (code, msg) = if status == StatusCode::PAYLOAD_TOO_LARGE {
            (
                api::TOO_LARGE,
                format!(
                    "Request entity too large: the body limit is {} bytes",
                    s.settings.body_limit
                ),
            )
        } else {
            (
                api::BAD_REQUEST,
                format!("the request cannot be served ({status})"),
            )
        };
        response = ApiError::new(status.as_u16(), code, msg).into_response();
    }
    if let Ok(value) = HeaderValue::from_str(&format!("{id:016x}")) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

async fn check_signature(settings: &HttpSettings, request: Request) -> Result<Request, ApiError> {
    let refuse = |msg: String| {
        ApiError::new(
            401,
            api::BAD_SIGNATURE,
            format!("Incorrect IAM authentication information: {msg}"),
        )
    };
    let headers: &HeaderMap = request.headers();
    let authorization = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .ok_or_else(|| refuse("the request is not signed (no Authorization header): use the SDK's AK/SK credentials".into()))?;
    sign::parse_authorization(&authorization).map_err(refuse)?;
    if headers.get("x-sdk-date").is_none() {
        return Err(refuse("the request has no X-Sdk-Date header".into()));
    }
    let Some((ak, sk)) = &settings.keys else {
        return Ok(request);
    };
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, settings.body_limit)
        .await
        .map_err(|_| {
            ApiError::new(
                413,
                api::TOO_LARGE,
                format!(
                    "Request entity too large: the body limit is {} bytes",
                    settings.body_limit
                ),
            )
        })?;
    let lookup = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let signed = sign::Signed {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query().unwrap_or(""),
        header: &lookup,
        body: &bytes,
    };
    sign::verify(&signed, &authorization, ak, sk).map_err(refuse)?;
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// The whole router: the DRS paths, the control API, and the manners.
pub fn router<P: ControlPlane + Send + 'static>(shared: Arc<Shared<P>>) -> Router {
    let body_limit = shared.settings.body_limit;
    let drs = Router::new()
        .route(
            "/v5/{project_id}/jobs",
            post(create_job::<P>)
                .get(list_jobs::<P>)
                .delete(batch_delete_jobs_by_id::<P>),
        )
        .route(
            "/v5/{project_id}/jobs/action",
            post(batch_execute_job_actions::<P>),
        )
        .route(
            "/v5/{project_id}/jobs/batch-stop",
            post(batch_stop_jobs_action::<P>),
        )
        .route(
            "/v5/{project_id}/jobs/{job_id}",
            get(show_job_detail::<P>).delete(delete_job::<P>),
        )
        .route(
            "/v5/{project_id}/jobs/{job_id}/action",
            post(execute_job_action::<P>),
        )
        .route(
            "/v5/{project_id}/jobs/{job_id}/stop",
            post(stop_job_action::<P>),
        )
        .route(
            "/v5/{project_id}/jobs/{job_id}/actions",
            get(show_actions::<P>),
        )
        .route(
            "/v5/{project_id}/jobs/{job_id}/timelines",
            get(show_timeline::<P>),
        )
        .route("/v3/{project_id}/jobs", post(show_job_list::<P>))
        .route(
            "/v3/{project_id}/jobs/batch-status",
            post(batch_list_job_status::<P>),
        )
        .route(
            "/v3/{project_id}/jobs/batch-pause-task",
            post(batch_stop_jobs::<P>),
        )
        .route(
            "/v3/{project_id}/jobs/batch-jobs",
            axum::routing::delete(batch_delete_jobs::<P>),
        );
    let control = Router::new()
        .route("/clock", get(clock_show::<P>))
        .route("/clock/advance", post(clock_advance::<P>))
        .route("/projects/{project_id}/arrears", post(arrears::<P>))
        .route("/projects/{project_id}/recharge", post(recharge::<P>))
        .route(
            "/projects/{project_id}/jobs/{job_id}/events",
            post(inject::<P>),
        )
        .route("/snapshot", get(snapshot::<P>));
    drs.nest(CONTROL_PREFIX, control)
        .fallback(no_such_api)
        .method_not_allowed_fallback(wrong_method)
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(CatchPanicLayer::custom(panicked))
        .layer(middleware::from_fn_with_state(shared.clone(), manners::<P>))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(tracing::Level::INFO))
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .with_state(shared)
}
