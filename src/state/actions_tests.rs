use chrono::{TimeZone, Utc};

use super::*;
use crate::domain::action_request::Seen;
use crate::domain::detail::{ArgoDetail, Pause, PauseReason};
use crate::domain::permissions::PATCH_ROLLOUTS_STATUS;
use crate::domain::rollout::{ControllerKind, Phase};
use crate::input::{KeyChord, KeyCode};
use crate::state::{Event, update};

fn facts() -> argo_requests::RolloutFacts {
    argo_requests::RolloutFacts {
        namespace: "casino-prod".into(),
        name: "payments".into(),
        canary: true,
        pause_conditions: true,
        current_step_index: Some(1),
        steps: 7,
        current_step: Some("pause 30s".into()),
        current_pod_hash: Some("new".into()),
        stable_rs: Some("old".into()),
        ..Default::default()
    }
}

fn state(read_only: bool) -> AppState {
    let now = Utc.with_ymd_and_hms(2026, 11, 26, 3, 0, 0).unwrap();
    let mut row = RolloutRow::new("casino-prod", "payments", ControllerKind::ArgoCanary);
    row.phase = Phase::Paused;
    row.argo = Some(ArgoDetail {
        pause_conditions: vec![Pause {
            reason: PauseReason::CanaryPauseStep,
            since: None,
        }],
        current_pod_hash: Some("new".into()),
        stable_rs: Some("old".into()),
        current_step_index: Some(1),
        ..ArgoDetail::default()
    });
    row.seen = Seen {
        resource_version: "41".into(),
        generation: 2,
        revision: Some(7),
        facts: facts(),
        phase: None,
    };
    AppState::with_rows(super::super::tests::session(read_only), vec![row], now)
}

fn press(s: &mut AppState, c: char) -> Vec<Command> {
    update(s, Event::Key(KeyChord::ch(c)))
}

fn enter(s: &mut AppState) -> Vec<Command> {
    update(s, Event::Key(KeyChord::plain(KeyCode::Enter)))
}

fn dialog(s: &AppState) -> &ConfirmDialog {
    match &s.overlay {
        Overlay::Confirm(d) => d,
        _ => panic!("no confirm dialog"),
    }
}

#[test]
fn approve_opens_a_dialog_with_the_exact_plan_and_enter_sends_it_once() {
    let mut s = state(false);
    assert!(
        press(&mut s, 'a').is_empty(),
        "opening the dialog sends nothing"
    );
    let d = dialog(&s);
    assert_eq!(d.request.plan, argo_requests::promote(&facts()));
    assert_eq!(
        d.request.change.as_deref(),
        Some("step 1/7 paused → running")
    );
    for c in "rollout is healthy".chars() {
        press(&mut s, c);
    }
    let cmds = enter(&mut s);
    let [Command::RunAction(req)] = cmds.as_slice() else {
        panic!("expected one RunAction, got {cmds:?}");
    };
    assert_eq!(req.plan, argo_requests::promote(&facts()));
    assert_eq!(req.seen.resource_version, "41");
    assert_eq!(req.reason.as_deref(), Some("rollout is healthy"));
    assert_eq!(req.context, "prod");
    // A second a + Enter while the first is in flight sends nothing and is audited.
    let again = press(&mut s, 'a');
    assert!(matches!(s.overlay, Overlay::None));
    assert!(
        matches!(again.as_slice(), [Command::Audit(e)] if e.outcome == Outcome::Refused
            && e.reason.as_deref() == Some("an action on payments is still running; nothing sent"))
    );
    let after = enter(&mut s);
    assert!(
        !after.iter().any(|c| c.is_mutating()),
        "Enter after the refusal sends nothing: {after:?}"
    );
}

#[test]
fn the_finished_action_frees_the_object_and_lands_in_the_audit_view() {
    let mut s = state(false);
    press(&mut s, 'x');
    let cmds = enter(&mut s);
    let [Command::RunAction(req)] = cmds.as_slice() else {
        panic!("{cmds:?}");
    };
    assert!(s.actions.busy(&req.key));
    let entry = AuditEntry {
        time: s.now,
        identity: "alice".into(),
        context: "prod".into(),
        namespace: "casino-prod".into(),
        name: "payments".into(),
        action: "abort".into(),
        requests: recorded(&req.plan),
        outcome: Outcome::Done,
        reason: None,
    };
    update(
        &mut s,
        Event::ActionFinished {
            id: req.id,
            entry: Box::new(entry),
        },
    );
    assert!(s.actions.in_flight.is_empty());
    assert!(
        s.actions.settling.contains_key(&req.key),
        "busy until the row shows the result"
    );
    assert_eq!(s.audit.entries.len(), 1);
    assert_eq!(
        s.flash.as_ref().map(|f| f.text.as_str()),
        Some("payments: abort done")
    );
}

#[test]
fn esc_cancels_and_the_cancellation_is_audited() {
    let mut s = state(false);
    press(&mut s, 'x');
    let cmds = update(&mut s, Event::Key(KeyChord::plain(KeyCode::Esc)));
    assert!(matches!(s.overlay, Overlay::None));
    assert!(
        matches!(cmds.as_slice(), [Command::Audit(e)] if e.outcome == Outcome::Cancelled && e.action == "abort")
    );
    assert_eq!(s.audit.entries.len(), 1);
}

