//! End-to-end tests of [`judge`] and the property tests.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;

const BASE: [f64; 12] = [
    0.50, 0.52, 0.48, 0.51, 0.49, 0.53, 0.47, 0.50, 0.52, 0.48, 0.51, 0.49,
];

fn scaled(k: f64) -> Vec<f64> {
    BASE.iter().map(|v| v * k).collect()
}

fn metric(name: &str, groups: &[&str]) -> MetricConfig {
    MetricConfig {
        groups: groups.iter().map(|g| (*g).to_owned()).collect(),
        ..MetricConfig::new(name)
    }
}

fn config(metrics: Vec<MetricConfig>) -> JudgeConfig {
    JudgeConfig {
        metrics,
        ..JudgeConfig::default()
    }
}

#[test]
fn judges_a_canary_end_to_end() {
    let mut cfg = config(vec![
        MetricConfig {
            unit: Some("s".to_owned()),
            direction: Direction::Increase,
            ..metric("p99", &["latency"])
        },
        metric("errors", &["errors"]),
        metric("cpu", &["system"]),
        metric("memory", &["system"]),
    ]);
    cfg.group_weights = BTreeMap::from([("latency".to_owned(), 50.0)]);
    let samples = [
        MetricSamples::new("cpu", scaled(1.01), BASE),
        MetricSamples::new("p99", scaled(1.38), BASE),
        MetricSamples::new("errors", BASE, BASE),
        MetricSamples::new("memory", scaled(0.5), BASE),
        MetricSamples::new("stray", BASE, BASE),
    ];
    let r = judge(&cfg, &samples);
    let got: Vec<(&str, Classification)> = r
        .metrics
        .iter()
        .map(|m| (m.name.as_str(), m.classification))
        .collect();
    use Classification::{Error, High, Low, Pass};
    assert_eq!(
        got,
        [
            ("p99", High),
            ("errors", Pass),
            ("cpu", Pass),
            ("memory", Low),
            ("stray", Error)
        ]
    );
    assert!(r.metrics[4].muted);
    let groups: Vec<(&str, f64, f64)> = r
        .groups
        .iter()
        .map(|g| (g.name.as_str(), g.score, g.weight))
        .collect();
    assert_eq!(
        groups,
        [
            ("latency", 0.0, 50.0),
            ("errors", 100.0, 25.0),
            ("system", 50.0, 25.0)
        ]
    );
    assert_eq!(
        (r.score, r.verdict, r.forced_zero),
        (37.5, Verdict::Fail, None)
    );
}

#[test]
fn configured_metric_without_samples_is_nodata() {
    let cfg = config(vec![
        metric("a", &["g"]),
        metric("b", &["g"]),
        metric("c", &["g"]),
    ]);
    let samples = [
        MetricSamples::new("a", BASE, BASE),
        MetricSamples::new("b", scaled(1.0), BASE),
    ];
    let r = judge(&cfg, &samples);
    assert_eq!(r.metrics[2].classification, Classification::Nodata);
    assert_eq!((r.score, r.verdict), (100.0, Verdict::Pass));
    // Two of three without data: forced to 0.
    let r = judge(&cfg, &samples[..1]);
    assert_eq!((r.score, r.verdict), (0.0, Verdict::Fail));
    assert!(r.forced_zero.is_some());
}

#[test]
fn critical_metric_forces_zero_through_judge() {
    let cfg = config(vec![
        MetricConfig {
            critical: true,
            ..metric("p99", &["g"])
        },
        metric("a", &["g"]),
        metric("b", &["g"]),
        metric("c", &["g"]),
    ]);
    let mut samples: Vec<MetricSamples> = ["a", "b", "c"]
        .iter()
        .map(|n| MetricSamples::new(*n, BASE, BASE))
        .collect();
    samples.push(MetricSamples::new("p99", scaled(1.5), BASE));
    let r = judge(&cfg, &samples);
    assert_eq!(r.groups[0].score, 75.0);
    assert_eq!((r.score, r.verdict), (0.0, Verdict::Fail));
    assert!(
        r.forced_zero
            .unwrap_or_default()
            .contains("p99 High (critical)")
    );
}

