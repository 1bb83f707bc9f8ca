use serde_json::{Value, json};

use super::*;
use crate::sim::world::argo::steps::{step_hash, step_string};

fn fixture(path: &str) -> Value {
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/argo-rollouts/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    crate::sim::load::documents(&text).unwrap().remove(0)
}

#[test]
fn step_hashes_match_the_real_controllers() {
    // Both fixtures were written by the real controller: their status.currentStepHash is the
    // hash of their steps.
    let ro = fixture("info-testdata/rollout-aborted/rollout.yaml");
    assert_eq!(step_hash(&ro), "849b756fd4");
    assert_eq!(ro["status"]["currentStepHash"], "849b756fd4");
    // The 2019 controller that wrote canary-demo had integer pause durations (seconds).
    let mut ro = fixture("info-testdata/canary/canary-rollout.yaml");
    for step in ro["spec"]["strategy"]["canary"]["steps"]
        .as_array_mut()
        .unwrap()
    {
        if step["pause"]["duration"] == "10s" {
            step["pause"]["duration"] = json!(10);
        }
    }
    assert_eq!(step_hash(&ro), "f64cdc9d");
    assert_eq!(ro["status"]["currentStepHash"], "f64cdc9d");
    let bg = fixture("info-testdata/blue-green/bluegreen-rollout.yaml");
    assert_eq!(step_hash(&bg), "");
    // Field order is the Go struct's, not the JSON's.
    let a = json!({"spec": {"strategy": {"canary": {"steps": [
        {"analysis": {"templates": [{"templateName": "t"}], "args": [{"name": "x", "value": "1"}]}},
        {"setCanaryScale": {"weight": 5, "replicas": 2}},
    ]}}}});
    let b = json!({"spec": {"strategy": {"canary": {"steps": [
        {"analysis": {"args": [{"value": "1", "name": "x"}], "templates": [{"templateName": "t"}]}},
        {"setCanaryScale": {"replicas": 2, "weight": 5, "matchTrafficWeight": false}},
    ]}}}});
    assert_eq!(step_hash(&a), step_hash(&b));
}

#[test]
fn step_strings_are_the_cli_ones() {
    assert_eq!(step_string(&json!({"setWeight": 20})), "setWeight: 20");
    assert_eq!(step_string(&json!({"pause": {}})), "pause");
    assert_eq!(
        step_string(&json!({"pause": {"duration": "10s"}})),
        "pause: 10s"
    );
    assert_eq!(
        step_string(&json!({"pause": {"duration": 30}})),
        "pause: 30"
    );
    assert_eq!(step_string(&json!({"analysis": {}})), "analysis");
    assert_eq!(
        step_string(&json!({"setCanaryScale": {"replicas": 3}})),
        "setCanaryScale{replicas: 3}"
    );
}

#[test]
fn durations_percentages_and_selectors() {
    assert_eq!(duration_secs(&json!("10s")), Some(10));
    assert_eq!(duration_secs(&json!("1m30s")), Some(90));
    assert_eq!(duration_secs(&json!("1h")), Some(3600));
    assert_eq!(duration_secs(&json!("45")), Some(45));
    assert_eq!(duration_secs(&json!(20)), Some(20));
    assert_eq!(duration_secs(&json!("soon")), None);
    // Strings are percentages with or without '%', as the controller reads them.
    assert_eq!(int_or_percent(None, "25", 5, true), 2);
    assert_eq!(int_or_percent(None, "25", 5, false), 1);
    assert_eq!(int_or_percent(Some(&json!("50%")), "25", 4, false), 2);
    assert_eq!(int_or_percent(Some(&json!(3)), "25", 4, false), 3);
    let ro = json!({"spec": {"replicas": 5, "strategy": {"canary": {}}}});
    assert_eq!((max_surge(&ro), max_unavailable(&ro)), (2, 1));
    let zero = json!({"spec": {"replicas": 5, "strategy": {"canary": {"maxSurge": 0, "maxUnavailable": 0}}}});
    assert_eq!(fenceposts(&zero), (0, 1));
    let sel = json!({"matchLabels": {"rollouts-pod-template-hash": "6cbccd9f99", "app": "bluegreen-demo"}});
    assert_eq!(
        format_selector(&sel),
        "app=bluegreen-demo,rollouts-pod-template-hash=6cbccd9f99"
    );
    assert_eq!(format_selector(&json!({})), "<none>");
    let ro = fixture("info-testdata/canary/canary-rollout.yaml");
    assert_eq!(revision(&ro), 31);
    assert_eq!(scale_down_delay(&ro), 0);
    assert_eq!(progress_deadline(&ro), 30);
    let bg = fixture("info-testdata/blue-green/bluegreen-rollout.yaml");
    assert_eq!(
        (scale_down_delay(&bg), abort_scale_down_delay(&bg)),
        (30, Some(30))
    );
}
