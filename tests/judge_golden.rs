//! Golden vectors for the canary judge's Mann-Whitney interval, checked against R through
//! Kayenta's MannWhitneySuite (fixtures in `tests/fixtures/kayenta/`, see SOURCES.md).

use std::path::PathBuf;

use serde_json::Value;
use shipdeck::domain::judge::{
    Classification, JudgeConfig, MetricConfig, MetricSamples, judge, mann_whitney,
};

fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/kayenta")
        .join(name)
}

fn load(name: &str) -> Value {
    let path = fixture_path(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

fn numbers(value: &Value, key: &str) -> Vec<f64> {
    value[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} is not an array"))
        .iter()
        .map(|v| v.as_f64().unwrap_or_else(|| panic!("{key} holds {v}")))
        .collect()
}

fn number(value: &Value, path: &[&str]) -> f64 {
    let mut v = value;
    for key in path {
        v = &v[*key];
    }
    v.as_f64()
        .unwrap_or_else(|| panic!("{path:?} is not a number"))
}

fn assert_close(what: &str, got: f64, want: f64, tolerance: f64) {
    assert!(
        (got - want).abs() <= tolerance,
        "{what}: got {got:e}, want {want:e} (±{tolerance:e})"
    );
}

#[test]
fn tie_out_with_r_at_confidence_095() {
    let fixture = load("mannwhitney-r-tieout.json");
    let experiment = numbers(&fixture, "experiment");
    let control = numbers(&fixture, "control");
    assert_eq!((experiment.len(), control.len()), (90, 90));

    let result = mann_whitney(&experiment, &control, 0.95).expect("interval");

    let ci = number(&fixture, &["tolerance", "ci"]);
    let est = number(&fixture, &["tolerance", "estimate"]);
    assert_eq!((ci, est), (1e-6, 1e-4), "Kayenta's tolerances");
    assert_close(
        "ci_low",
        result.ci_low,
        number(&fixture, &["expected", "ci_low"]),
        ci,
    );
    assert_close(
        "ci_high",
        result.ci_high,
        number(&fixture, &["expected", "ci_high"]),
        ci,
    );
    assert_close(
        "estimate",
        result.estimate,
        number(&fixture, &["expected", "estimate"]),
        est,
    );
}

#[test]
fn tie_out_fixture_matches_the_shared_copy() {
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures/kayenta/mannwhitney-r-tieout.json");
    // The shared workspace copy is optional; the in-repo copy is the one the tests use.
    if let Ok(text) = std::fs::read_to_string(shared) {
        let shared: Value = serde_json::from_str(&text).expect("shared fixture is JSON");
        assert_eq!(shared, load("mannwhitney-r-tieout.json"));
    }
}

#[test]
fn golden_arrays_through_the_judge() {
    let fixture = load("mannwhitney-r-tieout.json");
    let config = JudgeConfig {
        metrics: vec![MetricConfig {
            groups: vec!["latency".to_owned()],
            unit: Some("ms".to_owned()),
            ..MetricConfig::new("p50")
        }],
        ..JudgeConfig::default()
    };
    let samples = [MetricSamples::new(
        "p50",
        numbers(&fixture, "experiment"),
        numbers(&fixture, "control"),
    )];
    let result = judge(&config, &samples);
    let metric = &result.metrics[0];
    assert_eq!((metric.experiment_count, metric.control_count), (90, 90));
    let interval = metric.interval.expect("interval");
    // At Kayenta's 0.98 the interval is at least as wide as at 0.95 and still reaches the
    // estimate's dead band, so the canary is not significantly lower: Pass.
    assert!(
        interval.low <= -0.500_002 && interval.high >= -3.5e-5,
        "{interval:?}"
    );
    assert_eq!(
        metric.classification,
        Classification::Pass,
        "{}",
        metric.reason
    );
    assert!(
        metric.reason.starts_with("p50 Pass: canary "),
        "{}",
        metric.reason
    );
    assert_eq!(result.score, 100.0);
}
