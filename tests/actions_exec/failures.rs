//! The executor's other paths: terminate, undo (with its preparation), the /status 404
//! fallback, conflicts, missing RBAC, a rollout that moved since the operator looked, and
//! the RBAC check itself.

use serde_json::{Value, json};
use shipdeck::adapters::kube::{actions, rbac};
use shipdeck::domain::actions::Action;
use shipdeck::domain::argo_requests::{self, Plan};
use shipdeck::domain::audit::Outcome;
use shipdeck::domain::permissions::{ARGO_NEEDS, Need};

use crate::common::sim;
use crate::support::{
    JSON_PATCH, MERGE, NS, analysis_run, assert_bookkeeping, assert_last_action, assert_recorded,
    assert_sent, canary, path, replica_set, status_path, template, world, writes,
};

fn progressing(idx: u32) -> Value {
    json!({"phase": "Progressing", "currentPodHash": "new", "stableRS": "old", "currentStepIndex": idx})
}

#[tokio::test]
async fn terminate_patches_the_running_analysis_run_and_refuses_a_finished_one() {
    let w = world(&[
        canary("payments", false, progressing(3)),
        analysis_run("payments-new-3", "Running"),
        analysis_run("payments-new-1", "Successful"),
    ])
    .await;
    let run_path = format!(
        "/apis/argoproj.io/v1alpha1/namespaces/{}/analysisruns/payments-new-3",
        NS
    );
    let mut req = w
        .ask(
            "payments",
            Action::Terminate,
            Some(argo_requests::terminate(NS, "payments-new-3")),
        )
        .await;
    req.analysis_run = Some("payments-new-3".into());
    let want = [(
        "PATCH",
        run_path.clone(),
        MERGE,
        json!({"spec": {"terminate": true}}),
    )];
    let (entry, log) = w.run(&w.c, &req).await;
    assert_eq!(entry.outcome, Outcome::Done, "{entry:?}");
    assert_recorded(&entry, &want);
    let sent = writes(&log);
    assert_eq!(sent.len(), 3, "{sent:#?}");
    assert_sent(&sent[0], &want[0], 200);
    assert_bookkeeping(&sent[1..], &req, "AnalysisRun", "payments-new-3");
    assert_eq!(w.get(&run_path).await["spec"]["terminate"], true);
    assert_last_action(&w.get(&path("payments")).await, Action::Terminate);

    // A finished run (or one already terminated) is refused; nothing is sent.
    for run in ["payments-new-1", "payments-new-3"] {
        let mut req = w
            .ask(
                "payments",
                Action::Terminate,
                Some(argo_requests::terminate(NS, run)),
            )
            .await;
        req.analysis_run = Some(run.into());
        let (entry, log) = w.run(&w.c, &req).await;
        assert_eq!(entry.outcome, Outcome::Refused, "{entry:?}");
        let why = entry.reason.unwrap();
        let want = if run == "payments-new-1" {
            "analysis run payments-new-1 already finished (Successful)"
        } else {
            "analysis run payments-new-3 was already terminated"
        };
        assert_eq!(why, want);
        assert!(
            entry.requests.is_empty() && writes(&log).is_empty(),
            "{log:#?}"
        );
    }
}

