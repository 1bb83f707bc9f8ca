//! The safety layer (handbook §4 and §7): critical services need their name typed, GitOps
//! owners are warned about, and services with `auto_rollback` are aborted after a visible,
//! cancellable countdown once a critical regression alert holds. Client-side: it works only
//! while this shipdeck runs, and never in a read-only session.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};

use crate::domain::actions::Action;
use crate::domain::audit::{AuditEntry, Outcome};
use crate::domain::detail::GitOpsOwner;
use crate::domain::metrics::alerts::AlertSeverity;
use crate::domain::rollout::{ControllerKind, RolloutKey, RolloutRow};

use super::actions::{AskOptions, identity};
use super::{AppState, Command};

/// `[approvals]` and `[auto_rollback]`.
#[derive(Debug, Clone, PartialEq)]
pub struct SafetySettings {
    pub two_person_ttl: Duration,
    pub countdown: Duration,
    pub intervals: u32,
}

impl Default for SafetySettings {
    fn default() -> Self {
        Self {
            two_person_ttl: Duration::minutes(30),
            countdown: Duration::seconds(30),
            intervals: 2,
        }
    }
}

impl SafetySettings {
    pub fn from_config(c: &crate::config::Config) -> Self {
        let d = |d: std::time::Duration| Duration::from_std(d).unwrap_or(Duration::MAX);
        Self {
            two_person_ttl: d(c.approvals.two_person_ttl.0),
            countdown: d(c.auto_rollback.countdown.0),
            intervals: c.auto_rollback.intervals,
        }
    }
}

/// A running auto-rollback countdown.
#[derive(Debug, Clone, PartialEq)]
pub struct Countdown {
    pub key: RolloutKey,
    pub until: DateTime<Utc>,
}

#[derive(Debug, Clone, Default)]
pub struct SafetyState {
    pub settings: SafetySettings,
    /// Consecutive intervals with a critical alert, per armed rollout.
    pub streaks: BTreeMap<RolloutKey, u32>,
    pub countdown: Option<Countdown>,
    /// Cancelled by the operator: not armed again until its alert clears.
    pub cancelled: BTreeSet<RolloutKey>,
    /// `q` during a countdown asked once; the next `q` quits.
    pub quit_asked: bool,
}

fn service<'a>(
    state: &'a AppState,
    key: &RolloutKey,
) -> Option<&'a crate::config::metrics::ServiceConfig> {
    state
        .metrics
        .settings
        .services
        .iter()
        .find(|s| s.namespace == key.namespace && s.name == key.name)
}

/// Critical: `[[services]] critical = true` or the label `shipdeck.io/critical=true`.
pub fn critical(state: &AppState, row: &RolloutRow) -> bool {
    row.critical || service(state, &row.key).is_some_and(|s| s.critical)
}

pub fn two_person(state: &AppState, key: &RolloutKey) -> bool {
    service(state, key).is_some_and(|s| s.two_person)
}

/// Rollouts with `auto_rollback = true`, armed unless the session is read-only. (Walks the
/// few configured services, not the rows.)
pub fn armed(state: &AppState) -> Vec<RolloutKey> {
    if state.session.is_read_only() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for s in state
        .metrics
        .settings
        .services
        .iter()
        .filter(|s| s.auto_rollback)
    {
        for kind in [ControllerKind::ArgoCanary, ControllerKind::ArgoBlueGreen] {
            let key = RolloutKey {
                namespace: s.namespace.clone(),
                name: s.name.clone(),
                kind,
            };
            if state.rollouts.get(&key).is_some() {
                out.push(key);
            }
        }
    }
    out
}

/// The dialog's warning when the action changes spec or data of a GitOps-managed object
/// (status-only actions — promote, abort, retry — survive a sync and get none).
pub fn gitops_note(row: &RolloutRow, action: Action) -> Option<String> {
    let owner = row.gitops.as_ref()?;
    let spec = match row.key.kind {
        ControllerKind::ArgoCanary | ControllerKind::ArgoBlueGreen => matches!(
            action,
            Action::Pause | Action::Resume | Action::Restart | Action::Undo
        ),
        ControllerKind::Deployment => true,
        ControllerKind::Flagger => matches!(action, Action::Pause | Action::Resume),
    };
    spec.then(|| revert_note(owner))
}

/// `Argo CD may revert this at the next sync — change Git too.` (or Flux): the words of every
/// dialog that changes spec or data of a GitOps-managed object.
pub fn revert_note(owner: &GitOpsOwner) -> String {
    format!(
        "{} may revert this at the next sync — change Git too.",
        owner.tool()
    )
}

/// After a metrics interval: streaks of critical alerts on armed rollouts; a countdown
/// starts when one holds for `intervals` in a row.
pub fn after_interval(state: &mut AppState) {
    let armed = armed(state);
    let intervals = state.safety.settings.intervals;
    let mut start = None;
    for key in armed {
        let firing = state.metrics.alerts.firing_for(&key) == Some(AlertSeverity::Critical);
        let s = &mut state.safety;
        if !firing {
            s.streaks.remove(&key);
            s.cancelled.remove(&key);
            continue;
        }
        let n = s.streaks.entry(key.clone()).or_insert(0);
        *n += 1;
        if *n >= intervals && s.countdown.is_none() && !s.cancelled.contains(&key) {
            start = Some(key);
        }
    }
    if let Some(key) = start {
        let until = state.now + state.safety.settings.countdown;
        state.flash(
            format!(
                "auto-rollback of {} in {}s — Esc cancels",
                key.name,
                state.safety.settings.countdown.num_seconds()
            ),
            true,
        );
        state.safety.countdown = Some(Countdown { key, until });
    }
}

/// The clock: at zero the countdown aborts its rollout, as if `R` were confirmed.
pub fn on_tick(state: &mut AppState, now: DateTime<Utc>) -> Vec<Command> {
    let Some(c) = state.safety.countdown.clone() else {
        return Vec::new();
    };
    if now < c.until {
        return Vec::new();
    }
    state.safety.countdown = None;
    state.safety.cancelled.insert(c.key.clone());
    super::actions::auto_abort(state, &c.key, AskOptions::default())
}

/// `Esc` during a countdown: nothing runs; recorded as a cancelled automatic rollback.
pub fn cancel(state: &mut AppState) -> Vec<Command> {
    let Some(c) = state.safety.countdown.take() else {
        return Vec::new();
    };
    state.safety.cancelled.insert(c.key.clone());
    state.flash(format!("auto-rollback of {} cancelled", c.key.name), false);
    let entry = AuditEntry {
        time: state.now,
        identity: format!("{} (auto-rollback)", identity(state)),
        context: state.session.info.context.clone(),
        namespace: c.key.namespace.clone(),
        name: c.key.name.clone(),
        action: Action::Abort.label().to_string(),
        requests: Vec::new(),
        outcome: Outcome::Cancelled,
        reason: Some("automatic rollback cancelled by the operator (Esc)".to_string()),
    };
    state.audit.push(entry.clone());
    vec![Command::Audit(Box::new(entry))]
}

/// `auto-rollback of payments in 23 s — Esc cancels`, while a countdown runs.
pub fn banner(state: &AppState) -> Option<String> {
    let c = state.safety.countdown.as_ref()?;
    let left = (c.until - state.now).num_seconds().max(0);
    Some(format!(
        "auto-rollback of {}/{} in {left} s — Esc cancels",
        c.key.namespace, c.key.name
    ))
}

#[cfg(test)]
#[path = "safety_tests.rs"]
mod tests;
