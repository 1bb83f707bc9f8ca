//! An action the operator asked for, as data: what the confirm dialog shows is exactly what
//! the executor sends. It carries what the operator saw, so the executor can re-read the
//! object and refuse when it moved. Pure.

use serde::{Deserialize, Serialize};

use super::actions::Action;
use super::argo_requests::{self, Plan, RolloutFacts};
use super::rollout::{ControllerKind, RolloutKey};

/// The `apiVersion` of the object a row stands for.
pub fn api_version(kind: ControllerKind) -> &'static str {
    match kind {
        ControllerKind::ArgoCanary | ControllerKind::ArgoBlueGreen => "argoproj.io/v1alpha1",
        ControllerKind::Deployment => "apps/v1",
        ControllerKind::Flagger => "flagger.app/v1beta1",
    }
}

/// The Kubernetes kind of the object a row stands for.
pub fn kind_name(kind: ControllerKind) -> &'static str {
    match kind {
        ControllerKind::ArgoCanary | ControllerKind::ArgoBlueGreen => "Rollout",
        ControllerKind::Deployment => "Deployment",
        ControllerKind::Flagger => "Canary",
    }
}

/// The API path of the object a row stands for (the one re-read, annotated and evented).
pub fn object_path(key: &RolloutKey) -> String {
    let plural = match key.kind {
        ControllerKind::ArgoCanary | ControllerKind::ArgoBlueGreen => "rollouts",
        ControllerKind::Deployment => "deployments",
        ControllerKind::Flagger => "canaries",
    };
    format!(
        "/apis/{}/namespaces/{}/{plural}/{}",
        api_version(key.kind),
        key.namespace,
        key.name
    )
}

/// What the operator saw of a Rollout when asking (and what the executor compares after
/// re-reading it).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Seen {
    pub resource_version: String,
    /// `metadata.generation`: moves with every spec change only.
    pub generation: i64,
    /// `rollout.argoproj.io/revision`.
    pub revision: Option<u64>,
    /// The facts the plan was computed from (step, pauses, hashes, abort; for a Deployment
    /// `spec_paused`).
    pub facts: RolloutFacts,
    /// A Flagger Canary's `status.phase`.
    #[serde(default)]
    pub phase: Option<String>,
}

/// A confirmed-or-to-be-confirmed action: the dialog's content and the executor's command.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionRequest {
    /// Unique per session; results carry it back.
    pub id: u64,
    pub key: RolloutKey,
    pub action: Action,
    /// `casino-prod/payments (Argo canary)`.
    pub target: String,
    /// `step 2/5 → 3/5`, `revision 7 → 6`, `paused → running`.
    pub change: Option<String>,
    pub plan: Plan,
    pub seen: Seen,
    /// `:terminate`: the AnalysisRun.
    pub analysis_run: Option<String>,
    /// Undo: the revision the template goes back to.
    pub undo_to: Option<u64>,
    /// What the operator typed as the reason, if anything.
    pub reason: Option<String>,
    /// Who asks (as the header shows it) and in which kube context: for the audit.
    pub identity: String,
    pub context: String,
}

impl ActionRequest {
    /// `casino-prod/payments`.
    pub fn object(&self) -> String {
        format!("{}/{}", self.key.namespace, self.key.name)
    }
}

/// The plan of an action that depends only on the Rollout's facts (`None` for restart,
/// undo and terminate, which need a time, ReplicaSets or an AnalysisRun).
pub fn plan_for(action: Action, f: &RolloutFacts) -> Option<Plan> {
    Some(match action {
        Action::Approve => argo_requests::promote(f),
        Action::PromoteFull => argo_requests::promote_full(f),
        Action::Pause => argo_requests::pause(f),
        Action::Resume => argo_requests::resume(f),
        Action::Abort => argo_requests::abort(f),
        Action::Retry => argo_requests::retry(f),
        Action::Restart
        | Action::Undo
        | Action::Terminate
        | Action::Rollback
        | Action::CloseGate
        | Action::RequestApproval => return None,
    })
}

/// `step 2/5` (1-based, as the CLI shows it), or `no step`.
pub fn step_text(f: &RolloutFacts) -> String {
    match f.current_step_index {
        Some(i) if f.steps > 0 => format!("step {}/{}", i.min(f.steps), f.steps),
        _ => "no step".to_string(),
    }
}

