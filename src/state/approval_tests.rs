use chrono::{Duration, TimeZone, Utc};

use super::*;
use crate::config::metrics::ServiceConfig;
use crate::domain::argo_requests;
use crate::domain::detail::ArgoDetail;
use crate::domain::identity::{Identity, IdentitySource};
use crate::domain::rollout::ControllerKind;
use crate::input::{KeyChord, KeyCode};
use crate::state::metrics::MetricsSettings;
use crate::state::{Event, Overlay, update};

fn row() -> RolloutRow {
    let mut row = RolloutRow::new("casino-prod", "payments", ControllerKind::ArgoCanary);
    row.argo = Some(ArgoDetail {
        current_pod_hash: Some("new".into()),
        stable_rs: Some("old".into()),
        ..ArgoDetail::default()
    });
    row.seen.facts.namespace = "casino-prod".into();
    row.seen.facts.name = "payments".into();
    row.seen.facts.canary = true;
    row
}

fn state(me: &str, pending: Option<ApprovalRequest>) -> AppState {
    let now = Utc.with_ymd_and_hms(2026, 11, 26, 3, 0, 0).unwrap();
    let mut r = row();
    r.approval = pending;
    let mut s = AppState::with_rows(super::super::tests::session(false), vec![r], now);
    s.set_metrics(MetricsSettings {
        services: vec![ServiceConfig {
            namespace: "casino-prod".into(),
            name: "payments".into(),
            two_person: true,
            ..ServiceConfig::default()
        }],
        ..MetricsSettings::default()
    });
    update(
        &mut s,
        Event::Identity(Identity {
            username: me.into(),
            source: IdentitySource::SelfSubjectReview,
        }),
    );
    s
}

fn abort_now(s: &mut AppState) -> Vec<Command> {
    update(s, Event::Key(KeyChord::ch('x')));
    assert!(matches!(s.overlay, Overlay::Confirm(_)), "{:?}", s.flash);
    update(s, Event::Key(KeyChord::plain(KeyCode::Enter)))
}

fn requested_by(who: &str, minutes_ago: i64) -> ApprovalRequest {
    let facts = row().seen.facts;
    ApprovalRequest {
        action: "abort".into(),
        requests: recorded(&argo_requests::abort(&facts)),
        identity: who.into(),
        time: Utc.with_ymd_and_hms(2026, 11, 26, 3, 0, 0).unwrap() - Duration::minutes(minutes_ago),
        change: None,
    }
}

#[test]
fn the_first_confirmation_records_the_request_on_the_object() {
    let mut s = state("alice", None);
    let cmds = abort_now(&mut s);
    let [Command::RunAction(req)] = cmds.as_slice() else {
        panic!("{cmds:?}");
    };
    assert_eq!(req.action, Action::RequestApproval);
    let r = &req.plan.requests[0];
    assert_eq!(
        (r.verb, r.path.as_str(), r.content_type),
        (
            "PATCH",
            "/apis/argoproj.io/v1alpha1/namespaces/casino-prod/rollouts/payments",
            "application/merge-patch+json"
        )
    );
    let value = r.body["metadata"]["annotations"][ANNOTATION]
        .as_str()
        .unwrap();
    let recorded: ApprovalRequest = serde_json::from_str(value).unwrap();
    let mut want = requested_by("alice", 0);
    want.change = Some("no step → aborted (traffic to stable)".into());
    assert_eq!(recorded, want);
}

#[test]
fn a_different_identity_runs_it_and_the_same_one_is_refused() {
    let mut s = state("bob", Some(requested_by("alice", 3)));
    let cmds = abort_now(&mut s);
    let [Command::RunAction(req)] = cmds.as_slice() else {
        panic!("{cmds:?}");
    };
    assert_eq!(req.action, Action::Abort);
    assert_eq!(
        req.reason.as_deref(),
        Some("second approval of alice's request of 02:57:00 UTC")
    );

    let mut s = state("alice", Some(requested_by("alice", 3)));
    let cmds = abort_now(&mut s);
    assert!(
        matches!(cmds.as_slice(), [Command::Audit(e)] if e.reason.as_deref()
            == Some("you asked for this abort; the two-person rule needs a different identity to approve it")),
        "{cmds:?}"
    );
}

#[test]
fn an_expired_request_is_replaced_by_a_new_one() {
    let mut s = state("bob", Some(requested_by("alice", 31)));
    let cmds = abort_now(&mut s);
    assert!(
        matches!(cmds.as_slice(), [Command::RunAction(r)] if r.action == Action::RequestApproval),
        "{cmds:?}"
    );
}
