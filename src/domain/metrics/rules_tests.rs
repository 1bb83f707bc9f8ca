use chrono::{Duration, TimeZone};

use super::*;
use crate::domain::detail::{ArgoDetail, FlaggerDetail, Pause, PauseReason};
use crate::domain::rollout::{Replicas, StepProgress, Weights};

use MetricKind::{ErrorRatio, LatencyP95, LatencyP99, RequestRate};

const W: f64 = 60.0;

/// One side with `v` for `kind` and enough traffic (10 req/s) unless `kind` is the rate.
fn side(kind: MetricKind, v: Option<f64>) -> SideValues {
    let mut s = SideValues {
        request_rate: Some(10.0),
        ..SideValues::default()
    };
    kind.set(&mut s, v);
    s
}

fn judge_pair(kind: MetricKind, value: f64, baseline: f64) -> Verdict {
    let t = Thresholds::default();
    let (subject, reference) = (side(kind, Some(value)), side(kind, Some(baseline)));
    judge(kind, &subject, &reference, W, W, &t)
}

fn is_breach(v: &Verdict) -> bool {
    matches!(v, Verdict::Breach { .. })
}

#[test]
fn thresholds_per_kind() {
    let t = Thresholds::default();
    assert_eq!(t.growth(ErrorRatio), 0.10);
    assert_eq!(t.growth(LatencyP95), 0.20);
    assert_eq!(t.growth(LatencyP99), 0.20);
    assert_eq!(t.growth(RequestRate), 0.0);
    assert_eq!(t.floor(ErrorRatio), 0.005);
    assert_eq!(t.floor(LatencyP99), 0.005);
    assert_eq!(t.floor(RequestRate), 0.0);
}

#[test]
fn each_bound_at_under_and_over() {
    // (case, kind, value, baseline, breach). "At" the growth bound never breaches; "at" the
    // floor does. Several "at" values are off by one ulp in f64 on either side.
    let cases = [
        // error ratio growth 10 %, the floor far below
        ("5xx growth at, f64 above", ErrorRatio, 0.6215, 0.565, false),
        ("5xx growth at", ErrorRatio, 0.11, 0.10, false),
        ("5xx growth under", ErrorRatio, 0.1099, 0.10, false),
        ("5xx growth over", ErrorRatio, 0.1101, 0.10, true),
        // error ratio floor 0.5 pp, the growth far above (+50 %)
        ("5xx floor at, f64 below", ErrorRatio, 0.015, 0.01, true),
        ("5xx floor under", ErrorRatio, 0.0149, 0.01, false),
        ("5xx floor over", ErrorRatio, 0.0151, 0.01, true),
        // both at once: +10 % and +0.5 pp, growth wins (not strictly greater)
        ("5xx both at", ErrorRatio, 0.055, 0.05, false),
        ("5xx +12 % but +0.49 pp", ErrorRatio, 0.0449, 0.04, false),
        // latency growth 20 %, the floor far below
        ("p95 growth at", LatencyP95, 0.24, 0.20, false),
        ("p99 growth at, f64 above", LatencyP99, 0.0432, 0.036, false),
        ("p95 growth under", LatencyP95, 0.2399, 0.20, false),
        ("p99 growth over", LatencyP99, 0.2401, 0.20, true),
        // latency floor 5 ms, growth +50 %
        ("p95 floor at, f64 below", LatencyP95, 0.015, 0.010, true),
        ("p99 floor under", LatencyP99, 0.0149, 0.010, false),
        ("p95 floor over", LatencyP95, 0.0151, 0.010, true),
        // a latency jump that passes the error-ratio growth but not the latency one
        ("p95 +15 % is not enough", LatencyP95, 0.23, 0.20, false),
        ("5xx +15 % is enough", ErrorRatio, 0.23, 0.20, true),
        ("improvement", ErrorRatio, 0.01, 0.20, false),
    ];
    for (case, kind, value, baseline, breach) in cases {
        let v = judge_pair(kind, value, baseline);
        assert_eq!(is_breach(&v), breach, "{case}: {v:?}");
        match v {
            Verdict::Breach {
                value: x,
                baseline: b,
                growth,
            } => {
                assert_eq!((x, b), (value, baseline), "{case}");
                assert!((growth - (value / baseline - 1.0)).abs() < 1e-12, "{case}");
            }
            Verdict::Healthy {
                value: x,
                baseline: b,
            } => assert_eq!((x, b), (value, baseline), "{case}"),
            Verdict::NoData(_) => panic!("{case}: no data"),
        }
    }
}

