//! Blue-green stories with the example manifest (examples/rollout-bluegreen.yaml).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};

use super::testutil::*;
use crate::sim::world::testkit::Kit;

const NAME: &str = "rollout-bluegreen";

fn svc_hash(k: &Kit, svc: &str) -> Value {
    k.get("v1", "Service", NS, svc)["spec"]["selector"]["rollouts-pod-template-hash"].clone()
}

/// The example (2 replicas, autoPromotionEnabled: false), deployed and healthy.
fn bluegreen(k: &mut Kit, tweak: impl Fn(&mut Value)) -> (String, String) {
    let mut docs = example("rollout-bluegreen.yaml");
    docs.sort_by_key(|d| d["kind"] == "Rollout");
    for mut d in docs {
        if d["kind"] == "Rollout" {
            tweak(&mut d);
            deployed(k, d);
        } else {
            k.apply(d);
        }
    }
    let v1 = st(k, NAME)["stableRS"].as_str().unwrap().to_string();
    set_image(k, NAME, "argoproj/rollouts-demo:green");
    run(k, 1);
    let v2 = st(k, NAME)["currentPodHash"].as_str().unwrap().to_string();
    (v1, v2)
}

#[test]
fn a_first_deploy_points_both_services_at_the_set() {
    let mut k = Kit::new();
    // Applied in the example's order: the Rollout before its Services is invalid until they
    // exist.
    let docs = example("rollout-bluegreen.yaml");
    k.apply(docs[0].clone());
    run(&mut k, 2);
    assert_eq!(
        cond(&st(&k, NAME), "InvalidSpec")["message"],
        "The Rollout \"rollout-bluegreen\" is invalid: spec.strategy.blueGreen.activeService: Invalid value: \"rollout-bluegreen-active\": service \"rollout-bluegreen-active\" not found"
    );
    for d in &docs[1..] {
        k.apply(d.clone());
    }
    assert!(
        until(&mut k, 20, |k| phase(k, NAME).0 == "Healthy"),
        "{:#}",
        st(&k, NAME)
    );
    run(&mut k, 2);
    let s = st(&k, NAME);
    let hash = s["currentPodHash"].as_str().unwrap();
    assert_eq!(s["stableRS"], hash);
    assert_eq!(
        s["blueGreen"],
        json!({"activeSelector": hash, "previewSelector": hash})
    );
    assert_eq!(
        s["selector"],
        format!("app=rollout-bluegreen,rollouts-pod-template-hash={hash}")
    );
    assert!(s.get("currentStepHash").is_none() && s.get("currentStepIndex").is_none());
    assert_eq!(
        (s["HPAReplicas"].clone(), s["availableReplicas"].clone()),
        (json!(2), json!(2))
    );
    for svc in ["rollout-bluegreen-active", "rollout-bluegreen-preview"] {
        let o = k.get("v1", "Service", NS, svc);
        assert_eq!(
            o["spec"]["selector"],
            json!({"app": NAME, "rollouts-pod-template-hash": hash})
        );
        assert_eq!(
            o["metadata"]["annotations"]["argo-rollouts.argoproj.io/managed-by-rollouts"],
            NAME
        );
    }
    assert!(has_event(
        &k,
        NAME,
        "SwitchService",
        &format!("Switched selector for service 'rollout-bluegreen-active' from '' to '{hash}'")
    ));
    k.assert_no_refused_writes();
}

