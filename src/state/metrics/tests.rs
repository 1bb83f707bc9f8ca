//! Reducer scenarios: events in, state and exact commands out.

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::*;
use crate::config::ServiceConfig;
use crate::domain::detail::ArgoDetail;
use crate::domain::metrics::alerts::AlertSeverity;
use crate::domain::rollout::{Attention, ControllerKind, Phase, RolloutRow, StepProgress, Weights};
use crate::input::{KeyChord, KeyCode};
use crate::state::tests::session;
use crate::state::{AppState, Command, Event, Screen, update};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 3, 0, 0).unwrap()
}

fn canary(name: &str, weight: u32) -> RolloutRow {
    let mut r = RolloutRow::new("casino-prod", name, ControllerKind::ArgoCanary);
    r.phase = Phase::Progressing;
    r.step = Some(StepProgress { index: 2, total: 7 });
    r.weights = Some(Weights {
        set: weight,
        actual: Some(weight),
    });
    r.since = Some(t0() - Duration::minutes(3));
    r.argo = Some(ArgoDetail {
        current_pod_hash: Some(format!("{name}-new")),
        stable_rs: Some(format!("{name}-old")),
        current_step_index: Some(2),
        canary_service: Some(format!("{name}-canary")),
        stable_service: Some(format!("{name}-stable")),
        ..ArgoDetail::default()
    });
    r
}

fn steady(name: &str) -> RolloutRow {
    let mut r = RolloutRow::new("casino-prod", name, ControllerKind::Deployment);
    r.since = Some(t0() - Duration::days(3));
    r
}

fn state_with(rows: Vec<RolloutRow>, services: Vec<ServiceConfig>) -> AppState {
    let mut s = AppState::with_rows(session(false), rows, t0());
    s.set_metrics(MetricsSettings {
        enabled: true,
        source: "http://127.0.0.1:9090".into(),
        services,
        ..MetricsSettings::default()
    });
    s
}

fn queries(cmds: &[Command]) -> Vec<&MetricsRequest> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::QueryMetrics(r) => Some(r),
            _ => None,
        })
        .collect()
}

fn side(rate: f64, err: f64, p95: f64, p99: f64) -> SideValues {
    SideValues {
        request_rate: Some(rate),
        error_ratio: Some(err),
        p95: Some(p95),
        p99: Some(p99),
    }
}

/// One interval: tick at `at`, answer the query with `values` per rollout name.
fn interval(s: &mut AppState, at: DateTime<Utc>, values: &[(&str, SideValues, SideValues)]) {
    let cmds = update(s, Event::Tick(at));
    let q = queries(&cmds);
    assert_eq!(q.len(), 1, "one grouped query per interval: {cmds:?}");
    let mut answer = MetricsAnswer::default();
    for t in &q[0].targets {
        if let Some((_, c, st)) = values.iter().find(|(n, _, _)| *n == t.key.name) {
            answer.current.insert(t.key.clone(), [*c, *st]);
        }
    }
    let id = q[0].id;
    update(
        s,
        Event::Metrics {
            id,
            result: Ok(answer),
        },
    );
}

fn regressing() -> (SideValues, SideValues) {
    (
        side(20.0, 0.08, 0.150, 0.600),
        side(180.0, 0.01, 0.100, 0.200),
    )
}

fn healthy() -> (SideValues, SideValues) {
    (
        side(20.0, 0.01, 0.100, 0.200),
        side(180.0, 0.01, 0.100, 0.200),
    )
}

#[test]
fn every_rollout_in_flight_is_queried_in_one_request_whatever_is_on_screen() {
    let rows = vec![
        canary("payments", 30),
        canary("game-engine", 50),
        steady("wallet"),
    ];
    let mut s = state_with(rows, Vec::new());
    s.rollouts.set_filter("wallet"); // payments and game-engine scrolled/filtered away
    let cmds = update(&mut s, Event::Tick(t0()));
    let q = queries(&cmds);
    assert_eq!(q.len(), 1);
    let mut names: Vec<&str> = q[0].targets.iter().map(|t| t.key.name.as_str()).collect();
    names.sort();
    assert_eq!(
        names,
        ["game-engine", "payments"],
        "steady wallet is not in flight"
    );
    assert_eq!(q[0].namespaces, ["casino-prod"]);
    assert_eq!(q[0].window, std::time::Duration::from_secs(60));
    let releases = cmds
        .iter()
        .filter(|c| matches!(c, Command::FetchRelease(_)))
        .count();
    assert_eq!(releases, 2, "one release lookup per rollout in flight");
    // Within the interval, and while a request is pending: nothing more.
    assert!(queries(&update(&mut s, Event::Tick(t0() + Duration::seconds(11)))).is_empty());
}

