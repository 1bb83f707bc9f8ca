use chrono::{Duration, TimeZone};

use super::*;
use crate::domain::metrics::rules::NoData;
use crate::domain::metrics::{MetricKind, Side};
use crate::domain::rollout::ControllerKind;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
}

fn at(interval: i64) -> DateTime<Utc> {
    t0() + Duration::seconds(30 * interval)
}

fn rollout(name: &str) -> RolloutKey {
    RolloutKey {
        namespace: "casino-prod".into(),
        name: name.into(),
        kind: ControllerKind::ArgoCanary,
    }
}

fn key(name: &str, metric: MetricKind) -> AlertKey {
    AlertKey {
        rollout: rollout(name),
        metric,
    }
}

fn breach(growth: f64) -> Verdict {
    Verdict::Breach {
        value: 0.1 * (1.0 + growth),
        baseline: 0.1,
        growth,
    }
}

const HEALTHY: Verdict = Verdict::Healthy {
    value: 0.1,
    baseline: 0.1,
};

fn no_data() -> Verdict {
    Verdict::NoData(NoData::TooFewRequests {
        side: Side::Canary,
        requests: 12.0,
    })
}

/// What an observation did, as a letter: `F` fired, `C` cleared, `.` nothing.
fn letter(change: &Option<AlertChange>) -> char {
    match change {
        Some(AlertChange::Fired(_)) => 'F',
        Some(AlertChange::Cleared(_)) => 'C',
        None => '.',
    }
}

/// Feeds a script (`B` breach, `H` healthy, `N` no data) for one key and returns the letters.
fn run(book: &mut AlertBook, k: &AlertKey, script: &str) -> String {
    let t = Thresholds::default();
    let mut out = String::new();
    for (i, c) in script.chars().enumerate() {
        let v = match c {
            'B' => breach(0.5),
            'H' => HEALTHY,
            _ => no_data(),
        };
        let change = book.observe(
            k.clone(),
            &v,
            Comparison::CanaryVsStable,
            false,
            &t,
            at(i as i64),
        );
        out.push(letter(&change));
    }
    out
}

#[test]
fn streaks_fire_after_two_breaches_and_clear_after_three_healthy() {
    // (script, expected letters, firing at the end)
    let cases = [
        ("B", ".", false),
        ("BB", ".F", true),
        ("BBB", ".F.", true),
        ("BHB", "...", false),
        ("BNB", "...", false),
        ("BNBB", "...F", true),
        ("BBHH", ".F..", true),
        ("BBHHH", ".F..C", false),
        ("BBHHBHHH", ".F.....C", false),
        ("BBHHNHHH", ".F.....C", false),
        ("BBHNHH", ".F....", true),
        ("BBNNNNNN", ".F......", true),
        ("BBHHHBB", ".F..C.F", true),
        ("NNNHHH", "......", false),
        ("HHHBB", "....F", true),
    ];
    let k = key("payments", MetricKind::ErrorRatio);
    for (script, expected, firing) in cases {
        let mut book = AlertBook::default();
        assert_eq!(run(&mut book, &k, script), expected, "{script}");
        assert_eq!(book.active.len(), usize::from(firing), "{script}");
        let cleared = expected.matches('C').count();
        assert_eq!(book.history.len(), cleared, "{script}");
    }
}

#[test]
fn a_fired_alert_carries_its_numbers_and_the_firing_time() {
    let mut book = AlertBook::default();
    let k = key("payments", MetricKind::LatencyP99);
    let t = Thresholds::default();
    let cmp = Comparison::AfterVsBefore;
    assert_eq!(
        book.observe(k.clone(), &breach(0.3), cmp, false, &t, at(0)),
        None
    );
    let Some(AlertChange::Fired(a)) = book.observe(k.clone(), &breach(0.25), cmp, false, &t, at(1))
    else {
        panic!("the second breach fires");
    };
    assert_eq!(a.key, k);
    assert_eq!(a.since, at(1));
    assert_eq!((a.growth, a.threshold, a.comparison), (0.25, 0.20, cmp));
    assert_eq!(a.severity, AlertSeverity::Warning);
    assert_eq!((a.acknowledged, a.cleared), (false, None));
    assert_eq!(book.active, vec![a]);
}

