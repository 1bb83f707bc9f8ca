use chrono::TimeZone;

use super::*;
use crate::config::metrics::ServiceConfig;
use crate::domain::detail::ArgoDetail;
use crate::domain::metrics::alerts::{Alert, AlertKey};
use crate::domain::metrics::{Comparison, MetricKind};
use crate::input::{KeyChord, KeyCode};
use crate::state::metrics::MetricsSettings;
use crate::state::{Event, Overlay, update};

fn state(read_only: bool, service: ServiceConfig, row: RolloutRow) -> AppState {
    let now = Utc.with_ymd_and_hms(2026, 11, 26, 3, 0, 0).unwrap();
    let mut s = AppState::with_rows(super::super::tests::session(read_only), vec![row], now);
    s.set_metrics(MetricsSettings {
        services: vec![service],
        ..MetricsSettings::default()
    });
    s
}

fn payments() -> RolloutRow {
    let mut row = RolloutRow::new("casino-prod", "payments", ControllerKind::ArgoCanary);
    row.argo = Some(ArgoDetail {
        current_pod_hash: Some("new".into()),
        stable_rs: Some("old".into()),
        ..ArgoDetail::default()
    });
    row.seen.facts.namespace = "casino-prod".into();
    row.seen.facts.name = "payments".into();
    row.seen.facts.canary = true;
    row.seen.facts.current_pod_hash = Some("new".into());
    row.seen.facts.stable_rs = Some("old".into());
    row
}

fn svc() -> ServiceConfig {
    ServiceConfig {
        namespace: "casino-prod".into(),
        name: "payments".into(),
        ..ServiceConfig::default()
    }
}

fn key(s: &mut AppState, c: char) -> Vec<Command> {
    update(s, Event::Key(KeyChord::ch(c)))
}

fn enter(s: &mut AppState) -> Vec<Command> {
    update(s, Event::Key(KeyChord::plain(KeyCode::Enter)))
}

#[test]
fn a_critical_service_needs_its_name_typed_before_enter_runs() {
    let mut s = state(
        false,
        ServiceConfig {
            critical: true,
            ..svc()
        },
        payments(),
    );
    key(&mut s, 'x');
    assert!(enter(&mut s).is_empty(), "nothing typed: nothing sent");
    assert!(
        s.flash
            .as_ref()
            .is_some_and(|f| f.text.contains("critical service: type its name"))
    );
    for c in "payment".chars() {
        key(&mut s, c);
    }
    assert!(enter(&mut s).is_empty(), "a wrong name is refused");
    key(&mut s, 's');
    // Tab moves to the reason; typing there does not touch the name.
    update(&mut s, Event::Key(KeyChord::plain(KeyCode::Tab)));
    for c in "INC-7".chars() {
        key(&mut s, c);
    }
    let cmds = enter(&mut s);
    let [Command::RunAction(req)] = cmds.as_slice() else {
        panic!("{cmds:?}");
    };
    assert_eq!(req.action, Action::Abort);
    assert_eq!(req.reason.as_deref(), Some("INC-7"));
}

#[test]
fn gitops_owners_are_warned_about_spec_changes_only() {
    let mut row = payments();
    row.gitops = Some(GitOpsOwner::ArgoCd {
        app: Some("casino".into()),
    });
    let mut s = state(false, svc(), row);
    key(&mut s, 'p');
    let notes = match &s.overlay {
        Overlay::Confirm(d) => d.notes.clone(),
        _ => panic!("no dialog"),
    };
    assert_eq!(
        notes,
        ["Argo CD may revert this at the next sync — change Git too."]
    );
    update(&mut s, Event::Key(KeyChord::plain(KeyCode::Esc)));
    key(&mut s, 'x');
    match &s.overlay {
        Overlay::Confirm(d) => assert!(d.notes.is_empty(), "abort is status-only"),
        _ => panic!("no dialog"),
    }
}

fn fire(s: &mut AppState) {
    let rollout = s.rollouts.all().next().unwrap().key.clone();
    s.metrics.alerts.active = vec![Alert {
        key: AlertKey {
            rollout,
            metric: MetricKind::ErrorRatio,
        },
        severity: AlertSeverity::Critical,
        comparison: Comparison::CanaryVsStable,
        value: 0.08,
        baseline: 0.01,
        growth: 7.0,
        threshold: 0.1,
        since: s.now,
        acknowledged: false,
        cleared: None,
    }];
}

fn armed_state(read_only: bool) -> AppState {
    state(
        read_only,
        ServiceConfig {
            auto_rollback: true,
            ..svc()
        },
        payments(),
    )
}

#[test]
fn a_critical_alert_held_two_intervals_starts_a_countdown_that_aborts_at_zero() {
    let mut s = armed_state(false);
    assert_eq!(armed(&s).len(), 1);
    fire(&mut s);
    after_interval(&mut s);
    assert!(s.safety.countdown.is_none(), "one interval is not enough");
    after_interval(&mut s);
    let until = s.safety.countdown.as_ref().map(|c| c.until).unwrap();
    assert_eq!(until, s.now + Duration::seconds(30));
    assert_eq!(
        banner(&s).as_deref(),
        Some("auto-rollback of casino-prod/payments in 30 s — Esc cancels")
    );
    assert!(update(&mut s, Event::Tick(until - Duration::seconds(1))).is_empty());
    let cmds = update(&mut s, Event::Tick(until));
    let run = cmds
        .iter()
        .find_map(|c| match c {
            Command::RunAction(r) => Some(r),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{cmds:?}"));
    assert_eq!(run.action, Action::Abort);
    assert!(run.identity.ends_with("(auto-rollback)"));
    assert!(
        run.reason
            .as_deref()
            .unwrap()
            .starts_with("automatic rollback")
    );
    assert!(s.safety.countdown.is_none());
}

#[test]
fn esc_cancels_the_countdown_and_quitting_asks_first() {
    let mut s = armed_state(false);
    fire(&mut s);
    after_interval(&mut s);
    after_interval(&mut s);
    assert!(s.safety.countdown.is_some());
    assert!(key(&mut s, 'q').is_empty(), "the first q only asks");
    assert!(!s.quitting);
    let cmds = update(&mut s, Event::Key(KeyChord::plain(KeyCode::Esc)));
    assert!(
        matches!(cmds.as_slice(), [Command::Audit(e)] if e.outcome == Outcome::Cancelled
            && e.identity.ends_with("(auto-rollback)"))
    );
    assert!(s.safety.countdown.is_none());
    // Still firing: not armed again until the alert clears.
    after_interval(&mut s);
    after_interval(&mut s);
    assert!(s.safety.countdown.is_none());
    s.metrics.alerts.active.clear();
    after_interval(&mut s);
    fire(&mut s);
    after_interval(&mut s);
    after_interval(&mut s);
    assert!(
        s.safety.countdown.is_some(),
        "armed again after the alert cleared"
    );
}

#[test]
fn a_read_only_session_never_arms() {
    let mut s = armed_state(true);
    assert!(armed(&s).is_empty());
    fire(&mut s);
    for _ in 0..5 {
        after_interval(&mut s);
    }
    assert!(s.safety.countdown.is_none());
}