#[test]
fn zero_baseline_breaches_from_the_floor_with_infinite_growth() {
    let cases = [
        (ErrorRatio, 0.005, true),
        (ErrorRatio, 0.0049, false),
        (ErrorRatio, 0.0, false),
        (LatencyP95, 0.005, true),
        (LatencyP99, 0.0049, false),
    ];
    for (kind, value, breach) in cases {
        let v = judge_pair(kind, value, 0.0);
        assert_eq!(is_breach(&v), breach, "{kind:?} {value}: {v:?}");
        if let Verdict::Breach { growth, .. } = v {
            assert_eq!(growth, f64::INFINITY);
        }
    }
}

#[test]
fn infinite_latency_breaches_against_a_finite_one() {
    let v = judge_pair(LatencyP99, f64::INFINITY, 0.2);
    assert!(matches!(v, Verdict::Breach { growth, .. } if growth == f64::INFINITY));
    assert!(!is_breach(&judge_pair(LatencyP99, 0.3, f64::INFINITY)));
}

#[test]
fn min_traffic_on_each_side_in_its_own_window() {
    let t = Thresholds::default();
    let with_rate = |rate: f64| SideValues {
        request_rate: Some(rate),
        error_ratio: Some(0.5),
        ..SideValues::default()
    };
    let low = |rate: f64| SideValues {
        error_ratio: Some(0.01),
        ..with_rate(rate)
    };
    let good = low(100.0);
    let too_few = |side, requests| Some(NoData::TooFewRequests { side, requests });
    let no_rate = SideValues {
        request_rate: None,
        ..with_rate(1.0)
    };
    let (c, s) = (Side::Canary, Side::Stable);
    // (case, subject, reference, subject window, reference window, NoData; None: judged)
    #[rustfmt::skip]
    let cases = [
        ("canary 49", with_rate(0.49), good, 100.0, W, too_few(c, 49.0)),
        ("canary 50", with_rate(0.5), good, 100.0, W, None),
        ("canary 50 by rounding", with_rate(0.3), good, 500.0 / 3.0, W, None),
        ("stable 49", with_rate(9.0), low(0.49), W, 100.0, too_few(s, 49.0)),
        ("stable 50", with_rate(9.0), low(0.5), W, 100.0, None),
        ("subject window", with_rate(1.0), good, 49.0, 0.5, too_few(c, 49.0)),
        ("reference window", with_rate(1.0), good, 50.0, 0.49, too_few(s, 49.0)),
        ("no canary rate", no_rate, good, W, W, Some(NoData::Missing(c))),
        ("no stable rate", good, no_rate, W, W, Some(NoData::Missing(s))),
        ("NaN canary rate", with_rate(f64::NAN), good, W, W, Some(NoData::NotANumber(c))),
        ("NaN stable rate", good, with_rate(f64::NAN), W, W, Some(NoData::NotANumber(s))),
    ];
    for (case, subject, reference, sw, rw, expected) in cases {
        let v = judge(ErrorRatio, &subject, &reference, sw, rw, &t);
        match expected {
            Some(why) => assert_eq!(v, Verdict::NoData(why), "{case}"),
            None => assert!(is_breach(&v), "{case}: {v:?}"),
        }
    }
}

#[test]
fn missing_and_nan_values_in_check_order() {
    let t = Thresholds::default();
    let ok = side(LatencyP95, Some(0.2));
    let no_traffic = SideValues {
        request_rate: Some(0.0),
        ..ok
    };
    let missing = side(LatencyP95, None);
    let nan = side(LatencyP95, Some(f64::NAN));
    let cases = [
        (missing, ok, NoData::Missing(Side::Canary)),
        (ok, missing, NoData::Missing(Side::Stable)),
        (nan, ok, NoData::NotANumber(Side::Canary)),
        (ok, nan, NoData::NotANumber(Side::Stable)),
        (missing, nan, NoData::Missing(Side::Canary)),
        // the metric is checked before the traffic
        (no_traffic, nan, NoData::NotANumber(Side::Stable)),
        (nan, no_traffic, NoData::NotANumber(Side::Canary)),
    ];
    for (subject, reference, why) in cases {
        let v = judge(LatencyP95, &subject, &reference, W, W, &t);
        assert_eq!(v, Verdict::NoData(why));
    }
}

