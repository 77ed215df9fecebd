//! `drs-lifecycle serve`: a local DRS endpoint that speaks the real API, for the code that
//! calls DRS (a script on the official SDK, a Terraform provider, a poller).
//!
//! Three layers (design, version 3):
//!
//! - [`api`]: the request and answer shapes, mirroring the official SDK's models
//!   (`huaweicloudsdkdrs` 3.1.219), nothing else;
//! - [`service`]: a [`ControlPlane`] (the reference engine by default, any implementation
//!   of the trait otherwise), a clock passed in, the specification's observations, the
//!   service's own seeded life ([`profile`]), service faults and the recorder;
//! - [`http`]: axum on tokio, the DRS paths, the emulator's control API under
//!   `/_emulator/v1/` (not part of DRS), and a real service's manners.
//!
//! Serving another control plane is one call: [`serve`] with a function that makes an
//! empty plane (`docs/serve.md` has the recipe).

pub mod api;
pub mod http;
pub mod profile;
pub mod service;
pub mod sign;

use std::fs::{self, File};
use std::io::{BufWriter, ErrorKind};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

pub use http::{ClockMode, HttpSettings, Shared, router};
pub use profile::Profile;
pub use service::{Ms, Service};

use crate::plane::ControlPlane;
use crate::simulate::ServiceFault;

/// The default body limit: 1 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 1 << 20;

/// Everything `serve` is started with.
#[derive(Clone, Debug)]
pub struct Options {
    /// The address to listen on (loopback unless `allow_remote`).
    pub addr: IpAddr,
    /// The port (0: any free one).
    pub port: u16,
    /// Allow a non-loopback address.
    pub allow_remote: bool,
    /// The clock.
    pub clock: ClockMode,
    /// The emulated time at start (ignored when resuming a saved state).
    pub start: Ms,
    /// The seed of the service's durations, outcomes and job ids.
    pub seed: u64,
    /// The service's durations and failure rates.
    pub profile: Profile,
    /// Verify signatures with this access key and secret key.
    pub keys: Option<(String, String)>,
    /// The largest request body, in bytes.
    pub body_limit: usize,
    /// Record the traffic as a history here.
    pub record: Option<PathBuf>,
    /// Resume from this file when it exists, and save to it on shutdown.
    pub state: Option<PathBuf>,
    /// Make the service misbehave once.
    pub fault: Option<ServiceFault>,
}

/// Runs the endpoint over planes made by `empty` until SIGINT or SIGTERM; `ready` is told
/// the address once it listens. Errors are one line for people.
pub fn serve<P, F>(empty: F, options: Options, ready: impl FnOnce(SocketAddr)) -> Result<(), String>
where
    P: ControlPlane + Send + 'static,
    F: Fn() -> P,
{
    if !options.addr.is_loopback() && !options.allow_remote {
        return Err(format!(
            "refusing to listen on {}: the emulator is for local tests and its keys are not a real IAM; use a loopback address (127.0.0.1, ::1) or --allow-remote",
            options.addr
        ));
    }
    if let Some(problem) = options.profile.problem() {
        return Err(format!("profile: {problem}"));
    }
    let mut service = match &options.state {
        Some(path) if path.exists() => {
            let text = fs::read_to_string(path)
                .map_err(|error| format!("cannot read the state {}: {error}", path.display()))?;
            Service::restore(&text, empty(), options.profile.clone()).map_err(|error| {
                format!("the state {} cannot be resumed: {error}", path.display())
            })?
        }
        _ => Service::new(
            empty(),
            options.profile.clone(),
            options.seed,
            options.start,
        ),
    };
    if options.fault.is_some() {
        service.set_fault(options.fault);
    }
    if let Some(path) = &options.record {
        let file = File::create(path)
            .map_err(|error| format!("cannot create the recording {}: {error}", path.display()))?;
        service
            .record_to(Box::new(BufWriter::new(file)))
            .map_err(|error| format!("cannot write the recording {}: {error}", path.display()))?;
    }
    let settings = HttpSettings {
        clock: options.clock,
        keys: options.keys.clone(),
        body_limit: options.body_limit,
    };
    let shared = Arc::new(Shared::new(service, settings));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|error| format!("cannot start the runtime: {error}"))?;
    let addr = SocketAddr::new(options.addr, options.port);
    runtime.block_on(async {
        let listener = match tokio::net::TcpListener::bind(addr).await {
            Ok(listener) => listener,
            Err(error) if error.kind() == ErrorKind::AddrInUse => {
                let free = std::net::TcpListener::bind(SocketAddr::new(options.addr, 0))
                    .and_then(|l| l.local_addr())
                    .map(|a| format!("; port {} is free: --port {}", a.port(), a.port()))
                    .unwrap_or_default();
                return Err(format!(
                    "port {} on {} is busy{free}",
                    options.port, options.addr
                ));
            }
            Err(error) => return Err(format!("cannot listen on {addr}: {error}")),
        };
        let local = listener
            .local_addr()
            .map_err(|error| format!("cannot read the listening address: {error}"))?;
        ready(local);
        let app = router(shared.clone());
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown_signal())
            .await
            .map_err(|error| format!("the server stopped: {error}"))
    })?;
    let mut service = shared.service();
    service
        .flush()
        .map_err(|error| format!("cannot flush the recording: {error}"))?;
    if let Some(path) = &options.state {
        let tmp = path.with_extension("tmp");
        fs::write(&tmp, service.save())
            .and_then(|()| fs::rename(&tmp, path))
            .map_err(|error| format!("cannot save the state to {}: {error}", path.display()))?;
        eprintln!(
            "serve: saved {} job(s) at {} to {}",
            service.job_count(),
            crate::history::format_time(service.now()),
            path.display()
        );
    }
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
