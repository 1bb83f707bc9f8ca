//! Per-metric classification (Kayenta's MannWhitneyClassifier inside NetflixACAJudge).

use serde::Serialize;

use super::config::{EffectMeasure, JudgeConfig, MetricConfig};
use super::format::{number, percent_change, with_unit};
use super::mann_whitney::{cles_sorted, mann_whitney_sorted};
use super::preprocess::prepare;
use super::stats::mean;

/// Outcome for one metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Classification {
    /// No significant change (or only in a direction the metric ignores).
    Pass,
    /// The canary is significantly higher than the baseline.
    High,
    /// The canary is significantly lower than the baseline.
    Low,
    /// Too few samples on a side; left out of the group score.
    Nodata,
    /// Too few samples on a side of a `mustHaveData` metric; fails in the group score.
    NodataFail,
    /// The test could not run (non-finite samples, no config, degenerate data).
    Error,
}

impl Classification {
    pub fn label(self) -> &'static str {
        match self {
            Self::Pass => "Pass",
            Self::High => "High",
            Self::Low => "Low",
            Self::Nodata => "Nodata",
            Self::NodataFail => "NodataFail",
            Self::Error => "Error",
        }
    }
}

impl std::fmt::Display for Classification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// Confidence interval of the shift canary − baseline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

/// The judgement of one metric, with everything needed to display it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricVerdict {
    pub name: String,
    pub groups: Vec<String>,
    pub classification: Classification,
    /// This result forces the summary score to 0 (a critical metric that did not Pass, within
    /// its critical effect-size thresholds).
    pub critical: bool,
    /// Shown but left out of every score.
    pub muted: bool,
    /// Interval of the shift canary − baseline, when the test ran.
    pub interval: Option<Interval>,
    /// Hodges-Lehmann-type estimate of the shift, when the test ran.
    pub estimate: Option<f64>,
    /// Canary mean / baseline mean; `None` when a side is empty or either mean is 0.
    pub mean_ratio: Option<f64>,
    /// P(canary sample > baseline sample), ties counting half; `None` when a side is empty.
    pub cles: Option<f64>,
    pub experiment_mean: Option<f64>,
    pub control_mean: Option<f64>,
    /// Samples used per side, after NaN and outlier handling.
    pub experiment_count: usize,
    pub control_count: usize,
    /// One line for humans, e.g. `p99 High: canary +38 % (CI 0.11–0.19 s)`.
    pub reason: String,
}

