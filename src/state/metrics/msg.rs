//! What the metrics reducer asks the Prometheus adapter for, and what comes back.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::domain::metrics::prom::Sample;
use crate::domain::metrics::target::ReleaseOwner;
use crate::domain::metrics::{MetricKind, MetricTarget, ReleaseInfo, SideValues};
use crate::domain::rollout::RolloutKey;

/// One interval's grouped queries: every template once for all `targets` (plus once more
/// for the `before` group, when there is one).
#[derive(Debug, Clone, PartialEq)]
pub struct MetricsRequest {
    pub id: u64,
    pub at: DateTime<Utc>,
    /// The watched namespaces (`{namespaces}`); empty means all.
    pub namespaces: Vec<String>,
    pub targets: Vec<MetricTarget>,
    pub window: Duration,
    pub before: Option<BeforeRequest>,
}

/// The "before" values of releases that started at `start`: `[start − window, start)`.
#[derive(Debug, Clone, PartialEq)]
pub struct BeforeRequest {
    pub start: DateTime<Utc>,
    pub window: Duration,
    pub targets: Vec<MetricTarget>,
}

/// Values per target: `[canary, stable]`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MetricsAnswer {
    pub current: BTreeMap<RolloutKey, [SideValues; 2]>,
    /// The release start asked for and the stable side's values before it, per target.
    pub before: Option<(DateTime<Utc>, BTreeMap<RolloutKey, SideValues>)>,
}

/// Range queries for the chart of one rollout (only what is on screen).
#[derive(Debug, Clone, PartialEq)]
pub struct RangeRequest {
    pub id: u64,
    pub namespaces: Vec<String>,
    pub target: MetricTarget,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub step: Duration,
    pub window: Duration,
}

/// Samples per metric: `[canary, stable]`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RangeAnswer {
    pub series: BTreeMap<MetricKind, [Vec<Sample>; 2]>,
}

/// Where the newest revision of a workload comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseRequest {
    pub key: RolloutKey,
    pub revision: String,
    pub owner: ReleaseOwner,
}

/// The answer to a [`ReleaseRequest`].
#[derive(Debug, Clone, PartialEq)]
pub struct ReleaseAnswer {
    pub key: RolloutKey,
    pub revision: String,
    pub result: Result<Option<ReleaseInfo>, String>,
}
