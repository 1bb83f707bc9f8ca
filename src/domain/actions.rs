//! Which rollout actions are possible right now, and why the others are not: Argo CD's
//! rules for Argo Rollouts (PROTOCOLS.md "When an action is possible", plus the Argo
//! dashboard's PROMOTE), the gates of a Flagger Canary, and what a Deployment allows. Pure;
//! the detail screen shows the result as key hints, the reducer may refuse with the same
//! reasons.

use super::detail::{ArgoDetail, FlaggerDetail};
use super::rollout::{ControllerKind, Phase, RolloutRow};

/// A rollout action the operator can ask for (the keymap's intent of the same name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Promote one step / resume a pause condition / open a Flagger gate.
    Approve,
    PromoteFull,
    Abort,
    Retry,
    /// Set `spec.paused` (`spec.suspend` for Flagger).
    Pause,
    /// Clear `spec.paused` (never a step).
    Resume,
    /// `spec.restartAt`: every pod replaced.
    Restart,
    /// The template back to an older revision.
    Undo,
    /// `spec.terminate` on the current AnalysisRun.
    Terminate,
    /// Open a Flagger canary's rollback gate.
    Rollback,
    /// Close a Flagger gate shipdeck opened (automatic, audited).
    CloseGate,
    /// Record a two-person request on the object (the first approval).
    RequestApproval,
}

impl Action {
    /// The short word of the hint.
    pub fn label(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::PromoteFull => "promote-full",
            Self::Abort => "abort",
            Self::Retry => "retry",
            Self::Pause => "pause",
            Self::Resume => "resume",
            Self::Restart => "restart",
            Self::Undo => "undo",
            Self::Terminate => "terminate",
            Self::Rollback => "rollback",
            Self::CloseGate => "close-gate",
            Self::RequestApproval => "request-approval",
        }
    }

    /// The reason of the Kubernetes Event a done action leaves on the object.
    pub fn event_reason(self) -> &'static str {
        match self {
            Self::Approve => "ShipdeckPromote",
            Self::PromoteFull => "ShipdeckPromoteFull",
            Self::Abort => "ShipdeckAbort",
            Self::Retry => "ShipdeckRetry",
            Self::Pause => "ShipdeckPause",
            Self::Resume => "ShipdeckResume",
            Self::Restart => "ShipdeckRestart",
            Self::Undo => "ShipdeckUndo",
            Self::Terminate => "ShipdeckTerminate",
            Self::Rollback => "ShipdeckRollback",
            Self::CloseGate => "ShipdeckCloseGate",
            Self::RequestApproval => "ShipdeckApprovalRequested",
        }
    }

    /// The dialog's title verb: `Approve`, `Abort`, `Undo`.
    pub fn title(self) -> &'static str {
        match self {
            Self::Approve => "Approve / promote one step",
            Self::PromoteFull => "Promote fully",
            Self::Abort => "Abort",
            Self::Retry => "Retry",
            Self::Pause => "Pause",
            Self::Resume => "Resume",
            Self::Restart => "Restart",
            Self::Undo => "Undo",
            Self::Terminate => "Terminate the analysis",
            Self::Rollback => "Roll back",
            Self::CloseGate => "Close the gate",
            Self::RequestApproval => "Ask for a second approval",
        }
    }

    /// The keymap intent name that asks for it (`pause_resume` serves both).
    pub fn intent_name(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::PromoteFull => "promote_full",
            Self::Abort => "abort",
            Self::Retry => "retry",
            Self::Pause | Self::Resume => "pause_resume",
            Self::Restart => "restart",
            Self::Undo => "undo",
            Self::Terminate => "terminate",
            Self::Rollback => "rollback",
            Self::CloseGate => "close_gate",
            Self::RequestApproval => "request_approval",
        }
    }
}

/// One action and whether it is possible: `refused` holds the reason when it is not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionCheck {
    pub action: Action,
    pub refused: Option<String>,
}

impl ActionCheck {
    fn ok(action: Action) -> Self {
        Self {
            action,
            refused: None,
        }
    }

    fn no(action: Action, why: impl Into<String>) -> Self {
        Self {
            action,
            refused: Some(why.into()),
        }
    }

    fn when(action: Action, why_not: Option<&str>) -> Self {
        match why_not {
            Some(w) => Self::no(action, w),
            None => Self::ok(action),
        }
    }

    pub fn possible(&self) -> bool {
        self.refused.is_none()
    }

    /// `abort: already fully promoted`, or just `abort` when possible.
    pub fn text(&self) -> String {
        match &self.refused {
            Some(why) => format!("{}: {why}", self.action.label()),
            None => self.action.label().to_string(),
        }
    }
}