#[test]
fn request_rate_is_never_judged() {
    let t = Thresholds::default();
    let rate = |r| SideValues {
        request_rate: r,
        ..SideValues::default()
    };
    let v = judge(RequestRate, &rate(Some(100.0)), &rate(Some(0.1)), W, W, &t);
    assert_eq!(
        v,
        Verdict::Healthy {
            value: 100.0,
            baseline: 0.1
        }
    );
    let v = judge(RequestRate, &rate(None), &rate(Some(1.0)), W, W, &t);
    assert_eq!(v, Verdict::NoData(NoData::Missing(Side::Canary)));
    let (one, nan) = (rate(Some(1.0)), rate(Some(f64::NAN)));
    let v = judge(RequestRate, &one, &nan, W, W, &t);
    assert_eq!(v, Verdict::NoData(NoData::NotANumber(Side::Stable)));
}

fn promoted(yes: bool) -> ArgoDetail {
    ArgoDetail {
        stable_rs: Some("aaa".into()),
        current_pod_hash: Some(if yes { "aaa" } else { "bbb" }.into()),
        ..ArgoDetail::default()
    }
}

fn argo_row(kind: ControllerKind, fully_promoted: bool, weights: Option<(u32, u32)>) -> RolloutRow {
    let mut r = RolloutRow::new("casino-prod", "payments", kind);
    r.argo = Some(promoted(fully_promoted));
    r.weights = weights.map(|(set, actual)| Weights {
        set,
        actual: Some(actual),
    });
    r
}

fn bare(kind: ControllerKind) -> RolloutRow {
    RolloutRow::new("casino-prod", "bonus", kind)
}

fn flagger_row(phase: Option<FlaggerPhase>, canary_weight: u32) -> RolloutRow {
    let mut r = RolloutRow::new("casino-prod", "lobby", ControllerKind::Flagger);
    r.phase = phase.map_or(Phase::Unknown, FlaggerPhase::phase);
    r.flagger = Some(FlaggerDetail {
        phase,
        canary_weight,
        ..FlaggerDetail::default()
    });
    r
}

#[test]
fn comparison_per_controller_kind() {
    use Comparison::{AfterVsBefore as AvB, CanaryVsStable as CvS};
    use ControllerKind::{ArgoBlueGreen, ArgoCanary, Deployment};
    let fp = Some(FlaggerPhase::Progressing);
    let canary = |promoted, w: Option<(u32, u32)>| argo_row(ArgoCanary, promoted, w);
    #[rustfmt::skip]
    let cases = [
        ("canary at 20 %", canary(false, Some((20, 20))), None, CvS),
        ("canary actual only", canary(false, Some((0, 5))), None, CvS),
        ("canary rate only", canary(false, Some((0, 0))), Some(0.5), CvS),
        ("canary no detail", RolloutRow::new("n", "x", ArgoCanary), Some(1.0), CvS),
        ("canary no traffic", canary(false, Some((0, 0))), Some(0.0), AvB),
        ("canary NaN rate", canary(false, None), Some(f64::NAN), AvB),
        ("canary unknown rate", canary(false, None), None, AvB),
        ("canary promoted", canary(true, Some((100, 100))), Some(9.0), AvB),
        ("flagger weight", flagger_row(fp, 20), None, CvS),
        ("flagger rate", flagger_row(fp, 0), Some(2.0), CvS),
        ("flagger idle", flagger_row(Some(FlaggerPhase::Succeeded), 0), Some(0.0), AvB),
        ("blue-green", argo_row(ArgoBlueGreen, false, Some((100, 100))), Some(9.0), AvB),
        ("deployment", RolloutRow::new("n", "x", Deployment), Some(9.0), AvB),
    ];
    for (case, row, rate, expected) in cases {
        assert_eq!(comparison(&row, rate), expected, "{case}");
    }
}

