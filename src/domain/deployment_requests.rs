//! The exact requests of `kubectl rollout` on a Deployment (PROTOCOLS.md), as data: what
//! the confirm dialog shows is what the executor sends. Pure: the objects come in, the plan
//! goes out.
//!
//! Checked against the real kubectl (v1.32) on the simulator's request log
//! (tests/rollback_deployment.rs): every `kubectl rollout` write is a PATCH of the
//! Deployment. pause, resume and restart are strategic-merge patches (kubectl diffs the
//! object before and after, so resume sends `"paused": null`, the field's removal, not
//! `false`); undo is a JSON patch. kubectl also adds `?fieldManager=kubectl-rollout` to the
//! first three; shipdeck sends no field manager.

use serde_json::{Map, Value, json};

use super::argo_requests::{JSON_PATCH, Plan, Request};

/// `application/strategic-merge-patch+json`: pause, resume and restart, as kubectl.
pub const STRATEGIC_MERGE_PATCH: &str = "application/strategic-merge-patch+json";
/// The Deployment's and each ReplicaSet's revision.
pub const REVISION: &str = "deployment.kubernetes.io/revision";
/// The template annotation `kubectl rollout restart` sets.
pub const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";
/// The template label only ReplicaSets carry.
const HASH_LABEL: &str = "pod-template-hash";
/// Annotations an undo leaves at the Deployment's own values (kubectl's `annotationsToSkip`).
const KEEP_OWN: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION,
    "deployment.kubernetes.io/revision-history",
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deprecated.deployment.rollback.to",
];

/// Why an undo cannot be planned (kubectl's words where it has some).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeploymentUndoError {
    #[error("you cannot rollback a paused deployment; resume it first")]
    Paused,
    #[error("no rollout history found for deployment {0:?}: no earlier revision to undo to")]
    NoPrevious(String),
    #[error("unable to find specified revision {0} in history")]
    NoSuchRevision(u64),
}

/// `/apis/apps/v1/namespaces/{ns}/deployments/{name}`.
pub fn path(ns: &str, name: &str) -> String {
    format!("/apis/apps/v1/namespaces/{ns}/deployments/{name}")
}

fn one(verb: &'static str, path: String, content_type: &'static str, body: Value) -> Plan {
    Plan {
        requests: vec![Request {
            verb,
            path,
            content_type,
            body,
        }],
        fallback: None,
        skips: Vec::new(),
    }
}

/// `kubectl rollout pause`: `{"spec":{"paused":true}}`.
pub fn pause(ns: &str, name: &str) -> Plan {
    let body = json!({"spec": {"paused": true}});
    one("PATCH", path(ns, name), STRATEGIC_MERGE_PATCH, body)
}

/// `kubectl rollout resume`: `{"spec":{"paused":null}}` (the field removed; it reads false).
pub fn resume(ns: &str, name: &str) -> Plan {
    let body = json!({"spec": {"paused": null}});
    one("PATCH", path(ns, name), STRATEGIC_MERGE_PATCH, body)
}

