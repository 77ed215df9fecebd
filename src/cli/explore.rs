//! `drs-lifecycle explore [CONFIG]`: serve stateright's Explorer for a model.
//!
//! stateright's `serve` never returns and panics when its port is taken, so this command
//! checks the address first and turns every problem into a one-line error. The Explorer's
//! checker is on demand: its property list says "Searching" until someone presses "Run to
//! completion". For models small enough (the shipped lifecycle and small fleets) this
//! command asks the server to run to completion as soon as it answers, so the properties
//! are there when the page opens.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use stateright::Model;

use crate::check::config::{Subject, parse};
use crate::check::load;

use super::{CliError, ExploreArgs, outln};

/// The configuration explored by default: `models/lifecycle.toml`.
const LIFECYCLE_PATH: &str = "models/lifecycle.toml";
const LIFECYCLE: &str = include_str!("../../models/lifecycle.toml");

/// Models with at most this many (pinned) unique states are checked at once.
const RUN_AT_ONCE_LIMIT: usize = 1_000_000;

pub fn explore(args: ExploreArgs) -> Result<ExitCode, CliError> {
    let (config, name) = match &args.config {
        // The shipped lifecycle configuration, built in so that `explore` works from any
        // directory.
        None => (
            parse(Path::new(LIFECYCLE_PATH), LIFECYCLE)?,
            "the lifecycle of one task (all modes)".to_string(),
        ),
        Some(path) => (load(path)?, path.display().to_string()),
    };
    let pinned = config.expect.unique_states;

    let addr = resolve(&args.addr)?;
    if !addr.ip().is_loopback() {
        if !args.allow_remote {
            return Err(CliError::input(format!(
                "{addr} is not a loopback address: the Explorer has no authentication, so anyone who can reach it can use it; pass --allow-remote to listen there anyway"
            )));
        }
        eprintln!(
            "warning: the Explorer listens on {addr}, reachable from other machines, without authentication"
        );
    }
    // stateright panics if the port is taken: find out first.
    match TcpListener::bind(addr) {
        Ok(listener) => drop(listener),
        Err(error) if error.kind() == std::io::ErrorKind::AddrInUse => {
            return Err(CliError::input(format!(
                "{addr} is already in use (another Explorer?): stop it, or choose another port with --addr 127.0.0.1:3001"
            )));
        }
        Err(error) => {
            return Err(CliError::input(format!(
                "cannot listen on {addr}: {error}; choose another address with --addr"
            )));
        }
    }
    let run_at_once = !args.no_run && pinned.is_some_and(|n| n <= RUN_AT_ONCE_LIMIT);
    if std::path::Path::new("ui").exists() {
        eprintln!(
            "warning: a ui/ folder in the working directory replaces the Explorer's page; run from another directory if the page looks wrong"
        );
    }
    match &config.subject {
        // The Explorer lists every offered action; 26 refused events per task would bury
        // the few that matter, so it offers only the commands that change something.
        Subject::Fleet(model) => serve(model.clone().enabled_only(), &name, addr, run_at_once),
        // One property per claim, and stateright's sequence diagrams of the messages.
        Subject::Actors(system) => serve(system.clone().into_model(true), &name, addr, run_at_once),
    }
}

fn serve<M>(model: M, name: &str, addr: SocketAddr, run_at_once: bool) -> Result<ExitCode, CliError>
where
    M: Model + Send + Sync + 'static,
    M::State: std::hash::Hash + Clone + PartialEq + std::fmt::Debug + Send + Sync + 'static,
    M::Action: Clone + PartialEq + std::fmt::Debug + Send + Sync + 'static,
{
    let properties = model.properties().len();
    outln!("Explorer for {name}");
    outln!("open http://{addr}/");
    if run_at_once {
        outln!("checking all {properties} properties now; the list fills in within seconds");
        std::thread::spawn(move || run_to_completion(addr));
    } else {
        outln!(
            "the properties are checked when you press \"Run to completion\" (this model is large or unpinned; that may take long)"
        );
    }
    outln!("stop with Ctrl-C");
    model.checker().threads(1).serve(addr);
    Ok(ExitCode::SUCCESS)
}

fn resolve(text: &str) -> Result<SocketAddr, CliError> {
    let mut addrs = text.to_socket_addrs().map_err(|error| {
        CliError::input(format!(
            "cannot use --addr {text:?}: {error}; give HOST:PORT, for example 127.0.0.1:3000"
        ))
    })?;
    addrs.next().ok_or_else(|| {
        CliError::input(format!(
            "--addr {text:?} resolves to no address; give HOST:PORT"
        ))
    })
}

/// Waits until the Explorer answers, then asks it to run its checker to completion.
fn run_to_completion(addr: SocketAddr) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            let request = format!(
                "POST /.runtocompletion HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            if stream.write_all(request.as_bytes()).is_ok() {
                let mut response = Vec::new();
                let _ = stream.read_to_end(&mut response);
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    eprintln!("warning: the Explorer did not answer; press \"Run to completion\" on the page");
}

/// The default address.
pub const DEFAULT_ADDR: &str = "127.0.0.1:3000";
