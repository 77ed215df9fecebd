//! The Explorer, from the outside: the binary serves it on a free port, the HTTP API shows
//! readable states and the property list, bad addresses and configurations are one-line
//! errors, and a headless Chromium renders the page (saving `reports/explorer.png`).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running Explorer, killed when dropped (also when a test fails).
struct Explorer {
    child: Child,
    addr: String,
}

impl Drop for Explorer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free port")
}

fn start(args: &[&str]) -> Explorer {
    let addr = format!("127.0.0.1:{}", free_port());
    let child = Command::new(env!("CARGO_BIN_EXE_drs-lifecycle"))
        .arg("explore")
        .args(args)
        .args(["--addr", &addr])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let explorer = Explorer { child, addr };
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Some(status) = get(&explorer.addr, "/.status")
            && status.contains("\"done\":true")
        {
            return explorer;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!(
        "the Explorer did not answer with a finished check on {}",
        explorer.addr
    );
}

/// A plain HTTP GET; `None` until the server answers.
fn get(addr: &str, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    // HTTP/1.0 so that the server answers without chunked encoding.
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let (head, body) = response.split_once("\r\n\r\n")?;
    (head.starts_with("HTTP/1.1 200") || head.starts_with("HTTP/1.0 200")).then(|| body.to_string())
}

fn json(addr: &str, path: &str) -> serde_json::Value {
    let body = get(addr, path).unwrap_or_else(|| panic!("GET {path} failed"));
    serde_json::from_str(&body).unwrap_or_else(|error| panic!("GET {path}: {error}: {body}"))
}

#[test]
fn explorer_serves_readable_states_and_every_property() {
    let explorer = start(&[]);
    let status = json(&explorer.addr, "/.status");
    assert_eq!(status["model"], "drs_lifecycle::model::fleet::FleetModel");
    assert_eq!(
        status["unique_state_count"],
        pinned("models/lifecycle.toml")
    );
    let properties = property_names(&status);
    for name in [
        "deleted task never reappears",
        "ended is terminal",
        "no deadlock",
        "reaches 结束任务失败 EndFailed",
    ] {
        assert!(
            properties.iter().any(|p| p == name),
            "{name} missing from {properties:?}"
        );
    }
    // Every reachability property has a discovery (a path), every safety property none.
    for property in status["properties"].as_array().expect("list") {
        let found = !property[2].is_null();
        assert_eq!(found, property[0] == "Sometimes", "{property}");
    }

    // The initial state: no task yet; the actions create one per mode.
    let init = json(&explorer.addr, "/.states");
    assert!(
        init[0]["state"]
            .as_str()
            .expect("state")
            .contains("no task yet")
    );
    let created = json(&explorer.addr, "/.states/0");
    let actions: Vec<&str> = created
        .as_array()
        .expect("successors")
        .iter()
        .map(|s| s["action"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        actions,
        [
            "account A · create(FULL_TRANS)",
            "account A · create(FULL_INCR_TRANS)",
            "account A · create(INCR_TRANS)",
            "account A · arrears",
        ]
    );
    let state = created[0]["state"].as_str().expect("state text");
    assert!(
        state
            .contains("task 1 · account A · FULL_TRANS · 创建中 Creating (CREATING) · no instance"),
        "{state}"
    );
    assert!(state.contains("account A: in credit"), "{state}");

    // After "instance ready" the task holds an instance and offers what Configuration allows.
    let configured = json(&explorer.addr, "/.states/0/0");
    let ready = configured
        .as_array()
        .expect("successors")
        .iter()
        .find(|s| s["action"] == "task 1 · instance ready")
        .expect("instance ready is offered");
    assert!(
        ready["state"]
            .as_str()
            .expect("state")
            .contains("配置 Configuration (CONFIGURATION) · holds an instance")
    );
    assert!(
        ready["svg"]
            .as_str()
            .expect("a timeline")
            .contains("创建中")
    );
}

#[test]
fn explorer_shows_frozen_task_with_remembered_status_and_billing() {
    let explorer = start(&["models/fleet-2x2.toml"]);
    // create(FULL_TRANS) for account A, instance ready, then account A falls into arrears.
    let path = |actions: &[&str]| -> serde_json::Value {
        let mut indices = vec!["0".to_string()];
        for wanted in actions {
            let here = json(&explorer.addr, &format!("/.states/{}", indices.join("/")));
            let index = here
                .as_array()
                .expect("successors")
                .iter()
                .position(|s| s["action"] == *wanted)
                .unwrap_or_else(|| panic!("{wanted} not offered: {here}"));
            indices.push(index.to_string());
        }
        let last = indices.pop().expect("a step");
        let here = json(&explorer.addr, &format!("/.states/{}", indices.join("/")));
        here[last.parse::<usize>().expect("index")].clone()
    };
    let frozen = path(&[
        "account A · create(FULL_TRANS)",
        "task 1 · instance ready (from account A)",
        "account A · arrears",
    ]);
    let state = frozen["state"].as_str().expect("state text");
    assert!(state.contains("account A: in arrears"), "{state}");
    assert!(
        state.contains("冻结 Frozen (console only) · froze 配置 Configuration (CONFIGURATION)"),
        "{state}"
    );
}

#[test]
fn busy_port_is_a_one_line_error() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
    let addr = listener.local_addr().expect("address").to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_drs-lifecycle"))
        .args(["explore", "--addr", &addr])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("already in use"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn non_loopback_address_needs_an_explicit_flag() {
    let out = Command::new(env!("CARGO_BIN_EXE_drs-lifecycle"))
        .args(["explore", "--addr", "0.0.0.0:0"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--allow-remote"));
}

#[test]
fn bad_configuration_is_a_one_line_error() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join("explore-bad.toml");
    std::fs::write(&path, "model = \"fleet\"\n[parameters]\naccounts = 7\n").expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_drs-lifecycle"))
        .args([
            "explore",
            &path.display().to_string(),
            "--addr",
            "127.0.0.1:0",
        ])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("explore-bad.toml:3: accounts = 7 is impossible"),
        "{stderr}"
    );
}

/// Headless Chromium loads the page at a state with a task and renders the properties.
/// `.ci/run` installs Chromium and sets DRS_REQUIRE_BROWSER=1, so in CI a missing browser is a
/// failure; on a developer machine without Chromium the test says so and passes.
#[test]
fn browser_renders_the_explorer_and_saves_a_screenshot() {
    let Some(chromium) = chromium() else {
        return;
    };
    let explorer = start(&[]);
    // create(FULL_INCR_TRANS), instance ready, start now, start succeeded, pause.
    let url = format!("http://{}/#/steps/0/1/0/0/1/0", explorer.addr);
    let profile = Path::new(env!("CARGO_TARGET_TMPDIR")).join("chromium-profile");
    let _ = std::fs::remove_dir_all(&profile);
    let flags = CHROMIUM_FLAGS;
    let user_data = format!("--user-data-dir={}", profile.display());
    let dom = Command::new(chromium)
        .args(flags)
        .arg(&user_data)
        .args(["--dump-dom", &url])
        .output()
        .expect("chromium runs");
    let page = String::from_utf8_lossy(&dom.stdout);
    assert!(
        page.contains("FleetModel"),
        "the page names the model:\n{page}"
    );
    assert!(
        page.contains("暂停中 Paused (PAUSING)"),
        "the page shows the paused task:\n{page}"
    );
    assert!(
        page.contains("deleted task never reappears"),
        "the page lists the properties"
    );
    assert!(
        page.contains("reaches 故障恢复 FaultRecovery"),
        "the page lists reachability"
    );

    let screenshot = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("reports")
        .join("explorer.png");
    std::fs::create_dir_all(screenshot.parent().expect("reports/")).expect("reports/ exists");
    save_screenshot(chromium, &user_data, &url, &screenshot);
}

#[test]
fn explorer_walks_the_actor_model_with_its_protocol_claims_and_sequence_diagrams() {
    let explorer = start(&["models/actors.toml"]);
    let status = json(&explorer.addr, "/.status");
    assert!(
        status["model"]
            .as_str()
            .is_some_and(|m| m.contains("ActorModel")),
        "{status}"
    );
    assert_eq!(status["unique_state_count"], pinned("models/actors.toml"));
    let properties = property_names(&status);
    for name in [
        "a stale report changes nothing",
        "nothing acknowledged is lost",
        "an instance runs only while its task should",
        "engine refines the specification",
    ] {
        assert!(
            properties.iter().any(|p| p == name),
            "{name} missing from {properties:?}"
        );
    }
    // Every claim holds: no discovery.
    for property in status["properties"].as_array().expect("list") {
        assert!(property[2].is_null(), "{property}");
    }
    // The client sends a creation; the controller takes it: the step after shows a sequence
    // diagram of the messages between the named actors.
    let steps = json(&explorer.addr, "/.states/0/0");
    let text = steps.to_string();
    assert!(text.contains("<svg"), "a sequence diagram: {text}");
    assert!(
        text.contains("controller") && text.contains("client") && text.contains("instance 1"),
        "the actors are named: {text}"
    );
}

#[test]
fn browser_renders_an_actor_model_with_its_sequence_diagram() {
    let Some(chromium) = chromium() else {
        return;
    };
    let explorer = start(&["models/actors.toml"]);
    // The client sends a creation, the controller takes it and directs the instance.
    let url = format!("http://{}/#/steps/0/0/0", explorer.addr);
    let profile = Path::new(env!("CARGO_TARGET_TMPDIR")).join("chromium-profile-actors");
    let _ = std::fs::remove_dir_all(&profile);
    let user_data = format!("--user-data-dir={}", profile.display());
    let dom = Command::new(chromium)
        .args(CHROMIUM_FLAGS)
        .arg(&user_data)
        .args(["--dump-dom", &url])
        .output()
        .expect("chromium runs");
    let page = String::from_utf8_lossy(&dom.stdout);
    assert!(
        page.contains("ActorModel"),
        "the page names the model:\n{page}"
    );
    assert!(
        page.contains("<svg"),
        "the page draws the sequence diagram:\n{page}"
    );
    assert!(
        page.contains("a stale report changes nothing"),
        "the page lists the protocol claims"
    );
    let screenshot = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("reports")
        .join("explorer-actors.png");
    save_screenshot(chromium, &user_data, &url, &screenshot);
}

const CHROMIUM_FLAGS: [&str; 11] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=1400,1100",
    "--virtual-time-budget=8000",
];

/// The Chromium on this machine; `None` (the test skips, with a message) when there is
/// none, unless DRS_REQUIRE_BROWSER demands one.
fn chromium() -> Option<&'static str> {
    let chromium = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|name| {
            Command::new(name)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        });
    if chromium.is_none() {
        assert!(
            std::env::var_os("DRS_REQUIRE_BROWSER").is_none(),
            "DRS_REQUIRE_BROWSER is set but no Chromium was found: apt-get install chromium"
        );
        eprintln!(
            "skipped: no Chromium on this machine (apt-get install chromium; CI requires it)"
        );
    }
    chromium
}

/// The state count a shipped configuration pins.
fn pinned(file: &str) -> usize {
    drs_lifecycle::check::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join(file))
        .expect("the shipped configuration loads")
        .expect
        .unique_states
        .expect("it pins its state count")
}

/// The names of the properties the Explorer's status lists.
fn property_names(status: &serde_json::Value) -> Vec<String> {
    status["properties"]
        .as_array()
        .expect("a property list")
        .iter()
        .map(|p| p[1].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Saves a screenshot of the page and checks it is a real image.
fn save_screenshot(chromium: &str, user_data: &str, url: &str, screenshot: &Path) {
    let shot = Command::new(chromium)
        .args(CHROMIUM_FLAGS)
        .arg(user_data)
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg(url)
        .output()
        .expect("chromium runs");
    assert!(
        shot.status.success(),
        "{}",
        String::from_utf8_lossy(&shot.stderr)
    );
    let png = std::fs::read(screenshot).expect("the screenshot exists");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "a real screenshot"
    );
}
