//! Undo and rollback window, the progress deadline, restarts, invalid and frozen rollouts,
//! traffic-routed weights, and a run measured by the AnalysisRun controller.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::json;

use super::testutil::*;
use crate::sim::world::testkit::Kit;

fn released(k: &mut Kit, rollout: serde_json::Value) -> String {
    let name = deployed(k, rollout);
    set_image(k, &name, &format!("{name}:2.0.0"));
    assert!(until(k, 60, |k| {
        let s = st(k, &name);
        s["phase"] == "Healthy" && s["stableRS"] == s["currentPodHash"] && sets(k, &name).len() == 2
    }));
    name
}

#[test]
fn undo_rolls_forward_to_a_new_revision_through_the_steps() {
    let mut k = Kit::new();
    let name = released(
        &mut k,
        canary(
            "api",
            4,
            json!([{"setWeight": 25}, {"pause": {"duration": 5}}]),
        ),
    );
    let v1 = sets(&k, &name)[0].clone();
    let v1_hash = v1["metadata"]["labels"]["rollouts-pod-template-hash"]
        .as_str()
        .unwrap()
        .to_string();
    undo(&mut k, &name);
    run(&mut k, 1);
    // The old set is reused: revision 3, its old revision in its history.
    let reused = set_named(&k, &name, &v1_hash);
    assert_eq!(
        reused["metadata"]["annotations"]["rollout.argoproj.io/revision"],
        "3"
    );
    assert_eq!(
        reused["metadata"]["annotations"]["rollout.argoproj.io/revision-history"],
        "1"
    );
    assert_eq!(sets(&k, &name).len(), 2);
    assert_eq!(
        ro(&k, &name)["metadata"]["annotations"]["rollout.argoproj.io/revision"],
        "3"
    );
    assert!(has_event(
        &k,
        &name,
        "RolloutUpdated",
        "Rollout updated to revision 3"
    ));
    assert_eq!(st(&k, &name)["currentPodHash"], v1_hash.as_str());
    // Outside a rollback window the steps run again.
    assert!(until(&mut k, 10, |k| index(k, "api") == 1));
    assert_eq!(split(&k, &name), (1, 3));
    assert!(until(&mut k, 30, |k| phase(k, "api").0 == "Healthy"));
    assert!(has_event(
        &k,
        &name,
        "RolloutCompleted",
        &format!(
            "Rollout completed update to revision 3 ({v1_hash}): Completed all 2 canary steps"
        )
    ));
    k.assert_no_refused_writes();
}

#[test]
fn an_undo_within_the_rollback_window_skips_the_steps() {
    let mut k = Kit::new();
    let mut r = canary("api", 4, json!([{"setWeight": 25}, {"pause": {}}]));
    r["spec"]["rollbackWindow"] = json!({"revisions": 2});
    let name = deployed(&mut k, r);
    set_image(&mut k, &name, "api:2.0.0");
    assert!(until(&mut k, 20, |k| phase(k, "api").1 == "CanaryPauseStep"));
    promote(&mut k, &name);
    assert!(until(&mut k, 30, |k| phase(k, "api").0 == "Healthy"));
    let v1_hash = sets(&k, &name)[0]["metadata"]["labels"]["rollouts-pod-template-hash"]
        .as_str()
        .unwrap()
        .to_string();
    undo(&mut k, &name);
    assert!(
        until(&mut k, 30, |k| {
            let s = st(k, "api");
            s["stableRS"] == v1_hash.as_str() && s["phase"] == "Healthy"
        }),
        "{:#}",
        st(&k, &name)
    );
    assert!(st(&k, &name).get("pauseConditions").is_none());
    assert!(has_event(
        &k,
        &name,
        "RolloutCompleted",
        &format!("Rollout completed update to revision 3 ({v1_hash}): Rollback within window")
    ));
    k.assert_no_refused_writes();
}

#[test]
fn no_progress_within_the_deadline_degrades_the_rollout() {
    let mut k = Kit::new();
    let mut r = canary("pay", 5, json!([{"setWeight": 20}, {"pause": {}}]));
    r["spec"]["progressDeadlineSeconds"] = json!(30);
    let name = deployed(&mut k, r);
    set_image(&mut k, &name, "pay:does-not-exist");
    run(&mut k, 20);
    assert_eq!(phase(&k, &name).0, "Progressing");
    assert!(until(&mut k, 30, |k| phase(k, "pay").0 == "Degraded"));
    let s = st(&k, &name);
    let rs = format!("pay-{}", s["currentPodHash"].as_str().unwrap());
    let msg = format!("ReplicaSet \"{rs}\" has timed out progressing.");
    assert_eq!(
        phase(&k, &name).1,
        format!("ProgressDeadlineExceeded: {msg}")
    );
    let c = cond(&s, "Progressing");
    assert_eq!(
        (
            c["status"].clone(),
            c["reason"].clone(),
            c["message"].clone()
        ),
        (
            json!("False"),
            json!("ProgressDeadlineExceeded"),
            json!(msg)
        )
    );
    // As in info-testdata/canary: still at step 0, stable serving.
    assert_eq!(
        (
            s["currentStepIndex"].clone(),
            s["updatedReplicas"].clone(),
            s["availableReplicas"].clone()
        ),
        (json!(0), json!(1), json!(4))
    );
    k.assert_no_refused_writes();
}

