//! `drs-lifecycle serve`: a local DRS endpoint speaking the real API (docs/serve.md).

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use super::CliError;
use crate::engine::Fleet;
use crate::serve::{ClockMode, DEFAULT_BODY_LIMIT, Options, Profile, serve as run_serve};
use crate::simulate::{EPOCH_MS, ServiceFault};

/// How the emulated clock moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ClockArg {
    /// Emulated time runs `--speed` times as fast as the wall.
    Wall,
    /// Only `POST /_emulator/v1/clock/advance` moves it (deterministic tests).
    Manual,
}

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    drs-lifecycle serve                                  # http://127.0.0.1:8080, real time\n  \
    drs-lifecycle serve --speed 60                       # an hour of the service's life per minute\n  \
    drs-lifecycle serve --clock manual --record h.jsonl  # deterministic; then: drs-lifecycle validate h.jsonl\n  \
    drs-lifecycle serve --ak AK --sk SK --state drs.json # verify signatures; resume after a restart\n\n\
Point the SDK at it: DrsClient.new_builder().with_credentials(BasicCredentials(ak, sk, project_id))\n\
.with_endpoints([\"http://127.0.0.1:8080\"]). The emulator's own control API (clock, billing,\n\
faults, snapshot; not DRS) is under /_emulator/v1/. Every project id is an account.\n\n\
Exit status: 0 stopped by SIGINT/SIGTERM (state saved), 2 bad arguments, a busy port or an\n\
unreadable state.")]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub addr: IpAddr,
    /// The port (0: any free one; the line `serve: listening on http://…` names it).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Allow a non-loopback address.
    #[arg(long)]
    pub allow_remote: bool,
    /// How the emulated clock moves.
    #[arg(long, value_enum, default_value_t = ClockArg::Wall)]
    pub clock: ClockArg,
    /// With the wall clock: emulated time runs N times as fast.
    #[arg(long, value_name = "N", default_value_t = 1.0)]
    pub speed: f64,
    /// The emulated time at start (RFC 3339 or milliseconds); default: the wall clock's now,
    /// or 2025-03-01T00:00:00Z with `--clock manual`.
    #[arg(long, value_name = "TIME")]
    pub start: Option<String>,
    /// The seed of the service's durations, outcomes and job ids.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// A TOML profile of durations and failure rates (docs/serve.md lists the fields).
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// Verify signatures with this access key (needs --sk).
    #[arg(long, value_name = "AK", requires = "sk")]
    pub ak: Option<String>,
    /// Verify signatures with this secret key (needs --ak).
    #[arg(long, value_name = "SK", requires = "ak")]
    pub sk: Option<String>,
    /// The largest request body accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_BODY_LIMIT)]
    pub body_limit: usize,
    /// Record the traffic as a history (`validate` reads it).
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Resume from FILE when it exists; save to it on SIGINT/SIGTERM.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Make the service break the lifecycle once (the simulator's faults).
    #[arg(long, value_enum, value_name = "NAME")]
    pub service_fault: Option<ServiceFault>,
    /// No request log (warnings only).
    #[arg(long)]
    pub quiet: bool,
}

pub fn serve(args: ServeArgs) -> Result<ExitCode, CliError> {
    if !(args.speed.is_finite() && args.speed > 0.0 && args.speed <= 1e6) {
        return Err(CliError::input(format!(
            "--speed {} is impossible: more than 0, at most 1000000",
            args.speed
        )));
    }
    let profile = match &args.profile {
        None => Profile::default(),
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|error| {
                CliError::input(format!(
                    "cannot read the profile {}: {error}",
                    path.display()
                ))
            })?;
            Profile::from_toml(&text)
                .map_err(|error| CliError::input(format!("profile {}: {error}", path.display())))?
        }
    };
    let clock = match args.clock {
        ClockArg::Manual => ClockMode::Manual,
        ClockArg::Wall => ClockMode::Wall { speed: args.speed },
    };
    let start = match &args.start {
        Some(text) => crate::history::parse_time(text)
            .map_err(|error| CliError::input(format!("--start {text:?}: {error}")))?,
        None if args.clock == ClockArg::Manual => EPOCH_MS,
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(EPOCH_MS, |d| d.as_millis() as i64),
    };
    let level = if args.quiet {
        tracing::Level::WARN
    } else {
        tracing::Level::INFO
    };
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(level)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
    let options = Options {
        addr: args.addr,
        port: args.port,
        allow_remote: args.allow_remote,
        clock,
        start,
        seed: args.seed,
        profile,
        keys: args.ak.zip(args.sk),
        body_limit: args.body_limit,
        record: args.record,
        state: args.state,
        fault: args.service_fault,
    };
    run_serve(Fleet::new, options, |addr| {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "serve: listening on http://{addr}");
        let _ = out.flush();
    })
    .map_err(CliError::input)?;
    Ok(ExitCode::SUCCESS)
}