/// Approve, promote-full, abort, retry and pause (or resume), in that order, each possible
/// or refused with its reason.
pub fn rollout_actions(row: &RolloutRow) -> Vec<ActionCheck> {
    let pause = if row.key.kind == ControllerKind::Flagger {
        row.flagger.as_ref().is_some_and(|f| f.suspended)
    } else {
        row.spec_paused
    };
    let pause_action = if pause { Action::Resume } else { Action::Pause };
    let main = [
        Action::Approve,
        Action::PromoteFull,
        Action::Abort,
        Action::Retry,
    ];
    if let Some(reason) = &row.invalid {
        let why = format!("invalid object ({reason})");
        return main
            .into_iter()
            .chain([pause_action])
            .map(|a| ActionCheck::no(a, why.clone()))
            .collect();
    }
    let mut out = match row.key.kind {
        ControllerKind::ArgoCanary | ControllerKind::ArgoBlueGreen => match &row.argo {
            Some(d) => argo(row, d),
            None => main
                .iter()
                .map(|&a| ActionCheck::no(a, "no status from the controller yet"))
                .collect(),
        },
        ControllerKind::Flagger => match &row.flagger {
            Some(f) => flagger(f),
            None => main
                .iter()
                .map(|&a| ActionCheck::no(a, "Flagger has not initialised it yet"))
                .collect(),
        },
        ControllerKind::Deployment => vec![
            ActionCheck::no(Action::Approve, "a Deployment has no steps"),
            ActionCheck::no(Action::PromoteFull, "a Deployment has no steps"),
            ActionCheck::no(Action::Abort, "a Deployment cannot abort: undo instead"),
            ActionCheck::no(Action::Retry, "a Deployment cannot abort: undo instead"),
        ],
    };
    out.push(ActionCheck::ok(pause_action));
    out
}

/// Argo CD's rules, plus the dashboard's PROMOTE while Progressing or Paused.
fn argo(row: &RolloutRow, d: &ArgoDetail) -> Vec<ActionCheck> {
    let promoted = d.fully_promoted();
    let paused = !d.pause_conditions.is_empty() || row.spec_paused;
    let approve_no = if paused || matches!(row.phase, Phase::Progressing | Phase::Paused) {
        None
    } else if d.aborted {
        Some("aborted: retry first")
    } else if promoted {
        Some("nothing to promote: fully promoted")
    } else {
        Some("not paused")
    };
    let promoted_no = promoted.then_some("already fully promoted");
    let abort_no = if promoted {
        Some("already fully promoted")
    } else if d.aborted {
        Some("already aborted")
    } else {
        None
    };
    let retry_no = (!d.aborted).then_some("not aborted");
    vec![
        ActionCheck::when(Action::Approve, approve_no),
        ActionCheck::when(Action::PromoteFull, promoted_no),
        ActionCheck::when(Action::Abort, abort_no),
        ActionCheck::when(Action::Retry, retry_no),
    ]
}

