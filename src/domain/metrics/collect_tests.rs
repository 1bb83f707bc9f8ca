use std::collections::BTreeMap;

use super::*;
use crate::domain::rollout::ControllerKind;

fn target(name: &str) -> MetricTarget {
    MetricTarget {
        key: RolloutKey {
            namespace: "casino-prod".into(),
            name: name.into(),
            kind: ControllerKind::ArgoCanary,
        },
        canary_service: None,
        stable_service: None,
        active_service: None,
        preview_service: None,
        canary_hash: None,
        stable_hash: None,
        release_start: None,
    }
}

fn series(name: &str, track: &str, code: &str, v: f64) -> Series {
    let labels: BTreeMap<String, String> = [
        ("namespace", "casino-prod"),
        ("rollout", name),
        ("track", track),
        ("code", code),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    Series {
        labels,
        samples: vec![Sample { t: 1.0, v }],
    }
}

fn sim() -> IdentityLabels {
    IdentityLabels::Track {
        namespace: "namespace".into(),
        workload: "rollout".into(),
        track: "track".into(),
    }
}

#[test]
fn series_land_on_their_rollout_and_side() {
    let targets = [target("payments"), target("lobby")];
    let mut sides = Sides::new();
    let answer = [
        series("payments", "canary", "", 2.0),
        series("payments", "stable", "", 18.0),
        series("lobby", "stable", "", 7.0),
        series("elsewhere", "stable", "", 99.0),
    ];
    fold_instant(
        &mut sides,
        MetricKind::RequestRate,
        &answer,
        &sim(),
        &targets,
    );
    let pay = sides[&targets[0].key];
    assert_eq!(pay[0].request_rate, Some(2.0));
    assert_eq!(pay[1].request_rate, Some(18.0));
    assert_eq!(sides[&targets[1].key][1].request_rate, Some(7.0));
    assert_eq!(sides[&targets[1].key][0].request_rate, None);
    assert_eq!(sides.len(), 2, "a series of no target is ignored");
}

#[test]
fn extra_series_add_rates_and_keep_the_worst_latency() {
    let targets = [target("payments")];
    let mut sides = Sides::new();
    let rates = [
        series("payments", "stable", "200", 10.0),
        series("payments", "stable", "500", 1.0),
    ];
    fold_instant(
        &mut sides,
        MetricKind::RequestRate,
        &rates,
        &sim(),
        &targets,
    );
    let p99 = [
        series("payments", "stable", "200", 0.120),
        series("payments", "stable", "500", f64::NAN),
        series("payments", "stable", "404", 0.300),
    ];
    fold_instant(&mut sides, MetricKind::LatencyP99, &p99, &sim(), &targets);
    let stable = sides[&targets[0].key][1];
    assert_eq!(stable.request_rate, Some(11.0));
    assert_eq!(stable.p99, Some(0.300));
}

#[test]
fn a_nan_alone_stays_nan() {
    let targets = [target("payments")];
    let mut sides = Sides::new();
    let answer = [series("payments", "canary", "", f64::NAN)];
    fold_instant(
        &mut sides,
        MetricKind::ErrorRatio,
        &answer,
        &sim(),
        &targets,
    );
    assert!(sides[&targets[0].key][0].error_ratio.unwrap().is_nan());
}

#[test]
fn range_samples_split_by_side() {
    let t = target("payments");
    let mut canary = series("payments", "canary", "", 1.0);
    canary.samples.push(Sample { t: 2.0, v: 3.0 });
    let stable = series("payments", "stable", "", 0.5);
    let [c, s] = range_sides(&[canary, stable], &sim(), &t);
    assert_eq!(c.iter().map(|x| x.v).collect::<Vec<_>>(), [1.0, 3.0]);
    assert_eq!(s.len(), 1);
}
