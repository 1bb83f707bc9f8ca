//! Flagger gates shipdeck opened: closed again once the canary has left the phase they were
//! opened for (an open gate would approve, or roll back, the next canary too), and on start
//! the ones its own audit says it left open. Each close is an audited action.

use std::collections::BTreeSet;

use crate::domain::action_request::ActionRequest;
use crate::domain::actions::Action;
use crate::domain::argo_requests::Plan;
use crate::domain::audit::{AuditEntry, Outcome};
use crate::domain::rollout::{ControllerKind, RolloutKey};

use super::{AppState, Command};

/// A gate shipdeck opened (or is opening).
#[derive(Debug, Clone, PartialEq)]
pub struct OpenGate {
    pub key: RolloutKey,
    /// The canary's phase when the gate was opened; leaving it closes the gate.
    pub phase: Option<String>,
    pub close: Plan,
}

/// After the rows changed: closes the gates whose canary left its phase (or is gone).
pub fn after_rows(state: &mut AppState) -> Vec<Command> {
    if state.session.is_read_only() || state.actions.open_gates.is_empty() {
        return Vec::new();
    }
    let rows = &state.rollouts;
    let (moved, stay): (Vec<OpenGate>, Vec<OpenGate>) =
        std::mem::take(&mut state.actions.open_gates)
            .into_iter()
            .partition(|g| match rows.get(&g.key) {
                Some(r) => r.seen.phase != g.phase,
                None => rows.loaded,
            });
    state.actions.open_gates = stay;
    moved
        .into_iter()
        .map(|g| {
            let why = format!(
                "closing the gate shipdeck opened: {} left {}",
                g.key.name,
                g.phase.as_deref().unwrap_or("its phase")
            );
            close(state, g.key, g.close, why)
        })
        .collect()
}

/// The audit file was read for the first time: gates opened by a done action without a
/// done close after it are closed now.
pub fn reconcile(state: &mut AppState, entries: &[AuditEntry]) -> Vec<Command> {
    if state.actions.gates_reconciled || state.session.is_read_only() {
        return Vec::new();
    }
    state.actions.gates_reconciled = true;
    let mut open: Vec<(String, String, crate::domain::audit::RecordedRequest)> = Vec::new();
    for e in entries.iter().filter(|e| e.outcome == Outcome::Done) {
        for r in &e.requests {
            if let Some(base) = gate_base(&r.path, "/open") {
                open.retain(|(_, b, _)| *b != base);
                open.push((e.name.clone(), base, r.clone()));
            } else if let Some(base) = gate_base(&r.path, "/close") {
                open.retain(|(_, b, _)| *b != base);
            }
        }
    }
    let mut seen = BTreeSet::new();
    open.into_iter()
        .filter(|(_, base, _)| seen.insert(base.clone()))
        .map(|(name, base, r)| {
            let ns = r
                .body
                .get("namespace")
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_string();
            let key = RolloutKey {
                namespace: ns,
                name: name.clone(),
                kind: ControllerKind::Flagger,
            };
            let plan = Plan {
                requests: vec![crate::domain::argo_requests::Request {
                    verb: "POST",
                    path: format!("{base}/close"),
                    content_type: "application/json",
                    body: r.body.clone(),
                }],
                fallback: None,
                skips: Vec::new(),
            };
            let why = format!("closing a gate of {name} a previous session left open");
            close(state, key, plan, why)
        })
        .collect()
}

/// `…/proxy/gate` of a `…/proxy/gate/open` path (and the rollback gate's).
fn gate_base(path: &str, end: &str) -> Option<String> {
    let base = path.strip_suffix(end)?;
    (base.contains("/proxy/") && (base.ends_with("/gate") || base.ends_with("/rollback")))
        .then(|| base.to_string())
}

fn close(state: &mut AppState, key: RolloutKey, plan: Plan, why: String) -> Command {
    let seen = state
        .rollouts
        .get(&key)
        .map(|r| r.seen.clone())
        .unwrap_or_default();
    let id = state.actions.next_id();
    let req = ActionRequest {
        id,
        target: format!("{}/{} (Flagger canary)", key.namespace, key.name),
        key: key.clone(),
        action: Action::CloseGate,
        change: Some("gate open → closed".to_string()),
        plan,
        seen,
        analysis_run: None,
        undo_to: None,
        reason: Some(why),
        identity: super::actions::identity(state),
        context: state.session.info.context.clone(),
    };
    state.actions.in_flight.insert(id, key);
    Command::RunAction(Box::new(req))
}

#[cfg(test)]
#[path = "gates_tests.rs"]
mod tests;
