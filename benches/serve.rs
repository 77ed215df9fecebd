//! Load benchmark of `drs-lifecycle serve` beside moto's server, in the same run.
//!
//! `cargo bench --bench serve` starts `serve --clock manual` (the release binary), creates
//! `SERVE_BENCH_JOBS` jobs (default 10,000) in one project and moves them all to
//! incremental migration, then, for `SERVE_BENCH_SECS` seconds each (default 5), keeps
//! `SERVE_BENCH_CONNS` connections (default 16) busy on loopback with:
//!
//! - `show_job_detail` of a random job,
//! - `list_jobs` (a page of 10 at a random offset),
//! - a mix: 90 % `show_job_detail`, 5 % `list_jobs`, 5 % actions (`stop` or `restart` of a
//!   random job, accepted or refused).
//!
//! When moto's server is installed (`MOTO_SERVER`, else `target/moto-venv/bin/moto_server`;
//! `pip install 'moto[server]'`), it runs the same way beside it on its nearest call,
//! DMS `DescribeReplicationTasks` (by id, and a page of 10), over as many replication tasks,
//! and the table gives the ratio. Memory per job is the server's resident set growth over
//! the creation of the jobs, divided by their number. The table is printed, and written to
//! `reports/serve-load.md` with `SERVE_BENCH_REPORT=1`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_drs-lifecycle");
const PROJECT: &str = "bench";

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// One measured load: requests per second and latency percentiles.
struct Load {
    name: String,
    requests: usize,
    errors: usize,
    rps: f64,
    p50_us: u64,
    p99_us: u64,
}

type Request = Arc<dyn Fn(&reqwest::Client, u64) -> reqwest::RequestBuilder + Send + Sync>;

