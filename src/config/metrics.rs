//! `[prometheus]`, `[queries]`, `[rules]` and `[[services]]`: where metrics come from, which
//! queries fetch them, and when a regression becomes an alert. Plus the pure helpers the
//! rest of the app reads them through ([`query_set`], [`RulesConfig::thresholds_for`],
//! [`is_critical`]) and their validation ([`validate`], called by `Config::validate`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::duration::ConfigDuration;
use super::model::Config;
use crate::domain::metrics::MetricKind;
use crate::domain::metrics::rules::Thresholds;
use crate::domain::metrics::templates::{self, IdentityLabels, Preset, QuerySet};

#[path = "metrics_validate.rs"]
mod checks;

pub use checks::validate;

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
    /// Critical: its alerts are critical, its row says so, and every dangerous action needs
    /// its name typed.
    pub critical: bool,
    /// Two-person rule: an action needs a second identity's approval.
    pub two_person: bool,
    /// Abort automatically (after a countdown) when a critical alert holds.
    pub auto_rollback: bool,
    pub error_ratio_growth: Option<f64>,
    pub error_ratio_floor: Option<f64>,
    pub latency_growth: Option<f64>,
    pub latency_floor: Option<ConfigDuration>,
    pub min_requests: Option<u32>,
}

impl PrometheusConfig {
    /// Metrics are on: a URL is configured.
    pub fn enabled(&self) -> bool {
        !self.url.trim().is_empty()
    }
}

impl Config {
    /// The effective query templates (see [`query_set`]).
    pub fn query_set(&self) -> Result<QuerySet, String> {
        query_set(&self.prometheus, &self.queries)
    }
}

/// The effective query templates: the preset's, each replaced by a `[queries]` template
/// when given (`custom` needs all four), and the identity of `[queries] identity` (default:
/// the preset's). Label names start from the preset's when the identity kind is the
/// preset's, else from the kind's defaults ([`IdentityLabels::default_for`]); each
/// `*_label` key then overrides one. The error names the key (`queries.identity: …`).
pub fn query_set(prom: &PrometheusConfig, q: &QueriesConfig) -> Result<QuerySet, String> {
    keyed_query_set(prom, q).map_err(|(key, message)| format!("{key}: {message}"))
}

/// [`query_set`] with the error as (dotted key, message).
pub(super) fn keyed_query_set(
    prom: &PrometheusConfig,
    q: &QueriesConfig,
) -> Result<QuerySet, (String, String)> {
    let preset = Preset::parse(&prom.preset).ok_or_else(|| {
        (
            "prometheus.preset".to_string(),
            format!(
                "\"{}\" is not a preset; expected one of sim, istio, nginx, custom",
                prom.preset
            ),
        )
    })?;
    let given = MetricKind::ALL.map(|k| (k, q.template(k)));
    for (kind, template) in given {
        if let Some(t) = template {
            let key = format!("queries.{}", kind.key());
            if t.trim().is_empty() {
                return Err((
                    key,
                    "is empty; remove the key to use the preset's template".to_string(),
                ));
            }
            templates::validate(t).map_err(|e| (key, e.0))?;
        }
    }
    let base = QuerySet::preset(preset);
    if base.is_none() {
        let missing: Vec<&str> = given
            .iter()
            .filter(|(_, t)| t.is_none())
            .map(|(k, _)| k.key())
            .collect();
        if let Some(first) = missing.first() {
            return Err((
                format!("queries.{first}"),
                format!(
                    "preset \"custom\" needs all four templates in [queries] \
                     (request_rate, error_ratio, latency_p95, latency_p99); missing: {}",
                    missing.join(", ")
                ),
            ));
        }
    }
    let identity = identity(base.as_ref().map(|b| &b.identity), q)?;
    let mut set = base.unwrap_or_else(|| QuerySet {
        request_rate: String::new(),
        error_ratio: String::new(),
        latency_p95: String::new(),
        latency_p99: String::new(),
        identity: identity.clone(),
    });
    for (kind, template) in given {
        if let Some(t) = template {
            *set.template_mut(kind) = t.clone();
        }
    }
    set.identity = identity;
    Ok(set)
}

impl QueriesConfig {
    /// The template given for a metric, if any.
    pub fn template(&self, kind: MetricKind) -> Option<&String> {
        match kind {
            MetricKind::RequestRate => self.request_rate.as_ref(),
            MetricKind::ErrorRatio => self.error_ratio.as_ref(),
            MetricKind::LatencyP95 => self.latency_p95.as_ref(),
            MetricKind::LatencyP99 => self.latency_p99.as_ref(),
        }
    }
}