#[test]
fn in_flight_per_controller_kind() {
    use ControllerKind::{ArgoBlueGreen, ArgoCanary, Deployment};
    let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
    let old = Some(now - Duration::hours(2));
    let steady = |mut r: RolloutRow| {
        r.since = old;
        r
    };
    let with = |mut r: RolloutRow, f: &dyn Fn(&mut RolloutRow)| {
        r.since = old;
        f(&mut r);
        r
    };
    let pause = Pause {
        reason: PauseReason::CanaryPauseStep,
        since: old,
    };
    let deploy = |updated: u32, phase: Phase| {
        let mut r = RolloutRow::new("n", "d", Deployment);
        r.replicas = Replicas {
            desired: 5,
            updated,
            ..Replicas::default()
        };
        r.phase = phase;
        steady(r)
    };
    let canary = |promoted| argo_row(ArgoCanary, promoted, None);
    let step = |index| Some(StepProgress { index, total: 4 });
    let paused = ArgoDetail {
        pause_conditions: vec![pause.clone()],
        ..promoted(true)
    };
    #[rustfmt::skip]
    let cases = [
        ("canary rolling", steady(canary(false)), true),
        ("canary promoted", steady(canary(true)), false),
        ("canary step left", with(canary(true), &|r| r.step = step(3)), true),
        ("canary last step", with(canary(true), &|r| r.step = step(4)), false),
        ("canary paused", with(canary(true), &|r| r.pause = Some(pause.clone())), true),
        ("pause condition", with(canary(true), &|r| r.argo = Some(paused.clone())), true),
        ("aborted", with(canary(false), &|r| r.phase = Phase::Degraded), true),
        ("degraded promoted", with(canary(true), &|r| r.phase = Phase::Degraded), true),
        ("failed promoted", with(canary(true), &|r| r.phase = Phase::Failed), true),
        ("no detail progressing", with(bare(ArgoCanary), &|r| r.phase = Phase::Progressing), true),
        ("no detail paused", with(bare(ArgoBlueGreen), &|r| r.phase = Phase::Paused), true),
        ("no detail healthy", steady(bare(ArgoCanary)), false),
        ("blue-green rolling", steady(argo_row(ArgoBlueGreen, false, None)), true),
        ("blue-green promoted", steady(argo_row(ArgoBlueGreen, true, None)), false),
        ("deploy updating", deploy(3, Phase::Healthy), true),
        ("deploy progressing", deploy(5, Phase::Progressing), true),
        ("deploy stalled", deploy(3, Phase::Degraded), true),
        ("deploy steady", deploy(5, Phase::Healthy), false),
        ("deploy paused steady", deploy(5, Phase::Paused), false),
        ("deploy unknown", deploy(5, Phase::Unknown), false),
    ];
    for (case, row, expected) in cases {
        assert_eq!(in_flight(&row, now, 900), expected, "{case}");
    }
    use FlaggerPhase as F;
    let flagger = [
        (Some(F::Initializing), true),
        (Some(F::Initialized), false),
        (Some(F::Waiting), true),
        (Some(F::Progressing), true),
        (Some(F::WaitingPromotion), true),
        (Some(F::Promoting), true),
        (Some(F::Finalising), true),
        (Some(F::Succeeded), false),
        (Some(F::Failed), true),
        (Some(F::Terminating), true),
        (Some(F::Terminated), true),
        (None, false),
    ];
    for (phase, expected) in flagger {
        let row = steady(flagger_row(phase, 0));
        assert_eq!(in_flight(&row, now, 900), expected, "flagger {phase:?}");
    }
}

#[test]
fn in_flight_for_fifteen_minutes_after_promotion() {
    let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
    let kinds = [
        ControllerKind::ArgoCanary,
        ControllerKind::ArgoBlueGreen,
        ControllerKind::Deployment,
    ];
    // (seconds since the promotion, phase, judged)
    let cases = [
        (0, Phase::Healthy, true),
        (899, Phase::Healthy, true),
        (900, Phase::Healthy, false),
        (901, Phase::Healthy, false),
        (-60, Phase::Healthy, true),
        (60, Phase::Unknown, false),
    ];
    for kind in kinds {
        for (ago, phase, expected) in cases {
            let mut r = argo_row(kind, true, None);
            r.phase = phase;
            r.since = Some(now - Duration::seconds(ago));
            assert_eq!(
                in_flight(&r, now, 900),
                expected,
                "{kind:?} {ago}s {phase:?}"
            );
        }
        let mut r = argo_row(kind, true, None);
        r.since = None;
        assert!(!in_flight(&r, now, 900), "{kind:?} without since");
    }
    let mut r = flagger_row(Some(FlaggerPhase::Succeeded), 0);
    r.since = Some(now - Duration::seconds(120));
    assert!(in_flight(&r, now, 900));
    assert!(!in_flight(&r, now, 60));
    assert!(in_flight(&r, now, i64::MAX), "an unbounded window");
}
