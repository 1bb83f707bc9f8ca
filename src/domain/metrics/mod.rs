//! Metrics of a rollout in flight and the rules that turn them into regression alerts
//! (handbook §6): canary vs stable while a canary track has traffic, else after vs before.
//! Pure: values arrive already fetched and converted; time arrives as values.

pub mod alerts;
pub mod collect;
pub mod prom;
pub mod rules;
pub mod target;
pub mod templates;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::rollout::RolloutKey;

/// The four metrics shipdeck compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MetricKind {
    RequestRate,
    ErrorRatio,
    LatencyP95,
    LatencyP99,
}

impl MetricKind {
    pub const ALL: [MetricKind; 4] = [
        Self::RequestRate,
        Self::ErrorRatio,
        Self::LatencyP95,
        Self::LatencyP99,
    ];

    /// The metrics that can breach (request rate is context, not a regression).
    pub const JUDGED: [MetricKind; 3] = [Self::ErrorRatio, Self::LatencyP95, Self::LatencyP99];

    /// The name in config (`[queries]`) and on screen.
    pub fn key(self) -> &'static str {
        match self {
            Self::RequestRate => "request_rate",
            Self::ErrorRatio => "error_ratio",
            Self::LatencyP95 => "latency_p95",
            Self::LatencyP99 => "latency_p99",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::RequestRate => "req/s",
            Self::ErrorRatio => "5xx",
            Self::LatencyP95 => "p95",
            Self::LatencyP99 => "p99",
        }
    }

    /// A value as the screen shows it: `12.3/s`, `1.25%`, `182ms`; `-` for none, `NaN`.
    pub fn format(self, v: Option<f64>) -> String {
        let Some(v) = v else {
            return "-".to_string();
        };
        if v.is_nan() {
            return "NaN".to_string();
        }
        match self {
            Self::RequestRate => format!("{v:.1}/s"),
            Self::ErrorRatio => format!("{:.2}%", v * 100.0),
            Self::LatencyP95 | Self::LatencyP99 if v.is_infinite() => "+Inf".to_string(),
            Self::LatencyP95 | Self::LatencyP99 if v >= 10.0 => format!("{v:.1}s"),
            Self::LatencyP95 | Self::LatencyP99 => format!("{:.0}ms", v * 1000.0),
        }
    }

    pub fn get(self, v: &SideValues) -> Option<f64> {
        match self {
            Self::RequestRate => v.request_rate,
            Self::ErrorRatio => v.error_ratio,
            Self::LatencyP95 => v.p95,
            Self::LatencyP99 => v.p99,
        }
    }

    pub fn set(self, v: &mut SideValues, x: Option<f64>) {
        match self {
            Self::RequestRate => v.request_rate = x,
            Self::ErrorRatio => v.error_ratio = x,
            Self::LatencyP95 => v.p95 = x,
            Self::LatencyP99 => v.p99 = x,
        }
    }
}

/// Which side of a rollout a series belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Side {
    /// The new version: the canary track, the preview service, the canary pods.
    Canary,
    /// The running version: the stable track, the active or primary service.
    Stable,
}

/// What is compared with what.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Comparison {
    /// The canary's current values against the stable's, same window.
    CanaryVsStable,
    /// The current values against `[release start − 30 m, release start)`.
    AfterVsBefore,
}

impl Comparison {
    pub fn label(self) -> &'static str {
        match self {
            Self::CanaryVsStable => "canary vs stable",
            Self::AfterVsBefore => "after vs before",
        }
    }
}

/// Values of one side in one window. Ratio in 0..1, latencies in seconds, rate per second.
/// `None`: no series came back; `Some(NaN)`: a series with no requests in the window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct SideValues {
    pub request_rate: Option<f64>,
    pub error_ratio: Option<f64>,
    pub p95: Option<f64>,
    pub p99: Option<f64>,
}

/// The newest revision of a rollout: when it was created and its pod-template hashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseInfo {
    /// The newest ReplicaSet's creationTimestamp: the release start.
    pub start: DateTime<Utc>,
    pub canary_hash: Option<String>,
    pub stable_hash: Option<String>,
}

/// One rollout whose metrics are queried and judged, with what the query templates need to
/// recognise its series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricTarget {
    pub key: RolloutKey,
    /// Canary side: `canaryService`, or the preview service of a blue-green, or Flagger's
    /// `<target>-canary`.
    pub canary_service: Option<String>,
    /// Stable side: `stableService`, the active service, Flagger's `<target>-primary`, or a
    /// Deployment's own name.
    pub stable_service: Option<String>,
    pub active_service: Option<String>,
    pub preview_service: Option<String>,
    pub canary_hash: Option<String>,
    pub stable_hash: Option<String>,
    pub release_start: Option<DateTime<Utc>>,
}
