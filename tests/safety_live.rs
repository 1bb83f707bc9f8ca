//! The safety layer end to end against the simulator, through the real reducer and
//! executor: the two-person rule with two identities, GitOps badges and warnings per
//! ownership marker, and auto-rollback (cancelled with Esc; run to zero; never armed in a
//! read-only session).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::headless::Headless;
use common::sim::{client, mark, requests};
use serde_json::{Value, json};
use shipdeck::domain::audit::Outcome;
use shipdeck::domain::identity::{Identity, IdentitySource};
use shipdeck::domain::rollout::{ControllerKind, RolloutKey};
use shipdeck::input::{KeyChord, KeyCode};
use shipdeck::sim::{self, SimConfig, SimHandle};
use shipdeck::state::{Event, Overlay};

const WAIT: Duration = Duration::from_secs(90);

async fn start(speed: f64) -> SimHandle {
    let _ = rustls::crypto::ring::default_provider().install_default();
    sim::start(SimConfig {
        scenario: "casino".into(),
        speed,
        ..SimConfig::default()
    })
    .await
    .unwrap()
}

async fn as_identity(sim: &SimHandle, ns: &str, cfg: &str, who: &str, ro: bool) -> Headless {
    let mut h = Headless::start_as(sim, ns, cfg, who, ro).await;
    h.send(Event::Identity(Identity {
        username: who.into(),
        source: IdentitySource::SelfSubjectReview,
    }));
    h
}

fn key(ns: &str, name: &str) -> RolloutKey {
    RolloutKey {
        namespace: ns.into(),
        name: name.into(),
        kind: ControllerKind::ArgoCanary,
    }
}

async fn get(c: &kube::Client, path: &str) -> Value {
    let req = http::Request::get(path).body(Vec::new()).unwrap();
    c.request(req).await.unwrap()
}

/// Presses `k` on `key` and Enter; returns the audit line the attempt produced.
async fn press(h: &mut Headless, key: &RolloutKey, k: char) -> shipdeck::domain::audit::AuditEntry {
    h.run_until("the row, free", WAIT, |s| {
        s.rollouts.get(key).is_some() && !s.actions.busy(key)
    })
    .await;
    assert!(h.state.rollouts.select_key(key));
    let before = h.state.audit.entries.len();
    h.send(Event::Key(KeyChord::ch(k)));
    assert!(
        matches!(h.state.overlay, Overlay::Confirm(_)),
        "{:?}",
        h.state.flash
    );
    // payments is critical (its label): its name is typed first.
    if matches!(&h.state.overlay, Overlay::Confirm(d) if d.typed.is_some()) {
        for c in key.name.chars() {
            h.send(Event::Key(KeyChord::ch(c)));
        }
    }
    h.send(Event::Key(KeyChord::plain(KeyCode::Enter)));
    h.run_until("the attempt's audit line", WAIT, |s| {
        s.audit.entries.len() > before
    })
    .await;
    h.state.audit.entries.last().unwrap().clone()
}

