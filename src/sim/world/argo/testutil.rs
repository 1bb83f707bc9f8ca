//! Helpers of the Rollout story tests: manifests, the CLI's requests, and views of the sets.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::time::Duration;

use serde_json::{Value, json};

use crate::sim::world::testkit::Kit;

pub const AV: &str = "argoproj.io/v1alpha1";
pub const NS: &str = "test";
pub const TICK: Duration = Duration::from_millis(500);

pub fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

pub fn canary(name: &str, replicas: i64, steps: Value) -> Value {
    json!({
        "apiVersion": AV, "kind": "Rollout",
        "metadata": {"name": name, "namespace": NS},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "app", "image": format!("{name}:1.0.0")}]},
            },
            "strategy": {"canary": {"steps": steps}},
        }
    })
}

/// The documents of an example manifest, in namespace `test`.
pub fn example(file: &str) -> Vec<Value> {
    let path = format!(
        "{}/tests/fixtures/argo-rollouts/examples/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).unwrap();
    crate::sim::load::documents(&text)
        .unwrap()
        .into_iter()
        .map(|mut d| {
            if d["kind"] != "ClusterAnalysisTemplate" {
                d["metadata"]["namespace"] = json!(NS);
            }
            d
        })
        .collect()
}

/// A job-provider template (the simulator cannot run it: tests decide its outcome).
pub fn job_template(name: &str) -> Value {
    json!({
        "apiVersion": AV, "kind": "AnalysisTemplate",
        "metadata": {"name": name, "namespace": NS},
        "spec": {
            "args": [{"name": "service"}],
            "metrics": [{
                "name": "check", "count": 1, "interval": "5s",
                "provider": {"job": {"spec": {"backoffLimit": 0, "template": {"spec": {
                    "restartPolicy": "Never",
                    "containers": [{"name": "c", "image": "alpine:3.8", "args": ["{{args.service}}"]}],
                }}}}},
            }],
        }
    })
}

pub fn ro(k: &Kit, name: &str) -> Value {
    k.get(AV, "Rollout", NS, name)
}

pub fn st(k: &Kit, name: &str) -> Value {
    ro(k, name)["status"].clone()
}

pub fn run(k: &mut Kit, n: u64) {
    k.run(secs(n), TICK);
}

pub fn until(k: &mut Kit, n: u64, cond: impl Fn(&Kit) -> bool) -> bool {
    k.run_until(secs(n), TICK, cond)
}

pub fn phase(k: &Kit, name: &str) -> (String, String) {
    let s = st(k, name);
    (
        s["phase"].as_str().unwrap_or("").to_string(),
        s["message"].as_str().unwrap_or("").to_string(),
    )
}

pub fn index(k: &Kit, name: &str) -> i64 {
    st(k, name)["currentStepIndex"].as_i64().unwrap_or(-1)
}

/// Sets the image of the first container (a new release).
pub fn set_image(k: &mut Kit, name: &str, image: &str) {
    let mut c = ro(k, name)["spec"]["template"]["spec"]["containers"].clone();
    c[0]["image"] = json!(image);
    let patch = json!({"spec": {"template": {"spec": {"containers": c}}}});
    k.merge(AV, "Rollout", NS, name, &patch, false);
}

/// The Rollout's ReplicaSets, by revision.
pub fn sets(k: &Kit, name: &str) -> Vec<Value> {
    let uid = ro(k, name)["metadata"]["uid"].clone();
    let mut v: Vec<Value> = k
        .list("apps/v1", "ReplicaSet", NS)
        .into_iter()
        .filter(|r| r["metadata"]["ownerReferences"][0]["uid"] == uid)
        .collect();
    v.sort_by_key(rev);
    v
}

pub fn rev(obj: &Value) -> i64 {
    obj["metadata"]["annotations"]["rollout.argoproj.io/revision"]
        .as_str()
        .unwrap_or("0")
        .parse()
        .unwrap_or(0)
}

pub fn set_named(k: &Kit, rollout: &str, hash: &str) -> Value {
    k.get("apps/v1", "ReplicaSet", NS, &format!("{rollout}-{hash}"))
}

/// (canary, stable) `spec.replicas` of the current and the stable set.
pub fn split(k: &Kit, name: &str) -> (i64, i64) {
    let s = st(k, name);
    let of = |h: &Value| {
        set_named(k, name, h.as_str().unwrap())["spec"]["replicas"]
            .as_i64()
            .unwrap()
    };
    (of(&s["currentPodHash"]), of(&s["stableRS"]))
}

pub fn pods_of(k: &Kit, rs: &Value) -> Vec<Value> {
    k.list("v1", "Pod", NS)
        .into_iter()
        .filter(|p| p["metadata"]["ownerReferences"][0]["uid"] == rs["metadata"]["uid"])
        .collect()
}

pub fn runs(k: &Kit) -> Vec<Value> {
    k.list(AV, "AnalysisRun", NS)
}

pub fn set_run_phase(k: &mut Kit, run: &str, phase: &str, message: &str) {
    let patch = json!({"status": {"phase": phase, "message": message}});
    k.merge(AV, "AnalysisRun", NS, run, &patch, false);
}

fn status_patch(k: &mut Kit, name: &str, status: Value) {
    k.merge(AV, "Rollout", NS, name, &json!({ "status": status }), true);
}

/// `kubectl argo rollouts promote` (one step), by its decision table.
pub fn promote(k: &mut Kit, name: &str) {
    let r = ro(k, name);
    let s = &r["status"];
    let steps = r["spec"]["strategy"]["canary"]["steps"]
        .as_array()
        .map_or(0, Vec::len) as i64;
    let idx = (s["currentStepIndex"].as_i64().unwrap_or(0) + 1).min(steps);
    let has_pause = s["pauseConditions"]
        .as_array()
        .is_some_and(|p| !p.is_empty());
    let canary = r["spec"]["strategy"]["canary"].is_object();
    let patch = if canary
        && s["canary"]["currentStepAnalysisRunStatus"]["status"] == "Inconclusive"
        && has_pause
        && s["controllerPause"] == true
    {
        Some(json!({"pauseConditions": null, "controllerPause": false, "currentStepIndex": idx}))
    } else if has_pause {
        Some(json!({"pauseConditions": null}))
    } else if canary && steps > 0 {
        Some(json!({"pauseConditions": null, "currentStepIndex": idx}))
    } else {
        None
    };
    if let Some(p) = patch {
        status_patch(k, name, p);
    }
    if r["spec"]["paused"] == true {
        k.merge(
            AV,
            "Rollout",
            NS,
            name,
            &json!({"spec": {"paused": false}}),
            false,
        );
    }
}

pub fn promote_full(k: &mut Kit, name: &str) {
    status_patch(k, name, json!({"promoteFull": true}));
}

pub fn abort(k: &mut Kit, name: &str) {
    status_patch(k, name, json!({"abort": true}));
}

pub fn retry(k: &mut Kit, name: &str) {
    status_patch(k, name, json!({"abort": false}));
}

pub fn set_paused(k: &mut Kit, name: &str, paused: bool) {
    k.merge(
        AV,
        "Rollout",
        NS,
        name,
        &json!({"spec": {"paused": paused}}),
        false,
    );
}

/// `kubectl argo rollouts undo`: the template of the set with the second-highest revision.
pub fn undo(k: &mut Kit, name: &str) {
    let all = sets(k, name);
    let prev = &all[all.len() - 2];
    let mut t = prev["spec"]["template"].clone();
    t["metadata"]["labels"]
        .as_object_mut()
        .unwrap()
        .remove("rollouts-pod-template-hash");
    k.merge(
        AV,
        "Rollout",
        NS,
        name,
        &json!({"spec": {"template": t}}),
        false,
    );
}

pub fn cond<'v>(st: &'v Value, kind: &str) -> &'v Value {
    st["conditions"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["type"] == kind))
        .unwrap_or(&Value::Null)
}

pub fn has_event(k: &Kit, name: &str, reason: &str, message: &str) -> bool {
    k.list("v1", "Event", NS).iter().any(|e| {
        e["involvedObject"]["name"] == name && e["reason"] == reason && e["message"] == message
    })
}

pub fn event_starting(k: &Kit, name: &str, reason: &str, prefix: &str) -> bool {
    k.list("v1", "Event", NS).iter().any(|e| {
        e["involvedObject"]["name"] == name
            && e["reason"] == reason
            && e["message"].as_str().is_some_and(|m| m.starts_with(prefix))
    })
}

/// Rollout, healthy after its first deploy.
pub fn deployed(k: &mut Kit, rollout: Value) -> String {
    let name = rollout["metadata"]["name"].as_str().unwrap().to_string();
    k.apply(rollout);
    assert!(
        until(k, 30, |k| phase(k, &name).0 == "Healthy"),
        "{:#}",
        st(k, &name)
    );
    name
}