#[test]
fn a_breach_while_firing_updates_and_may_raise_severity() {
    let mut book = AlertBook::default();
    let k = key("payments", MetricKind::ErrorRatio);
    let t = Thresholds::default();
    let cmp = Comparison::CanaryVsStable;
    for i in 0..2 {
        book.observe(k.clone(), &breach(0.15), cmp, false, &t, at(i));
    }
    assert_eq!(book.active[0].severity, AlertSeverity::Warning);
    assert_eq!(
        book.observe(k.clone(), &breach(3.0), cmp, false, &t, at(5)),
        None
    );
    let a = &book.active[0];
    assert_eq!(
        (a.growth, a.severity, a.since),
        (3.0, AlertSeverity::Critical, at(1))
    );
    assert!((a.value - 0.4).abs() < 1e-12);
    // a milder breach updates the numbers but keeps the raised severity
    assert_eq!(
        book.observe(k.clone(), &breach(0.15), cmp, false, &t, at(6)),
        None
    );
    assert_eq!(book.active[0].growth, 0.15);
    assert_eq!(book.active[0].severity, AlertSeverity::Critical);
    assert_eq!(book.active.len(), 1);
}

#[test]
fn severity_at_twice_the_threshold_or_for_a_critical_service() {
    use AlertSeverity::{Critical, Warning};
    let cases = [
        ("5xx +19.99 %", 0.1999, 0.10, false, Warning),
        (
            "5xx +20 % computed",
            0.12 / 0.1 - 1.0,
            0.10,
            false,
            Critical,
        ),
        ("5xx +20.01 %", 0.2001, 0.10, false, Critical),
        ("p99 +39.99 %", 0.3999, 0.20, false, Warning),
        ("p99 +40 %", 0.40, 0.20, false, Critical),
        (
            "p99 +40 % computed",
            0.28 / 0.2 - 1.0,
            0.20,
            false,
            Critical,
        ),
        ("zero baseline", f64::INFINITY, 0.10, false, Critical),
        ("critical service", 0.11, 0.10, true, Critical),
        ("NaN growth", f64::NAN, 0.10, false, Warning),
    ];
    for (case, growth, threshold, critical, expected) in cases {
        assert_eq!(severity(growth, threshold, critical), expected, "{case}");
    }
    let mut book = AlertBook::default();
    let k = key("payments", MetricKind::ErrorRatio);
    let t = Thresholds::default();
    for i in 0..2 {
        let cmp = Comparison::CanaryVsStable;
        let change = book.observe(k.clone(), &breach(0.11), cmp, true, &t, at(i));
        if let Some(AlertChange::Fired(a)) = change {
            assert_eq!(a.severity, Critical, "a critical service");
        }
    }
    assert_eq!(book.firing_for(&k.rollout), Some(Critical));
}

#[test]
fn cleared_alerts_move_to_a_bounded_history_newest_first() {
    let mut book = AlertBook::default();
    let k = key("payments", MetricKind::ErrorRatio);
    let t = Thresholds::default();
    let cmp = Comparison::CanaryVsStable;
    for round in 0..(HISTORY_LIMIT as i64 + 5) {
        let base = round * 10;
        for i in 0..2 {
            book.observe(k.clone(), &breach(0.5), cmp, false, &t, at(base + i));
        }
        for i in 2..5 {
            let change = book.observe(k.clone(), &HEALTHY, cmp, false, &t, at(base + i));
            if i == 4 {
                let Some(AlertChange::Cleared(a)) = change else {
                    panic!("round {round} clears");
                };
                assert_eq!((a.since, a.cleared), (at(base + 1), Some(at(base + 4))));
            }
        }
    }
    assert!(book.active.is_empty());
    assert_eq!(book.history.len(), HISTORY_LIMIT);
    let last = (HISTORY_LIMIT as i64 + 4) * 10;
    assert_eq!(book.history[0].since, at(last + 1), "newest first");
    assert!(book.history[0].since > book.history[1].since);
}

