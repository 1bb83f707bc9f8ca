//! STUB — the [metrics] rules helper replaces the bodies (signatures are the contract).

use std::collections::VecDeque;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::rules::{Thresholds, Verdict};
use super::{Comparison, MetricKind};
use crate::domain::rollout::RolloutKey;

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
pub fn severity(growth: f64, threshold: f64, critical_service: bool) -> AlertSeverity {
    let _ = (growth, threshold, critical_service);
    AlertSeverity::Warning
}

/// Streaks per (rollout, metric), the firing alerts and the history.
#[derive(Debug, Clone, Default)]
pub struct AlertBook {
    /// Firing alerts, newest first.
    pub active: Vec<Alert>,
    /// Cleared alerts, newest first (bounded).
    pub history: VecDeque<Alert>,
}

impl AlertBook {
    /// Feeds one interval's verdict of one metric.
    pub fn observe(
        &mut self,
        key: AlertKey,
        verdict: &Verdict,
        comparison: Comparison,
        critical_service: bool,
        t: &Thresholds,
        now: DateTime<Utc>,
    ) -> Option<AlertChange> {
        let _ = (key, verdict, comparison, critical_service, t, now);
        None
    }

    /// Acknowledges a firing alert; false when there is none.
    pub fn acknowledge(&mut self, key: &AlertKey) -> bool {
        let _ = key;
        false
    }

    /// The most severe firing alert of a rollout.
    pub fn firing_for(&self, rollout: &RolloutKey) -> Option<AlertSeverity> {
        let _ = rollout;
        None
    }

    /// A rollout left flight (or vanished): its streaks end; its firing alerts clear.
    pub fn forget(&mut self, rollout: &RolloutKey, now: DateTime<Utc>) -> Vec<AlertChange> {
        let _ = (rollout, now);
        Vec::new()
    }
}