#[test]
fn two_breaching_intervals_fire_a_critical_alert_and_pin_the_row() {
    let mut s = state_with(vec![canary("payments", 30), steady("wallet")], Vec::new());
    let (c, st) = regressing();
    interval(&mut s, t0(), &[("payments", c, st)]);
    assert!(
        s.metrics.alerts.active.is_empty(),
        "one breach is not an alert"
    );
    let m = &s.metrics.per_rollout[&s.rollouts.get_by_name("payments").key.clone()];
    assert_eq!(
        m.comparison,
        crate::domain::metrics::Comparison::CanaryVsStable
    );
    interval(&mut s, t0() + Duration::seconds(10), &[("payments", c, st)]);
    let alerts = &s.metrics.alerts.active;
    assert_eq!(
        alerts.len(),
        3,
        "5xx, p95 and p99 all regressed: {alerts:?}"
    );
    let err = alerts
        .iter()
        .find(|a| a.key.metric == MetricKind::ErrorRatio)
        .unwrap();
    assert_eq!(
        err.severity,
        AlertSeverity::Critical,
        "+700 % is over 2 × 10 %"
    );
    assert!((err.value - 0.08).abs() < 1e-12 && (err.baseline - 0.01).abs() < 1e-12);
    let row = s.rollouts.get_by_name("payments");
    assert_eq!(row.attention, Some(Attention::AlertFiring));
    assert_eq!(
        s.rollouts.visible().next().unwrap().key.name,
        "payments",
        "pinned on top"
    );
    let flash = s.flash.as_ref().unwrap();
    assert!(
        flash.error && flash.text.contains("CRITICAL"),
        "{}",
        flash.text
    );
}

#[test]
fn three_healthy_intervals_clear_and_restore_the_row() {
    let mut s = state_with(vec![canary("payments", 30)], Vec::new());
    let (c, st) = regressing();
    let (hc, hs) = healthy();
    let mut at = t0();
    for _ in 0..2 {
        interval(&mut s, at, &[("payments", c, st)]);
        at += Duration::seconds(10);
    }
    assert!(!s.metrics.alerts.active.is_empty());
    for i in 0..3 {
        assert!(
            !s.metrics.alerts.active.is_empty(),
            "still firing after {i} healthy"
        );
        interval(&mut s, at, &[("payments", hc, hs)]);
        at += Duration::seconds(10);
    }
    assert!(s.metrics.alerts.active.is_empty());
    assert_eq!(s.metrics.alerts.history.len(), 3);
    assert_eq!(s.rollouts.get_by_name("payments").attention, None);
}

#[test]
fn a_warning_alert_for_a_small_regression_and_critical_for_a_critical_service() {
    // +30 % p99 is over 20 % but under 40 %: warning, unless the service is critical.
    let c = side(20.0, 0.01, 0.100, 0.260);
    let st = side(180.0, 0.01, 0.100, 0.200);
    for (critical, want) in [
        (false, AlertSeverity::Warning),
        (true, AlertSeverity::Critical),
    ] {
        let services = vec![ServiceConfig {
            namespace: "casino-prod".into(),
            name: "payments".into(),
            critical,
            ..ServiceConfig::default()
        }];
        let mut s = state_with(vec![canary("payments", 30)], services);
        interval(&mut s, t0(), &[("payments", c, st)]);
        interval(&mut s, t0() + Duration::seconds(10), &[("payments", c, st)]);
        let a = &s.metrics.alerts.active;
        assert_eq!(a.len(), 1, "{a:?}");
        assert_eq!(a[0].key.metric, MetricKind::LatencyP99);
        assert_eq!(a[0].severity, want);
        assert_eq!(s.rollouts.get_by_name("payments").critical, critical);
    }
}

