//! The objects the action tests load into the plain simulator, and the checks they share.

use serde_json::{Value, json};
use shipdeck::adapters::kube::actions;
use shipdeck::adapters::kube::convert::argo_facts;
use shipdeck::domain::action_request::{self, ActionRequest};
use shipdeck::domain::actions::Action;
use shipdeck::domain::argo_requests::Plan;
use shipdeck::domain::audit::{AuditEntry, Outcome};
use shipdeck::domain::rollout::{ControllerKind, RolloutKey};
use shipdeck::sim::SimHandle;

use crate::common::sim;

pub const NS: &str = "casino-prod";
pub const MERGE: &str = "application/merge-patch+json";
pub const JSON_PATCH: &str = "application/json-patch+json";
pub const NOW: &str = "2026-11-26T03:00:00Z";

pub fn path(name: &str) -> String {
    format!("/apis/argoproj.io/v1alpha1/namespaces/{NS}/rollouts/{name}")
}

pub fn status_path(name: &str) -> String {
    format!("{}/status", path(name))
}

pub fn template(app: &str, image: &str, hash: Option<&str>) -> Value {
    let mut labels = json!({"app": app});
    if let Some(h) = hash {
        labels["rollouts-pod-template-hash"] = json!(h);
    }
    json!({"metadata": {"labels": labels},
           "spec": {"containers": [{"name": app, "image": image}]}})
}

fn rollout(name: &str, paused: bool, strategy: Value, status: Value) -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": {"name": name, "namespace": NS, "uid": format!("uid-{name}"), "generation": 3,
                     "labels": {"app": name},
                     "annotations": {"rollout.argoproj.io/revision": "3"}},
        "spec": {"replicas": 3, "paused": paused, "selector": {"matchLabels": {"app": name}},
                 "template": template(name, &format!("ghcr.io/casino/{name}:3.2.0"), None),
                 "strategy": strategy},
        "status": status,
    })
}

/// A canary with 7 steps (index 3 is the analysis).
pub fn canary(name: &str, paused: bool, status: Value) -> Value {
    let steps = json!([
        {"setWeight": 10}, {"pause": {}}, {"setWeight": 30},
        {"analysis": {"templates": [{"templateName": "success-rate"}]}},
        {"setWeight": 60}, {"pause": {"duration": "30s"}}, {"setWeight": 100}
    ]);
    rollout(name, paused, json!({"canary": {"steps": steps}}), status)
}

pub fn blue_green(name: &str, paused: bool, status: Value) -> Value {
    let bg = json!({"blueGreen": {"activeService": format!("{name}-active"),
                                  "previewService": format!("{name}-preview"),
                                  "autoPromotionEnabled": false}});
    rollout(name, paused, bg, status)
}

/// A ReplicaSet of `rollout` (owner uid `owner_uid`) at `revision`.
pub fn replica_set(rollout: &str, owner_uid: &str, revision: u64, image: &str) -> Value {
    let hash = format!("h{revision}{}", owner_uid.len());
    json!({
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": format!("{rollout}-{hash}"), "namespace": NS,
                     "labels": {"app": rollout, "rollouts-pod-template-hash": hash},
                     "annotations": {"rollout.argoproj.io/revision": revision.to_string()},
                     "ownerReferences": [{"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
                                          "name": rollout, "uid": owner_uid, "controller": true}]},
        "spec": {"replicas": 0,
                 "selector": {"matchLabels": {"app": rollout, "rollouts-pod-template-hash": hash}},
                 "template": template(rollout, image, Some(&hash))},
    })
}

pub fn analysis_run(name: &str, phase: &str) -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisRun",
        "metadata": {"name": name, "namespace": NS, "uid": format!("uid-{name}")},
        "spec": {"metrics": [{"name": "success-rate", "successCondition": "result[0] >= 0.95",
                  "provider": {"prometheus": {"address": "http://prometheus:9090", "query": "x"}}}]},
        "status": {"phase": phase},
    })
}

/// A plain simulator holding `objects`, and a client as sim-operator.
pub struct World {
    pub sim: SimHandle,
    pub c: kube::Client,
    _dir: tempfile::TempDir,
}

