//! The real binary in tmux against the simulator: a hurried double press sends one request,
//! and a read-only session that presses every key, runs every palette command and confirms
//! every dialog it reaches sends nothing that changes anything (the request log says so).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::BIN;
use common::sim::{client, requests};
use common::sweep::{assert_read_only, every_key_and_command, mutating};
use common::tmux::Tmux;
use serde_json::{Value, json};
use shipdeck::sim::{self, SimConfig, SimHandle};

struct Ui {
    tmux: Tmux,
    home: tempfile::TempDir,
}

impl Ui {
    fn audit_file(&self) -> PathBuf {
        self.home.path().join("audit.jsonl")
    }
}

fn ui(sim: &SimHandle, args: &str) -> Option<Ui> {
    let home = tempfile::tempdir().unwrap();
    let kc = home.path().join("kubeconfig");
    std::fs::write(&kc, sim.kubeconfig("sim-operator", None)).unwrap();
    let cfg = home.path().join("config.toml");
    let audit = home.path().join("audit.jsonl");
    std::fs::write(
        &cfg,
        format!("[audit]\npath = {:?}\n", audit.display().to_string()),
    )
    .unwrap();
    let cmd = format!(
        "env KUBECONFIG={} HOME={} LANG=C.UTF-8 {BIN} --config {} --log-file {} {args}",
        kc.display(),
        home.path().display(),
        cfg.display(),
        home.path().join("shipdeck.log").display()
    );
    let tmux = Tmux::start(&cmd, 150, 40)?;
    Some(Ui { tmux, home })
}

/// A canary paused at its second step (a pause condition: promote branch b).
fn paused_canary(dir: &Path) -> PathBuf {
    let ro = json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": {"name": "payments", "namespace": "casino-prod", "generation": 2,
                     "annotations": {"rollout.argoproj.io/revision": "2"}},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "payments"}},
                 "template": {"metadata": {"labels": {"app": "payments"}},
                              "spec": {"containers": [{"name": "payments", "image": "payments:1.4.1"}]}},
                 "strategy": {"canary": {"steps": [{"setWeight": 10}, {"pause": {}}, {"setWeight": 50}]}}},
        "status": {"phase": "Paused", "currentStepIndex": 1, "currentPodHash": "new", "stableRS": "old",
                   "observedGeneration": "2", "replicas": 2, "readyReplicas": 2, "availableReplicas": 2,
                   "updatedReplicas": 1,
                   "pauseConditions": [{"reason": "CanaryPauseStep", "startTime": "2026-11-26T03:00:00Z"}],
                   "canary": {}}
    });
    let p = dir.join("payments.json");
    std::fs::write(&p, ro.to_string()).unwrap();
    p
}

async fn start(cfg: SimConfig) -> SimHandle {
    let _ = rustls::crypto::ring::default_provider().install_default();
    sim::start(cfg).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hurried_presses_of_approve_send_one_request() {
    let dir = tempfile::tempdir().unwrap();
    let sim = start(SimConfig {
        load: vec![paused_canary(dir.path())],
        controllers: false,
        ..SimConfig::default()
    })
    .await;
    let c = client(&sim, "sim-operator").await;
    let Some(ui) = ui(&sim, "-n casino-prod") else {
        return;
    };
    let ui = tokio::task::spawn_blocking(move || {
        ui.tmux
            .wait_for("the paused canary", Duration::from_secs(30), |s| {
                s.contains("payments") && s.contains("Paused")
            });
        // Let the RBAC answers land, then a + Enter twice in one burst (one tmux call:
        // the four keys arrive within a millisecond or two).
        std::thread::sleep(Duration::from_millis(500));
        ui.tmux.keys_at_once(&["a", "Enter", "a", "Enter"]);
        ui
    })
    .await
    .unwrap();
    let audit = ui.audit_file();
    let lines = tokio::task::spawn_blocking(move || {
        ui.tmux
            .wait_for("the action to finish", Duration::from_secs(60), |s| {
                s.contains("approve done")
            });
        std::thread::sleep(Duration::from_millis(800));
        let text = std::fs::read_to_string(&audit).unwrap();
        drop(ui);
        text
    })
    .await
    .unwrap();
    let log = requests(&c, 0).await;
    let status_patches: Vec<&Value> = log
        .iter()
        .filter(|r| r["method"] == "PATCH" && r["path"].as_str().unwrap().ends_with("/status"))
        .collect();
    assert_eq!(status_patches.len(), 1, "{status_patches:#?}");
    assert_eq!(
        status_patches[0]["body"],
        json!({"status": {"pauseConditions": null}})
    );
    // Besides the one promote: the Event and the last-action annotation, nothing else.
    let others: Vec<Value> = mutating(&log)
        .into_iter()
        .filter(|r| !r["path"].as_str().unwrap().ends_with("/status"))
        .collect();
    assert_eq!(others.len(), 2, "{others:#?}");
    assert!(
        others
            .iter()
            .any(|r| r["method"] == "POST" && r["path"] == "/api/v1/namespaces/casino-prod/events")
    );
    assert!(others.iter().any(|r| r["method"] == "PATCH"
        && r["body"]["metadata"]["annotations"]["shipdeck.io/last-action"].is_string()));
    let entries: Vec<Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let done: Vec<&Value> = entries.iter().filter(|e| e["outcome"] == "done").collect();
    assert_eq!(done.len(), 1, "{entries:#?}");
    assert_eq!(done[0]["action"], "approve");
    assert!(
        entries
            .iter()
            .filter(|e| e["outcome"] != "done")
            .all(|e| e["outcome"] == "refused" && e["requests"] == json!([])),
        "the second press is recorded as refused, with nothing sent: {entries:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_session_sends_nothing_mutating_whatever_it_is_asked() {
    let sim = start(SimConfig {
        scenario: "casino".into(),
        speed: 4.0,
        ..SimConfig::default()
    })
    .await;
    let c = client(&sim, "sim-operator").await;
    let Some(ui) = ui(&sim, "-A --readonly") else {
        return;
    };
    let ui = tokio::task::spawn_blocking(move || {
        ui.tmux
            .wait_for("the casino rollouts", Duration::from_secs(30), |s| {
                s.contains("[RO]") && s.contains("payments") && s.contains("lobby")
            });
        // Every key of every scope, on every screen, on several rows; each followed by
        // Enter (confirming whatever dialog it might have opened) and Escape; then every
        // palette command.
        every_key_and_command(&ui.tmux);
        let screen = ui.tmux.screen();
        assert!(
            screen.contains("[RO]"),
            "still running, still read-only:\n{screen}"
        );
        ui
    })
    .await
    .unwrap();
    let audit = ui.audit_file();
    drop(ui);
    let log = requests(&c, 0).await;
    assert_read_only(&log, "sim-operator", "a read-only session");
    // Nothing was attempted past the reducer: no done or failed line.
    if let Ok(text) = std::fs::read_to_string(audit) {
        assert!(!text.contains("\"outcome\":\"done\""), "{text}");
        assert!(!text.contains("\"outcome\":\"failed\""), "{text}");
    }
}