#[test]
fn a_failed_interval_keeps_the_values_marks_them_stale_and_backs_off() {
    let mut s = state_with(vec![canary("payments", 30)], Vec::new());
    let (c, st) = healthy();
    interval(&mut s, t0(), &[("payments", c, st)]);
    let at = t0() + Duration::seconds(10);
    let cmds = update(&mut s, Event::Tick(at));
    let id = queries(&cmds)[0].id;
    let err = "Prometheus unreachable: connection refused".to_string();
    update(
        &mut s,
        Event::Metrics {
            id,
            result: Err(err),
        },
    );
    assert!(s.metrics.stale());
    assert_eq!(s.metrics.per_rollout.len(), 1, "the last values stay");
    let status = panel_status(&s.metrics, at);
    assert!(status.problem && status.stale);
    assert_eq!(
        status.text,
        "Prometheus unreachable: connection refused, retrying in 2 s · values are stale"
    );
    assert!(queries(&update(&mut s, Event::Tick(at + Duration::seconds(1)))).is_empty());
    let retry = update(&mut s, Event::Tick(at + Duration::seconds(2)));
    let id = queries(&retry)[0].id;
    update(
        &mut s,
        Event::Metrics {
            id,
            result: Err("down".into()),
        },
    );
    let MetricsHealth::Failing {
        retry_at, attempts, ..
    } = s.metrics.health.clone()
    else {
        panic!("still failing")
    };
    assert_eq!(attempts, 2);
    assert_eq!(retry_at, at + Duration::seconds(2 + 4), "the wait doubles");
    // Recovery: live again, not stale.
    let cmds = update(&mut s, Event::Tick(retry_at));
    let id = queries(&cmds)[0].id;
    let mut answer = MetricsAnswer::default();
    answer
        .current
        .insert(s.rollouts.get_by_name("payments").key.clone(), [c, st]);
    update(
        &mut s,
        Event::Metrics {
            id,
            result: Ok(answer),
        },
    );
    assert!(!s.metrics.stale());
}

#[test]
fn an_answer_to_an_older_request_is_ignored() {
    let mut s = state_with(vec![canary("payments", 30)], Vec::new());
    let cmds = update(&mut s, Event::Tick(t0()));
    let id = queries(&cmds)[0].id;
    update(
        &mut s,
        Event::Metrics {
            id: id + 7,
            result: Err("late".into()),
        },
    );
    assert!(!s.metrics.stale(), "not our request");
    assert_eq!(s.metrics.pending.map(|p| p.0), Some(id));
}

#[test]
fn after_vs_before_compares_with_the_window_before_the_release() {
    let mut row = steady("auth");
    row.phase = Phase::Progressing;
    row.replicas.desired = 4;
    row.replicas.updated = 2;
    let key = row.key.clone();
    let mut s = state_with(vec![row], Vec::new());
    let cmds = update(&mut s, Event::Tick(t0()));
    let Some(Command::FetchRelease(req)) =
        cmds.iter().find(|c| matches!(c, Command::FetchRelease(_)))
    else {
        panic!("no release lookup: {cmds:?}")
    };
    assert_eq!(
        (req.owner.kind, req.owner.name.as_str()),
        ("Deployment", "auth")
    );
    let start = t0() - Duration::minutes(2);
    update(
        &mut s,
        Event::Release(ReleaseAnswer {
            key: key.clone(),
            revision: req.revision.clone(),
            result: Ok(Some(crate::domain::metrics::ReleaseInfo {
                start,
                canary_hash: None,
                stable_hash: None,
            })),
        }),
    );
    let first = queries(&cmds)[0].id;
    update(
        &mut s,
        Event::Metrics {
            id: first,
            result: Ok(MetricsAnswer::default()),
        },
    );
    let cmds = update(&mut s, Event::Tick(t0() + Duration::seconds(10)));
    let q = queries(&cmds)[0].clone();
    let before = q.before.as_ref().expect("a before group");
    assert_eq!(before.start, start);
    assert_eq!(before.window, std::time::Duration::from_secs(30 * 60));
    assert_eq!(before.targets[0].key, key);
    let mut answer = MetricsAnswer::default();
    answer.current.insert(
        key.clone(),
        [SideValues::default(), side(50.0, 0.03, 0.1, 0.2)],
    );
    let mut befores = std::collections::BTreeMap::new();
    befores.insert(key.clone(), side(40.0, 0.01, 0.1, 0.2));
    answer.before = Some((start, befores));
    update(
        &mut s,
        Event::Metrics {
            id: q.id,
            result: Ok(answer),
        },
    );
    let m = &s.metrics.per_rollout[&key];
    assert_eq!(
        m.comparison,
        crate::domain::metrics::Comparison::AfterVsBefore
    );
    assert_eq!(m.reference.and_then(|r| r.error_ratio), Some(0.01));
    assert!(matches!(
        m.verdicts[&MetricKind::ErrorRatio],
        crate::domain::metrics::rules::Verdict::Breach { .. }
    ));
    // Fetched once: the next interval has no before group.
    let cmds = update(&mut s, Event::Tick(t0() + Duration::seconds(20)));
    assert!(queries(&cmds)[0].before.is_none());
}

