//! Rollout status as the controller writes it: conditions (with the real reasons and
//! messages), pause conditions and abort, the phase and its message, and the status write
//! itself (only when something changed).

use serde_json::{Value, json};

use super::spec::{self, blue_green, canary, paused, replicas, steps, text};

pub const PROGRESSING: &str = "Progressing";
pub const AVAILABLE: &str = "Available";
pub const PAUSED: &str = "Paused";
pub const HEALTHY: &str = "Healthy";
pub const COMPLETED: &str = "Completed";
pub const INVALID_SPEC: &str = "InvalidSpec";

pub const ABORTED_REASON: &str = "RolloutAborted";
pub const TIMED_OUT_REASON: &str = "ProgressDeadlineExceeded";
pub const PAUSED_REASON: &str = "RolloutPaused";
pub const PAUSED_MESSAGE: &str = "Rollout is paused";
pub const RESUMED_REASON: &str = "RolloutResumed";
pub const RESUMED_MESSAGE: &str = "Rollout is resumed";
pub const RETRY_REASON: &str = "RolloutRetry";
pub const RETRY_MESSAGE: &str = "Retrying Rollout after abort";
pub const NEW_RS_AVAILABLE_REASON: &str = "NewReplicaSetAvailable";
pub const RS_UPDATED_REASON: &str = "ReplicaSetUpdated";
pub const COMPLETED_REASON: &str = "RolloutCompleted";

pub const CANARY_PAUSE_STEP: &str = "CanaryPauseStep";
pub const BLUE_GREEN_PAUSE: &str = "BlueGreenPause";
pub const INCONCLUSIVE: &str = "InconclusiveAnalysisRun";

pub fn cond<'v>(st: &'v Value, kind: &str) -> Option<&'v Value> {
    st.get("conditions")
        .and_then(Value::as_array)?
        .iter()
        .find(|c| text(c, "/type") == kind)
}

pub fn cond_reason<'v>(st: &'v Value, kind: &str) -> &'v str {
    cond(st, kind).map(|c| text(c, "/reason")).unwrap_or("")
}

pub fn new_cond(kind: &str, status: &str, reason: &str, message: &str, ts: &str) -> Value {
    json!({
        "type": kind,
        "status": status,
        "reason": reason,
        "message": message,
        "lastUpdateTime": ts,
        "lastTransitionTime": ts,
    })
}

pub fn remove_cond(st: &mut Value, kind: &str) {
    if let Some(cs) = st.get_mut("conditions").and_then(Value::as_array_mut) {
        cs.retain(|c| text(c, "/type") != kind);
        if cs.is_empty()
            && let Some(m) = st.as_object_mut()
        {
            m.remove("conditions");
        }
    }
}

/// Sets a condition unless one with the same status and reason exists (then returns false);
/// keeps the transition time when the status does not change; the new one goes last.
pub fn set_cond(st: &mut Value, mut c: Value) -> bool {
    let (kind, status, reason) = (
        text(&c, "/type").to_string(),
        text(&c, "/status").to_string(),
        text(&c, "/reason").to_string(),
    );
    if let Some(cur) = cond(st, &kind) {
        if text(cur, "/status") == status && text(cur, "/reason") == reason {
            return false;
        }
        if text(cur, "/status") == status {
            c["lastTransitionTime"] = cur["lastTransitionTime"].clone();
        }
    }
    remove_cond(st, &kind);
    match st.get_mut("conditions").and_then(Value::as_array_mut) {
        Some(cs) => cs.push(c),
        None => st["conditions"] = json!([c]),
    }
    true
}

pub fn pause_conditions(st: &Value) -> &[Value] {
    st.get("pauseConditions")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

pub fn has_pause(st: &Value, reason: &str) -> bool {
    pause_conditions(st)
        .iter()
        .any(|p| text(p, "/reason") == reason)
}

pub fn flag(st: &Value, key: &str) -> bool {
    st.get(key).and_then(Value::as_bool) == Some(true)
}

/// What this pass decided about pausing and aborting (applied when the status is written).
#[derive(Debug, Default)]
pub struct Pause {
    pub add: Vec<&'static str>,
    pub remove: Vec<&'static str>,
    pub clear: bool,
    pub add_abort: bool,
    pub remove_abort: bool,
    pub abort_message: String,
}

impl Pause {
    pub fn is_aborted(&self, old: &Value) -> bool {
        !self.remove_abort && (self.add_abort || flag(old, "abort"))
    }

    pub fn abort(&mut self, message: String) {
        self.add_abort = true;
        self.abort_message = message;
    }

    /// Writes abort/abortedAt and pauseConditions/controllerPause into `new`; returns the
    /// reasons newly added.
    pub fn apply(&self, old: &Value, new: &mut Value, ts: &str) -> Vec<&'static str> {
        if self.add_abort || (!self.remove_abort && flag(old, "abort")) {
            new["abort"] = json!(true);
            new["abortedAt"] = old.get("abortedAt").cloned().unwrap_or(json!(ts));
            return Vec::new();
        }
        if let Some(m) = new.as_object_mut() {
            m.remove("abort");
            m.remove("abortedAt");
        }
        if self.clear {
            return Vec::new();
        }
        let mut controller_pause = flag(old, "controllerPause");
        let mut conds: Vec<Value> = Vec::new();
        for c in pause_conditions(old) {
            if !self.remove.contains(&text(c, "/reason")) {
                conds.push(c.clone());
            }
        }
        let mut added = Vec::new();
        for reason in &self.add {
            if !has_pause(old, reason) && !added.contains(reason) {
                conds.push(json!({"reason": reason, "startTime": ts}));
                added.push(*reason);
                controller_pause = true;
            }
        }
        if !conds.is_empty() {
            new["pauseConditions"] = Value::Array(conds);
            if controller_pause {
                new["controllerPause"] = json!(true);
            }
        }
        added
    }
}

