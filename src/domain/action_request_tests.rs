use super::*;
use crate::domain::rollout::ControllerKind;

fn facts(step: u32) -> RolloutFacts {
    RolloutFacts {
        namespace: "casino-prod".into(),
        name: "payments".into(),
        canary: true,
        pause_conditions: true,
        current_step_index: Some(step),
        steps: 7,
        current_step: Some("pause 30s".into()),
        current_pod_hash: Some("new".into()),
        stable_rs: Some("old".into()),
        ..RolloutFacts::default()
    }
}

fn seen(rv: &str, f: RolloutFacts) -> Seen {
    Seen {
        resource_version: rv.into(),
        generation: 3,
        revision: Some(7),
        facts: f,
        phase: None,
    }
}

fn request(action: Action, s: Seen) -> ActionRequest {
    ActionRequest {
        id: 1,
        key: RolloutKey {
            namespace: "casino-prod".into(),
            name: "payments".into(),
            kind: ControllerKind::ArgoCanary,
        },
        action,
        target: "casino-prod/payments (Argo canary)".into(),
        change: None,
        plan: plan_for(action, &s.facts).unwrap_or_default(),
        seen: s,
        analysis_run: None,
        undo_to: None,
        reason: None,
        identity: "sim-operator".into(),
        context: "sim".into(),
    }
}

#[test]
fn an_unchanged_object_passes_and_a_moved_step_is_refused_with_both_steps() {
    let req = request(Action::Approve, seen("10", facts(1)));
    assert_eq!(precondition(&req, &seen("10", facts(1))), Ok(()));
    assert_eq!(
        precondition(&req, &seen("11", facts(2))),
        Err("payments moved from step 1 to 2 since you looked; review and try again".into())
    );
}

#[test]
fn a_new_resource_version_with_the_same_plan_passes() {
    // The controller rewrote readyReplicas: nothing the plan depends on moved.
    let req = request(Action::Abort, seen("10", facts(1)));
    assert_eq!(precondition(&req, &seen("12", facts(1))), Ok(()));
}

#[test]
fn an_ended_pause_changes_the_promote_plan_and_is_refused() {
    let req = request(Action::Approve, seen("10", facts(1)));
    let mut moved = facts(1);
    moved.pause_conditions = false;
    let err = precondition(&req, &seen("11", moved)).unwrap_err();
    assert_eq!(
        err,
        "payments changed since you looked (its pause ended); review and try again"
    );
}

#[test]
fn abort_and_revision_changes_are_named() {
    let req = request(Action::Abort, seen("10", facts(1)));
    let mut aborted = facts(1);
    aborted.aborted = true;
    assert_eq!(
        precondition(&req, &seen("11", aborted)).unwrap_err(),
        "payments was aborted since you looked; review and try again"
    );
    let mut s = seen("11", facts(1));
    s.revision = Some(8);
    assert_eq!(
        precondition(&req, &s).unwrap_err(),
        "payments moved from revision 7 to 8 since you looked; review and try again"
    );
}

#[test]
fn an_abort_settling_at_step_0_does_not_stale_undo_or_retry() {
    let mut at_1 = facts(1);
    at_1.aborted = true;
    let mut at_0 = facts(0);
    at_0.aborted = true;
    for action in [Action::Undo, Action::Retry] {
        let req = request(action, seen("10", at_1.clone()));
        assert_eq!(
            precondition(&req, &seen("11", at_0.clone())),
            Ok(()),
            "{action:?}"
        );
    }
    // Any other move still needs a new look: a step other than 0, a retry since, approve.
    let mut at_2 = at_1.clone();
    at_2.current_step_index = Some(2);
    let undo = request(Action::Undo, seen("10", at_1.clone()));
    assert_eq!(
        precondition(&undo, &seen("11", at_2)).unwrap_err(),
        "payments moved from step 1 to 2 since you looked; review and try again"
    );
    assert_eq!(
        precondition(&undo, &seen("11", facts(0))).unwrap_err(),
        "payments moved from step 1 to 0 since you looked; review and try again"
    );
    let approve = request(Action::Approve, seen("10", at_1));
    assert!(precondition(&approve, &seen("11", at_0)).is_err());
}

#[test]
fn abort_goes_ahead_on_a_canary_that_advanced_but_not_on_one_that_finished() {
    let req = request(Action::Abort, seen("10", facts(3)));
    let mut advanced = facts(4);
    advanced.pause_conditions = false;
    assert_eq!(precondition(&req, &seen("11", advanced)), Ok(()));
    let mut finished = facts(7);
    finished.stable_rs = Some("new".into());
    assert_eq!(
        precondition(&req, &seen("11", finished)).unwrap_err(),
        "payments moved from step 3 to 7 since you looked; review and try again"
    );
    let mut s = seen("11", facts(4));
    s.revision = Some(8);
    assert_eq!(
        precondition(&req, &s).unwrap_err(),
        "payments moved from revision 7 to 8 since you looked; review and try again"
    );
}

#[test]
fn undo_is_refused_when_the_spec_changed() {
    let req = request(Action::Undo, seen("10", facts(1)));
    let mut s = seen("11", facts(1));
    s.generation = 4;
    assert_eq!(
        precondition(&req, &s).unwrap_err(),
        "payments's spec changed since you looked (generation 3 → 4); review and try again"
    );
    s.generation = 3;
    assert_eq!(precondition(&req, &s), Ok(()));
}

#[test]
fn change_texts_name_the_step_and_the_revision() {
    let mut f = facts(2);
    f.pause_conditions = false;
    let s = seen("1", f);
    assert_eq!(
        change_text(Action::Approve, &s, None).as_deref(),
        Some("step 2/7 → 3/7")
    );
    assert_eq!(
        change_text(Action::Undo, &s, Some(6)).as_deref(),
        Some("revision 7 → 6")
    );
    assert_eq!(
        change_text(Action::Approve, &seen("1", facts(3)), None).as_deref(),
        Some("step 3/7 paused → running")
    );
    assert!(plan_for(Action::Restart, &s.facts).is_none());
}
