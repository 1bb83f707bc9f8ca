//! Flagger's manual gates end to end: the casino world with its controllers (speed 10),
//! `bonus` (a Flagger Canary in casino-prod behind a confirm-promotion gate and a rollback
//! webhook on the simulated load tester). The executor opens and closes the load tester's
//! gates exactly as `gate_plan` says, through the API server's service proxy (read from the
//! simulator's request log), and the simulated Flagger promotes or rolls back in answer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::sim::{client, mark, requests};
use serde_json::{Value, json};
use shipdeck::adapters::kube::actions::{self, LAST_ACTION};
use shipdeck::adapters::kube::convert::{ConvertCtx, canary_row, seen};
use shipdeck::domain::action_request::ActionRequest;
use shipdeck::domain::actions::Action;
use shipdeck::domain::argo_requests::Plan;
use shipdeck::domain::audit::{AuditEntry, Outcome, RecordedRequest};
use shipdeck::domain::flagger_requests::{Gate, gate_plan};
use shipdeck::domain::rollout::{ControllerKind, RolloutKey};
use shipdeck::sim::{self, SimConfig, SimHandle};

const NS: &str = "casino-prod";
const CANARY: &str = "/apis/flagger.app/v1beta1/namespaces/casino-prod/canaries/bonus";
/// The service proxy of the load tester the webhooks name
/// (`http://flagger-loadtester.casino-prod/…`: port 80).
const PROXY: &str = "/api/v1/namespaces/casino-prod/services/flagger-loadtester:80/proxy";
const NOW: &str = "2026-11-26T03:00:00Z";
/// How long to poll for the world to reach a state (a limit, not an assertion on time).
const POLLS: usize = 600;

async fn start() -> SimHandle {
    let _ = rustls::crypto::ring::default_provider().install_default();
    sim::start(SimConfig {
        scenario: "casino".into(),
        speed: 10.0,
        ..SimConfig::default()
    })
    .await
    .unwrap()
}

async fn get(c: &kube::Client, path: &str) -> Value {
    let req = http::Request::get(path).body(Vec::new()).unwrap();
    c.request(req).await.unwrap()
}

fn phase(obj: &Value) -> &str {
    obj["status"]["phase"].as_str().unwrap_or("")
}

