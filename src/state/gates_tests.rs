use chrono::{TimeZone, Utc};
use serde_json::json;

use super::*;
use crate::domain::audit::RecordedRequest;
use crate::domain::detail::{FlaggerDetail, Webhook};
use crate::domain::phase::FlaggerPhase;
use crate::domain::rollout::RolloutRow;
use crate::input::{KeyChord, KeyCode};
use crate::state::{Event, RolloutChange, update};

const PROXY: &str = "/api/v1/namespaces/casino-prod/services/flagger-loadtester:80/proxy";

fn bonus(phase: FlaggerPhase) -> RolloutRow {
    let mut row = RolloutRow::new("casino-prod", "bonus", ControllerKind::Flagger);
    row.flagger = Some(FlaggerDetail {
        phase: Some(phase),
        target: "bonus".into(),
        webhooks: vec![Webhook {
            name: "promotion-gate".into(),
            kind: "confirm-promotion".into(),
            url: "http://flagger-loadtester.casino-prod/gate/check".into(),
        }],
        ..FlaggerDetail::default()
    });
    row.seen.resource_version = format!("{phase:?}");
    row.seen.phase = Some(phase.label().to_string());
    row
}

fn state() -> AppState {
    let now = Utc.with_ymd_and_hms(2026, 11, 26, 3, 0, 0).unwrap();
    AppState::with_rows(
        super::super::tests::session(false),
        vec![bonus(FlaggerPhase::WaitingPromotion)],
        now,
    )
}

fn done(s: &mut AppState, id: u64, action: &str) {
    let entry = AuditEntry {
        time: s.now,
        identity: "alice".into(),
        context: "prod".into(),
        namespace: "casino-prod".into(),
        name: "bonus".into(),
        action: action.into(),
        requests: Vec::new(),
        outcome: Outcome::Done,
        reason: None,
    };
    update(
        s,
        Event::ActionFinished {
            id,
            entry: Box::new(entry),
        },
    );
}

#[test]
fn the_gate_opened_by_approve_closes_once_the_canary_leaves_the_phase() {
    let mut s = state();
    update(&mut s, Event::Key(KeyChord::ch('a')));
    let cmds = update(&mut s, Event::Key(KeyChord::plain(KeyCode::Enter)));
    let [Command::RunAction(req)] = cmds.as_slice() else {
        panic!("{cmds:?}");
    };
    assert_eq!(req.plan.requests[0].path, format!("{PROXY}/gate/open"));
    assert_eq!(
        req.plan.requests[0].body,
        json!({"name": "bonus", "namespace": "casino-prod"})
    );
    done(&mut s, req.id, "approve");
    assert_eq!(s.actions.open_gates.len(), 1);
    // Still waiting: nothing to close.
    let generation = s.session.generation;
    let same = update(
        &mut s,
        Event::Rollouts {
            generation,
            change: RolloutChange::Upsert(vec![bonus(FlaggerPhase::WaitingPromotion)]),
        },
    );
    assert!(same.is_empty());
    // Promoting: shipdeck closes what it opened, as an audited action with its reason.
    let cmds = update(
        &mut s,
        Event::Rollouts {
            generation,
            change: RolloutChange::Upsert(vec![bonus(FlaggerPhase::Promoting)]),
        },
    );
    let [Command::RunAction(close)] = cmds.as_slice() else {
        panic!("{cmds:?}");
    };
    assert_eq!(close.action, Action::CloseGate);
    assert_eq!(close.plan.requests[0].path, format!("{PROXY}/gate/close"));
    assert_eq!(
        close.reason.as_deref(),
        Some("closing the gate shipdeck opened: bonus left WaitingPromotion")
    );
    assert!(s.actions.open_gates.is_empty());
}

fn entry(outcome: Outcome, path: &str) -> AuditEntry {
    AuditEntry {
        time: Utc.with_ymd_and_hms(2026, 11, 26, 2, 0, 0).unwrap(),
        identity: "bob".into(),
        context: "prod".into(),
        namespace: "casino-prod".into(),
        name: "bonus".into(),
        action: "approve".into(),
        requests: vec![RecordedRequest {
            verb: "POST".into(),
            path: path.into(),
            content_type: "application/json".into(),
            body: json!({"name": "bonus", "namespace": "casino-prod"}),
        }],
        outcome,
        reason: None,
    }
}

#[test]
fn on_start_the_gates_the_audit_says_were_left_open_are_closed() {
    let mut s = state();
    let entries = vec![
        entry(Outcome::Done, &format!("{PROXY}/gate/open")),
        entry(Outcome::Done, &format!("{PROXY}/rollback/open")),
        entry(Outcome::Done, &format!("{PROXY}/rollback/close")),
        entry(Outcome::Failed, &format!("{PROXY}/gate/close")),
    ];
    let cmds = update(&mut s, Event::AuditLoaded(Ok(entries)));
    let [Command::RunAction(close)] = cmds.as_slice() else {
        panic!("exactly the gate left open: {cmds:?}");
    };
    assert_eq!(close.plan.requests[0].path, format!("{PROXY}/gate/close"));
    assert_eq!(close.key.name, "bonus");
    assert_eq!(close.key.kind, ControllerKind::Flagger);
    // Read once: a second answer (the audit screen's) closes nothing more.
    let again = update(
        &mut s,
        Event::AuditLoaded(Ok(vec![entry(
            Outcome::Done,
            &format!("{PROXY}/gate/open"),
        )])),
    );
    assert!(again.is_empty());
}

#[test]
fn a_read_only_session_closes_nothing() {
    let now = Utc.with_ymd_and_hms(2026, 11, 26, 3, 0, 0).unwrap();
    let mut s = AppState::with_rows(
        super::super::tests::session(true),
        vec![bonus(FlaggerPhase::WaitingPromotion)],
        now,
    );
    let cmds = update(
        &mut s,
        Event::AuditLoaded(Ok(vec![entry(
            Outcome::Done,
            &format!("{PROXY}/gate/open"),
        )])),
    );
    assert!(cmds.is_empty());
}