#[test]
fn restart_at_replaces_the_pods_then_sets_restarted_at() {
    let mut k = Kit::new();
    let name = deployed(&mut k, canary("lobby", 3, json!([{"setWeight": 50}])));
    let rs = sets(&k, &name)[0].clone();
    let before: Vec<String> = pods_of(&k, &rs)
        .iter()
        .map(|p| p["metadata"]["name"].as_str().unwrap().to_string())
        .collect();
    // Pods created before restartAt (second resolution, as kubectl writes it) are replaced.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    k.merge(
        AV,
        "Rollout",
        NS,
        &name,
        &json!({"spec": {"restartAt": at}}),
        false,
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    run(&mut k, 1);
    assert_eq!(
        phase(&k, &name),
        (
            "Progressing".to_string(),
            "rollout is restarting".to_string()
        )
    );
    assert!(
        until(&mut k, 40, |k| st(k, "lobby")["restartedAt"] == at.as_str()),
        "{:#}",
        st(&k, &name)
    );
    let after = pods_of(&k, &rs);
    assert_eq!(after.len(), 3);
    assert!(
        after
            .iter()
            .all(|p| !before.contains(&p["metadata"]["name"].as_str().unwrap().to_string()))
    );
    assert!(until(&mut k, 10, |k| phase(k, "lobby").0 == "Healthy"));
    k.assert_no_refused_writes();
}

#[test]
fn a_frozen_rollout_is_never_touched() {
    let mut k = Kit::new();
    let mut r = canary("still", 2, json!([{"setWeight": 50}]));
    r["metadata"]["labels"] = json!({"sim.shipdeck.io/frozen": "true"});
    k.apply(r);
    run(&mut k, 10);
    let r = ro(&k, "still");
    assert!(r.get("status").is_none() && r["metadata"].get("annotations").is_none());
    assert!(k.list("apps/v1", "ReplicaSet", NS).is_empty());
    assert!(k.event_reasons(NS, "still").is_empty());
}

#[test]
fn an_invalid_spec_is_degraded_with_the_real_message() {
    let mut k = Kit::new();
    let mut r = canary("rollout-invalid", 1, json!([]));
    r["spec"]["selector"]["matchLabels"]["app"] = json!("basic");
    r["spec"]["template"]["metadata"]["labels"]["app"] = json!("doesnt-match");
    k.apply(r);
    run(&mut k, 2);
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/argo-rollouts/info-testdata/rollout-invalid/rollout-invalid.yaml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let fixture = crate::sim::load::documents(&text).unwrap().remove(0);
    let want = cond(&fixture["status"], "InvalidSpec")["message"].clone();
    let s = st(&k, "rollout-invalid");
    assert_eq!(cond(&s, "InvalidSpec")["message"], want);
    assert_eq!(
        phase(&k, "rollout-invalid"),
        (
            "Degraded".to_string(),
            format!("InvalidSpec: {}", want.as_str().unwrap())
        )
    );
    assert!(k.list("apps/v1", "ReplicaSet", NS).is_empty());
    // Fixed: the condition goes and the rollout deploys.
    k.merge(
        AV,
        "Rollout",
        NS,
        "rollout-invalid",
        &json!({"spec": {"template": {"metadata": {"labels": {"app": "basic"}}}}}),
        false,
    );
    assert!(until(&mut k, 20, |k| phase(k, "rollout-invalid").0 == "Healthy"));
    assert!(cond(&st(&k, "rollout-invalid"), "InvalidSpec").is_null());
    k.assert_no_refused_writes();
}

#[test]
fn a_missing_template_is_an_invalid_spec() {
    let mut k = Kit::new();
    k.apply(canary(
        "web",
        2,
        json!([{"analysis": {"templates": [{"templateName": "nope"}]}}]),
    ));
    run(&mut k, 2);
    assert_eq!(
        cond(&st(&k, "web"), "InvalidSpec")["message"],
        "The Rollout \"web\" is invalid: spec.strategy.canary.steps[0].analysis.templates: Invalid value: \"nope\": AnalysisTemplate 'nope' not found"
    );
    k.assert_no_refused_writes();
}

#[test]
fn nothing_is_written_while_nothing_changes() {
    let mut k = Kit::new();
    let versions = |k: &Kit| {
        let mut v: Vec<(String, String)> = ["Rollout", "ReplicaSet", "Service"]
            .iter()
            .flat_map(|kind| {
                let av = match *kind {
                    "Rollout" => AV,
                    "ReplicaSet" => "apps/v1",
                    _ => "v1",
                };
                k.list(av, kind, NS)
            })
            .map(|o| {
                (
                    o["metadata"]["name"].as_str().unwrap().to_string(),
                    o["metadata"]["resourceVersion"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let name = deployed(
        &mut k,
        canary("calm", 3, json!([{"setWeight": 50}, {"pause": {}}])),
    );
    run(&mut k, 5);
    let steady = versions(&k);
    run(&mut k, 30);
    assert_eq!(versions(&k), steady, "a healthy rollout");
    set_image(&mut k, &name, "calm:2.0.0");
    assert!(until(&mut k, 20, |k| phase(k, "calm").1 == "CanaryPauseStep"));
    run(&mut k, 5);
    let paused = versions(&k);
    run(&mut k, 60);
    assert_eq!(versions(&k), paused, "a paused rollout");
    k.assert_no_refused_writes();
}
