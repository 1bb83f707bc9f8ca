//! The action engine's reducer half: an intent becomes an `ActionRequest` (the exact
//! requests, from the row's facts), shown in a confirm dialog; `Enter` sends it as a
//! mutating command, `Esc` cancels. Refusals and cancellations are audited here; the
//! executor audits what it ran. One action per object at a time.

use std::collections::BTreeMap;

use tui_input::Input;

use crate::domain::action_request::ActionRequest;
use crate::domain::actions::{Action, ActionCheck, rollout_actions};
use crate::domain::argo_requests;
use crate::domain::audit::{AuditEntry, Outcome, RecordedRequest};
use crate::domain::permissions::Permissions;
use crate::domain::rollout::{RolloutKey, RolloutRow};

use super::{AppState, Command, Overlay};

/// The confirm dialog of one action.
#[derive(Debug, Clone)]
pub struct ConfirmDialog {
    pub request: ActionRequest,
    /// Still reading what the plan needs (an undo's ReplicaSets): `Enter` waits.
    pub loading: bool,
    /// Why no plan could be made: `Enter` does nothing, `Esc` closes.
    pub error: Option<String>,
    /// Nothing to send (an undo to the template already in place): `Enter` closes.
    pub nothing_to_send: Option<String>,
    /// The operator's optional reason, recorded in the audit and the Event.
    pub reason: Input,
    /// What the operator should know before confirming (one-key rollback explains abort vs
    /// undo here).
    pub notes: Vec<String>,
    /// For a gate the action opens: the plan that closes it again (sent by shipdeck once
    /// the canary has left the phase).
    pub close: Option<argo_requests::Plan>,
    /// A critical service: the rollout's name must be typed here before `Enter` runs.
    pub typed: Option<Input>,
    /// Keys go to the reason field (else to `typed`, while there is one).
    pub on_reason: bool,
}

impl ConfirmDialog {
    pub fn new(
        request: ActionRequest,
        notes: Vec<String>,
        close: Option<argo_requests::Plan>,
    ) -> Self {
        Self {
            request,
            loading: false,
            error: None,
            nothing_to_send: None,
            reason: Input::default(),
            notes,
            close,
            typed: None,
            on_reason: true,
        }
    }

    /// The typed name matches (or none is needed).
    pub fn name_confirmed(&self) -> bool {
        self.typed
            .as_ref()
            .is_none_or(|t| t.value().trim() == self.request.key.name)
    }
}

/// Whether a terminal of `size` (columns, rows) shows every line of the dialog. Counts the
/// lines the dialog draws (target, change, skips, each request's verb and path, content
/// type and body, the fallback, the reason and the keys) wrapped at the dialog's width, with
/// a margin for word wrapping: when in doubt, it does not fit.
pub fn dialog_fits(d: &ConfirmDialog, size: (u16, u16)) -> bool {
    // The dialog is at most 96 columns inside the screen's borders, with a border and a
    // padding column each side; it has the screen minus the header, tabs, status and keys.
    let inner = usize::from(size.0.saturating_sub(2).min(96).saturating_sub(4)).max(8);
    let room = usize::from(size.1.saturating_sub(4));
    // Text that wraps at words: one more row when it wraps at all (word breaks waste room).
    let words = |n: usize| if n <= inner { 1 } else { n.div_ceil(inner) + 1 };
    // Unbroken text (a path, JSON), continued with an indent.
    let chars = |n: usize| {
        if n <= inner {
            1
        } else {
            n.div_ceil(inner - 4) + 1
        }
    };
    let req = &d.request;
    let mut rows = words(9 + req.target.chars().count());
    rows += d
        .notes
        .iter()
        .map(|n| 1 + words(n.chars().count()))
        .sum::<usize>();
    if d.typed.is_some() {
        rows += 1 + words(60 + 2 * req.key.name.chars().count());
    }
    rows += req
        .change
        .iter()
        .map(|c| words(9 + c.chars().count()))
        .sum::<usize>();
    rows += req
        .plan
        .skips
        .iter()
        .map(|s| words(9 + s.chars().count()))
        .sum::<usize>();
    let requests = |list: &[argo_requests::Request]| -> usize {
        let each = list.iter().map(|r| {
            let path = r.path.chars().count();
            let head = if r.verb.len() + 4 + path <= inner {
                1
            } else {
                1 + chars(path)
            };
            head + 1 + chars(2 + r.body.to_string().chars().count())
        });
        1 + each.sum::<usize>()
    };
    rows += 1 + requests(&req.plan.requests);
    if let Some(fallback) = &req.plan.fallback {
        rows += 1 + requests(fallback);
    }
    // Reason (a second row when narrow), blank, keys, blank; two borders.
    let reason = if inner >= 59 { 2 } else { 3 };
    rows + reason + 2 + 2 <= room
}

