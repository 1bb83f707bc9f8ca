//! Reading the judge-relevant parts of a Kayenta canary config (its JSON shape) into a
//! [`JudgeConfig`]. Pure: the caller supplies the text.
//!
//! Mapped: `metrics[].name`, `metrics[].groups`, `metrics[].analysisConfigurations.canary`
//! (`direction`, `critical`, `mustHaveData`, `muted`, `nanStrategy`, `outliers.strategy`,
//! `outliers.outlierFactor`, `effectSize.*`), `classifier.groupWeights` and
//! `classifier.scoreThresholds`. Strings are read as Kayenta reads them: an unknown
//! `direction` means "either", an unknown `nanStrategy` means "remove", an unknown outlier
//! strategy means "keep", an effect measure other than `"cles"` means the mean ratio.
//! Everything else (queries, templates, scopes, the judge name) is ignored; the confidence,
//! dead band and sample minimum keep their defaults.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::config::{
    Direction, EffectMeasure, EffectSizeConfig, JudgeConfig, MetricConfig, NanStrategy,
    OutlierConfig, OutlierStrategy, ScoreThresholds,
};

/// The text is not a Kayenta canary config.
#[derive(Debug, thiserror::Error)]
#[error("not a Kayenta canary config: {0}")]
pub struct KayentaConfigError(#[from] serde_json::Error);

/// Converts a Kayenta canary config (JSON text).
pub fn from_kayenta_canary_config(json: &str) -> Result<JudgeConfig, KayentaConfigError> {
    let raw: RawConfig = serde_json::from_str(json)?;
    let defaults = JudgeConfig::default();
    let classifier = raw.classifier.unwrap_or_default();
    Ok(JudgeConfig {
        thresholds: classifier.score_thresholds.unwrap_or(defaults.thresholds),
        group_weights: classifier.group_weights,
        metrics: raw
            .metrics
            .into_iter()
            .map(RawMetric::into_config)
            .collect(),
        ..defaults
    })
}

#[derive(Deserialize)]
struct RawConfig {
    #[serde(default)]
    metrics: Vec<RawMetric>,
    #[serde(default)]
    classifier: Option<RawClassifier>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawClassifier {
    #[serde(default)]
    group_weights: BTreeMap<String, f64>,
    #[serde(default)]
    score_thresholds: Option<ScoreThresholds>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawMetric {
    name: String,
    #[serde(default)]
    groups: Vec<String>,
    #[serde(default)]
    analysis_configurations: RawAnalysis,
}

#[derive(Deserialize, Default)]
struct RawAnalysis {
    #[serde(default)]
    canary: RawCanary,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawCanary {
    direction: Option<String>,
    critical: Option<bool>,
    must_have_data: Option<bool>,
    muted: Option<bool>,
    nan_strategy: Option<String>,
    outliers: Option<RawOutliers>,
    effect_size: Option<RawEffectSize>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawOutliers {
    strategy: Option<String>,
    outlier_factor: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawEffectSize {
    measure: Option<String>,
    allowed_increase: Option<f64>,
    allowed_decrease: Option<f64>,
    critical_increase: Option<f64>,
    critical_decrease: Option<f64>,
}

impl RawMetric {
    fn into_config(self) -> MetricConfig {
        let canary = self.analysis_configurations.canary;
        let outliers = canary.outliers.unwrap_or_default();
        let effect = canary.effect_size.unwrap_or_default();
        MetricConfig {
            direction: match canary.direction.as_deref() {
                Some("increase") => Direction::Increase,
                Some("decrease") => Direction::Decrease,
                _ => Direction::Either,
            },
            critical: canary.critical.unwrap_or(false),
            must_have_data: canary.must_have_data.unwrap_or(false),
            muted: canary.muted.unwrap_or(false),
            nan_strategy: match canary.nan_strategy.as_deref() {
                Some("replace") => NanStrategy::Replace,
                _ => NanStrategy::Remove,
            },
            outliers: OutlierConfig {
                strategy: match outliers.strategy.as_deref() {
                    Some("remove") => OutlierStrategy::Remove,
                    _ => OutlierStrategy::Keep,
                },
                outlier_factor: outliers
                    .outlier_factor
                    .unwrap_or(OutlierConfig::default().outlier_factor),
            },
            effect_size: EffectSizeConfig {
                measure: match effect.measure.as_deref() {
                    Some("cles") => EffectMeasure::Cles,
                    _ => EffectMeasure::MeanRatio,
                },
                allowed_increase: effect.allowed_increase,
                allowed_decrease: effect.allowed_decrease,
                critical_increase: effect.critical_increase,
                critical_decrease: effect.critical_decrease,
            },
            groups: self.groups,
            ..MetricConfig::new(self.name)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape of Kayenta's integration-test configs (muted-metric.json), trimmed.
    const MUTED: &str = r#"{
      "name": "integration-test-canary-config",
      "judge": { "judgeConfigurations": {}, "name": "NetflixACAJudge-v1.0" },
      "metrics": [
        { "name": "Failing metric",
          "query": { "type": "prometheus", "metricName": "integration_failing_metric" },
          "analysisConfigurations": { "canary": { "critical": true, "muted": true, "direction": "increase" } },
          "groups": ["pod-group"], "scopeName": "default" },
        { "name": "Successful metric",
          "query": { "type": "prometheus", "metricName": "integration_successful_metric" },
          "analysisConfigurations": { "canary": {
              "critical": true, "direction": "increase", "nanStrategy": "replace",
              "outliers": { "strategy": "remove", "outlierFactor": 1.5 },
              "effectSize": { "measure": "cles", "allowedIncrease": 0.8, "criticalIncrease": 0.9 } } },
          "groups": ["pod-group"], "scopeName": "default" }
      ],
      "classifier": { "groupWeights": { "pod-group": 100 }, "scoreThresholds": { "marginal": 50, "pass": 75 } }
    }"#;

    /// The older shape of Kayenta's test-config.json: `extensions` instead of
    /// `analysisConfigurations` (ignored, as Kayenta does), two weighted groups of four.
    const OLD_SHAPE: &str = r#"{
      "configVersion": 1.0,
      "metrics": [
        { "name": "cpu", "query": { "type": "atlas", "q": "name,CpuRawUser,:eq,:sum" },
          "extensions": { "canary": { } }, "groups": ["system", "example"] },
        { "name": "foo", "query": { "type": "atlas", "q": "name,foo,:eq" },
          "extensions": { "canary": { } }, "groups": ["bar"] }
      ],
      "classifier": { "groupWeights": { "requests": 50.0, "system": 50.0 },
                      "scoreThresholds": { "pass": 95.0, "marginal": 75.0 } }
    }"#;

    #[test]
    fn reads_integration_test_shape() {
        let config = from_kayenta_canary_config(MUTED).unwrap();
        assert_eq!(
            config.thresholds,
            ScoreThresholds {
                pass: 75.0,
                marginal: 50.0
            }
        );
        assert_eq!(config.group_weights.get("pod-group"), Some(&100.0));
        let [failing, ok] = config.metrics.as_slice() else {
            panic!("two metrics")
        };
        assert_eq!(failing.name, "Failing metric");
        assert!(failing.critical && failing.muted);
        assert_eq!(failing.direction, Direction::Increase);
        assert_eq!(failing.groups, vec!["pod-group".to_owned()]);
        assert_eq!(ok.nan_strategy, NanStrategy::Replace);
        assert_eq!(ok.outliers.strategy, OutlierStrategy::Remove);
        assert_eq!(ok.outliers.outlier_factor, 1.5);
        assert_eq!(ok.effect_size.measure, EffectMeasure::Cles);
        assert_eq!(ok.effect_size.allowed_increase(), 0.8);
        assert_eq!(ok.effect_size.allowed_decrease(), 0.5);
        assert_eq!(ok.effect_size.critical_increase(), 0.9);
        assert!(config.validate().is_ok());
    }

    #[test]
    fn reads_old_shape_with_defaults() {
        let config = from_kayenta_canary_config(OLD_SHAPE).unwrap();
        assert_eq!(
            config.thresholds,
            ScoreThresholds {
                pass: 95.0,
                marginal: 75.0
            }
        );
        assert_eq!(config.metrics.len(), 2);
        let cpu = &config.metrics[0];
        assert_eq!(
            cpu,
            &MetricConfig {
                groups: cpu.groups.clone(),
                ..MetricConfig::new("cpu")
            }
        );
        assert_eq!(config.confidence, 0.98);
    }

    #[test]
    fn lenient_strings_strict_types() {
        let json = r#"{"metrics":[{"name":"m","analysisConfigurations":{"canary":{
            "direction":"sideways","nanStrategy":"?","outliers":{"strategy":"drop"},
            "effectSize":{"measure":"cohen"}}}}]}"#;
        let m = &from_kayenta_canary_config(json).unwrap().metrics[0];
        assert_eq!(m.direction, Direction::Either);
        assert_eq!(m.nan_strategy, NanStrategy::Remove);
        assert_eq!(m.outliers.strategy, OutlierStrategy::Keep);
        assert_eq!(m.effect_size.measure, EffectMeasure::MeanRatio);
        let config = from_kayenta_canary_config(r#"{"metrics":[]}"#).unwrap();
        assert_eq!(config.thresholds, ScoreThresholds::default());
        let bad =
            r#"{"metrics":[{"name":"m","analysisConfigurations":{"canary":{"critical":"yes"}}}]}"#;
        assert!(from_kayenta_canary_config(bad).is_err());
        assert!(from_kayenta_canary_config("42").is_err());
        assert!(from_kayenta_canary_config("not json").is_err());
    }
}
