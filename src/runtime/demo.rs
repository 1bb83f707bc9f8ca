//! `shipdeck demo`: the simulator with the casino story in this process, a kubeconfig for
//! it in a temporary folder, its own metrics and flags, and the normal UI against it
//! through the real Kubernetes client.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};

use super::app::{self, SessionSetup};
use super::demo_prom::{self, Prometheus};
use super::startup;
use crate::adapters::clock::Clock;
use crate::adapters::{kube as kube_adapter, log};
use crate::cli::{DemoArgs, GlobalArgs};
use crate::config::{Config, ConfigDuration, EnvLookup};
use crate::sim::traffic::series::TrafficSeries as _;
use crate::sim::{self, SimConfig, SimHandle, kubeconfig};
use crate::theme::ColorDepth;

/// A frozen demo replays on this wall time (03:00 in a war room), so screenshots are the
/// same on every run.
pub fn frozen_epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 2, 58, 30)
        .single()
        .unwrap_or_else(Utc::now)
}

/// The namespaces of the casino story.
const NAMESPACES: [&str; 2] = ["casino-prod", "casino-staging"];

/// The flag that is the platform's read-only switch in the casino world.
const PLATFORM_FLAG: &str = "platform-read-only";

fn usage_error(e: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("shipdeck demo: {e}");
    ExitCode::from(2)
}

pub fn main(global: &GlobalArgs, args: &DemoArgs, env: &EnvLookup) -> ExitCode {
    let _ = rustls::crypto::ring::default_provider().install_default();
    if global.context.is_some() || !global.namespaces.is_empty() || global.all_namespaces {
        eprintln!(
            "shipdeck demo: --context, -n and -A are ignored: the demo only talks to its own simulator"
        );
    }
    if !(args.speed.is_finite() && args.speed > 0.0) {
        return usage_error(&format!(
            "--speed {}: give a positive number (1 is real time, 2 twice as fast)",
            args.speed
        ));
    }
    let depth = ColorDepth::detect(
        std::env::var("NO_COLOR").ok().as_deref(),
        std::env::var("COLORTERM").ok().as_deref(),
    );
    let prepared = match startup::prepare(global, None, env, depth) {
        Ok(p) => p,
        Err(e) => return usage_error(&e),
    };
    let dir = match tempfile::Builder::new().prefix("shipdeck-demo-").tempdir() {
        Ok(d) => d,
        Err(e) => return usage_error(&format!("cannot create a temporary folder: {e}")),
    };
    let stderr_to = prepared.log_path.as_ref().and_then(|p| {
        log::init(p, &prepared.loaded.config.log.level)
            .map_err(|e| eprintln!("shipdeck demo: warning: {e}; continuing without a log file"))
            .ok()
    });
    let rt = match super::tokio_runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("shipdeck demo: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = rt.block_on(run(
        global.clone(),
        args.clone(),
        prepared,
        dir.path(),
        depth,
        stderr_to,
    ));
    if let Some(info) = &args.info_file {
        let _ = std::fs::remove_file(info);
    }
    drop(dir);
    code
}

/// Where metrics come from.
enum Metrics {
    Simulated(String),
    Prometheus(Box<Prometheus>),
}

impl Metrics {
    fn label(&self) -> String {
        match self {
            Self::Simulated(why) => format!("metrics: simulated{why}"),
            Self::Prometheus(p) => format!("metrics: {}", p.label),
        }
    }
}

async fn run(
    global: GlobalArgs,
    args: DemoArgs,
    mut prepared: startup::Prepared,
    dir: &Path,
    depth: ColorDepth,
    stderr_to: Option<std::fs::File>,
) -> ExitCode {
    let frozen = args.freeze_at.is_some();
    if let Some(at) = args.freeze_at {
        eprintln!(
            "shipdeck demo: replaying the story to {}…",
            humantime::format_duration(at)
        );
    }
    let sim = match sim::start(SimConfig {
        listen: args.listen,
        scenario: "casino".to_string(),
        speed: args.speed,
        seed: args.seed,
        epoch: frozen.then(frozen_epoch),
        freeze_at: args.freeze_at,
        ..SimConfig::default()
    })
    .await
    {
        Ok(h) => h,
        Err(e) => return usage_error(&e),
    };
    let kc = dir.join("kubeconfig");
    if let Err(e) = kubeconfig::write(&kc, &sim.kubeconfig("sim-operator", sim.namespace), true) {
        sim.stop().await;
        return usage_error(&e);
    }
    let metrics = metrics_for(&args, &sim, dir).await;
    let sim_http = format!("http://{}", sim.addr);
    let prom_url = match &metrics {
        Metrics::Prometheus(p) => p.url.clone(),
        Metrics::Simulated(_) => sim_http.clone(),
    };
    let audit = args
        .audit
        .clone()
        .unwrap_or_else(|| dir.join("audit.jsonl"));
    prepared.loaded.config = demo_config(&prepared.loaded.config, &prom_url, &audit);
    prepared.audit_path = audit.clone();
    let target = match kube_adapter::resolve(
        Some(&OsString::from(kc.as_os_str())),
        None,
        Some("sim-operator"),
    ) {
        Ok(t) => t,
        Err(e) => {
            stop(metrics, sim).await;
            return usage_error(&e);
        }
    };
    if let Some(path) = &args.info_file {
        let info = serde_json::json!({
            "api_url": sim.url,
            "kubeconfig": kc,
            "metrics_url": sim_http,
            "prometheus_url": match &metrics { Metrics::Prometheus(p) => Some(p.url.clone()), Metrics::Simulated(_) => None },
            "audit_path": audit,
            "frozen_at": args.freeze_at.map(|d| d.as_secs_f64()),
        });
        if let Err(e) = write_info(path, &info) {
            stop(metrics, sim).await;
            return usage_error(&e);
        }
    }
    install_cleanup(dir, &args, &metrics);
    let clock = if frozen {
        let shared = sim.shared.clone();
        let clock = Clock::Stopped(Arc::new(move || shared.timeline.now()));
        crate::adapters::clock::install(clock.clone());
        clock
    } else {
        Clock::Wall
    };
    let mut global = global;
    global.context = None;
    global.all_namespaces = false;
    global.namespaces = NAMESPACES.iter().map(|s| s.to_string()).collect();
    global.config = None;
    tracing::info!(api = %sim.url, metrics = %metrics.label(), "demo");
    let code = app::run_session(SessionSetup {
        global,
        prepared,
        target,
        depth,
        stderr_to,
        clock,
        banner: Some(format!("DEMO · casino · {}", metrics.label())),
        first_run_hint: true,
    })
    .await;
    stop(metrics, sim).await;
    code
}