/// `kubectl rollout restart`: the template's `restartedAt` annotation. `now_rfc3339` is read
/// at the edge; kubectl writes Go's `time.RFC3339` in its local zone (`…T15:27:17Z` in UTC,
/// `…+01:00` elsewhere), shipdeck passes UTC seconds with `Z`: the same shape.
pub fn restart(ns: &str, name: &str, now_rfc3339: &str) -> Plan {
    let body =
        json!({"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: now_rfc3339}}}}});
    one("PATCH", path(ns, name), STRATEGIC_MERGE_PATCH, body)
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

fn revision(obj: &Value) -> Option<u64> {
    obj.pointer("/metadata/annotations")
        .and_then(|a| a.get(REVISION))
        .and_then(Value::as_str)
        .and_then(|r| r.parse().ok())
}

/// Controlled by the Deployment: an ownerReference `kind: Deployment` with its name, and its
/// uid when both have one.
fn owned_by(rs: &Value, name: &str, uid: &str) -> bool {
    let refs = rs
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array);
    refs.into_iter().flatten().any(|o| {
        let s = |k: &str| o.get(k).and_then(Value::as_str).unwrap_or("");
        s("kind") == "Deployment"
            && s("name") == name
            && (uid.is_empty() || s("uid").is_empty() || s("uid") == uid)
    })
}

/// A pod template as kubectl's Go types serialise it (what it sends, and how it compares):
/// `metadata.creationTimestamp: null` and `resources: {}` on every container always appear,
/// empty label and annotation maps never. Without the ReplicaSet's hash label.
fn as_kubectl_sends(template: &Value) -> Value {
    let mut t = template.clone();
    let Some(obj) = t.as_object_mut() else {
        return t;
    };
    let meta = obj
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(m) = meta.as_object_mut() {
        if let Some(labels) = m.get_mut("labels").and_then(Value::as_object_mut) {
            labels.remove(HASH_LABEL);
        }
        for k in ["labels", "annotations"] {
            if m.get(k)
                .is_some_and(|v| v.as_object().is_some_and(Map::is_empty))
            {
                m.remove(k);
            }
        }
        m.entry("creationTimestamp").or_insert(Value::Null);
    }
    for list in ["containers", "initContainers"] {
        let containers = obj
            .get_mut("spec")
            .and_then(|s| s.get_mut(list))
            .and_then(Value::as_array_mut);
        for c in containers
            .into_iter()
            .flatten()
            .filter_map(Value::as_object_mut)
        {
            c.entry("resources")
                .or_insert_with(|| Value::Object(Map::new()));
        }
    }
    t
}

/// The ReplicaSet an undo goes back to, as kubectl picks it: exactly `to`, else the one
/// with the second-highest revision (the highest below the Deployment's current one).
fn target<'a>(
    owned: &[(u64, &'a Value)],
    name: &str,
    to: Option<u64>,
) -> Result<(u64, &'a Value), DeploymentUndoError> {
    if let Some(n) = to.filter(|n| *n > 0) {
        return owned
            .iter()
            .find(|(r, _)| *r == n)
            .copied()
            .ok_or(DeploymentUndoError::NoSuchRevision(n));
    }
    let mut revs: Vec<(u64, &Value)> = owned.to_vec();
    revs.sort_by_key(|r| std::cmp::Reverse(r.0));
    revs.get(1)
        .copied()
        .ok_or_else(|| DeploymentUndoError::NoPrevious(name.to_string()))
}

/// `kubectl rollout undo [--to-revision=to]`: `deployment` as read, `replica_sets` those of
/// its namespace (only the ones it controls count). Returns the target revision and the
/// plan, `None` when the template already is that revision's ("skipped rollback").
pub fn undo(
    deployment: &Value,
    replica_sets: &[Value],
    to: Option<u64>,
) -> Result<(u64, Option<Plan>), DeploymentUndoError> {
    let (ns, name) = (
        str_at(deployment, "/metadata/namespace"),
        str_at(deployment, "/metadata/name"),
    );
    let uid = str_at(deployment, "/metadata/uid");
    let owned: Vec<(u64, &Value)> = replica_sets
        .iter()
        .filter(|rs| owned_by(rs, name, uid))
        .filter_map(|rs| Some((revision(rs)?, rs)))
        .collect();
    let (rev, rs) = target(&owned, name, to)?;
    if deployment.pointer("/spec/paused") == Some(&Value::Bool(true)) {
        return Err(DeploymentUndoError::Paused);
    }
    let template = as_kubectl_sends(rs.pointer("/spec/template").unwrap_or(&Value::Null));
    let current = as_kubectl_sends(deployment.pointer("/spec/template").unwrap_or(&Value::Null));
    if template == current {
        return Ok((rev, None));
    }
    let annotations = |o: &Value| {
        o.pointer("/metadata/annotations")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    let mut merged: Map<String, Value> = annotations(deployment)
        .into_iter()
        .filter(|(k, _)| KEEP_OWN.contains(&k.as_str()))
        .collect();
    merged.extend(
        annotations(rs)
            .into_iter()
            .filter(|(k, _)| !KEEP_OWN.contains(&k.as_str())),
    );
    let body = json!([
        {"op": "replace", "path": "/spec/template", "value": template},
        {"op": "replace", "path": "/metadata/annotations", "value": merged},
    ]);
    Ok((rev, Some(one("PATCH", path(ns, name), JSON_PATCH, body))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tpl(image: &str, hash: Option<&str>) -> Value {
        let mut labels = json!({"app": "auth"});
        if let Some(h) = hash {
            labels[HASH_LABEL] = json!(h);
        }
        json!({"metadata": {"labels": labels},
               "spec": {"containers": [{"name": "auth", "image": image,
                                        "resources": {"requests": {"cpu": "100m"}}}]}})
    }

    fn deployment(image: &str, paused: bool) -> Value {
        json!({"metadata": {"name": "auth", "namespace": "casino-prod", "uid": "u1",
                            "annotations": {REVISION: "2", "team": "payments",
                                            "deployment.kubernetes.io/revision-history": "0"}},
               "spec": {"paused": paused, "template": tpl(image, None)}})
    }

    fn rs(rev: u64, image: &str, owner: &str, uid: &str) -> Value {
        json!({"metadata": {"name": format!("auth-h{rev}"),
                            "annotations": {REVISION: rev.to_string(), "team": format!("t{rev}"),
                                            "deployment.kubernetes.io/desired-replicas": "3",
                                            "deployment.kubernetes.io/max-replicas": "4"},
                            "ownerReferences": [{"kind": "Deployment", "name": owner, "uid": uid}]},
               "spec": {"template": tpl(image, Some(&format!("h{rev}")))}})
    }

    fn world() -> Vec<Value> {
        vec![
            rs(2, "auth:2.4.2", "auth", "u1"),
            rs(1, "auth:2.4.1", "auth", "u1"),
            rs(3, "auth:9", "auth", "other-uid"),
            rs(4, "auth:9", "bonus", "u1"),
            json!({"metadata": {"annotations": {REVISION: "5"}}}),
        ]
    }

    const DEPLOY: &str = "/apis/apps/v1/namespaces/casino-prod/deployments/auth";

    #[test]
    fn pause_resume_and_restart_patch_as_kubectl_rollout() {
        let check = |p: Plan, body: Value| {
            assert_eq!(p.requests.len(), 1);
            let r = &p.requests[0];
            assert_eq!((r.verb, r.path.as_str()), ("PATCH", DEPLOY));
            assert_eq!(r.content_type, STRATEGIC_MERGE_PATCH);
            assert_eq!(r.body, body);
            assert!(p.fallback.is_none() && p.skips.is_empty());
        };
        check(
            pause("casino-prod", "auth"),
            json!({"spec": {"paused": true}}),
        );
        check(
            resume("casino-prod", "auth"),
            json!({"spec": {"paused": null}}),
        );
        let now = "2026-11-26T03:00:00Z";
        check(
            restart("casino-prod", "auth", now),
            json!({"spec": {"template": {"metadata": {"annotations": {
                "kubectl.kubernetes.io/restartedAt": now}}}}}),
        );
    }

    #[test]
    fn undo_goes_to_the_previous_owned_revision_with_kubectls_two_operations() {
        let (rev, plan) = undo(&deployment("auth:2.4.2", false), &world(), None).unwrap();
        assert_eq!(rev, 1);
        let plan = plan.unwrap();
        let r = &plan.requests[0];
        assert_eq!(
            (r.verb, r.path.as_str(), r.content_type),
            ("PATCH", DEPLOY, JSON_PATCH)
        );
        let mut template = tpl("auth:2.4.1", None);
        template["metadata"]["creationTimestamp"] = Value::Null;
        let want = json!([
            {"op": "replace", "path": "/spec/template", "value": template},
            {"op": "replace", "path": "/metadata/annotations", "value": {
                REVISION: "2", "deployment.kubernetes.io/revision-history": "0", "team": "t1"}},
        ]);
        assert_eq!(r.body, want);
    }

    #[test]
    fn undo_to_an_exact_revision_and_the_skip_when_already_there() {
        let d = deployment("auth:2.4.2", false);
        assert_eq!(undo(&d, &world(), Some(2)).unwrap(), (2, None));
        assert_eq!(undo(&d, &world(), Some(1)).unwrap().0, 1);
        assert_eq!(
            undo(&d, &world(), Some(0)).unwrap().0,
            1,
            "0 means the previous one"
        );
        let err = undo(&d, &world(), Some(3)).unwrap_err();
        assert_eq!(err, DeploymentUndoError::NoSuchRevision(3));
        assert_eq!(
            err.to_string(),
            "unable to find specified revision 3 in history"
        );
        // The template already is revision 1's (kubectl's own serialisation counts as equal).
        let mut back = deployment("auth:2.4.1", false);
        back["spec"]["template"]["metadata"]["creationTimestamp"] = Value::Null;
        back["spec"]["template"]["metadata"]["annotations"] = json!({});
        assert_eq!(undo(&back, &world(), None).unwrap(), (1, None));
    }

    #[test]
    fn undo_is_refused_while_paused_or_without_history() {
        let err = undo(&deployment("auth:2.4.2", true), &world(), None).unwrap_err();
        assert_eq!(err, DeploymentUndoError::Paused);
        assert!(
            err.to_string()
                .contains("cannot rollback a paused deployment; resume it first")
        );
        let err = undo(&deployment("auth:2.4.2", false), &world()[..1], None).unwrap_err();
        assert_eq!(err, DeploymentUndoError::NoPrevious("auth".into()));
        assert!(
            err.to_string()
                .starts_with("no rollout history found for deployment \"auth\"")
        );
    }

    #[test]
    fn the_template_is_sent_as_kubectls_go_types_serialise_it() {
        let t = json!({"metadata": {"labels": {HASH_LABEL: "h1"}, "annotations": {}},
                       "spec": {"initContainers": [{"name": "i"}],
                                "containers": [{"name": "c", "resources": {"limits": {"cpu": "1"}}}]}});
        assert_eq!(
            as_kubectl_sends(&t),
            json!({"metadata": {"creationTimestamp": null},
                   "spec": {"initContainers": [{"name": "i", "resources": {}}],
                            "containers": [{"name": "c", "resources": {"limits": {"cpu": "1"}}}]}})
        );
    }

    #[test]
    fn ownership_needs_the_deployment_by_kind_name_and_uid() {
        let r = |kind: &str, name: &str, uid: &str| json!({"metadata": {"ownerReferences": [{"kind": kind, "name": name, "uid": uid}]}});
        assert!(owned_by(&r("Deployment", "auth", "u1"), "auth", "u1"));
        assert!(owned_by(&r("Deployment", "auth", ""), "auth", "u1"));
        assert!(!owned_by(&r("Deployment", "auth", "u2"), "auth", "u1"));
        assert!(!owned_by(&r("Rollout", "auth", "u1"), "auth", "u1"));
        assert!(!owned_by(&r("Deployment", "bonus", "u1"), "auth", "u1"));
    }
}