#[tokio::test]
async fn undo_goes_back_to_the_previous_revision_or_sends_nothing() {
    let mut lobby = canary("lobby", false, progressing(7));
    lobby["spec"]["template"] = template("lobby", "lobby:1", None);
    let mut wallet = canary("wallet", false, progressing(7));
    wallet["spec"]["workloadRef"] =
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "wallet"});
    if let Some(spec) = wallet["spec"].as_object_mut() {
        spec.remove("template");
    }
    let w = world(&[
        canary("payments", false, progressing(7)),
        replica_set(
            "payments",
            "uid-payments",
            1,
            "ghcr.io/casino/payments:3.1.3",
        ),
        replica_set(
            "payments",
            "uid-payments",
            2,
            "ghcr.io/casino/payments:3.1.4",
        ),
        replica_set(
            "payments",
            "uid-payments",
            3,
            "ghcr.io/casino/payments:3.2.0",
        ),
        // A leftover of an earlier rollout of the same name: not this rollout's.
        replica_set("payments", "uid-gone", 4, "ghcr.io/casino/payments:0.0.1"),
        lobby,
        replica_set("lobby", "uid-lobby", 1, "lobby:1"),
        replica_set("lobby", "uid-lobby", 2, "lobby:2"),
        wallet,
    ])
    .await;
    let since = sim::mark(&w.c).await;
    let asked = w.ask("payments", Action::Undo, Some(Plan::default())).await;
    let req = actions::prepare_undo(&w.c, asked.clone()).await.unwrap();
    let list = sim::requests(&w.c, since).await;
    let list = list
        .iter()
        .find(|r| r["path"].as_str().unwrap().ends_with("/replicasets"))
        .unwrap();
    assert_eq!(list["query"], "labelSelector=app%3Dpayments");
    assert_eq!(
        (req.undo_to, req.change.as_deref()),
        (Some(2), Some("revision 3 → 2"))
    );
    let value = template("payments", "ghcr.io/casino/payments:3.1.4", None);
    let want = [(
        "PATCH",
        path("payments"),
        JSON_PATCH,
        json!([{"op": "replace", "path": "/spec/template", "value": value}]),
    )];
    let (entry, log) = w.run(&w.c, &req).await;
    assert_eq!(entry.outcome, Outcome::Done, "{entry:?}");
    assert_recorded(&entry, &want);
    let sent = writes(&log);
    assert_sent(&sent[0], &want[0], 200);
    assert_bookkeeping(&sent[1..], &req, "Rollout", "payments");
    let after = w.get(&path("payments")).await;
    assert_eq!(
        after["spec"]["template"]["spec"]["containers"][0]["image"],
        "ghcr.io/casino/payments:3.1.4"
    );
    assert_eq!(
        after["spec"]["template"]["metadata"]["labels"],
        json!({"app": "payments"})
    );

    // To an exact revision.
    let mut to_one = w.ask("payments", Action::Undo, Some(Plan::default())).await;
    to_one.undo_to = Some(1);
    let req = actions::prepare_undo(&w.c, to_one).await.unwrap();
    assert_eq!(
        req.plan.requests[0].body[0]["value"]["spec"]["containers"][0]["image"],
        "ghcr.io/casino/payments:3.1.3"
    );

    // The template already is the previous revision's: nothing to send.
    let asked = w.ask("lobby", Action::Undo, Some(Plan::default())).await;
    let req = actions::prepare_undo(&w.c, asked).await.unwrap();
    assert!(req.plan.requests.is_empty(), "{:?}", req.plan);
    assert_eq!(req.undo_to, Some(1));

    let asked = w.ask("wallet", Action::Undo, Some(Plan::default())).await;
    let err = actions::prepare_undo(&w.c, asked).await.unwrap_err();
    assert_eq!(err, "the template lives in Deployment wallet");
}