async fn stop(metrics: Metrics, sim: SimHandle) {
    if let Metrics::Prometheus(p) = metrics {
        p.stop().await;
    }
    sim.stop().await;
}

/// A real Prometheus when one is found and starts; else the simulator's query endpoint
/// (saying why in the header when Prometheus was there but failed).
async fn metrics_for(args: &DemoArgs, sim: &SimHandle, dir: &Path) -> Metrics {
    if args.freeze_at.is_some() {
        return Metrics::Simulated(" (frozen)".to_string());
    }
    if args.no_prometheus {
        return Metrics::Simulated(String::new());
    }
    let bins = match demo_prom::find(args.prometheus_bin.as_deref()) {
        Ok(Some(b)) => b,
        Ok(None) => return Metrics::Simulated(String::new()),
        Err(e) => {
            eprintln!("shipdeck demo: {e}; using simulated metrics");
            return Metrics::Simulated(" (Prometheus not usable)".to_string());
        }
    };
    // The traffic controller adds the workloads on the world's first ticks.
    let mut history = String::new();
    for _ in 0..40 {
        if let Ok(w) = sim.shared.world.lock()
            && !w.metrics.traffic.workloads().is_empty()
        {
            history = demo_prom::history(&w.metrics.traffic);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    eprintln!("shipdeck demo: starting Prometheus (backfilling an hour of history)…");
    match demo_prom::start(&bins, sim.addr, &history, &dir.join("prometheus")).await {
        Ok(p) => Metrics::Prometheus(Box::new(p)),
        Err(e) => {
            tracing::warn!(error = %e, "demo: Prometheus did not start");
            eprintln!("shipdeck demo: {e}; using simulated metrics");
            Metrics::Simulated(" (Prometheus failed to start)".to_string())
        }
    }
}

/// The demo's configuration: the user's `[ui]` and `[keys]` (the theme is in `[ui]`),
/// everything else its own.
pub fn demo_config(user: &Config, prometheus_url: &str, audit: &Path) -> Config {
    let mut c = Config {
        ui: user.ui.clone(),
        keys: user.keys.clone(),
        log: user.log.clone(),
        ..Config::default()
    };
    c.prometheus.url = prometheus_url.to_string();
    c.prometheus.interval = ConfigDuration(std::time::Duration::from_secs(2));
    c.rules.window = ConfigDuration(std::time::Duration::from_secs(20));
    c.flags.flagd.enabled = true;
    c.platform.read_only_flag = PLATFORM_FLAG.to_string();
    c.audit.path = Some(audit.to_path_buf());
    c
}

fn write_info(path: &Path, info: &serde_json::Value) -> Result<(), String> {
    let text = serde_json::to_string_pretty(info).map_err(|e| e.to_string())?;
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| format!("--info-file {}: {e}", path.display()))
}

/// On a panic the process exits without unwinding: stop Prometheus and remove the
/// temporary files from the hook.
fn install_cleanup(dir: &Path, args: &DemoArgs, metrics: &Metrics) {
    let dir: PathBuf = dir.to_path_buf();
    let info = args.info_file.clone();
    let pid = match metrics {
        Metrics::Prometheus(p) => p.pid().and_then(|p| i32::try_from(p).ok()),
        Metrics::Simulated(_) => None,
    };
    app::install_panic_hook(Some(Box::new(move || {
        if let Some(pid) = pid {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGTERM,
            );
        }
        if let Some(i) = &info {
            let _ = std::fs::remove_file(i);
        }
        let _ = std::fs::remove_dir_all(&dir);
    })));
}
