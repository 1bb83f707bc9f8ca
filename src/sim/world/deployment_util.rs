//! What the Deployment controller computes from objects (its `deploymentutil`): the spec with
//! the API server's defaults, surge and unavailability fenceposts, revisions, template
//! equality, conditions, and the status as the controller writes it.

use std::cmp::Ordering;

use serde_json::{Map, Value, json};

use super::{DESIRED_REPLICAS, HASH_LABEL, MAX_REPLICAS, REVISION, REVISION_HISTORY};
use crate::sim::world::ctx::meta;

/// Annotations of a Deployment never copied to its ReplicaSets.
const SKIP_COPY: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION,
    REVISION_HISTORY,
    DESIRED_REPLICAS,
    MAX_REPLICAS,
    "deprecated.deployment.rollback.to",
];
/// The longest `revision-history` annotation the controller keeps (its default).
const REV_HISTORY_LIMIT_CHARS: usize = 2000;

/// The parts of a Deployment spec the controller reads, with the API defaults applied.
#[derive(Debug, Clone)]
pub struct Spec {
    pub replicas: i64,
    pub recreate: bool,
    pub max_surge: i64,
    pub max_unavailable: i64,
    pub paused: bool,
    /// None: unlimited (the field set to MaxInt32).
    pub history_limit: Option<i64>,
    /// Seconds; None: no deadline (the field set to MaxInt32).
    pub deadline: Option<u64>,
    pub min_ready: i64,
}

impl Spec {
    pub fn of(d: &Value) -> Self {
        let replicas = int(d, "/spec/replicas").unwrap_or(1);
        let recreate = d.pointer("/spec/strategy/type").and_then(Value::as_str) == Some("Recreate");
        let (mut max_surge, mut max_unavailable) = (0, 0);
        if !recreate {
            let p = |k: &str| {
                d.pointer(&format!("/spec/strategy/rollingUpdate/{k}"))
                    .cloned()
                    .unwrap_or(json!("25%"))
            };
            let surge = scaled(&p("maxSurge"), replicas, true);
            let mut unavailable = scaled(&p("maxUnavailable"), replicas, false);
            if surge == 0 && unavailable == 0 {
                unavailable = 1;
            }
            max_surge = surge;
            max_unavailable = if replicas == 0 {
                0
            } else {
                unavailable.min(replicas)
            };
        }
        let unlimited = |v: Option<i64>| v.filter(|n| *n != i64::from(i32::MAX));
        Self {
            replicas,
            recreate,
            max_surge,
            max_unavailable,
            paused: d.pointer("/spec/paused").and_then(Value::as_bool) == Some(true),
            history_limit: unlimited(Some(int(d, "/spec/revisionHistoryLimit").unwrap_or(10))),
            deadline: unlimited(Some(int(d, "/spec/progressDeadlineSeconds").unwrap_or(600)))
                .map(|n| n.max(0) as u64),
            min_ready: int(d, "/spec/minReadySeconds").unwrap_or(0),
        }
    }
}

/// An int-or-percent scaled against `total` (a percentage rounded up or down).
pub fn scaled(v: &Value, total: i64, round_up: bool) -> i64 {
    if let Some(n) = v.as_i64() {
        return n;
    }
    let s = v.as_str().unwrap_or("0");
    match s.strip_suffix('%').map(str::parse::<f64>) {
        Some(Ok(p)) => {
            let x = p * total as f64 / 100.0;
            (if round_up { x.ceil() } else { x.floor() }) as i64
        }
        _ => s.parse().unwrap_or(0),
    }
}

pub fn int(v: &Value, ptr: &str) -> Option<i64> {
    v.pointer(ptr).and_then(Value::as_i64)
}

/// `spec.replicas` of a ReplicaSet (0 when absent here: the controller always sets it).
pub fn spec_replicas(rs: &Value) -> i64 {
    int(rs, "/spec/replicas").unwrap_or(0)
}

pub fn status_of(rs: &Value, field: &str) -> i64 {
    int(rs, &format!("/status/{field}")).unwrap_or(0)
}

pub fn annotation<'v>(obj: &'v Value, key: &str) -> Option<&'v str> {
    obj.pointer("/metadata/annotations")
        .and_then(|a| a.get(key))
        .and_then(Value::as_str)
}

pub fn set_annotation(obj: &mut Value, key: &str, value: String) -> bool {
    let Some(anns) = annotations_mut(obj) else {
        return false;
    };
    if anns.get(key).and_then(Value::as_str) == Some(value.as_str()) {
        return false;
    }
    anns.insert(key.to_string(), json!(value));
    true
}

/// `metadata.annotations`, made an object first if needed (None only for a non-object).
fn annotations_mut(obj: &mut Value) -> Option<&mut Map<String, Value>> {
    if !obj.is_object() {
        return None;
    }
    if !obj["metadata"]["annotations"].is_object() {
        obj["metadata"]["annotations"] = json!({});
    }
    obj["metadata"]["annotations"].as_object_mut()
}