#[test]
fn kayenta_muted_config_passes_despite_failing_muted_metric() {
    let json = r#"{"metrics":[
        {"name":"Failing metric","groups":["pod-group"],
         "analysisConfigurations":{"canary":{"critical":true,"muted":true,"direction":"increase"}}},
        {"name":"Successful metric","groups":["pod-group"],
         "analysisConfigurations":{"canary":{"critical":true,"direction":"increase"}}}],
       "classifier":{"groupWeights":{"pod-group":100},"scoreThresholds":{"marginal":50,"pass":75}}}"#;
    let cfg = from_kayenta_canary_config(json).unwrap();
    let samples = [
        MetricSamples::new("Failing metric", scaled(3.0), BASE),
        MetricSamples::new("Successful metric", scaled(0.5), BASE),
    ];
    let r = judge(&cfg, &samples);
    assert_eq!(r.metrics[0].classification, Classification::High);
    assert!(r.metrics[0].critical && r.metrics[0].muted);
    assert_eq!(
        r.metrics[1].classification,
        Classification::Pass,
        "increase only"
    );
    assert_eq!((r.score, r.verdict), (100.0, Verdict::Pass));
}

#[test]
fn summary_thresholds_at_the_bounds_through_judge() {
    // Four metrics in one group: k of them High gives 100, 75, 50, 25, 0.
    let cfg = config((0..4).map(|i| metric(&format!("m{i}"), &["g"])).collect());
    let cases = [
        (0, 100.0, Verdict::Pass),
        (1, 75.0, Verdict::Pass),
        (2, 50.0, Verdict::Marginal),
        (3, 25.0, Verdict::Fail),
    ];
    for (high, score, verdict) in cases {
        let samples: Vec<MetricSamples> = (0..4)
            .map(|i| {
                let canary = if i < high { scaled(2.0) } else { BASE.to_vec() };
                MetricSamples::new(format!("m{i}"), canary, BASE)
            })
            .collect();
        let r = judge(&cfg, &samples);
        assert_eq!((r.score, r.verdict), (score, verdict), "{high} high");
    }
    // Just under and just over the pass bound with custom thresholds.
    for (pass, verdict) in [
        (75.0, Verdict::Pass),
        (75.01, Verdict::Marginal),
        (74.99, Verdict::Pass),
    ] {
        let thresholds = ScoreThresholds {
            pass,
            marginal: 50.0,
        };
        let cfg = JudgeConfig {
            thresholds,
            ..cfg.clone()
        };
        let mut samples: Vec<MetricSamples> = (0..4)
            .map(|i| MetricSamples::new(format!("m{i}"), BASE, BASE))
            .collect();
        samples[0].experiment = scaled(2.0);
        assert_eq!(
            judge(&cfg, &samples).verdict,
            verdict,
            "pass threshold {pass}"
        );
    }
}

/// Samples on a 0.25 grid (so ties occur and every pairwise difference is a grid point).
fn grid_sample() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec((4i32..400).prop_map(|v| f64::from(v) * 0.25), 10..30)
}

fn continuous_sample() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-1000.0f64..1000.0, 3..40)
}

fn classification(canary: &[f64], baseline: &[f64]) -> Classification {
    let m = MetricConfig::new("m");
    classify_metric(&JudgeConfig::default(), &m, canary, baseline).classification
}

proptest! {
    #[test]
    fn shifting_the_canary_up_never_turns_high_into_low(
        x in grid_sample(),
        y in grid_sample(),
        steps in 0i32..200,
    ) {
        let shift = f64::from(steps) * 0.25;
        let before = classification(&x, &y);
        let up: Vec<f64> = x.iter().map(|v| v + shift).collect();
        let after = classification(&up, &y);
        prop_assert!(
            !(before == Classification::High && after == Classification::Low),
            "High became Low after shifting by {}", shift
        );
        let down: Vec<f64> = x.iter().map(|v| v - shift).collect();
        let after = classification(&down, &y);
        prop_assert!(!(before == Classification::Low && after == Classification::High));
    }

    #[test]
    fn swapping_sides_mirrors_the_interval_on_grid_data(x in grid_sample(), y in grid_sample()) {
        check_mirror(&x, &y)?;
    }

    #[test]
    fn swapping_sides_mirrors_the_interval(x in continuous_sample(), y in continuous_sample()) {
        check_mirror(&x, &y)?;
    }
}

fn check_mirror(x: &[f64], y: &[f64]) -> Result<(), TestCaseError> {
    let (Ok(xy), Ok(yx)) = (mann_whitney(x, y, 0.98), mann_whitney(y, x, 0.98)) else {
        return Err(TestCaseError::reject("degenerate samples"));
    };
    // Each bound lies within the root tolerance of the same jump of the statistic.
    let tolerance = 2.0 * ROOT_TOLERANCE + 1e-9;
    prop_assert!(
        (xy.ci_low + yx.ci_high).abs() <= tolerance,
        "{:?} vs {:?}",
        xy,
        yx
    );
    prop_assert!(
        (xy.ci_high + yx.ci_low).abs() <= tolerance,
        "{:?} vs {:?}",
        xy,
        yx
    );
    Ok(())
}