/// Polls the Canary until its phase is one of `phases`; returns it as served then.
async fn wait_phase(c: &kube::Client, phases: &[&str]) -> Value {
    let mut last = String::new();
    for _ in 0..POLLS {
        let obj = get(c, CANARY).await;
        if phases.contains(&phase(&obj)) {
            return obj;
        }
        last = phase(&obj).to_string();
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("bonus never reached {phases:?} (last {last:?})");
}

/// The plan of `gate` for the Canary as served (webhooks and phase as the row has them).
fn plan(obj: &Value, gate: Gate, open: bool) -> Result<Plan, String> {
    let row = canary_row(obj, &ConvertCtx::default());
    let f = row.flagger.unwrap();
    gate_plan(NS, "bonus", f.phase, &f.webhooks, gate, open)
}

/// The request the confirm dialog would hold for the Canary as served.
fn ask(obj: &Value, action: Action, plan: Plan) -> ActionRequest {
    let seen = seen::of(ControllerKind::Flagger, obj).unwrap();
    ActionRequest {
        id: 1,
        key: RolloutKey {
            namespace: NS.into(),
            name: "bonus".into(),
            kind: ControllerKind::Flagger,
        },
        action,
        target: "casino-prod/bonus (Flagger)".into(),
        change: None,
        plan,
        seen,
        analysis_run: None,
        undo_to: None,
        reason: None,
        identity: "sim-operator".into(),
        context: "sim-operator".into(),
    }
}

/// Runs `req`; the audit entry and the writes the simulator saw meanwhile.
async fn run(c: &kube::Client, req: &ActionRequest) -> (AuditEntry, Vec<Value>) {
    let since = mark(c).await;
    let entry = actions::run(c, req, NOW.parse().unwrap()).await;
    let log = requests(c, since).await;
    let writes = log.into_iter().filter(|r| r["method"] != "GET").collect();
    (entry, writes)
}

/// Runs `action` with `gate`'s plan on the Canary as served, and checks the whole
/// exchange: exactly one POST of `{"name","namespace"}` to `PROXY{gate_path}` (202), then
/// the Event and the annotation on the Canary.
async fn expect_gate(c: &kube::Client, action: Action, gate: Gate, open: bool, gate_path: &str) {
    // The canary may move between the read and the executor's (Progressing reaching
    // WaitingPromotion): refused, as the operator would be; they look again and retry.
    let mut attempts = 0;
    let (entry, writes) = loop {
        let obj = get(c, CANARY).await;
        let req = ask(&obj, action, plan(&obj, gate, open).unwrap());
        let (entry, writes) = run(c, &req).await;
        let moved = entry
            .reason
            .as_deref()
            .unwrap_or("")
            .contains(" moved from ");
        attempts += 1;
        if entry.outcome != Outcome::Refused || !moved || attempts == 3 {
            break (entry, writes);
        }
    };
    assert_eq!(entry.outcome, Outcome::Done, "{entry:?}");
    let path = format!("{PROXY}{gate_path}");
    let body = json!({"name": "bonus", "namespace": NS});
    let recorded = RecordedRequest {
        verb: "POST".into(),
        path: path.clone(),
        content_type: "application/json".into(),
        body: body.clone(),
    };
    assert_eq!(entry.requests, [recorded]);
    assert_eq!(writes.len(), 3, "{writes:#?}");
    let sent = &writes[0];
    assert_eq!(
        (
            &sent["method"],
            &sent["path"],
            &sent["content_type"],
            &sent["body"],
            &sent["status"]
        ),
        (
            &json!("POST"),
            &json!(path),
            &json!("application/json"),
            &body,
            &json!(202)
        ),
    );
    assert!(writes.iter().all(|r| r["identity"] == "sim-operator"));
    let (ev, an) = (&writes[1], &writes[2]);
    assert_eq!(
        (&ev["path"], &ev["status"]),
        (
            &json!(format!("/api/v1/namespaces/{NS}/events")),
            &json!(201)
        )
    );
    assert_eq!(ev["body"]["reason"], action.event_reason());
    assert_eq!(ev["body"]["involvedObject"]["kind"], "Canary");
    assert_eq!(
        (&an["method"], &an["path"], &an["status"]),
        (&json!("PATCH"), &json!(CANARY), &json!(200))
    );
    let after = get(c, CANARY).await;
    let note = after["metadata"]["annotations"][LAST_ACTION]
        .as_str()
        .unwrap();
    let note: Value = serde_json::from_str(note).unwrap();
    assert_eq!(note["action"], action.label());
}

/// What the load tester answers on `check` (`/gate/check`, `/rollback/check`) for bonus,
/// through the service proxy.
async fn check(c: &kube::Client, check: &str) -> u16 {
    let body = json!({"name": "bonus", "namespace": NS});
    let req = http::Request::post(format!("{PROXY}{check}"))
        .header("content-type", "application/json")
        .body(kube::client::Body::from(serde_json::to_vec(&body).unwrap()))
        .unwrap();
    c.send(req).await.unwrap().status().as_u16()
}

async fn release(c: &kube::Client, image: &str) {
    let body = json!({"namespace": NS, "name": "bonus", "image": image});
    let req = http::Request::post("/sim/v1/releases")
        .header("content-type", "application/json")
        .body(serde_json::to_vec(&body).unwrap())
        .unwrap();
    let _: Value = c.request(req).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approve_close_and_roll_back_bonus_through_the_load_tester() {
    let sim = start().await;
    let c = client(&sim, "sim-operator").await;

    // The story's release of bonus waits at the confirm-promotion gate; approve opens it.
    let waiting = wait_phase(&c, &["WaitingPromotion"]).await;
    assert_eq!(
        check(&c, "/gate/check").await,
        403,
        "the gate starts closed"
    );
    expect_gate(&c, Action::Approve, Gate::Approve, true, "/gate/open").await;
    assert_eq!(check(&c, "/gate/check").await, 200, "the gate is open");
    let moved = wait_phase(&c, &["Promoting", "Finalising", "Succeeded"]).await;

    // The approve as asked before the canary moved is refused, and sends nothing.
    let stale = ask(
        &waiting,
        Action::Approve,
        plan(&waiting, Gate::Approve, true).unwrap(),
    );
    let (entry, writes) = run(&c, &stale).await;
    assert_eq!(entry.outcome, Outcome::Refused, "{entry:?}");
    let reason = entry.reason.unwrap_or_default();
    assert!(
        reason.starts_with("bonus moved from WaitingPromotion to ")
            && reason.ends_with(" since you looked; review and try again"),
        "{reason} (phase was {})",
        phase(&moved)
    );
    assert!(
        entry.requests.is_empty() && writes.is_empty(),
        "{writes:#?}"
    );

    // Once the canary has moved on, shipdeck closes the gate it opened.
    wait_phase(&c, &["Succeeded"]).await;
    expect_gate(&c, Action::CloseGate, Gate::Approve, false, "/gate/close").await;
    assert_eq!(check(&c, "/gate/check").await, 403, "the gate is closed");

    // A new release: opening the rollback gate while it progresses fails the canary.
    release(&c, "registry.casino.example/bonus:1.5.0").await;
    let progressing = wait_phase(&c, &["Progressing"]).await;
    assert!(plan(&progressing, Gate::Approve, true).is_err());
    expect_gate(&c, Action::Rollback, Gate::Rollback, true, "/rollback/open").await;
    assert_eq!(check(&c, "/rollback/check").await, 200);
    let failed = wait_phase(&c, &["Failed", "Succeeded"]).await;
    assert_eq!(phase(&failed), "Failed", "{failed:#}");
    let events = get(&c, &format!("/api/v1/namespaces/{NS}/events")).await;
    let manual = "Rolling back bonus.casino-prod manual webhook invoked";
    assert!(
        events["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["message"] == manual),
        "Flagger rolled back because of the gate"
    );
    // Left open, the rollback gate would fail every later release of bonus.
    expect_gate(
        &c,
        Action::CloseGate,
        Gate::Rollback,
        false,
        "/rollback/close",
    )
    .await;
    assert_eq!(
        check(&c, "/rollback/check").await,
        403,
        "the rollback gate is closed"
    );
}

#[test]
fn a_canary_without_a_rollback_webhook_cannot_be_rolled_back() {
    let obj = json!({
        "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
        "metadata": {"name": "bonus", "namespace": NS, "resourceVersion": "7"},
        "spec": {
            "targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "bonus"},
            "analysis": {"interval": "15s", "threshold": 3, "maxWeight": 50, "stepWeight": 10,
                "webhooks": [{"name": "confirm-promotion", "type": "confirm-promotion",
                              "url": "http://flagger-loadtester.casino-prod/gate/check"}]}
        },
        "status": {"phase": "Progressing", "canaryWeight": 20}
    });
    assert_eq!(
        plan(&obj, Gate::Rollback, true).unwrap_err(),
        "no rollback webhook: shipdeck cannot roll back bonus; Flagger rolls back on failed \
         checks"
    );
    assert_eq!(
        plan(&obj, Gate::Approve, true).unwrap_err(),
        "no confirm-traffic-increase webhook: Flagger increases the traffic by itself"
    );
}