#[test]
fn preview_pauses_then_promote_switches_and_the_old_set_goes_after_the_delay() {
    let mut k = Kit::new();
    let (v1, v2) = bluegreen(&mut k, |_| {});
    assert_eq!(svc_hash(&k, "rollout-bluegreen-preview"), v2.as_str());
    assert!(
        until(&mut k, 20, |k| phase(k, NAME).0 == "Paused"),
        "{:#}",
        st(&k, NAME)
    );
    run(&mut k, 1);
    let s = st(&k, NAME);
    // As in info-testdata/blue-green/bluegreen-rollout.yaml.
    assert_eq!(phase(&k, NAME).1, "BlueGreenPause");
    assert_eq!(s["pauseConditions"][0]["reason"], "BlueGreenPause");
    assert_eq!(s["controllerPause"], true);
    assert_eq!(
        s["blueGreen"],
        json!({"activeSelector": v1, "previewSelector": v2})
    );
    assert_eq!(s["stableRS"], v1.as_str());
    assert_eq!(
        (
            s["replicas"].clone(),
            s["updatedReplicas"].clone(),
            s["readyReplicas"].clone()
        ),
        (json!(4), json!(2), json!(2))
    );
    assert_eq!(
        s["selector"],
        format!("app=rollout-bluegreen,rollouts-pod-template-hash={v1}")
    );
    let c = cond(&s, "Progressing");
    assert_eq!(
        (
            c["status"].clone(),
            c["reason"].clone(),
            c["message"].clone()
        ),
        (
            json!("Unknown"),
            json!("RolloutPaused"),
            json!("Rollout is paused")
        )
    );
    assert!(has_event(
        &k,
        NAME,
        "RolloutPaused",
        "Rollout is paused (BlueGreenPause)"
    ));
    run(&mut k, 60);
    assert_eq!(svc_hash(&k, "rollout-bluegreen-active"), v1.as_str());

    promote(&mut k, NAME);
    assert!(until(&mut k, 5, |k| svc_hash(
        k,
        "rollout-bluegreen-active"
    ) == v2.as_str()));
    assert!(has_event(
        &k,
        NAME,
        "SwitchService",
        &format!("Switched selector for service 'rollout-bluegreen-active' from '{v1}' to '{v2}'")
    ));
    run(&mut k, 2);
    let s = st(&k, NAME);
    assert_eq!(
        (
            s["stableRS"].clone(),
            s["blueGreen"]["activeSelector"].clone()
        ),
        (json!(v2), json!(v2))
    );
    assert!(has_event(
        &k,
        NAME,
        "RolloutCompleted",
        &format!("Rollout completed update to revision 2 ({v2}): Completed blue-green update")
    ));
    // The old set keeps its pods for scaleDownDelaySeconds (30 s), with the deadline noted.
    let old = set_named(&k, NAME, &v1);
    assert_eq!(old["spec"]["replicas"], 2);
    let deadline = old["metadata"]["annotations"]["scale-down-deadline"]
        .as_str()
        .unwrap();
    let at = chrono::DateTime::parse_from_rfc3339(deadline).unwrap();
    let ahead = at.signed_duration_since(chrono::Utc::now()).num_seconds();
    assert!((25..=31).contains(&ahead), "{deadline}");
    run(&mut k, 20);
    assert_eq!(set_named(&k, NAME, &v1)["spec"]["replicas"], 2);
    assert!(until(
        &mut k,
        15,
        |k| set_named(k, NAME, &v1)["spec"]["replicas"] == 0
    ));
    assert!(until(&mut k, 10, |k| phase(k, NAME).0 == "Healthy"));
    assert!(has_event(
        &k,
        NAME,
        "ScalingReplicaSet",
        &format!("Scaled down ReplicaSet {NAME}-{v1} (revision 1) from 2 to 0")
    ));
    k.assert_no_refused_writes();
}

#[test]
fn abort_keeps_the_active_set_and_drops_the_preview_after_the_delay() {
    let mut k = Kit::new();
    let (v1, v2) = bluegreen(&mut k, |_| {});
    assert!(until(&mut k, 20, |k| phase(k, NAME).1 == "BlueGreenPause"));
    abort(&mut k, NAME);
    assert!(until(&mut k, 5, |k| phase(k, NAME).0 == "Degraded"));
    assert_eq!(
        phase(&k, NAME).1,
        "RolloutAborted: Rollout aborted update to revision 2"
    );
    assert_eq!(svc_hash(&k, "rollout-bluegreen-active"), v1.as_str());
    run(&mut k, 2);
    let preview = set_named(&k, NAME, &v2);
    assert_eq!(preview["spec"]["replicas"], 2);
    assert!(preview["metadata"]["annotations"]["scale-down-deadline"].is_string());
    assert!(until(
        &mut k,
        40,
        |k| set_named(k, NAME, &v2)["spec"]["replicas"] == 0
    ));
    assert_eq!(st(&k, NAME)["stableRS"], v1.as_str());
    k.assert_no_refused_writes();
}

#[test]
fn auto_promotion_seconds_promote_without_a_person() {
    let mut k = Kit::new();
    let (_, v2) = bluegreen(&mut k, |r| {
        r["spec"]["strategy"]["blueGreen"]["autoPromotionEnabled"] = json!(true);
        r["spec"]["strategy"]["blueGreen"]["autoPromotionSeconds"] = json!(20);
    });
    assert!(until(&mut k, 20, |k| phase(k, NAME).1 == "BlueGreenPause"));
    run(&mut k, 10);
    assert_ne!(svc_hash(&k, "rollout-bluegreen-active"), v2.as_str());
    assert!(until(&mut k, 20, |k| svc_hash(
        k,
        "rollout-bluegreen-active"
    ) == v2.as_str()));
    assert!(until(&mut k, 5, |k| st(k, NAME)["stableRS"] == v2.as_str()));
    assert!(has_event(&k, NAME, "RolloutResumed", "Rollout is resumed"));
    k.assert_no_refused_writes();
}

#[test]
fn auto_promotion_switches_as_soon_as_the_preview_is_ready() {
    let mut k = Kit::new();
    let (_, v2) = bluegreen(&mut k, |r| {
        r["spec"]["strategy"]["blueGreen"]
            .as_object_mut()
            .unwrap()
            .remove("autoPromotionEnabled");
    });
    assert!(until(&mut k, 20, |k| st(k, NAME)["stableRS"] == v2.as_str()));
    assert!(
        k.event_reasons(NS, NAME)
            .iter()
            .all(|r| r != "RolloutPaused")
    );
    k.assert_no_refused_writes();
}
