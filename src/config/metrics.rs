//! `[prometheus]`, `[queries]`, `[rules]` and `[[services]]`: where metrics come from, which
//! queries fetch them, and when a regression becomes an alert.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::duration::ConfigDuration;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrometheusConfig {
    /// Base URL of a Prometheus-compatible API, with any path prefix (Mimir:
    /// `https://mimir.example/prometheus`). Empty: metrics are off.
    pub url: String,
    /// `sim`, `istio`, `nginx` or `custom` (the `[queries]` templates).
    pub preset: String,
    /// Extra request headers, e.g. `X-Scope-OrgID`.
    pub headers: BTreeMap<String, String>,
    pub bearer_token_file: Option<PathBuf>,
    pub basic_auth_user: Option<String>,
    pub basic_auth_password_file: Option<PathBuf>,
    /// PEM bundle of the CA that signed the server's certificate.
    pub ca_file: Option<PathBuf>,
    /// Accept any certificate. Off by default; the screen warns while it is on.
    pub insecure_skip_verify: bool,
    pub timeout: ConfigDuration,
    /// How often every rollout in flight is queried and judged.
    pub interval: ConfigDuration,
    /// `post` (default; long grouped queries fit) or `get`.
    pub method: String,
}

impl Default for PrometheusConfig {
    fn default() -> Self {
        Self {
            url: String::new(),
            preset: "sim".to_string(),
            headers: BTreeMap::new(),
            bearer_token_file: None,
            basic_auth_user: None,
            basic_auth_password_file: None,
            ca_file: None,
            insecure_skip_verify: false,
            timeout: ConfigDuration::secs(5),
            interval: ConfigDuration::secs(10),
            method: "post".to_string(),
        }
    }
}

/// Query templates of the `custom` preset (any preset may override single templates).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueriesConfig {
    pub request_rate: Option<String>,
    pub error_ratio: Option<String>,
    pub latency_p95: Option<String>,
    pub latency_p99: Option<String>,
    /// How a result series names its rollout and side: `track`, `service` or `hash`.
    pub identity: Option<String>,
    pub namespace_label: Option<String>,
    pub workload_label: Option<String>,
    pub track_label: Option<String>,
    pub service_label: Option<String>,
    pub hash_label: Option<String>,
}

/// Regression rules (handbook §6); each may be overridden per service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RulesConfig {
    /// Alert when the error ratio grows by more than this fraction (0.10 = 10 %).
    pub error_ratio_growth: f64,
    /// ... and by at least this many percentage points.
    pub error_ratio_floor: f64,
    /// Alert when p95 or p99 latency grows by more than this fraction (0.20 = 20 %).
    pub latency_growth: f64,
    /// ... and by at least this much.
    pub latency_floor: ConfigDuration,
    /// Fewer requests than this on either side in the window: no data, never a verdict.
    pub min_requests: u32,
    pub breach_intervals: u32,
    pub clear_intervals: u32,
    /// The rate window of the queries (`{window}`).
    pub window: ConfigDuration,
    /// The "before" window ends at the release start.
    pub before: ConfigDuration,
    /// A fully promoted rollout stays judged this long.
    pub after_promotion: ConfigDuration,
    /// Ring the terminal bell on a new critical alert.
    pub bell: bool,
}

impl Default for RulesConfig {
    fn default() -> Self {
        Self {
            error_ratio_growth: 0.10,
            error_ratio_floor: 0.5,
            latency_growth: 0.20,
            latency_floor: ConfigDuration(std::time::Duration::from_millis(5)),
            min_requests: 50,
            breach_intervals: 2,
            clear_intervals: 3,
            window: ConfigDuration::secs(60),
            before: ConfigDuration::secs(30 * 60),
            after_promotion: ConfigDuration::secs(15 * 60),
            bell: false,
        }
    }
}

/// `[[services]]`: what shipdeck should know of one workload.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceConfig {
    pub namespace: String,
    pub name: String,
    /// Critical: its alerts are critical, its row says so.
    pub critical: bool,
    pub error_ratio_growth: Option<f64>,
    pub error_ratio_floor: Option<f64>,
    pub latency_growth: Option<f64>,
    pub latency_floor: Option<ConfigDuration>,
    pub min_requests: Option<u32>,
}