/// Actions in flight, RBAC answers and request ids.
#[derive(Debug, Clone, Default)]
pub struct ActionsState {
    next_id: u64,
    /// Sent and not yet finished: id → object.
    pub in_flight: BTreeMap<u64, RolloutKey>,
    /// Done, but the rows do not show the result yet: object → (the resourceVersion the
    /// operator saw, until when at most). A key pressed twice in a hurry must not act on
    /// what the operator has not seen.
    pub settling: BTreeMap<RolloutKey, (String, chrono::DateTime<chrono::Utc>)>,
    pub permissions: Permissions,
    /// The session generation the permissions belong to.
    pub permissions_generation: u64,
    /// Aborts asked for by `R`: when done, the operator is told that `R` again undoes.
    pub rollback_followup: std::collections::BTreeSet<u64>,
    /// Gates being opened (by action id) and gates open, to close again.
    pub pending_gates: BTreeMap<u64, super::gates::OpenGate>,
    pub open_gates: Vec<super::gates::OpenGate>,
    /// The audit was checked for gates a previous session left open.
    pub gates_reconciled: bool,
}

impl ActionsState {
    pub fn busy(&self, key: &RolloutKey) -> bool {
        self.settling.contains_key(key)
            || self
                .in_flight
                .values()
                .any(|k| k.namespace == key.namespace && k.name == key.name)
    }

    /// After the rows changed (or time passed): objects whose rows show a newer state, or
    /// that settled long enough, take actions again.
    pub fn settle(&mut self, rows: &super::RolloutList, now: chrono::DateTime<chrono::Utc>) {
        self.settling.retain(|key, (rv, until)| {
            let moved = rows
                .get(key)
                .is_some_and(|r| r.seen.resource_version != *rv);
            !moved && *until > now
        });
    }

    pub(super) fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }
}

/// The auto-rollback countdown reached zero: abort `key` as if `R` were confirmed, recorded
/// as automatic; refused (flash and audit) when abort is not possible now.
pub fn auto_abort(state: &mut AppState, key: &RolloutKey, opts: AskOptions) -> Vec<Command> {
    let Some(row) = state.rollouts.get(key).cloned() else {
        state.flash(format!("auto-rollback: {} is gone", key.name), true);
        return Vec::new();
    };
    let who = format!("{} (auto-rollback)", identity(state));
    match build::build(state, &row, Action::Abort, opts) {
        Ok((mut req, _)) => {
            req.identity = who;
            req.reason = Some(format!(
                "automatic rollback: a critical regression alert held for {} intervals",
                state.safety.settings.intervals
            ));
            state.actions.in_flight.insert(req.id, req.key.clone());
            state.flash(format!("auto-rollback: aborting {}…", key.name), true);
            vec![Command::RunAction(Box::new(req))]
        }
        Err(why) => {
            state.flash(
                format!("auto-rollback of {} refused: {why}", key.name),
                true,
            );
            let mut e = entry(
                state,
                key,
                Action::Abort,
                Vec::new(),
                Outcome::Refused,
                Some(why),
            );
            e.identity = who;
            audit(state, e)
        }
    }
}

