//! `shipdeck demo`: its arguments and its help.

use std::path::PathBuf;

use clap::Args;

pub(super) const DEMO_ABOUT: &str = "The whole product on the embedded casino world: starts \
the simulator in this process, writes a temporary kubeconfig for it and runs the normal UI \
against it through the real Kubernetes client. No cluster needed; nothing real is touched.";

pub(super) const DEMO_HELP: &str = "The story (sim time; --speed divides it):
  t=5s   game-engine (critical) starts a canary; at ~60s it waits at 50% for approval (a)
  t=10s  payments (critical) starts a canary; from t=60s it regresses (5xx x8, p99 x3):
         the critical alert fires; press R to roll it back
  t=15s  lobby's blue-green preview is ready and waits for promotion
         bonus (Flagger) progresses and waits at its confirm-promotion gate
  flags (3): new-slot-ui, jackpot-banner, bonus-wheel, platform-read-only (M)

Isolation: the demo's kube client is built only from the kubeconfig it writes (KUBECONFIG,
--context and -n are ignored); from your config it takes only [ui], [keys] and the theme.
Its Prometheus and flag backends are its own. Metrics come from a real Prometheus when
`prometheus` and `promtool` are on PATH (or --prometheus-bin), with an hour of
pre-release history backfilled; otherwise from the simulator's query endpoint. The header
says which. Everything it starts is stopped and its temporary files removed on exit.

Examples:
  shipdeck demo                         the live story at real speed
  shipdeck demo --speed 3               three times faster
  shipdeck demo --readonly              a war-room screen: no dangerous key works
  shipdeck demo --freeze-at 90s         the story at 90s, clock stopped (screenshots)
  shipdeck demo --info-file /tmp/d.json scripts read the simulator's URLs from the file";

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Sim clock speed: every duration of the story is divided by it. Example: --speed 2
    #[arg(long, value_name = "F", default_value_t = 1.0)]
    pub speed: f64,

    /// Seed for everything random (pod names, metric noise). Example: --seed 7
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub seed: u64,

    /// Address of the simulator (port 0 picks a free one). Example: --listen 127.0.0.1:8443
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub listen: std::net::SocketAddr,

    /// Write JSON with api_url, kubeconfig, metrics_url, prometheus_url and audit_path
    /// once everything is up (removed on exit). Example: --info-file /tmp/demo.json
    #[arg(long, value_name = "PATH")]
    pub info_file: Option<PathBuf>,

    /// Run the story to this sim time, then stop the clock (and the UI's clock) there:
    /// ages, countdowns and metrics stand still, timestamps are the same on every run.
    /// Implies simulated metrics. Example: --freeze-at 90s
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub freeze_at: Option<std::time::Duration>,

    /// Audit file (default: one in the demo's temporary folder, removed on exit).
    /// Example: --audit ./demo-audit.jsonl
    #[arg(long, value_name = "PATH")]
    pub audit: Option<PathBuf>,

    /// The Prometheus binary (default: `prometheus` on PATH; `promtool` is looked for next
    /// to it, then on PATH). Example: --prometheus-bin /opt/prometheus/prometheus
    #[arg(long, value_name = "PATH", conflicts_with = "no_prometheus")]
    pub prometheus_bin: Option<PathBuf>,

    /// Do not start Prometheus: metrics come from the simulator's query endpoint.
    #[arg(long)]
    pub no_prometheus: bool,
}

fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    humantime::parse_duration(s).map_err(|e| format!("{e} (examples: 90s, 2m, 1m30s)"))
}
