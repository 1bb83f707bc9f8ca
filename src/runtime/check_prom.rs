//! The Prometheus checks: `[prometheus] url` answers a query, then each query template,
//! rendered for the Argo rollouts in flight as the metrics panel renders it, returns a
//! series for every one of them.

use std::time::Duration;

use super::{Check, Cluster, cluster};
use crate::adapters::prometheus::{PromClient, PromError};
use crate::config::Config;
use crate::domain::metrics::templates::{Attributor, QuerySet, render};
use crate::domain::metrics::{MetricKind, MetricTarget};
use crate::domain::scope::NamespaceScope;

const NAME: &str = "prometheus";

pub async fn checks(config: &Config, cluster: Cluster<'_>) -> Vec<Check> {
    let off = || {
        vec![Check::pass(
            NAME,
            "not configured: metrics and alerts are off",
        )]
    };
    if !config.prometheus.enabled() {
        return off();
    }
    let prom = match crate::runtime::metrics::setup(config) {
        Ok((_, exec)) => exec.prom,
        Err(e) => return vec![Check::fail(NAME, e)],
    };
    let Some((client, set)) = prom else {
        return off();
    };
    let url = client.describe();
    if let Err(e) = probe(&client).await {
        return vec![Check::fail(NAME, format!("{url}: {e}"))];
    }
    let mut out = vec![Check::pass(
        NAME,
        format!(
            "{url} answers queries ({} preset)",
            config.prometheus.preset
        ),
    )];
    let (kube, scope) = match cluster {
        Ok(c) => c,
        Err(reason) => {
            out.push(Check::fail(NAME, format!("templates {reason}")));
            return out;
        }
    };
    let targets = match cluster::in_flight(kube, scope).await {
        Ok(t) => t,
        Err(e) => {
            out.push(Check::fail(NAME, format!("templates not checked: {e}")));
            return out;
        }
    };
    let namespaces = match scope {
        NamespaceScope::All => Vec::new(),
        NamespaceScope::Some(list) => list.clone(),
    };
    let window = config.rules.window.0;
    for kind in MetricKind::ALL {
        out.push(template(&client, &set, kind, &namespaces, &targets, window).await);
    }
    out
}

/// Any Prometheus-compatible API answers `vector(1)`; one that refuses it as a query (a
/// subset such as the simulator's) is asked for the scalar `1`.
async fn probe(client: &PromClient) -> Result<(), PromError> {
    match client.query("vector(1)", None).await {
        Ok(_) => Ok(()),
        Err(PromError::Api { .. }) => client.query("1", None).await.map(drop),
        Err(e) => Err(e),
    }
}

/// One template, run for every rollout in flight at once.
async fn template(
    client: &PromClient,
    set: &QuerySet,
    kind: MetricKind,
    namespaces: &[String],
    targets: &[MetricTarget],
    window: Duration,
) -> Check {
    let key = kind.key();
    let query = match render(set.template(kind), namespaces, targets, window) {
        Ok(q) => q,
        Err(e) => return Check::fail(NAME, format!("{key} template: {e}")),
    };
    let series = match client.query(&query, None).await {
        Ok(data) => data.into_series(),
        Err(e) => return Check::fail(NAME, format!("{key} template: {e}")),
    };
    if targets.is_empty() {
        return Check::pass(
            NAME,
            format!("{key} template: the query runs; no Argo rollout in flight to look for data"),
        );
    }
    let mut seen = vec![false; targets.len()];
    let by = Attributor::new(&set.identity, targets);
    for s in &series {
        for (i, _) in by.attribute(s) {
            if let Some(slot) = seen.get_mut(i) {
                *slot = true;
            }
        }
    }
    let names = |with_data: bool| {
        targets
            .iter()
            .zip(&seen)
            .filter(|(_, s)| **s == with_data)
            .map(|(t, _)| format!("{}/{}", t.key.namespace, t.key.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let missing = names(false);
    if missing.is_empty() {
        Check::pass(NAME, format!("{key} template: data for {}", names(true)))
    } else {
        Check::fail(
            NAME,
            format!("{key} template: no data for {missing}: check the preset or the labels"),
        )
    }
}