/// The detail's action hints: what `rollout_actions` allows, further limited by RBAC and by
/// an action already running on the object.
pub fn checks(state: &AppState, row: &RolloutRow) -> Vec<ActionCheck> {
    let mut out = rollout_actions(row);
    // `R`: what one-key rollback would do, or why it cannot.
    let rollback = match super::rollback::plan(row) {
        Ok(_) => ActionCheck {
            action: Action::Rollback,
            refused: row
                .invalid
                .as_ref()
                .map(|r| format!("invalid object ({r})")),
        },
        Err(why) => ActionCheck {
            action: Action::Rollback,
            refused: Some(why),
        },
    };
    let at = out
        .iter()
        .position(|c| c.action == Action::Abort)
        .map_or(out.len(), |i| i + 1);
    out.insert(at, rollback);
    for c in out.iter_mut().filter(|c| c.possible()) {
        if state.actions.busy(&row.key) {
            c.refused = Some("an action is running".to_string());
        } else if let Some(why) =
            state
                .actions
                .permissions
                .refusal(&row.key.namespace, row.key.kind, c.action)
        {
            c.refused = Some(why);
        }
    }
    out
}

/// Options of an ask beyond the action: undo's target revision, terminate's run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AskOptions {
    pub undo_to: Option<u64>,
    pub analysis_run: Option<String>,
    /// Shown in the dialog above the requests.
    pub notes: Vec<String>,
}

/// The operator asked for `action` on the selected rollout: open its confirm dialog, or
/// refuse (flash + audit) with the reason.
pub fn ask(state: &mut AppState, action: Action, opts: AskOptions) -> Vec<Command> {
    let Some(row) = state.rollouts.selected().cloned() else {
        state.flash("no rollout selected", true);
        return Vec::new();
    };
    let mut notes = opts.notes.clone();
    notes.extend(super::safety::gitops_note(&row, action));
    notes.extend(super::approval::note(state, &row, action));
    let critical = super::safety::critical(state, &row);
    let dialog = |req, close| {
        let mut d = ConfirmDialog::new(req, notes.clone(), close);
        if critical {
            d.typed = Some(Input::default());
            d.on_reason = false;
        }
        Box::new(d)
    };
    match build::build(state, &row, action, opts) {
        Ok((req, close)) if action == Action::Undo => {
            let mut d = dialog(req.clone(), close);
            d.loading = true;
            state.overlay = Overlay::Confirm(d);
            vec![Command::PrepareUndo(Box::new(req))]
        }
        Ok((req, close)) => {
            state.overlay = Overlay::Confirm(dialog(req, close));
            Vec::new()
        }
        Err(why) => refuse(state, &row.key, action, why),
    }
}

pub(super) fn identity(state: &AppState) -> String {
    state
        .session
        .identity
        .as_ref()
        .map_or_else(|| "unknown".to_string(), |i| i.username.clone())
}

/// Refuses a confirmed request (flash and audit).
pub(super) fn refuse_with(state: &mut AppState, req: &ActionRequest, why: String) -> Vec<Command> {
    refuse(state, &req.key, req.action, why)
}

/// Flashes why `action` was refused and records the attempt.
fn refuse(state: &mut AppState, key: &RolloutKey, action: Action, why: String) -> Vec<Command> {
    state.flash(
        format!("{}: {} refused: {why}", key.name, action.label()),
        true,
    );
    let entry = entry(state, key, action, Vec::new(), Outcome::Refused, Some(why));
    audit(state, entry)
}

fn entry(
    state: &AppState,
    key: &RolloutKey,
    action: Action,
    requests: Vec<RecordedRequest>,
    outcome: Outcome,
    reason: Option<String>,
) -> AuditEntry {
    AuditEntry {
        time: state.now,
        identity: identity(state),
        context: state.session.info.context.clone(),
        namespace: key.namespace.clone(),
        name: key.name.clone(),
        action: action.label().to_string(),
        requests,
        outcome,
        reason,
    }
}

fn audit(state: &mut AppState, entry: AuditEntry) -> Vec<Command> {
    state.audit.push(entry.clone());
    vec![Command::Audit(Box::new(entry))]
}

/// The requests of a plan as the audit records them.
pub fn recorded(plan: &argo_requests::Plan) -> Vec<RecordedRequest> {
    plan.requests
        .iter()
        .map(|r| RecordedRequest {
            verb: r.verb.to_string(),
            path: r.path.clone(),
            content_type: r.content_type.to_string(),
            body: r.body.clone(),
        })
        .collect()
}

#[path = "actions_build.rs"]
mod build;
#[path = "actions_keys.rs"]
mod keys;
pub use keys::{dialog_key, on_finished, on_prepared};

#[cfg(test)]
#[path = "actions_tests.rs"]
mod tests;
