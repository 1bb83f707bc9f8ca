//! `R`: one key that makes the bad version stop taking traffic, whatever the kind of
//! rollout, through one dialog that says exactly what will happen (the safe choice: Enter
//! runs it). Abort while a rollout is in flight; undo once abort can no longer help; a
//! Deployment's `rollout undo`; a Flagger canary's rollback gate.

use crate::domain::actions::Action;
use crate::domain::rollout::{ControllerKind, RolloutRow};

use super::actions::{AskOptions, ask};
use super::{AppState, Command};

const ABORT: &str = "Abort sends all traffic back to the stable version now. It keeps the new \
template in the Rollout (retry would go forward again). Once the abort is done, press R again \
to undo as well: the template back to the previous revision, a separate step.";

const UNDO_PROMOTED: &str = "The new version is fully promoted, so abort can no longer help. \
Undo rolls the template back to the previous revision: a roll-forward to the old version that \
runs the steps again, unless spec.rollbackWindow covers that revision.";

const UNDO_ABORTED: &str = "Traffic is already on stable (aborted). Undo rolls the template back \
to the previous revision so a retry cannot bring the bad version back; it runs the steps \
again, unless spec.rollbackWindow covers that revision.";

const UNDO_SWITCHED: &str = "The blue-green already switched: abort no longer moves traffic. \
Undo re-deploys the previous version as the preview; it may stop at BlueGreenPause, waiting \
for promotion.";

const UNDO_DEPLOYMENT: &str = "As kubectl rollout undo: the Deployment's template goes back to \
the previous revision and its pods roll (no steps, no traffic split).";

/// The dialog (or the reason there is none) for `R` on the selected rollout.
pub fn rollback(state: &mut AppState) -> Vec<Command> {
    let Some(row) = state.rollouts.selected().cloned() else {
        state.flash("no rollout selected", true);
        return Vec::new();
    };
    let (action, note) = match plan(&row) {
        Ok(p) => p,
        Err(why) => {
            state.flash(format!("{}: rollback refused: {why}", row.key.name), true);
            return Vec::new();
        }
    };
    let cmds = ask(
        state,
        action,
        AskOptions {
            notes: vec![note],
            ..AskOptions::default()
        },
    );
    if action == Action::Abort
        && let super::Overlay::Confirm(d) = &state.overlay
    {
        state.actions.rollback_followup.insert(d.request.id);
    }
    cmds
}

/// Which action `R` means for `row`, and what the dialog says about it.
pub(super) fn plan(row: &RolloutRow) -> Result<(Action, String), String> {
    match row.key.kind {
        ControllerKind::Deployment => Ok((Action::Undo, UNDO_DEPLOYMENT.to_string())),
        ControllerKind::Flagger => {
            let phase = row
                .seen
                .phase
                .clone()
                .unwrap_or_else(|| "its phase".to_string());
            Ok((
                Action::Rollback,
                format!(
                    "Opens the canary's rollback gate: Flagger fails the canary at its next \
                     check and routes all traffic back to the primary. shipdeck closes the \
                     gate again once the canary has left {phase}."
                ),
            ))
        }
        ControllerKind::ArgoCanary | ControllerKind::ArgoBlueGreen => {
            let Some(a) = &row.argo else {
                return Err("no status from the controller yet".to_string());
            };
            let undo = |note: &str| match &a.workload_ref {
                Some(w) => Err(format!(
                    "undo is unavailable: the template lives in Deployment {w}"
                )),
                None => Ok((Action::Undo, note.to_string())),
            };
            let switched = row.key.kind == ControllerKind::ArgoBlueGreen
                && a.active_selector.is_some()
                && a.active_selector == a.current_pod_hash;
            if a.aborted {
                undo(UNDO_ABORTED)
            } else if a.fully_promoted() {
                undo(UNDO_PROMOTED)
            } else if switched {
                undo(UNDO_SWITCHED)
            } else {
                Ok((Action::Abort, ABORT.to_string()))
            }
        }
    }
}

#[cfg(test)]
#[path = "rollback_tests.rs"]
mod tests;
