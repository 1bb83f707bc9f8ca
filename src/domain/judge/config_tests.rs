use super::*;

#[test]
fn defaults_follow_kayenta() {
    let c = JudgeConfig::default();
    assert_eq!((c.confidence, c.dead_band, c.min_samples), (0.98, 0.25, 10));
    assert_eq!(
        c.thresholds,
        ScoreThresholds {
            pass: 75.0,
            marginal: 50.0
        }
    );
    let m = MetricConfig::new("p99");
    assert_eq!(m.direction, Direction::Either);
    assert_eq!(m.outliers.outlier_factor, 3.0);
    assert_eq!(m.effect_size.allowed_increase(), 1.0);
    let cles = EffectSizeConfig {
        measure: EffectMeasure::Cles,
        critical_increase: Some(0.9),
        ..EffectSizeConfig::default()
    };
    assert_eq!(
        (cles.allowed_decrease(), cles.critical_increase()),
        (0.5, 0.9)
    );
    assert!(c.validate().is_ok());
}

#[test]
fn direction_table() {
    let cases = [
        (Direction::Increase, true, false),
        (Direction::Decrease, false, true),
        (Direction::Either, true, true),
    ];
    for (d, up, down) in cases {
        assert_eq!(
            (d.allows_increase(), d.allows_decrease()),
            (up, down),
            "{d:?}"
        );
    }
}

#[test]
fn validate_table() {
    let ok = JudgeConfig {
        metrics: vec![MetricConfig::new("a"), MetricConfig::new("b")],
        ..JudgeConfig::default()
    };
    assert!(ok.validate().is_ok());
    let mut cases: Vec<JudgeConfig> = Vec::new();
    cases.push(JudgeConfig {
        confidence: 1.0,
        ..ok.clone()
    });
    cases.push(JudgeConfig {
        dead_band: -0.1,
        ..ok.clone()
    });
    let thresholds = ScoreThresholds {
        pass: 40.0,
        marginal: 50.0,
    };
    cases.push(JudgeConfig {
        thresholds,
        ..ok.clone()
    });
    let group_weights = BTreeMap::from([("g".to_owned(), f64::NAN)]);
    cases.push(JudgeConfig {
        group_weights,
        ..ok.clone()
    });
    let group_weights = BTreeMap::from([("a".to_owned(), 60.0), ("b".to_owned(), 41.0)]);
    cases.push(JudgeConfig {
        group_weights,
        ..ok.clone()
    });
    let mut dup = ok.clone();
    dup.metrics.push(MetricConfig::new("a"));
    cases.push(dup);
    let mut factor = ok.clone();
    factor.metrics[0].outliers.outlier_factor = 0.0;
    cases.push(factor);
    for case in cases {
        assert!(case.validate().is_err(), "{case:?}");
    }
}

#[test]
fn serde_uses_kayenta_names() {
    let json = r#"{"name":"p99","unit":"s","groups":["latency"],"direction":"increase",
        "critical":true,"mustHaveData":true,"nanStrategy":"replace",
        "outliers":{"strategy":"remove","outlierFactor":2.5},
        "effectSize":{"measure":"cles","allowedIncrease":0.7}}"#;
    let m: MetricConfig = serde_json::from_str(json).unwrap();
    assert_eq!(m.direction, Direction::Increase);
    assert!(m.critical && m.must_have_data && !m.muted);
    assert_eq!(m.nan_strategy, NanStrategy::Replace);
    assert_eq!(m.outliers.strategy, OutlierStrategy::Remove);
    assert_eq!(m.outliers.outlier_factor, 2.5);
    assert_eq!(m.effect_size.measure, EffectMeasure::Cles);
    assert_eq!(m.effect_size.allowed_increase(), 0.7);
    assert_eq!(m.effect_size.allowed_decrease(), 0.5);
    let back: MetricConfig = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
    assert_eq!(back, m);
}