#[tokio::test]
async fn without_a_status_subresource_the_unified_patch_goes_to_the_main_resource() {
    let w = world(&[canary("payments", true, progressing(3))]).await;
    sim::fault(&w.c, json!({"kind": "no-status", "resource": "rollouts"})).await;
    let req = w.ask("payments", Action::Approve, None).await;
    assert_eq!(req.plan.requests.len(), 2);
    let status = (
        "PATCH",
        status_path("payments"),
        MERGE,
        json!({"status": {"pauseConditions": null, "currentStepIndex": 4}}),
    );
    let unified = (
        "PATCH",
        path("payments"),
        MERGE,
        json!({"spec": {"paused": false}, "status": {"pauseConditions": null, "currentStepIndex": 4}}),
    );
    let (entry, log) = w.run(&w.c, &req).await;
    assert_eq!(entry.outcome, Outcome::Done, "{entry:?}");
    assert_recorded(&entry, &[status.clone(), unified.clone()]);
    let sent = writes(&log);
    assert_eq!(sent.len(), 4, "{sent:#?}");
    assert_sent(&sent[0], &status, 404);
    assert_eq!(sent[0]["path"], status_path("payments"));
    assert_sent(&sent[1], &unified, 200);
    assert_bookkeeping(&sent[2..], &req, "Rollout", "payments");
    assert_eq!(w.get(&path("payments")).await["spec"]["paused"], false);
    // The answer is a real server's for a CRD without the subresource; RBAC comes first.
    for (who, code) in [("sim-operator", 404), ("sim-viewer", 403)] {
        let c = sim::client(&w.sim, who).await;
        let patch = http::Request::patch(status_path("payments"))
            .header("content-type", MERGE)
            .body(b"{}".to_vec())
            .unwrap();
        let Err(kube::Error::Api(s)) = c.request::<Value>(patch).await else {
            panic!("{who}: the status subresource answered");
        };
        assert_eq!(s.code, code, "{who}: {s:?}");
        if code == 404 {
            let m = (s.reason.as_str(), s.message.as_str());
            assert_eq!(
                m,
                (
                    "NotFound",
                    "the server could not find the requested resource"
                )
            );
        }
    }
}

#[tokio::test]
async fn a_conflict_fails_with_review_and_try_again_and_records_nothing_else() {
    let w = world(&[canary("payments", false, progressing(2))]).await;
    sim::fault(&w.c, json!({"kind": "conflict", "resource": "rollouts"})).await;
    let req = w.ask("payments", Action::Abort, None).await;
    let (entry, log) = w.run(&w.c, &req).await;
    assert_eq!(entry.outcome, Outcome::Failed);
    assert_eq!(
        entry.reason.as_deref(),
        Some(
            "conflict: Operation cannot be fulfilled on rollouts.argoproj.io \"payments\": the object \
              has been modified; please apply your changes to the latest version and try again; \
              review and try again"
        )
    );
    let abort = (
        "PATCH",
        status_path("payments"),
        MERGE,
        json!({"status": {"abort": true}}),
    );
    assert_recorded(&entry, std::slice::from_ref(&abort));
    let sent = writes(&log);
    assert_eq!(sent.len(), 1, "no Event, no annotation: {sent:#?}");
    assert_sent(&sent[0], &abort, 409);
    sim::clear_faults(&w.c).await;
    assert_eq!(w.get(&path("payments")).await["status"].get("abort"), None);
}

#[tokio::test]
async fn a_viewer_gets_no_permission_for_the_status_patch() {
    let w = world(&[canary("payments", false, progressing(2))]).await;
    let viewer = sim::client(&w.sim, "sim-viewer").await;
    let mut req = w.ask("payments", Action::Abort, None).await;
    req.identity = "sim-viewer".into();
    let (entry, log) = w.run(&viewer, &req).await;
    assert_eq!(entry.outcome, Outcome::Failed);
    let why = entry.reason.unwrap();
    assert!(
        why.starts_with("no permission (patch rollouts/status): "),
        "{why}"
    );
    assert!(why.contains("sim-viewer"), "{why}");
    let sent = writes(&log);
    assert_eq!(sent.len(), 1, "{sent:#?}");
    assert_eq!(
        (&sent[0]["identity"], &sent[0]["status"]),
        (&json!("sim-viewer"), &json!(403))
    );
}

#[tokio::test]
async fn a_rollout_that_moved_since_the_operator_looked_is_refused() {
    let w = world(&[canary("payments", false, progressing(1))]).await;
    let req = w.ask("payments", Action::Approve, None).await;
    w.patch(
        &status_path("payments"),
        json!({"status": {"currentStepIndex": 2}}),
    )
    .await;
    let (entry, log) = w.run(&w.c, &req).await;
    assert_eq!(entry.outcome, Outcome::Refused);
    assert_eq!(
        entry.reason.as_deref(),
        Some("payments moved from step 1 to 2 since you looked; review and try again")
    );
    assert!(entry.requests.is_empty());
    assert!(writes(&log).is_empty(), "{log:#?}");
    assert!(log.iter().all(|r| r["method"] == "GET"));
}

