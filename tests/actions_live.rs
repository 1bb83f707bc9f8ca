//! Every Argo action of the casino world, end to end through the real reducer and executor
//! against the simulator with its controllers: the key, the dialog, Enter, and the state
//! the simulated Argo Rollouts controller reaches. (The exact bytes of each request are
//! proven in tests/actions_exec.rs against a plain API server.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::headless::{Headless, casino, key, operator};
use common::sim::client;
use serde_json::{Value, json};
use shipdeck::domain::audit::Outcome;
use shipdeck::domain::rollout::{ControllerKind, RolloutKey, RolloutRow};
use shipdeck::input::{KeyChord, KeyCode};
use shipdeck::state::{AppState, Event, Overlay};

const WAIT: Duration = Duration::from_secs(60);

fn row<'a>(s: &'a AppState, k: &RolloutKey) -> Option<&'a RolloutRow> {
    s.rollouts.get(k)
}

/// Selects `k`, presses `keys` (`:` lines typed as text), checks the dialog is up, Enter,
/// and waits for the action's audit line; returns it.
async fn act(h: &mut Headless, k: &RolloutKey, keys: &str, action: &str) {
    h.run_until("the row", WAIT, |s| row(s, k).is_some()).await;
    // Wait until the row is free (a previous action's result shown).
    h.run_until("the object free", WAIT, |s| !s.actions.busy(k))
        .await;
    assert!(h.state.rollouts.select_key(k));
    for c in keys.chars() {
        h.send(Event::Key(KeyChord::ch(c)));
    }
    if keys.starts_with(':') {
        h.send(Event::Key(KeyChord::plain(KeyCode::Enter)));
    }
    h.run_until(
        "the dialog ready",
        WAIT,
        |s| matches!(&s.overlay, Overlay::Confirm(d) if !d.loading),
    )
    .await;
    let before = h.state.audit.entries.len();
    // Critical services (the casino labels payments and game-engine) need the name typed.
    if let Overlay::Confirm(d) = &h.state.overlay
        && d.typed.is_some()
    {
        let name = d.request.key.name.clone();
        for c in name.chars() {
            h.send(Event::Key(KeyChord::ch(c)));
        }
    }
    h.send(Event::Key(KeyChord::plain(KeyCode::Enter)));
    h.run_until(&format!("{action} to finish"), WAIT, |s| {
        s.audit.entries.len() > before
    })
    .await;
    let last = h.state.audit.entries.last().unwrap();
    assert_eq!(last.action, action);
    assert_eq!(last.outcome, Outcome::Done, "{last:?}");
}

