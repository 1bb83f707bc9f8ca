use super::*;
use Classification::{Error, High, Low, Nodata, NodataFail, Pass};

fn verdict(name: &str, groups: &[&str], classification: Classification) -> MetricVerdict {
    MetricVerdict {
        name: name.to_owned(),
        groups: groups.iter().map(|g| (*g).to_owned()).collect(),
        classification,
        critical: false,
        muted: false,
        interval: None,
        estimate: None,
        mean_ratio: None,
        cles: None,
        experiment_mean: None,
        control_mean: None,
        experiment_count: 0,
        control_count: 0,
        reason: format!("{name} {classification}"),
    }
}

fn in_group(classes: &[Classification]) -> Vec<MetricVerdict> {
    classes
        .iter()
        .enumerate()
        .map(|(i, &c)| verdict(&format!("m{i}"), &["g"], c))
        .collect()
}

fn thresholds() -> ScoreThresholds {
    ScoreThresholds {
        pass: 75.0,
        marginal: 50.0,
    }
}

fn score(metrics: Vec<MetricVerdict>) -> JudgeResult {
    summarize(metrics, &BTreeMap::new(), &thresholds())
}

#[test]
fn verdict_thresholds_at_and_around_the_bounds() {
    let cases = [
        (100.0, Verdict::Pass),
        (75.01, Verdict::Pass),
        (75.0, Verdict::Pass),
        (74.99, Verdict::Marginal),
        (50.01, Verdict::Marginal),
        (50.0, Verdict::Marginal),
        (49.99, Verdict::Fail),
        (0.0, Verdict::Fail),
    ];
    for (s, want) in cases {
        assert_eq!(Verdict::from_score(s, &thresholds()), want, "{s}");
    }
}

#[test]
fn group_score_table() {
    let cases: [(&[Classification], f64, bool, Verdict); 9] = [
        (&[Pass, Pass, Pass, High], 75.0, false, Verdict::Pass),
        (&[Pass, Pass, Low], 66.67, false, Verdict::Marginal),
        (&[Pass, High], 50.0, false, Verdict::Marginal),
        (&[Pass, High, Low], 33.33, false, Verdict::Fail),
        (&[Pass, Pass, Pass, NodataFail], 75.0, false, Verdict::Pass),
        (&[Pass, Pass, Error], 100.0, false, Verdict::Pass),
        (&[Pass, Pass, Nodata], 100.0, false, Verdict::Pass),
        (&[Error], 100.0, true, Verdict::Pass),
        (&[NodataFail], 0.0, false, Verdict::Fail),
    ];
    for (classes, want, no_data, want_verdict) in cases {
        let r = score(in_group(classes));
        assert_eq!(r.score, want, "{classes:?}");
        assert_eq!(r.groups[0].no_data, no_data, "{classes:?}");
        assert_eq!(r.verdict, want_verdict, "{classes:?}");
        assert_eq!(r.forced_zero, None);
    }
    let r = score(in_group(&[Pass, High, Nodata, Error, NodataFail, Low]));
    let counts = ClassificationCounts {
        pass: 1,
        high: 1,
        low: 1,
        nodata: 1,
        nodata_fail: 1,
        error: 1,
    };
    assert_eq!(r.groups[0].counts, counts);
    assert_eq!(r.groups[0].score, 25.0);
}

#[test]
fn critical_failure_forces_zero() {
    let mut metrics = in_group(&[Pass, Pass, Pass, High]);
    metrics[3].critical = true;
    let r = score(metrics);
    assert_eq!((r.score, r.verdict), (0.0, Verdict::Fail));
    assert_eq!(
        r.forced_zero.as_deref(),
        Some("critical metric failed: m3 High")
    );
    assert_eq!(r.groups[0].score, 75.0, "group scores stay informative");
}

#[test]
fn nodata_share_forces_zero_from_half() {
    let cases: [(&[Classification], bool); 5] = [
        (&[Pass, Nodata], true),
        (&[Nodata, Nodata, Pass], true),
        (&[Pass, Pass, Nodata], false),
        (&[Pass, Error], false),
        (&[Nodata], true),
    ];
    for (classes, forced) in cases {
        let r = score(in_group(classes));
        assert_eq!(r.forced_zero.is_some(), forced, "{classes:?}");
        assert_eq!(r.score == 0.0, forced, "{classes:?}");
    }
}

#[test]
fn muted_metrics_do_not_score() {
    let mut metrics = in_group(&[Pass, High, Nodata, Nodata]);
    for m in &mut metrics[1..] {
        m.muted = true;
        m.critical = true;
    }
    let r = score(metrics);
    assert_eq!((r.score, r.forced_zero.clone()), (100.0, None));
    assert_eq!(r.metrics.len(), 4, "muted metrics are still reported");
    assert_eq!(r.groups[0].counts.pass, 1);
}

#[test]
fn weighted_summary() {
    let metrics = vec![
        verdict("cpu", &["system"], High),
        verdict("mem", &["system"], Pass),
        verdict("rps", &["requests"], Pass),
        verdict("p99", &["latency", "requests"], Pass),
        verdict("gc", &["jvm"], Nodata),
    ];
    let weights = BTreeMap::from([("system".to_owned(), 60.0), ("requests".to_owned(), 20.0)]);
    let r = summarize(metrics, &weights, &thresholds());
    let got: Vec<(&str, f64, f64)> = r
        .groups
        .iter()
        .map(|g| (g.name.as_str(), g.score, g.weight))
        .collect();
    assert_eq!(
        got,
        [
            ("system", 50.0, 60.0),
            ("requests", 100.0, 20.0),
            ("latency", 100.0, 10.0),
            ("jvm", 0.0, 10.0)
        ]
    );
    // 50·0.6 + 100·0.2 + 100·0.1 + (no data → 100)·0.1
    assert_eq!(r.score, 70.0);
    assert_eq!(r.verdict, Verdict::Marginal);
}

#[test]
fn weights_past_100_leave_nothing_for_unweighted_groups() {
    let metrics = vec![verdict("a", &["x"], Pass), verdict("b", &["y"], Pass)];
    let weights = BTreeMap::from([("x".to_owned(), 120.0)]);
    let r = summarize(metrics, &weights, &thresholds());
    assert_eq!(r.groups[1].weight, 0.0);
    assert_eq!(r.score, 120.0);
}

#[test]
fn no_metrics_score_zero() {
    let r = score(Vec::new());
    assert_eq!(
        (r.score, r.verdict, r.forced_zero),
        (0.0, Verdict::Fail, None)
    );
    let r = score(vec![verdict("loner", &[], Pass)]);
    assert_eq!(
        (r.score, r.groups.len()),
        (0.0, 0),
        "a metric without groups scores nowhere"
    );
}
