//! The simulated world through the API, as a user sees it: `--scenario casino` at speed 20
//! reaches the states of PRODUCT.md's table on time, operations answer like the real
//! controllers, kubectl watches the steps advance, and the simulator's own writes validate.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::sim::{client, require_tool, start_scenario};
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, Patch, PatchParams};
use serde_json::{Value, json};
use shipdeck::sim::{self, SimConfig, SimHandle};

async fn casino(speed: f64) -> SimHandle {
    let _ = rustls::crypto::ring::default_provider().install_default();
    sim::start(SimConfig {
        scenario: "casino".into(),
        speed,
        ..SimConfig::default()
    })
    .await
    .unwrap()
}

fn api(
    c: &kube::Client,
    group: &str,
    version: &str,
    kind: &str,
    plural: &str,
) -> Api<DynamicObject> {
    let ar =
        ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, kind), plural);
    Api::namespaced_with(c.clone(), "casino-prod", &ar)
}

/// Polls `name` until `cond` holds on its JSON (bounded by `limit` of wall time).
async fn until(
    a: &Api<DynamicObject>,
    name: &str,
    limit: Duration,
    what: &str,
    cond: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + limit;
    loop {
        let v = serde_json::to_value(a.get(name).await.unwrap()).unwrap();
        if cond(&v) {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: last seen {:#}",
            v["status"]
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn casino_at_speed_20_follows_the_story() {
    let sim = casino(20.0).await;
    let c = client(&sim, "sim-operator").await;
    let t0 = Instant::now();
    let ro = api(&c, "argoproj.io", "v1alpha1", "Rollout", "rollouts");
    // game-engine reaches 50 % at ≈60 s sim (3 s wall) and waits for approval.
    let ge = until(
        &ro,
        "game-engine",
        Duration::from_secs(20),
        "game-engine waits at 50 %",
        |v| {
            v["status"]["pauseConditions"][0]["reason"] == "CanaryPauseStep"
                && v["status"]["currentStepIndex"] == 5
        },
    )
    .await;
    let sim_secs = t0.elapsed().as_secs_f64() * 20.0;
    assert!(sim_secs > 40.0, "too early: {sim_secs} s sim");
    assert_eq!(ge["status"]["phase"], "Paused");
    // payments regresses from 60 s: the operator aborts it (still in its steps at ≈60 s).
    ro.patch_status(
        "payments",
        &PatchParams::default(),
        &Patch::Merge(json!({"status": {"abort": true}})),
    )
    .await
    .unwrap();
    let pay = until(
        &ro,
        "payments",
        Duration::from_secs(10),
        "payments Degraded",
        |v| v["status"]["phase"] == "Degraded",
    )
    .await;
    assert!(
        pay["status"]["message"]
            .as_str()
            .unwrap()
            .starts_with("RolloutAborted: Rollout aborted update to revision 2"),
        "{:#}",
        pay["status"]
    );
    // lobby waits for promotion; bonus at WaitingPromotion.
    until(
        &ro,
        "lobby",
        Duration::from_secs(10),
        "lobby BlueGreenPause",
        |v| v["status"]["pauseConditions"][0]["reason"] == "BlueGreenPause",
    )
    .await;
    let canaries = api(&c, "flagger.app", "v1beta1", "Canary", "canaries");
    until(
        &canaries,
        "bonus",
        Duration::from_secs(30),
        "bonus WaitingPromotion",
        |v| v["status"]["phase"] == "WaitingPromotion",
    )
    .await;
    // The indefinite pause held all along; promote (one step) as kubectl argo rollouts does.
    let ge = serde_json::to_value(ro.get("game-engine").await.unwrap()).unwrap();
    assert_eq!(ge["status"]["currentStepIndex"], 5, "{:#}", ge["status"]);
    ro.patch_status(
        "game-engine",
        &PatchParams::default(),
        &Patch::Merge(json!({"status": {"pauseConditions": null}})),
    )
    .await
    .unwrap();
    until(
        &ro,
        "game-engine",
        Duration::from_secs(20),
        "game-engine Healthy",
        |v| v["status"]["phase"] == "Healthy",
    )
    .await;

    // Nothing the controllers wrote was refused by admission.
    let errors = sim.shared.world.lock().unwrap().errors.clone();
    assert!(errors.is_empty(), "{errors:#?}");
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_watches_the_steps_advance() {
    if !require_tool("kubectl") {
        return;
    }
    let sim = casino(10.0).await;
    let home = tempfile::tempdir().unwrap();
    let kc = home.path().join("kubeconfig");
    std::fs::write(&kc, sim.kubeconfig("sim-operator", sim.namespace)).unwrap();
    let mut child = std::process::Command::new("kubectl")
        .args([
            "get",
            "ro",
            "game-engine",
            "-w",
            "-o",
            "custom-columns=NAME:.metadata.name,STEP:.status.currentStepIndex,PHASE:.status.phase",
        ])
        .env("KUBECONFIG", &kc)
        .env("HOME", home.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = BufReader::new(child.stdout.take().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for l in out.lines() {
            if tx.send(l.unwrap_or_default()).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut steps = std::collections::BTreeSet::new();
    while Instant::now() < deadline && steps.len() < 4 {
        if let Ok(l) = rx.recv_timeout(Duration::from_millis(200)) {
            let cells: Vec<&str> = l.split_whitespace().collect();
            if cells.first() == Some(&"game-engine")
                && let Some(s) = cells.get(1).and_then(|s| s.parse::<u32>().ok())
            {
                steps.insert(s);
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(steps.len() >= 4, "kubectl saw steps {steps:?}");
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clock_and_releases_are_driven_through_the_control_api() {
    let sim = start_scenario("steady").await;
    let c = client(&sim, "sim-operator").await;
    let post = |path: &'static str, body: Value| {
        let c = c.clone();
        async move {
            let req = http::Request::post(path)
                .header("content-type", "application/json")
                .body(serde_json::to_vec(&body).unwrap())
                .unwrap();
            c.request::<Value>(req).await
        }
    };
    let ro = api(&c, "argoproj.io", "v1alpha1", "Rollout", "rollouts");
    until(
        &ro,
        "payments",
        Duration::from_secs(20),
        "payments Healthy",
        |v| v["status"]["phase"] == "Healthy",
    )
    .await;
    // A release starts a canary: steady never moves by itself.
    let r = post("/sim/v1/releases", json!({"namespace": "casino-prod", "name": "payments", "image": "registry.casino.example/payments:3.3.0"})).await.unwrap();
    assert_eq!(r["kind"], "Rollout");
    until(
        &ro,
        "payments",
        Duration::from_secs(20),
        "payments in its first pause",
        |v| {
            v["status"]["pauseConditions"][0]["reason"] == "CanaryPauseStep"
                && v["status"]["currentStepIndex"] == 1
        },
    )
    .await;
    // Advancing the clock by 30 s ends the timed pause at once.
    let clock = post("/sim/v1/clock", json!({"advance": "31s"}))
        .await
        .unwrap();
    assert!(clock["sim_seconds"].as_f64().unwrap() >= 31.0, "{clock}");
    until(
        &ro,
        "payments",
        Duration::from_secs(10),
        "payments past step 1",
        |v| v["status"]["currentStepIndex"].as_i64().unwrap_or(0) >= 2,
    )
    .await;
    let speed = post("/sim/v1/clock", json!({"speed": 50})).await.unwrap();
    assert_eq!(speed["speed"], 50.0);
    // Bad requests are 400 with the reason.
    let e = post("/sim/v1/releases", json!({"namespace": "casino-prod"}))
        .await
        .unwrap_err();
    assert!(
        matches!(e, kube::Error::Api(ref s) if s.code == 400 && s.message.contains("namespace, name and image")),
        "{e}"
    );
    let e = post(
        "/sim/v1/releases",
        json!({"namespace": "casino-prod", "name": "nope", "image": "x:1"}),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, kube::Error::Api(ref s) if s.code == 400), "{e}");
    sim.stop().await;
}