/// The revision annotation of a ReplicaSet (0 when absent or unparsable).
pub fn revision(rs: &Value) -> i64 {
    annotation(rs, REVISION)
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

/// Oldest first (creation time, then revision, then name: timestamps have whole seconds).
pub fn by_creation(a: &Value, b: &Value) -> Ordering {
    meta(a, "creationTimestamp")
        .cmp(meta(b, "creationTimestamp"))
        .then(revision(a).cmp(&revision(b)))
        .then(meta(a, "name").cmp(meta(b, "name")))
}

/// A pod template without the `pod-template-hash` label (and without a labels map that is
/// left empty), for comparing templates.
fn without_hash(t: Option<&Value>) -> Value {
    let mut t = t.cloned().unwrap_or(Value::Null);
    if let Some(labels) = t
        .pointer_mut("/metadata/labels")
        .and_then(Value::as_object_mut)
    {
        labels.remove(HASH_LABEL);
        if labels.is_empty()
            && let Some(m) = t.get_mut("metadata").and_then(Value::as_object_mut)
        {
            m.remove("labels");
        }
    }
    t
}

/// Whether the ReplicaSet runs the Deployment's pod template (ignoring the hash label).
pub fn same_template(rs: &Value, d: &Value) -> bool {
    let mut a = without_hash(rs.pointer("/spec/template"));
    let mut b = without_hash(d.pointer("/spec/template"));
    prune(&mut a);
    prune(&mut b);
    a == b
}

/// Go's semantic equality of typed objects: a null field and an empty struct are the same
/// as an absent one (`creationTimestamp: null`, `resources: {}` as kubectl writes them).
fn prune(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for x in m.values_mut() {
                prune(x);
            }
            m.retain(|_, x| !x.is_null() && !x.as_object().is_some_and(|o| o.is_empty()));
        }
        Value::Array(a) => a.iter_mut().for_each(prune),
        _ => {}
    }
}

/// Sets the annotations of the new ReplicaSet as the controller does (copies the
/// Deployment's, moves the revision forward keeping the old one in the revision history,
/// and on creation the replica annotations). Returns whether anything changed.
pub fn set_new_rs_annotations(
    d: &Value,
    rs: &mut Value,
    new_revision: i64,
    exists: bool,
    spec: &Spec,
) -> bool {
    let mut changed = false;
    let from_d = d
        .pointer("/metadata/annotations")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let Some(anns) = annotations_mut(rs) else {
        return false;
    };
    for (k, v) in from_d {
        if !SKIP_COPY.contains(&k.as_str()) && anns.get(&k) != Some(&v) {
            anns.insert(k, v);
            changed = true;
        }
    }
    let old = anns
        .get(REVISION)
        .and_then(Value::as_str)
        .map(str::to_string);
    let old_int = match old.as_deref().map(str::parse::<i64>) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => return false,
    };
    if old_int < new_revision {
        anns.insert(REVISION.into(), json!(new_revision.to_string()));
        changed = true;
        if let Some(old) = old {
            let history = anns
                .get(REVISION_HISTORY)
                .and_then(Value::as_str)
                .unwrap_or("");
            let next = if history.is_empty() {
                Some(old)
            } else {
                let mut revs: Vec<&str> = history.split(',').collect();
                let mut total = history.len() + old.len() + 1;
                while total > REV_HISTORY_LIMIT_CHARS && !revs.is_empty() {
                    total -= revs.remove(0).len() + 1;
                }
                (total <= REV_HISTORY_LIMIT_CHARS).then(|| {
                    revs.push(&old);
                    revs.join(",")
                })
            };
            if let Some(h) = next {
                anns.insert(REVISION_HISTORY.into(), json!(h));
            }
        }
    }
    if !exists {
        changed |= set_replicas_annotations(rs, spec);
    }
    changed
}

/// `desired-replicas` and `max-replicas` (replicas + maxSurge); returns whether they changed.
pub fn set_replicas_annotations(rs: &mut Value, spec: &Spec) -> bool {
    let a = set_annotation(rs, DESIRED_REPLICAS, spec.replicas.to_string());
    let b = set_annotation(
        rs,
        MAX_REPLICAS,
        (spec.replicas + spec.max_surge).to_string(),
    );
    a || b
}

/// Saturated: the new ReplicaSet has (and is annotated for) every replica, all available.
pub fn saturated(rs: &Value, spec: &Spec) -> bool {
    annotation(rs, DESIRED_REPLICAS).and_then(|s| s.parse::<i64>().ok()) == Some(spec.replicas)
        && spec_replicas(rs) == spec.replicas
        && status_of(rs, "availableReplicas") == spec.replicas
}

/// How many replicas a ReplicaSet gains (or loses) in a proportional scale, as the
/// controller's `GetProportion`.
pub fn proportion(rs: &Value, d: &Value, spec: &Spec, to_add: i64, added: i64) -> i64 {
    let cur = spec_replicas(rs);
    if cur == 0 || to_add == 0 || to_add == added {
        return 0;
    }
    let fraction = if spec.replicas == 0 {
        -cur
    } else {
        let annotated = annotation(rs, MAX_REPLICAS)
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or_else(|| int(d, "/status/replicas").unwrap_or(0));
        if annotated == 0 {
            return 0;
        }
        let size = (cur * (spec.replicas + spec.max_surge)) as f64 / annotated as f64;
        size.round() as i64 - cur
    };
    let allowed = to_add - added;
    if to_add > 0 {
        fraction.min(allowed)
    } else {
        fraction.max(allowed)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_template_written_by_kubectl_undo_matches_its_replica_set() {
        let rs = json!({"spec": {"template": {
            "metadata": {"labels": {"app": "auth", "pod-template-hash": "abc"}},
            "spec": {"containers": [{"name": "auth", "image": "auth:2.4.1"}]}
        }}});
        let d = json!({"spec": {"template": {
            "metadata": {"creationTimestamp": null, "labels": {"app": "auth"}},
            "spec": {"containers": [{"name": "auth", "image": "auth:2.4.1", "resources": {}}]}
        }}});
        assert!(same_template(&rs, &d));
        let other = json!({"spec": {"template": {
            "metadata": {"labels": {"app": "auth"}},
            "spec": {"containers": [{"name": "auth", "image": "auth:2.4.2"}]}
        }}});
        assert!(!same_template(&rs, &other));
    }
}
