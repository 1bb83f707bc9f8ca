//! The AnalysisRuns of the rollout, newest first: for each metric its latest measurements
//! (value, age, phase), its condition as a threshold (`≥ 0.95`), its failure and error
//! counters against their limits, its message and a sparkline of the numeric values.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::domain::revision::{AnalysisMetricView, AnalysisRunView, Threshold};
use crate::domain::rollout::{ControllerKind, RolloutRow, format_age};
use crate::state::AppState;
use crate::state::detail::DetailState;
use crate::theme::{Role, Theme};

use super::super::widgets::{dot, styled, truncate, warn_sign};
use super::{analysis_symbol, panel, symbol};

/// Measurements listed per metric (the sparkline shows more).
const LATEST: usize = 3;
/// Values in a sparkline at most.
const SPARK: usize = 16;

pub fn render(
    state: &AppState,
    theme: &Theme,
    d: &DetailState,
    row: &RolloutRow,
    frame: &mut Frame,
    area: Rect,
) {
    let ascii = state.ascii;
    let width = usize::from(area.width.saturating_sub(2));
    let dim = theme.style(Role::ChromeDim);
    let runs = d.snapshot.as_ref().map(|s| s.analysis.as_slice());
    let mut lines: Vec<Line> = Vec::new();
    match runs {
        None => lines.push(Line::from(styled(
            if ascii {
                "loading analysis runs..."
            } else {
                "loading analysis runs…"
            },
            dim,
        ))),
        Some([]) => {
            let text = match (row.key.kind, &row.flagger) {
                (ControllerKind::Flagger, Some(f)) => format!(
                    "Flagger checks its metrics itself: failed checks {}/{}; the values are in the metrics panel",
                    f.failed_checks,
                    f.threshold.map_or("-".to_string(), |t| t.to_string())
                ),
                (ControllerKind::Deployment, _) => "a Deployment has no analysis".to_string(),
                _ => "no analysis runs".to_string(),
            };
            lines.push(Line::from(styled(truncate(&text, width, ascii), dim)));
        }
        Some(runs) => {
            for run in runs {
                run_lines(state, theme, run, width, &mut lines);
            }
        }
    }
    let height = usize::from(area.height.saturating_sub(2));
    let mut title = vec![styled(" Analysis ", theme.style(Role::ChromeTitle))];
    if let Some(runs) = runs.filter(|r| !r.is_empty()) {
        let plural = if runs.len() == 1 { "run" } else { "runs" };
        title.push(styled(format!("{} {plural} ", runs.len()), dim));
    }
    if lines.len() > height {
        title.push(styled(
            format!("{} +{} lines below ", dot(ascii), lines.len() - height),
            dim,
        ));
    }
    let block = panel(theme, ascii, title);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn run_lines(
    state: &AppState,
    theme: &Theme,
    run: &AnalysisRunView,
    width: usize,
    out: &mut Vec<Line<'static>>,
) {
    let ascii = state.ascii;
    let dim = theme.style(Role::ChromeDim);
    let (sym, role) = analysis_symbol(&run.phase);
    let alpha = if ascii { "a" } else { "α" };
    let mut facts = vec![if run.background { "background" } else { "step" }.to_string()];
    if let Some(r) = run.revision {
        facts.push(format!("rev {r}"));
    }
    if let Some(t) = run.created {
        facts.push(format_age(t, state.now));
    }
    let head = format!("{alpha} {} ", run.name);
    let status = format!("{} {}", symbol(sym, ascii), run.phase);
    let tail = format!("  {}", facts.join(&format!(" {} ", dot(ascii))));
    out.push(Line::from(vec![
        styled(truncate(&head, width, ascii), theme.style(Role::ChromeText)),
        styled(status, theme.style(role)),
        styled(tail, dim),
    ]));
    if !run.message.is_empty() {
        out.push(indent(&run.message, 2, width, theme.style(role), ascii));
    }
    for m in &run.metrics {
        metric_lines(state, theme, m, width, out);
    }
}

fn metric_lines(
    state: &AppState,
    theme: &Theme,
    m: &AnalysisMetricView,
    width: usize,
    out: &mut Vec<Line<'static>>,
) {
    let ascii = state.ascii;
    let dim = theme.style(Role::ChromeDim);
    let (sym, role) = analysis_symbol(&m.phase);
    let limit = |l: Option<i64>, default: i64| l.unwrap_or(default);
    let failed_over = i64::from(m.failed) > limit(m.failure_limit, 0);
    let counters = format!(
        "failed {}/{} {} errors {}/{}",
        m.failed,
        limit(m.failure_limit, 0),
        dot(ascii),
        m.consecutive_error,
        limit(m.consecutive_error_limit, 4)
    );
    let condition = condition_text(m, ascii);
    let mut spans = vec![
        Span::raw("  "),
        styled(
            format!("{} {} ", symbol(sym, ascii), m.name),
            theme.style(role),
        ),
        styled(format!("{}  ", m.phase), theme.style(role)),
    ];
    if !condition.is_empty() {
        spans.push(styled(
            format!("{condition}  "),
            theme.style(Role::ChartThreshold),
        ));
    }
    spans.push(styled(
        counters,
        if failed_over {
            theme.style(Role::StatusDegraded)
        } else {
            dim
        },
    ));
    out.push(clip(spans, width, ascii));

    // The latest measurements, newest first, then the sparkline of all values.
    let mut spans = vec![Span::raw("    ")];
    if m.measurements.is_empty() {
        spans.push(styled("no measurements yet", dim));
    }
    for (i, ms) in m.measurements.iter().rev().take(LATEST).enumerate() {
        if i > 0 {
            spans.push(styled(format!(" {} ", dot(ascii)), dim));
        }
        let (s, r) = analysis_symbol(&ms.phase);
        let age = ms
            .at
            .map(|t| format!(" {}", format_age(t, state.now)))
            .unwrap_or_default();
        spans.push(styled(
            format!("{} {}", ms.value, symbol(s, ascii)),
            theme.style(r),
        ));
        spans.push(styled(age, dim));
    }
    let values: Vec<f64> = m
        .measurements
        .iter()
        .filter_map(|ms| numeric(&ms.value))
        .collect();
    if values.len() > 1 {
        let from = values.len().saturating_sub(SPARK);
        let spark = sparkline(
            &values[from..],
            m.threshold.as_ref().map(|t| t.value),
            ascii,
        );
        spans.push(styled("   ", dim));
        spans.push(styled(spark, theme.style(Role::ChartCanary)));
        if let Some(t) = &m.threshold {
            spans.push(styled(
                format!(" vs {}", threshold_text(t, ascii)),
                theme.style(Role::ChartThreshold),
            ));
        }
    }
    out.push(clip(spans, width, ascii));
    let message = m
        .measurements
        .last()
        .map(|ms| ms.message.as_str())
        .filter(|s| !s.is_empty())
        .unwrap_or(&m.message);
    if !message.is_empty() {
        out.push(indent(
            &format!("{} {message}", warn_sign(ascii)),
            4,
            width,
            theme.style(Role::AlertWarning),
            ascii,
        ));
    }
}

/// `≥ 0.95` for a success condition, `fail if > 0.05` for a failure condition; the raw
/// conditions when they did not parse.
fn condition_text(m: &AnalysisMetricView, ascii: bool) -> String {
    if let Some(t) = &m.threshold {
        return threshold_text(t, ascii);
    }
    let mut parts = Vec::new();
    if !m.success_condition.is_empty() {
        parts.push(format!("pass if {}", m.success_condition));
    }
    if !m.failure_condition.is_empty() {
        parts.push(format!("fail if {}", m.failure_condition));
    }
    parts.join("; ")
}

pub(super) fn threshold_text(t: &Threshold, ascii: bool) -> String {
    let op = match (t.op.as_str(), ascii) {
        (">=", false) => "≥",
        ("<=", false) => "≤",
        ("!=", false) => "≠",
        ("==", _) => "=",
        (op, _) => op,
    };
    if t.success {
        format!("{op} {}", t.value)
    } else {
        format!("fail if {op} {}", t.value)
    }
}

/// The first number of a measured value: `0.98`, `[0.98,0.97]`, `[0.98]`.
pub(super) fn numeric(value: &str) -> Option<f64> {
    let v = value.trim().trim_start_matches('[').trim_end_matches(']');
    let first = v.split(',').next()?.trim();
    first.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// One bar per value, scaled over the values and the threshold (so a value past the
/// threshold sits visibly above or below it).
pub(super) fn sparkline(values: &[f64], threshold: Option<f64>, ascii: bool) -> String {
    let bars: &[char] = if ascii {
        &['_', '.', '-', '~', '=', '+', '*', '#']
    } else {
        &['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█']
    };
    let all = values.iter().copied().chain(threshold);
    let lo = all.clone().fold(f64::INFINITY, f64::min);
    let hi = all.fold(f64::NEG_INFINITY, f64::max);
    let top = (bars.len() - 1) as f64;
    values
        .iter()
        .map(|v| {
            let i = if hi > lo {
                ((v - lo) / (hi - lo) * top).round()
            } else {
                top / 2.0
            };
            bars[(i.clamp(0.0, top)) as usize]
        })
        .collect()
}

fn indent(
    text: &str,
    n: usize,
    width: usize,
    style: ratatui::style::Style,
    ascii: bool,
) -> Line<'static> {
    Line::from(styled(
        truncate(&format!("{}{text}", " ".repeat(n)), width, ascii),
        style,
    ))
}

/// Cuts a line of spans to `width` columns.
fn clip(spans: Vec<Span<'static>>, width: usize, ascii: bool) -> Line<'static> {
    use unicode_width::UnicodeWidthStr;
    let mut used = 0;
    let mut out = Vec::new();
    for s in spans {
        let w = s.content.width();
        if used + w <= width {
            used += w;
            out.push(s);
        } else {
            let room = width.saturating_sub(used);
            if room > 1 {
                out.push(Span::styled(truncate(&s.content, room, ascii), s.style));
            }
            break;
        }
    }
    Line::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_parse_from_vectors_and_scalars() {
        assert_eq!(numeric("0.98"), Some(0.98));
        assert_eq!(numeric("[0.91,0.99]"), Some(0.91));
        assert_eq!(numeric("[]"), None);
        assert_eq!(numeric("NaN"), None);
        assert_eq!(numeric("oops"), None);
    }

    #[test]
    fn sparklines_scale_with_the_threshold() {
        assert_eq!(sparkline(&[0.0, 1.0], None, false), "▁█");
        assert_eq!(sparkline(&[0.5, 0.5], None, true), "~~");
        // The threshold 1.0 tops the scale: 0.5 sits in the middle.
        assert_eq!(sparkline(&[0.0, 0.5], Some(1.0), false), "▁▅");
    }

    #[test]
    fn thresholds_read_as_math() {
        let t = Threshold {
            op: ">=".into(),
            value: 0.95,
            success: true,
        };
        assert_eq!(threshold_text(&t, false), "≥ 0.95");
        assert_eq!(threshold_text(&t, true), ">= 0.95");
        let f = Threshold {
            op: ">".into(),
            value: 0.05,
            success: false,
        };
        assert_eq!(threshold_text(&f, false), "fail if > 0.05");
    }
}
