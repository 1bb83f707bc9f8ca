//! `shipdeck demo` as a newcomer runs it: the real binary in tmux, reached through the
//! JSON its `--info-file` writes (the in-process simulator's URL, kubeconfig, audit file).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::Value;

use super::BIN;
use super::tmux::Tmux;

pub struct Demo {
    pub tmux: Tmux,
    pub info: Value,
    pub info_path: PathBuf,
    pub home: tempfile::TempDir,
}

impl Demo {
    /// Starts `shipdeck demo ARGS` in a 150×40 terminal and waits (bounded) for its info
    /// file; `None` when tmux is missing (outside CI). When the program ends, the pane
    /// prints `EXITED <status>`.
    pub fn start(args: &str) -> Option<Self> {
        let home = tempfile::tempdir().unwrap();
        let info_path = home.path().join("demo.json");
        let cmd = format!(
            "env HOME={home} TZ=UTC LANG=C.UTF-8 {BIN} demo --info-file {info} --log-file {log} {args} 2>{err}; echo EXITED $?; sleep 600",
            home = home.path().display(),
            info = info_path.display(),
            log = home.path().join("shipdeck.log").display(),
            err = home.path().join("stderr").display(),
        );
        let tmux = Tmux::start(&cmd, 150, 40)?;
        let deadline = Instant::now() + Duration::from_secs(90);
        let info = loop {
            if let Ok(text) = std::fs::read_to_string(&info_path)
                && let Ok(v) = serde_json::from_str::<Value>(&text)
            {
                break v;
            }
            assert!(
                Instant::now() < deadline,
                "the demo wrote no info file; stderr: {}\nscreen:\n{}",
                std::fs::read_to_string(home.path().join("stderr")).unwrap_or_default(),
                tmux.screen()
            );
            std::thread::sleep(Duration::from_millis(100));
        };
        // The info file is written before the terminal goes raw: keys typed before the
        // first frame could arrive in line mode (Enter as Ctrl-J).
        tmux.wait_for("the first frame", Duration::from_secs(60), |s| {
            s.contains("1 Rollouts")
        });
        Some(Self {
            tmux,
            info,
            info_path,
            home,
        })
    }

    pub fn path(&self, key: &str) -> PathBuf {
        PathBuf::from(self.info[key].as_str().unwrap())
    }

    /// A kube client from the kubeconfig the demo wrote, as `identity`.
    pub async fn client(&self, identity: &str) -> kube::Client {
        client_from(&self.path("kubeconfig"), identity).await
    }

    pub fn stderr(&self) -> String {
        std::fs::read_to_string(self.home.path().join("stderr")).unwrap_or_default()
    }

    /// Waits until the pane says the program ended; returns its exit status.
    pub fn wait_exit(&self) -> i32 {
        let s = self
            .tmux
            .wait_for("the demo to exit", Duration::from_secs(30), |s| {
                s.contains("EXITED ")
            });
        let line = s.lines().find(|l| l.contains("EXITED ")).unwrap();
        line.trim()
            .trim_start_matches("EXITED ")
            .trim()
            .parse()
            .unwrap()
    }
}

pub async fn client_from(kubeconfig: &Path, identity: &str) -> kube::Client {
    let kc = Kubeconfig::read_from(kubeconfig).unwrap();
    let opts = KubeConfigOptions {
        context: Some(identity.to_string()),
        ..Default::default()
    };
    let mut cfg = kube::Config::from_custom_kubeconfig(kc, &opts)
        .await
        .unwrap();
    cfg.default_retry = false;
    kube::Client::try_from(cfg).unwrap()
}

/// `GET path` on the API server, as JSON.
pub async fn get(c: &kube::Client, path: &str) -> Value {
    let req = http::Request::get(path).body(Vec::new()).unwrap();
    c.request(req).await.unwrap()
}

/// Polls `f` (async) until it returns `Some`, for at most `timeout`.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
