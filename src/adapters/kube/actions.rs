//! Runs confirmed actions against the API server: re-read, precondition, the plan's exact
//! requests (with the /status 404 fallback), then a Kubernetes Event and the
//! `shipdeck.io/last-action` annotation. Every way it ends is an audit entry.
//! (Contract stub: replaced by the implementation.)

use chrono::{DateTime, Utc};

use crate::domain::action_request::ActionRequest;
use crate::domain::audit::{AuditEntry, Outcome};

/// Runs `req` (already confirmed by the operator) and says how it ended. Never panics.
pub async fn run(_client: &kube::Client, req: &ActionRequest, now: DateTime<Utc>) -> AuditEntry {
    AuditEntry {
        time: now,
        identity: req.identity.clone(),
        context: req.context.clone(),
        namespace: req.key.namespace.clone(),
        name: req.key.name.clone(),
        action: req.action.label().to_string(),
        requests: Vec::new(),
        outcome: Outcome::Failed,
        reason: Some("not implemented".into()),
    }
}

/// Fills in an undo's plan: lists the Rollout's ReplicaSets, picks the target revision.
pub async fn prepare_undo(
    _client: &kube::Client,
    req: ActionRequest,
) -> Result<ActionRequest, String> {
    let _ = req;
    Err("not implemented".into())
}
