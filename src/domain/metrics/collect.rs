//! Result series → values per rollout and side. A grouped query answers for many rollouts at
//! once; each series is attributed by its labels (see [`super::templates::attribute`]).

use std::collections::BTreeMap;

use super::prom::{Sample, Series};
use super::templates::{Attributor, IdentityLabels, attribute};
use super::{MetricKind, MetricTarget, Side, SideValues};
use crate::domain::rollout::RolloutKey;

/// `[canary, stable]` values per rollout.
pub type Sides = BTreeMap<RolloutKey, [SideValues; 2]>;

fn slot(side: Side) -> usize {
    match side {
        Side::Canary => 0,
        Side::Stable => 1,
    }
}

/// Folds an instant vector of `kind` into `into`. Several series for one side (a template
/// that keeps an extra label) add up for the request rate; for a ratio or a latency the
/// worst (highest, NaN last) counts, so a regression is never averaged away.
pub fn fold_instant(
    into: &mut Sides,
    kind: MetricKind,
    series: &[Series],
    identity: &IdentityLabels,
    targets: &[MetricTarget],
) {
    let by = Attributor::new(identity, targets);
    for s in series {
        let Some(v) = s.last() else { continue };
        for (i, side) in by.attribute(s) {
            let Some(t) = targets.get(i) else { continue };
            let sides = into.entry(t.key.clone()).or_default();
            let values = &mut sides[slot(side)];
            let merged = match (kind.get(values), kind) {
                (None, _) => v,
                (Some(old), MetricKind::RequestRate) => old + v,
                (Some(old), _) if old.is_nan() => v,
                (Some(old), _) if v.is_nan() => old,
                (Some(old), _) => old.max(v),
            };
            kind.set(values, Some(merged));
        }
    }
}

/// The samples of one target per side (`[canary, stable]`), from a range matrix of one
/// target's query. Several series for one side keep the first.
pub fn range_sides(
    series: &[Series],
    identity: &IdentityLabels,
    target: &MetricTarget,
) -> [Vec<Sample>; 2] {
    let mut out: [Vec<Sample>; 2] = [Vec::new(), Vec::new()];
    let targets = std::slice::from_ref(target);
    for s in series {
        for (_, side) in attribute(s, identity, targets) {
            let slot = &mut out[slot(side)];
            if slot.is_empty() {
                slot.clone_from(&s.samples);
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "collect_tests.rs"]
mod tests;
