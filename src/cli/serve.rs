//! `tifa serve`: the web page and JSON API (see `tifa::server`).

use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

use anyhow::Result;
use clap::Args;

use tifa::server::{self, ServeOptions};

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on; the default reaches this machine only.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Port (0 picks a free one; the address is printed first).
    #[arg(long, default_value_t = 8717)]
    pub port: u16,
    /// Seconds of work a request may take before it is given up with a message.
    #[arg(long, default_value_t = 30)]
    pub time_budget: u64,
    /// A host name the server answers to besides its address and localhost
    /// (e.g. a shared server's DNS name); repeat for several. Requests naming
    /// any other host get 421 (a defence against DNS rebinding).
    #[arg(long = "allow-host", value_name = "NAME")]
    pub allow_hosts: Vec<String>,
    /// Seconds after which a connection that sends and receives nothing is
    /// closed (at least the time budget and 5).
    #[arg(long, default_value_t = tifa::server::IDLE_TIMEOUT.as_secs())]
    pub idle_timeout: u64,
    /// An extra families file (TOML, like corpus/families.toml) whose @name
    /// words every page takes (search, concordance, trace, timeline, report,
    /// the families page) besides the built-in ones; read again by each
    /// request that names an @family, so edits show without a restart.
    #[arg(long, value_name = "FILE")]
    pub families: Option<std::path::PathBuf>,
}

pub fn run(dir: &Path, args: ServeArgs) -> Result<()> {
    server::run(
        dir,
        &ServeOptions {
            bind: args.bind,
            port: args.port,
            time_budget: Duration::from_secs(args.time_budget.max(1)),
            allow_hosts: args.allow_hosts,
            idle_timeout: Duration::from_secs(args.idle_timeout.max(1)),
            families: args.families,
        },
    )
}
