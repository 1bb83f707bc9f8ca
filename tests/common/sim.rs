//! Starting the simulator in-process and talking to it with the unmodified kube client.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::Value;
use shipdeck::sim::{self, SimConfig, SimHandle};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub async fn start(load: Vec<PathBuf>) -> SimHandle {
    let _ = rustls::crypto::ring::default_provider().install_default();
    sim::start(SimConfig {
        load,
        bookmark_every: Duration::from_millis(500),
        // A plain API server: objects stay exactly as loaded or written.
        controllers: false,
        ..SimConfig::default()
    })
    .await
    .expect("the simulator starts")
}

/// The casino world at rest: its objects as the scenario creates them, controllers off (so
/// nothing moves unless the test writes), bookmarks every 500 ms.
pub async fn casino_at_rest() -> SimHandle {
    let _ = rustls::crypto::ring::default_provider().install_default();
    sim::start(SimConfig {
        scenario: "casino".into(),
        controllers: false,
        bookmark_every: Duration::from_millis(500),
        ..SimConfig::default()
    })
    .await
    .expect("the simulator starts")
}

/// The simulator with its controllers running `scenario` at speed 1.
pub async fn start_scenario(scenario: &str) -> SimHandle {
    let _ = rustls::crypto::ring::default_provider().install_default();
    sim::start(SimConfig {
        scenario: scenario.into(),
        ..SimConfig::default()
    })
    .await
    .expect("the simulator starts")
}

/// A kube client for one of the simulator's identities, exactly as a user would get it
/// from the kubeconfig the simulator writes.
pub async fn client(sim: &SimHandle, context: &str) -> kube::Client {
    let kc = Kubeconfig::from_yaml(&sim.kubeconfig(context, None)).unwrap();
    let opts = KubeConfigOptions {
        context: Some(context.to_string()),
        ..Default::default()
    };
    let mut cfg = kube::Config::from_custom_kubeconfig(kc, &opts)
        .await
        .unwrap();
    // kube 5 retries 429/503/504 up to 15 times with backoff by default; the tests observe
    // exactly what the server answered.
    cfg.default_retry = false;
    kube::Client::try_from(cfg).unwrap()
}

/// Writes the kubeconfig into `dir` and returns its path.
pub fn kubeconfig_file(sim: &SimHandle, dir: &Path) -> PathBuf {
    let p = dir.join("kubeconfig");
    std::fs::write(&p, sim.kubeconfig("sim-operator", None)).unwrap();
    p
}

/// `GET /sim/v1/requests?since=N` through the same client and URL.
pub async fn requests(c: &kube::Client, since: u64) -> Vec<Value> {
    let req = http::Request::get(format!("/sim/v1/requests?since={since}"))
        .body(Vec::new())
        .unwrap();
    let v: Value = c.request(req).await.unwrap();
    v.as_array().cloned().unwrap_or_default()
}

/// The last request number seen so far (to look only at what comes after).
pub async fn mark(c: &kube::Client) -> u64 {
    requests(c, 0)
        .await
        .last()
        .and_then(|r| r["seq"].as_u64())
        .unwrap_or(0)
}

/// `POST` a JSON body to one of the simulator's control endpoints (`/sim/v1/...`).
pub async fn post_json(c: &kube::Client, path: &str, body: Value) -> Value {
    let req = http::Request::post(path)
        .header("content-type", "application/json")
        .body(serde_json::to_vec(&body).unwrap())
        .unwrap();
    c.request(req).await.unwrap()
}

pub async fn fault(c: &kube::Client, body: Value) {
    post_json(c, "/sim/v1/faults", body).await;
}

/// `POST /sim/v1/clock`: `{"speed": 0.01}` holds the story where it is (traffic and its
/// metrics run on the wall clock and keep flowing), `{"advance": "31s"}` jumps.
pub async fn clock(c: &kube::Client, body: Value) {
    post_json(c, "/sim/v1/clock", body).await;
}

pub async fn clear_faults(c: &kube::Client) {
    let req = http::Request::delete("/sim/v1/faults")
        .body(Vec::new())
        .unwrap();
    let _: Value = c.request(req).await.unwrap();
}

/// A real component the test needs: under CI its absence fails the test; elsewhere the
/// test is skipped with a loud message.
pub fn require_tool(name: &str) -> bool {
    let found = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {name}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !found {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{name} is required under CI=true but is not installed");
        }
        eprintln!("\n!!! SKIPPING: {name} is not installed (CI would fail here) !!!\n");
    }
    found
}