/// Flagger: approve opens a waiting gate; abort fails a canary run in flight.
fn flagger(f: &FlaggerDetail) -> Vec<ActionCheck> {
    let approve = match f.phase {
        Some(p) if p.waits_for_approval() => None,
        Some(p) => Some(format!("no gate is waiting (phase {})", p.label())),
        None => Some("no phase yet".to_string()),
    };
    let abort = match f.phase {
        Some(crate::domain::phase::FlaggerPhase::Failed) => Some("already failed".to_string()),
        Some(p) if p.in_flight() => None,
        _ => Some("no canary run in flight".to_string()),
    };
    vec![
        ActionCheck::when(Action::Approve, approve.as_deref()),
        ActionCheck::no(
            Action::PromoteFull,
            "Flagger promotes through its gates: approve",
        ),
        // Flagger has no abort: its rollback gate (`R`) fails the run in flight.
        ActionCheck::no(
            Action::Abort,
            abort.unwrap_or_else(|| "Flagger: roll back with R (its rollback gate)".to_string()),
        ),
        ActionCheck::no(Action::Retry, "Flagger retries on the next revision"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::detail::{Pause, PauseReason};
    use crate::domain::phase::FlaggerPhase;

    fn argo_row(kind: ControllerKind, phase: Phase, d: ArgoDetail) -> RolloutRow {
        let mut r = RolloutRow::new("ns", "app", kind);
        r.phase = phase;
        r.argo = Some(d);
        r
    }

    fn refused(row: &RolloutRow, a: Action) -> Option<String> {
        rollout_actions(row)
            .into_iter()
            .find(|c| c.action == a)
            .unwrap_or_else(|| panic!("{a:?} missing"))
            .refused
    }

    fn promoted() -> ArgoDetail {
        ArgoDetail {
            current_pod_hash: Some("abc".into()),
            stable_rs: Some("abc".into()),
            ..ArgoDetail::default()
        }
    }

    fn in_flight() -> ArgoDetail {
        ArgoDetail {
            current_pod_hash: Some("new".into()),
            stable_rs: Some("old".into()),
            ..ArgoDetail::default()
        }
    }

    #[test]
    fn a_fully_promoted_rollout_can_only_be_paused() {
        let r = argo_row(ControllerKind::ArgoCanary, Phase::Healthy, promoted());
        let texts: Vec<String> = rollout_actions(&r).iter().map(ActionCheck::text).collect();
        assert_eq!(
            texts,
            [
                "approve: nothing to promote: fully promoted",
                "promote-full: already fully promoted",
                "abort: already fully promoted",
                "retry: not aborted",
                "pause",
            ]
        );
    }

    #[test]
    fn a_paused_canary_can_be_approved_promoted_and_aborted() {
        let mut d = in_flight();
        d.pause_conditions = vec![Pause {
            reason: PauseReason::CanaryPauseStep,
            since: None,
        }];
        let r = argo_row(ControllerKind::ArgoCanary, Phase::Paused, d);
        assert_eq!(refused(&r, Action::Approve), None);
        assert_eq!(refused(&r, Action::PromoteFull), None);
        assert_eq!(refused(&r, Action::Abort), None);
        assert_eq!(refused(&r, Action::Retry).as_deref(), Some("not aborted"));
        assert_eq!(refused(&r, Action::Pause), None);
    }

    #[test]
    fn an_aborted_rollout_can_be_retried_not_aborted_again() {
        let mut d = in_flight();
        d.aborted = true;
        let r = argo_row(ControllerKind::ArgoCanary, Phase::Degraded, d);
        assert_eq!(
            refused(&r, Action::Approve).as_deref(),
            Some("aborted: retry first")
        );
        assert_eq!(
            refused(&r, Action::Abort).as_deref(),
            Some("already aborted")
        );
        assert_eq!(refused(&r, Action::Retry), None);
        assert_eq!(refused(&r, Action::PromoteFull), None);
    }

    #[test]
    fn the_dashboard_promotes_while_progressing() {
        let r = argo_row(ControllerKind::ArgoCanary, Phase::Progressing, in_flight());
        assert_eq!(refused(&r, Action::Approve), None);
        let r = argo_row(ControllerKind::ArgoCanary, Phase::Degraded, in_flight());
        assert_eq!(refused(&r, Action::Approve).as_deref(), Some("not paused"));
    }

    #[test]
    fn spec_paused_counts_as_paused_and_offers_resume() {
        let mut r = argo_row(ControllerKind::ArgoBlueGreen, Phase::Degraded, in_flight());
        r.spec_paused = true;
        assert_eq!(refused(&r, Action::Approve), None);
        assert_eq!(refused(&r, Action::Resume), None);
        assert!(
            rollout_actions(&r)
                .iter()
                .all(|c| c.action != Action::Pause)
        );
    }

    #[test]
    fn an_invalid_object_refuses_everything() {
        let mut r = argo_row(ControllerKind::ArgoCanary, Phase::Degraded, in_flight());
        r.invalid = Some("spec.strategy: missing".into());
        let checks = rollout_actions(&r);
        assert_eq!(checks.len(), 5);
        assert!(
            checks.iter().all(|c| {
                c.refused.as_deref() == Some("invalid object (spec.strategy: missing)")
            })
        );
    }

    #[test]
    fn a_row_without_argo_status_refuses_with_a_reason() {
        let r = RolloutRow::new("ns", "app", ControllerKind::ArgoCanary);
        assert_eq!(
            refused(&r, Action::Abort).as_deref(),
            Some("no status from the controller yet")
        );
    }

    #[test]
    fn flagger_gates_and_runs() {
        let mut r = RolloutRow::new("ns", "bonus", ControllerKind::Flagger);
        let mut f = FlaggerDetail {
            phase: Some(FlaggerPhase::WaitingPromotion),
            ..FlaggerDetail::default()
        };
        r.flagger = Some(f.clone());
        assert_eq!(refused(&r, Action::Approve), None);
        assert_eq!(
            refused(&r, Action::Abort).as_deref(),
            Some("Flagger: roll back with R (its rollback gate)")
        );
        assert!(refused(&r, Action::PromoteFull).is_some());
        f.phase = Some(FlaggerPhase::Succeeded);
        f.suspended = true;
        r.flagger = Some(f.clone());
        assert_eq!(
            refused(&r, Action::Approve).as_deref(),
            Some("no gate is waiting (phase Succeeded)")
        );
        assert_eq!(
            refused(&r, Action::Abort).as_deref(),
            Some("no canary run in flight")
        );
        assert_eq!(refused(&r, Action::Resume), None);
        f.phase = Some(FlaggerPhase::Failed);
        r.flagger = Some(f);
        assert_eq!(
            refused(&r, Action::Abort).as_deref(),
            Some("already failed")
        );
    }

    #[test]
    fn a_deployment_pauses_and_resumes_only() {
        let mut r = RolloutRow::new("ns", "auth", ControllerKind::Deployment);
        let possible: Vec<Action> = rollout_actions(&r)
            .into_iter()
            .filter(ActionCheck::possible)
            .map(|c| c.action)
            .collect();
        assert_eq!(possible, [Action::Pause]);
        r.spec_paused = true;
        assert_eq!(refused(&r, Action::Resume), None);
    }
}