pub fn fully_promoted(st: &Value) -> bool {
    text(st, "/stableRS") == text(st, "/currentPodHash")
}

pub fn completed(st: &Value) -> bool {
    let stable = text(st, "/stableRS");
    !stable.is_empty() && stable == text(st, "/currentPodHash")
}

fn num(st: &Value, key: &str) -> i64 {
    spec::int(st.get(key)).unwrap_or(0)
}

/// Whether a rollout made progress between the written status `old` and `new`.
pub fn progressing(ro: &Value, old: &Value, new: &Value) -> bool {
    let mut strategy = false;
    if blue_green(ro).is_some() {
        strategy = text(old, "/blueGreen/activeSelector") != text(new, "/blueGreen/activeSelector")
            || text(old, "/blueGreen/previewSelector") != text(new, "/blueGreen/previewSelector");
    }
    if canary(ro).is_some() {
        let idx = |s: &Value| s.get("currentStepIndex").and_then(Value::as_i64);
        let step_moved = matches!((idx(old), idx(new)), (Some(a), Some(b)) if a != b);
        strategy = text(new, "/stableRS") != text(old, "/stableRS")
            || step_moved
            || text(new, "/currentStepHash") != text(old, "/currentStepHash");
    }
    let old_old = num(old, "replicas") - num(old, "updatedReplicas");
    let new_old = num(new, "replicas") - num(new, "updatedReplicas");
    num(new, "updatedReplicas") != num(old, "updatedReplicas")
        || new_old < old_old
        || num(new, "readyReplicas") > num(old, "readyReplicas")
        || num(new, "availableReplicas") > num(old, "availableReplicas")
        || strategy
}

/// All desired replicas updated, available and serving, and no old pods running.
pub fn healthy(ro: &Value, new: &Value) -> bool {
    let n = replicas(ro);
    let mut done = true;
    if let Some(bg) = blue_green(ro) {
        let current = text(new, "/currentPodHash");
        let active = text(new, "/blueGreen/activeSelector") == current;
        let preview = text(bg, "/previewService").is_empty()
            || text(new, "/blueGreen/previewSelector") == current;
        done = active && preview;
    }
    if canary(ro).is_some() {
        let count = steps(ro).len() as i64;
        let all_steps = match new.get("currentStepIndex").and_then(Value::as_i64) {
            Some(i) if count > 0 => i == count,
            _ => true,
        };
        done = all_steps && completed(new) && num(new, "replicas") == n;
    }
    let observed = text(ro, "/status/observedGeneration")
        == spec::int(ro.pointer("/metadata/generation"))
            .unwrap_or(0)
            .to_string();
    num(new, "updatedReplicas") == n && num(new, "availableReplicas") == n && observed && done
}

/// `status.phase` and `status.message` as the controller computes them.
pub fn phase(ro: &Value, st: &Value) -> (&'static str, String) {
    for c in st
        .get("conditions")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
    {
        if text(c, "/type") == INVALID_SPEC {
            return (
                "Degraded",
                format!("{INVALID_SPEC}: {}", text(c, "/message")),
            );
        }
        let reason = text(c, "/reason");
        if reason == ABORTED_REASON || reason == TIMED_OUT_REASON {
            return ("Degraded", format!("{reason}: {}", text(c, "/message")));
        }
    }
    if paused(ro) {
        return ("Paused", "manually paused".to_string());
    }
    if let Some(p) = pause_conditions(st).first() {
        return ("Paused", text(p, "/reason").to_string());
    }
    let restart_at = text(ro, "/spec/restartAt");
    if !restart_at.is_empty() && restart_at != text(st, "/restartedAt") {
        return ("Progressing", "rollout is restarting".to_string());
    }
    if num(st, "updatedReplicas") < replicas(ro) {
        return (
            "Progressing",
            "more replicas need to be updated".to_string(),
        );
    }
    if num(st, "availableReplicas") < num(st, "updatedReplicas") {
        return (
            "Progressing",
            "updated replicas are still becoming available".to_string(),
        );
    }
    if blue_green(ro).is_some() {
        let active = text(st, "/blueGreen/activeSelector");
        if active.is_empty() || active != text(st, "/currentPodHash") {
            return ("Progressing", "active service cutover pending".to_string());
        }
        if !completed(st) {
            return (
                "Progressing",
                "waiting for post-promotion verification to complete".to_string(),
            );
        }
    } else if canary(ro).is_some() {
        if !spec::traffic_routing(ro) && num(st, "replicas") > num(st, "updatedReplicas") {
            return (
                "Progressing",
                "old replicas are pending termination".to_string(),
            );
        }
        if !completed(st) {
            return (
                "Progressing",
                "waiting for all steps to complete".to_string(),
            );
        }
    }
    ("Healthy", String::new())
}
