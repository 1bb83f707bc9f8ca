//! `R` on every kind of rollout of the casino world, end to end through the real reducer
//! and executor against the simulator's controllers: the dialog (snapshot and key text),
//! the exact requests (request log), and the state reached (traffic on stable after abort,
//! a new revision after undo, a failed canary after Flagger's rollback gate — closed again).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::headless::{Headless, casino, key, operator};
use common::sim::{client, mark, requests};
use serde_json::{Value, json};
use shipdeck::domain::audit::Outcome;
use shipdeck::domain::rollout::{ControllerKind, RolloutKey, RolloutRow};
use shipdeck::input::{KeyChord, KeyCode};
use shipdeck::state::{AppState, Event, Overlay};

const WAIT: Duration = Duration::from_secs(90);

fn row<'a>(s: &'a AppState, k: &RolloutKey) -> Option<&'a RolloutRow> {
    s.rollouts.get(k)
}

/// The dialog box's lines, from the rendered screen: the box whose top border carries the
/// title (`┌ Abort — ns/name ─…┐`), down to its bottom border.
fn dialog_text(screen: &str) -> String {
    let lines: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    let (top, left) = lines
        .iter()
        .enumerate()
        .find_map(|(y, l)| {
            let text: String = l.iter().collect();
            if !text.contains(" — ") {
                return None;
            }
            let x = l.windows(2).position(|w| w[0] == '┌' && w[1] == ' ')?;
            Some((y, x))
        })
        .unwrap_or_else(|| panic!("no dialog:\n{screen}"));
    let right = left + lines[top][left..].iter().position(|c| *c == '┐').unwrap();
    let mut out = Vec::new();
    for l in &lines[top..] {
        let end = right.min(l.len().saturating_sub(1));
        let s: String = l[left..=end].iter().collect();
        out.push(s.trim_end().to_string());
        if l.get(left) == Some(&'└') {
            break;
        }
    }
    out.join("\n")
}

/// Selects `k`, presses R, waits for the dialog to be ready, returns its text.
async fn press_r(h: &mut Headless, k: &RolloutKey) -> String {
    h.run_until("the object free", WAIT, |s| {
        row(s, k).is_some() && !s.actions.busy(k)
    })
    .await;
    assert!(h.state.rollouts.select_key(k));
    h.send(Event::Key(KeyChord::ch('R')));
    h.run_until(
        "the rollback dialog",
        WAIT,
        |s| matches!(&s.overlay, Overlay::Confirm(d) if !d.loading),
    )
    .await;
    dialog_text(&h.screen(120, 44))
}

/// Enter, and the action's audit line.
async fn confirm(h: &mut Headless, action: &str) {
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
        s.audit.entries[before..].iter().any(|e| e.action == action)
    })
    .await;
    let e = h.state.audit.entries[before..]
        .iter()
        .find(|e| e.action == action)
        .unwrap();
    assert_eq!(e.outcome, Outcome::Done, "{e:?}");
}

