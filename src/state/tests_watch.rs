//! Reducer tests of what the watchers send: upserts, removals, generations, context
//! switches, invalid rows, filter terms and counts.

use super::*;

fn upsert(s: &mut AppState, rows: Vec<crate::domain::rollout::RolloutRow>) {
    let generation = s.session.generation;
    update(
        s,
        Event::Rollouts {
            generation,
            change: RolloutChange::Upsert(rows),
        },
    );
}

#[test]
fn upserts_and_removals_change_only_their_rows_and_keep_the_selection() {
    use crate::domain::rollout::{ControllerKind, Phase};
    let mut s = state();
    keys(&mut s, "jjj");
    let before = selected_name(&s);
    // A changed row replaces the old one (same object, new phase).
    let mut changed = synthetic_rows(30, now())[3].clone();
    changed.phase = Phase::Degraded;
    changed.attention = Some(crate::domain::rollout::Attention::Degraded);
    let changed_name = format!("{}/{}", changed.key.namespace, changed.key.name);
    upsert(&mut s, vec![changed]);
    assert_eq!(s.rollouts.total(), 30);
    assert!(
        s.rollouts
            .visible()
            .take(s.rollouts.pinned())
            .any(|r| format!("{}/{}", r.key.namespace, r.key.name) == changed_name)
    );
    assert_eq!(
        selected_name(&s),
        before,
        "the selection follows its rollout"
    );
    // A new one is added; a removed one disappears; a strategy change stays one row.
    upsert(
        &mut s,
        vec![crate::domain::rollout::RolloutRow::new(
            "new-ns",
            "fresh",
            ControllerKind::Deployment,
        )],
    );
    assert_eq!(s.rollouts.total(), 31);
    let mut switched =
        crate::domain::rollout::RolloutRow::new("new-ns", "fresh", ControllerKind::Deployment);
    switched.phase = Phase::Progressing;
    upsert(&mut s, vec![switched]);
    assert_eq!(s.rollouts.total(), 31);
    let id = RowId {
        source: "deployments",
        namespace: "new-ns".into(),
        name: "fresh".into(),
    };
    let generation = s.session.generation;
    update(
        &mut s,
        Event::Rollouts {
            generation,
            change: RolloutChange::Remove(vec![id]),
        },
    );
    assert_eq!(s.rollouts.total(), 30);
}

#[test]
fn removing_the_selected_row_keeps_the_cursor_in_place() {
    let mut s = state();
    keys(&mut s, "jjjjj");
    let at = s.rollouts.cursor().unwrap();
    let row = s.rollouts.selected().unwrap().clone();
    let generation = s.session.generation;
    update(
        &mut s,
        Event::Rollouts {
            generation,
            change: RolloutChange::Remove(vec![crate::state::rollouts::row_id(&row)]),
        },
    );
    assert_eq!(s.rollouts.cursor(), Some(at));
}

#[test]
fn results_of_older_watchers_are_dropped() {
    let mut s = state();
    keys(&mut s, ":ns casino-prod");
    key(&mut s, KeyCode::Enter);
    let old = s.session.generation - 1;
    update(
        &mut s,
        Event::Rollouts {
            generation: old,
            change: RolloutChange::Resync(synthetic_rows(5, now())),
        },
    );
    assert_eq!(s.rollouts.total(), 0);
    update(
        &mut s,
        Event::Source {
            generation: old,
            name: "rollouts",
            state: SourceState::Forbidden("list rollouts".into()),
        },
    );
    assert_eq!(s.session.source("rollouts"), Some(&SourceState::Connecting));
    let current = s.session.generation;
    update(
        &mut s,
        Event::Rollouts {
            generation: current,
            change: RolloutChange::Resync(synthetic_rows(5, now())),
        },
    );
    assert_eq!(s.rollouts.total(), 5);
}

#[test]
fn a_context_switch_replaces_the_state_and_restarts_the_watchers() {
    let mut s = state();
    let mut info = s.session.info.clone();
    info.context = "staging".into();
    let cmds = update(&mut s, Event::SessionChanged(info));
    assert!(
        matches!(
            cmds.as_slice(),
            [
                Command::StartWatch { generation: 1, .. },
                Command::CheckPermissions { generation: 1, namespace }
            ] if namespace == "casino-prod"
        ),
        "{cmds:?}"
    );
    assert_eq!(s.rollouts.total(), 0);
    assert!(!s.rollouts.loaded);
}

#[test]
fn an_invalid_object_is_a_pinned_row_with_its_reason() {
    let mut s = state();
    let mut bad = crate::domain::rollout::RolloutRow::new(
        "casino-prod",
        "weird",
        crate::domain::rollout::ControllerKind::ArgoCanary,
    );
    bad.invalid = Some("spec.replicas: invalid type: string".into());
    upsert(&mut s, vec![bad]);
    let pinned: Vec<_> = s.rollouts.visible().take(s.rollouts.pinned()).collect();
    assert!(
        pinned
            .iter()
            .any(|r| r.key.name == "weird" && r.invalid.is_some())
    );
}

#[test]
fn filter_terms_select_by_namespace_status_and_kind() {
    let mut s = state();
    let count = |s: &mut AppState, f: &str| {
        s.rollouts.set_filter(f);
        s.rollouts.visible_len()
    };
    assert_eq!(count(&mut s, "ns:casino-prod"), 10);
    assert_eq!(count(&mut s, "ns:casino"), 20);
    assert_eq!(count(&mut s, "status:degraded"), 3);
    assert_eq!(count(&mut s, "status:attention"), 9);
    assert_eq!(count(&mut s, "kind:flagger"), 3);
    assert_eq!(count(&mut s, "kind:canary ns:payments-eu"), 3);
    assert_eq!(
        count(&mut s, "ns:payments-eu pay"),
        10,
        "words match namespace too"
    );
    assert_eq!(count(&mut s, "status:nothing"), 0);
}

#[test]
fn the_list_counts_attention_and_progress_over_all_rows() {
    let mut s = state();
    assert_eq!(s.rollouts.attention_total(), 9);
    assert_eq!(s.rollouts.progressing(), 6);
    s.rollouts.set_filter("lobby");
    assert_eq!(s.rollouts.attention_total(), 9, "counts are over all rows");
}