#[test]
fn the_alerts_screen_acknowledges_and_opens_the_rollout() {
    let mut s = state_with(
        vec![canary("payments", 30), canary("lobby", 10)],
        Vec::new(),
    );
    let (c, st) = regressing();
    interval(&mut s, t0(), &[("payments", c, st)]);
    interval(&mut s, t0() + Duration::seconds(10), &[("payments", c, st)]);
    update(&mut s, Event::Key(KeyChord::ch('2')));
    assert_eq!(s.screen, Screen::Alerts);
    update(&mut s, Event::Key(KeyChord::ch('A')));
    assert!(s.metrics.alerts.active[0].acknowledged);
    update(&mut s, Event::Key(KeyChord::plain(KeyCode::Enter)));
    assert_eq!(s.screen, Screen::Rollouts);
    assert_eq!(s.rollouts.selected().unwrap().key.name, "payments");
}

#[test]
fn a_new_critical_alert_rings_the_bell_when_asked_and_only_once() {
    let mut s = state_with(vec![canary("payments", 30)], Vec::new());
    s.metrics.settings.rules.bell = true;
    let (c, st) = regressing();
    let mut bells = 0;
    for i in 0..4 {
        let cmds = update(&mut s, Event::Tick(t0() + Duration::seconds(10 * i)));
        let q = queries(&cmds)[0].clone();
        let mut answer = MetricsAnswer::default();
        answer.current.insert(q.targets[0].key.clone(), [c, st]);
        let out = update(
            &mut s,
            Event::Metrics {
                id: q.id,
                result: Ok(answer),
            },
        );
        bells += out.iter().filter(|c| **c == Command::Bell).count();
    }
    assert_eq!(bells, 1);
}

#[test]
fn metrics_off_asks_for_nothing() {
    let mut s = AppState::with_rows(session(false), vec![canary("payments", 30)], t0());
    assert!(update(&mut s, Event::Tick(t0())).is_empty());
    assert_eq!(s.metrics.health, MetricsHealth::Off);
}

#[test]
fn the_second_opinion_passes_equal_sides_and_fails_a_clear_regression() {
    use crate::domain::judge::Verdict as JudgeVerdict;
    use crate::domain::metrics::prom::Sample;
    let samples = |base: f64, n: usize| -> Vec<Sample> {
        (0..n)
            .map(|i| Sample {
                t: i as f64,
                v: base * (1.0 + 0.05 * ((i * 7 % 11) as f64 / 11.0)),
            })
            .collect()
    };
    let mut same = RangeAnswer::default();
    let mut worse = RangeAnswer::default();
    for kind in MetricKind::JUDGED {
        same.series
            .insert(kind, [samples(0.1, 30), samples(0.1, 30)]);
        worse
            .series
            .insert(kind, [samples(0.8, 30), samples(0.1, 30)]);
    }
    let pass = second_opinion(&same);
    assert_eq!(pass.verdict, JudgeVerdict::Pass, "{pass:?}");
    let fail = second_opinion(&worse);
    assert_eq!(fail.verdict, JudgeVerdict::Fail, "{fail:?}");
}
