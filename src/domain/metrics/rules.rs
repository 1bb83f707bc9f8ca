//! The regression rules of handbook §6, as pure functions: when a metric of the new version
//! breaches against its reference ([`judge`]), what it is compared with ([`comparison`]) and
//! which rollouts are judged at all ([`in_flight`]).
//!
//! A metric breaches when `value > baseline × (1 + growth)` **and**
//! `value − baseline ≥ floor`: the relative growth alone would fire on noise around tiny
//! baselines, the floor alone would ignore a doubling of a small error ratio. Too little
//! traffic on either side (fewer than `min_requests` in its window), a missing series or a
//! NaN is [`Verdict::NoData`]: its own state, never a pass, never an alert.
//!
//! Floating point: values come from PromQL arithmetic, so `0.055` against `0.05` must count
//! as exactly +10 % although `0.05 × 1.1 ≠ 0.055` in `f64`. Every bound is compared with a
//! relative tolerance of [`REL_EPSILON`]: "at the growth bound" does not breach (strictly
//! greater), "at the floor" does (at least), "at `min_requests`" is enough traffic.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{Comparison, MetricKind, Side, SideValues};
use crate::domain::phase::FlaggerPhase;
use crate::domain::rollout::{ControllerKind, Phase, RolloutRow};

/// Relative tolerance of every bound comparison (see the module docs).
pub const REL_EPSILON: f64 = 1e-9;

/// The tolerance for comparing quantities of the magnitude of `a` and `b`.
fn tolerance(a: f64, b: f64) -> f64 {
    REL_EPSILON * a.abs().max(b.abs())
}

/// `a ≥ b`, counting `a` within the tolerance below `b` as equal.
pub(super) fn at_least(a: f64, b: f64) -> bool {
    a >= b || (a.is_finite() && b.is_finite() && b - a <= tolerance(a, b))
}

