//! Each action's requests exactly as PROTOCOLS.md gives them (verb, path, content type;
//! bodies as parsed JSON), every promote branch included.

use serde_json::json;

use super::*;

const PATH: &str = "/apis/argoproj.io/v1alpha1/namespaces/casino-prod/rollouts/payments";

fn facts() -> RolloutFacts {
    RolloutFacts {
        namespace: "casino-prod".into(),
        name: "payments".into(),
        canary: true,
        steps: 7,
        current_step_index: Some(1),
        current_step: Some("pause 30s".into()),
        current_pod_hash: Some("new".into()),
        stable_rs: Some("old".into()),
        ..RolloutFacts::default()
    }
}

fn req(path: &str, body: Value) -> Request {
    Request {
        verb: "PATCH",
        path: path.to_string(),
        content_type: MERGE_PATCH,
        body,
    }
}

fn status() -> String {
    format!("{PATH}/status")
}

#[test]
fn pause_resume_restart_touch_only_the_spec() {
    let f = facts();
    assert_eq!(
        pause(&f).requests,
        [req(PATH, json!({"spec": {"paused": true}}))]
    );
    assert_eq!(
        resume(&f).requests,
        [req(PATH, json!({"spec": {"paused": false}}))]
    );
    let r = restart(&f, "2026-11-26T03:00:00Z");
    assert_eq!(
        r.requests,
        [req(
            PATH,
            json!({"spec": {"restartAt": "2026-11-26T03:00:00Z"}})
        )]
    );
    assert!(pause(&f).fallback.is_none() && resume(&f).fallback.is_none());
}

#[test]
fn abort_and_retry_patch_status_with_the_main_resource_as_fallback() {
    let f = facts();
    let a = abort(&f);
    assert_eq!(
        a.requests,
        [req(&status(), json!({"status": {"abort": true}}))]
    );
    assert_eq!(
        a.fallback.unwrap(),
        [req(PATH, json!({"status": {"abort": true}}))]
    );
    let r = retry(&f);
    assert_eq!(
        r.requests,
        [req(&status(), json!({"status": {"abort": false}}))]
    );
    assert_eq!(
        r.fallback.unwrap(),
        [req(PATH, json!({"status": {"abort": false}}))]
    );
}

#[test]
fn promote_full_sends_only_what_is_needed() {
    let mut f = facts();
    f.spec_paused = true;
    let p = promote_full(&f);
    assert_eq!(
        p.requests,
        [
            req(&status(), json!({"status": {"promoteFull": true}})),
            req(PATH, json!({"spec": {"paused": false}})),
        ]
    );
    assert_eq!(
        p.fallback.unwrap(),
        [req(
            PATH,
            json!({"spec": {"paused": false}, "status": {"promoteFull": true}})
        )]
    );
    // Not paused: no spec patch. Fully promoted and paused: only the spec patch.
    f.spec_paused = false;
    assert_eq!(promote_full(&f).requests.len(), 1);
    f.spec_paused = true;
    f.current_pod_hash = f.stable_rs.clone();
    let p = promote_full(&f);
    assert_eq!(p.requests, [req(PATH, json!({"spec": {"paused": false}}))]);
    assert!(
        p.fallback.is_none(),
        "no status request, nothing to fall back from"
    );
}

#[test]
fn promote_branch_a_inconclusive_analysis_with_controller_pause() {
    let mut f = facts();
    f.step_analysis_inconclusive = true;
    f.pause_conditions = true;
    f.controller_pause = true;
    let p = promote(&f);
    assert_eq!(
        p.requests,
        [req(
            &status(),
            json!({"status": {"pauseConditions": null, "controllerPause": false, "currentStepIndex": 2}})
        )]
    );
    assert_eq!(
        p.fallback.unwrap(),
        [req(
            PATH,
            json!({"spec": {"paused": false}, "status": {"pauseConditions": null, "currentStepIndex": 2}})
        )]
    );
}