/// Judges one metric's raw samples (NaNs allowed) against its config.
pub fn classify_metric(
    config: &JudgeConfig,
    metric: &MetricConfig,
    experiment: &[f64],
    control: &[f64],
) -> MetricVerdict {
    let exp = prepare(experiment, metric);
    let ctl = prepare(control, metric);
    let mut verdict = describe(metric, &exp, &ctl);
    let unit = metric.unit.as_deref();
    let name = &metric.name;

    let min = config.min_samples.max(1);
    if exp.len() < min || ctl.len() < min {
        let required = metric.must_have_data && !metric.critical;
        verdict.classification = if required {
            Classification::NodataFail
        } else {
            Classification::Nodata
        };
        verdict.critical = metric.critical;
        verdict.reason = format!(
            "{name} {}: {} canary / {} baseline samples, {min} needed{}",
            verdict.classification,
            exp.len(),
            ctl.len(),
            if required { " (data required)" } else { "" },
        );
        return verdict;
    }
    if exp.iter().chain(&ctl).any(|v| !v.is_finite()) {
        return error(verdict, metric, "a sample is infinite");
    }
    if exp == ctl {
        verdict.reason = format!("{name} Pass: canary and baseline samples are identical");
        return verdict;
    }
    let (e0, e1, c0, c1) = (exp[0], exp[exp.len() - 1], ctl[0], ctl[ctl.len() - 1]);
    if e0 == e1 && c0 == c1 && e0 == c0 {
        let value = with_unit(&number(e0), unit);
        verdict.reason = format!("{name} Pass: every sample is {value}");
        return verdict;
    }

    let (low, high, estimate) = if e0 == e1 && c0 == c1 {
        // Each side is one repeated value: the shift is known exactly. (Kayenta jitters the
        // data with Gaussian noise here; a deterministic judge uses the exact shift.)
        let shift = e0 - c0;
        (shift, shift, shift)
    } else {
        match mann_whitney_sorted(&exp, &ctl, config.confidence) {
            Ok(r) => (r.ci_low, r.ci_high, r.estimate),
            Err(e) => return error(verdict, metric, &e.to_string()),
        }
    };
    verdict.interval = Some(Interval { low, high });
    verdict.estimate = Some(estimate);

    let band = config.dead_band * estimate.abs();
    let effect = match metric.effect_size.measure {
        EffectMeasure::MeanRatio => verdict.mean_ratio,
        EffectMeasure::Cles => verdict.cles,
    };
    // An effect size that cannot be computed does not gate (Kayenta).
    let at_least = |threshold: f64| effect.is_none_or(|e| e >= threshold);
    let at_most = |threshold: f64| effect.is_none_or(|e| e <= threshold);
    let sizes = &metric.effect_size;
    let (classification, critical) =
        if metric.direction.allows_increase() && low > band && at_least(sizes.allowed_increase()) {
            (
                Classification::High,
                metric.critical && at_least(sizes.critical_increase()),
            )
        } else if metric.direction.allows_decrease()
            && high < -band
            && at_most(sizes.allowed_decrease())
        {
            (
                Classification::Low,
                metric.critical && at_most(sizes.critical_decrease()),
            )
        } else {
            (Classification::Pass, false)
        };
    verdict.classification = classification;
    verdict.critical = critical;
    let change = match verdict.mean_ratio {
        Some(ratio) => percent_change(ratio),
        None => format!("shift {}", with_unit(&signed(estimate), unit)),
    };
    let interval = with_unit(&format!("{}–{}", number(low), number(high)), unit);
    verdict.reason = format!(
        "{name} {classification}{}: canary {change} (CI {interval})",
        if critical { " (critical)" } else { "" },
    );
    verdict
}

/// The verdict for a sample set without a metric config: shown, never scored.
pub fn unconfigured(name: &str, experiment: &[f64], control: &[f64]) -> MetricVerdict {
    let metric = MetricConfig {
        muted: true,
        ..MetricConfig::new(name)
    };
    let exp = prepare(experiment, &metric);
    let ctl = prepare(control, &metric);
    error(
        describe(&metric, &exp, &ctl),
        &metric,
        "no metric config of that name",
    )
}

/// A Pass verdict carrying the descriptive statistics of the prepared samples.
fn describe(metric: &MetricConfig, exp: &[f64], ctl: &[f64]) -> MetricVerdict {
    let experiment_mean = mean(exp);
    let control_mean = mean(ctl);
    MetricVerdict {
        name: metric.name.clone(),
        groups: metric.groups.clone(),
        classification: Classification::Pass,
        critical: false,
        muted: metric.muted,
        interval: None,
        estimate: None,
        mean_ratio: match (experiment_mean, control_mean) {
            (Some(e), Some(c)) if e != 0.0 && c != 0.0 => Some(e / c),
            _ => None,
        },
        cles: cles_sorted(exp, ctl),
        experiment_mean,
        control_mean,
        experiment_count: exp.len(),
        control_count: ctl.len(),
        reason: String::new(),
    }
}

fn error(mut verdict: MetricVerdict, metric: &MetricConfig, why: &str) -> MetricVerdict {
    verdict.classification = Classification::Error;
    verdict.critical = metric.critical;
    verdict.reason = format!("{} Error: {why}", metric.name);
    verdict
}

fn signed(v: f64) -> String {
    let text = number(v);
    if v > 0.0 && text != "0" {
        format!("+{text}")
    } else {
        text
    }
}

#[cfg(test)]
#[path = "classify_tests.rs"]
mod tests;
