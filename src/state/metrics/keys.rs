//! Keys of the alerts screen: move, acknowledge, open the rollout.

use crate::input::Intent;
use crate::state::{AppState, Screen};

/// Handles `intent` on the alerts screen; false when it is not an alerts matter.
pub fn alert_key(state: &mut AppState, intent: Intent, page: isize) -> bool {
    let len = state.metrics.alerts.active.len();
    let cur = state.metrics.alert_cursor as isize;
    let last = len.saturating_sub(1) as isize;
    let to = |c: isize| c.clamp(0, last.max(0)) as usize;
    match intent {
        Intent::Down => state.metrics.alert_cursor = to(cur + 1),
        Intent::Up => state.metrics.alert_cursor = to(cur - 1),
        Intent::PageDown => state.metrics.alert_cursor = to(cur + page),
        Intent::PageUp => state.metrics.alert_cursor = to(cur - page),
        Intent::Top => state.metrics.alert_cursor = 0,
        Intent::Bottom => state.metrics.alert_cursor = to(last),
        Intent::Acknowledge => {
            let Some(alert) = state.metrics.alerts.active.get(state.metrics.alert_cursor) else {
                state.flash("no alert selected", false);
                return true;
            };
            let key = alert.key.clone();
            if alert.acknowledged {
                state.flash("already acknowledged", false);
            } else if state.metrics.alerts.acknowledge(&key) {
                state.flash(
                    format!(
                        "acknowledged: {}/{} {}",
                        key.rollout.namespace,
                        key.rollout.name,
                        key.metric.label()
                    ),
                    false,
                );
            }
        }
        Intent::Open => {
            let Some(alert) = state.metrics.alerts.active.get(state.metrics.alert_cursor) else {
                return true;
            };
            let key = alert.key.rollout.clone();
            if !state.rollouts.select_key(&key) {
                state.rollouts.set_filter("");
                state.rollouts.select_key(&key);
            }
            state.screen = Screen::Rollouts;
        }
        _ => return false,
    }
    state.dirty = true;
    true
}