pub async fn world(objects: &[Value]) -> World {
    let dir = tempfile::tempdir().unwrap();
    for (i, o) in objects.iter().enumerate() {
        let file = dir.path().join(format!("{i:02}.json"));
        std::fs::write(file, serde_json::to_vec_pretty(o).unwrap()).unwrap();
    }
    let sim = sim::start(vec![dir.path().to_path_buf()]).await;
    assert!(sim.report.warnings.is_empty(), "{:?}", sim.report.warnings);
    let c = sim::client(&sim, "sim-operator").await;
    World { sim, c, _dir: dir }
}

impl World {
    pub async fn get(&self, path: &str) -> Value {
        let req = http::Request::get(path).body(Vec::new()).unwrap();
        self.c.request(req).await.unwrap()
    }

    pub async fn patch(&self, path: &str, body: Value) -> Value {
        let req = http::Request::patch(path)
            .header("content-type", MERGE)
            .body(serde_json::to_vec(&body).unwrap())
            .unwrap();
        self.c.request(req).await.unwrap()
    }

    /// Every bearer token of the simulator's kubeconfig.
    pub fn tokens(&self) -> Vec<String> {
        let kc = self.sim.kubeconfig("sim-operator", None);
        let tokens: Vec<String> = kc
            .lines()
            .filter_map(|l| l.trim().strip_prefix("token:"))
            .map(|t| t.trim().to_string())
            .collect();
        assert!(tokens.len() >= 2, "{kc}");
        tokens
    }

    /// Runs `req` with `client`; the entry and every request the simulator saw meanwhile.
    pub async fn run(
        &self,
        client: &kube::Client,
        req: &ActionRequest,
    ) -> (AuditEntry, Vec<Value>) {
        let since = sim::mark(&self.c).await;
        let entry = actions::run(client, req, NOW.parse().unwrap()).await;
        let text = format!("{} {entry:?}", serde_json::to_string(&entry).unwrap());
        for t in self.tokens() {
            assert!(!text.contains(&t), "the audit entry holds a token: {text}");
        }
        assert_eq!(entry.time.to_rfc3339(), "2026-11-26T03:00:00+00:00");
        assert_eq!(
            (entry.namespace.as_str(), entry.name.as_str()),
            (NS, req.key.name.as_str())
        );
        assert_eq!(entry.action, req.action.label());
        (entry, sim::requests(&self.c, since).await)
    }

    /// Asks for `action` on `name` as served now (the plan of `plan_for` unless given).
    pub async fn ask(&self, name: &str, action: Action, plan: Option<Plan>) -> ActionRequest {
        let obj = self.get(&path(name)).await;
        ask(&obj, action, plan)
    }
}

/// The request the confirm dialog would hold for `obj`.
pub fn ask(obj: &Value, action: Action, plan: Option<Plan>) -> ActionRequest {
    let seen = argo_facts::seen(obj).unwrap();
    let plan = plan.unwrap_or_else(|| action_request::plan_for(action, &seen.facts).unwrap());
    let kind = if seen.facts.canary {
        ControllerKind::ArgoCanary
    } else {
        ControllerKind::ArgoBlueGreen
    };
    let key = RolloutKey {
        namespace: seen.facts.namespace.clone(),
        name: seen.facts.name.clone(),
        kind,
    };
    ActionRequest {
        id: 1,
        target: format!("{}/{} (Argo)", key.namespace, key.name),
        key,
        action,
        change: action_request::change_text(action, &seen, None),
        plan,
        seen,
        analysis_run: None,
        undo_to: None,
        reason: None,
        identity: "sim-operator".into(),
        context: "sim-operator".into(),
    }
}

/// The log's writes (everything but GETs).
pub fn writes(log: &[Value]) -> Vec<Value> {
    log.iter()
        .filter(|r| r["method"] != "GET")
        .cloned()
        .collect()
}

/// One logged request: verb, path and content type exactly, the body as parsed JSON.
pub fn assert_sent(rec: &Value, want: &(&str, String, &str, Value), status: u64) {
    let (verb, path, ct, body) = want;
    assert_eq!(rec["method"], *verb, "{rec}");
    assert_eq!(rec["path"], path.as_str(), "{rec}");
    assert_eq!(rec["content_type"], *ct, "{rec}");
    assert_eq!(rec["body"], *body, "{rec}");
    assert_eq!(rec["status"], status, "{rec}");
}