/// What the action changes, for the dialog: `step 2/5 → 3/5`, `paused → running`.
pub fn change_text(action: Action, seen: &Seen, undo_to: Option<u64>) -> Option<String> {
    let f = &seen.facts;
    match action {
        Action::Approve if f.canary && f.steps > 0 => {
            let i = f.current_step_index.unwrap_or(0);
            let next = (i + 1).min(f.steps);
            if f.pause_conditions && !f.step_analysis_inconclusive {
                Some(format!("{} paused → running", step_text(f)))
            } else {
                Some(format!("step {i}/{n} → {next}/{n}", n = f.steps))
            }
        }
        Action::Approve => Some("paused → running".to_string()),
        Action::PromoteFull => Some(format!("{} → fully promoted", step_text(f))),
        Action::Pause => Some("running → paused".to_string()),
        Action::Resume => Some("paused → running".to_string()),
        Action::Abort => Some(format!("{} → aborted (traffic to stable)", step_text(f))),
        Action::Retry => Some("aborted → progressing from step 0".to_string()),
        Action::Restart => Some("every pod replaced".to_string()),
        Action::Undo => match (seen.revision, undo_to) {
            (Some(from), Some(to)) => Some(format!("revision {from} → {to}")),
            _ => None,
        },
        Action::Terminate => Some("analysis running → terminated".to_string()),
        Action::Rollback => Some(format!(
            "{} → rollback gate open (Flagger fails the canary, traffic to the primary)",
            seen.phase.as_deref().unwrap_or("no phase")
        )),
        Action::CloseGate => Some("gate open → closed".to_string()),
        Action::RequestApproval => None,
    }
}

/// The executor's check after re-reading the Rollout: `Err` with words for the operator when
/// it moved since they looked.
pub fn precondition(req: &ActionRequest, now: &Seen) -> Result<(), String> {
    let was = &req.seen;
    // Closing a gate shipdeck opened is right whatever the canary did since.
    if now.resource_version == was.resource_version
        || matches!(req.action, Action::CloseGate | Action::RequestApproval)
    {
        return Ok(());
    }
    let name = &req.key.name;
    let again = "review and try again";
    if req.key.kind == ControllerKind::Flagger {
        return match (&was.phase, &now.phase) {
            (p, q) if p == q => Ok(()),
            (p, q) => Err(format!(
                "{name} moved from {} to {} since you looked; {again}",
                p.as_deref().unwrap_or("no phase"),
                q.as_deref().unwrap_or("no phase")
            )),
        };
    }
    let (a, b) = (&was.facts, &now.facts);
    let step_move_is_harmless = match req.action {
        // An abort settles by moving the canary back to step 0. Seen aborted and still
        // aborted, that move is the abort the operator already saw (the flash after an
        // abort invites pressing R at once, before the controller is done).
        Action::Undo | Action::Retry => a.aborted && b.aborted && b.current_step_index == Some(0),
        // Abort does not depend on the step, and cannot run twice: a canary that advanced
        // while the operator typed its name is still the release they chose to stop (the
        // revision check below holds). Unless it finished meanwhile: then there is nothing
        // left to abort, and they must look again.
        Action::Abort => !b.fully_promoted(),
        _ => false,
    };
    if a.current_step_index != b.current_step_index && !step_move_is_harmless {
        let step = |f: &RolloutFacts| match f.current_step_index {
            Some(i) => i.to_string(),
            None => "none".to_string(),
        };
        return Err(format!(
            "{name} moved from step {} to {} since you looked; {again}",
            step(a),
            step(b)
        ));
    }
    if was.revision != now.revision {
        let rev = |r: Option<u64>| r.map_or("none".to_string(), |r| r.to_string());
        return Err(format!(
            "{name} moved from revision {} to {} since you looked; {again}",
            rev(was.revision),
            rev(now.revision)
        ));
    }
    if a.aborted != b.aborted {
        let what = if b.aborted {
            "was aborted"
        } else {
            "was retried"
        };
        return Err(format!("{name} {what} since you looked; {again}"));
    }
    if req.key.kind == ControllerKind::Deployment && a.spec_paused != b.spec_paused {
        let what = if b.spec_paused { "paused" } else { "resumed" };
        return Err(format!("{name} was {what} since you looked; {again}"));
    }
    match req.action {
        Action::Undo | Action::Restart if was.generation != now.generation => Err(format!(
            "{name}'s spec changed since you looked (generation {} → {}); {again}",
            was.generation, now.generation
        )),
        Action::Undo | Action::Restart | Action::Terminate => Ok(()),
        _ if req.key.kind == ControllerKind::Deployment => Ok(()),
        action => match plan_for(action, b) {
            Some(p) if p.requests == req.plan.requests => Ok(()),
            _ => Err(format!(
                "{name} changed since you looked ({}); {again}",
                difference(a, b)
            )),
        },
    }
}

/// What changed between two readings, in words.
fn difference(a: &RolloutFacts, b: &RolloutFacts) -> String {
    let mut out = Vec::new();
    if a.spec_paused != b.spec_paused {
        out.push(if b.spec_paused {
            "it was paused"
        } else {
            "it was resumed"
        });
    }
    if a.pause_conditions != b.pause_conditions {
        out.push(if b.pause_conditions {
            "it paused at a step"
        } else {
            "its pause ended"
        });
    }
    if a.current_pod_hash != b.current_pod_hash || a.stable_rs != b.stable_rs {
        out.push("its stable or canary ReplicaSet changed");
    }
    if a.step_analysis_inconclusive != b.step_analysis_inconclusive {
        out.push("its analysis result changed");
    }
    if out.is_empty() {
        "its status changed".to_string()
    } else {
        out.join(", ")
    }
}

#[cfg(test)]
#[path = "action_request_tests.rs"]
mod tests;
