//! The two-person rule in the reducer: for a service with `two_person = true`, the first
//! confirmation records the request on the object instead of running it; a different
//! identity's confirmation of the same requests runs them; the same identity is refused.

use serde_json::json;

use crate::domain::action_request::{ActionRequest, object_path};
use crate::domain::actions::Action;
use crate::domain::approval::{ANNOTATION, ApprovalRequest};
use crate::domain::argo_requests::{MERGE_PATCH, Plan, Request};
use crate::domain::rollout::RolloutRow;

use super::actions::{identity, recorded};
use super::safety::two_person;
use super::{AppState, Command};

/// What a confirmation does under the rule.
pub enum Decision {
    /// Run the action (with a note for the audit and the Event when it is the second
    /// approval).
    Run(Option<String>),
    /// Something else instead: the request recorded, or a refusal.
    Instead(Vec<Command>),
}

/// The pending request on `row` that has not expired.
fn pending<'a>(state: &AppState, row: &'a RolloutRow) -> Option<&'a ApprovalRequest> {
    let ttl = state.safety.settings.two_person_ttl;
    row.approval.as_ref().filter(|a| !a.expired(state.now, ttl))
}

/// The dialog's words about the rule, for a two-person service.
pub fn note(state: &AppState, row: &RolloutRow, action: Action) -> Option<String> {
    if !two_person(state, &row.key) {
        return None;
    }
    let ttl = state.safety.settings.two_person_ttl;
    Some(match pending(state, row) {
        Some(a) if a.action == action.label() && a.identity != identity(state) => format!(
            "Second approval: {} asked for this ({}). Enter runs it now if the requests \
             below are still the ones they confirmed.",
            a.identity,
            a.describe(state.now, ttl)
        ),
        _ => format!(
            "Two-person rule: Enter records this request on the object; it runs when a \
             different identity approves it within {}.",
            crate::domain::human::human_duration(ttl)
        ),
    })
}

/// Enter on a confirm dialog of `req`.
pub fn decide(state: &mut AppState, req: &ActionRequest) -> Decision {
    if !two_person(state, &req.key) || req.action == Action::RequestApproval {
        return Decision::Run(None);
    }
    let Some(row) = state.rollouts.get(&req.key).cloned() else {
        return Decision::Run(None);
    };
    let me = identity(state);
    let requests = recorded(&req.plan);
    match pending(state, &row) {
        Some(a) if a.action == req.action.label() && a.requests == requests => {
            if a.identity == me {
                let why = format!(
                    "you asked for this {}; the two-person rule needs a different identity to approve it",
                    a.action
                );
                return Decision::Instead(super::actions::refuse_with(state, req, why));
            }
            Decision::Run(Some(format!(
                "second approval of {}'s request of {}",
                a.identity,
                a.time.format("%H:%M:%S UTC")
            )))
        }
        Some(a) if a.action != req.action.label() => {
            let why = format!(
                "{} awaits a second approval of {} (by {}); approve that, or wait until it expires",
                req.key.name, a.action, a.identity
            );
            Decision::Instead(super::actions::refuse_with(state, req, why))
        }
        // None, expired, or recorded for a state the object has left: a new request.
        _ => Decision::Instead(request(state, req, me)),
    }
}

/// The first approval: the annotation that records the request, as an audited action.
fn request(state: &mut AppState, req: &ActionRequest, me: String) -> Vec<Command> {
    let record = ApprovalRequest {
        action: req.action.label().to_string(),
        requests: recorded(&req.plan),
        identity: me,
        time: state.now,
        change: req.change.clone(),
    };
    let value = serde_json::to_string(&record).unwrap_or_default();
    let mut ask = req.clone();
    ask.action = Action::RequestApproval;
    ask.plan = Plan {
        requests: vec![Request {
            verb: "PATCH",
            path: object_path(&req.key),
            content_type: MERGE_PATCH,
            body: json!({"metadata": {"annotations": {ANNOTATION: value}}}),
        }],
        fallback: None,
        skips: Vec::new(),
    };
    ask.reason = Some(match &req.reason {
        Some(r) => format!("{} awaits a second approval; {r}", req.action.label()),
        None => format!("{} awaits a second approval", req.action.label()),
    });
    state.actions.in_flight.insert(ask.id, ask.key.clone());
    let ttl = crate::domain::human::human_duration(state.safety.settings.two_person_ttl);
    state.flash(
        format!(
            "{}: {} recorded; it runs when a different identity approves it (within {ttl})",
            req.key.name,
            req.action.label()
        ),
        false,
    );
    vec![Command::RunAction(Box::new(ask))]
}

#[cfg(test)]
#[path = "approval_tests.rs"]
mod tests;
