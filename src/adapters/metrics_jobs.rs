//! One interval's work against Prometheus: every template rendered once for all rollouts in
//! flight (and once more for a "before" group), sent concurrently, and the answers folded
//! into values per rollout and side. Plus the chart's range queries for one rollout.

use std::collections::BTreeMap;

use futures::future::join_all;

use super::prometheus::PromClient;
use crate::domain::metrics::collect::{Sides, fold_instant, range_sides};
use crate::domain::metrics::templates::{QuerySet, render};
use crate::domain::metrics::{MetricKind, SideValues};
use crate::state::metrics::{MetricsAnswer, MetricsRequest, RangeAnswer, RangeRequest};

/// Runs the grouped queries of one interval: `templates × (1 + before)` requests, however
/// many rollouts there are.
pub async fn interval(
    client: &PromClient,
    set: &QuerySet,
    req: &MetricsRequest,
) -> Result<MetricsAnswer, String> {
    let mut queries = Vec::new();
    for kind in MetricKind::ALL {
        let q = render(
            set.template(kind),
            &req.namespaces,
            &req.targets,
            req.window,
        )
        .map_err(|e| format!("{} template: {e}", kind.key()))?;
        queries.push((kind, false, q));
        if let Some(b) = &req.before {
            let q = render(set.template(kind), &req.namespaces, &b.targets, b.window)
                .map_err(|e| format!("{} template: {e}", kind.key()))?;
            queries.push((kind, true, q));
        }
    }
    let before_at = req.before.as_ref().map(|b| b.start);
    let answers = join_all(queries.iter().map(|(_, before, q)| {
        let at = if *before { before_at } else { Some(req.at) };
        client.query(q, at)
    }))
    .await;
    let mut current = Sides::new();
    let mut before = Sides::new();
    for ((kind, is_before, _), answer) in queries.iter().zip(answers) {
        let series = answer
            .map_err(|e| format!("{e} ({} query)", kind.key()))?
            .into_series();
        if *is_before {
            let targets = req.before.as_ref().map_or(&[][..], |b| &b.targets[..]);
            fold_instant(&mut before, *kind, &series, &set.identity, targets);
        } else {
            fold_instant(&mut current, *kind, &series, &set.identity, &req.targets);
        }
    }
    // Every target gets an entry: no series at all is "no data", not "gone".
    for t in &req.targets {
        current.entry(t.key.clone()).or_default();
    }
    let before = req.before.as_ref().map(|b| {
        let values: BTreeMap<_, SideValues> = b
            .targets
            .iter()
            .map(|t| {
                let v = before.get(&t.key).map(|s| s[1]).unwrap_or_default();
                (t.key.clone(), v)
            })
            .collect();
        (b.start, values)
    });
    Ok(MetricsAnswer { current, before })
}

/// The chart of one rollout: one range query per template.
pub async fn range(
    client: &PromClient,
    set: &QuerySet,
    req: &RangeRequest,
) -> Result<RangeAnswer, String> {
    let targets = std::slice::from_ref(&req.target);
    let mut queries = Vec::new();
    for kind in MetricKind::ALL {
        let q = render(set.template(kind), &req.namespaces, targets, req.window)
            .map_err(|e| format!("{} template: {e}", kind.key()))?;
        queries.push((kind, q));
    }
    let answers = join_all(
        queries
            .iter()
            .map(|(_, q)| client.query_range(q, req.start, req.end, req.step)),
    )
    .await;
    let mut series = BTreeMap::new();
    for ((kind, _), answer) in queries.iter().zip(answers) {
        let data = answer.map_err(|e| format!("{e} ({} range query)", kind.key()))?;
        series.insert(
            *kind,
            range_sides(&data.into_series(), &set.identity, &req.target),
        );
    }
    Ok(RangeAnswer { series })
}
