//! Answers in: values are judged, alerts fire and clear, the chart gets its second opinion.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};

use super::msg::{MetricsAnswer, RangeAnswer, ReleaseAnswer};
use super::{Chart, MetricsHealth, RolloutMetrics};
use crate::config::metrics::is_critical;
use crate::domain::judge::{self, Direction, JudgeConfig, MetricConfig, MetricSamples};
use crate::domain::metrics::alerts::{AlertChange, AlertKey, AlertSeverity};
use crate::domain::metrics::rules::{comparison, judge as judge_metric};
use crate::domain::metrics::{Comparison, MetricKind, SideValues};
use crate::domain::rollout::RolloutKey;
use crate::state::{AppState, Command};

/// The longest wait between retries after failures.
const MAX_BACKOFF_SECS: i64 = 60;

pub fn on_answer(
    state: &mut AppState,
    id: u64,
    result: Result<MetricsAnswer, String>,
) -> Vec<Command> {
    if state.metrics.pending.map(|(p, _)| p) != Some(id) {
        return Vec::new();
    }
    state.metrics.pending = None;
    state.dirty = true;
    let now = state.now;
    let answer = match result {
        Ok(a) => a,
        Err(error) => {
            fail(state, error, now);
            return Vec::new();
        }
    };
    let m = &mut state.metrics;
    m.health = MetricsHealth::Live { at: now };
    sync_source(state);
    let m = &mut state.metrics;
    if let Some((start, values)) = answer.before {
        for (key, v) in values {
            m.befores.insert(key, (start, v));
        }
    }
    let window = m.settings.rules.window.0.as_secs_f64();
    let before_window = m.settings.rules.before.0.as_secs_f64();
    let mut changes: Vec<AlertChange> = Vec::new();
    let mut judged: Vec<RolloutKey> = Vec::new();
    for (key, [canary, stable]) in &answer.current {
        let Some(row) = state.rollouts.get(key) else {
            continue;
        };
        let m = &mut state.metrics;
        let cmp = comparison(row, canary.request_rate);
        let release_start = m
            .releases
            .get(key)
            .and_then(|r| r.info.as_ref())
            .map(|i| i.start);
        let (subject, reference, ref_window) = match cmp {
            Comparison::CanaryVsStable => (*canary, Some(*stable), window),
            Comparison::AfterVsBefore => {
                let before = m
                    .befores
                    .get(key)
                    .filter(|(at, _)| Some(*at) == release_start)
                    .map(|(_, v)| *v);
                (*stable, before, before_window)
            }
        };
        let (ns, name) = (&key.namespace, &key.name);
        let t = m
            .settings
            .rules
            .thresholds_for(&m.settings.services, ns, name);
        let critical = row.critical || is_critical(&m.settings.services, ns, name);
        let mut verdicts = BTreeMap::new();
        for kind in MetricKind::JUDGED {
            let r = reference.unwrap_or_default();
            let verdict = judge_metric(kind, &subject, &r, window, ref_window, &t);
            let akey = AlertKey {
                rollout: key.clone(),
                metric: kind,
            };
            changes.extend(m.alerts.observe(akey, &verdict, cmp, critical, &t, now));
            verdicts.insert(kind, verdict);
        }
        m.per_rollout.insert(
            key.clone(),
            RolloutMetrics {
                comparison: cmp,
                subject,
                reference,
                verdicts,
                at: now,
            },
        );
        judged.push(key.clone());
    }
    changes.extend(forget_gone(state, &judged, now));
    announce(state, &changes)
}

/// Flashes what fired (and rings the bell for a new critical alert when asked to); marks the
/// rows with firing alerts.
fn announce(state: &mut AppState, changes: &[AlertChange]) -> Vec<Command> {
    let mut cmds = Vec::new();
    for change in changes {
        if let AlertChange::Fired(a) = change {
            let critical = a.severity == AlertSeverity::Critical;
            state.flash(
                format!(
                    "{} alert: {}/{} {} {} vs {} ({})",
                    if critical { "CRITICAL" } else { "warning" },
                    a.key.rollout.namespace,
                    a.key.rollout.name,
                    a.key.metric.label(),
                    a.key.metric.format(Some(a.value)),
                    a.key.metric.format(Some(a.baseline)),
                    growth_label(a.growth),
                ),
                critical,
            );
            if critical && state.metrics.settings.rules.bell && !cmds.contains(&Command::Bell) {
                cmds.push(Command::Bell);
            }
        }
    }
    let firing: HashSet<RolloutKey> = state
        .metrics
        .alerts
        .active
        .iter()
        .map(|a| a.key.rollout.clone())
        .collect();
    state.rollouts.set_alerting(firing);
    let len = state.metrics.alerts.active.len();
    state.metrics.alert_cursor = state.metrics.alert_cursor.min(len.saturating_sub(1));
    cmds
}

/// `+210%`, or `new` for growth from zero.
pub fn growth_label(growth: f64) -> String {
    if growth.is_infinite() {
        "from 0".to_string()
    } else {
        format!("{:+.0}%", growth * 100.0)
    }
}

/// Rollouts no longer in flight: their values go, their alerts clear.
pub(crate) fn forget_gone(
    state: &mut AppState,
    judged: &[RolloutKey],
    now: DateTime<Utc>,
) -> Vec<AlertChange> {
    let m = &mut state.metrics;
    let judged: HashSet<&RolloutKey> = judged.iter().collect();
    let gone: Vec<RolloutKey> = m
        .per_rollout
        .keys()
        .chain(m.alerts.active.iter().map(|a| &a.key.rollout))
        .filter(|k| !judged.contains(k))
        .cloned()
        .collect();
    let mut changes = Vec::new();
    for key in gone {
        m.per_rollout.remove(&key);
        m.befores.remove(&key);
        changes.extend(m.alerts.forget(&key, now));
    }
    changes
}