/// `a > b` by more than the tolerance: a value within it counts as equal, so not greater.
fn clearly_greater(a: f64, b: f64) -> bool {
    a > b && (!a.is_finite() || !b.is_finite() || a - b > tolerance(a, b))
}

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
        match kind {
            MetricKind::RequestRate => 0.0,
            MetricKind::ErrorRatio => self.error_ratio_growth,
            MetricKind::LatencyP95 | MetricKind::LatencyP99 => self.latency_growth,
        }
    }

    /// The absolute floor of a judged metric, in its unit (0 for request rate).
    pub fn floor(&self, kind: MetricKind) -> f64 {
        match kind {
            MetricKind::RequestRate => 0.0,
            MetricKind::ErrorRatio => self.error_ratio_floor,
            MetricKind::LatencyP95 | MetricKind::LatencyP99 => self.latency_floor,
        }
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

/// The value of `kind` on one side, or why there is none.
fn present(kind: MetricKind, values: &SideValues, side: Side) -> Result<f64, NoData> {
    match kind.get(values) {
        None => Err(NoData::Missing(side)),
        Some(v) if v.is_nan() => Err(NoData::NotANumber(side)),
        Some(v) => Ok(v),
    }
}

/// Checks that one side served at least `min_requests` in its window.
fn enough_traffic(values: &SideValues, side: Side, window_secs: f64, min: f64) -> Option<NoData> {
    let rate = match present(MetricKind::RequestRate, values, side) {
        Ok(rate) => rate,
        Err(why) => return Some(why),
    };
    let requests = rate * window_secs;
    (!at_least(requests, min)).then_some(NoData::TooFewRequests { side, requests })
}

/// Judges `kind`: `subject` (canary, or after) against `reference` (stable, or before).
/// `subject_window_secs` / `reference_window_secs` turn request rates into request counts.
///
/// Checks in this order, the first failure being the reason of the `NoData`: the metric on
/// the subject side (missing, NaN), on the reference side, then the request rate of the
/// subject side (missing, NaN, too few requests), then of the reference side. The subject is
/// reported as [`Side::Canary`], the reference as [`Side::Stable`].
///
/// The request rate itself is never judged: it is `Healthy` with its values whenever both
/// are present (no traffic minimum applies to it), else `NoData`.
pub fn judge(
    kind: MetricKind,
    subject: &SideValues,
    reference: &SideValues,
    subject_window_secs: f64,
    reference_window_secs: f64,
    t: &Thresholds,
) -> Verdict {
    let (value, baseline) = match (
        present(kind, subject, Side::Canary),
        present(kind, reference, Side::Stable),
    ) {
        (Err(why), _) | (_, Err(why)) => return Verdict::NoData(why),
        (Ok(v), Ok(b)) => (v, b),
    };
    if kind == MetricKind::RequestRate {
        return Verdict::Healthy { value, baseline };
    }
    let traffic = [
        (subject, Side::Canary, subject_window_secs),
        (reference, Side::Stable, reference_window_secs),
    ];
    for (values, side, window) in traffic {
        if let Some(why) = enough_traffic(values, side, window, t.min_requests) {
            return Verdict::NoData(why);
        }
    }
    let grew = clearly_greater(value, baseline * (1.0 + t.growth(kind)));
    let by_enough = at_least(value - baseline, t.floor(kind));
    if grew && by_enough {
        let growth = if baseline == 0.0 {
            f64::INFINITY
        } else {
            value / baseline - 1.0
        };
        Verdict::Breach {
            value,
            baseline,
            growth,
        }
    } else {
        Verdict::Healthy { value, baseline }
    }
}

/// Canary vs stable while a canary track has traffic, else after vs before.
///
/// - Argo canary: not fully promoted ([`ArgoDetail::fully_promoted`] false, or no Argo
///   detail) **and** traffic on the canary: a set or actual weight above 0, or a canary
///   request rate above 0. Once fully promoted the canary service selects the stable pods,
///   so comparing them would compare the version with itself.
/// - Flagger: `canary_weight` above 0, or a canary request rate above 0 (Flagger scales the
///   canary to zero after promotion).
/// - Argo blue-green, Deployment: after vs before (the preview gets no user traffic; a
///   Deployment has a single track).
///
/// [`ArgoDetail::fully_promoted`]: crate::domain::detail::ArgoDetail::fully_promoted
pub fn comparison(row: &RolloutRow, canary_request_rate: Option<f64>) -> Comparison {
    let canary_rate = canary_request_rate.is_some_and(|r| r > 0.0);
    let track_has_traffic = match row.key.kind {
        ControllerKind::ArgoCanary => {
            let promoted = row.argo.as_ref().is_some_and(|a| a.fully_promoted());
            let weighted = row
                .weights
                .is_some_and(|w| w.set > 0 || w.actual.is_some_and(|a| a > 0));
            !promoted && (weighted || canary_rate)
        }
        ControllerKind::Flagger => {
            row.flagger.as_ref().is_some_and(|f| f.canary_weight > 0) || canary_rate
        }
        ControllerKind::ArgoBlueGreen | ControllerKind::Deployment => false,
    };
    if track_has_traffic {
        Comparison::CanaryVsStable
    } else {
        Comparison::AfterVsBefore
    }
}

/// Whether a row is judged: a rollout in flight, or fully promoted less than
/// `after_promotion_secs` ago.
///
/// - Any row in phase `Degraded` or `Failed`: an aborted canary may still serve traffic,
///   and a degraded rollout is exactly where a regression matters.
/// - Argo canary and blue-green: not fully promoted, a step index below the step count, or
///   a pause (`row.pause`, including a manual one, or a pause condition). Without Argo
///   detail (an unconvertible object): a step, a pause, or phase `Progressing`/`Paused`.
/// - Deployment: rolling, i.e. fewer updated than desired replicas, or phase `Progressing`.
/// - Flagger: a phase other than `Succeeded` and `Initialized` (no phase: not in flight).
/// - Any row in phase `Healthy` whose `since` is less than `after_promotion_secs` before
///   `now` (a `since` in the future, clock skew, counts as just promoted). `Unknown` and
///   `Paused` phases alone do not make a row in flight.
pub fn in_flight(row: &RolloutRow, now: DateTime<Utc>, after_promotion_secs: i64) -> bool {
    if matches!(row.phase, Phase::Degraded | Phase::Failed) {
        return true;
    }
    let rolling = match row.key.kind {
        ControllerKind::ArgoCanary | ControllerKind::ArgoBlueGreen => argo_rolling(row),
        ControllerKind::Deployment => {
            row.replicas.updated < row.replicas.desired || row.phase == Phase::Progressing
        }
        ControllerKind::Flagger => row
            .flagger
            .as_ref()
            .and_then(|f| f.phase)
            .is_some_and(|p| !matches!(p, FlaggerPhase::Succeeded | FlaggerPhase::Initialized)),
    };
    rolling || recently_promoted(row, now, after_promotion_secs)
}

fn argo_rolling(row: &RolloutRow) -> bool {
    let step_pending = row.step.is_some_and(|s| s.index < s.total);
    let paused = row.pause.is_some();
    match &row.argo {
        Some(a) => !a.fully_promoted() || step_pending || paused || !a.pause_conditions.is_empty(),
        None => step_pending || paused || matches!(row.phase, Phase::Progressing | Phase::Paused),
    }
}

fn recently_promoted(row: &RolloutRow, now: DateTime<Utc>, after_promotion_secs: i64) -> bool {
    // A window too large for a `Duration` is unbounded: every healthy row is recent.
    let window = Duration::try_seconds(after_promotion_secs);
    row.phase == Phase::Healthy
        && row
            .since
            .is_some_and(|since| window.is_none_or(|w| now - since < w))
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