#[tokio::test]
async fn rbac_asks_one_review_per_need() {
    let w = world(&[canary("payments", false, progressing(1))]).await;
    let get = Need {
        verb: "get",
        group: "argoproj.io",
        resource: "rollouts",
        subresource: "",
    };
    let mut needs = ARGO_NEEDS.to_vec();
    needs.push(get);
    let since = sim::mark(&w.c).await;
    let answers = rbac::check(&w.c, NS, &needs).await.unwrap();
    assert_eq!(
        answers,
        needs.iter().map(|n| (*n, true)).collect::<Vec<_>>()
    );
    let reviews = writes(&sim::requests(&w.c, since).await);
    assert_eq!(reviews.len(), needs.len());
    let status_review = reviews
        .iter()
        .find(|r| r["body"]["spec"]["resourceAttributes"]["subresource"] == "status")
        .unwrap();
    assert_eq!(
        status_review["body"],
        json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
               "spec": {"resourceAttributes": {"namespace": NS, "verb": "patch",
                        "group": "argoproj.io", "resource": "rollouts", "subresource": "status"}}})
    );
    assert!(
        reviews
            .iter()
            .all(|r| r["path"] == "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")
    );

    let viewer = sim::client(&w.sim, "sim-viewer").await;
    let answers = rbac::check(&viewer, NS, &needs).await.unwrap();
    let allowed: Vec<(String, bool)> = answers.iter().map(|(n, a)| (n.label(), *a)).collect();
    assert_eq!(
        allowed,
        [
            ("patch rollouts", false),
            ("patch rollouts/status", false),
            ("patch analysisruns", false),
            ("create events", false),
            ("get rollouts", true)
        ]
        .map(|(l, a)| (l.to_string(), a))
    );

    sim::fault(&w.c, json!({"kind": "api-500"})).await;
    let err = rbac::check(&w.c, NS, &needs).await.unwrap_err();
    assert!(err.contains("500"), "{err}");
}

#[tokio::test]
async fn a_failed_event_leaves_the_action_done_and_a_deleted_rollout_fails_unsent() {
    let w = world(&[canary("payments", false, progressing(2))]).await;
    let forbid = json!({"kind": "forbidden", "identity": "sim-operator", "resource": "events"});
    sim::fault(&w.c, forbid).await;
    let mut req = w.ask("payments", Action::Pause, None).await;
    req.reason = Some("INC-9".into());
    let (entry, log) = w.run(&w.c, &req).await;
    assert_eq!(entry.outcome, Outcome::Done, "{entry:?}");
    assert_eq!(
        entry.reason.as_deref(),
        Some(
            "INC-9; Event not recorded: 403: User \"sim-operator\" is forbidden here (simulated fault forbidden)"
        )
    );
    let sent = writes(&log);
    let statuses: Vec<(&str, u64)> = sent
        .iter()
        .map(|r| (r["method"].as_str().unwrap(), r["status"].as_u64().unwrap()))
        .collect();
    assert_eq!(statuses, [("PATCH", 200), ("POST", 403), ("PATCH", 200)]);
    assert_last_action(&w.get(&path("payments")).await, Action::Pause);
    sim::clear_faults(&w.c).await;

    let req = w.ask("payments", Action::Resume, None).await;
    let gone = http::Request::delete(path("payments"))
        .body(Vec::new())
        .unwrap();
    let _: Value = w.c.request(gone).await.unwrap();
    let (entry, log) = w.run(&w.c, &req).await;
    assert_eq!(entry.outcome, Outcome::Failed);
    let why = entry.reason.unwrap();
    assert!(
        why.starts_with(&format!("{NS}/payments not found: ")),
        "{why}"
    );
    assert!(
        entry.requests.is_empty() && writes(&log).is_empty(),
        "{log:#?}"
    );
}