#[test]
fn promote_branch_b_clears_pause_conditions_only() {
    let mut f = facts();
    f.pause_conditions = true;
    f.spec_paused = true;
    let p = promote(&f);
    assert_eq!(
        p.requests,
        [
            req(&status(), json!({"status": {"pauseConditions": null}})),
            req(PATH, json!({"spec": {"paused": false}})),
        ],
        "status before spec"
    );
    assert_eq!(
        p.fallback.unwrap(),
        [req(
            PATH,
            json!({"spec": {"paused": false}, "status": {"pauseConditions": null}})
        )]
    );
    assert!(p.skips.is_empty());
}

#[test]
fn promote_branch_c_skips_the_current_step_and_says_so() {
    let mut f = facts();
    f.current_step = Some("analysis".into());
    let p = promote(&f);
    assert_eq!(
        p.requests,
        [req(
            &status(),
            json!({"status": {"pauseConditions": null, "currentStepIndex": 2}})
        )]
    );
    assert_eq!(
        p.skips,
        ["skips step 2/7 (analysis) without waiting for it"]
    );
    // At the last step the index stays within the steps.
    f.current_step_index = Some(7);
    assert_eq!(
        promote(&f).requests[0].body,
        json!({"status": {"pauseConditions": null, "currentStepIndex": 7}})
    );
}

#[test]
fn promote_branch_d_blue_green_not_paused_sends_nothing() {
    let mut f = facts();
    f.canary = false;
    f.steps = 0;
    let p = promote(&f);
    assert!(p.requests.is_empty() && p.fallback.is_none());
    // A paused blue-green: only the spec patch.
    f.spec_paused = true;
    assert_eq!(
        promote(&f).requests,
        [req(PATH, json!({"spec": {"paused": false}}))]
    );
}

#[test]
fn terminate_patches_the_analysis_run() {
    let p = terminate("casino-prod", "payments-6f7c-2");
    assert_eq!(
        p.requests,
        [req(
            "/apis/argoproj.io/v1alpha1/namespaces/casino-prod/analysisruns/payments-6f7c-2",
            json!({"spec": {"terminate": true}})
        )]
    );
}

fn template(image: &str, hash: Option<&str>) -> Value {
    let mut labels = json!({"app": "payments"});
    if let Some(h) = hash {
        labels["rollouts-pod-template-hash"] = json!(h);
    }
    json!({"metadata": {"labels": labels}, "spec": {"containers": [{"name": "payments", "image": image}]}})
}

#[test]
fn undo_goes_to_the_second_highest_revision_without_its_hash_label() {
    let f = facts();
    let owned = vec![
        (7, template("payments:3.2.0", Some("new"))),
        (6, template("payments:3.1.4", Some("old"))),
        (5, template("payments:3.1.3", Some("older"))),
    ];
    let current = template("payments:3.2.0", None);
    let p = undo(&f, &current, &owned, None).unwrap().unwrap();
    assert_eq!(p.requests.len(), 1);
    let r = &p.requests[0];
    assert_eq!(
        (r.verb, r.path.as_str(), r.content_type),
        ("PATCH", PATH, JSON_PATCH)
    );
    assert_eq!(
        r.body,
        json!([{"op": "replace", "path": "/spec/template", "value": template("payments:3.1.4", None)}])
    );
    // To an exact revision; to the current one is skipped; unknown ones are errors.
    let p = undo(&f, &current, &owned, Some(5)).unwrap().unwrap();
    assert_eq!(
        p.requests[0].body[0]["value"],
        template("payments:3.1.3", None)
    );
    assert_eq!(
        undo(&f, &current, &owned, Some(7)),
        Ok(None),
        "skipped rollback"
    );
    assert_eq!(
        undo(&f, &current, &owned, Some(9)),
        Err(UndoError::NoSuchRevision(9))
    );
    assert_eq!(
        undo(&f, &current, &owned[..1], None),
        Err(UndoError::NoPrevious(1))
    );
}
