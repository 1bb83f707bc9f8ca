//! Canary stories: a release through every kind of step, with the status, sets, runs and
//! events checked against the shapes of the real objects.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};

use super::testutil::*;
use crate::sim::world::testkit::Kit;

fn steps() -> Value {
    json!([
        {"setWeight": 20},
        {"pause": {}},
        {"setWeight": 40},
        {"pause": {"duration": "10s"}},
        {"analysis": {"templates": [{"templateName": "checks"}],
                      "args": [{"name": "service", "value": "web-canary"}]}},
        {"setWeight": 80},
    ])
}

pub fn web(k: &mut Kit) -> String {
    k.apply(job_template("checks"));
    deployed(k, canary("web", 5, steps()))
}

#[test]
fn a_first_deploy_is_healthy_with_the_real_status_shape() {
    let mut k = Kit::new();
    let name = web(&mut k);
    run(&mut k, 3);
    let r = ro(&k, &name);
    let s = &r["status"];
    let hash = s["currentPodHash"].as_str().unwrap().to_string();
    assert_eq!(s["stableRS"], hash.as_str());
    assert_eq!(
        r["metadata"]["annotations"]["rollout.argoproj.io/revision"],
        "1"
    );
    for (k2, v) in [
        ("phase", json!("Healthy")),
        ("currentStepIndex", json!(6)),
        ("replicas", json!(5)),
        ("updatedReplicas", json!(5)),
        ("readyReplicas", json!(5)),
        ("availableReplicas", json!(5)),
        ("HPAReplicas", json!(5)),
        ("selector", json!("app=web")),
        ("observedGeneration", json!("1")),
        ("canary", json!({})),
        ("blueGreen", json!({})),
    ] {
        assert_eq!(s[k2], v, "{k2}: {s:#}");
    }
    assert!(s.get("message").is_none() && s.get("pauseConditions").is_none());
    assert!(s["currentStepHash"].as_str().unwrap().len() > 5);
    let c = |t: &str| cond(s, t).clone();
    assert_eq!(
        (
            c("Available")["status"].clone(),
            c("Available")["message"].clone()
        ),
        (json!("True"), json!("Rollout has minimum availability"))
    );
    assert_eq!(c("Progressing")["reason"], "NewReplicaSetAvailable");
    assert_eq!(
        c("Progressing")["message"],
        format!("ReplicaSet \"web-{hash}\" has successfully progressed.")
    );
    assert_eq!(c("Healthy")["message"], "Rollout is healthy");
    assert_eq!(
        (
            c("Completed")["status"].clone(),
            c("Completed")["reason"].clone()
        ),
        (json!("True"), json!("RolloutCompleted"))
    );
    // The ReplicaSet as the controller creates it (cf. info-testdata/canary/stable-rs.yaml).
    let rs = set_named(&k, &name, &hash);
    assert_eq!(
        rs["metadata"]["labels"],
        json!({"app": "web", "rollouts-pod-template-hash": hash})
    );
    assert_eq!(
        rs["metadata"]["annotations"]["rollout.argoproj.io/revision"],
        "1"
    );
    assert_eq!(
        rs["metadata"]["annotations"]["rollout.argoproj.io/desired-replicas"],
        "5"
    );
    let owner = &rs["metadata"]["ownerReferences"][0];
    assert_eq!(
        (
            owner["kind"].clone(),
            owner["name"].clone(),
            owner["controller"].clone()
        ),
        (json!("Rollout"), json!("web"), json!(true))
    );
    assert_eq!(
        rs["spec"]["selector"]["matchLabels"]["rollouts-pod-template-hash"],
        hash.as_str()
    );
    assert_eq!(
        rs["spec"]["template"]["metadata"]["labels"]["rollouts-pod-template-hash"],
        hash.as_str()
    );
    assert_eq!(rs["spec"]["replicas"], 5);
    let reasons = k.event_reasons(NS, &name);
    for r in [
        "RolloutUpdated",
        "NewReplicaSetCreated",
        "ScalingReplicaSet",
        "RolloutCompleted",
    ] {
        assert!(reasons.contains(&r.to_string()), "{r} in {reasons:?}");
    }
    assert!(has_event(
        &k,
        &name,
        "RolloutCompleted",
        &format!("Rollout completed update to revision 1 ({hash}): Initial deploy")
    ));
    k.assert_no_refused_writes();
}