/// The identity of `[queries]` over the preset's (see [`query_set`]).
fn identity(
    preset: Option<&IdentityLabels>,
    q: &QueriesConfig,
) -> Result<IdentityLabels, (String, String)> {
    let kind = match (&q.identity, preset) {
        (Some(k), _) => k.as_str(),
        (None, Some(p)) => p.kind(),
        (None, None) => {
            return Err((
                "queries.identity".to_string(),
                "preset \"custom\" needs identity = \"track\", \"service\" or \"hash\" \
                 (how a result series names its rollout and side)"
                    .to_string(),
            ));
        }
    };
    let base = match preset {
        Some(p) if p.kind() == kind => p.clone(),
        _ => IdentityLabels::default_for(kind).ok_or_else(|| {
            (
                "queries.identity".to_string(),
                format!("\"{kind}\" is not an identity; expected track, service or hash"),
            )
        })?,
    };
    let labels = [
        ("namespace_label", &q.namespace_label, None),
        ("workload_label", &q.workload_label, Some("track")),
        ("track_label", &q.track_label, Some("track")),
        ("service_label", &q.service_label, Some("service")),
        ("hash_label", &q.hash_label, Some("hash")),
    ];
    for (key, value, only) in labels {
        let Some(v) = value else { continue };
        if let Some(needs) = only.filter(|n| *n != kind) {
            return Err((
                format!("queries.{key}"),
                format!(
                    "applies to identity \"{needs}\" only, and the identity is \"{kind}\"; \
                     remove it or set queries.identity = \"{needs}\""
                ),
            ));
        }
        if !is_label_name(v) {
            return Err((
                format!("queries.{key}"),
                format!(
                    "\"{v}\" is not a Prometheus label name; expected letters, digits and \
                     '_', not starting with a digit"
                ),
            ));
        }
    }
    let or = |o: &Option<String>, d: String| o.clone().unwrap_or(d);
    Ok(match base {
        IdentityLabels::Track {
            namespace,
            workload,
            track,
        } => IdentityLabels::Track {
            namespace: or(&q.namespace_label, namespace),
            workload: or(&q.workload_label, workload),
            track: or(&q.track_label, track),
        },
        IdentityLabels::Service { namespace, service } => IdentityLabels::Service {
            namespace: or(&q.namespace_label, namespace),
            service: or(&q.service_label, service),
        },
        IdentityLabels::Hash { namespace, hash } => IdentityLabels::Hash {
            namespace: or(&q.namespace_label, namespace),
            hash: or(&q.hash_label, hash),
        },
    })
}

/// `[a-zA-Z_][a-zA-Z0-9_]*`.
fn is_label_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl RulesConfig {
    /// The rules in domain units: the error-ratio floor from percentage points to a
    /// fraction (0.5 → 0.005), the latency floor in seconds.
    pub fn thresholds(&self) -> Thresholds {
        Thresholds {
            error_ratio_growth: self.error_ratio_growth,
            error_ratio_floor: self.error_ratio_floor / 100.0,
            latency_growth: self.latency_growth,
            latency_floor: self.latency_floor.0.as_secs_f64(),
            min_requests: f64::from(self.min_requests),
            breach_intervals: self.breach_intervals,
            clear_intervals: self.clear_intervals,
        }
    }

    /// [`Self::thresholds`] with the overrides of the `[[services]]` entry for this
    /// rollout, if any.
    pub fn thresholds_for(
        &self,
        services: &[ServiceConfig],
        namespace: &str,
        name: &str,
    ) -> Thresholds {
        let mut t = self.thresholds();
        if let Some(s) = service(services, namespace, name) {
            if let Some(v) = s.error_ratio_growth {
                t.error_ratio_growth = v;
            }
            if let Some(v) = s.error_ratio_floor {
                t.error_ratio_floor = v / 100.0;
            }
            if let Some(v) = s.latency_growth {
                t.latency_growth = v;
            }
            if let Some(v) = s.latency_floor {
                t.latency_floor = v.0.as_secs_f64();
            }
            if let Some(v) = s.min_requests {
                t.min_requests = f64::from(v);
            }
        }
        t
    }
}

/// The `[[services]]` entry of a rollout.
pub fn service<'a>(
    services: &'a [ServiceConfig],
    namespace: &str,
    name: &str,
) -> Option<&'a ServiceConfig> {
    services
        .iter()
        .find(|s| s.namespace == namespace && s.name == name)
}

/// The rollout is marked `critical = true` in `[[services]]`.
pub fn is_critical(services: &[ServiceConfig], namespace: &str, name: &str) -> bool {
    service(services, namespace, name).is_some_and(|s| s.critical)
}

#[cfg(test)]
#[path = "metrics_tests.rs"]
mod tests;