async fn get(c: &kube::Client, path: &str) -> Value {
    let req = http::Request::get(path).body(Vec::new()).unwrap();
    c.request(req).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approve_abort_retry_and_promote_full_move_the_prod_story() {
    let sim = casino().await;
    let c = client(&sim, "sim-operator").await;
    let mut h = operator(&sim, "casino-prod").await;

    // payments: abort its canary → traffic back to stable; retry → progressing again.
    let pay = key("casino-prod", "payments", ControllerKind::ArgoCanary);
    h.run_until("payments in flight", WAIT, |s| {
        row(s, &pay)
            .and_then(|r| r.argo.as_ref())
            .is_some_and(|a| a.stable_rs.is_some() && !a.fully_promoted())
    })
    .await;
    act(&mut h, &pay, "x", "abort").await;
    // Aborted as soon as the patch lands; settled once the controller is back at step 0. A
    // retry dialog opened in between would rightly be refused as stale.
    h.run_until("payments aborted and settled", WAIT, |s| {
        row(s, &pay).is_some_and(|r| {
            r.argo
                .as_ref()
                .is_some_and(|a| a.aborted && a.current_step_index == Some(0))
                && r.weights
                    .is_none_or(|w| w.set == 0 && w.actual.is_none_or(|a| a == 0))
        })
    })
    .await;
    act(&mut h, &pay, "r", "retry").await;
    h.run_until("payments retried", WAIT, |s| {
        row(s, &pay).is_some_and(|r| r.argo.as_ref().is_some_and(|a| !a.aborted))
    })
    .await;

    // game-engine: approve its indefinite pause at 50 % → the next step.
    let ge = key("casino-prod", "game-engine", ControllerKind::ArgoCanary);
    h.run_until("game-engine waiting at 50 %", WAIT, |s| {
        row(s, &ge)
            .and_then(|r| r.argo.as_ref())
            .is_some_and(|a| a.current_step_index == Some(5) && !a.pause_conditions.is_empty())
    })
    .await;
    act(&mut h, &ge, "a", "approve").await;
    h.run_until("game-engine past the pause", WAIT, |s| {
        row(s, &ge)
            .and_then(|r| r.argo.as_ref())
            .is_some_and(|a| a.current_step_index.unwrap_or(0) >= 6 || a.fully_promoted())
    })
    .await;

    // lobby: promote the blue-green fully → the preview becomes active.
    let lobby = key("casino-prod", "lobby", ControllerKind::ArgoBlueGreen);
    h.run_until("lobby waiting for promotion", WAIT, |s| {
        row(s, &lobby)
            .and_then(|r| r.argo.as_ref())
            .is_some_and(|a| !a.pause_conditions.is_empty())
    })
    .await;
    act(&mut h, &lobby, "P", "promote-full").await;
    h.run_until("lobby promoted", WAIT, |s| {
        row(s, &lobby)
            .and_then(|r| r.argo.as_ref())
            .is_some_and(|a| a.fully_promoted())
    })
    .await;

    // Done actions leave an Event each and the last-action annotation.
    let events = get(&c, "/api/v1/namespaces/casino-prod/events").await;
    let reasons: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["reason"].as_str())
        .filter(|r| r.starts_with("Shipdeck"))
        .collect();
    for want in [
        "ShipdeckAbort",
        "ShipdeckRetry",
        "ShipdeckPromote",
        "ShipdeckPromoteFull",
    ] {
        assert!(reasons.contains(&want), "{want} missing from {reasons:?}");
    }
    let ro = get(
        &c,
        "/apis/argoproj.io/v1alpha1/namespaces/casino-prod/rollouts/lobby",
    )
    .await;
    let note: Value = serde_json::from_str(
        ro["metadata"]["annotations"]["shipdeck.io/last-action"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(note["action"], "promote-full");
    assert_eq!(note["identity"], "sim-operator");
}

async fn release(c: &kube::Client, ns: &str, name: &str, image: &str) {
    let body = json!({"namespace": ns, "name": name, "image": image});
    common::sim::post_json(c, "/sim/v1/releases", body).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_resume_restart_terminate_and_undo_on_staging() {
    let sim = casino().await;
    let c = client(&sim, "sim-operator").await;
    let mut h = operator(&sim, "casino-staging").await;
    let pay = key("casino-staging", "payments", ControllerKind::ArgoCanary);
    // The controller has taken the world over (every rollout at its stable revision).
    h.run_until("staging settled", WAIT, |s| {
        ["payments", "game-engine", "lobby"].iter().all(|n| {
            s.rollouts
                .all()
                .find(|r| r.key.name == *n)
                .and_then(|r| r.argo.as_ref())
                .is_some_and(|a| a.fully_promoted())
        })
    })
    .await;

    act(&mut h, &pay, "p", "pause").await;
    h.run_until("payments paused", WAIT, |s| {
        row(s, &pay).is_some_and(|r| r.spec_paused)
    })
    .await;
    act(&mut h, &pay, "p", "resume").await;
    h.run_until("payments resumed", WAIT, |s| {
        row(s, &pay).is_some_and(|r| !r.spec_paused)
    })
    .await;

    act(&mut h, &pay, ":restart", "restart").await;
    let path = "/apis/argoproj.io/v1alpha1/namespaces/casino-staging/rollouts/payments";
    let mut restarted = false;
    for _ in 0..200 {
        let ro = get(&c, path).await;
        let at = ro["spec"]["restartAt"].as_str().unwrap_or("").to_string();
        if !at.is_empty() && ro["status"]["restartedAt"].as_str() == Some(at.as_str()) {
            restarted = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(
        restarted,
        "the controller replaced the pods and set status.restartedAt"
    );

    // game-engine: a new release runs its analysis step; terminate the run.
    let ge = key("casino-staging", "game-engine", ControllerKind::ArgoCanary);
    release(
        &c,
        "casino-staging",
        "game-engine",
        "registry.casino.example/game-engine:1.9.1",
    )
    .await;
    h.run_until("the analysis step running", WAIT, |s| {
        row(s, &ge)
            .and_then(|r| r.argo.as_ref())
            .and_then(|a| a.step_analysis.as_ref())
            .is_some_and(|a| format!("{:?}", a.phase) == "Running")
    })
    .await;
    let run = row(&h.state, &ge)
        .and_then(|r| r.argo.as_ref())
        .and_then(|a| a.step_analysis.as_ref())
        .map(|a| a.name.clone())
        .unwrap();
    act(&mut h, &ge, ":terminate", "terminate").await;
    let ar = get(
        &c,
        &format!("/apis/argoproj.io/v1alpha1/namespaces/casino-staging/analysisruns/{run}"),
    )
    .await;
    assert_eq!(ar["spec"]["terminate"], true);

    // lobby: release, promote fully, then undo → a new revision with the old template.
    let lobby = key("casino-staging", "lobby", ControllerKind::ArgoBlueGreen);
    release(
        &c,
        "casino-staging",
        "lobby",
        "registry.casino.example/lobby:2.0.1",
    )
    .await;
    h.run_until("lobby's new revision waiting", WAIT, |s| {
        row(s, &lobby).is_some_and(|r| {
            r.seen.revision == Some(2)
                && r.argo
                    .as_ref()
                    .is_some_and(|a| !a.pause_conditions.is_empty())
        })
    })
    .await;
    act(&mut h, &lobby, "P", "promote-full").await;
    h.run_until("lobby promoted", WAIT, |s| {
        row(s, &lobby).is_some_and(|r| {
            r.seen.revision == Some(2) && r.argo.as_ref().is_some_and(|a| a.fully_promoted())
        })
    })
    .await;
    act(&mut h, &lobby, "u", "undo").await;
    h.run_until("lobby at revision 3 with the old image", WAIT, |s| {
        row(s, &lobby).is_some_and(|r| {
            r.seen.revision == Some(3)
                && r.containers
                    .first()
                    .and_then(|c| c.canary.as_ref())
                    .is_some_and(|i| i.label() == "2.0.0")
        })
    })
    .await;
}
