//! What the judge is told: the Kayenta-relevant parts of a canary config.
//!
//! Field names follow Kayenta's canary config (`analysisConfigurations.canary.*` for a metric,
//! `classifier.*` for groups and thresholds) so a Kayenta config maps over field by field; see
//! [`super::kayenta`] for the converter.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Confidence level of the Mann-Whitney interval used by Kayenta's NetflixACAJudge.
pub const DEFAULT_CONFIDENCE: f64 = 0.98;
/// Dead band around zero, as a fraction of |estimate| (Kayenta's classifier `tolerance`).
pub const DEFAULT_DEAD_BAND: f64 = 0.25;
/// Fewest samples per side (after NaN and outlier handling) for a verdict other than Nodata.
pub const DEFAULT_MIN_SAMPLES: usize = 10;
/// Kayenta's default `outliers.outlierFactor`.
pub const DEFAULT_OUTLIER_FACTOR: f64 = 3.0;

/// Everything the judge needs besides the samples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct JudgeConfig {
    /// Confidence level of the interval, strictly between 0 and 1.
    pub confidence: f64,
    /// Dead band as a fraction of |estimate|: High needs `ci_low > dead_band × |estimate|`.
    pub dead_band: f64,
    /// Fewest usable samples per side; fewer is Nodata (values below 1 act as 1).
    pub min_samples: usize,
    /// Summary score thresholds.
    pub thresholds: ScoreThresholds,
    /// Group weights in percent. Groups without a weight share what is left of 100 equally.
    pub group_weights: BTreeMap<String, f64>,
    /// One entry per judged metric, in display order.
    pub metrics: Vec<MetricConfig>,
}

impl Default for JudgeConfig {
    fn default() -> Self {
        Self {
            confidence: DEFAULT_CONFIDENCE,
            dead_band: DEFAULT_DEAD_BAND,
            min_samples: DEFAULT_MIN_SAMPLES,
            thresholds: ScoreThresholds::default(),
            group_weights: BTreeMap::new(),
            metrics: Vec::new(),
        }
    }
}

impl JudgeConfig {
    /// Checks the values the judge relies on; the judge itself never fails, but a config that
    /// does not validate produces Error metrics or meaningless scores.
    pub fn validate(&self) -> Result<(), JudgeConfigError> {
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            return Err(JudgeConfigError::Confidence(self.confidence));
        }
        if !(self.dead_band >= 0.0 && self.dead_band.is_finite()) {
            return Err(JudgeConfigError::DeadBand(self.dead_band));
        }
        let ScoreThresholds { pass, marginal } = self.thresholds;
        if !(pass.is_finite() && marginal.is_finite() && marginal <= pass) {
            return Err(JudgeConfigError::Thresholds { pass, marginal });
        }
        if let Some((group, &weight)) = self
            .group_weights
            .iter()
            .find(|(_, w)| !(w.is_finite() && **w >= 0.0))
        {
            return Err(JudgeConfigError::Weight {
                group: group.clone(),
                weight,
            });
        }
        let total: f64 = self.group_weights.values().sum();
        if total > 100.0 + 1e-9 {
            return Err(JudgeConfigError::WeightSum(total));
        }
        let mut seen = std::collections::BTreeSet::new();
        for metric in &self.metrics {
            if !seen.insert(metric.name.as_str()) {
                return Err(JudgeConfigError::DuplicateMetric(metric.name.clone()));
            }
            let factor = metric.outliers.outlier_factor;
            if !(factor > 0.0 && factor.is_finite()) {
                return Err(JudgeConfigError::OutlierFactor {
                    metric: metric.name.clone(),
                    factor,
                });
            }
        }
        Ok(())
    }

    /// The metric config of that name, if any.
    pub fn metric(&self, name: &str) -> Option<&MetricConfig> {
        self.metrics.iter().find(|m| m.name == name)
    }
}

/// A config value the judge cannot work with.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum JudgeConfigError {
    #[error("confidence must lie strictly between 0 and 1, got {0}")]
    Confidence(f64),
    #[error("dead band must be a finite number ≥ 0, got {0}")]
    DeadBand(f64),
    #[error("score thresholds need marginal ≤ pass, got pass {pass}, marginal {marginal}")]
    Thresholds { pass: f64, marginal: f64 },
    #[error("group {group:?} has weight {weight}; weights must be finite and ≥ 0")]
    Weight { group: String, weight: f64 },
    #[error("group weights add up to {0}, more than 100")]
    WeightSum(f64),
    #[error("metric {0:?} is configured twice")]
    DuplicateMetric(String),
    #[error("metric {metric:?} has outlier factor {factor}; it must be > 0")]
    OutlierFactor { metric: String, factor: f64 },
}

