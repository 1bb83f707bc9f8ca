//! Flag changes in the reducer: `t` toggles the selected flag (a boolean flips, others move to
//! the next variant; Unleash flips the environment), `:disable-flag` / `:enable-flag` set
//! flagd's `state`, `M` switches the platform read-only flag. Each opens a dialog with the
//! exact requests (prepared by the executor); critical flags and turning the platform
//! read-only need the flag's key typed; read-only sessions never get here.

use tui_input::Input;

use crate::domain::audit::{AuditEntry, Outcome};
use crate::domain::flag_request::{FlagChange, FlagRequest, PlatformSwitch};
use crate::domain::flags::{Backend, Flag, FlagState};

use super::{AppState, Command, Overlay};

/// The dialog of one flag change.
#[derive(Debug, Clone)]
pub struct FlagDialog {
    pub request: FlagRequest,
    pub loading: bool,
    pub error: Option<String>,
    pub reason: Input,
    /// The flag's key, typed (critical flags, the platform switch turned on).
    pub typed: Option<Input>,
    /// Turning the platform read-only: how long, in minutes.
    pub minutes: Option<Input>,
    /// Which field has the keys: 0 typed, 1 minutes, 2 reason (only existing ones).
    pub field: u8,
}

impl FlagDialog {
    pub fn key_confirmed(&self) -> bool {
        self.typed
            .as_ref()
            .is_none_or(|t| t.value().trim() == self.request.flag.key)
    }

    /// Whether a terminal of `size` shows every line of the dialog (the requests may hold a
    /// whole flagd document): counted as the renderer wraps them, with a margin.
    pub fn fits(&self, size: (u16, u16)) -> bool {
        let inner = usize::from(size.0.saturating_sub(8).min(96)).max(8);
        let rows = |n: usize| n.div_ceil(inner).max(1) + usize::from(n > inner);
        let r = &self.request;
        let mut need = 2 + rows(20 + r.flag.key.len() + r.flag.source.label().len()) + 1;
        need += r
            .notes
            .iter()
            .map(|n| 1 + rows(n.chars().count()))
            .sum::<usize>();
        need += 2;
        for q in &r.plan.requests {
            need += rows(6 + q.path.len()) + 1 + rows(2 + q.body.to_string().chars().count());
        }
        need += 1 + usize::from(self.typed.is_some()) + usize::from(self.minutes.is_some());
        need += 1 + 1 + 1;
        need <= usize::from(size.1.saturating_sub(4))
    }

    fn fields(&self) -> Vec<u8> {
        let mut f = Vec::new();
        if self.typed.is_some() {
            f.push(0);
        }
        if self.minutes.is_some() {
            f.push(1);
        }
        f.push(2);
        f
    }

    fn input(&mut self) -> &mut Input {
        match self.field {
            0 => self.typed.as_mut().unwrap_or(&mut self.reason),
            1 => self.minutes.as_mut().unwrap_or(&mut self.reason),
            _ => &mut self.reason,
        }
    }
}

/// `t` on the flags screen.
pub fn toggle(state: &mut AppState) -> Vec<Command> {
    let Some(flag) = state.flags.selected().cloned() else {
        state.flash("no flag selected", true);
        return Vec::new();
    };
    match next_change(&flag) {
        Ok((change, from_to)) => open(state, flag, change, from_to, None),
        Err(why) => refuse(state, &flag, why),
    }
}

/// `:disable-flag` / `:enable-flag` on the selected flagd flag.
pub fn set_state(state: &mut AppState, enabled: bool) -> Vec<Command> {
    let Some(flag) = state.flags.selected().cloned() else {
        state.flash("no flag selected (on the flags screen, 3)", true);
        return Vec::new();
    };
    if flag.backend != Backend::Flagd {
        return refuse(
            state,
            &flag,
            "only flagd flags have a state; toggle Unleash with t".into(),
        );
    }
    let from = if flag.state == FlagState::Enabled {
        "ENABLED"
    } else {
        "DISABLED"
    };
    let to = if enabled { "ENABLED" } else { "DISABLED" };
    if from == to {
        return refuse(state, &flag, format!("already {to}"));
    }
    let from_to = format!("{from} → {to}");
    open(state, flag, FlagChange::SetState(enabled), from_to, None)
}

