//! The trend columns of the metrics panel: one-line sparklines of the chart's range
//! samples per metric, canary and stable on one time axis (the peak of each time bucket),
//! judged metrics on a shared scale with the canary above the threshold band (stable ×
//! (1 + growth)) drawn in the threshold role. Request rates, split by the traffic weight,
//! get a scale per side.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::symbols::bar;
use ratatui::widgets::{Paragraph, Sparkline, SparklineBar};

use crate::domain::metrics::MetricKind;
use crate::domain::metrics::prom::Sample;
use crate::domain::metrics::rules::Thresholds;
use crate::state::metrics::Chart;
use crate::theme::{Role, Theme};

use crate::ui::widgets::styled;

/// ASCII bars for terminals without block elements.
const ASCII_BARS: bar::Set = bar::Set {
    full: "#",
    seven_eighths: "#",
    three_quarters: "=",
    five_eighths: "=",
    half: "-",
    three_eighths: "-",
    one_quarter: "_",
    one_eighth: "_",
    empty: " ",
};

/// Draws `labels` (`CANARY`, `STABLE`) as two trend columns into `area`: a heading line,
/// then one line per metric in the order of [`MetricKind::ALL`].
#[allow(clippy::too_many_arguments)]
pub(super) fn render_trends(
    chart: &Chart,
    labels: [&str; 2],
    t: &Thresholds,
    stale: bool,
    ascii: bool,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let trend = area.width.saturating_sub(1) / 2;
    for (i, label) in labels.iter().enumerate() {
        let x = area.x + (trend + 1) * i as u16;
        let head = Rect::new(x, area.y, trend, 1);
        let label = format!("{label} TREND");
        frame.render_widget(
            Paragraph::new(styled(label, theme.style(Role::ChromeDim))),
            head,
        );
    }
    for (row, kind) in MetricKind::ALL.iter().enumerate() {
        let y = area.y + 1 + row as u16;
        if y >= area.bottom() {
            break;
        }
        let Some([canary, stable]) = chart.data.series.get(kind) else {
            continue;
        };
        // Both sides on one time axis, in at most `trend` buckets (the peak of each).
        let n = usize::from(trend).min(canary.len().max(stable.len()));
        let span = time_span(canary, stable);
        let sides = [buckets(canary, span, n), buckets(stable, span, n)];
        // Request rates differ by the traffic split: each side has its own scale. The
        // judged metrics share one, with the threshold band, so a regression shows.
        let judged = *kind != MetricKind::RequestRate;
        let growth = t.growth(*kind);
        let peak = |b: &[Option<f64>]| b.iter().flatten().fold(0.0, |m: f64, v| m.max(*v));
        let shared = peak(&sides[0]).max(peak(&sides[1]) * (1.0 + growth));
        for (i, values) in sides.iter().enumerate() {
            let max = if judged { shared } else { peak(values) };
            // The canary above the band (stable × (1 + growth)) is drawn in the threshold role.
            let band = (judged && i == 0).then_some((sides[1].as_slice(), growth));
            let bars = spark_bars(values, band, max, theme);
            let role = if i == 0 {
                Role::ChartCanary
            } else {
                Role::ChartStable
            };
            let style = if stale {
                theme.style(Role::ChromeDim)
            } else {
                theme.style(role)
            };
            let spark = Sparkline::default()
                .data(bars)
                .max(SPARK_MAX)
                .style(style)
                .absent_value_symbol(" ")
                .bar_set(if ascii { ASCII_BARS } else { bar::NINE_LEVELS });
            let x = area.x + (trend + 1) * i as u16;
            frame.render_widget(spark, Rect::new(x, y, trend, 1));
        }
    }
}

/// The scale of the bars.
const SPARK_MAX: u64 = 64;

/// The first and last sample time of either side.
fn time_span(a: &[Sample], b: &[Sample]) -> (f64, f64) {
    a.iter()
        .chain(b)
        .map(|s| s.t)
        .filter(|t| t.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), t| {
            (lo.min(t), hi.max(t))
        })
}

/// The samples in `n` equal time buckets over `span`, the peak of each; `None` for a bucket
/// without a finite sample.
fn buckets(samples: &[Sample], (lo, hi): (f64, f64), n: usize) -> Vec<Option<f64>> {
    let mut out: Vec<Option<f64>> = vec![None; n];
    let width = (hi - lo).max(f64::EPSILON);
    for s in samples
        .iter()
        .filter(|s| s.v.is_finite() && s.t.is_finite())
    {
        let pos = ((s.t - lo) / width * n as f64).floor().max(0.0) as usize;
        if let Some(slot) = out.get_mut(pos.min(n.saturating_sub(1))) {
            *slot = Some(slot.map_or(s.v, |m| m.max(s.v)));
        }
    }
    out
}

/// Bars scaled to `max`; with a `band`, a value above the other side's value at the same
/// bucket × (1 + growth) gets the threshold role.
fn spark_bars(
    values: &[Option<f64>],
    band: Option<(&[Option<f64>], f64)>,
    max: f64,
    theme: &Theme,
) -> Vec<SparklineBar> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let Some(v) = *v else {
                return SparklineBar::from(None::<u64>);
            };
            let level = if max > 0.0 {
                (v / max * SPARK_MAX as f64)
                    .round()
                    .clamp(0.0, SPARK_MAX as f64) as u64
            } else {
                0
            };
            let above = band.is_some_and(|(other, g)| {
                other
                    .get(i)
                    .copied()
                    .flatten()
                    .is_some_and(|b| v > b * (1.0 + g))
            });
            let bar = SparklineBar::from(level);
            if above {
                bar.style(Some(theme.style(Role::ChartThreshold)))
            } else {
                bar
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_fall_into_time_buckets_at_their_peak() {
        let s = |t: f64, v: f64| Sample { t, v };
        let canary = [s(0.0, 1.0), s(10.0, 4.0), s(20.0, 2.0), s(30.0, f64::NAN)];
        let stable = [s(0.0, 1.0), s(30.0, 1.0)];
        let span = time_span(&canary, &stable);
        assert_eq!(span, (0.0, 30.0));
        assert_eq!(
            buckets(&canary, span, 2),
            [Some(4.0), Some(2.0)],
            "10 s lands in the first half, 20 s in the second; NaN is left out"
        );
        assert_eq!(buckets(&stable, span, 3), [Some(1.0), None, Some(1.0)]);
        assert!(buckets(&[], span, 0).is_empty());
    }
}
