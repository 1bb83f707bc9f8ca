//! The metrics sub-reducer: when to query, what to query, and what the answers mean. Every
//! rollout in flight is queried and judged on every interval, whatever is on screen; only
//! the chart's range queries follow the selection.

mod judge;
mod keys;
pub mod msg;
mod plan;
mod view;

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::config::{RulesConfig, ServiceConfig};
use crate::domain::judge::JudgeResult;
use crate::domain::metrics::alerts::AlertBook;
use crate::domain::metrics::rules::Verdict;
use crate::domain::metrics::{Comparison, MetricKind, ReleaseInfo, SideValues};
use crate::domain::rollout::RolloutKey;

pub use msg::{
    BeforeRequest, MetricsAnswer, MetricsRequest, RangeAnswer, RangeRequest, ReleaseAnswer,
    ReleaseRequest,
};
pub use view::{PanelStatus, first_no_data, no_data_line, panel_status};

/// What the metrics reducer is told by the configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricsSettings {
    /// A Prometheus is configured.
    pub enabled: bool,
    /// The Prometheus URL without credentials, for the screen.
    pub source: String,
    /// `insecure_skip_verify` is on: the screen warns.
    pub insecure: bool,
    pub interval: Duration,
    pub rules: RulesConfig,
    pub services: Vec<ServiceConfig>,
}

impl Default for MetricsSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            source: String::new(),
            insecure: false,
            interval: Duration::from_secs(10),
            rules: RulesConfig::default(),
            services: Vec::new(),
        }
    }
}

/// How the Prometheus source is doing.
#[derive(Debug, Clone, PartialEq)]
pub enum MetricsHealth {
    Off,
    /// Configured, no answer yet.
    Waiting,
    Live {
        at: DateTime<Utc>,
    },
    Failing {
        error: String,
        since: DateTime<Utc>,
        attempts: u32,
        retry_at: DateTime<Utc>,
    },
}

/// The metrics of one rollout in flight, as last judged.
#[derive(Debug, Clone, PartialEq)]
pub struct RolloutMetrics {
    pub comparison: Comparison,
    /// Canary (or after) values.
    pub subject: SideValues,
    /// Stable (or before) values; `None` when the before window is not fetched yet.
    pub reference: Option<SideValues>,
    pub verdicts: BTreeMap<MetricKind, Verdict>,
    /// When these values were measured.
    pub at: DateTime<Utc>,
}

/// The chart of the selected rollout: range samples and the judge's second opinion.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub key: RolloutKey,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub data: RangeAnswer,
    pub judge: Option<JudgeResult>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Release {
    pub revision: String,
    /// `None` while the fetch is under way.
    pub info: Option<ReleaseInfo>,
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct MetricsState {
    pub settings: MetricsSettings,
    pub health: MetricsHealth,
    pub per_rollout: HashMap<RolloutKey, RolloutMetrics>,
    pub alerts: AlertBook,
    pub chart: Option<Chart>,
    /// The alert list's cursor.
    pub alert_cursor: usize,
    pub(crate) releases: HashMap<RolloutKey, Release>,
    /// Stable-side values before each release start, per rollout.
    pub(crate) befores: HashMap<RolloutKey, (DateTime<Utc>, SideValues)>,
    pub(crate) next_due: Option<DateTime<Utc>>,
    pub(crate) pending: Option<(u64, DateTime<Utc>)>,
    pub(crate) pending_range: Option<(u64, RolloutKey)>,
    pub(crate) seq: u64,
}

impl MetricsState {
    pub fn new(settings: MetricsSettings) -> Self {
        let health = if settings.enabled {
            MetricsHealth::Waiting
        } else {
            MetricsHealth::Off
        };
        Self {
            settings,
            health,
            per_rollout: HashMap::new(),
            alerts: AlertBook::default(),
            chart: None,
            alert_cursor: 0,
            releases: HashMap::new(),
            befores: HashMap::new(),
            next_due: None,
            pending: None,
            pending_range: None,
            seq: 0,
        }
    }

    /// Forgets everything of the old world (another context or namespace set); alerts
    /// firing there clear.
    pub fn reset(&mut self, now: DateTime<Utc>) {
        let keys: Vec<RolloutKey> = self.per_rollout.keys().cloned().collect();
        for key in keys {
            self.alerts.forget(&key, now);
        }
        let settings = self.settings.clone();
        let alerts = std::mem::take(&mut self.alerts);
        let seq = self.seq;
        *self = Self::new(settings);
        self.alerts = alerts;
        self.seq = seq;
    }

    /// Whether the last values are older than the last attempt (Prometheus failing).
    pub fn stale(&self) -> bool {
        matches!(self.health, MetricsHealth::Failing { .. })
    }

    pub(crate) fn next_id(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }
}

pub use judge::{
    growth_label, on_answer, on_range, on_release, second_opinion, side_label, sync_source,
};
pub use keys::alert_key;
pub use plan::on_tick;

#[cfg(test)]
mod tests;