/// The audit entry recorded exactly `want`.
pub fn assert_recorded(entry: &AuditEntry, want: &[(&str, String, &str, Value)]) {
    let got: Vec<(String, String, String, Value)> = entry
        .requests
        .iter()
        .map(|r| {
            (
                r.verb.clone(),
                r.path.clone(),
                r.content_type.clone(),
                r.body.clone(),
            )
        })
        .collect();
    let want: Vec<(String, String, String, Value)> = want
        .iter()
        .map(|(v, p, c, b)| (v.to_string(), p.clone(), c.to_string(), b.clone()))
        .collect();
    assert_eq!(got, want);
}

/// The Event (about `kind` `name`) and the annotation on the Rollout `rollout`.
pub fn assert_bookkeeping(after: &[Value], req: &ActionRequest, kind: &str, name: &str) {
    assert_eq!(after.len(), 2, "{after:#?}");
    let ev = &after[0];
    assert_eq!(
        (&ev["method"], &ev["path"], &ev["status"]),
        (
            &json!("POST"),
            &json!(format!("/api/v1/namespaces/{NS}/events")),
            &json!(201)
        )
    );
    let b = &ev["body"];
    assert_eq!(b["reason"], req.action.event_reason());
    assert_eq!(b["type"], "Normal");
    assert_eq!(b["metadata"]["generateName"], format!("{name}."));
    let io = &b["involvedObject"];
    assert_eq!(
        (
            &io["apiVersion"],
            &io["kind"],
            &io["name"],
            &io["namespace"],
            &io["uid"]
        ),
        (
            &json!("argoproj.io/v1alpha1"),
            &json!(kind),
            &json!(name),
            &json!(NS),
            &json!(format!("uid-{name}"))
        )
    );
    assert!(
        io["resourceVersion"]
            .as_str()
            .is_some_and(|v| !v.is_empty()),
        "{io}"
    );
    let message = b["message"].as_str().unwrap();
    let by = format!("{} by sim-operator via shipdeck", req.action.label());
    assert!(message.starts_with(&by), "{message}");
    if let Some(change) = &req.change {
        assert!(message.contains(change.as_str()), "{message}");
    }
    assert_eq!(
        (&b["source"]["component"], &b["reportingComponent"]),
        (&json!("shipdeck"), &json!("shipdeck"))
    );
    assert_eq!(
        (&b["firstTimestamp"], &b["lastTimestamp"], &b["count"]),
        (&json!(NOW), &json!(NOW), &json!(1))
    );
    assert!(
        b["reportingInstance"]
            .as_str()
            .is_some_and(|i| !i.is_empty())
    );
    let an = &after[1];
    assert_eq!(
        (
            &an["method"],
            &an["path"],
            &an["content_type"],
            &an["status"]
        ),
        (
            &json!("PATCH"),
            &json!(path(&req.key.name)),
            &json!(MERGE),
            &json!(200)
        )
    );
    let keys: Vec<&String> = an["body"]["metadata"]["annotations"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(keys, ["shipdeck.io/last-action"]);
}

/// The annotation `shipdeck.io/last-action` on the Rollout as served.
pub fn assert_last_action(obj: &Value, action: Action) {
    let text = obj["metadata"]["annotations"]["shipdeck.io/last-action"]
        .as_str()
        .unwrap();
    let v: Value = serde_json::from_str(text).unwrap();
    assert_eq!(
        v,
        json!({"action": action.label(), "identity": "sim-operator", "time": NOW})
    );
}

/// Runs `action` on `name` as sim-operator and checks the whole exchange: exactly `want`
/// (merge patches), then the bookkeeping. Returns the Rollout as served afterwards.
pub async fn expect_done(
    w: &World,
    req: &ActionRequest,
    want: &[(&str, String, &str, Value)],
) -> Value {
    let (entry, log) = w.run(&w.c, req).await;
    assert_eq!(entry.outcome, Outcome::Done, "{entry:?}");
    assert_recorded(&entry, want);
    let sent = writes(&log);
    assert_eq!(sent.len(), want.len() + 2, "{sent:#?}");
    for (rec, w) in sent.iter().zip(want) {
        assert_sent(rec, w, 200);
    }
    assert!(log.iter().all(|r| r["identity"] == "sim-operator"));
    assert_bookkeeping(&sent[want.len()..], req, "Rollout", &req.key.name);
    let obj = w.get(&path(&req.key.name)).await;
    assert_last_action(&obj, req.action);
    obj
}
