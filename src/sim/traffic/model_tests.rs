use super::*;

fn model() -> (TrafficModel, Workload) {
    let mut m = TrafficModel::new(1000.0, 1);
    m.ensure("p", "pay", "pay");
    m.set_profile(
        "p",
        "pay",
        Profile {
            rps: 100.0,
            error_ratio: 0.01,
            median: 0.05,
            sigma: 0.5,
        },
    );
    let w = m.workloads().remove(0);
    (m, w)
}

#[test]
fn traffic_splits_by_the_canary_share_over_time() {
    let (mut m, w) = model();
    m.set_share("p", "pay", 0.25, 1100.0);
    // Before the change all traffic is stable.
    let s = m.window(&w, Track::Stable, 1000.0, 1100.0);
    assert!((s.requests - 10_000.0).abs() < 1e-6, "{}", s.requests);
    assert_eq!(m.window(&w, Track::Canary, 1000.0, 1100.0).requests, 0.0);
    // A window across the change is split at it.
    let c = m.window(&w, Track::Canary, 1050.0, 1150.0);
    assert!((c.requests - 1250.0).abs() < 1e-6, "{}", c.requests);
    assert!((c.errors - 12.5).abs() < 1e-6);
    // Before the model existed the starting state held.
    assert!((m.window(&w, Track::Stable, 0.0, 10.0).requests - 1000.0).abs() < 1e-6);
    let mut started = TrafficModel::new(1000.0, 1);
    started.ensure("p", "x", "x");
    started.set_share("p", "x", 0.5, 1000.0);
    let wx = started.workloads().remove(0);
    let past = started.window(&wx, Track::Canary, 0.0, 10.0);
    let rps = started.profile("p", "x").unwrap().rps;
    assert!(
        (past.requests - rps * 5.0).abs() < 1e-6,
        "a share set at the start held before it"
    );
}

#[test]
fn faults_multiply_errors_and_latency_of_their_track_for_their_time() {
    let (mut m, w) = model();
    m.set_share("p", "pay", 0.5, 1000.0);
    m.add_fault(TrafficFault {
        namespace: "p".into(),
        rollout: "pay".into(),
        track: Some(Track::Canary),
        kind: FaultKind::Errors(8.0),
        from: 1100.0,
        until: 1200.0,
    });
    let before = m.window(&w, Track::Canary, 1000.0, 1100.0);
    let during = m.window(&w, Track::Canary, 1100.0, 1200.0);
    let stable = m.window(&w, Track::Stable, 1100.0, 1200.0);
    assert!((before.errors / before.requests - 0.01).abs() < 1e-9);
    assert!((during.errors / during.requests - 0.08).abs() < 1e-9);
    assert!((stable.errors / stable.requests - 0.01).abs() < 1e-9);
    m.add_fault(TrafficFault {
        namespace: "p".into(),
        rollout: "pay".into(),
        track: None,
        kind: FaultKind::Latency(3.0),
        from: 1300.0,
        until: f64::INFINITY,
    });
    let slow = m.window(&w, Track::Stable, 1300.0, 1400.0);
    let fast = m.window(&w, Track::Stable, 1200.0, 1300.0);
    assert!(
        slow.buckets[4] < fast.buckets[4],
        "fewer requests under 100 ms when slow"
    );
}

#[test]
fn buckets_follow_the_log_normal_latency() {
    let (m, w) = model();
    let win = m.window(&w, Track::Stable, 1000.0, 1100.0);
    // Median 50 ms: half the requests are under the 50 ms bucket.
    assert!(
        (win.buckets[3] / win.requests - 0.5).abs() < 1e-3,
        "{}",
        win.buckets[3] / win.requests
    );
    assert_eq!(win.buckets[11], win.requests);
    assert!(win.buckets.windows(2).all(|b| b[0] <= b[1]), "cumulative");
    let p = m.profile("p", "pay").unwrap();
    assert!((p.quantile(0.5, 1.0) - 0.05).abs() < 1e-9);
    assert!((normal_cdf(0.0) - 0.5).abs() < 1e-7 && (normal_cdf(1.96) - 0.975).abs() < 1e-4);
}

#[test]
fn counters_only_grow() {
    let (mut m, w) = model();
    m.set_share("p", "pay", 0.3, 1010.0);
    let a = m.counters(&w, Track::Canary, 1020.0);
    let b = m.counters(&w, Track::Canary, 1030.0);
    assert!(b.requests > a.requests && b.errors >= a.errors);
    assert!(b.buckets.iter().zip(a.buckets.iter()).all(|(x, y)| x >= y));
}
