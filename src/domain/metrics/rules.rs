//! STUB — the [metrics] rules helper replaces the bodies (signatures are the contract).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Comparison, MetricKind, Side, SideValues};
use crate::domain::rollout::RolloutRow;

/// Thresholds in domain units: ratios as fractions (0.005 = 0.5 percentage points),
/// latencies in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    pub error_ratio_growth: f64,
    pub error_ratio_floor: f64,
    pub latency_growth: f64,
    pub latency_floor: f64,
    pub min_requests: f64,
    pub breach_intervals: u32,
    pub clear_intervals: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            error_ratio_growth: 0.10,
            error_ratio_floor: 0.005,
            latency_growth: 0.20,
            latency_floor: 0.005,
            min_requests: 50.0,
            breach_intervals: 2,
            clear_intervals: 3,
        }
    }
}

impl Thresholds {
    /// The growth threshold of a judged metric (0 for request rate).
    pub fn growth(&self, kind: MetricKind) -> f64 {
        let _ = kind;
        0.0
    }
}

/// Why there is no verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum NoData {
    /// No series for this side.
    Missing(Side),
    /// The side's value is NaN (no requests in the window).
    NotANumber(Side),
    /// Fewer requests than `min_requests` on this side in its window.
    TooFewRequests { side: Side, requests: f64 },
}

/// The verdict of one metric in one interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Verdict {
    Healthy {
        value: f64,
        baseline: f64,
    },
    /// `growth` = value / baseline − 1 (`+Inf` for a zero baseline).
    Breach {
        value: f64,
        baseline: f64,
        growth: f64,
    },
    NoData(NoData),
}

/// Judges `kind`: `subject` (canary, or after) against `reference` (stable, or before).
/// `subject_window_secs` / `reference_window_secs` turn request rates into request counts.
pub fn judge(
    kind: MetricKind,
    subject: &SideValues,
    reference: &SideValues,
    subject_window_secs: f64,
    reference_window_secs: f64,
    t: &Thresholds,
) -> Verdict {
    let _ = (
        kind,
        subject,
        reference,
        subject_window_secs,
        reference_window_secs,
        t,
    );
    Verdict::NoData(NoData::Missing(Side::Canary))
}

/// Canary vs stable while a canary track has traffic, else after vs before.
pub fn comparison(row: &RolloutRow, canary_request_rate: Option<f64>) -> Comparison {
    let _ = (row, canary_request_rate);
    Comparison::AfterVsBefore
}

/// Whether a row is judged: a rollout in flight, or fully promoted less than
/// `after_promotion_secs` ago.
pub fn in_flight(row: &RolloutRow, now: DateTime<Utc>, after_promotion_secs: i64) -> bool {
    let _ = (row, now, after_promotion_secs);
    false
}
