//! Regression alerts: the streaks that turn per-interval [`Verdict`]s into firing and
//! cleared alerts (handbook §6), and their severity.
//!
//! Per (rollout, metric): `breach_intervals` consecutive breaches fire an alert;
//! `clear_intervals` consecutive healthy intervals clear it into the history. `NoData` is
//! neither: it breaks a pending breach streak and a healthy streak, and never fires or
//! clears anything (missing data must not silence an alert, nor raise one).

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::rules::{Thresholds, Verdict, at_least};
use super::{Comparison, MetricKind};
use crate::domain::rollout::RolloutKey;

/// How many cleared alerts the history keeps (the oldest go first).
pub const HISTORY_LIMIT: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AlertSeverity {
    Warning,
    Critical,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AlertKey {
    pub rollout: RolloutKey,
    pub metric: MetricKind,
}

/// A regression alert with the numbers that triggered it (updated while it fires).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub key: AlertKey,
    pub severity: AlertSeverity,
    pub comparison: Comparison,
    pub value: f64,
    pub baseline: f64,
    pub growth: f64,
    /// The growth threshold that was crossed.
    pub threshold: f64,
    pub since: DateTime<Utc>,
    pub acknowledged: bool,
    pub cleared: Option<DateTime<Utc>>,
}

/// What one observation changed.
#[derive(Debug, Clone, PartialEq)]
pub enum AlertChange {
    Fired(Alert),
    Cleared(Alert),
}

/// Severity: critical when the growth is at least twice the threshold or the service is
/// critical.
///
/// "At least" uses the rules' relative tolerance, so +20 % of a 10 % threshold computed as
/// `0.12 / 0.1 − 1` is critical; an infinite growth (zero baseline) is critical, a NaN
/// growth is not.
pub fn severity(growth: f64, threshold: f64, critical_service: bool) -> AlertSeverity {
    if critical_service || at_least(growth, 2.0 * threshold) {
        AlertSeverity::Critical
    } else {
        AlertSeverity::Warning
    }
}

/// Consecutive intervals of one (rollout, metric).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Streak {
    breaches: u32,
    healthy: u32,
}

/// Streaks per (rollout, metric), the firing alerts and the history.
#[derive(Debug, Clone, Default)]
pub struct AlertBook {
    /// Firing alerts, newest first.
    pub active: Vec<Alert>,
    /// Cleared alerts, newest first (bounded).
    pub history: VecDeque<Alert>,
    /// Only keys with a streak under way or a firing alert have an entry.
    streaks: BTreeMap<AlertKey, Streak>,
}

impl AlertBook {
    /// Feeds one interval's verdict of one metric.
    ///
    /// While an alert fires, a breach updates its comparison, numbers and threshold and may
    /// raise its severity (never lower it; an acknowledgement stays). A
    /// `breach_intervals` or `clear_intervals` of 0 counts as 1.
    pub fn observe(
        &mut self,
        key: AlertKey,
        verdict: &Verdict,
        comparison: Comparison,
        critical_service: bool,
        t: &Thresholds,
        now: DateTime<Utc>,
    ) -> Option<AlertChange> {
        let firing = self.active.iter().position(|a| a.key == key);
        let mut streak = self.streaks.get(&key).copied().unwrap_or_default();
        let change = match verdict {
            &Verdict::Breach {
                value,
                baseline,
                growth,
            } => {
                streak.healthy = 0;
                streak.breaches = streak.breaches.saturating_add(1);
                let threshold = t.growth(key.metric);
                let severity = severity(growth, threshold, critical_service);
                if let Some(i) = firing {
                    let a = &mut self.active[i];
                    a.comparison = comparison;
                    (a.value, a.baseline, a.growth, a.threshold) =
                        (value, baseline, growth, threshold);
                    a.severity = a.severity.max(severity);
                    None
                } else if streak.breaches >= t.breach_intervals.max(1) {
                    let alert = Alert {
                        key: key.clone(),
                        severity,
                        comparison,
                        value,
                        baseline,
                        growth,
                        threshold,
                        since: now,
                        acknowledged: false,
                        cleared: None,
                    };
                    self.active.insert(0, alert.clone());
                    Some(AlertChange::Fired(alert))
                } else {
                    None
                }
            }
            Verdict::Healthy { .. } => {
                streak.breaches = 0;
                match firing {
                    Some(i) => {
                        streak.healthy = streak.healthy.saturating_add(1);
                        if streak.healthy >= t.clear_intervals.max(1) {
                            let alert = self.active.remove(i);
                            self.streaks.remove(&key);
                            return Some(AlertChange::Cleared(self.clear(alert, now)));
                        }
                        None
                    }
                    None => None,
                }
            }
            Verdict::NoData(_) => {
                if firing.is_none() {
                    streak.breaches = 0;
                }
                streak.healthy = 0;
                None
            }
        };
        if firing.is_some() || change.is_some() || streak != Streak::default() {
            self.streaks.insert(key, streak);
        } else {
            self.streaks.remove(&key);
        }
        change
    }

    /// Acknowledges a firing alert; false when there is none.
    pub fn acknowledge(&mut self, key: &AlertKey) -> bool {
        match self.active.iter_mut().find(|a| a.key == *key) {
            Some(a) => {
                a.acknowledged = true;
                true
            }
            None => false,
        }
    }

    /// The most severe firing alert of a rollout.
    pub fn firing_for(&self, rollout: &RolloutKey) -> Option<AlertSeverity> {
        self.active
            .iter()
            .filter(|a| a.key.rollout == *rollout)
            .map(|a| a.severity)
            .max()
    }

    /// A rollout left flight (or vanished): its streaks end; its firing alerts clear.
    ///
    /// The changes come newest alert first, and the history keeps that order.
    pub fn forget(&mut self, rollout: &RolloutKey, now: DateTime<Utc>) -> Vec<AlertChange> {
        self.streaks.retain(|k, _| k.rollout != *rollout);
        let (gone, kept): (Vec<Alert>, Vec<Alert>) = std::mem::take(&mut self.active)
            .into_iter()
            .partition(|a| a.key.rollout == *rollout);
        self.active = kept;
        let mut changes: Vec<AlertChange> = gone
            .into_iter()
            .rev()
            .map(|a| AlertChange::Cleared(self.clear(a, now)))
            .collect();
        changes.reverse();
        changes
    }

    /// Stamps `alert` cleared at `now` and puts it first in the bounded history.
    fn clear(&mut self, mut alert: Alert, now: DateTime<Utc>) -> Alert {
        alert.cleared = Some(now);
        self.history.push_front(alert.clone());
        self.history.truncate(HISTORY_LIMIT);
        alert
    }
}

#[cfg(test)]
#[path = "alerts_tests.rs"]
mod tests;