/// A failed interval: keep the values (now stale), back off exponentially.
fn fail(state: &mut AppState, error: String, now: DateTime<Utc>) {
    let m = &mut state.metrics;
    let (since, attempts) = match &m.health {
        MetricsHealth::Failing {
            since, attempts, ..
        } => (*since, attempts + 1),
        _ => (now, 1),
    };
    let backoff = (1i64 << attempts.min(6)).min(MAX_BACKOFF_SECS);
    let retry_at = now + chrono::Duration::seconds(backoff);
    m.health = MetricsHealth::Failing {
        error,
        since,
        attempts,
        retry_at,
    };
    m.next_due = Some(retry_at);
    sync_source(state);
}

/// The header's `metrics` source follows the Prometheus health.
pub fn sync_source(state: &mut AppState) {
    use crate::state::SourceState;
    let source = match &state.metrics.health {
        MetricsHealth::Off => SourceState::Off,
        MetricsHealth::Waiting => SourceState::Connecting,
        MetricsHealth::Live { at } => match state.session.source("metrics") {
            Some(SourceState::Live { since }) => SourceState::Live { since: *since },
            _ => SourceState::Live { since: *at },
        },
        MetricsHealth::Failing {
            since, attempts, ..
        } => SourceState::Stale {
            since: *since,
            retries: *attempts,
        },
    };
    state.session.set_source("metrics", source);
}

pub fn on_release(state: &mut AppState, answer: ReleaseAnswer) -> Vec<Command> {
    let Some(release) = state.metrics.releases.get_mut(&answer.key) else {
        return Vec::new();
    };
    if release.revision != answer.revision {
        return Vec::new();
    }
    match answer.result {
        Ok(info) => {
            release.info = info;
            release.error = None;
        }
        Err(e) => release.error = Some(e),
    }
    state.dirty = true;
    Vec::new()
}

pub fn on_range(
    state: &mut AppState,
    id: u64,
    key: RolloutKey,
    result: Result<RangeAnswer, String>,
) -> Vec<Command> {
    if state.metrics.pending_range.as_ref().map(|(p, _)| *p) != Some(id) {
        return Vec::new();
    }
    state.metrics.pending_range = None;
    state.dirty = true;
    let now = state.now;
    let (start, end) = state
        .metrics
        .chart
        .as_ref()
        .filter(|c| c.key == key)
        .map_or((now, now), |c| (c.start, c.end));
    let after_vs_before = state
        .metrics
        .per_rollout
        .get(&key)
        .is_some_and(|m| m.comparison == Comparison::AfterVsBefore);
    match result {
        Ok(mut data) => {
            // After vs before: the trend is the stable side's (the running version); the
            // judge compares a canary with its baseline, so it has nothing to say here.
            let judge = if after_vs_before {
                for sides in data.series.values_mut() {
                    let stable = std::mem::take(&mut sides[1]);
                    *sides = [stable, Vec::new()];
                }
                None
            } else {
                Some(second_opinion(&data))
            };
            let (start, end) = span_of(&data).unwrap_or((start, end));
            state.metrics.chart = Some(Chart {
                key,
                start,
                end,
                data,
                judge,
                error: None,
            });
        }
        Err(e) => match state.metrics.chart.as_mut().filter(|c| c.key == key) {
            Some(chart) => chart.error = Some(e),
            None => {
                state.metrics.chart = Some(Chart {
                    key,
                    start,
                    end,
                    data: RangeAnswer::default(),
                    judge: None,
                    error: Some(e),
                })
            }
        },
    }
    Vec::new()
}

/// The time span the samples cover.
fn span_of(data: &RangeAnswer) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let ts = data
        .series
        .values()
        .flat_map(|sides| sides.iter().flatten())
        .map(|s| s.t);
    let (lo, hi) = ts.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), t| {
        (lo.min(t), hi.max(t))
    });
    let at = |t: f64| DateTime::from_timestamp_millis((t * 1000.0).round() as i64);
    Some((at(lo)?, at(hi)?))
}

/// Kayenta's judge on the range samples (canary = experiment, stable = control): error
/// ratio and latencies may only rise; the error ratio is critical.
pub fn second_opinion(data: &RangeAnswer) -> judge::JudgeResult {
    let mut config = JudgeConfig::default();
    let mut samples = Vec::new();
    for kind in MetricKind::JUDGED {
        let mut metric = MetricConfig::new(kind.key());
        // One group per metric: the score counts groups (an ungrouped metric scores none).
        metric.groups = vec![kind.key().to_string()];
        metric.direction = Direction::Increase;
        metric.critical = kind == MetricKind::ErrorRatio;
        config.metrics.push(metric);
        if let Some([canary, stable]) = data.series.get(&kind) {
            samples.push(MetricSamples::new(
                kind.key(),
                canary.iter().map(|s| s.v).collect::<Vec<_>>(),
                stable.iter().map(|s| s.v).collect::<Vec<_>>(),
            ));
        }
    }
    judge::judge(&config, &samples)
}

/// The values of one side, for tests and the screen.
pub fn side_label(v: &SideValues) -> String {
    MetricKind::ALL
        .iter()
        .map(|k| format!("{} {}", k.label(), k.format(k.get(v))))
        .collect::<Vec<_>>()
        .join(" · ")
}
