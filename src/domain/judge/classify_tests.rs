use super::*;
use crate::domain::judge::config::{
    Direction, EffectSizeConfig, NanStrategy, OutlierConfig, OutlierStrategy,
};

const BASE: [f64; 12] = [
    0.50, 0.52, 0.48, 0.51, 0.49, 0.53, 0.47, 0.50, 0.52, 0.48, 0.51, 0.49,
];

fn scaled(k: f64) -> Vec<f64> {
    BASE.iter().map(|v| v * k).collect()
}

fn metric() -> MetricConfig {
    MetricConfig {
        unit: Some("s".to_owned()),
        ..MetricConfig::new("p99")
    }
}

fn run(metric: &MetricConfig, exp: &[f64], ctl: &[f64]) -> MetricVerdict {
    classify_metric(&JudgeConfig::default(), metric, exp, ctl)
}

#[test]
fn reason_line_reads_like_the_issue() {
    let v = run(&metric(), &scaled(1.38), &BASE);
    assert_eq!(v.classification, Classification::High);
    assert!(
        v.reason.starts_with("p99 High: canary +38 % (CI "),
        "{}",
        v.reason
    );
    assert!(v.reason.ends_with(" s)"), "{}", v.reason);
    let ci = v.interval.unwrap();
    assert!(ci.low > 0.0 && ci.low <= v.estimate.unwrap() && ci.high > ci.low);
    assert_eq!((v.experiment_count, v.control_count), (12, 12));
    assert!((v.mean_ratio.unwrap() - 1.38).abs() < 1e-12);
    assert_eq!(v.cles, Some(1.0));
}

#[test]
fn direction_table() {
    use Classification::{High, Low, Pass};
    let up = scaled(1.5);
    let down = scaled(0.6);
    let cases = [
        (Direction::Increase, &up, High),
        (Direction::Decrease, &up, Pass),
        (Direction::Either, &up, High),
        (Direction::Increase, &down, Pass),
        (Direction::Decrease, &down, Low),
        (Direction::Either, &down, Low),
        (
            Direction::Either,
            &BASE.iter().map(|v| v + 0.001).collect(),
            Pass,
        ),
    ];
    for (direction, canary, want) in cases {
        let m = MetricConfig {
            direction,
            ..metric()
        };
        let v = run(&m, canary, &BASE);
        assert_eq!(v.classification, want, "{direction:?}: {}", v.reason);
        assert!(!v.critical);
    }
}

#[test]
fn degenerate_inputs_table() {
    use Classification::{High, Low, Nodata, NodataFail, Pass};
    let required = MetricConfig {
        must_have_data: true,
        ..metric()
    };
    let critical_required = MetricConfig {
        critical: true,
        ..required.clone()
    };
    let few = &BASE[..9];
    type Case = (
        &'static str,
        MetricConfig,
        Vec<f64>,
        Vec<f64>,
        Classification,
        bool,
    );
    let cases: [Case; 10] = [
        (
            "identical",
            metric(),
            BASE.to_vec(),
            BASE.to_vec(),
            Pass,
            false,
        ),
        (
            "one value",
            metric(),
            vec![2.0; 10],
            vec![2.0; 14],
            Pass,
            false,
        ),
        (
            "empty canary",
            metric(),
            vec![],
            BASE.to_vec(),
            Nodata,
            false,
        ),
        (
            "empty baseline",
            metric(),
            BASE.to_vec(),
            vec![],
            Nodata,
            false,
        ),
        (
            "empty, data required",
            required.clone(),
            vec![],
            BASE.to_vec(),
            NodataFail,
            false,
        ),
        (
            "empty, critical",
            critical_required,
            BASE.to_vec(),
            vec![],
            Nodata,
            true,
        ),
        (
            "nine samples",
            metric(),
            few.to_vec(),
            BASE.to_vec(),
            Nodata,
            false,
        ),
        (
            "all NaN",
            metric(),
            vec![f64::NAN; 12],
            BASE.to_vec(),
            Nodata,
            false,
        ),
        (
            "constant, canary higher",
            metric(),
            vec![5.0; 10],
            vec![3.0; 12],
            High,
            false,
        ),
        (
            "constant, canary lower",
            metric(),
            vec![3.0; 10],
            vec![5.0; 12],
            Low,
            false,
        ),
    ];
    for (label, m, exp, ctl, want, critical) in cases {
        let v = run(&m, &exp, &ctl);
        assert_eq!(
            (v.classification, v.critical),
            (want, critical),
            "{label}: {}",
            v.reason
        );
    }
    let v = run(&metric(), &[5.0; 10], &[3.0; 12]);
    assert_eq!(v.estimate, Some(2.0));
    assert_eq!(
        v.interval,
        Some(Interval {
            low: 2.0,
            high: 2.0
        })
    );
    let v = run(&required, &[], &BASE);
    assert_eq!(
        v.reason,
        "p99 NodataFail: 0 canary / 12 baseline samples, 10 needed (data required)"
    );
    let v = run(&metric(), &[2.0; 10], &[2.0; 14]);
    assert_eq!(v.reason, "p99 Pass: every sample is 2 s");
}