async fn load(name: &str, conns: usize, secs: f64, make: Request) -> Load {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(conns)
        .build()
        .expect("client");
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let started = Instant::now();
    let mut workers = Vec::new();
    for w in 0..conns {
        let client = client.clone();
        let make = make.clone();
        workers.push(tokio::spawn(async move {
            let mut seed = 0x9e37_79b9_7f4a_7c15u64.wrapping_mul(w as u64 + 1);
            let mut latencies = Vec::new();
            let mut errors = 0;
            while Instant::now() < deadline {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let t = Instant::now();
                match make(&client, seed).send().await {
                    Ok(response) => {
                        let ok = response.status().as_u16() < 500;
                        let _ = response.bytes().await;
                        if !ok {
                            errors += 1;
                        }
                    }
                    Err(_) => errors += 1,
                }
                latencies.push(t.elapsed().as_micros() as u64);
            }
            (latencies, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for worker in workers {
        let (latencies, e) = worker.await.expect("worker");
        all.extend(latencies);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_unstable();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    };
    Load {
        name: name.to_string(),
        requests: all.len(),
        errors,
        rps: all.len() as f64 / elapsed,
        p50_us: pct(0.50),
        p99_us: pct(0.99),
    }
}

fn signed(builder: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    builder.header("X-Sdk-Date", "20250301T000000Z").header(
        "Authorization",
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date, Signature=00",
    )
}

/// Runs `n` requests over `conns` connections.
async fn fill(conns: usize, n: usize, make: Request) {
    let client = reqwest::Client::new();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..conns {
        let (client, make, next) = (client.clone(), make.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let response = make(&client, i as u64).send().await.expect("answer");
                assert!(
                    response.status().is_success(),
                    "{}",
                    response.text().await.unwrap_or_default()
                );
            }
        }));
    }
    for worker in workers {
        worker.await.expect("worker");
    }
}

async fn ours(jobs: usize, conns: usize, secs: f64) -> (Vec<Load>, f64) {
    let profile = std::env::temp_dir().join(format!("serve-bench-{}.toml", std::process::id()));
    std::fs::write(
        &profile,
        "create_failure = 0.0\nstart_failure = 0.0\nfull_fault = 0.0\nfull_failure = 0.0\n\
         incremental_fault = 0.0\nincremental_failure = 0.0\nfull = [60, 120]\n",
    )
    .expect("profile");
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--port",
            "0",
            "--clock",
            "manual",
            "--quiet",
            "--profile",
        ])
        .arg(&profile)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("line");
    let base = line
        .trim()
        .trim_start_matches("serve: listening on ")
        .to_string();
    let server = Proc(child);
    let pid = server.0.id();
    let client = reqwest::Client::new();
    let before = rss_kib(pid);
    let b = base.clone();
    fill(
        conns,
        jobs,
        Arc::new(move |c: &reqwest::Client, i| {
            signed(c.post(format!("{b}/v5/{PROJECT}/jobs"))).json(&json!({"job": {
                "base_info": {"name": format!("job-{i}"), "task_type": "FULL_INCR_TRANS", "job_type": "migration",
                              "engine_type": "mysql", "net_type": "eip"},
                "source_endpoint": [{"db_type": "mysql"}], "target_endpoint": [{"db_type": "mysql"}]}}))
        }),
    )
    .await;
    let advance = |secs: u64| {
        client
            .post(format!("{base}/_emulator/v1/clock/advance"))
            .json(&json!({"seconds": secs}))
            .send()
    };
    advance(3600).await.expect("advance");
    let page: Value = signed(client.get(format!(
        "{base}/v5/{PROJECT}/jobs?job_type=migration&limit=1000&sort_dir=asc"
    )))
    .send()
    .await
    .expect("list")
    .json()
    .await
    .expect("json");
    let mut ids: Vec<String> = Vec::new();
    for offset in (0..jobs).step_by(1000) {
        let page: Value = signed(client.get(format!(
            "{base}/v5/{PROJECT}/jobs?job_type=migration&limit=1000&sort_dir=asc&offset={offset}"
        )))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
        for job in page["jobs"].as_array().into_iter().flatten() {
            ids.push(job["id"].as_str().unwrap_or_default().to_string());
        }
    }
    assert_eq!(
        ids.len(),
        jobs,
        "every job is listed: {}",
        page["total_count"]
    );
    let ids = Arc::new(ids);
    let b = base.clone();
    let list_ids = ids.clone();
    fill(
        conns,
        jobs,
        Arc::new(move |c: &reqwest::Client, i| {
            signed(c.post(format!(
                "{b}/v5/{PROJECT}/jobs/{}/action",
                list_ids[i as usize]
            )))
            .json(&json!({"job": {"action_name": "start"}}))
        }),
    )
    .await;
    advance(86_400).await.expect("advance");
    let after = rss_kib(pid);
    let per_job = (after.saturating_sub(before)) as f64 * 1024.0 / jobs as f64;

    let mut loads = Vec::new();
    let (b, i) = (base.clone(), ids.clone());
    let detail: Request = Arc::new(move |c: &reqwest::Client, r| {
        signed(c.get(format!(
            "{b}/v5/{PROJECT}/jobs/{}?type=job",
            i[(r % i.len() as u64) as usize]
        )))
    });
    loads.push(load("serve show_job_detail", conns, secs, detail.clone()).await);
    let (b, n) = (base.clone(), jobs as u64);
    let list: Request = Arc::new(move |c: &reqwest::Client, r| {
        signed(c.get(format!(
            "{b}/v5/{PROJECT}/jobs?job_type=migration&limit=10&offset={}",
            r % n
        )))
    });
    loads.push(load("serve list_jobs (10 of 10,000)", conns, secs, list.clone()).await);
    let (b, i) = (base.clone(), ids.clone());
    let mix: Request = Arc::new(move |c: &reqwest::Client, r| match r % 20 {
        0 => list(c, r >> 8),
        1 => {
            let action = if (r >> 8) % 2 == 0 { "stop" } else { "restart" };
            signed(c.post(format!(
                "{b}/v5/{PROJECT}/jobs/{}/action",
                i[((r >> 16) % i.len() as u64) as usize]
            )))
            .json(&json!({"job": {"action_name": action}}))
        }
        _ => detail(c, r >> 8),
    });
    loads.push(
        load(
            "serve mix (90 % detail, 5 % list, 5 % actions)",
            conns,
            secs,
            mix,
        )
        .await,
    );
    let _ = std::fs::remove_file(profile);
    (loads, per_job)
}

fn moto_server() -> Option<PathBuf> {
    let path = std::env::var_os("MOTO_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("target/moto-venv/bin/moto_server")
        });
    path.exists().then_some(path)
}

