//! From an intent to an `ActionRequest`: whether the action is possible now (Argo CD's
//! rules, RBAC, one action per object), and its exact plan, per kind of rollout.

use crate::domain::action_request::{self, ActionRequest};
use crate::domain::actions::{Action, rollout_actions};
use crate::domain::argo_requests::{self, Plan};
use crate::domain::deployment_requests;
use crate::domain::flagger_requests::{Gate, gate_plan, suspend};
use crate::domain::rollout::{ControllerKind, RolloutRow};

use super::super::AppState;
use super::{AskOptions, identity};

/// The request for `action` on `row` (and, for a gate it opens, the plan that closes it),
/// or why it cannot be asked for.
pub(super) fn build(
    state: &mut AppState,
    row: &RolloutRow,
    action: Action,
    opts: AskOptions,
) -> Result<(ActionRequest, Option<Plan>), String> {
    if state.actions.busy(&row.key) {
        return Err(format!(
            "an action on {} is still running; nothing sent",
            row.key.name
        ));
    }
    if let Some(reason) = &row.invalid {
        return Err(format!("invalid object ({reason})"));
    }
    if let Some(c) = rollout_actions(row)
        .into_iter()
        .find(|c| c.action == action)
        && let Some(why) = c.refused
    {
        return Err(why);
    }
    if let Some(why) = state
        .actions
        .permissions
        .refusal(&row.key.namespace, row.key.kind, action)
    {
        return Err(why);
    }
    let seen = row.seen.clone();
    let now = state.now.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut change = action_request::change_text(action, &seen, opts.undo_to);
    let (plan, analysis_run, close) = match row.key.kind {
        ControllerKind::ArgoCanary | ControllerKind::ArgoBlueGreen => {
            let (plan, run) = argo_plan(row, action, &opts, &now)?;
            (plan, run, None)
        }
        ControllerKind::Deployment => (deployment_plan(row, action, &now)?, None, None),
        ControllerKind::Flagger => {
            let (open, close) = flagger_plan(row, action)?;
            if action == Action::Approve {
                change = Some(format!(
                    "{} → gate open (Flagger goes on at its next check)",
                    seen.phase.as_deref().unwrap_or("no phase")
                ));
            }
            (open, None, close)
        }
    };
    if plan.requests.is_empty() && action != Action::Undo {
        return Err("nothing to send: the rollout is not paused".to_string());
    }
    let kind = match row.key.kind {
        ControllerKind::ArgoCanary => "Argo canary",
        ControllerKind::ArgoBlueGreen => "Argo blue-green",
        ControllerKind::Deployment => "Deployment",
        ControllerKind::Flagger => "Flagger canary",
    };
    let req = ActionRequest {
        id: state.actions.next_id(),
        key: row.key.clone(),
        action,
        target: format!("{}/{} ({kind})", row.key.namespace, row.key.name),
        change,
        plan,
        seen,
        analysis_run,
        undo_to: opts.undo_to,
        reason: None,
        identity: identity(state),
        context: state.session.info.context.clone(),
    };
    Ok((req, close))
}

/// An Argo Rollout's plan; `:terminate` names its AnalysisRun.
fn argo_plan(
    row: &RolloutRow,
    action: Action,
    opts: &AskOptions,
    now: &str,
) -> Result<(Plan, Option<String>), String> {
    let Some(argo) = row.argo.as_ref() else {
        return Err("no status from the controller yet".to_string());
    };
    let facts = &row.seen.facts;
    Ok(match action {
        Action::Restart => (argo_requests::restart(facts, now), None),
        Action::Undo => {
            if let Some(w) = &argo.workload_ref {
                return Err(format!("the template lives in Deployment {w}"));
            }
            (Plan::default(), None)
        }
        Action::Terminate => {
            let run = match opts.analysis_run.clone() {
                Some(r) => r,
                None => running_analysis(argo).ok_or("no analysis is running")?,
            };
            (
                argo_requests::terminate(&row.key.namespace, &run),
                Some(run),
            )
        }
        Action::Rollback | Action::CloseGate => {
            return Err("an Argo Rollout has no gates: abort (x) or undo (u)".to_string());
        }
        _ => (
            action_request::plan_for(action, facts).unwrap_or_default(),
            None,
        ),
    })
}

/// A Deployment's plan, as `kubectl rollout` sends it.
fn deployment_plan(row: &RolloutRow, action: Action, now: &str) -> Result<Plan, String> {
    let (ns, name) = (row.key.namespace.as_str(), row.key.name.as_str());
    Ok(match action {
        Action::Pause => deployment_requests::pause(ns, name),
        Action::Resume => deployment_requests::resume(ns, name),
        Action::Restart => deployment_requests::restart(ns, name, now),
        Action::Undo if row.spec_paused => {
            return Err("cannot rollback a paused deployment; resume it first".to_string());
        }
        Action::Undo => Plan::default(),
        other => return Err(format!("a Deployment cannot {}", other.label())),
    })
}

/// A Flagger canary's gate: the plan that opens it and the one that closes it again.
fn flagger_plan(row: &RolloutRow, action: Action) -> Result<(Plan, Option<Plan>), String> {
    let Some(f) = row.flagger.as_ref() else {
        return Err("Flagger has not initialised it yet".to_string());
    };
    let (ns, name) = (row.key.namespace.as_str(), row.key.name.as_str());
    let gate = match action {
        Action::Pause | Action::Resume => {
            return Ok((suspend(ns, name, action == Action::Pause), None));
        }
        Action::Approve => Gate::Approve,
        Action::Rollback if f.phase.is_some_and(|p| p.in_flight()) => Gate::Rollback,
        Action::Rollback => {
            return Err(
                "no canary run in flight: an open rollback gate would roll back the next one"
                    .to_string(),
            );
        }
        other => {
            return Err(format!(
                "{} of a Flagger canary is not in this build",
                other.label()
            ));
        }
    };
    let open = gate_plan(ns, name, f.phase, &f.webhooks, gate, true)?;
    let close = gate_plan(ns, name, f.phase, &f.webhooks, gate, false)?;
    Ok((open, Some(close)))
}

/// The AnalysisRun `:terminate` stops: the running step analysis, else the background one.
fn running_analysis(argo: &crate::domain::detail::ArgoDetail) -> Option<String> {
    use crate::domain::detail::AnalysisPhase;
    let running = |a: &Option<crate::domain::detail::AnalysisRunStatus>| {
        a.as_ref()
            .filter(|a| matches!(a.phase, AnalysisPhase::Running | AnalysisPhase::Pending))
            .map(|a| a.name.clone())
    };
    running(&argo.step_analysis).or_else(|| running(&argo.background_analysis))
}