#[test]
fn active_is_newest_first_and_firing_for_takes_the_most_severe() {
    let mut book = AlertBook::default();
    let t = Thresholds::default();
    let cmp = Comparison::CanaryVsStable;
    let err = key("payments", MetricKind::ErrorRatio);
    let p99 = key("payments", MetricKind::LatencyP99);
    let other = key("lobby", MetricKind::LatencyP95);
    for i in 0..2 {
        book.observe(err.clone(), &breach(0.15), cmp, false, &t, at(i));
    }
    assert_eq!(book.firing_for(&err.rollout), Some(AlertSeverity::Warning));
    for i in 2..4 {
        book.observe(p99.clone(), &breach(1.0), cmp, false, &t, at(i));
        book.observe(other.clone(), &breach(0.3), cmp, false, &t, at(i));
    }
    let keys: Vec<_> = book.active.iter().map(|a| a.key.clone()).collect();
    assert_eq!(keys, vec![other.clone(), p99, err.clone()]);
    assert_eq!(book.firing_for(&err.rollout), Some(AlertSeverity::Critical));
    assert_eq!(
        book.firing_for(&other.rollout),
        Some(AlertSeverity::Warning)
    );
    assert_eq!(book.firing_for(&rollout("wallet")), None);
}

#[test]
fn streaks_are_kept_per_rollout_and_metric() {
    let mut book = AlertBook::default();
    let t = Thresholds::default();
    let cmp = Comparison::CanaryVsStable;
    let a = key("payments", MetricKind::ErrorRatio);
    let b = key("payments", MetricKind::LatencyP95);
    let c = key("lobby", MetricKind::ErrorRatio);
    assert_eq!(
        book.observe(a.clone(), &breach(0.5), cmp, false, &t, at(0)),
        None
    );
    assert_eq!(
        book.observe(b.clone(), &breach(0.5), cmp, false, &t, at(0)),
        None
    );
    assert_eq!(
        book.observe(c.clone(), &breach(0.5), cmp, false, &t, at(0)),
        None
    );
    assert_eq!(book.observe(b, &HEALTHY, cmp, false, &t, at(1)), None);
    let fired = book.observe(a, &breach(0.5), cmp, false, &t, at(1));
    assert_eq!(letter(&fired), 'F');
    assert_eq!(book.active.len(), 1);
}

#[test]
fn acknowledge_marks_only_a_firing_alert() {
    let mut book = AlertBook::default();
    let k = key("payments", MetricKind::ErrorRatio);
    assert!(!book.acknowledge(&k), "nothing fires yet");
    run(&mut book, &k, "B");
    assert!(!book.acknowledge(&k), "a pending streak is not an alert");
    run(&mut book, &k, "B");
    assert!(book.acknowledge(&k));
    assert!(book.active[0].acknowledged);
    assert!(!book.acknowledge(&key("payments", MetricKind::LatencyP99)));
}

#[test]
fn forget_clears_the_rollouts_alerts_and_streaks() {
    let mut book = AlertBook::default();
    let t = Thresholds::default();
    let cmp = Comparison::CanaryVsStable;
    let err = key("payments", MetricKind::ErrorRatio);
    let p95 = key("payments", MetricKind::LatencyP95);
    let p99 = key("payments", MetricKind::LatencyP99);
    let other = key("lobby", MetricKind::ErrorRatio);
    for i in 0..2 {
        book.observe(err.clone(), &breach(0.5), cmp, false, &t, at(i));
        book.observe(other.clone(), &breach(0.5), cmp, false, &t, at(i));
    }
    for i in 2..4 {
        book.observe(p95.clone(), &breach(0.5), cmp, false, &t, at(i));
    }
    book.observe(p99.clone(), &breach(0.5), cmp, false, &t, at(4));
    let changes = book.forget(&err.rollout, at(5));
    let cleared: Vec<_> = changes
        .iter()
        .map(|c| match c {
            AlertChange::Cleared(a) => (a.key.clone(), a.cleared),
            AlertChange::Fired(_) => panic!("forget never fires"),
        })
        .collect();
    assert_eq!(
        cleared,
        vec![(p95.clone(), Some(at(5))), (err, Some(at(5)))]
    );
    let history: Vec<_> = book.history.iter().map(|a| a.key.clone()).collect();
    assert_eq!(history, vec![p95, cleared[1].0.clone()], "newest first");
    assert_eq!(book.active.len(), 1);
    assert_eq!(book.active[0].key, other);
    // the pending p99 streak is gone: one more breach does not fire
    assert_eq!(book.observe(p99, &breach(0.5), cmp, false, &t, at(6)), None);
    assert!(book.forget(&rollout("wallet"), at(7)).is_empty());
}
