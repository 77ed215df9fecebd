//! `drs-lifecycle serve` as its clients see it: the process, over HTTP on loopback.
//!
//! The endpoint runs with `--clock manual`, so every test decides when time passes; no test
//! asserts a duration. The official SDK's test (`tests/serve_sdk.py`) needs a virtual
//! environment with `huaweicloudsdkdrs==3.1.219` (`.ci/run` makes one in
//! `target/sdk-venv`, or name a Python with `DRS_SDK_PYTHON`); without one it is skipped
//! with a message, and `DRS_REQUIRE_SDK` (set by `.ci/run`) makes that a failure.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_drs-lifecycle");
const PROJECT: &str = "p1";

/// A running `serve`, killed when dropped.
struct Server {
    child: Child,
    base: String,
    http: reqwest::Client,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(BIN)
            .args(["serve", "--port", "0", "--clock", "manual", "--quiet"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("serve starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("a line");
        let base = line
            .trim()
            .strip_prefix("serve: listening on ")
            .unwrap_or_else(|| panic!("serve says where it listens, not {line:?}"))
            .to_string();
        Server {
            child,
            base,
            http: reqwest::Client::new(),
        }
    }

    /// A DRS call, with the SDK's signature headers (unverified without --ak/--sk).
    async fn drs(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("X-Sdk-Date", "20250301T000000Z")
            .header(
                "Authorization",
                "SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date, Signature=00",
            );
        if let Some(body) = body {
            request = request.json(&body);
        }
        answer(request.send().await.expect("an answer")).await
    }

    async fn control(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}/_emulator/v1{path}", self.base));
        if let Some(body) = body {
            request = request.json(&body);
        }
        answer(request.send().await.expect("an answer")).await
    }

    async fn create(&self, mode: &str) -> String {
        let body = json!({"job": {"base_info": {"name": "t", "task_type": mode, "job_type": "migration"},
            "source_endpoint": [], "target_endpoint": []}});
        let (status, answer) = self
            .drs(
                reqwest::Method::POST,
                &format!("/v5/{PROJECT}/jobs"),
                Some(body),
            )
            .await;
        assert_eq!(status, 200, "{answer}");
        answer["id"].as_str().expect("an id").to_string()
    }

    async fn status(&self, job: &str) -> String {
        let (_, answer) = self
            .drs(
                reqwest::Method::GET,
                &format!("/v5/{PROJECT}/jobs/{job}?type=job"),
                None,
            )
            .await;
        answer["job"]["status"].as_str().unwrap_or("?").to_string()
    }

    async fn act(&self, job: &str, action: Value) -> (u16, Value) {
        self.drs(
            reqwest::Method::POST,
            &format!("/v5/{PROJECT}/jobs/{job}/action"),
            Some(json!({"job": action})),
        )
        .await
    }

    /// Polls after each due timer until the job shows `wanted`.
    async fn wait_for(&self, job: &str, wanted: &str) {
        for _ in 0..200 {
            if self.status(job).await == wanted {
                return;
            }
            self.control(
                reqwest::Method::POST,
                "/clock/advance",
                Some(json!({"next": true})),
            )
            .await;
        }
        panic!(
            "job {job} never showed {wanted}: {}",
            self.status(job).await
        );
    }

    /// Stops the process with SIGTERM and returns its exit status and standard error.
    fn terminate(mut self) -> (Option<i32>, String) {
        let pid = self.child.id().to_string();
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs");
        let output =
            std::mem::replace(&mut self.child, Command::new("true").spawn().expect("true"));
        let output = output.wait_with_output().expect("serve exits");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn answer(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    let value = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("answer {status} is not JSON: {text:?}"));
    (status, value)
}

fn tmp(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("serve");
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path
}

fn validate(history: &Path) -> (Option<i32>, String) {
    let output = Command::new(BIN)
        .args(["validate"])
        .arg(history)
        .output()
        .expect("validate runs");
    (
        output.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    )
}

#[tokio::test]
async fn errors_come_in_the_apis_shape() {
    let server = Server::start(&["--body-limit", "2000"]);
    use reqwest::Method;

    let (status, body) = server.drs(Method::GET, "/v5/p1/nowhere", None).await;
    assert_eq!(
        (status, body["error_code"].as_str()),
        (404, Some("APIGW.0101")),
        "{body}"
    );

    let (status, body) = server.drs(Method::PUT, "/v5/p1/jobs", None).await;
    assert_eq!(
        (status, body["error_code"].as_str()),
        (405, Some("APIGW.0101")),
        "{body}"
    );

    let response = server
        .http
        .post(format!("{}/v5/p1/jobs", server.base))
        .header("X-Sdk-Date", "20250301T000000Z")
        .header(
            "Authorization",
            "SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date, Signature=00",
        )
        .header("Content-Type", "application/json")
        .body("{\"job\": {")
        .send()
        .await
        .expect("answer");
    let (status, body) = answer(response).await;
    assert_eq!(
        (status, body["error_code"].as_str()),
        (400, Some("DRS.LC0400")),
        "{body}"
    );

    let missing = json!({"job": {"base_info": {"name": "x"}}});
    let (status, body) = server.drs(Method::POST, "/v5/p1/jobs", Some(missing)).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error_msg"]
            .as_str()
            .unwrap_or("")
            .contains("task_type"),
        "{body}"
    );

    let big = json!({"job": {"base_info": {"name": "x".repeat(5000), "task_type": "FULL_TRANS"}}});
    let (status, body) = server.drs(Method::POST, "/v5/p1/jobs", Some(big)).await;
    assert_eq!(
        (status, body["error_code"].as_str()),
        (413, Some("APIGW.0201")),
        "{body}"
    );

    let unsigned = server
        .http
        .get(format!("{}/v5/p1/jobs?job_type=migration", server.base))
        .send()
        .await
        .expect("answer");
    assert!(unsigned.headers().contains_key("x-request-id"));
    let (status, body) = answer(unsigned).await;
    assert_eq!(
        (status, body["error_code"].as_str()),
        (401, Some("APIGW.0301")),
        "{body}"
    );

    let (status, body) = server
        .drs(Method::GET, "/v5/p1/jobs/nosuch?type=job", None)
        .await;
    assert_eq!(
        (status, body["error_code"].as_str()),
        (404, Some("DRS.10000010")),
        "{body}"
    );

    let job = server.create("FULL_TRANS").await;
    let (status, body) = server.act(&job, json!({"action_name": "fly"})).await;
    assert_eq!(
        (status, body["error_code"].as_str()),
        (400, Some("DRS.LC0400")),
        "{body}"
    );
    let (status, body) = server
        .drs(Method::DELETE, &format!("/v5/p1/jobs/{job}"), None)
        .await;
    assert_eq!(
        (status, body["error_code"].as_str()),
        (409, Some("DRS.LC0001")),
        "{body}"
    );
    assert!(
        body["error_msg"]
            .as_str()
            .unwrap_or("")
            .contains("CREATING"),
        "{body}"
    );
    // The control API refuses in the same shape.
    let (status, body) = server
        .control(Method::POST, "/clock/advance", Some(json!({"seconds": -1})))
        .await;
    assert_eq!(
        (status, body["error_code"].as_str()),
        (400, Some("DRS.LC0400")),
        "{body}"
    );
    let (status, body) = server
        .control(
            Method::POST,
            &format!("/projects/p1/jobs/{job}/events"),
            Some(json!({"event": "pause"})),
        )
        .await;
    assert_eq!(
        status, 400,
        "a user operation is not the service's own event: {body}"
    );
    let (status, body) = server
        .control(
            Method::POST,
            &format!("/projects/p1/jobs/{job}/events"),
            Some(json!({"event": "full_done"})),
        )
        .await;
    assert_eq!(
        (status, body["error_code"].as_str()),
        (409, Some("DRS.LC0001")),
        "{body}"
    );
    // Another project does not see the job.
    let (status, _) = server
        .drs(Method::GET, &format!("/v5/p2/jobs/{job}?type=job"), None)
        .await;
    assert_eq!(status, 404);
}

#[test]
fn a_remote_address_needs_allow_remote_and_a_busy_port_is_named_with_a_free_one() {
    let output = Command::new(BIN)
        .args(["serve", "--addr", "0.0.0.0", "--port", "0"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--allow-remote"));

    let busy = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = busy.local_addr().expect("addr").port().to_string();
    let output = Command::new(BIN)
        .args(["serve", "--port", &port])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("is busy") && stderr.contains("is free: --port"),
        "{stderr}"
    );
}

#[tokio::test]
async fn the_state_is_saved_on_sigterm_and_resumed() {
    let state = tmp("state.json");
    let server = Server::start(&["--state", state.to_str().expect("utf-8")]);
    let job = server.create("FULL_INCR_TRANS").await;
    server.wait_for(&job, "CONFIGURATION").await;
    server.act(&job, json!({"action_name": "start"})).await;
    server
        .control(
            reqwest::Method::POST,
            "/clock/advance",
            Some(json!({"seconds": 5})),
        )
        .await;
    let before = server.status(&job).await;
    assert_eq!(before, "STARTJOBING");
    let (code, stderr) = server.terminate();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(state.exists(), "{stderr}");

    let server = Server::start(&["--state", state.to_str().expect("utf-8")]);
    assert_eq!(
        server.status(&job).await,
        before,
        "the job resumes where it was"
    );
    // Its timer resumed too: the start finishes.
    server.wait_for(&job, "FULL_TRANSFER_STARTED").await;
}

/// Drives a job to Ended and deletes it, polling as it goes.
async fn end_and_delete(server: &Server, job: &str) {
    server.wait_for(job, "CONFIGURATION").await;
    let (status, body) = server.act(job, json!({"action_name": "start"})).await;
    assert_eq!(status, 200, "{body}");
    server.wait_for(job, "FULL_TRANSFER_STARTED").await;
    let (status, body) = server
        .drs(
            reqwest::Method::POST,
            &format!("/v5/{PROJECT}/jobs/{job}/stop"),
            Some(json!({"is_force_stop": true})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    server.wait_for(job, "RELEASE_RESOURCE_COMPLETE").await;
    let (status, body) = server
        .drs(
            reqwest::Method::DELETE,
            &format!("/v5/{PROJECT}/jobs/{job}"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(server.status(job).await, "DELETED");
}

#[tokio::test]
async fn a_clean_recording_validates_and_a_service_fault_is_caught() {
    let clean = tmp("clean.jsonl");
    let server = Server::start(&["--record", clean.to_str().expect("utf-8")]);
    // Full+incremental: the system cannot end it during its full phase, so the release
    // that follows is the force end's, unambiguously.
    let job = server.create("FULL_INCR_TRANS").await;
    end_and_delete(&server, &job).await;
    let (_, list) = server
        .drs(
            reqwest::Method::GET,
            &format!("/v5/{PROJECT}/jobs?job_type=migration"),
            None,
        )
        .await;
    assert_eq!(list["total_count"], 0, "{list}");
    drop(server);
    let (code, report) = validate(&clean);
    assert_eq!(code, Some(0), "{report}");

    let faulty = tmp("faulty.jsonl");
    let server = Server::start(&[
        "--record",
        faulty.to_str().expect("utf-8"),
        "--service-fault",
        "deleted-reappears",
    ]);
    // Full+incremental: the system cannot end it during its full phase, so the release
    // that follows is the force end's, unambiguously.
    let job = server.create("FULL_INCR_TRANS").await;
    end_and_delete(&server, &job).await;
    server
        .control(
            reqwest::Method::POST,
            "/clock/advance",
            Some(json!({"seconds": 960})),
        )
        .await;
    assert_eq!(server.status(&job).await, "RELEASE_RESOURCE_COMPLETE");
    drop(server);
    let (code, report) = validate(&faulty);
    assert_eq!(code, Some(1), "{report}");
    // The violation is the poll after the deletion that shows the job again (the last
    // line); which claim validate names for it is validate's business.
    let lines = std::fs::read_to_string(&faulty)
        .expect("recording")
        .lines()
        .count();
    assert!(
        (report.contains(&format!("faulty.jsonl:{lines}: "))
            || report.contains(&format!("line {lines}: ")))
            && report.contains("status DELETED"),
        "{report}"
    );

    let undone = tmp("pause-undone.jsonl");
    let server = Server::start(&[
        "--record",
        undone.to_str().expect("utf-8"),
        "--service-fault",
        "pause-undone",
    ]);
    let job = server.create("FULL_INCR_TRANS").await;
    server.wait_for(&job, "CONFIGURATION").await;
    server.act(&job, json!({"action_name": "start"})).await;
    server.wait_for(&job, "FULL_TRANSFER_STARTED").await;
    let (status, body) = server.act(&job, json!({"action_name": "stop"})).await;
    assert_eq!(status, 200, "{body}");
    server.wait_for(&job, "PAUSING").await;
    server
        .control(
            reqwest::Method::POST,
            "/clock/advance",
            Some(json!({"seconds": 360})),
        )
        .await;
    assert_eq!(server.status(&job).await, "FULL_TRANSFER_STARTED");
    drop(server);
    let (code, report) = validate(&undone);
    assert_eq!(code, Some(1), "{report}");
    assert!(
        report.contains("a paused task moves only on a user's resume, reset or end"),
        "{report}"
    );
}

/// The Python of the SDK's virtual environment, if there is one.
fn sdk_python() -> Option<PathBuf> {
    let python = std::env::var_os("DRS_SDK_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("target/sdk-venv/bin/python")
        });
    let works = Command::new(&python)
        .args(["-c", "import huaweicloudsdkdrs, huaweicloudsdkcore"])
        .output()
        .is_ok_and(|output| output.status.success());
    works.then_some(python)
}

#[test]
fn the_official_sdk_drives_jobs_through_their_lives() {
    let Some(python) = sdk_python() else {
        assert!(
            std::env::var_os("DRS_REQUIRE_SDK").is_none(),
            "DRS_REQUIRE_SDK is set but no Python with huaweicloudsdkdrs was found: \
             python3 -m venv target/sdk-venv && target/sdk-venv/bin/pip install huaweicloudsdkdrs==3.1.219"
        );
        eprintln!(
            "skipped: no Python with huaweicloudsdkdrs (make target/sdk-venv as .ci/run does, or set DRS_SDK_PYTHON)"
        );
        return;
    };
    let profile = tmp("no-failures.toml");
    std::fs::write(
        &profile,
        "create_failure = 0.0\nstart_failure = 0.0\nfull_fault = 0.0\nfull_failure = 0.0\n\
         incremental_fault = 0.0\nincremental_failure = 0.0\nrecovery_failure = 0.0\nrelease_failure = 0.0\n",
    )
    .expect("profile");
    let record = tmp("sdk.jsonl");
    let server = Server::start(&[
        "--ak",
        "AKTEST",
        "--sk",
        "SKTEST",
        "--profile",
        profile.to_str().expect("utf-8"),
        "--record",
        record.to_str().expect("utf-8"),
    ]);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/serve_sdk.py");
    let output = Command::new(&python)
        .arg(&script)
        .args([&server.base, "AKTEST", "SKTEST"])
        .output()
        .expect("python runs");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{said}");
    assert!(said.contains("checks passed"), "{said}");

    // The Terraform-style waiter of examples/ waits through the start to incremental.
    let waiter = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/serve/terraform_waiter.py");
    let output = Command::new(&python)
        .arg(&waiter)
        .args([&server.base, "--ak", "AKTEST", "--sk", "SKTEST", "--manual"])
        .output()
        .expect("python runs");
    let waited = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{waited}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(waited.contains("is migrating incrementally"), "{waited}");

    // A wrong secret key is refused as the service would.
    let wrong = Command::new(&python)
        .arg(&script)
        .args([&server.base, "AKTEST", "WRONG"])
        .output()
        .expect("python runs");
    let wrong_said = String::from_utf8_lossy(&wrong.stderr);
    assert!(!wrong.status.success());
    assert!(wrong_said.contains("APIGW.0301"), "{wrong_said}");
    drop(server);

    let (code, report) = validate(&record);
    assert_eq!(code, Some(0), "{report}");
}
