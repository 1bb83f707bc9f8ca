//! Unit tests of the metrics panel's wording.

use super::*;

#[test]
fn thresholds_read_like_the_rules() {
    let t = Thresholds::default();
    assert_eq!(
        threshold_text(MetricKind::ErrorRatio, &t, false),
        "> +10% & ≥0.5pp"
    );
    assert_eq!(
        threshold_text(MetricKind::LatencyP99, &t, false),
        "> +20% & ≥5ms"
    );
    assert_eq!(
        threshold_text(MetricKind::LatencyP95, &t, true),
        "> +20% & >=5ms"
    );
    assert_eq!(threshold_text(MetricKind::RequestRate, &t, false), "-");
}

#[test]
fn ratios_and_verdicts_have_text_not_only_colour() {
    assert_eq!(ratio(Some(0.08), Some(0.01), false), "×8.00");
    assert_eq!(ratio(Some(0.08), Some(0.0), true), "from 0");
    assert_eq!(ratio(Some(0.0), Some(0.0), true), "x1.00");
    assert_eq!(ratio(None, Some(0.01), false), "-");
    assert_eq!(ratio(Some(0.5), Some(180.0), false), "×0.003");
    let breach = Verdict::Breach {
        value: 0.08,
        baseline: 0.01,
        growth: 7.0,
    };
    assert_eq!(verdict_cell(Some(&breach), false).0, "✖ breach +700%");
    assert_eq!(verdict_cell(Some(&breach), true).0, "x breach +700%");
    let ok = Verdict::Healthy {
        value: 1.0,
        baseline: 1.0,
    };
    assert_eq!(verdict_cell(Some(&ok), false).0, "✔ ok");
    assert_eq!(verdict_cell(None, false).0, "-");
}

#[test]
fn numbers_are_trimmed() {
    assert_eq!(trim(10.0), "10");
    assert_eq!(trim(0.5), "0.5");
    assert_eq!(trim(-0.0), "0");
}

#[test]
fn the_judge_reads_as_one_line() {
    use crate::domain::judge::{JudgeConfig, MetricConfig, MetricSamples, judge};
    let mut config = JudgeConfig::default();
    let mut samples = Vec::new();
    for name in ["error_ratio", "latency_p99"] {
        let mut m = MetricConfig::new(name);
        m.groups = vec!["all".into()];
        config.metrics.push(m);
        let v: Vec<f64> = (0..20).map(|i| f64::from(i % 5)).collect();
        samples.push(MetricSamples::new(name, v.clone(), v));
    }
    let j = judge(&config, &samples);
    assert_eq!(
        judge_summary("Kayenta judge:", &j),
        (
            "Kayenta judge: Pass 100 (2 pass)".to_string(),
            Role::StatusHealthy
        )
    );
}
