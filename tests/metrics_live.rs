//! Metrics end to end: shipdeck's real reducer, executor and Prometheus client (headless,
//! see common/headless.rs) against the simulator's query endpoint and against a real
//! Prometheus scraping the simulator.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::headless::{Headless, config};
use common::prometheus::{Prometheus, bucket_of, within};
use common::sim::{client, start_scenario};
use serde_json::{Value, json};
use shipdeck::domain::metrics::alerts::AlertSeverity;
use shipdeck::domain::metrics::{Comparison, MetricKind};
use shipdeck::sim::{self, SimConfig, SimHandle};
use shipdeck::state::metrics::MetricsHealth;
use shipdeck::state::{AppState, Event};

fn payments_alert(
    s: &AppState,
    metric: MetricKind,
) -> Option<&shipdeck::domain::metrics::alerts::Alert> {
    s.metrics
        .alerts
        .active
        .iter()
        .find(|a| a.key.rollout.name == "payments" && a.key.metric == metric)
}

fn key_of(s: &AppState, name: &str) -> shipdeck::domain::rollout::RolloutKey {
    s.rollouts
        .all()
        .find(|r| r.key.name == name && r.key.namespace == "casino-prod")
        .map(|r| r.key.clone())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_casino_payments_regression_fires_a_critical_error_alert_with_the_right_numbers() {
    // The casino story at double speed: payments' canary regresses from sim t=60 s
    // (5xx ×8, p99 ×3) while it serves 30 %; nothing is selected on screen.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sim = sim::start(SimConfig {
        scenario: "casino".into(),
        speed: 2.0,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let url = format!("http://{}", sim.addr);
    let mut app = Headless::start(&sim, "casino-prod", &config(&url, "1s", "10s", 20)).await;
    app.send(Event::Key(shipdeck::input::KeyChord::ch('G'))); // the selection is elsewhere
    app.run_until("the payments 5xx alert", Duration::from_secs(120), |s| {
        payments_alert(s, MetricKind::ErrorRatio).is_some()
    })
    .await;
    let alert = payments_alert(&app.state, MetricKind::ErrorRatio)
        .unwrap()
        .clone();
    assert_eq!(alert.severity, AlertSeverity::Critical);
    assert_eq!(alert.comparison, Comparison::CanaryVsStable);
    assert!(alert.growth > 0.2, "{alert:?}");
    // Hold the story at the regressed canary: at double speed payments would finish its
    // canary a few seconds after the window below on a slow machine. Traffic keeps flowing.
    let c = client(&sim, "sim-operator").await;
    common::sim::clock(&c, json!({"speed": 0.01})).await;
    // One window after the regression began, the canary's 5xx ratio is 8× the stable's.
    let key = key_of(&app.state, "payments");
    let since = Instant::now();
    app.run_until(
        "a full window of regression",
        Duration::from_secs(30),
        |_| since.elapsed() > Duration::from_secs(11),
    )
    .await;
    let m = app.state.metrics.per_rollout[&key].clone();
    let (canary, stable) = (
        m.subject.error_ratio.unwrap(),
        m.reference.unwrap().error_ratio.unwrap(),
    );
    assert!(
        within(canary / stable, 8.0, 0.25),
        "5xx canary {canary} vs stable {stable}"
    );
    let (c99, s99) = (m.subject.p99.unwrap(), m.reference.unwrap().p99.unwrap());
    assert!(c99 > 2.0 * s99, "p99 canary {c99} vs stable {s99}");
    // The row is pinned with the alert; the alerts screen names it with its numbers.
    let row = app.state.rollouts.visible().next().unwrap();
    assert_eq!(row.key.name, "payments", "pinned on top");
    app.send(Event::Key(shipdeck::input::KeyChord::ch('2')));
    let screen = app.screen(150, 40);
    let line = screen
        .lines()
        .find(|l| l.contains("payments") && l.contains("5xx"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(line.to_lowercase().contains("critical"), "{line}");
    // Back on the overview with payments selected: the panel shows its numbers.
    app.send(Event::Key(shipdeck::input::KeyChord::plain(
        shipdeck::input::KeyCode::Enter,
    )));
    let screen = app.screen(150, 40);
    assert!(screen.contains("canary vs stable"), "{screen}");
    assert!(screen.contains("5xx") && screen.contains("p99"), "{screen}");
    sim.stop().await;
}

async fn release_payments(sim: &SimHandle) {
    let c = client(sim, "sim-operator").await;
    let req = http::Request::post("/sim/v1/releases")
        .header("content-type", "application/json")
        .body(serde_json::to_vec(&json!({"namespace": "casino-prod", "name": "payments", "image": "registry.casino.example/payments:3.3.0"})).unwrap())
        .unwrap();
    let _: Value = c.request(req).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_real_prometheus_values_match_a_fault_alerts_and_an_outage_goes_stale() {
    let sim = start_scenario("steady").await;
    let Some(mut prom) = Prometheus::start(sim.addr) else {
        return;
    };
    release_payments(&sim).await;
    let url = format!("http://{}", prom.addr);
    let (interval, window) = (1, 10);
    let cfg = config(&url, &format!("{interval}s"), &format!("{window}s"), 20);
    let mut app = Headless::start(&sim, "casino-prod", &cfg).await;
    let key = {
        app.run_until("payments in flight", Duration::from_secs(30), |s| {
            s.rollouts
                .all()
                .any(|r| r.key.name == "payments" && r.step.is_some())
        })
        .await;
        key_of(&app.state, "payments")
    };
    // Wait until a full window has passed since the pods changed (new canary pods start new
    // series, scaled-down stable pods end theirs: a window across that undercounts), then
    // compare with what the simulator was told.
    let start = Instant::now();
    app.run_until("a full window of data", Duration::from_secs(60), |s| {
        start.elapsed() > Duration::from_secs(2 * window + 2)
            && s.metrics.per_rollout.get(&key).is_some_and(|m| {
                m.comparison == Comparison::CanaryVsStable
                    && m.subject.request_rate.is_some_and(|r| r > 0.0)
            })
    })
    .await;
    let profile = sim
        .shared
        .world
        .lock()
        .unwrap()
        .metrics
        .traffic
        .profile("casino-prod", "payments")
        .unwrap();
    let m = app.state.metrics.per_rollout[&key].clone();
    let stable = m.reference.unwrap();
    let total = m.subject.request_rate.unwrap() + stable.request_rate.unwrap();
    assert!(
        within(total, profile.rps, 0.10),
        "{total} req/s vs {}",
        profile.rps
    );
    assert!(
        within(stable.error_ratio.unwrap(), profile.error_ratio, 0.10),
        "{stable:?} vs {profile:?}"
    );
    for (q, got) in [(0.95, stable.p95.unwrap()), (0.99, stable.p99.unwrap())] {
        let (lo, hi) = bucket_of(profile.quantile(q, 1.0));
        assert!(got >= lo && got <= hi, "p{q}: {got} not in [{lo}, {hi}]");
    }
    assert!(app.state.metrics.alerts.active.is_empty(), "healthy so far");

    // An errors fault on the canary: the alert fires within 2 × interval + window + 10 s
    // (the bound the metrics issue sets; its 10 s are the slack).
    let c = client(&sim, "sim-operator").await;
    let fault = http::Request::post("/sim/v1/faults")
        .header("content-type", "application/json")
        .body(serde_json::to_vec(&json!({"kind": "errors", "target": "casino-prod/payments", "track": "canary", "factor": 8})).unwrap())
        .unwrap();
    let fault_at = chrono::Utc::now();
    let _: Value = c.request(fault).await.unwrap();
    app.run_until("the 5xx alert", Duration::from_secs(90), |s| {
        payments_alert(s, MetricKind::ErrorRatio).is_some()
    })
    .await;
    let alert = payments_alert(&app.state, MetricKind::ErrorRatio).unwrap();
    let bound = chrono::Duration::seconds(2 * interval as i64 + window as i64 + 10);
    assert!(
        alert.since - fault_at <= bound,
        "fired {} s after the fault",
        (alert.since - fault_at).num_seconds()
    );

    // Prometheus stops: the panel goes stale, nothing crashes; it comes back: live again.
    prom.stop();
    app.run_until("stale", Duration::from_secs(30), |s| s.metrics.stale())
        .await;
    let screen = app.screen(150, 40);
    assert!(screen.contains("Prometheus unreachable"), "{screen}");
    assert!(
        app.state.metrics.per_rollout.contains_key(&key),
        "the last values stay"
    );
    prom.restart();
    app.run_until("live again", Duration::from_secs(90), |s| {
        matches!(s.metrics.health, MetricsHealth::Live { .. })
    })
    .await;
    drop(prom);
    sim.stop().await;
}
