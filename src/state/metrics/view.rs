//! Sentences about the metrics for the screen: how the source is doing, why a value is
//! missing. Pure, so the wording is tested once and every screen says the same.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{MetricsHealth, MetricsState};
use crate::domain::metrics::rules::{NoData, Verdict};
use crate::domain::metrics::templates::format_window;
use crate::domain::metrics::{Comparison, Side};
use crate::domain::rollout::RolloutKey;

/// The state of the metrics source as one line, and whether it is a problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanelStatus {
    pub text: String,
    pub problem: bool,
    /// The values shown are older than the last attempt.
    pub stale: bool,
}

pub fn panel_status(m: &MetricsState, now: DateTime<Utc>) -> PanelStatus {
    let insecure = if m.settings.insecure {
        " · TLS verification OFF (insecure_skip_verify)"
    } else {
        ""
    };
    match &m.health {
        MetricsHealth::Off => PanelStatus {
            text: "metrics off: no [prometheus] url in the config".to_string(),
            problem: false,
            stale: false,
        },
        MetricsHealth::Waiting => PanelStatus {
            text: format!("querying {}…{insecure}", m.settings.source),
            problem: !insecure.is_empty(),
            stale: false,
        },
        MetricsHealth::Live { at } => PanelStatus {
            text: format!(
                "{} · every {} · updated {} ago{insecure}",
                m.settings.source,
                secs(m.settings.interval),
                ago(now, *at)
            ),
            problem: !insecure.is_empty(),
            stale: false,
        },
        MetricsHealth::Failing {
            error, retry_at, ..
        } => {
            let wait = (*retry_at - now).num_seconds().max(0);
            PanelStatus {
                text: format!("{error}, retrying in {wait} s · values are stale{insecure}"),
                problem: true,
                stale: true,
            }
        }
    }
}

/// Why a verdict has no data, as a sentence: "no data for payments canary in 1m".
pub fn no_data_line(
    key: &RolloutKey,
    comparison: Comparison,
    reason: &NoData,
    window: Duration,
    before: Duration,
) -> String {
    let side_name = |side: Side| match (comparison, side) {
        (Comparison::CanaryVsStable, Side::Canary) => "canary",
        (Comparison::CanaryVsStable, Side::Stable) => "stable",
        (Comparison::AfterVsBefore, Side::Canary) => "after the release",
        (Comparison::AfterVsBefore, Side::Stable) => "before the release",
    };
    let win = |side: Side| {
        if comparison == Comparison::AfterVsBefore && side == Side::Stable {
            format_window(before)
        } else {
            format_window(window)
        }
    };
    match reason {
        NoData::Missing(side) | NoData::NotANumber(side) => format!(
            "no data for {} {} in {}",
            key.name,
            side_name(*side),
            win(*side)
        ),
        NoData::TooFewRequests { side, requests } => format!(
            "too few requests for {} {}: {:.0} in {} (need the configured minimum)",
            key.name,
            side_name(*side),
            requests,
            win(*side)
        ),
    }
}

/// The first no-data sentence among a rollout's verdicts.
pub fn first_no_data(m: &MetricsState, key: &RolloutKey) -> Option<String> {
    let rm = m.per_rollout.get(key)?;
    rm.verdicts.values().find_map(|v| match v {
        Verdict::NoData(reason) => Some(no_data_line(
            key,
            rm.comparison,
            reason,
            m.settings.rules.window.0,
            m.settings.rules.before.0,
        )),
        _ => None,
    })
}

fn secs(d: Duration) -> String {
    format_window(d)
}

fn ago(now: DateTime<Utc>, at: DateTime<Utc>) -> String {
    let s = (now - at).num_seconds().max(0);
    if s < 120 {
        format!("{s} s")
    } else {
        format!("{} min", s / 60)
    }
}
