//! The confirm dialog's keys and the executor's answers.

use crate::domain::audit::{AuditEntry, Outcome};
use crate::input::{Intent, KeyChord};

use super::super::{AppState, Command, Overlay};
use super::{ConfirmDialog, audit, entry};

/// How long a done action's object waits at most for its row to show the result.
const SETTLE_SECS: i64 = 5;

/// A key while the confirm dialog is open. `Enter` sends exactly what the dialog shows;
/// `Esc` cancels (audited); other keys edit the reason.
pub fn dialog_key(
    state: &mut AppState,
    mut dialog: Box<ConfirmDialog>,
    intent: Option<Intent>,
    chord: KeyChord,
) -> Vec<Command> {
    let req = &dialog.request;
    match intent {
        Some(Intent::Cancel) => {
            let e = entry(
                state,
                &req.key,
                req.action,
                Vec::new(),
                Outcome::Cancelled,
                reason_of(&dialog),
            );
            state.flash(
                format!("{}: {} cancelled", req.key.name, req.action.label()),
                false,
            );
            audit(state, e)
        }
        Some(Intent::Confirm) => {
            if dialog.loading {
                state.flash(
                    "still reading what the action needs; nothing sent yet",
                    false,
                );
                state.overlay = Overlay::Confirm(dialog);
                return Vec::new();
            }
            if dialog.error.is_some() {
                state.overlay = Overlay::Confirm(dialog);
                return Vec::new();
            }
            if !super::dialog_fits(&dialog, state.size) {
                // What is shown is what runs: never confirm requests the operator cannot see.
                state.flash(
                    "the terminal is too small to show every request; make it taller and press Enter again",
                    true,
                );
                state.overlay = Overlay::Confirm(dialog);
                return Vec::new();
            }
            if let Some(why) = dialog.nothing_to_send.clone() {
                let e = entry(
                    state,
                    &req.key,
                    req.action,
                    Vec::new(),
                    Outcome::Refused,
                    Some(why.clone()),
                );
                state.flash(format!("{}: {why}; nothing sent", req.key.name), false);
                return audit(state, e);
            }
            if state.session.is_read_only() {
                let e = entry(
                    state,
                    &req.key,
                    req.action,
                    Vec::new(),
                    Outcome::Refused,
                    Some("read-only session".into()),
                );
                state.flash("read-only session: nothing sent", true);
                return audit(state, e);
            }
            if state.actions.busy(&req.key) {
                let why = format!(
                    "an action on {} is still running; nothing sent",
                    req.key.name
                );
                let e = entry(
                    state,
                    &req.key,
                    req.action,
                    Vec::new(),
                    Outcome::Refused,
                    Some(why.clone()),
                );
                state.flash(why, true);
                return audit(state, e);
            }
            if !dialog.name_confirmed() {
                state.flash(
                    format!(
                        "{} is a critical service: type its name exactly to confirm",
                        dialog.request.key.name
                    ),
                    true,
                );
                state.overlay = Overlay::Confirm(dialog);
                return Vec::new();
            }
            let mut req = dialog.request.clone();
            req.reason = reason_of(&dialog);
            match crate::state::approval::decide(state, &req) {
                crate::state::approval::Decision::Run(note) => {
                    if let Some(n) = note {
                        req.reason = Some(match req.reason {
                            Some(r) => format!("{n}; {r}"),
                            None => n,
                        });
                    }
                }
                crate::state::approval::Decision::Instead(cmds) => return cmds,
            }
            state.actions.in_flight.insert(req.id, req.key.clone());
            if let Some(close) = dialog.close.clone() {
                let gate = crate::state::gates::OpenGate {
                    key: req.key.clone(),
                    phase: req.seen.phase.clone(),
                    close,
                };
                state.actions.pending_gates.insert(req.id, gate);
            }
            state.flash(
                format!("{}: {} sent…", req.key.name, req.action.label()),
                false,
            );
            vec![Command::RunAction(Box::new(req))]
        }
        // Tab: between the typed name (critical services) and the reason.
        Some(Intent::FocusNext) => {
            if dialog.typed.is_some() {
                dialog.on_reason = !dialog.on_reason;
            }
            state.overlay = Overlay::Confirm(dialog);
            Vec::new()
        }
        _ => {
            if !dialog.loading
                && let Some(r) = super::super::keys::text_request(chord)
            {
                match dialog.typed.as_mut().filter(|_| !dialog.on_reason) {
                    Some(t) => {
                        t.handle(r);
                    }
                    None => {
                        dialog.reason.handle(r);
                    }
                }
            }
            state.overlay = Overlay::Confirm(dialog);
            Vec::new()
        }
    }
}

fn reason_of(dialog: &ConfirmDialog) -> Option<String> {
    let r = dialog.reason.value().trim();
    (!r.is_empty()).then(|| r.to_string())
}

/// The undo's plan arrived (or could not be made).
pub fn on_prepared(
    state: &mut AppState,
    id: u64,
    result: Result<Box<crate::domain::action_request::ActionRequest>, String>,
) -> Vec<Command> {
    let Overlay::Confirm(d) = &mut state.overlay else {
        return Vec::new();
    };
    if d.request.id != id {
        return Vec::new();
    }
    d.loading = false;
    match result {
        Ok(req) => {
            if req.plan.requests.is_empty() {
                d.nothing_to_send = Some(format!(
                    "the template already is revision {}'s (skipped rollback)",
                    req.undo_to.map_or("?".to_string(), |r| r.to_string())
                ));
            }
            d.request = *req;
        }
        Err(e) => d.error = Some(e),
    }
    state.dirty = true;
    Vec::new()
}

/// Action `id` ended: it is no longer in flight; the audit screen gets its line.
pub fn on_finished(state: &mut AppState, id: u64, entry: AuditEntry) -> Vec<Command> {
    if let Some(gate) = state.actions.pending_gates.remove(&id)
        && entry.outcome == Outcome::Done
    {
        state.actions.open_gates.push(gate);
    }
    if let Some(key) = state.actions.in_flight.remove(&id)
        && entry.outcome == Outcome::Done
    {
        // Until the row shows the result (at most a few seconds), the object stays busy.
        let rv = state
            .rollouts
            .get(&key)
            .map(|r| r.seen.resource_version.clone())
            .unwrap_or_default();
        let until = state.now + chrono::Duration::seconds(SETTLE_SECS);
        state.actions.settling.insert(key, (rv, until));
    }
    let text = match (&entry.outcome, &entry.reason) {
        (Outcome::Done, _) => format!("{}: {} done", entry.name, entry.action),
        (_, Some(why)) => format!(
            "{}: {} {}: {why}",
            entry.name,
            entry.action,
            outcome_word(&entry.outcome)
        ),
        (o, None) => format!("{}: {} {}", entry.name, entry.action, outcome_word(o)),
    };
    let followup = state.actions.rollback_followup.remove(&id);
    let text = if followup && entry.outcome == Outcome::Done {
        format!(
            "{}: aborted, traffic is on stable. Press R again to undo as well (the template back to the previous revision)",
            entry.name
        )
    } else {
        text
    };
    state.flash(text, entry.outcome != Outcome::Done);
    state.audit.push(entry);
    Vec::new()
}

fn outcome_word(o: &Outcome) -> &'static str {
    match o {
        Outcome::Refused => "refused",
        Outcome::Cancelled => "cancelled",
        Outcome::Failed => "failed",
        Outcome::Done => "done",
    }
}