#[test]
fn minimum_sample_count_is_configurable() {
    let few = &BASE[..4];
    let canary: Vec<f64> = few.iter().map(|v| v * 3.0).collect();
    for (min_samples, want) in [
        (10, Classification::Nodata),
        (4, Classification::High),
        (0, Classification::High),
    ] {
        let config = JudgeConfig {
            min_samples,
            ..JudgeConfig::default()
        };
        let v = classify_metric(&config, &metric(), &canary, few);
        assert_eq!(v.classification, want, "min {min_samples}: {}", v.reason);
    }
    let config = JudgeConfig {
        min_samples: 0,
        ..JudgeConfig::default()
    };
    let v = classify_metric(&config, &metric(), &[], few);
    assert_eq!(v.classification, Classification::Nodata);
}

#[test]
fn nan_strategies() {
    let mut canary = scaled(1.5);
    canary.extend([f64::NAN; 4]);
    let v = run(&metric(), &canary, &BASE);
    assert_eq!(
        (v.classification, v.experiment_count),
        (Classification::High, 12)
    );
    let replace = MetricConfig {
        nan_strategy: NanStrategy::Replace,
        ..metric()
    };
    let v = run(&replace, &canary, &BASE);
    assert_eq!(v.experiment_count, 16);
    assert!(
        v.experiment_mean.unwrap() < 0.75 * 0.76,
        "zeros pull the mean down"
    );
}

#[test]
fn outlier_removal_changes_the_effect_gate() {
    // The canary is mostly lower, but one huge spike drags its mean above the baseline's, so
    // the mean-ratio gate (≤ 1.0 for Low) blocks Low. Removing outliers unblocks it.
    let mut canary = scaled(0.7);
    canary.push(50.0);
    let v = run(&metric(), &canary, &BASE);
    assert_eq!(v.classification, Classification::Pass, "{}", v.reason);
    assert!(v.mean_ratio.unwrap() > 1.0);
    let remove = MetricConfig {
        outliers: OutlierConfig {
            strategy: OutlierStrategy::Remove,
            outlier_factor: 3.0,
        },
        ..metric()
    };
    let v = run(&remove, &canary, &BASE);
    assert_eq!(v.classification, Classification::Low, "{}", v.reason);
    assert_eq!(v.experiment_count, 12);
}

#[test]
fn effect_size_and_critical_table() {
    use Classification::{High, Low, Pass};
    let sizes = |allowed_increase, critical_increase| EffectSizeConfig {
        allowed_increase,
        critical_increase,
        ..EffectSizeConfig::default()
    };
    let cles = EffectSizeConfig {
        measure: EffectMeasure::Cles,
        allowed_increase: Some(0.9),
        ..EffectSizeConfig::default()
    };
    let cases = [
        // (effect sizes, critical, canary factor, classification, critical failure)
        (EffectSizeConfig::default(), true, 1.5, High, true),
        (sizes(None, Some(2.0)), true, 1.5, High, false),
        (sizes(Some(1.6), None), true, 1.5, Pass, false),
        (sizes(Some(1.2), None), false, 1.5, High, false),
        (EffectSizeConfig::default(), true, 0.6, Low, true),
        (
            EffectSizeConfig {
                critical_decrease: Some(0.5),
                ..EffectSizeConfig::default()
            },
            true,
            0.6,
            Low,
            false,
        ),
        (cles, false, 1.5, High, false),
        (
            EffectSizeConfig {
                allowed_increase: Some(1.01),
                ..cles
            },
            false,
            1.5,
            Pass,
            false,
        ),
    ];
    for (effect_size, critical, factor, want, want_critical) in cases {
        let m = MetricConfig {
            effect_size,
            critical,
            ..metric()
        };
        let v = run(&m, &scaled(factor), &BASE);
        assert_eq!(
            (v.classification, v.critical),
            (want, want_critical),
            "{effect_size:?}"
        );
        assert_eq!(
            v.reason.contains("(critical)"),
            want_critical,
            "{}",
            v.reason
        );
    }
}

#[test]
fn zero_mean_baseline_reports_the_shift() {
    let canary: Vec<f64> = (0..12).map(|i| 1.0 + f64::from(i % 3)).collect();
    let baseline: Vec<f64> = (0..12).map(|i| f64::from(i % 3) - 1.0).collect();
    let v = run(&metric(), &canary, &baseline);
    assert_eq!(v.mean_ratio, None);
    assert_eq!(v.classification, Classification::High, "{}", v.reason);
    assert!(v.reason.contains("canary shift +2 s"), "{}", v.reason);
}

#[test]
fn errors_table() {
    let mut inf = BASE.to_vec();
    inf[3] = f64::INFINITY;
    let v = run(
        &MetricConfig {
            critical: true,
            ..metric()
        },
        &inf,
        &BASE,
    );
    assert_eq!(
        (v.classification, v.critical),
        (Classification::Error, true)
    );
    assert_eq!(v.reason, "p99 Error: a sample is infinite");
    let config = JudgeConfig {
        confidence: 1.5,
        ..JudgeConfig::default()
    };
    let v = classify_metric(&config, &metric(), &scaled(2.0), &BASE);
    assert_eq!(v.classification, Classification::Error);
    let v = unconfigured("mystery", &BASE, &BASE);
    assert_eq!((v.classification, v.muted), (Classification::Error, true));
    assert_eq!(v.reason, "mystery Error: no metric config of that name");
}

#[test]
fn labels() {
    use Classification::*;
    let labels: Vec<String> = [Pass, High, Low, Nodata, NodataFail, Error]
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        labels,
        ["Pass", "High", "Low", "Nodata", "NodataFail", "Error"]
    );
}