/// moto's version, asked of the Python beside its server.
fn moto_version(server: &Path) -> String {
    let python = server.with_file_name("python");
    Command::new(python)
        .args(["-c", "import moto; print(moto.__version__)"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "?".into())
}

fn dms(c: &reqwest::Client, base: &str, target: &str, body: Value) -> reqwest::RequestBuilder {
    c.post(format!("{base}/"))
        .header("X-Amz-Target", format!("AmazonDMSv20160101.{target}"))
        .header("Content-Type", "application/x-amz-json-1.1")
        .header(
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250301/us-east-1/dms/aws4_request, SignedHeaders=host;x-amz-date, Signature=00",
        )
        .header("X-Amz-Date", "20250301T000000Z")
        .body(body.to_string())
}

async fn moto(path: &Path, jobs: usize, conns: usize, secs: f64) -> Option<(Vec<Load>, f64)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    let child = Command::new(path)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let server = Proc(child);
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for _ in 0..300 {
        if client.get(format!("{base}/moto-api/")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let pid = server.0.id();
    let before = rss_kib(pid);
    let b = base.clone();
    fill(
        conns,
        jobs,
        Arc::new(move |c: &reqwest::Client, i| {
            dms(
                c,
                &b,
                "CreateReplicationTask",
                json!({
                    "ReplicationTaskIdentifier": format!("task-{i}"),
                    "SourceEndpointArn": "arn:aws:dms:us-east-1:123456789012:endpoint:SRC",
                    "TargetEndpointArn": "arn:aws:dms:us-east-1:123456789012:endpoint:TGT",
                    "ReplicationInstanceArn": "arn:aws:dms:us-east-1:123456789012:rep:INST",
                    "MigrationType": "full-load-and-cdc",
                    "TableMappings": "{\"rules\":[]}"
                }),
            )
        }),
    )
    .await;
    let after = rss_kib(pid);
    let per_job = (after.saturating_sub(before)) as f64 * 1024.0 / jobs as f64;
    let mut loads = Vec::new();
    let (b, n) = (base.clone(), jobs as u64);
    let detail: Request = Arc::new(move |c: &reqwest::Client, r| {
        dms(
            c,
            &b,
            "DescribeReplicationTasks",
            json!({
                "Filters": [{"Name": "replication-task-id", "Values": [format!("task-{}", r % n)]}]
            }),
        )
    });
    loads.push(
        load(
            "moto DescribeReplicationTasks (one, by id)",
            conns,
            secs,
            detail,
        )
        .await,
    );
    let b = base.clone();
    let list: Request = Arc::new(move |c: &reqwest::Client, _| {
        dms(c, &b, "DescribeReplicationTasks", json!({"MaxRecords": 20}))
    });
    loads.push(
        load(
            "moto DescribeReplicationTasks (MaxRecords 20)",
            conns,
            secs,
            list,
        )
        .await,
    );
    Some((loads, per_job))
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let load_before = load_average();
    let jobs = env_or("SERVE_BENCH_JOBS", 10_000);
    let conns = env_or("SERVE_BENCH_CONNS", 16);
    let secs = env_or("SERVE_BENCH_SECS", 5) as f64;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (ours, our_mem) = runtime.block_on(ours(jobs, conns, secs));
    let moto_path = moto_server();
    let theirs = moto_path
        .as_ref()
        .and_then(|path| runtime.block_on(moto(path, jobs, conns, secs)));
    let load_after = load_average();
    let mut out = String::new();
    out.push_str(&format!(
        "Load on loopback, {conns} connections, {secs} s per line, {jobs} jobs; serve (release build, \
         --clock manual) and moto's server in the same run, one after the other, on the same machine \
         ({} cores, 1-minute load average {load_before} before and {load_after} after; the load generator \
         shares the cores).\n\n",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    ));
    out.push_str(
        "| load | requests | errors | requests/s | p50 | p99 |\n|---|---:|---:|---:|---:|---:|\n",
    );
    let row = |l: &Load| {
        format!(
            "| {} | {} | {} | {:.0} | {:.2} ms | {:.2} ms |\n",
            l.name,
            l.requests,
            l.errors,
            l.rps,
            l.p50_us as f64 / 1000.0,
            l.p99_us as f64 / 1000.0
        )
    };
    for l in &ours {
        out.push_str(&row(l));
    }
    if let Some((loads, _)) = &theirs {
        for l in loads {
            out.push_str(&row(l));
        }
    }
    out.push_str(&format!("\nMemory per job: serve {our_mem:.0} bytes (resident set growth over creating and starting {jobs} jobs)"));
    match &theirs {
        Some((loads, moto_mem)) => {
            let version = moto_path.as_deref().map_or_else(|| "?".into(), moto_version);
            out.push_str(&format!(
                ", moto {version} {moto_mem:.0} bytes per replication task.\n\n"
            ));
            out.push_str(&format!(
                "Ratios (serve / moto, requests/s): show_job_detail vs DescribeReplicationTasks by id {:.1}x; \
                 list_jobs (page of 10) vs DescribeReplicationTasks (MaxRecords 20) {:.1}x.\n",
                ours[0].rps / loads[0].rps.max(f64::MIN_POSITIVE),
                ours[1].rps / loads[1].rps.max(f64::MIN_POSITIVE),
            ));
        }
        None => out.push_str(".\n\nmoto's server not found (pip install 'moto[server]' into target/moto-venv, or set MOTO_SERVER): no ratio.\n"),
    }
    out.push_str(
        "\nReading it: both servers answer one request at a time per connection, over HTTP/1.1 on \
         loopback, to the same Rust client. serve's detail is an index lookup and its list reads an \
         index of the project's listed jobs (only the page is looked at); moto filters its list of \
         tasks in Python on every call. Latencies include queueing behind 15 other connections on \
         2 shared cores; the ratio, measured in the same run, is the figure to compare.\n",
    );
    println!("{out}");
    if std::env::var_os("SERVE_BENCH_REPORT").is_some() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("reports/serve-load.md");
        let text = format!(
            "# `serve` under load, beside moto\n\n`SERVE_BENCH_REPORT=1 cargo bench --bench serve` wrote this \
             (benches/serve.rs says how).\n\n{out}"
        );
        std::fs::write(&path, text).expect("write the report");
        eprintln!("wrote {}", path.display());
    }
}
