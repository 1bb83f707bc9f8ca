//! The demo's own Prometheus: found on PATH (or `--prometheus-bin`), an hour of
//! pre-release history backfilled with `promtool tsdb create-blocks-from openmetrics`,
//! started on a free 127.0.0.1 port scraping the simulator, stopped with the demo.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use crate::sim::traffic::{backfill, model::HISTORY};

/// How long Prometheus may take to say it is ready.
const READY_WITHIN: Duration = Duration::from_secs(15);
/// Scrape (and history) resolution.
const SCRAPE_EVERY: &str = "2s";
const HISTORY_STEP: f64 = 15.0;

/// The two binaries the demo needs.
#[derive(Debug, Clone)]
pub struct Binaries {
    pub prometheus: PathBuf,
    pub promtool: PathBuf,
}

/// `--prometheus-bin`, else `prometheus` on PATH; `promtool` next to it, else on PATH.
pub fn find(explicit: Option<&Path>) -> Result<Option<Binaries>, String> {
    let prometheus = match explicit {
        Some(p) if p.is_file() => p.to_path_buf(),
        Some(p) => {
            return Err(format!(
                "--prometheus-bin {}: no such file; give the path of the prometheus binary, or leave the option out",
                p.display()
            ));
        }
        None => match on_path("prometheus") {
            Some(p) => p,
            None => return Ok(None),
        },
    };
    let beside = prometheus.with_file_name("promtool");
    let promtool = if beside.is_file() {
        Some(beside)
    } else {
        on_path("promtool")
    };
    match promtool {
        Some(promtool) => Ok(Some(Binaries {
            prometheus,
            promtool,
        })),
        None if explicit.is_some() => Err(format!(
            "no promtool next to {} nor on PATH (it backfills the history)",
            prometheus.display()
        )),
        None => Ok(None),
    }
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

/// A running Prometheus; killed when dropped.
pub struct Prometheus {
    child: tokio::process::Child,
    pub url: String,
    /// "Prometheus 2.42".
    pub label: String,
}

impl Prometheus {
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    pub async fn stop(mut self) {
        if let Some(pid) = self.child.id().and_then(|p| i32::try_from(p).ok()) {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGTERM,
            );
        }
        if tokio::time::timeout(Duration::from_secs(5), self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
    }
}

/// Backfills `history` (OpenMetrics text) and starts Prometheus in `dir`, scraping `sim`.
pub async fn start(
    bins: &Binaries,
    sim: SocketAddr,
    history: &str,
    dir: &Path,
) -> Result<Prometheus, String> {
    let version = version_of(&bins.prometheus).await?;
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let tsdb = dir.join("tsdb");
    let om = dir.join("history.om");
    std::fs::write(&om, history).map_err(|e| format!("cannot write {}: {e}", om.display()))?;
    let out = tokio::process::Command::new(&bins.promtool)
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(&om)
        .arg(&tsdb)
        .stdin(Stdio::null())
        .output()
        .await
        .map_err(|e| format!("cannot run {}: {e}", bins.promtool.display()))?;
    if !out.status.success() {
        return Err(format!(
            "promtool could not backfill the history: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    tracing::debug!(out = %String::from_utf8_lossy(&out.stdout), "promtool");
    let _ = std::fs::remove_file(&om);
    let port = free_port()?;
    let cfg = dir.join("prometheus.yml");
    let yml = format!(
        "global:\n  scrape_interval: {SCRAPE_EVERY}\n  evaluation_interval: {SCRAPE_EVERY}\n\
         scrape_configs:\n  - job_name: shipdeck-demo-sim\n    scheme: http\n    metrics_path: /metrics\n    \
         static_configs:\n      - targets: ['{sim}']\n"
    );
    std::fs::write(&cfg, yml).map_err(|e| format!("cannot write {}: {e}", cfg.display()))?;
    let log = std::fs::File::create(dir.join("prometheus.log"))
        .map_err(|e| format!("cannot create the Prometheus log: {e}"))?;
    let log2 = log.try_clone().map_err(|e| e.to_string())?;
    let child = tokio::process::Command::new(&bins.prometheus)
        .arg(format!("--config.file={}", cfg.display()))
        .arg(format!("--storage.tsdb.path={}", tsdb.display()))
        .arg("--storage.tsdb.retention.time=100y")
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg("--log.level=warn")
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log2)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", bins.prometheus.display()))?;
    let prom = Prometheus {
        child,
        url: format!("http://127.0.0.1:{port}"),
        label: format!("Prometheus {version}"),
    };
    match wait_ready(&prom.url).await {
        Ok(()) => Ok(prom),
        Err(e) => {
            let tail = std::fs::read_to_string(dir.join("prometheus.log")).unwrap_or_default();
            prom.stop().await;
            Err(format!("{e}; its log ends: {}", last_line(&tail)))
        }
    }
}

/// The history the simulator's traffic model implies for the hour before it started.
pub fn history(model: &crate::sim::traffic::model::TrafficModel) -> String {
    let to = model.origin;
    backfill::openmetrics(model, to - HISTORY + HISTORY_STEP, to, HISTORY_STEP)
}

fn last_line(text: &str) -> &str {
    text.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("(empty)")
}

/// "2.42" from `prometheus, version 2.42.0 (branch: ...)`.
async fn version_of(bin: &Path) -> Result<String, String> {
    let out = tokio::process::Command::new(bin)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .await
        .map_err(|e| format!("cannot run {} --version: {e}", bin.display()))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(parse_version(&text).unwrap_or_else(|| "(unknown version)".to_string()))
}

fn parse_version(text: &str) -> Option<String> {
    let v = text.split("version ").nth(1)?.split_whitespace().next()?;
    let mut parts = v.split('.');
    Some(format!("{}.{}", parts.next()?, parts.next()?))
}

fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port on 127.0.0.1: {e}"))
}

async fn wait_ready(url: &str) -> Result<(), String> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .map_err(|e| e.to_string())?;
    let deadline = tokio::time::Instant::now() + READY_WITHIN;
    loop {
        if let Ok(r) = http.get(format!("{url}/-/ready")).send().await
            && r.status().is_success()
        {
            return Ok(());
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(format!(
                "Prometheus did not become ready within {}s",
                READY_WITHIN.as_secs()
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::parse_version;

    #[test]
    fn the_version_line_gives_major_and_minor() {
        assert_eq!(
            parse_version(
                "prometheus, version 2.42.0+ds (branch: debian/sid, revision: 2.42.0+ds-5)\n  build user: x"
            ),
            Some("2.42".to_string())
        );
        assert_eq!(parse_version("garbage"), None);
    }
}
