//! The overview live against `shipdeck sim`, through the real kube client and the real
//! binary in a real terminal (tmux): recorded objects appear as the real CLI shows them,
//! the casino story's steps change on screen, an API outage shows stale and recovers, RBAC
//! refusals show as forbidden, and `:ctx` switches.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::BIN;
use common::sim::{client, fault, fixtures};
use common::tmux::{Tmux, line};
use serde_json::json;
use shipdeck::sim::{self, SimConfig, SimHandle};

struct Ui {
    tmux: Tmux,
    _home: tempfile::TempDir,
}

/// shipdeck against `sim` in tmux, with extra flags.
fn ui(sim: &SimHandle, args: &str) -> Option<Ui> {
    let home = tempfile::tempdir().unwrap();
    let kc: PathBuf = home.path().join("kubeconfig");
    std::fs::write(&kc, sim.kubeconfig("sim-operator", sim.namespace)).unwrap();
    let log = home.path().join("shipdeck.log");
    let cmd = format!(
        "env KUBECONFIG={} HOME={} LANG=C.UTF-8 COLORTERM=truecolor {BIN} --log-file {} {args}",
        kc.display(),
        home.path().display(),
        log.display()
    );
    let tmux = Tmux::start(&cmd, 150, 40)?;
    Some(Ui { tmux, _home: home })
}

async fn start(cfg: SimConfig) -> SimHandle {
    let _ = rustls::crypto::ring::default_provider().install_default();
    sim::start(cfg).await.unwrap()
}

/// `Name:` and `Status:` of each expected CLI output.
fn expected() -> Vec<(String, String)> {
    let dir = fixtures().join("argo-rollouts/expected");
    let mut out = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
        let field = |k: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(k))
                .map(|v| v.trim().to_string())
                .unwrap()
        };
        out.push((field("Name:"), field("Status:")));
    }
    out
}

fn word(status: &str) -> &str {
    status.split_whitespace().last().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_rollouts_appear_as_the_real_cli_shows_them() {
    let sim = start(SimConfig {
        load: vec![fixtures().join("argo-rollouts/info-testdata")],
        controllers: false,
        ..SimConfig::default()
    })
    .await;
    let Some(ui) = ui(&sim, "-A") else { return };
    let want = expected();
    let screen = tokio::task::spawn_blocking(move || {
        let s = ui
            .tmux
            .wait_for("the recorded rollouts", Duration::from_secs(30), |s| {
                want.iter()
                    .all(|(name, _)| s.contains(&format!(" {name} ")))
            });
        (s, want)
    })
    .await
    .unwrap();
    let (screen, want) = screen;
    for (name, status) in &want {
        let row = line(&screen, &[&format!(" {name} ")]).unwrap();
        assert!(
            row.contains(word(status)),
            "{name}: the CLI says {status}; row: {row}"
        );
    }
    let canary = line(&screen, &[" canary-demo "]).unwrap();
    assert!(canary.contains("0/8"), "{canary}");
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_casino_steps_change_on_screen() {
    let sim = start(SimConfig {
        scenario: "casino".into(),
        speed: 10.0,
        ..SimConfig::default()
    })
    .await;
    let Some(ui) = ui(&sim, "") else { return };
    let seen = tokio::task::spawn_blocking(move || {
        let mut steps = std::collections::BTreeSet::new();
        let s = ui
            .tmux
            .wait_for("game-engine waits at 5/7", Duration::from_secs(40), |s| {
                if let Some(l) = line(s, &["casino-prod", " game-engine "]) {
                    for cell in l.split_whitespace() {
                        if cell.ends_with("/7") {
                            steps.insert(cell.to_string());
                        }
                    }
                }
                line(s, &["casino-prod", " game-engine ", "5/7", "Paused"]).is_some()
            });
        (s, steps)
    })
    .await
    .unwrap();
    let (screen, steps) = seen;
    let row = line(&screen, &[" game-engine ", "5/7"]).unwrap();
    assert!(
        row.contains("Paused") && row.contains("1.8.3 → 1.9.0"),
        "{row}"
    );
    assert!(steps.len() >= 2, "the step changed on screen: {steps:?}");
    assert!(screen.contains("need attention"), "{screen}");
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_outage_shows_stale_rows_and_recovers_without_a_restart() {
    let sim = start(SimConfig {
        scenario: "steady".into(),
        ..SimConfig::default()
    })
    .await;
    let c = client(&sim, "sim-operator").await;
    let Some(ui) = ui(&sim, "") else { return };
    let ui = std::sync::Arc::new(ui);
    let u = ui.clone();
    tokio::task::spawn_blocking(move || {
        u.tmux.wait_for("live rows", Duration::from_secs(30), |s| {
            s.contains(" payments ") && s.contains("rollouts ●")
        });
    })
    .await
    .unwrap();
    fault(&c, json!({"kind": "api-down", "duration": "4s"})).await;
    let u = ui.clone();
    tokio::task::spawn_blocking(move || {
        let s = u.tmux.wait_for("stale", Duration::from_secs(20), |s| {
            s.contains("stale") && s.contains("reconnecting")
        });
        assert!(s.contains(" payments "), "the last-known rows stay: {s}");
        assert!(s.contains("rows may be stale"), "{s}");
        u.tmux.wait_for("recovery", Duration::from_secs(60), |s| {
            !s.contains("stale") && s.contains("rollouts ●")
        });
    })
    .await
    .unwrap();
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restricted_identity_sees_forbidden_canaries_and_ctx_switches() {
    let sim = start(SimConfig {
        scenario: "steady".into(),
        ..SimConfig::default()
    })
    .await;
    let Some(ui) = ui(&sim, "--context sim-restricted") else {
        return;
    };
    tokio::task::spawn_blocking(move || {
        // Canaries are forbidden; rollouts are still listed.
        let s = ui.tmux.wait_for(
            "forbidden canaries beside listed rollouts",
            Duration::from_secs(30),
            |s| s.contains("forbidden: list canaries") && s.contains(" game-engine "),
        );
        assert!(s.contains("as sim-restricted"), "{s}");
        // :ctx switches: watchers restart, the header shows the new identity.
        ui.tmux.keys(&[":"]);
        ui.tmux.text("ctx sim-operator");
        ui.tmux.keys(&["Enter"]);
        // The switch is on screen at once (a key's frame), the rows once the new watchers
        // have listed: wait for both.
        let s = ui.tmux.wait_for(
            "the new context with its canaries listed",
            Duration::from_secs(30),
            |s| {
                s.contains("ctx sim-operator")
                    && s.contains("as sim-operator")
                    && line(s, &[" bonus ", "flagger"]).is_some()
            },
        );
        assert!(!s.contains("forbidden"), "nothing is forbidden now: {s}");
    })
    .await
    .unwrap();
    sim.stop().await;
}
