//! The metrics panel of one rollout: canary vs stable (or after vs before) per metric, the
//! thresholds and verdicts of the regression rules, trends of the chart's range samples and
//! the Kayenta judge's second opinion. Used by the overview under the table.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use crate::domain::judge::{Classification, JudgeResult, Verdict as JudgeVerdict};
use crate::domain::metrics::rules::{Thresholds, Verdict, in_flight};
use crate::domain::metrics::{Comparison, MetricKind};
use crate::domain::rollout::RolloutKey;
use crate::state::AppState;
use crate::state::metrics::{
    MetricsHealth, MetricsState, RolloutMetrics, first_no_data, growth_label, panel_status,
};
use crate::theme::{Role, Theme};

use super::widgets::{dot, styled, truncate, warn_sign};

#[path = "metrics_trend.rs"]
mod trend;

/// Lines the panel wants: border (2), status, table header, four metrics, note, judge.
pub const PANEL_HEIGHT: u16 = 10;

/// Fixed columns of the table; what is left of the width goes to the trends.
const WIDTHS: [u16; 6] = [5, 9, 9, 7, 16, 22];
/// The narrowest trend worth drawing.
const MIN_TREND: u16 = 8;

/// Renders the metrics of the rollout `key` into `area`.
pub fn render_metrics_panel(
    state: &AppState,
    theme: &Theme,
    key: &RolloutKey,
    frame: &mut Frame,
    area: Rect,
) {
    let m = &state.metrics;
    let rm = m.per_rollout.get(key);
    let ascii = state.ascii;
    let mut title = vec![styled(" Metrics ", theme.style(Role::ChromeTitle))];
    title.push(styled(
        format!("{} {}/{} ", dot(ascii), key.namespace, key.name),
        theme.style(Role::ChromeText),
    ));
    if let Some(rm) = rm {
        title.push(styled(
            format!("{} {} ", dot(ascii), rm.comparison.label()),
            theme.style(Role::ChromeTitle),
        ));
    }
    let block = super::widgets::block(theme, ascii).title(Line::from(title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    let width = usize::from(inner.width);
    if m.health == MetricsHealth::Off {
        let hint = "metrics off: set [prometheus] url in the config (shipdeck config show)";
        frame.render_widget(
            Paragraph::new(styled(
                truncate(hint, width, ascii),
                theme.style(Role::ChromeDim),
            )),
            inner,
        );
        return;
    }
    let [status_area, body] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(inner);
    let mut status = panel_status(m, state.now);
    status.text = plain(&status.text, ascii);
    let status_line = if status.problem {
        styled(
            truncate(
                &format!("{} {}", warn_sign(ascii), status.text),
                width,
                ascii,
            ),
            theme.style(Role::AlertWarning),
        )
    } else {
        styled(
            truncate(&status.text, width, ascii),
            theme.style(Role::ChromeDim),
        )
    };
    frame.render_widget(Paragraph::new(status_line), status_area);
    let Some(rm) = rm else {
        frame.render_widget(
            Paragraph::new(styled(
                truncate(&not_judged(state, key), width, ascii),
                theme.style(Role::ChromeDim),
            )),
            body,
        );
        return;
    };
    let [table_area, note_area, judge_area] = Layout::vertical([
        Constraint::Length(5),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(body);
    let t = m
        .settings
        .rules
        .thresholds_for(&m.settings.services, &key.namespace, &key.name);
    render_table(state, theme, key, rm, &t, status.stale, frame, table_area);
    if let Some(note) = first_no_data(m, key) {
        let text = format!("? {note}");
        frame.render_widget(
            Paragraph::new(styled(
                truncate(&text, width, ascii),
                theme.style(Role::StatusUnknown),
            )),
            note_area,
        );
    }
    let (text, role) = judge_line(m, key);
    frame.render_widget(
        Paragraph::new(styled(truncate(&text, width, ascii), theme.style(role))),
        judge_area,
    );
}

/// The state's sentences use `·` and `…`; ASCII mode gets `-` and `...`.
pub(super) fn plain(text: &str, ascii: bool) -> String {
    if ascii {
        text.replace('·', "-").replace('…', "...")
    } else {
        text.to_string()
    }
}

/// Why a rollout without values has none.
fn not_judged(state: &AppState, key: &RolloutKey) -> String {
    let after = state.metrics.settings.rules.after_promotion.0.as_secs();
    let after = i64::try_from(after).unwrap_or(i64::MAX);
    match state.rollouts.get(key) {
        Some(row) if row.invalid.is_none() && in_flight(row, state.now, after) => {
            "in flight: waiting for its first values".to_string()
        }
        _ => "not in flight: not judged".to_string(),
    }
}

/// The side names of a comparison: `(subject, reference)`.
fn side_names(c: Comparison) -> (&'static str, &'static str) {
    match c {
        Comparison::CanaryVsStable => ("CANARY", "STABLE"),
        Comparison::AfterVsBefore => ("AFTER", "BEFORE"),
    }
}

#[allow(clippy::too_many_arguments)]
fn render_table(
    state: &AppState,
    theme: &Theme,
    key: &RolloutKey,
    rm: &RolloutMetrics,
    t: &Thresholds,
    stale: bool,
    frame: &mut Frame,
    area: Rect,
) {
    let ascii = state.ascii;
    let fixed: u16 = WIDTHS.iter().sum::<u16>() + WIDTHS.len() as u16 - 1;
    let chart = state.metrics.chart.as_ref().filter(|c| c.key == *key);
    let trend = area.width.saturating_sub(fixed + 2) / 2;
    let trends = chart.is_some() && trend >= MIN_TREND;
    let table_width = if trends { fixed } else { area.width };
    let (subject, reference) = side_names(rm.comparison);
    let value_role = if stale {
        Role::ChromeDim
    } else {
        Role::ChromeText
    };
    let rows: Vec<Row> = MetricKind::ALL
        .iter()
        .map(|&kind| {
            let value = kind.get(&rm.subject);
            let base = rm.reference.as_ref().and_then(|r| kind.get(r));
            let (verdict, role) = verdict_cell(rm.verdicts.get(&kind), ascii);
            let verdict = if stale {
                format!("{verdict} (stale)")
            } else {
                verdict
            };
            let role = if stale { Role::ChromeDim } else { role };
            Row::new(vec![
                Cell::from(kind.label()),
                Cell::from(styled(kind.format(value), theme.style(value_role))),
                Cell::from(styled(kind.format(base), theme.style(value_role))),
                Cell::from(styled(ratio(value, base, ascii), theme.style(value_role))),
                Cell::from(styled(
                    threshold_text(kind, t, ascii),
                    theme.style(Role::ChromeDim),
                )),
                Cell::from(styled(verdict, theme.style(role))),
            ])
        })
        .collect();
    let header = Row::new(vec![
        "",
        subject,
        reference,
        "RATIO",
        "THRESHOLD",
        "VERDICT",
    ])
    .style(theme.style(Role::ChromeDim));
    let table = Table::new(rows, WIDTHS.map(Constraint::Length))
        .header(header)
        .column_spacing(1);
    let table_rect = Rect {
        width: table_width.min(area.width),
        ..area
    };
    frame.render_widget(table, table_rect);
    if let Some(chart) = chart.filter(|_| trends) {
        let x = area.x + fixed + 2;
        let rest = Rect {
            x,
            width: area.right().saturating_sub(x),
            ..area
        };
        trend::render_trends(
            chart,
            [subject, reference],
            t,
            stale,
            ascii,
            theme,
            frame,
            rest,
        );
    }
}

/// `×1.23`: the subject's value over the reference's.
fn ratio(value: Option<f64>, base: Option<f64>, ascii: bool) -> String {
    let times = if ascii { "x" } else { "×" };
    match (value, base) {
        (Some(v), Some(b)) if v.is_finite() && b.is_finite() => {
            if b == 0.0 {
                if v == 0.0 {
                    format!("{times}1.00")
                } else {
                    "from 0".to_string()
                }
            } else {
                let r = v / b;
                // Small shares (a canary's traffic) keep a significant digit.
                if r < 0.095 {
                    format!("{times}{r:.3}")
                } else {
                    format!("{times}{r:.2}")
                }
            }
        }
        _ => "-".to_string(),
    }
}

/// `> +10% & ≥0.5pp`: when the metric breaches (both must hold); `-` for request rate.
fn threshold_text(kind: MetricKind, t: &Thresholds, ascii: bool) -> String {
    let ge = if ascii { ">=" } else { "≥" };
    let growth = format!("+{}%", trim(t.growth(kind) * 100.0));
    match kind {
        MetricKind::RequestRate => "-".to_string(),
        MetricKind::ErrorRatio => {
            format!("> {growth} & {ge}{}pp", trim(t.floor(kind) * 100.0))
        }
        MetricKind::LatencyP95 | MetricKind::LatencyP99 => {
            format!("> {growth} & {ge}{}", kind.format(Some(t.floor(kind))))
        }
    }
}

/// A number with at most two decimals, trailing zeros trimmed.
fn trim(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// `✔ ok`, `✖ breach +214%`, `? no data`; `-` for a metric that is not judged.
fn verdict_cell(v: Option<&Verdict>, ascii: bool) -> (String, Role) {
    let (ok, bad) = if ascii { ("+", "x") } else { ("✔", "✖") };
    match v {
        Some(Verdict::Healthy { .. }) => (format!("{ok} ok"), Role::StatusHealthy),
        Some(Verdict::Breach { growth, .. }) => (
            format!("{bad} breach {}", growth_label(*growth)),
            Role::StatusDegraded,
        ),
        Some(Verdict::NoData(_)) => ("? no data".to_string(), Role::StatusUnknown),
        None => ("-".to_string(), Role::ChromeDim),
    }
}

/// The Kayenta judge's second opinion on the chart's range samples, as one line.
fn judge_line(m: &MetricsState, key: &RolloutKey) -> (String, Role) {
    let prefix = "Kayenta judge:";
    if m.per_rollout
        .get(key)
        .is_some_and(|r| r.comparison == Comparison::AfterVsBefore)
    {
        return (
            format!("{prefix} judges a canary against its stable; not used after vs before"),
            Role::ChromeDim,
        );
    }
    let Some(chart) = m.chart.as_ref().filter(|c| c.key == *key) else {
        return (format!("{prefix} no range data yet"), Role::ChromeDim);
    };
    match (&chart.judge, &chart.error) {
        (_, Some(e)) => (
            format!("{prefix} range query failed: {e}"),
            Role::AlertWarning,
        ),
        (Some(j), None) => judge_summary(prefix, j),
        (None, None) => (format!("{prefix} no range data yet"), Role::ChromeDim),
    }
}

fn judge_summary(prefix: &str, j: &JudgeResult) -> (String, Role) {
    let active: Vec<_> = j.metrics.iter().filter(|v| !v.muted).collect();
    let no_data =
        |c: Classification| matches!(c, Classification::Nodata | Classification::NodataFail);
    if active.is_empty() || active.iter().all(|v| no_data(v.classification)) {
        return (format!("{prefix} no range data yet"), Role::ChromeDim);
    }
    let score = trim(j.score);
    let (word, role) = match j.verdict {
        JudgeVerdict::Pass => ("Pass", Role::StatusHealthy),
        JudgeVerdict::Marginal => ("Marginal", Role::AlertWarning),
        JudgeVerdict::Fail => ("Fail", Role::StatusDegraded),
    };
    let failing: Vec<String> = active
        .iter()
        .filter(|v| v.classification != Classification::Pass)
        .map(|v| format!("{} {:?}", v.name, v.classification))
        .collect();
    let detail = if failing.is_empty() {
        format!("{} pass", active.len())
    } else {
        failing.join(", ")
    };
    (format!("{prefix} {word} {score} ({detail})"), role)
}

#[cfg(test)]
#[path = "metrics_panel_tests.rs"]
mod tests;
