//! Query templates: the PromQL that fetches one metric of every rollout in flight in a
//! single request, and how a result series is attributed back to a rollout and a side.
//!
//! # Placeholders
//!
//! A template is PromQL with placeholders. **A placeholder is `{`, a name made only of
//! lower-case ASCII letters and `_`, and `}` — nothing else between the braces** (no space,
//! digit, quote, `=` or `,`). Every such `{word}` must be a known placeholder, inside quoted
//! strings too (where most of them go): `{namespacez}` is an error, never PromQL. PromQL's own
//! braces always hold something else — label matchers (`{namespace=~"…"}`), or nothing
//! (`{}`) — so they never look like a placeholder and pass through unchanged.
//!
//! - `{namespaces}`: the watched namespaces as a regex alternation (`a|b`); `.*` when the
//!   list is empty (all namespaces).
//! - `{window}`: the rate window as a Prometheus duration ([`format_window`]).
//! - Per rollout, rendered for the whole group so a grouped query stays one request: each
//!   is the alternation of the targets' values, deduplicated and sorted — `{namespace}`,
//!   `{rollout}` (the rollout's name), `{canary_service}`, `{stable_service}`,
//!   `{active_service}`, `{preview_service}`, `{canary_hash}`, `{stable_hash}`. With no
//!   value at all one renders as `__none__`, a name no object has, so the matcher selects
//!   nothing instead of everything.
//!
//! Every value is regex-escaped and then escaped for a PromQL string, so the placeholders
//! that expand to regexes belong inside `=~"…"` (double or single quotes, not backticks).
//!
//! Outside quoted strings, PromQL braces must balance. Inside strings they are regex text
//! and are not counted (`"5.{2}"`), except that `{` followed by a lower-case word and then
//! the closing quote or the end of the template (`"{namespaces"`) is an unclosed
//! placeholder. `#` outside a string starts a PromQL comment (to the end of the line).

use std::collections::HashMap;

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

impl Preset {
    pub const ALL: [Preset; 4] = [Self::Sim, Self::Istio, Self::Nginx, Self::Custom];

    /// The name in config (`[prometheus] preset`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Sim => "sim",
            Self::Istio => "istio",
            Self::Nginx => "nginx",
            Self::Custom => "custom",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }
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

impl IdentityLabels {
    pub const KINDS: [&'static str; 3] = ["track", "service", "hash"];

    /// The identity of a kind (`track`, `service`, `hash`) with its default label names:
    /// `namespace`/`rollout`/`track`, `namespace`/`service`,
    /// `namespace`/`rollouts_pod_template_hash`.
    pub fn default_for(kind: &str) -> Option<Self> {
        let s = |v: &str| v.to_string();
        match kind {
            "track" => Some(Self::Track {
                namespace: s("namespace"),
                workload: s("rollout"),
                track: s("track"),
            }),
            "service" => Some(Self::Service {
                namespace: s("namespace"),
                service: s("service"),
            }),
            "hash" => Some(Self::Hash {
                namespace: s("namespace"),
                hash: s("rollouts_pod_template_hash"),
            }),
            _ => None,
        }
    }

    /// `track`, `service` or `hash`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Track { .. } => "track",
            Self::Service { .. } => "service",
            Self::Hash { .. } => "hash",
        }
    }
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
    /// The built-in templates of a preset; `None` for `custom` (they come from config).
    /// Every preset yields rates per second, ratios in 0..1 and latencies in seconds.
    pub fn preset(p: Preset) -> Option<Self> {
        let (counter, histogram, selector, errors, group, identity, scale) = match p {
            Preset::Sim => (
                "http_requests_total",
                "http_request_duration_seconds_bucket",
                r#"namespace=~"{namespaces}""#,
                r#"code=~"5..""#,
                "namespace, rollout, track",
                IdentityLabels::default_for("track")?,
                "",
            ),
            Preset::Istio => (
                "istio_requests_total",
                "istio_request_duration_milliseconds_bucket",
                r#"reporter="destination",destination_service_namespace=~"{namespaces}""#,
                r#"response_code=~"5..""#,
                "destination_service_namespace, destination_service_name",
                IdentityLabels::Service {
                    namespace: "destination_service_namespace".to_string(),
                    service: "destination_service_name".to_string(),
                },
                // Istio measures milliseconds.
                " / 1000",
            ),
            Preset::Nginx => (
                "nginx_ingress_controller_requests",
                "nginx_ingress_controller_request_duration_seconds_bucket",
                r#"namespace=~"{namespaces}""#,
                r#"status=~"5..""#,
                "namespace, service",
                IdentityLabels::default_for("service")?,
                "",
            ),
            Preset::Custom => return None,
        };
        let rate = |extra: &str| {
            format!("sum by ({group}) (rate({counter}{{{selector}{extra}}}[{{window}}]))")
        };
        let quantile = |q: &str| {
            format!(
                "histogram_quantile({q}, sum by ({group}, le) \
                 (rate({histogram}{{{selector}}}[{{window}}]))){scale}"
            )
        };
        Some(Self {
            request_rate: rate(""),
            error_ratio: format!("{} / {}", rate(&format!(",{errors}")), rate("")),
            latency_p95: quantile("0.95"),
            latency_p99: quantile("0.99"),
            identity,
        })
    }

    pub fn template(&self, kind: MetricKind) -> &str {
        match kind {
            MetricKind::RequestRate => &self.request_rate,
            MetricKind::ErrorRatio => &self.error_ratio,
            MetricKind::LatencyP95 => &self.latency_p95,
            MetricKind::LatencyP99 => &self.latency_p99,
        }
    }

    pub fn template_mut(&mut self, kind: MetricKind) -> &mut String {
        match kind {
            MetricKind::RequestRate => &mut self.request_rate,
            MetricKind::ErrorRatio => &mut self.error_ratio,
            MetricKind::LatencyP95 => &mut self.latency_p95,
            MetricKind::LatencyP99 => &mut self.latency_p99,
        }
    }
}

