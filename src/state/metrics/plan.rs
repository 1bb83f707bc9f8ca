//! On every tick: ask for the releases of new rollouts in flight, and, when the interval is
//! due, one grouped query for all of them plus the chart of the selected one.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::msg::{BeforeRequest, MetricsRequest, RangeRequest, ReleaseRequest};
use super::{MetricsHealth, Release};
use crate::domain::metrics::MetricTarget;
use crate::domain::metrics::rules::in_flight;
use crate::domain::metrics::target::{release_owner, release_revision, target_for};
use crate::domain::rollout::RolloutRow;
use crate::domain::scope::NamespaceScope;
use crate::state::{AppState, Command};

/// The most range points a chart asks for.
const CHART_POINTS: i64 = 60;
/// The longest a chart looks back.
const CHART_SPAN_SECS: i64 = 15 * 60;

pub fn on_tick(state: &mut AppState, now: DateTime<Utc>) -> Vec<Command> {
    let m = &state.metrics;
    if !m.settings.enabled {
        return Vec::new();
    }
    let due = state.clock_stopped || m.next_due.is_none_or(|t| now >= t);
    // A request that never came back (it cannot: the client has a timeout) must not block
    // the loop forever.
    let stuck = m
        .pending
        .is_some_and(|(_, at)| now - at > chrono_of(m.settings.interval * 3));
    if !due || (m.pending.is_some() && !stuck) {
        return Vec::new();
    }
    let after_promotion = m.settings.rules.after_promotion.0.as_secs() as i64;
    let rows: Vec<&RolloutRow> = state
        .rollouts
        .all()
        .filter(|r| r.invalid.is_none() && in_flight(r, now, after_promotion))
        .collect();
    let mut cmds = Vec::new();
    let mut targets = Vec::with_capacity(rows.len());
    for row in &rows {
        let revision = release_revision(row);
        let known = state.metrics.releases.get(&row.key);
        if known.is_none_or(|r| r.revision != revision) {
            state.metrics.releases.insert(
                row.key.clone(),
                Release {
                    revision: revision.clone(),
                    info: None,
                    error: None,
                },
            );
            cmds.push(Command::FetchRelease(ReleaseRequest {
                key: row.key.clone(),
                revision,
                owner: release_owner(row),
            }));
        }
        let release = state
            .metrics
            .releases
            .get(&row.key)
            .and_then(|r| r.info.as_ref());
        targets.push(target_for(row, release));
    }
    let m = &mut state.metrics;
    let interval = chrono_of(m.settings.interval);
    m.next_due = Some(next_due(m, now, interval));
    if targets.is_empty() {
        // Nothing in flight: nothing to ask; the source counts as live.
        if matches!(m.health, MetricsHealth::Waiting) {
            m.health = MetricsHealth::Live { at: now };
        }
        super::judge::forget_gone(state, &[], now);
        return cmds;
    }
    let namespaces = match &state.session.info.namespaces {
        NamespaceScope::All => Vec::new(),
        NamespaceScope::Some(list) => list.clone(),
    };
    let window = state.metrics.settings.rules.window.0;
    let before = before_group(state, &targets);
    let id = state.metrics.next_id();
    state.metrics.pending = Some((id, now));
    if let Some(range) = chart_request(state, &targets, &namespaces, now, window) {
        cmds.push(Command::QueryRange(range));
    }
    cmds.push(Command::QueryMetrics(MetricsRequest {
        id,
        at: now,
        namespaces,
        targets,
        window,
        before,
    }));
    cmds
}

/// After a failure the next try waits for the backoff, else one interval.
fn next_due(
    m: &super::MetricsState,
    now: DateTime<Utc>,
    interval: chrono::Duration,
) -> DateTime<Utc> {
    match &m.health {
        MetricsHealth::Failing { retry_at, .. } if *retry_at > now => *retry_at,
        _ => now + interval,
    }
}

/// The targets whose release started at the same instant and whose "before" values are
/// missing: one group per interval keeps the requests at two per template.
fn before_group(state: &AppState, targets: &[MetricTarget]) -> Option<BeforeRequest> {
    let m = &state.metrics;
    let missing = |t: &&MetricTarget| {
        t.release_start
            .is_some_and(|start| m.befores.get(&t.key).is_none_or(|(at, _)| *at != start))
    };
    let start = targets
        .iter()
        .filter(missing)
        .filter_map(|t| t.release_start)
        .min()?;
    let group: Vec<MetricTarget> = targets
        .iter()
        .filter(missing)
        .filter(|t| t.release_start == Some(start))
        .cloned()
        .collect();
    Some(BeforeRequest {
        start,
        window: m.settings.rules.before.0,
        targets: group,
    })
}

/// Range queries for the selected rollout when it is in flight: from its release start (at
/// most 15 minutes back) to now, in at most 60 points.
fn chart_request(
    state: &mut AppState,
    targets: &[MetricTarget],
    namespaces: &[String],
    now: DateTime<Utc>,
    window: Duration,
) -> Option<RangeRequest> {
    let key = state.rollouts.selected()?.key.clone();
    let target = targets.iter().find(|t| t.key == key)?.clone();
    let earliest = now - chrono::Duration::seconds(CHART_SPAN_SECS);
    let start = target
        .release_start
        .filter(|s| *s > earliest)
        .unwrap_or(earliest)
        .min(now - chrono::Duration::seconds(120));
    let span = (now - start).num_seconds().max(1);
    let step = Duration::from_secs(((span + CHART_POINTS - 1) / CHART_POINTS).max(1) as u64);
    let id = state.metrics.next_id();
    state.metrics.pending_range = Some((id, key));
    Some(RangeRequest {
        id,
        namespaces: namespaces.to_vec(),
        target,
        start,
        end: now,
        step,
        window,
    })
}

pub(crate) fn chrono_of(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}
