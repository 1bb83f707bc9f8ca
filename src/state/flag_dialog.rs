//! The flag dialog's keys and the executor's answers.

use crate::domain::audit::{AuditEntry, Outcome};
use crate::domain::flag_request::FlagRequest;
use crate::input::{Intent, KeyChord};

use super::super::{AppState, Command, Overlay};
use super::FlagDialog;

/// A key while the flag dialog is open: `Enter` sends exactly what it shows, `Esc` cancels
/// (audited), `Tab` moves between the fields, other keys edit the focused field.
pub fn dialog_key(
    state: &mut AppState,
    mut d: Box<FlagDialog>,
    intent: Option<Intent>,
    chord: KeyChord,
) -> Vec<Command> {
    match intent {
        Some(Intent::Cancel) => {
            state.flash(format!("{}: cancelled", d.request.flag.key), false);
            let e = entry(state, &d.request, Outcome::Cancelled, None);
            record(state, e)
        }
        Some(Intent::Confirm) => confirm(state, d),
        Some(Intent::FocusNext) => {
            let fields = d.fields();
            let at = fields.iter().position(|f| *f == d.field).unwrap_or(0);
            d.field = fields[(at + 1) % fields.len()];
            state.overlay = Overlay::FlagConfirm(d);
            Vec::new()
        }
        _ => {
            if !d.loading
                && let Some(r) = super::super::keys::text_request(chord)
            {
                d.input().handle(r);
            }
            state.overlay = Overlay::FlagConfirm(d);
            Vec::new()
        }
    }
}

fn confirm(state: &mut AppState, mut d: Box<FlagDialog>) -> Vec<Command> {
    let key = d.request.flag.key.clone();
    let keep = |state: &mut AppState, d: Box<FlagDialog>, text: String| {
        state.flash(text, true);
        state.overlay = Overlay::FlagConfirm(d);
        Vec::new()
    };
    if d.loading {
        return keep(
            state,
            d,
            "still reading the flag's definition; nothing sent yet".into(),
        );
    }
    if d.error.is_some() {
        state.overlay = Overlay::FlagConfirm(d);
        return Vec::new();
    }
    if !d.fits(state.size) {
        return keep(
            state,
            d,
            "the terminal is too small to show every request; make it taller and press Enter again"
                .into(),
        );
    }
    if !d.key_confirmed() {
        return keep(state, d, format!("type {key} exactly to confirm"));
    }
    if let Some(m) = &d.minutes {
        match m.value().trim().parse::<u32>() {
            Ok(n) if (1..=1440).contains(&n) => {
                if let Some(p) = d.request.platform.as_mut() {
                    p.expected_minutes = Some(n);
                }
            }
            _ => {
                return keep(
                    state,
                    d,
                    "expected duration: whole minutes from 1 to 1440".into(),
                );
            }
        }
    }
    if state.session.is_read_only() {
        state.flash("read-only session: nothing sent", true);
        let e = entry(
            state,
            &d.request,
            Outcome::Refused,
            Some("read-only session".into()),
        );
        return record(state, e);
    }
    if state.flags.busy(&d.request.flag) {
        let why = format!("a change of {key} is still running; nothing sent");
        state.flash(why.clone(), true);
        let e = entry(state, &d.request, Outcome::Refused, Some(why));
        return record(state, e);
    }
    let mut req = d.request.clone();
    let typed = d.reason.value().trim().to_string();
    req.reason = (!typed.is_empty()).then_some(typed);
    let f = &req.flag;
    state
        .flags
        .in_flight
        .insert(req.id, (f.backend, f.environment.clone(), f.key.clone()));
    if let Some(m) = req.platform.as_ref().and_then(|p| p.expected_minutes) {
        state.flags.pending_platform.insert(req.id, m);
    }
    state.flash(format!("{key}: {} sent…", req.from_to), false);
    vec![Command::RunFlag(Box::new(req))]
}

fn entry(
    state: &AppState,
    req: &FlagRequest,
    outcome: Outcome,
    reason: Option<String>,
) -> AuditEntry {
    AuditEntry {
        time: state.now,
        identity: req.identity.clone(),
        context: req.context.clone(),
        namespace: req.flag.environment.clone(),
        name: req.flag.key.clone(),
        action: req.action().to_string(),
        requests: Vec::new(),
        outcome,
        reason,
    }
}

fn record(state: &mut AppState, e: AuditEntry) -> Vec<Command> {
    state.audit.push(e.clone());
    vec![Command::Audit(Box::new(e))]
}

/// The executor read the definition and made the exact requests (or could not).
pub fn on_prepared(
    state: &mut AppState,
    id: u64,
    result: Result<Box<FlagRequest>, String>,
) -> Vec<Command> {
    let Overlay::FlagConfirm(d) = &mut state.overlay else {
        return Vec::new();
    };
    if d.request.id != id {
        return Vec::new();
    }
    d.loading = false;
    match result {
        Ok(req) => {
            let platform = d.request.platform.clone();
            d.request = *req;
            d.request.platform = platform;
        }
        Err(e) => d.error = Some(e),
    }
    state.dirty = true;
    Vec::new()
}

/// A flag change ended: no longer in flight; the audit screen gets its line.
pub fn on_finished(state: &mut AppState, id: u64, entry: AuditEntry) -> Vec<Command> {
    state.flags.in_flight.remove(&id);
    let done = entry.outcome == Outcome::Done;
    let expected = state.flags.pending_platform.remove(&id);
    if done && entry.action == "platform-read-only-on" {
        state.flags.platform_expected = expected.map(|m| (state.now, m));
    }
    if done && entry.action == "platform-read-only-off" {
        state.flags.platform_expected = None;
    }
    let text = match (&entry.outcome, &entry.reason) {
        (Outcome::Done, _) => format!("{}: {} done", entry.name, entry.action),
        (_, Some(why)) => format!("{}: {} failed: {why}", entry.name, entry.action),
        (_, None) => format!("{}: {} failed", entry.name, entry.action),
    };
    state.flash(text, !done);
    state.audit.push(entry);
    Vec::new()
}
