//! The action executor against the plain simulator (objects stay exactly as written): each
//! Argo Rollouts action sends exactly the requests of PROTOCOLS.md (verb, path and content
//! type exactly, bodies as parsed JSON, read from the simulator's request log), then one
//! Event and the `shipdeck.io/last-action` annotation; the object afterwards shows it.
//! Failures (no status subresource, conflicts, RBAC, a rollout that moved), terminate, undo
//! and the RBAC check are in `actions_exec/failures.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "actions_exec/failures.rs"]
mod failures;
#[path = "actions_exec/support.rs"]
mod support;

use serde_json::{Value, json};
use shipdeck::domain::actions::Action;
use shipdeck::domain::argo_requests;
use support::{MERGE, NOW, blue_green, canary, expect_done, path, status_path, world};

/// Progressing at step `idx` of 7, not fully promoted.
fn progressing(idx: u32) -> Value {
    json!({"phase": "Progressing", "currentPodHash": "new", "stableRS": "old", "currentStepIndex": idx})
}

#[tokio::test]
async fn pause_and_resume_touch_only_spec_paused() {
    let w = world(&[
        canary("payments", false, progressing(2)),
        canary("lobby", true, progressing(2)),
    ])
    .await;
    let req = w.ask("payments", Action::Pause, None).await;
    let want = [(
        "PATCH",
        path("payments"),
        MERGE,
        json!({"spec": {"paused": true}}),
    )];
    let after = expect_done(&w, &req, &want).await;
    assert_eq!(after["spec"]["paused"], true);

    // Resume is Argo CD's: only `spec.paused`, never the step.
    let req = w.ask("lobby", Action::Resume, None).await;
    let want = [(
        "PATCH",
        path("lobby"),
        MERGE,
        json!({"spec": {"paused": false}}),
    )];
    let after = expect_done(&w, &req, &want).await;
    assert_eq!(after["spec"]["paused"], false);
    assert_eq!(after["status"]["currentStepIndex"], 2);
}

#[tokio::test]
async fn abort_then_retry_patch_the_status_subresource() {
    let mut aborted = progressing(2);
    aborted["abort"] = json!(true);
    let w = world(&[
        canary("payments", false, progressing(2)),
        canary("lobby", false, aborted),
    ])
    .await;
    let req = w.ask("payments", Action::Abort, None).await;
    let want = [(
        "PATCH",
        status_path("payments"),
        MERGE,
        json!({"status": {"abort": true}}),
    )];
    let after = expect_done(&w, &req, &want).await;
    assert_eq!(after["status"]["abort"], true);

    let req = w.ask("lobby", Action::Retry, None).await;
    let want = [(
        "PATCH",
        status_path("lobby"),
        MERGE,
        json!({"status": {"abort": false}}),
    )];
    let after = expect_done(&w, &req, &want).await;
    assert_eq!(after["status"]["abort"], false);
}

#[tokio::test]
async fn restart_sets_restart_at_and_the_operator_reason_is_audited() {
    let w = world(&[canary("payments", false, progressing(6))]).await;
    let obj = w.get(&path("payments")).await;
    let seen = shipdeck::adapters::kube::convert::argo_facts::seen(&obj).unwrap();
    let plan = argo_requests::restart(&seen.facts, NOW);
    let mut req = support::ask(&obj, Action::Restart, Some(plan));
    req.reason = Some("INC-4711 pods wedged".into());
    let want = [(
        "PATCH",
        path("payments"),
        MERGE,
        json!({"spec": {"restartAt": NOW}}),
    )];
    let (entry, log) = w.run(&w.c, &req).await;
    assert_eq!(entry.reason.as_deref(), Some("INC-4711 pods wedged"));
    let sent = support::writes(&log);
    support::assert_sent(&sent[0], &want[0], 200);
    support::assert_bookkeeping(&sent[1..], &req, "Rollout", "payments");
    let event = &sent[1];
    assert_eq!(
        event["body"]["message"],
        "restart by sim-operator via shipdeck: every pod replaced (reason: INC-4711 pods wedged)"
    );
    support::assert_recorded(&entry, &want);
    let after = w.get(&path("payments")).await;
    assert_eq!(after["spec"]["restartAt"], NOW);
    support::assert_last_action(&after, Action::Restart);
}