/// Summary score thresholds (Kayenta's `scoreThresholds`): Pass at or above `pass`, Marginal at
/// or above `marginal`, Fail below.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScoreThresholds {
    pub pass: f64,
    pub marginal: f64,
}

impl Default for ScoreThresholds {
    fn default() -> Self {
        Self {
            pass: 75.0,
            marginal: 50.0,
        }
    }
}

/// How one metric is judged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct MetricConfig {
    /// Metric name; samples are matched to it by name.
    pub name: String,
    /// Unit shown in the reason line, e.g. `"s"` or `"%"`.
    pub unit: Option<String>,
    /// Groups the metric scores in.
    pub groups: Vec<String>,
    /// Which change counts as a regression.
    pub direction: Direction,
    /// A critical metric that does not Pass forces the summary score to 0.
    pub critical: bool,
    /// Missing data counts as a failure in the group score (NodataFail) instead of Nodata.
    pub must_have_data: bool,
    /// Muted metrics are judged and shown but left out of every score.
    pub muted: bool,
    /// What to do with NaN samples.
    pub nan_strategy: NanStrategy,
    /// Optional outlier removal.
    pub outliers: OutlierConfig,
    /// Effect-size gate applied on top of the interval test.
    pub effect_size: EffectSizeConfig,
}

impl Default for MetricConfig {
    fn default() -> Self {
        Self::new("")
    }
}

impl MetricConfig {
    /// A metric with Kayenta's defaults: either direction, not critical, NaNs removed,
    /// outliers kept, mean-ratio effect size with neutral thresholds.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            unit: None,
            groups: Vec::new(),
            direction: Direction::Either,
            critical: false,
            must_have_data: false,
            muted: false,
            nan_strategy: NanStrategy::Remove,
            outliers: OutlierConfig::default(),
            effect_size: EffectSizeConfig::default(),
        }
    }
}

/// Which direction of change is judged (Kayenta's `direction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Only a higher canary is flagged (High).
    Increase,
    /// Only a lower canary is flagged (Low).
    Decrease,
    /// Both.
    #[default]
    Either,
}

impl Direction {
    pub fn allows_increase(self) -> bool {
        matches!(self, Self::Increase | Self::Either)
    }

    pub fn allows_decrease(self) -> bool {
        matches!(self, Self::Decrease | Self::Either)
    }
}

/// Kayenta's `nanStrategy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NanStrategy {
    /// Drop NaN samples.
    #[default]
    Remove,
    /// Count NaN samples as 0.
    Replace,
}

/// Kayenta's `outliers` block.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct OutlierConfig {
    pub strategy: OutlierStrategy,
    /// Multiple of the inter-quartile range beyond the quartiles that counts as an outlier.
    pub outlier_factor: f64,
}

impl Default for OutlierConfig {
    fn default() -> Self {
        Self {
            strategy: OutlierStrategy::Keep,
            outlier_factor: DEFAULT_OUTLIER_FACTOR,
        }
    }
}

/// Kayenta's `outliers.strategy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutlierStrategy {
    #[default]
    Keep,
    /// Drop samples outside the (desensitised) IQR fences, each side separately.
    Remove,
}

/// Kayenta's `effectSize` block: High also needs the effect ≥ `allowed_increase`, Low needs it
/// ≤ `allowed_decrease`; a critical High/Low only forces the score to 0 past the `critical_*`
/// values. Unset thresholds default to the neutral effect (1.0 for the mean ratio, 0.5 for
/// CLES), which makes the gate a no-op.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct EffectSizeConfig {
    pub measure: EffectMeasure,
    pub allowed_increase: Option<f64>,
    pub allowed_decrease: Option<f64>,
    pub critical_increase: Option<f64>,
    pub critical_decrease: Option<f64>,
}

impl EffectSizeConfig {
    /// The effect value meaning "no change" for the measure.
    pub fn neutral(&self) -> f64 {
        match self.measure {
            EffectMeasure::MeanRatio => 1.0,
            EffectMeasure::Cles => 0.5,
        }
    }

    pub fn allowed_increase(&self) -> f64 {
        self.allowed_increase.unwrap_or(self.neutral())
    }

    pub fn allowed_decrease(&self) -> f64 {
        self.allowed_decrease.unwrap_or(self.neutral())
    }

    pub fn critical_increase(&self) -> f64 {
        self.critical_increase.unwrap_or(self.neutral())
    }

    pub fn critical_decrease(&self) -> f64 {
        self.critical_decrease.unwrap_or(self.neutral())
    }
}

/// Kayenta's `effectSize.measure`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum EffectMeasure {
    /// Canary mean / baseline mean.
    #[default]
    #[serde(rename = "meanRatio")]
    MeanRatio,
    /// Common-language effect size, P(canary > baseline).
    #[serde(rename = "cles")]
    Cles,
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