/// `M`: the platform read-only switch (`[platform] read_only_flag`).
pub fn platform(state: &mut AppState) -> Vec<Command> {
    let name = state.flags.platform_flag.clone();
    if name.is_empty() {
        state.flash(
            "no platform read-only flag: set [platform] read_only_flag to a flag of a backend",
            true,
        );
        return Vec::new();
    }
    let Some(flag) = platform_flag(state).cloned() else {
        state.flash(
            format!("platform flag {name} not found in any flag backend"),
            true,
        );
        return Vec::new();
    };
    let on = !platform_on(&flag);
    let change = match flag.backend {
        Backend::Unleash => FlagChange::Environment(on),
        Backend::Flagd => {
            let want = serde_json::Value::Bool(on);
            match flag.variants.iter().find(|(_, v)| **v == want) {
                Some((k, _)) => FlagChange::SetDefault(Some(k.clone())),
                None => {
                    let why =
                        format!("{name} has no {on} variant: it cannot be a read-only switch");
                    return refuse(state, &flag, why);
                }
            }
        }
    };
    let from_to = if on {
        "platform writable → READ-ONLY"
    } else {
        "platform READ-ONLY → writable"
    };
    let switch = PlatformSwitch {
        on,
        expected_minutes: None,
    };
    open(state, flag, change, from_to.to_string(), Some(switch))
}

/// The platform flag's row (flagd first, then Unleash's production-like environment).
pub fn platform_flag(state: &AppState) -> Option<&Flag> {
    let name = &state.flags.platform_flag;
    let rows = state.flags.all();
    rows.iter()
        .copied()
        .filter(|f| &f.key == name && f.invalid.is_none())
        .max_by_key(|f| (f.backend == Backend::Flagd, f.environment.contains("prod")))
}

/// Whether the platform flag serves "read-only".
pub fn platform_on(flag: &Flag) -> bool {
    match flag.backend {
        Backend::Unleash => flag.state == FlagState::Enabled,
        Backend::Flagd => {
            flag.state == FlagState::Enabled
                && flag
                    .default_variant
                    .as_ref()
                    .and_then(|v| flag.variants.get(v))
                    .is_some_and(|v| *v == serde_json::Value::Bool(true))
        }
    }
}

/// `PLATFORM READ-ONLY since 14:02 (by alice) — 12 min`, while the platform flag serves
/// read-only; past the expected duration it says so.
pub fn platform_banner(state: &AppState) -> Option<String> {
    let flag = platform_flag(state)?;
    if !platform_on(flag) {
        return None;
    }
    let mut text = "PLATFORM READ-ONLY".to_string();
    let change = flag.last_change.as_ref();
    let since = change
        .and_then(|c| c.at)
        .or(state.flags.platform_expected.map(|(t, _)| t));
    if let Some(t) = since {
        text.push_str(&format!(" since {} UTC", t.format("%H:%M")));
    }
    if let Some(by) = change.and_then(|c| c.by.as_ref()) {
        text.push_str(&format!(" (by {by})"));
    }
    if let Some(t) = since {
        let mins = (state.now - t).num_minutes().max(0);
        text.push_str(&format!(" — {mins} min"));
        if let Some((_, expected)) = state.flags.platform_expected
            && expected > 0
            && mins > i64::from(expected)
        {
            text.push_str(&format!(
                " — read-only longer than planned ({expected} min)"
            ));
        }
    }
    Some(text)
}