#[test]
fn impossible_and_forbidden_actions_are_refused_with_the_reason() {
    let mut s = state(false);
    let cmds = press(&mut s, 'r');
    assert!(matches!(s.overlay, Overlay::None));
    assert!(
        matches!(cmds.as_slice(), [Command::Audit(e)] if e.reason.as_deref() == Some("not aborted"))
    );
    s.actions
        .permissions
        .record("casino-prod", &[(PATCH_ROLLOUTS_STATUS, false)]);
    let cmds = press(&mut s, 'x');
    assert!(matches!(cmds.as_slice(), [Command::Audit(e)]
            if e.reason.as_deref() == Some("no permission (patch rollouts/status)")));
    assert!(
        s.flash
            .as_ref()
            .is_some_and(|f| f.text.contains("no permission (patch rollouts/status)"))
    );
}

#[test]
fn a_read_only_session_never_emits_a_mutating_command() {
    let mut s = state(true);
    let mut all = Vec::new();
    for c in "aPpxruR".chars() {
        all.extend(press(&mut s, c));
        all.extend(enter(&mut s));
    }
    assert!(all.iter().all(|c| !c.is_mutating()), "{all:?}");
    assert!(matches!(s.overlay, Overlay::None));
}

#[test]
fn undo_reads_the_replicasets_first_and_enter_waits_for_them() {
    let mut s = state(false);
    let cmds = press(&mut s, 'u');
    let [Command::PrepareUndo(req)] = cmds.as_slice() else {
        panic!("{cmds:?}");
    };
    assert!(dialog(&s).loading);
    assert!(enter(&mut s).is_empty(), "nothing is sent while loading");
    let mut ready = (**req).clone();
    ready.plan = argo_requests::abort(&facts());
    ready.undo_to = Some(6);
    update(
        &mut s,
        Event::ActionPrepared {
            id: req.id,
            result: Ok(Box::new(ready)),
        },
    );
    assert!(!dialog(&s).loading);
    let cmds = enter(&mut s);
    assert!(matches!(cmds.as_slice(), [Command::RunAction(r)] if r.undo_to == Some(6)));
}

#[test]
fn an_undo_to_the_template_in_place_sends_nothing() {
    let mut s = state(false);
    let cmds = press(&mut s, 'u');
    let [Command::PrepareUndo(req)] = cmds.as_slice() else {
        panic!("{cmds:?}");
    };
    let mut same = (**req).clone();
    same.undo_to = Some(7);
    update(
        &mut s,
        Event::ActionPrepared {
            id: req.id,
            result: Ok(Box::new(same)),
        },
    );
    assert!(dialog(&s).nothing_to_send.is_some());
    let cmds = enter(&mut s);
    assert!(
        matches!(cmds.as_slice(), [Command::Audit(e)] if e.outcome == Outcome::Refused),
        "{cmds:?}"
    );
}

#[test]
fn a_done_action_keeps_the_object_busy_until_its_row_shows_the_result() {
    let mut s = state(false);
    press(&mut s, 'a');
    let cmds = enter(&mut s);
    let [Command::RunAction(req)] = cmds.as_slice() else {
        panic!("{cmds:?}");
    };
    let (id, key) = (req.id, req.key.clone());
    let entry = AuditEntry {
        time: s.now,
        identity: "alice".into(),
        context: "prod".into(),
        namespace: "casino-prod".into(),
        name: "payments".into(),
        action: "approve".into(),
        requests: Vec::new(),
        outcome: Outcome::Done,
        reason: None,
    };
    update(
        &mut s,
        Event::ActionFinished {
            id,
            entry: Box::new(entry),
        },
    );
    // The watch has not delivered the new state: a hurried second `a` does nothing.
    let cmds = press(&mut s, 'a');
    assert!(
        matches!(s.overlay, Overlay::None),
        "no dialog on stale facts"
    );
    assert!(matches!(cmds.as_slice(), [Command::Audit(_)]));
    // The row moves on: the object takes actions again.
    let mut row = s.rollouts.get(&key).cloned().unwrap();
    row.seen.resource_version = "42".into();
    let generation = s.session.generation;
    update(
        &mut s,
        Event::Rollouts {
            generation,
            change: crate::state::RolloutChange::Upsert(vec![row]),
        },
    );
    assert!(!s.actions.busy(&key));
    press(&mut s, 'a');
    assert!(matches!(s.overlay, Overlay::Confirm(_)));
}

#[test]
fn enter_does_nothing_while_the_terminal_cannot_show_every_request() {
    let mut s = state(false);
    update(
        &mut s,
        Event::Resize {
            width: 60,
            height: 12,
        },
    );
    press(&mut s, 'x');
    assert!(!dialog_fits(dialog(&s), s.size));
    assert!(
        dialog_fits(dialog(&s), (80, 24)),
        "an abort fits the classic terminal"
    );
    assert!(enter(&mut s).is_empty(), "nothing sent on a cut dialog");
    assert!(matches!(s.overlay, Overlay::Confirm(_)));
    update(
        &mut s,
        Event::Resize {
            width: 120,
            height: 40,
        },
    );
    assert!(dialog_fits(dialog(&s), s.size));
    assert!(matches!(enter(&mut s).as_slice(), [Command::RunAction(_)]));
}