/// Every placeholder a template may use.
pub const PLACEHOLDERS: [&str; 10] = [
    "namespaces",
    "window",
    "namespace",
    "rollout",
    "canary_service",
    "stable_service",
    "active_service",
    "preview_service",
    "canary_hash",
    "stable_hash",
];

/// What a placeholder with no value renders as: matches no Kubernetes name.
pub const NONE_VALUE: &str = "__none__";

/// A template could not be rendered or names an unknown placeholder.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TemplateError(pub String);

impl TemplateError {
    fn new(problem: String) -> Self {
        let known: Vec<String> = PLACEHOLDERS.iter().map(|p| format!("{{{p}}}")).collect();
        Self(format!(
            "{problem}; known placeholders: {}",
            known.join(", ")
        ))
    }
}

#[path = "templates_render.rs"]
mod rendering;

pub use rendering::{escape, format_window, render, validate};

/// Which target and side a series belongs to (none when it names no target).
///
/// - Track: `namespace` and `workload` labels equal the target's namespace and name;
///   `track="canary"` is the canary, `track="stable"` the stable.
/// - Service: the namespace label equals the target's; the service label is the canary or
///   preview service (canary) or the stable or active service (stable).
/// - Hash: the namespace label equals the target's; the hash label is the canary hash or
///   the stable hash.
///
/// A value naming both sides of one target (canary hash equal to the stable hash after a
/// full promotion) counts as stable only. A series may match several targets that share
/// names; it is given to each.
pub fn attribute(
    series: &Series,
    identity: &IdentityLabels,
    targets: &[MetricTarget],
) -> Vec<(usize, Side)> {
    targets
        .iter()
        .enumerate()
        .filter_map(|(i, t)| side_of(series, identity, t).map(|s| (i, s)))
        .collect()
}

/// [`attribute`] for many series against the same targets: the targets are indexed by
/// namespace once (every identity matches the namespace label first), so each series is
/// compared with the targets of its namespace only.
pub struct Attributor<'a> {
    identity: &'a IdentityLabels,
    targets: &'a [MetricTarget],
    by_ns: HashMap<&'a str, Vec<usize>>,
}

impl<'a> Attributor<'a> {
    pub fn new(identity: &'a IdentityLabels, targets: &'a [MetricTarget]) -> Self {
        let mut by_ns: HashMap<&'a str, Vec<usize>> = HashMap::new();
        for (i, t) in targets.iter().enumerate() {
            by_ns.entry(t.key.namespace.as_str()).or_default().push(i);
        }
        Self {
            identity,
            targets,
            by_ns,
        }
    }

    /// The same answer as [`attribute`], in the same order.
    pub fn attribute(&self, series: &Series) -> Vec<(usize, Side)> {
        let ns = match self.identity {
            IdentityLabels::Track { namespace, .. }
            | IdentityLabels::Service { namespace, .. }
            | IdentityLabels::Hash { namespace, .. } => namespace,
        };
        let Some(candidates) = series
            .labels
            .get(ns)
            .and_then(|v| self.by_ns.get(v.as_str()))
        else {
            return Vec::new();
        };
        candidates
            .iter()
            .filter_map(|&i| {
                let t = self.targets.get(i)?;
                side_of(series, self.identity, t).map(|s| (i, s))
            })
            .collect()
    }
}

fn side_of(series: &Series, identity: &IdentityLabels, t: &MetricTarget) -> Option<Side> {
    let label = |k: &str| {
        series
            .labels
            .get(k)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let is = |v: &str, o: &Option<String>| o.as_deref() == Some(v);
    let two_sided =
        |ns: &str, key: &str, canary: [&Option<String>; 2], stable: [&Option<String>; 2]| {
            if label(ns)? != t.key.namespace {
                return None;
            }
            let v = label(key)?;
            if stable.iter().any(|o| is(v, o)) {
                Some(Side::Stable)
            } else if canary.iter().any(|o| is(v, o)) {
                Some(Side::Canary)
            } else {
                None
            }
        };
    match identity {
        IdentityLabels::Track {
            namespace,
            workload,
            track,
        } => {
            if label(namespace)? != t.key.namespace || label(workload)? != t.key.name {
                return None;
            }
            match label(track)? {
                "canary" => Some(Side::Canary),
                "stable" => Some(Side::Stable),
                _ => None,
            }
        }
        IdentityLabels::Service { namespace, service } => two_sided(
            namespace,
            service,
            [&t.canary_service, &t.preview_service],
            [&t.stable_service, &t.active_service],
        ),
        IdentityLabels::Hash { namespace, hash } => two_sided(
            namespace,
            hash,
            [&t.canary_hash, &None],
            [&t.stable_hash, &None],
        ),
    }
}

#[cfg(test)]
#[path = "templates_tests.rs"]
mod tests;
