//! ReplicaSet bookkeeping: a release in the middle of a canary, `spec.replicas` changes, the
//! revision history limit, setCanaryScale.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::json;

use super::testutil::*;
use crate::sim::world::testkit::Kit;

#[test]
fn a_release_in_the_middle_of_a_canary_replaces_the_canary() {
    let mut k = Kit::new();
    let name = deployed(
        &mut k,
        canary("web", 5, json!([{"setWeight": 40}, {"pause": {}}])),
    );
    let v1 = st(&k, &name)["stableRS"].as_str().unwrap().to_string();
    set_image(&mut k, &name, "web:2.0.0");
    assert!(until(&mut k, 20, |k| phase(k, "web").1 == "CanaryPauseStep"));
    let v2 = st(&k, &name)["currentPodHash"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(split(&k, &name), (2, 3));
    set_image(&mut k, &name, "web:3.0.0");
    assert!(until(&mut k, 30, |k| {
        let s = st(k, "web");
        s["currentPodHash"] != v2.as_str() && s["message"] == "CanaryPauseStep"
    }));
    run(&mut k, 5);
    let s = st(&k, &name);
    assert_eq!(
        (s["stableRS"].clone(), s["currentStepIndex"].clone()),
        (json!(v1), json!(1))
    );
    assert_eq!(
        set_named(&k, &name, &v2)["spec"]["replicas"],
        0,
        "the intermediate set goes"
    );
    assert_eq!(split(&k, &name), (2, 3));
    assert_eq!(
        ro(&k, &name)["metadata"]["annotations"]["rollout.argoproj.io/revision"],
        "3"
    );
    k.assert_no_refused_writes();
}

#[test]
fn a_new_replica_count_resizes_the_sets() {
    let mut k = Kit::new();
    let name = deployed(&mut k, canary("web", 5, json!([{"setWeight": 40}])));
    k.merge(
        AV,
        "Rollout",
        NS,
        &name,
        &json!({"spec": {"replicas": 3}}),
        false,
    );
    assert!(until(&mut k, 20, |k| st(k, "web")["availableReplicas"]
        == 3
        && phase(k, "web").0 == "Healthy"));
    let rs = &sets(&k, &name)[0];
    assert_eq!(rs["spec"]["replicas"], 3);
    assert_eq!(
        rs["metadata"]["annotations"]["rollout.argoproj.io/desired-replicas"],
        "3"
    );
    assert_eq!(st(&k, &name)["observedGeneration"], "2");
    k.assert_no_refused_writes();
}

#[test]
fn old_sets_beyond_the_history_limit_are_deleted() {
    let mut k = Kit::new();
    let mut r = canary("web", 2, json!([]));
    r["spec"]["revisionHistoryLimit"] = json!(1);
    let name = deployed(&mut k, r);
    for v in ["2.0.0", "3.0.0", "4.0.0"] {
        set_image(&mut k, &name, &format!("web:{v}"));
        let want = format!("web:{v}");
        assert!(until(&mut k, 30, |k| {
            let s = st(k, "web");
            let current = set_named(k, "web", s["currentPodHash"].as_str().unwrap());
            s["phase"] == "Healthy"
                && current["spec"]["template"]["spec"]["containers"][0]["image"] == want.as_str()
        }));
        run(&mut k, 2);
    }
    let revs: Vec<i64> = sets(&k, &name).iter().map(rev).collect();
    assert_eq!(revs, vec![3, 4], "the current set and one old one");
    k.assert_no_refused_writes();
}

#[test]
fn set_canary_scale_sizes_the_canary_apart_from_its_weight() {
    let mut k = Kit::new();
    for svc in ["api-stable", "api-canary"] {
        k.apply(json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": svc, "namespace": NS},
            "spec": {"selector": {"app": "api"}, "ports": [{"port": 80}]}}));
    }
    let mut r = canary(
        "api",
        4,
        json!([{"setCanaryScale": {"replicas": 2}}, {"setWeight": 10}, {"pause": {}}]),
    );
    let c = &mut r["spec"]["strategy"]["canary"];
    c["stableService"] = json!("api-stable");
    c["canaryService"] = json!("api-canary");
    c["trafficRouting"] = json!({"smi": {}});
    let name = deployed(&mut k, r);
    set_image(&mut k, &name, "api:2.0.0");
    assert!(until(&mut k, 30, |k| phase(k, "api").1 == "CanaryPauseStep"));
    run(&mut k, 2);
    // setCanaryScale stays in force past the setWeight: 2 pods for 10 % of the traffic.
    assert_eq!(split(&k, &name), (2, 4));
    assert_eq!(st(&k, &name)["canary"]["weights"]["canary"]["weight"], 10);
    assert!(has_event(
        &k,
        &name,
        "RolloutStepCompleted",
        "Rollout step 1/3 completed (setCanaryScale{replicas: 2})"
    ));
    // Without traffic routing the step is invalid.
    k.apply(canary(
        "bare",
        2,
        json!([{"setCanaryScale": {"replicas": 1}}]),
    ));
    run(&mut k, 1);
    assert_eq!(
        phase(&k, "bare").1,
        "InvalidSpec: The Rollout \"bare\" is invalid: spec.strategy.canary.trafficRouting: Required value: SetCanaryScale requires TrafficRouting to be set"
    );
    k.assert_no_refused_writes();
}