const TWO_PERSON: &str =
    "[[services]]\nnamespace = \"casino-staging\"\nname = \"payments\"\ntwo_person = true\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_person_rule_needs_a_second_identity() {
    let sim = start(10.0).await;
    let c = client(&sim, "sim-operator").await;
    let mut alice = as_identity(&sim, "casino-staging", TWO_PERSON, "sim-operator", false).await;
    let mut bob = as_identity(&sim, "casino-staging", TWO_PERSON, "sim-operator-2", false).await;
    let pay = key("casino-staging", "payments");
    alice
        .run_until("payments settled", WAIT, |s| {
            s.rollouts
                .get(&pay)
                .and_then(|r| r.argo.as_ref())
                .is_some_and(|a| a.fully_promoted())
        })
        .await;

    // The first confirmation records the request on the object; nothing is paused.
    let first = press(&mut alice, &pay, 'p').await;
    assert_eq!(first.action, "request-approval");
    assert_eq!(first.outcome, Outcome::Done, "{first:?}");
    let path = "/apis/argoproj.io/v1alpha1/namespaces/casino-staging/rollouts/payments";
    let ro = get(&c, path).await;
    assert!(!ro["spec"]["paused"].as_bool().unwrap_or(false));
    let note: Value = serde_json::from_str(
        ro["metadata"]["annotations"]["shipdeck.io/approval-request"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(note["action"], "pause");
    assert_eq!(note["identity"], "sim-operator");
    assert_eq!(
        note["requests"][0]["body"],
        json!({"spec": {"paused": true}})
    );

    // The same identity cannot approve its own request.
    alice
        .run_until("alice sees her request", WAIT, |s| {
            s.rollouts.get(&pay).is_some_and(|r| r.approval.is_some())
        })
        .await;
    let own = press(&mut alice, &pay, 'p').await;
    assert_eq!(own.outcome, Outcome::Refused);
    assert!(own.reason.unwrap().contains("needs a different identity"));

    // Everyone watching sees it; a second identity runs it.
    bob.run_until("bob sees the request", WAIT, |s| {
        s.rollouts.get(&pay).is_some_and(|r| {
            r.approval.is_some()
                && r.attention == Some(shipdeck::domain::rollout::Attention::SecondApproval)
        })
    })
    .await;
    let since = mark(&c).await;
    let second = press(&mut bob, &pay, 'p').await;
    assert_eq!(
        (second.action.as_str(), &second.outcome),
        ("pause", &Outcome::Done)
    );
    assert_eq!(second.identity, "sim-operator-2");
    assert!(
        second
            .reason
            .as_deref()
            .unwrap()
            .starts_with("second approval of sim-operator's request")
    );
    let ro = get(&c, path).await;
    assert_eq!(ro["spec"]["paused"], true);
    assert!(
        ro["metadata"]["annotations"]
            .get("shipdeck.io/approval-request")
            .is_none(),
        "the request is settled"
    );
    // The Event names both identities.
    let log = requests(&c, since).await;
    let event = log
        .iter()
        .find(|r| r["method"] == "POST" && r["path"].as_str().unwrap().ends_with("/events"))
        .unwrap();
    let msg = event["body"]["message"].as_str().unwrap();
    assert!(
        msg.contains("sim-operator-2") && msg.contains("sim-operator's request"),
        "{msg}"
    );
}

fn auto_config(url: &str) -> String {
    format!(
        "[prometheus]\nurl = \"{url}\"\npreset = \"sim\"\ninterval = \"1s\"\ntimeout = \"2s\"\n\n\
         [rules]\nwindow = \"10s\"\nmin_requests = 20\n\n\
         [auto_rollback]\ncountdown = \"5s\"\nintervals = 2\n\n\
         [[services]]\nnamespace = \"casino-prod\"\nname = \"payments\"\ncritical = true\nauto_rollback = true\n"
    )
}

/// payments in flight, then its canary regresses (5xx ×8) until the test ends.
async fn regress(h: &mut Headless, c: &kube::Client, pay: &RolloutKey) {
    h.run_until("payments in flight", WAIT, |s| {
        s.rollouts
            .get(pay)
            .and_then(|r| r.argo.as_ref())
            .is_some_and(|a| a.stable_rs.is_some() && !a.fully_promoted())
    })
    .await;
    let body =
        json!({"kind": "errors", "target": "casino-prod/payments", "track": "canary", "factor": 8});
    let req = http::Request::post("/sim/v1/faults")
        .header("content-type", "application/json")
        .body(serde_json::to_vec(&body).unwrap())
        .unwrap();
    let _: Value = c.request(req).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_rollback_counts_down_and_esc_cancels_it() {
    let sim = start(1.0).await;
    let c = client(&sim, "sim-operator").await;
    let url = format!("http://{}", sim.addr);
    let mut h = as_identity(
        &sim,
        "casino-prod",
        &auto_config(&url),
        "sim-operator",
        false,
    )
    .await;
    let pay = key("casino-prod", "payments");
    regress(&mut h, &c, &pay).await;
    h.run_until("the countdown", WAIT, |s| s.safety.countdown.is_some())
        .await;
    assert!(
        h.screen(140, 36)
            .contains("auto-rollback of casino-prod/payments in")
    );
    let since = mark(&c).await;
    h.send(Event::Key(KeyChord::plain(KeyCode::Esc)));
    assert!(h.state.safety.countdown.is_none());
    let cancelled = h.state.audit.entries.last().unwrap().clone();
    assert_eq!(cancelled.outcome, Outcome::Cancelled);
    assert_eq!(cancelled.identity, "sim-operator (auto-rollback)");
    // Well past the countdown: nothing was sent.
    let t = std::time::Instant::now();
    h.run_until("the countdown's time", WAIT, |_| {
        t.elapsed() > Duration::from_secs(7)
    })
    .await;
    let writes: Vec<Value> = requests(&c, since)
        .await
        .into_iter()
        .filter(|r| r["method"] == "PATCH")
        .collect();
    assert!(writes.is_empty(), "{writes:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_rollback_aborts_at_zero_and_a_read_only_session_never_arms() {
    let sim = start(1.0).await;
    let c = client(&sim, "sim-operator").await;
    let url = format!("http://{}", sim.addr);
    let cfg = auto_config(&url);
    let mut h = as_identity(&sim, "casino-prod", &cfg, "sim-operator", false).await;
    let mut viewer = as_identity(&sim, "casino-prod", &cfg, "sim-operator", true).await;
    let pay = key("casino-prod", "payments");
    regress(&mut h, &c, &pay).await;
    let since = mark(&c).await;
    h.run_until("the automatic abort", WAIT, |s| {
        s.audit
            .entries
            .iter()
            .any(|e| e.identity.ends_with("(auto-rollback)") && e.outcome == Outcome::Done)
    })
    .await;
    let e = h.state.audit.entries.last().unwrap().clone();
    assert_eq!(e.action, "abort");
    assert!(e.reason.unwrap().starts_with("automatic rollback"));
    let aborts: Vec<Value> = requests(&c, since)
        .await
        .into_iter()
        .filter(|r| r["method"] == "PATCH" && r["path"].as_str().unwrap().ends_with("/status"))
        .collect();
    assert_eq!(aborts.len(), 1, "{aborts:#?}");
    assert_eq!(aborts[0]["body"], json!({"status": {"abort": true}}));
    // The read-only session saw the same alert and never armed.
    viewer
        .run_until("the viewer sees the alert", WAIT, |s| {
            s.metrics.alerts.firing_for(&pay).is_some()
                || s.rollouts
                    .get(&pay)
                    .is_some_and(|r| r.argo.as_ref().is_some_and(|a| a.aborted))
        })
        .await;
    assert!(shipdeck::state::safety::armed(&viewer.state).is_empty());
    assert!(viewer.state.safety.countdown.is_none());
    assert!(!viewer.screen(140, 36).contains("auto-rollback armed"));
}
