use chrono::{DateTime, TimeZone, Utc};

use super::*;
use crate::domain::detail::FlaggerDetail;
use crate::domain::revision::{NodeKind, TreeNode};
use crate::domain::rollout::{ControllerKind, RolloutRow};
use crate::input::{KeyChord, KeyCode};
use crate::state::tests::session;
use crate::state::{Event, RolloutChange, RowId, Screen, update};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 3, 0, 0).unwrap()
}

fn rows() -> Vec<RolloutRow> {
    let mut bonus = RolloutRow::new("casino-prod", "bonus", ControllerKind::Flagger);
    bonus.flagger = Some(FlaggerDetail {
        target: "bonus-svc".into(),
        ..FlaggerDetail::default()
    });
    vec![
        RolloutRow::new("casino-prod", "game-engine", ControllerKind::ArgoCanary),
        RolloutRow::new("casino-prod", "lobby", ControllerKind::Deployment),
        RolloutRow::new("casino-prod", "payments", ControllerKind::ArgoBlueGreen),
        bonus,
    ]
}

fn state() -> AppState {
    AppState::with_rows(session(false), rows(), now())
}

fn key(s: &mut AppState, code: KeyCode) -> Vec<Command> {
    update(s, Event::Key(KeyChord::plain(code)))
}

fn ch(s: &mut AppState, c: char) -> Vec<Command> {
    update(s, Event::Key(KeyChord::ch(c)))
}

fn select(s: &mut AppState, name: &str) {
    let key = s
        .rollouts
        .all()
        .find(|r| r.key.name == name)
        .unwrap()
        .key
        .clone();
    assert!(s.rollouts.select_key(&key));
}

fn selected(s: &AppState) -> String {
    s.rollouts.selected().unwrap().key.name.clone()
}

fn tree(n: usize) -> DetailSnapshot {
    let node = |i: usize| TreeNode {
        depth: 1,
        kind: NodeKind::ReplicaSet,
        name: format!("rs-{i}"),
        status: "Healthy".into(),
        symbol: "✔".into(),
        created: None,
        info: Vec::new(),
        revision: None,
    };
    DetailSnapshot {
        row: None,
        tree: (0..n).map(node).collect(),
        ..DetailSnapshot::default()
    }
}

fn snapshot(s: &mut AppState, generation: u64, snap: DetailSnapshot) {
    let cmds = update(
        s,
        Event::Detail {
            generation,
            result: Ok(snap),
        },
    );
    assert!(cmds.is_empty());
}

#[test]
fn enter_opens_the_selected_rollout_and_asks_for_its_scoped_watches() {
    let mut s = state();
    select(&mut s, "game-engine");
    let cmds = key(&mut s, KeyCode::Enter);
    let rk = s.rollouts.selected().unwrap().key.clone();
    assert_eq!(
        cmds,
        vec![Command::OpenDetail {
            generation: 1,
            key: rk.clone(),
            target: DetailTarget {
                namespace: "casino-prod".into(),
                kind: WorkloadKind::Rollout,
                name: "game-engine".into(),
                selector: None,
            },
        }]
    );
    assert!(!cmds[0].is_mutating());
    let d = s.detail.as_ref().unwrap();
    assert_eq!((d.key.clone(), d.generation), (rk, 1));
    assert_eq!(
        (d.snapshot.clone(), d.error.clone(), d.tree_cursor),
        (None, None, 0)
    );
    assert_eq!(
        d.notice(&s.rollouts).as_deref(),
        Some("loading casino-prod/game-engine…")
    );
    // Enter again changes nothing: the detail is already open.
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    assert_eq!(s.detail.as_ref().unwrap().generation, 1);
}

#[test]
fn each_kind_opens_its_workload_and_a_canary_opens_its_target_deployment() {
    let target_of = |name: &str| {
        let mut s = state();
        select(&mut s, name);
        match key(&mut s, KeyCode::Enter).pop() {
            Some(Command::OpenDetail { target, .. }) => Some((target.kind, target.name)),
            _ => None,
        }
    };
    assert_eq!(
        target_of("payments"),
        Some((WorkloadKind::Rollout, "payments".into()))
    );
    assert_eq!(
        target_of("lobby"),
        Some((WorkloadKind::Deployment, "lobby".into()))
    );
    assert_eq!(
        target_of("bonus"),
        Some((WorkloadKind::Deployment, "bonus-svc".into()))
    );
    // A canary that names no target cannot be opened, and says why.
    let mut s = state();
    let mut odd = RolloutRow::new("casino-prod", "odd", ControllerKind::Flagger);
    odd.flagger = Some(FlaggerDetail::default());
    s.rollouts.upsert(vec![odd]);
    select(&mut s, "odd");
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    assert!(s.detail.is_none());
    assert!(s.flash.as_ref().unwrap().text.contains("no target"));
}

#[test]
fn enter_without_rows_opens_nothing() {
    let mut s = AppState::with_rows(session(false), Vec::new(), now());
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    assert!(s.detail.is_none());
}

#[test]
fn a_read_only_session_may_open_the_detail() {
    let mut s = AppState::with_rows(session(true), rows(), now());
    select(&mut s, "game-engine");
    let cmds = key(&mut s, KeyCode::Enter);
    assert!(matches!(cmds[..], [Command::OpenDetail { .. }]));
}

