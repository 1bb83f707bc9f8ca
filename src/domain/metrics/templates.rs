//! STUB — the [metrics] templates helper replaces the bodies (signatures are the contract).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::prom::Series;
use super::{MetricKind, MetricTarget, Side};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Preset {
    Sim,
    Istio,
    Nginx,
    Custom,
}

/// How a result series names its rollout and side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum IdentityLabels {
    /// The simulator's convention: `namespace`, `rollout`, `track="canary|stable"`.
    Track {
        namespace: String,
        workload: String,
        track: String,
    },
    /// Service names (Istio, ingress-nginx).
    Service { namespace: String, service: String },
    /// A pod-template-hash label.
    Hash { namespace: String, hash: String },
}

/// The four templates and how to read their results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuerySet {
    pub request_rate: String,
    pub error_ratio: String,
    pub latency_p95: String,
    pub latency_p99: String,
    pub identity: IdentityLabels,
}

impl QuerySet {
    pub fn preset(p: Preset) -> Option<Self> {
        let _ = p;
        None
    }

    pub fn template(&self, kind: MetricKind) -> &str {
        match kind {
            MetricKind::RequestRate => &self.request_rate,
            MetricKind::ErrorRatio => &self.error_ratio,
            MetricKind::LatencyP95 => &self.latency_p95,
            MetricKind::LatencyP99 => &self.latency_p99,
        }
    }
}

/// A template could not be rendered or names an unknown placeholder.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TemplateError(pub String);

/// Checks a template: balanced braces, known placeholders only.
pub fn validate(template: &str) -> Result<(), TemplateError> {
    let _ = template;
    Ok(())
}

/// Renders a template for a group of targets.
pub fn render(
    template: &str,
    namespaces: &[String],
    targets: &[MetricTarget],
    window: Duration,
) -> Result<String, TemplateError> {
    let _ = (namespaces, targets, window);
    Ok(template.to_string())
}

/// A Prometheus duration: `1m`, `30s`, `1m30s`, `250ms`.
pub fn format_window(d: Duration) -> String {
    format!("{}s", d.as_secs())
}

/// Which target and side a series belongs to (none when it names no target).
pub fn attribute(
    series: &Series,
    identity: &IdentityLabels,
    targets: &[MetricTarget],
) -> Vec<(usize, Side)> {
    let _ = (series, identity, targets);
    Vec::new()
}
