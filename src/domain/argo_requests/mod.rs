//! The exact requests of `kubectl argo rollouts` for each action (PROTOCOLS.md), as data:
//! what the confirm dialog shows is what the executor sends. Pure: the facts of the rollout
//! come in, the plan goes out.

mod undo;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub use undo::{UndoError, undo, undo_target};

/// `application/merge-patch+json`: every action but undo.
pub const MERGE_PATCH: &str = "application/merge-patch+json";
/// `application/json-patch+json`: undo.
pub const JSON_PATCH: &str = "application/json-patch+json";

/// One HTTP request.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub verb: &'static str,
    pub path: String,
    pub content_type: &'static str,
    pub body: Value,
}

/// What an action sends: `requests` in order; when the first `/status` request answers 404
/// (no status subresource), `fallback` instead of everything.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    pub requests: Vec<Request>,
    pub fallback: Option<Vec<Request>>,
    /// What the action skips, for the dialog ("skips the running analysis of step 3").
    pub skips: Vec<String>,
}

/// What the requests depend on, read from the Rollout the operator looked at.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RolloutFacts {
    pub namespace: String,
    pub name: String,
    pub canary: bool,
    pub spec_paused: bool,
    /// `status.pauseConditions` has entries.
    pub pause_conditions: bool,
    pub controller_pause: bool,
    pub current_step_index: Option<u32>,
    pub steps: u32,
    /// `status.canary.currentStepAnalysisRunStatus.status == "Inconclusive"`.
    pub step_analysis_inconclusive: bool,
    /// What the current step is, for the dialog (`analysis`, `pause 30s`, `setWeight 20`).
    pub current_step: Option<String>,
    pub current_pod_hash: Option<String>,
    pub stable_rs: Option<String>,
    /// `status.abort`.
    #[serde(default)]
    pub aborted: bool,
}

impl RolloutFacts {
    pub fn path(&self) -> String {
        format!(
            "/apis/argoproj.io/v1alpha1/namespaces/{}/rollouts/{}",
            self.namespace, self.name
        )
    }

    pub fn fully_promoted(&self) -> bool {
        self.stable_rs.is_some() && self.current_pod_hash == self.stable_rs
    }

    fn main(&self, body: Value) -> Request {
        Request {
            verb: "PATCH",
            path: self.path(),
            content_type: MERGE_PATCH,
            body,
        }
    }

    fn status(&self, body: Value) -> Request {
        Request {
            verb: "PATCH",
            path: format!("{}/status", self.path()),
            content_type: MERGE_PATCH,
            body,
        }
    }
}

/// `p` on a running rollout.
pub fn pause(f: &RolloutFacts) -> Plan {
    plan(vec![f.main(json!({"spec": {"paused": true}}))], None)
}

/// `p` on a paused rollout: Argo CD's resume, never a step.
pub fn resume(f: &RolloutFacts) -> Plan {
    plan(vec![f.main(json!({"spec": {"paused": false}}))], None)
}

/// `x`: back to stable at once.
pub fn abort(f: &RolloutFacts) -> Plan {
    let body = json!({"status": {"abort": true}});
    plan(vec![f.status(body.clone())], Some(vec![f.main(body)]))
}

/// `r` after an abort.
pub fn retry(f: &RolloutFacts) -> Plan {
    let body = json!({"status": {"abort": false}});
    plan(vec![f.status(body.clone())], Some(vec![f.main(body)]))
}

/// `:restart`: `now` is RFC 3339 UTC, read at the edge.
pub fn restart(f: &RolloutFacts, now_rfc3339: &str) -> Plan {
    plan(
        vec![f.main(json!({"spec": {"restartAt": now_rfc3339}}))],
        None,
    )
}

/// `P`: skip every remaining step.
pub fn promote_full(f: &RolloutFacts) -> Plan {
    let mut requests = Vec::new();
    if !f.fully_promoted() {
        requests.push(f.status(json!({"status": {"promoteFull": true}})));
    }
    if f.spec_paused {
        requests.push(f.main(json!({"spec": {"paused": false}})));
    }
    let fallback = requests
        .first()
        .filter(|r| r.path.ends_with("/status"))
        .map(|_| vec![f.main(json!({"spec": {"paused": false}, "status": {"promoteFull": true}}))]);
    let mut p = plan(requests, fallback);
    if f.steps > 0 {
        p.skips.push("every remaining step".to_string());
    }
    p
}

/// `a`: approve / promote one step (PROTOCOLS.md's decision table).
pub fn promote(f: &RolloutFacts) -> Plan {
    let idx = (f.current_step_index.unwrap_or(0) + 1).min(f.steps);
    let mut skips = Vec::new();
    let status = if f.canary
        && f.step_analysis_inconclusive
        && f.pause_conditions
        && f.controller_pause
    {
        Some(
            json!({"status": {"pauseConditions": null, "controllerPause": false, "currentStepIndex": idx}}),
        )
    } else if f.pause_conditions {
        Some(json!({"status": {"pauseConditions": null}}))
    } else if f.canary && f.steps > 0 {
        if let Some(step) = &f.current_step {
            skips.push(format!(
                "skips step {}/{} ({step}) without waiting for it",
                f.current_step_index.unwrap_or(0) + 1,
                f.steps
            ));
        }
        Some(json!({"status": {"pauseConditions": null, "currentStepIndex": idx}}))
    } else {
        None
    };
    let spec = f
        .spec_paused
        .then(|| f.main(json!({"spec": {"paused": false}})));
    let mut requests: Vec<Request> = status.clone().map(|b| f.status(b)).into_iter().collect();
    requests.extend(spec);
    // No status subresource: one patch, `pauseConditions` cleared and the step index if
    // the status patch had one (PROTOCOLS.md, as `kubectl argo rollouts promote` does).
    let fallback = status.map(|b| {
        let mut st = json!({"pauseConditions": null});
        if let (Some(obj), Some(i)) = (st.as_object_mut(), b.pointer("/status/currentStepIndex")) {
            obj.insert("currentStepIndex".to_string(), i.clone());
        }
        vec![f.main(json!({"spec": {"paused": false}, "status": st}))]
    });
    let mut p = plan(requests, fallback);
    p.skips = skips;
    p
}

/// `:terminate`: the current AnalysisRun.
pub fn terminate(namespace: &str, analysis_run: &str) -> Plan {
    plan(
        vec![Request {
            verb: "PATCH",
            path: format!(
                "/apis/argoproj.io/v1alpha1/namespaces/{namespace}/analysisruns/{analysis_run}"
            ),
            content_type: MERGE_PATCH,
            body: json!({"spec": {"terminate": true}}),
        }],
        None,
    )
}

fn plan(requests: Vec<Request>, fallback: Option<Vec<Request>>) -> Plan {
    Plan {
        requests,
        fallback,
        skips: Vec::new(),
    }
}

#[cfg(test)]
mod tests;
