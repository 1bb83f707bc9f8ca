use chrono::{TimeZone, Utc};

use super::*;
use crate::domain::detail::ArgoDetail;
use crate::domain::rollout::Phase;
use crate::input::KeyChord;
use crate::state::{Event, Overlay, update};

fn state_with(kind: ControllerKind, argo: ArgoDetail) -> AppState {
    let now = Utc.with_ymd_and_hms(2026, 11, 26, 3, 0, 0).unwrap();
    let mut row = RolloutRow::new("casino-prod", "payments", kind);
    row.phase = Phase::Progressing;
    row.seen.facts.namespace = "casino-prod".into();
    row.seen.facts.name = "payments".into();
    row.seen.facts.canary = kind == ControllerKind::ArgoCanary;
    row.seen.facts.current_pod_hash = argo.current_pod_hash.clone();
    row.seen.facts.stable_rs = argo.stable_rs.clone();
    row.seen.facts.aborted = argo.aborted;
    row.argo = Some(argo);
    AppState::with_rows(super::super::tests::session(false), vec![row], now)
}

fn in_flight() -> ArgoDetail {
    ArgoDetail {
        current_pod_hash: Some("new".into()),
        stable_rs: Some("old".into()),
        ..ArgoDetail::default()
    }
}

fn press_r(s: &mut AppState) -> Vec<Command> {
    update(s, Event::Key(KeyChord::ch('R')))
}

fn dialog(s: &AppState) -> (&Action, &[String], bool) {
    match &s.overlay {
        Overlay::Confirm(d) => (&d.request.action, &d.notes, d.loading),
        _ => panic!("no dialog; flash: {:?}", s.flash),
    }
}

#[test]
fn in_flight_the_safe_choice_is_abort_and_the_dialog_says_what_undo_would_add() {
    let mut s = state_with(ControllerKind::ArgoCanary, in_flight());
    assert!(press_r(&mut s).is_empty());
    let (action, notes, _) = dialog(&s);
    assert_eq!(*action, Action::Abort);
    assert!(notes[0].starts_with("Abort sends all traffic back to the stable version now."));
    assert!(notes[0].contains("press R again to undo as well"));
    let id = match &s.overlay {
        Overlay::Confirm(d) => d.request.id,
        _ => unreachable!(),
    };
    assert!(s.actions.rollback_followup.contains(&id));
}

#[test]
fn fully_promoted_or_aborted_goes_straight_to_undo() {
    let mut promoted = in_flight();
    promoted.stable_rs = Some("new".into());
    let mut s = state_with(ControllerKind::ArgoCanary, promoted);
    let cmds = press_r(&mut s);
    assert!(matches!(cmds.as_slice(), [Command::PrepareUndo(_)]));
    let (action, notes, loading) = dialog(&s);
    assert_eq!((*action, loading), (Action::Undo, true));
    assert!(notes[0].contains("abort can no longer help"));

    let mut aborted = in_flight();
    aborted.aborted = true;
    let mut s = state_with(ControllerKind::ArgoCanary, aborted);
    press_r(&mut s);
    let (action, notes, _) = dialog(&s);
    assert_eq!(*action, Action::Undo);
    assert!(notes[0].starts_with("Traffic is already on stable (aborted)."));
}

#[test]
fn a_switched_blue_green_says_abort_no_longer_moves_traffic() {
    let mut bg = in_flight();
    bg.active_selector = Some("new".into());
    let mut s = state_with(ControllerKind::ArgoBlueGreen, bg);
    press_r(&mut s);
    let (action, notes, _) = dialog(&s);
    assert_eq!(*action, Action::Undo);
    assert!(notes[0].contains("abort no longer moves traffic"));
    assert!(notes[0].contains("BlueGreenPause"));
}

#[test]
fn a_workload_ref_rollout_aborts_but_cannot_undo() {
    let mut wr = in_flight();
    wr.workload_ref = Some("payments-template".into());
    let mut s = state_with(ControllerKind::ArgoCanary, wr.clone());
    press_r(&mut s);
    assert_eq!(*dialog(&s).0, Action::Abort);
    wr.stable_rs = Some("new".into());
    let mut s = state_with(ControllerKind::ArgoCanary, wr);
    assert!(press_r(&mut s).is_empty());
    assert!(matches!(s.overlay, Overlay::None));
    assert_eq!(
        s.flash.as_ref().map(|f| f.text.as_str()),
        Some(
            "payments: rollback refused: undo is unavailable: the template lives in Deployment payments-template"
        )
    );
}