#[test]
fn up_and_down_move_the_tree_cursor_and_esc_returns_with_the_selection_kept() {
    let mut s = state();
    select(&mut s, "lobby");
    key(&mut s, KeyCode::Enter);
    snapshot(&mut s, 1, tree(3));
    for _ in 0..5 {
        key(&mut s, KeyCode::Down);
    }
    assert_eq!(
        s.detail.as_ref().unwrap().tree_cursor,
        2,
        "clamped to the tree"
    );
    key(&mut s, KeyCode::Up);
    assert_eq!(s.detail.as_ref().unwrap().tree_cursor, 1);
    ch(&mut s, 'G');
    assert_eq!(s.detail.as_ref().unwrap().tree_cursor, 2);
    ch(&mut s, 'g');
    assert_eq!(s.detail.as_ref().unwrap().tree_cursor, 0);
    ch(&mut s, '\t');
    assert_eq!(selected(&s), "lobby", "the overview selection did not move");
    // A smaller tree pulls the cursor in.
    key(&mut s, KeyCode::End);
    snapshot(&mut s, 1, tree(1));
    assert_eq!(s.detail.as_ref().unwrap().tree_cursor, 0);

    assert_eq!(key(&mut s, KeyCode::Esc), vec![Command::CloseDetail]);
    assert!(s.detail.is_none());
    assert_eq!(selected(&s), "lobby");
    // Esc on the overview again is the overview's own Back (nothing to close).
    assert!(key(&mut s, KeyCode::Esc).is_empty());
    key(&mut s, KeyCode::Down);
    assert_ne!(selected(&s), "lobby", "Down moves the overview again");
}

#[test]
fn a_result_of_another_opening_or_of_a_closed_detail_is_dropped() {
    let mut s = state();
    select(&mut s, "game-engine");
    key(&mut s, KeyCode::Enter);
    key(&mut s, KeyCode::Esc);
    snapshot(&mut s, 1, tree(2));
    assert!(s.detail.is_none(), "a closed detail stays closed");

    let cmds = key(&mut s, KeyCode::Enter);
    assert!(matches!(
        cmds[..],
        [Command::OpenDetail { generation: 2, .. }]
    ));
    snapshot(&mut s, 1, tree(2));
    assert_eq!(s.detail.as_ref().unwrap().snapshot, None, "stale: dropped");
    snapshot(&mut s, 2, tree(2));
    assert_eq!(s.detail.as_ref().unwrap().snapshot, Some(tree(2)));
}

#[test]
fn a_watch_error_keeps_the_last_snapshot_and_a_new_snapshot_clears_it() {
    let mut s = state();
    select(&mut s, "game-engine");
    key(&mut s, KeyCode::Enter);
    snapshot(&mut s, 1, tree(2));
    let err = Err("watching pods: connection refused".to_string());
    update(
        &mut s,
        Event::Detail {
            generation: 1,
            result: err,
        },
    );
    let d = s.detail.as_ref().unwrap();
    assert_eq!(d.snapshot, Some(tree(2)));
    assert_eq!(
        d.error.as_deref(),
        Some("watching pods: connection refused")
    );
    assert_eq!(
        d.notice(&s.rollouts).as_deref(),
        Some("watch failing, showing the last snapshot: watching pods: connection refused")
    );
    snapshot(&mut s, 1, tree(3));
    let d = s.detail.as_ref().unwrap();
    assert_eq!((d.error.clone(), d.notice(&s.rollouts)), (None, None));
}

#[test]
fn a_rollout_that_disappears_keeps_its_last_snapshot_and_says_so() {
    let mut s = state();
    select(&mut s, "game-engine");
    key(&mut s, KeyCode::Enter);
    snapshot(&mut s, 1, tree(2));
    let generation = s.session.generation;
    let gone = RowId {
        source: "rollouts",
        namespace: "casino-prod".into(),
        name: "game-engine".into(),
    };
    update(
        &mut s,
        Event::Rollouts {
            generation,
            change: RolloutChange::Remove(vec![gone]),
        },
    );
    let d = s.detail.as_ref().unwrap();
    assert_eq!(d.snapshot, Some(tree(2)));
    assert!(d.gone(&s.rollouts));
    assert_eq!(
        d.notice(&s.rollouts).as_deref(),
        Some("casino-prod/game-engine is gone from the cluster; showing the last snapshot")
    );
    let flash = s.flash.as_ref().unwrap();
    assert!(flash.text.contains("game-engine is gone"), "{flash:?}");
    // Later snapshots are still shown; Esc closes as usual.
    snapshot(&mut s, 1, tree(1));
    assert_eq!(s.detail.as_ref().unwrap().snapshot, Some(tree(1)));
    assert_eq!(key(&mut s, KeyCode::Esc), vec![Command::CloseDetail]);
}

#[test]
fn leaving_the_overview_closes_the_detail() {
    let mut s = state();
    select(&mut s, "game-engine");
    key(&mut s, KeyCode::Enter);
    assert_eq!(ch(&mut s, '2'), vec![Command::CloseDetail]);
    assert_eq!(s.screen, Screen::Alerts);
    assert!(s.detail.is_none());

    // The filter waits until the detail is closed.
    ch(&mut s, '1');
    key(&mut s, KeyCode::Enter);
    assert!(ch(&mut s, '/').is_empty());
    assert!(matches!(s.overlay, crate::state::Overlay::None));
    assert!(s.detail.is_some());

    // Another namespace set: the detail closes before the watchers restart.
    for c in ":ns all".chars() {
        ch(&mut s, c);
    }
    let cmds = key(&mut s, KeyCode::Enter);
    assert_eq!(cmds.len(), 3, "{cmds:?}");
    assert_eq!(cmds[0], Command::CloseDetail);
    assert!(matches!(cmds[1], Command::StartWatch { .. }));
    assert!(matches!(cmds[2], Command::CheckPermissions { .. }));
    assert!(s.detail.is_none());
}
