//! The Deployment status as the controller writes it: counts from the ReplicaSets, the
//! Available and Progressing conditions with the real reasons and messages, and the
//! progress deadline (on the sim clock).

use serde_json::{Value, json};

use super::util::{Spec, int, spec_replicas, status_of};
use super::{PROGRESSING, Sync};
use crate::sim::world::ctx::{Ctx, meta};

pub fn condition<'v>(status: &'v Value, kind: &str) -> Option<&'v Value> {
    status
        .get("conditions")
        .and_then(Value::as_array)?
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(kind))
}

pub fn cond_field<'v>(c: Option<&'v Value>, field: &str) -> Option<&'v str> {
    c.and_then(|c| c.get(field)).and_then(Value::as_str)
}

pub fn remove_condition(status: &mut Value, kind: &str) {
    if let Some(cs) = status.get_mut("conditions").and_then(Value::as_array_mut) {
        cs.retain(|c| c.get("type").and_then(Value::as_str) != Some(kind));
        if cs.is_empty()
            && let Some(m) = status.as_object_mut()
        {
            m.remove("conditions");
        }
    }
}

pub fn new_condition(kind: &str, status: &str, reason: &str, message: &str, ts: &str) -> Value {
    json!({
        "type": kind, "status": status, "lastUpdateTime": ts, "lastTransitionTime": ts,
        "reason": reason, "message": message,
    })
}

/// Adds or replaces a condition unless one with the same status and reason is there
/// (keeping the transition time when only the reason changes). Returns whether it changed.
pub fn set_condition(status: &mut Value, mut cond: Value) -> bool {
    let kind = cond["type"].as_str().unwrap_or("").to_string();
    if let Some(cur) = condition(status, &kind) {
        if cur.get("status") == cond.get("status") && cur.get("reason") == cond.get("reason") {
            return false;
        }
        if cur.get("status") == cond.get("status") {
            cond["lastTransitionTime"] = cur["lastTransitionTime"].clone();
        }
    }
    remove_condition(status, &kind);
    if !status.is_object() {
        *status = json!({});
    }
    match status.get_mut("conditions").and_then(Value::as_array_mut) {
        Some(cs) => cs.push(cond),
        None => status["conditions"] = json!([cond]),
    }
    true
}

/// The status computed from the ReplicaSets (conditions carried over, Available set);
/// zero counts are left out as the API serializes them.
pub fn calculate_status(
    d: &Value,
    all: &[&Value],
    new: Option<&Value>,
    spec: &Spec,
    ts: &str,
) -> Value {
    let sum = |f: &dyn Fn(&Value) -> i64| all.iter().map(|rs| f(rs)).sum::<i64>();
    let available = sum(&|rs| status_of(rs, "availableReplicas"));
    let total = sum(&|rs| spec_replicas(rs));
    let mut st = json!({
        "observedGeneration": int(d, "/metadata/generation").unwrap_or(0),
        "replicas": sum(&|rs| status_of(rs, "replicas")),
        "updatedReplicas": new.map_or(0, |rs| status_of(rs, "replicas")),
        "readyReplicas": sum(&|rs| status_of(rs, "readyReplicas")),
        "availableReplicas": available,
        "unavailableReplicas": (total - available).max(0),
    });
    if let Some(m) = st.as_object_mut() {
        m.retain(|_, v| v.as_i64() != Some(0));
    }
    for k in ["collisionCount", "conditions"] {
        if let Some(v) = d.pointer(&format!("/status/{k}")) {
            st[k] = v.clone();
        }
    }
    let cond = if available >= spec.replicas - spec.max_unavailable {
        new_condition(
            "Available",
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.",
            ts,
        )
    } else {
        new_condition(
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
            ts,
        )
    };
    set_condition(&mut st, cond);
    st
}

fn count(status: &Value, field: &str) -> i64 {
    status.get(field).and_then(Value::as_i64).unwrap_or(0)
}

/// Every replica updated and available, and the latest spec observed.
pub fn complete(d: &Value, spec: &Spec, status: &Value) -> bool {
    let n = spec.replicas;
    count(status, "updatedReplicas") == n
        && count(status, "replicas") == n
        && count(status, "availableReplicas") == n
        && count(status, "observedGeneration") >= int(d, "/metadata/generation").unwrap_or(0)
}

/// Whether the new status shows progress over the old one.
pub fn progressing(old: &Value, new: &Value) -> bool {
    let c = count;
    c(new, "updatedReplicas") > c(old, "updatedReplicas")
        || c(new, "replicas") - c(new, "updatedReplicas")
            < c(old, "replicas") - c(old, "updatedReplicas")
        || c(new, "readyReplicas") > c(old, "readyReplicas")
        || c(new, "availableReplicas") > c(old, "availableReplicas")
}

impl Sync {
    pub(super) fn calculate(&self, ctx: &Ctx<'_>) -> Value {
        let all: Vec<&Value> = self.all().collect();
        calculate_status(&self.d, &all, self.new_rs.as_ref(), &self.spec, &ctx.ts())
    }

    /// The status after a rollout step, with the Progressing condition updated.
    pub(super) fn sync_rollout_status(&mut self, ctx: &mut Ctx<'_>) {
        let mut st = self.calculate(ctx);
        let old = std::mem::replace(&mut self.d["status"], json!({}));
        let cur = condition(&old, PROGRESSING).cloned();
        let reason = cond_field(cur.as_ref(), "reason");
        let count = |s: &Value, f: &str| s.get(f).and_then(Value::as_i64).unwrap_or(0);
        let done = count(&st, "replicas") == count(&st, "updatedReplicas")
            && reason == Some("NewReplicaSetAvailable");
        let subject = match &self.new_rs {
            Some(rs) => format!("ReplicaSet \"{}\"", meta(rs, "name")),
            None => format!("Deployment \"{}\"", meta(&self.d, "name")),
        };
        let ts = ctx.ts();
        let mut next: Option<Value> = None;
        if let Some(deadline) = self.spec.deadline.filter(|_| !done) {
            if complete(&self.d, &self.spec, &st) {
                let msg = format!("{subject} has successfully progressed.");
                next = Some(new_condition(
                    PROGRESSING,
                    "True",
                    "NewReplicaSetAvailable",
                    &msg,
                    &ts,
                ));
            } else if progressing(&old, &st) {
                let msg = format!("{subject} is progressing.");
                let mut c = new_condition(PROGRESSING, "True", "ReplicaSetUpdated", &msg, &ts);
                if let Some(cur) = cur.as_ref().filter(|c| c["status"] == "True") {
                    c["lastTransitionTime"] = cur["lastTransitionTime"].clone();
                }
                remove_condition(&mut st, PROGRESSING);
                next = Some(c);
            } else if self.timed_out(ctx, reason, deadline) {
                let msg = format!("{subject} has timed out progressing.");
                next = Some(new_condition(
                    PROGRESSING,
                    "False",
                    "ProgressDeadlineExceeded",
                    &msg,
                    &ts,
                ));
            }
        }
        if self.spec.deadline.is_none() {
            remove_condition(&mut st, PROGRESSING);
        }
        remove_condition(&mut st, "ReplicaFailure");
        self.d["status"] = st;
        if let Some(c) = next {
            self.set_cond(ctx, c);
        }
    }

    fn timed_out(&self, ctx: &mut Ctx<'_>, reason: Option<&str>, deadline: u64) -> bool {
        match reason {
            None | Some("NewReplicaSetAvailable") => false,
            Some("ProgressDeadlineExceeded") => true,
            Some(_) => ctx.elapsed(&self.timer()).as_secs_f64() > deadline as f64,
        }
    }
}