#[tokio::test]
async fn promote_full_sends_status_then_spec_and_only_spec_when_fully_promoted() {
    let mut promoted = progressing(7);
    promoted["currentPodHash"] = json!("old");
    let w = world(&[
        canary("payments", true, progressing(1)),
        canary("lobby", true, promoted),
    ])
    .await;
    let req = w.ask("payments", Action::PromoteFull, None).await;
    let want = [
        (
            "PATCH",
            status_path("payments"),
            MERGE,
            json!({"status": {"promoteFull": true}}),
        ),
        (
            "PATCH",
            path("payments"),
            MERGE,
            json!({"spec": {"paused": false}}),
        ),
    ];
    let after = expect_done(&w, &req, &want).await;
    assert_eq!(
        (&after["status"]["promoteFull"], &after["spec"]["paused"]),
        (&json!(true), &json!(false))
    );

    let req = w.ask("lobby", Action::PromoteFull, None).await;
    let want = [(
        "PATCH",
        path("lobby"),
        MERGE,
        json!({"spec": {"paused": false}}),
    )];
    let after = expect_done(&w, &req, &want).await;
    assert_eq!(after["status"].get("promoteFull"), None);
}

#[tokio::test]
async fn promote_follows_each_branch_of_the_decision_table() {
    let pause = json!([{"reason": "CanaryPauseStep", "startTime": "2026-11-26T02:50:00Z"}]);
    let mut a = progressing(3);
    a["controllerPause"] = json!(true);
    a["pauseConditions"] =
        json!([{"reason": "InconclusiveAnalysisRun", "startTime": "2026-11-26T02:55:00Z"}]);
    a["canary"] =
        json!({"currentStepAnalysisRunStatus": {"name": "a-3", "status": "Inconclusive"}});
    let mut b = progressing(1);
    b["controllerPause"] = json!(true);
    b["pauseConditions"] = pause.clone();
    let mut d = json!({"phase": "Paused", "currentPodHash": "new", "stableRS": "old"});
    d["blueGreen"] = json!({"activeSelector": "old", "previewSelector": "new"});
    let w = world(&[
        canary("a", false, a),
        canary("b", false, b),
        canary("c", false, progressing(3)),
        blue_green("d", true, d),
    ])
    .await;

    // a: an inconclusive analysis paused the controller: step forward, unpause it.
    let req = w.ask("a", Action::Approve, None).await;
    let body = json!({"status": {"pauseConditions": null, "controllerPause": false, "currentStepIndex": 4}});
    let after = expect_done(&w, &req, &[("PATCH", status_path("a"), MERGE, body)]).await;
    assert_eq!(
        (
            &after["status"]["currentStepIndex"],
            &after["status"]["controllerPause"]
        ),
        (&json!(4), &json!(false))
    );
    assert_eq!(after["status"].get("pauseConditions"), None);

    // b: a pause step: clear the pause conditions only.
    let req = w.ask("b", Action::Approve, None).await;
    let body = json!({"status": {"pauseConditions": null}});
    let after = expect_done(&w, &req, &[("PATCH", status_path("b"), MERGE, body)]).await;
    assert_eq!(
        (
            after["status"].get("pauseConditions"),
            &after["status"]["currentStepIndex"]
        ),
        (None, &json!(1))
    );

    // c: nothing paused: skips the running analysis (the dialog says so).
    let req = w.ask("c", Action::Approve, None).await;
    assert_eq!(req.plan.skips.len(), 1, "{:?}", req.plan.skips);
    assert!(
        req.plan.skips[0].starts_with("skips step 4/7 (analysis"),
        "{:?}",
        req.plan.skips
    );
    assert_eq!(req.change.as_deref(), Some("step 3/7 → 4/7"));
    let body = json!({"status": {"pauseConditions": null, "currentStepIndex": 4}});
    let after = expect_done(&w, &req, &[("PATCH", status_path("c"), MERGE, body)]).await;
    assert_eq!(after["status"]["currentStepIndex"], 4);

    // d: blue-green paused by spec: the spec patch alone.
    let req = w.ask("d", Action::Approve, None).await;
    let body = json!({"spec": {"paused": false}});
    let after = expect_done(&w, &req, &[("PATCH", path("d"), MERGE, body)]).await;
    assert_eq!(after["spec"]["paused"], false);
}