#[test]
fn a_release_goes_through_every_step_to_healthy() {
    let mut k = Kit::new();
    let name = web(&mut k);
    let v1 = st(&k, &name)["stableRS"].as_str().unwrap().to_string();
    set_image(&mut k, &name, "web:1.1.0");
    run(&mut k, 1);
    assert_eq!(
        ro(&k, &name)["metadata"]["annotations"]["rollout.argoproj.io/revision"],
        "2"
    );
    assert!(has_event(
        &k,
        &name,
        "RolloutUpdated",
        "Rollout updated to revision 2"
    ));
    let v2 = st(&k, &name)["currentPodHash"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(v1, v2);
    let new_rs = set_named(&k, &name, &v2);
    assert_eq!(
        new_rs["metadata"]["annotations"]["rollout.argoproj.io/revision"],
        "2"
    );
    assert!(has_event(
        &k,
        &name,
        "NewReplicaSetCreated",
        &format!("Created ReplicaSet web-{v2} (revision 2)")
    ));

    // setWeight 20 → 1 canary pod of 5, then the indefinite pause holds.
    assert!(
        until(&mut k, 20, |k| phase(k, "web").0 == "Paused"),
        "{:#}",
        st(&k, &name)
    );
    run(&mut k, 1);
    assert_eq!(split(&k, &name), (1, 4));
    let s = st(&k, &name);
    assert_eq!(
        (s["currentStepIndex"].clone(), s["message"].clone()),
        (json!(1), json!("CanaryPauseStep"))
    );
    assert_eq!(s["controllerPause"], true);
    assert_eq!(s["pauseConditions"][0]["reason"], "CanaryPauseStep");
    assert!(s["pauseConditions"][0]["startTime"].is_string());
    assert_eq!(cond(&s, "Paused")["status"], "True");
    assert!(has_event(
        &k,
        &name,
        "RolloutStepCompleted",
        "Rollout step 1/6 completed (setWeight: 20)"
    ));
    assert!(has_event(
        &k,
        &name,
        "RolloutPaused",
        "Rollout is paused (CanaryPauseStep)"
    ));
    run(&mut k, 60);
    assert_eq!(
        (index(&k, &name), phase(&k, &name).0),
        (1, "Paused".to_string())
    );

    // promote: the pause is over, setWeight 40, then a 10 s pause.
    promote(&mut k, &name);
    assert!(until(&mut k, 20, |k| index(k, "web") == 3));
    assert_eq!(split(&k, &name), (2, 3));
    // A person cleared the pause: no RolloutResumed event (the controller did not resume it).
    assert!(!has_event(
        &k,
        &name,
        "RolloutResumed",
        "Rollout is resumed"
    ));
    run(&mut k, 5);
    assert_eq!(index(&k, &name), 3, "still in the timed pause");
    assert!(until(&mut k, 10, |k| index(k, "web") == 4));
    assert!(has_event(
        &k,
        &name,
        "RolloutStepCompleted",
        "Rollout step 4/6 completed (pause: 10s)"
    ));
    assert!(has_event(&k, &name, "RolloutResumed", "Rollout is resumed"));

    // analysis: a run from the template, with the step's args.
    run(&mut k, 1);
    let run_name = format!("web-{v2}-2-4");
    let ar = k.get(AV, "AnalysisRun", NS, &run_name);
    let labels = &ar["metadata"]["labels"];
    assert_eq!(labels["rollouts-pod-template-hash"], v2.as_str());
    assert_eq!(
        (labels["rollout-type"].clone(), labels["step-index"].clone()),
        (json!("Step"), json!("4"))
    );
    assert_eq!(labels["app"], "web");
    assert_eq!(
        ar["metadata"]["annotations"]["rollout.argoproj.io/revision"],
        "2"
    );
    assert_eq!(ar["metadata"]["ownerReferences"][0]["kind"], "Rollout");
    assert_eq!(
        ar["spec"]["args"],
        json!([{"name": "service", "value": "web-canary"}])
    );
    assert_eq!(ar["spec"]["metrics"][0]["name"], "check");
    assert_eq!(
        st(&k, &name)["canary"]["currentStepAnalysisRunStatus"]["name"],
        run_name.as_str()
    );
    set_run_phase(&mut k, &run_name, "Successful", "");
    assert!(
        until(&mut k, 30, |k| phase(k, "web").0 == "Healthy"),
        "{:#}",
        st(&k, &name)
    );
    let prefix = format!("Step Analysis Run '{run_name}' Status New: 'Successful' Previous: ");
    assert!(event_starting(&k, &name, "AnalysisRunSuccessful", &prefix));

    // Fully promoted: the new set is stable, the old one scaled down.
    let s = st(&k, &name);
    assert_eq!(
        (s["stableRS"].clone(), s["currentStepIndex"].clone()),
        (json!(v2), json!(6))
    );
    assert!(s["canary"].get("currentStepAnalysisRunStatus").is_none());
    assert_eq!(set_named(&k, &name, &v1)["spec"]["replicas"], 0);
    assert_eq!(set_named(&k, &name, &v2)["spec"]["replicas"], 5);
    assert_eq!(cond(&s, "Completed")["status"], "True");
    assert!(has_event(
        &k,
        &name,
        "RolloutCompleted",
        &format!("Rollout completed update to revision 2 ({v2}): Completed all 6 canary steps")
    ));
    assert!(has_event(
        &k,
        &name,
        "RolloutNotCompleted",
        &format!("Rollout not completed, started update to revision 2 ({v2})")
    ));
    k.assert_no_refused_writes();
}