fn patches(log: &[Value]) -> Vec<(String, String, String, Value)> {
    log.iter()
        .filter(|r| r["method"] != "GET" && r["identity"] == "sim-operator")
        .filter(|r| {
            let p = r["path"].as_str().unwrap();
            !p.ends_with("/events")
                && !p.ends_with("accessreviews")
                && r["body"]
                    .pointer("/metadata/annotations/shipdeck.io~1last-action")
                    .is_none()
        })
        .map(|r| {
            (
                r["method"].as_str().unwrap().to_string(),
                r["path"].as_str().unwrap().to_string(),
                r["content_type"].as_str().unwrap().to_string(),
                r["body"].clone(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_aborts_a_canary_in_flight_then_undoes_it_in_a_second_step() {
    let sim = casino().await;
    let c = client(&sim, "sim-operator").await;
    let mut h = operator(&sim, "casino-prod").await;
    let pay = key("casino-prod", "payments", ControllerKind::ArgoCanary);
    // Its first pause (10 %, 30 s: 3 s here) is a stable moment for the dialog's snapshot.
    h.run_until("payments paused at 10 %", WAIT, |s| {
        row(s, &pay).is_some_and(|r| {
            r.argo.as_ref().is_some_and(|a| {
                a.stable_rs.is_some()
                    && !a.fully_promoted()
                    && a.current_step_index == Some(1)
                    && !a.pause_conditions.is_empty()
            })
        })
    })
    .await;
    let text = press_r(&mut h, &pay).await;
    insta::assert_snapshot!("r_abort_in_flight", text);
    assert!(text.contains("Abort — casino-prod/payments"));
    assert!(text.contains("Abort sends all traffic back to the stable version now."));
    assert!(text.contains(
        "PATCH /apis/argoproj.io/v1alpha1/namespaces/casino-prod/rollouts/payments/status"
    ));
    let since = mark(&c).await;
    confirm(&mut h, "abort").await;
    assert_eq!(
        patches(&requests(&c, since).await),
        vec![(
            "PATCH".to_string(),
            "/apis/argoproj.io/v1alpha1/namespaces/casino-prod/rollouts/payments/status"
                .to_string(),
            "application/merge-patch+json".to_string(),
            json!({"status": {"abort": true}})
        )]
    );
    assert!(
        h.state
            .flash
            .as_ref()
            .is_some_and(|f| f.text.contains("Press R again to undo"))
    );
    // The row reads "aborted, set weight 0" as soon as the patch lands; the controller then
    // moves the canary back to step 0 and the traffic to stable. Undo is offered on that
    // settled state: a dialog opened before it would rightly be refused as stale.
    h.run_until("the abort settled, traffic back on stable", WAIT, |s| {
        row(s, &pay).is_some_and(|r| {
            r.argo
                .as_ref()
                .is_some_and(|a| a.aborted && a.current_step_index == Some(0))
                && r.weights
                    .is_some_and(|w| w.set == 0 && w.actual.is_none_or(|a| a == 0))
        })
    })
    .await;
    let revision = row(&h.state, &pay).and_then(|r| r.seen.revision).unwrap();

    // The second, separately confirmed step: undo.
    let text = press_r(&mut h, &pay).await;
    assert!(text.contains("Undo — casino-prod/payments"), "{text}");
    assert!(text.contains("Traffic is already on stable (aborted)."));
    assert!(text.contains("application/json-patch+json"));
    confirm(&mut h, "undo").await;
    h.run_until("a new revision with the old template", WAIT, |s| {
        row(s, &pay).is_some_and(|r| r.seen.revision > Some(revision))
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_on_a_promoted_rollout_and_on_a_deployment_undoes() {
    let sim = casino().await;
    let mut h = operator(&sim, "casino-prod").await;
    // auth rolls 2.4.1 → 2.4.2 at t = 30 s (3 s here): R undoes it as kubectl would.
    let auth = key("casino-prod", "auth", ControllerKind::Deployment);
    h.run_until("auth at revision 2", WAIT, |s| {
        row(s, &auth).is_some_and(|r| r.seen.revision == Some(2) && r.phase.label() == "Healthy")
    })
    .await;
    let text = press_r(&mut h, &auth).await;
    insta::assert_snapshot!("r_undo_deployment", text);
    assert!(text.contains("Undo — casino-prod/auth"));
    assert!(text.contains("As kubectl rollout undo"));
    assert!(text.contains("revision 2 → 1"));
    assert!(text.contains("PATCH /apis/apps/v1/namespaces/casino-prod/deployments/auth"));
    confirm(&mut h, "undo").await;
    h.run_until("auth at revision 3 running 2.4.1", WAIT, |s| {
        row(s, &auth).is_some_and(|r| {
            r.seen.revision == Some(3)
                && r.containers
                    .first()
                    .and_then(|c| c.stable.as_ref())
                    .is_some_and(|i| i.label() == "2.4.1")
        })
    })
    .await;

    // lobby: promote it fully first (P), then R can only undo.
    let lobby = key("casino-prod", "lobby", ControllerKind::ArgoBlueGreen);
    h.run_until("lobby waiting for promotion", WAIT, |s| {
        row(s, &lobby)
            .and_then(|r| r.argo.as_ref())
            .is_some_and(|a| !a.pause_conditions.is_empty())
    })
    .await;
    assert!(h.state.rollouts.select_key(&lobby));
    h.send(Event::Key(KeyChord::ch('P')));
    confirm(&mut h, "promote-full").await;
    h.run_until("lobby promoted", WAIT, |s| {
        row(s, &lobby)
            .and_then(|r| r.argo.as_ref())
            .is_some_and(|a| a.fully_promoted())
    })
    .await;
    let revision = row(&h.state, &lobby).and_then(|r| r.seen.revision).unwrap();
    let text = press_r(&mut h, &lobby).await;
    insta::assert_snapshot!("r_undo_promoted", text);
    assert!(text.contains("abort can no longer help"));
    assert!(text.contains(&format!("revision {revision} → {}", revision - 1)));
    confirm(&mut h, "undo").await;
    h.run_until("lobby at a new revision", WAIT, |s| {
        row(s, &lobby).is_some_and(|r| r.seen.revision > Some(revision))
    })
    .await;
}

async fn release(c: &kube::Client, ns: &str, name: &str, image: &str) {
    let body = json!({"namespace": ns, "name": name, "image": image});
    let req = http::Request::post("/sim/v1/releases")
        .header("content-type", "application/json")
        .body(serde_json::to_vec(&body).unwrap())
        .unwrap();
    let _: Value = c.request(req).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_on_a_flagger_canary_opens_its_rollback_gate_and_closes_it_afterwards() {
    let sim = casino().await;
    let c = client(&sim, "sim-operator").await;
    let mut h = operator(&sim, "casino-prod").await;
    let bonus = key("casino-prod", "bonus", ControllerKind::Flagger);
    // Let the story's release reach its gate, then approve it (a) and watch shipdeck close
    // the confirm gate once bonus moves on.
    h.run_until("bonus waiting for promotion", WAIT, |s| {
        row(s, &bonus).is_some_and(|r| r.seen.phase.as_deref() == Some("WaitingPromotion"))
    })
    .await;
    let since = mark(&c).await;
    assert!(h.state.rollouts.select_key(&bonus));
    h.send(Event::Key(KeyChord::ch('a')));
    h.run_until("the approve dialog", WAIT, |s| {
        matches!(s.overlay, Overlay::Confirm(_))
    })
    .await;
    confirm(&mut h, "approve").await;
    h.run_until("the confirm gate closed again", WAIT, |s| {
        s.audit
            .entries
            .iter()
            .any(|e| e.action == "close-gate" && e.outcome == Outcome::Done)
    })
    .await;
    let writes = patches(&requests(&c, since).await);
    let proxy = "/api/v1/namespaces/casino-prod/services/flagger-loadtester:80/proxy";
    let paths: Vec<&str> = writes.iter().map(|w| w.1.as_str()).collect();
    assert_eq!(
        paths,
        [format!("{proxy}/gate/open"), format!("{proxy}/gate/close")],
        "{writes:#?}"
    );
    h.run_until("bonus promoted", WAIT, |s| {
        row(s, &bonus).is_some_and(|r| r.seen.phase.as_deref() == Some("Succeeded"))
    })
    .await;

    // A new release: R while it progresses fails the canary through the rollback gate.
    release(
        &c,
        "casino-prod",
        "bonus",
        "registry.casino.example/bonus:1.5.0",
    )
    .await;
    h.run_until("bonus progressing", WAIT, |s| {
        row(s, &bonus).is_some_and(|r| r.seen.phase.as_deref() == Some("Progressing"))
    })
    .await;
    let since = mark(&c).await;
    let text = press_r(&mut h, &bonus).await;
    assert!(text.contains("Roll back — casino-prod/bonus"), "{text}");
    assert!(text.contains("Opens the canary's rollback gate"));
    assert!(text.contains(&format!("POST {proxy}/rollback/open")));
    assert!(text.contains(r#"{"name":"bonus","namespace":"casino-prod"}"#));
    confirm(&mut h, "rollback").await;
    h.run_until("bonus failed and the rollback gate closed", WAIT, |s| {
        row(s, &bonus).is_some_and(|r| r.seen.phase.as_deref() == Some("Failed"))
            && s.audit
                .entries
                .iter()
                .filter(|e| e.action == "close-gate" && e.outcome == Outcome::Done)
                .count()
                == 2
    })
    .await;
    let writes = patches(&requests(&c, since).await);
    let paths: Vec<&str> = writes.iter().map(|w| w.1.as_str()).collect();
    assert_eq!(
        paths,
        [
            format!("{proxy}/rollback/open"),
            format!("{proxy}/rollback/close")
        ],
        "{writes:#?}"
    );
}
