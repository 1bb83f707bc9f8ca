//! Traffic-routed weights, a run measured by the AnalysisRun controller, and recorded
//! objects (info-testdata) taken over by the controller.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::json;

use super::testutil::*;
use crate::sim::world::testkit::Kit;

#[test]
fn a_traffic_routed_canary_reports_weights_and_keeps_stable_full() {
    let mut k = Kit::new();
    for svc in ["shop-stable", "shop-canary"] {
        k.apply(json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": svc, "namespace": NS},
            "spec": {"selector": {"app": "shop"}, "ports": [{"port": 80}]}}));
    }
    let mut r = canary("shop", 4, json!([{"setWeight": 25}, {"pause": {}}]));
    r["spec"]["strategy"]["canary"]["stableService"] = json!("shop-stable");
    r["spec"]["strategy"]["canary"]["canaryService"] = json!("shop-canary");
    r["spec"]["strategy"]["canary"]["trafficRouting"] = json!({"nginx": {"stableIngress": "shop"}});
    let name = deployed(&mut k, r);
    set_image(&mut k, &name, "shop:2.0.0");
    assert!(until(&mut k, 20, |k| phase(k, "shop").1 == "CanaryPauseStep"));
    run(&mut k, 2);
    let s = st(&k, &name);
    let (v1, v2) = (
        s["stableRS"].as_str().unwrap(),
        s["currentPodHash"].as_str().unwrap(),
    );
    assert_eq!(
        s["canary"]["weights"],
        json!({
            "canary": {"weight": 25, "podTemplateHash": v2, "serviceName": "shop-canary"},
            "stable": {"weight": 75, "podTemplateHash": v1, "serviceName": "shop-stable"},
        })
    );
    assert_eq!(split(&k, &name), (1, 4));
    let svc = k.get("v1", "Service", NS, "shop-canary");
    assert_eq!(svc["spec"]["selector"]["rollouts-pod-template-hash"], v2);
    assert_eq!(
        svc["metadata"]["annotations"]["argo-rollouts.argoproj.io/managed-by-rollouts"],
        "shop"
    );
    assert!(has_event(
        &k,
        &name,
        "TrafficWeightUpdated",
        "Traffic weight updated from 0 to 25"
    ));
    promote(&mut k, &name);
    assert!(until(&mut k, 20, |k| st(k, "shop")["stableRS"]
        == st(k, "shop")["currentPodHash"]));
    // The old stable waits scaleDownDelaySeconds (30 s) before it goes.
    run(&mut k, 5);
    let old = set_named(&k, &name, v1);
    assert_eq!(old["spec"]["replicas"], 4);
    assert!(old["metadata"]["annotations"]["scale-down-deadline"].is_string());
    assert!(until(
        &mut k,
        40,
        |k| set_named(k, "shop", v1)["spec"]["replicas"] == 0
    ));
    k.assert_no_refused_writes();
}

#[test]
fn a_prometheus_analysis_measured_by_the_analysis_controller_lets_the_rollout_through() {
    let mut k = Kit::new();
    k.apply(json!({
        "apiVersion": AV, "kind": "AnalysisTemplate",
        "metadata": {"name": "success-rate", "namespace": NS},
        "spec": {"args": [{"name": "service"}], "metrics": [{
            "name": "success-rate", "count": 1, "interval": "5s",
            "successCondition": "result[0] >= 0.95",
            "provider": {"prometheus": {"address": "http://prometheus:9090",
                "query": "sum(rate(http_requests_total{service=\"{{args.service}}\",code!~\"5..\"}[1m]))"}},
        }]},
    }));
    let steps = json!([{"setWeight": 25},
        {"analysis": {"templates": [{"templateName": "success-rate"}], "args": [{"name": "service", "value": "engine"}]}}]);
    let name = deployed(&mut k, canary("engine", 4, steps));
    let v1 = st(&k, &name)["stableRS"].clone();
    set_image(&mut k, &name, "engine:2.0.0");
    assert!(
        until(&mut k, 60, |k| {
            let s = st(k, "engine");
            s["phase"] == "Healthy" && s["stableRS"] == s["currentPodHash"] && s["stableRS"] != v1
        }),
        "{:#}",
        st(&k, &name)
    );
    let run = &runs(&k)[0];
    assert_eq!(run["status"]["phase"], "Successful");
    k.assert_no_refused_writes();
}

#[test]
fn recorded_objects_are_taken_over_without_a_new_replicaset() {
    // info-testdata/canary as recorded: its sets carry the real controller's hashes, which
    // the simulator's hash does not reproduce; the sets are found by their templates.
    let mut k = Kit::new();
    let dir = format!(
        "{}/tests/fixtures/argo-rollouts/info-testdata/canary",
        env!("CARGO_MANIFEST_DIR")
    );
    let files: Vec<std::path::PathBuf> = [
        "canary-rollout.yaml",
        "canary-rs.yaml",
        "stable-rs.yaml",
        "old-rs.yaml",
        "canary-pod.yaml",
    ]
    .iter()
    .map(|f| std::path::Path::new(&dir).join(f))
    .chain((1..=5).map(|i| std::path::Path::new(&dir).join(format!("stable-pod{i}.yaml"))))
    .collect();
    crate::sim::load::load(&mut k.store, k.catalog, &files, chrono::Utc::now()).unwrap();
    let ns = "jesse-test";
    // The rollout's canaryService existed in that cluster.
    k.apply(json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "canary-demo-preview", "namespace": ns},
        "spec": {"selector": {"app": "canary-demo"}, "ports": [{"port": 80}]}}));
    let names = |k: &Kit| {
        let mut v: Vec<String> = k
            .list("apps/v1", "ReplicaSet", ns)
            .iter()
            .map(|r| r["metadata"]["name"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    let before = names(&k);
    // Taken over: the steps hash is today's (string durations), which restarts the update.
    assert!(k.run_until(secs(5), TICK, |k| {
        k.get(AV, "Rollout", ns, "canary-demo")["status"]["currentStepHash"] == "b9b7958d9"
    }));
    let s = k.get(AV, "Rollout", ns, "canary-demo")["status"].clone();
    assert_eq!(s["phase"], "Progressing", "{s:#}");
    assert!(k.run_until(secs(120), TICK, |k| {
        k.get(AV, "Rollout", ns, "canary-demo")["status"]["conditions"]
            .as_array()
            .is_some_and(|cs| cs.iter().any(|c| c["reason"] == "ProgressDeadlineExceeded"))
            && k.get(AV, "Rollout", ns, "canary-demo")["status"]["observedGeneration"] == "429"
    }));
    run(&mut k, 5);
    assert_eq!(names(&k), before);
    let s = k.get(AV, "Rollout", ns, "canary-demo")["status"].clone();
    // The CLI's expected output for this rollout (expected/canary.txt).
    assert_eq!(s["phase"], "Degraded");
    assert_eq!(
        s["message"],
        "ProgressDeadlineExceeded: ReplicaSet \"canary-demo-65fb5ffc84\" has timed out progressing."
    );
    assert_eq!(
        (
            s["currentPodHash"].clone(),
            s["stableRS"].clone(),
            s["currentStepIndex"].clone()
        ),
        (json!("65fb5ffc84"), json!("877894d5b"), json!(0))
    );
    assert_eq!(
        k.get(AV, "Rollout", ns, "canary-demo")["metadata"]["annotations"]["rollout.argoproj.io/revision"],
        "31"
    );
    k.assert_no_refused_writes();
}