#[test]
fn a_done_abort_from_r_tells_the_operator_r_again_undoes() {
    let mut s = state_with(ControllerKind::ArgoCanary, in_flight());
    press_r(&mut s);
    let cmds = update(
        &mut s,
        Event::Key(KeyChord::plain(crate::input::KeyCode::Enter)),
    );
    let [Command::RunAction(req)] = cmds.as_slice() else {
        panic!("{cmds:?}");
    };
    let entry = crate::domain::audit::AuditEntry {
        time: s.now,
        identity: "alice".into(),
        context: "prod".into(),
        namespace: "casino-prod".into(),
        name: "payments".into(),
        action: "abort".into(),
        requests: Vec::new(),
        outcome: crate::domain::audit::Outcome::Done,
        reason: None,
    };
    update(
        &mut s,
        Event::ActionFinished {
            id: req.id,
            entry: Box::new(entry),
        },
    );
    let flash = s.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default();
    assert!(
        flash.contains("aborted, traffic is on stable. Press R again to undo"),
        "{flash}"
    );
}

fn plain_row(kind: ControllerKind) -> AppState {
    let now = Utc.with_ymd_and_hms(2026, 11, 26, 3, 0, 0).unwrap();
    let mut row = RolloutRow::new("casino-prod", "auth", kind);
    row.seen.resource_version = "7".into();
    if kind == ControllerKind::Flagger {
        row.flagger = Some(crate::domain::detail::FlaggerDetail {
            phase: Some(crate::domain::phase::FlaggerPhase::Progressing),
            target: "auth".into(),
            ..Default::default()
        });
    }
    AppState::with_rows(super::super::tests::session(false), vec![row], now)
}

fn request_of(s: &AppState) -> &crate::domain::argo_requests::Request {
    match &s.overlay {
        Overlay::Confirm(d) => &d.request.plan.requests[0],
        _ => panic!("no dialog; flash: {:?}", s.flash),
    }
}

#[test]
fn deployments_pause_and_restart_as_kubectl_and_refuse_undo_while_paused() {
    let mut s = plain_row(ControllerKind::Deployment);
    update(&mut s, Event::Key(KeyChord::ch('p')));
    let r = request_of(&s);
    assert_eq!(
        r.path,
        "/apis/apps/v1/namespaces/casino-prod/deployments/auth"
    );
    assert_eq!(r.content_type, "application/strategic-merge-patch+json");
    assert_eq!(r.body, serde_json::json!({"spec": {"paused": true}}));
    update(
        &mut s,
        Event::Key(KeyChord::plain(crate::input::KeyCode::Esc)),
    );
    let mut paused = plain_row(ControllerKind::Deployment);
    let key = paused.rollouts.all().next().unwrap().key.clone();
    let mut row = paused.rollouts.get(&key).cloned().unwrap();
    row.spec_paused = true;
    paused.rollouts.replace(vec![row]);
    paused.rollouts.select_key(&key);
    assert!(press_r(&mut paused).iter().all(|c| !c.is_mutating()));
    assert!(matches!(paused.overlay, Overlay::None));
    assert!(paused.flash.as_ref().is_some_and(|f| {
        f.text
            .contains("cannot rollback a paused deployment; resume it first")
    }));
}

#[test]
fn flagger_suspends_with_p_and_points_x_at_r() {
    let mut s = plain_row(ControllerKind::Flagger);
    update(&mut s, Event::Key(KeyChord::ch('p')));
    let r = request_of(&s);
    assert_eq!(
        r.path,
        "/apis/flagger.app/v1beta1/namespaces/casino-prod/canaries/auth"
    );
    assert_eq!(r.body, serde_json::json!({"spec": {"suspend": true}}));
    update(
        &mut s,
        Event::Key(KeyChord::plain(crate::input::KeyCode::Esc)),
    );
    update(&mut s, Event::Key(KeyChord::ch('x')));
    assert!(matches!(s.overlay, Overlay::None));
    assert!(
        s.flash
            .as_ref()
            .is_some_and(|f| f.text.contains("roll back with R (its rollback gate)"))
    );
}