/// What `t` does to `flag`.
fn next_change(flag: &Flag) -> Result<(FlagChange, String), String> {
    if let Some(why) = &flag.invalid {
        return Err(format!("invalid definition ({why})"));
    }
    match flag.backend {
        Backend::Unleash => {
            let on = flag.state != FlagState::Enabled;
            let ft = if on { "off → on" } else { "on → off" };
            Ok((FlagChange::Environment(on), ft.to_string()))
        }
        Backend::Flagd => {
            let names: Vec<&String> = flag.variants.keys().collect();
            let current = flag.default_variant.clone();
            let next = if flag.is_boolean() {
                let want = !current
                    .as_ref()
                    .and_then(|v| flag.variants.get(v))
                    .is_some_and(|v| *v == serde_json::Value::Bool(true));
                flag.variants
                    .iter()
                    .find(|(_, v)| **v == serde_json::Value::Bool(want))
                    .map(|(k, _)| k.clone())
            } else {
                let at = current
                    .as_ref()
                    .and_then(|c| names.iter().position(|n| *n == c));
                let i = at.map_or(0, |i| (i + 1) % names.len().max(1));
                names.get(i).map(|n| (*n).clone())
            };
            let Some(next) = next else {
                return Err("the flag has no variants to choose from".to_string());
            };
            let from = current.unwrap_or_else(|| "coded default".to_string());
            Ok((
                FlagChange::SetDefault(Some(next.clone())),
                format!("{from} → {next}"),
            ))
        }
    }
}

fn open(
    state: &mut AppState,
    flag: Flag,
    change: FlagChange,
    from_to: String,
    platform: Option<PlatformSwitch>,
) -> Vec<Command> {
    let mut notes = Vec::new();
    if flag.targeting {
        notes.push(match flag.backend {
            Backend::Flagd => "Targeting rules still apply: the default variant is served only when no rule matches.".to_string(),
            Backend::Unleash => "Strategy constraints still apply: not everyone gets it.".to_string(),
        });
    }
    if matches!(change, FlagChange::Environment(true)) && flag.strategies == 0 {
        notes.push("This environment has no strategies: Unleash will add its default strategy (100 % of users).".to_string());
    }
    if matches!(change, FlagChange::SetState(false)) {
        notes.push("DISABLED is not \"off\": applications treat the flag as missing and fall back to their coded default (which may be on).".to_string());
    }
    // A ConfigMap or FeatureFlag reconciled from Git: the write is data/spec, reverted at sync.
    if let Some(owner) = &flag.gitops {
        notes.push(format!(
            "{} is managed by {}: {}",
            flag.source.label(),
            owner.label(),
            super::safety::revert_note(owner)
        ));
    }
    if let Some(p) = &platform {
        notes.push(if p.on {
            "The whole platform goes read-only: players can play but nothing is written. Type the flag's key and how many minutes you expect.".to_string()
        } else {
            "The platform becomes writable again.".to_string()
        });
    }
    let critical =
        state.flags.critical.contains(&flag.key) || platform.as_ref().is_some_and(|p| p.on);
    let minutes = platform
        .as_ref()
        .filter(|p| p.on)
        .map(|_| Input::new("30".into()));
    let request = FlagRequest {
        id: state.actions.next_id(),
        flag,
        change,
        from_to,
        plan: Default::default(),
        notes,
        platform,
        reason: None,
        identity: super::actions::identity(state),
        context: state.session.info.context.clone(),
    };
    let d = FlagDialog {
        request: request.clone(),
        loading: true,
        error: None,
        reason: Input::default(),
        typed: critical.then(Input::default),
        minutes,
        field: if critical { 0 } else { 2 },
    };
    state.overlay = Overlay::FlagConfirm(Box::new(d));
    vec![Command::PrepareFlag(Box::new(request))]
}

fn entry(
    state: &AppState,
    flag: &Flag,
    action: &str,
    outcome: Outcome,
    reason: String,
) -> AuditEntry {
    AuditEntry {
        time: state.now,
        identity: super::actions::identity(state),
        context: state.session.info.context.clone(),
        namespace: flag.environment.clone(),
        name: flag.key.clone(),
        action: action.to_string(),
        requests: Vec::new(),
        outcome,
        reason: Some(reason),
    }
}

fn refuse(state: &mut AppState, flag: &Flag, why: String) -> Vec<Command> {
    state.flash(format!("{}: refused: {why}", flag.key), true);
    let e = entry(state, flag, "toggle-flag", Outcome::Refused, why);
    state.audit.push(e.clone());
    vec![Command::Audit(Box::new(e))]
}

#[path = "flag_dialog.rs"]
mod dialog;
pub use dialog::{dialog_key, on_finished, on_prepared};

#[cfg(test)]
#[path = "flag_keys_tests.rs"]
mod tests;
