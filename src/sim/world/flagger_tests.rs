use std::time::Duration;

use axum::body::Bytes;
use serde_json::{Value, json};

use super::*;
use crate::sim::proxy::ProxyRequest;
use crate::sim::traffic::model::Profile;
use crate::sim::world::metrics::Health;
use crate::sim::world::testkit::Kit;

const S: Duration = Duration::from_secs(1);
const MIN: Duration = Duration::from_secs(60);
const LT: &str = "http://flagger-loadtester.test";

fn deployment(image: &str) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "podinfo", "namespace": "test", "labels": {"app": "podinfo"}},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "podinfo"}},
            "template": {"metadata": {"labels": {"app": "podinfo"}},
                "spec": {"containers": [{"name": "podinfo", "image": image}]}}}})
}

fn canary(hooks: &[(&str, &str)]) -> Value {
    let hook =
        |(ty, path): &(&str, &str)| json!({"name": ty, "type": ty, "url": format!("{LT}{path}")});
    let hooks: Vec<Value> = hooks.iter().map(hook).collect();
    json!({"apiVersion": API_VERSION, "kind": "Canary",
        "metadata": {"name": "podinfo", "namespace": "test"},
        "spec": {"targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo"},
            "service": {"port": 80, "targetPort": 9898},
            "analysis": {"interval": "15s", "threshold": 3, "maxWeight": 50, "stepWeight": 10,
                "metrics": [
                    {"name": "request-success-rate", "thresholdRange": {"min": 99}, "interval": "1m"},
                    {"name": "request-duration", "thresholdRange": {"max": 500}, "interval": "30s"}],
                "webhooks": hooks}}})
}

/// A kit with Flagger (and its load tester's handler) and a ready `podinfo` Deployment.
fn kit(cd: Value) -> (Kit, ProxyHandler) {
    let mut k = Kit::new();
    // The world runs Flagger already; its load tester handler shares the gates.
    let lt = k.world.loadtester.clone();
    k.apply(deployment("podinfo:6.0.0"));
    k.run(Duration::from_secs(4), S);
    k.apply(cd);
    (k, lt)
}

/// POSTs to the load tester as the HTTP layer would; the status code.
fn gate(lt: &ProxyHandler, path: &str) -> u16 {
    let body = Bytes::from_static(br#"{"name":"podinfo","namespace":"test"}"#);
    let (method, path, query) = ("POST".into(), path.into(), String::new());
    lt(ProxyRequest {
        method,
        path,
        query,
        body,
    })
    .status
}

fn cd(k: &Kit) -> Value {
    k.get(API_VERSION, "Canary", "test", "podinfo")
}

fn st(k: &Kit, key: &str) -> Value {
    cd(k)["status"][key].clone()
}

fn dep(k: &Kit, name: &str) -> Value {
    k.get("apps/v1", "Deployment", "test", name)
}

fn image(k: &Kit, name: &str) -> Value {
    dep(k, name)["spec"]["template"]["spec"]["containers"][0]["image"].clone()
}

fn release(k: &mut Kit, image: &str) {
    let c = json!({"spec": {"template": {"spec": {"containers": [{"name": "podinfo", "image": image}]}}}});
    k.merge("apps/v1", "Deployment", "test", "podinfo", &c, false);
}

/// Runs until the status field `key` is `want` (at most `limit`).
fn until(k: &mut Kit, key: &str, want: Value, limit: Duration) {
    let ok = k.run_until(limit, S, |k| st(k, key) == want);
    assert!(ok, "{key} never {want}: {:#}", cd(k)["status"]);
}

fn phase(k: &mut Kit, phase: &str, limit: Duration) {
    until(k, "phase", json!(phase), limit);
}

/// Asserts status fields, plus `condition` ("<status>: <message>" of the Promoted
/// condition), `replicas` (the target's) and `primary` (the primary's image).
fn check(k: &Kit, want: Value) {
    let c = st(k, "conditions")[0].clone();
    let ok = c["type"] == "Promoted" && c["reason"] == st(k, "phase");
    assert!(ok, "{c}");
    let (status, message) = (
        c["status"].as_str().unwrap(),
        c["message"].as_str().unwrap(),
    );
    for (key, want) in want.as_object().unwrap() {
        let got = match key.as_str() {
            "condition" => json!(format!("{status}: {message}")),
            "replicas" => dep(k, "podinfo")["spec"]["replicas"].clone(),
            "primary" => image(k, "podinfo-primary"),
            _ => st(k, key),
        };
        assert_eq!(&got, want, "{key}");
    }
}

/// The messages of the events about the canary (all `Synced` from `flagger`).
fn messages(k: &Kit) -> Vec<String> {
    let evs = k.list("v1", "Event", "test").into_iter();
    let evs = evs.filter(|e| e["involvedObject"]["kind"] == "Canary");
    let from = |e: &Value| (e["reason"].clone(), e["source"]["component"].clone());
    evs.inspect(|e| assert_eq!(from(e), (json!("Synced"), json!("flagger"))))
        .map(|e| e["message"].as_str().unwrap().to_string())
        .collect()
}

fn saw(k: &Kit, wanted: &[&str]) {
    let got = messages(k);
    for w in wanted {
        assert!(got.iter().any(|m| m == w), "no event {w:?} in {got:#?}");
    }
}

fn health(k: &mut Kit, success_rate: f64, p99_seconds: f64) {
    let h = Health {
        success_rate,
        p99_seconds,
    };
    k.world.metrics.set("podinfo-canary", h);
}

/// Initialized, then a new image, then Progressing with the canary scaled up.
fn progressing(hooks: &[(&str, &str)]) -> (Kit, ProxyHandler) {
    let (mut k, lt) = kit(canary(hooks));
    phase(&mut k, "Initialized", MIN);
    release(&mut k, "podinfo:6.1.0");
    phase(&mut k, "Progressing", MIN);
    (k, lt)
}

#[test]
fn a_canary_initializes_its_primary_and_services() {
    let (mut k, _) = kit(canary(&[]));
    k.run(S, S);
    let msg = "Unknown: New Deployment detected, starting initialization.";
    check(&k, json!({"phase": "Initializing", "condition": msg}));
    phase(&mut k, "Initialized", MIN);
    let hash = pod_template_hash(&dep(&k, "podinfo")["spec"]["template"]);
    let want = json!({"canaryWeight": 0, "failedChecks": 0, "iterations": 0,
        "lastAppliedSpec": hash, "lastPromotedSpec": hash, "trackedConfigs": {},
        "condition": "True: Deployment initialization completed.", "replicas": 0,
        "primary": "podinfo:6.0.0"});
    check(&k, want);
    assert!(st(&k, "lastTransitionTime").is_string());
    saw(&k, &["all the metrics providers are available!"]);
    saw(&k, &["Initialization done! podinfo.test"]);
    let p = dep(&k, "podinfo-primary");
    let (pm, ps) = (&p["metadata"], &p["spec"]);
    let got = json!({"labels": pm["labels"], "owner": pm["ownerReferences"][0]["kind"],
        "selector": ps["selector"]["matchLabels"], "pod": ps["template"]["metadata"]["labels"]});
    let primary = json!({"app": "podinfo-primary"});
    let want = json!({"labels": primary, "owner": "Canary", "selector": primary, "pod": primary});
    assert_eq!((got, &ps["replicas"]), (want, &json!(2)));
    assert!(ps["template"]["metadata"]["annotations"]["flagger-id"].is_string());
    let port = json!([{"name": "http", "protocol": "TCP", "port": 80, "targetPort": 9898}]);
    let services = [
        ("podinfo", "podinfo-primary"),
        ("podinfo-primary", "podinfo-primary"),
    ];
    for (svc, selects) in services.into_iter().chain([("podinfo-canary", "podinfo")]) {
        let s = k.get("v1", "Service", "test", svc);
        let (spec, labels) = (&s["spec"], &s["metadata"]["labels"]);
        let got = (&spec["selector"], &spec["ports"], &spec["type"], labels);
        let want = json!([{"app": selects}, port, "ClusterIP", {"app": svc}]);
        assert_eq!(json!(got), want, "{svc}");
    }
    // Nothing changes: nothing is written.
    let rv = cd(&k)["metadata"]["resourceVersion"].clone();
    k.run(MIN, S);
    assert_eq!(cd(&k)["metadata"]["resourceVersion"], rv);
    assert_eq!(dep(&k, "podinfo-primary")["status"]["availableReplicas"], 2);
    k.assert_no_refused_writes();
}

#[test]
fn a_new_image_advances_to_max_weight_waits_for_the_promotion_gate_and_promotes() {
    let (mut k, lt) = progressing(&[("confirm-promotion", "/gate/check")]);
    saw(&k, &["New revision detected! Scaling up podinfo.test"]);
    let msg = "Unknown: New revision detected, progressing canary analysis.";
    check(&k, json!({"replicas": 2, "condition": msg}));
    for w in [10, 20, 30, 40, 50] {
        until(&mut k, "canaryWeight", json!(w), Duration::from_secs(20));
        saw(&k, &[&format!("Advance podinfo.test canary weight {w}")]);
        let want = json!({"phase": "Progressing", "failedChecks": 0, "iterations": 0});
        check(&k, want);
    }
    saw(&k, &["Starting canary analysis for podinfo.test"]);
    phase(&mut k, "WaitingPromotion", Duration::from_secs(20));
    // Flagger resets the reported weight and sets iterations to analysis.iterations - 1.
    let waiting =
        json!({"canaryWeight": 0, "iterations": -1, "condition": "Unknown: Waiting for approval."});
    check(&k, waiting);
    let m = "Halt podinfo.test advancement waiting for promotion approval confirm-promotion";
    saw(&k, &[m]);
    k.run(MIN, S);
    let want = json!({"phase": "WaitingPromotion", "primary": "podinfo:6.0.0"});
    check(&k, want);
    assert_eq!(gate(&lt, "/gate/open"), 202);
    phase(&mut k, "Promoting", Duration::from_secs(20));
    check(&k, json!({"primary": "podinfo:6.1.0"}));
    phase(&mut k, "Finalising", MIN);
    phase(&mut k, "Succeeded", MIN);
    let want = [
        "Confirm-promotion check confirm-promotion passed",
        "Copying podinfo.test template spec to podinfo-primary.test",
        "Routing all traffic to primary",
        "Promotion completed! Scaling down podinfo.test",
    ];
    saw(&k, &want);
    let hash = pod_template_hash(&dep(&k, "podinfo")["spec"]["template"]);
    let msg = "True: Canary analysis completed successfully, promotion finished.";
    let want = json!({"condition": msg, "replicas": 0, "canaryWeight": 0,
        "lastAppliedSpec": hash, "lastPromotedSpec": hash});
    check(&k, want);
    let p = dep(&k, "podinfo-primary");
    let app = &p["spec"]["template"]["metadata"]["labels"]["app"];
    assert_eq!(app, "podinfo-primary");
    let rolled = |k: &Kit| dep(k, "podinfo-primary")["status"]["updatedReplicas"] == 2;
    let rolled = k.run_until(MIN, S, rolled);
    assert!(rolled, "the primary rolls out the new template");
    // The gate stays open (never closed automatically).
    assert_eq!(gate(&lt, "/gate/check"), 200);
    k.assert_no_refused_writes();
}

#[test]
fn a_regression_fails_the_canary_at_the_threshold() {
    let (mut k, _) = progressing(&[]);
    until(&mut k, "canaryWeight", json!(10), MIN);
    health(&mut k, 0.999, 2.7);
    until(&mut k, "failedChecks", json!(1), MIN);
    let m = "Halt podinfo.test advancement request duration 2.7s > 500ms";
    saw(&k, &[m]);
    health(&mut k, 0.5, 0.1);
    until(&mut k, "failedChecks", json!(3), MIN);
    let m = "Halt podinfo.test advancement success rate 50.00% < 99%";
    saw(&k, &[m]);
    check(&k, json!({"canaryWeight": 10, "phase": "Progressing"}));
    phase(&mut k, "Failed", Duration::from_secs(20));
    let want = [
        "Rolling back podinfo.test failed checks threshold reached 3",
        "Canary failed! Scaling down podinfo.test",
    ];
    saw(&k, &want);
    // Flagger's SyncStatus resets the counters with the phase.
    let msg = "False: Canary analysis failed, Deployment scaled to zero.";
    let want = json!({"canaryWeight": 0, "failedChecks": 0, "condition": msg, "replicas": 0,
        "primary": "podinfo:6.0.0"});
    check(&k, want);
    k.run(MIN, S);
    check(&k, json!({"phase": "Failed"}));
    k.assert_no_refused_writes();
}

#[test]
fn an_open_rollback_gate_rolls_back_now_and_every_later_canary() {
    let hooks = [
        ("confirm-promotion", "/gate/check"),
        ("rollback", "/rollback/check"),
    ];
    let (mut k, lt) = progressing(&hooks);
    until(&mut k, "canaryWeight", json!(20), MIN);
    saw(&k, &["Rollback hook rollback not signaling a rollback"]);
    assert_eq!(gate(&lt, "/rollback/open"), 202);
    phase(&mut k, "Failed", Duration::from_secs(20));
    let manual = "Rolling back podinfo.test manual webhook invoked";
    saw(&k, &["Rollback check rollback passed", manual]);
    check(&k, json!({"canaryWeight": 0, "replicas": 0}));
    release(&mut k, "podinfo:6.2.0");
    phase(&mut k, "Progressing", MIN);
    phase(&mut k, "Failed", MIN);
    check(&k, json!({"primary": "podinfo:6.0.0", "replicas": 0}));
    k.assert_no_refused_writes();
}

#[test]
fn the_confirm_rollout_gate_holds_a_new_revision_in_waiting() {
    let (mut k, lt) = kit(canary(&[("confirm-rollout", "/gate/check")]));
    phase(&mut k, "Initialized", MIN);
    release(&mut k, "podinfo:6.1.0");
    phase(&mut k, "Waiting", MIN);
    let m = "Halt podinfo.test advancement waiting for approval confirm-rollout";
    saw(&k, &[m]);
    let want = json!({"condition": "Unknown: Waiting for approval.", "replicas": 0});
    check(&k, want);
    k.run(MIN, S);
    check(&k, json!({"phase": "Waiting", "replicas": 0}));
    assert_eq!(gate(&lt, "/gate/open"), 202);
    phase(&mut k, "Progressing", Duration::from_secs(20));
    let want = [
        "Confirm-rollout check confirm-rollout passed",
        "New revision detected! Scaling up podinfo.test",
    ];
    saw(&k, &want);
    k.assert_no_refused_writes();
}

#[test]
fn suspend_holds_the_canary_where_it_is() {
    let (mut k, _) = progressing(&[]);
    until(&mut k, "canaryWeight", json!(10), MIN);
    let suspend = |k: &mut Kit, on: bool| {
        let patch = json!({"spec": {"suspend": on}});
        k.merge(API_VERSION, "Canary", "test", "podinfo", &patch, false);
    };
    suspend(&mut k, true);
    let rv = cd(&k)["metadata"]["resourceVersion"].clone();
    k.run(MIN, S);
    assert_eq!(cd(&k)["metadata"]["resourceVersion"], rv, "no status write");
    saw(&k, &["skipping canary run as object is suspended"]);
    suspend(&mut k, false);
    until(&mut k, "canaryWeight", json!(20), MIN);
    k.assert_no_refused_writes();
}

#[test]
fn metric_templates_step_weights_and_the_traffic_gate() {
    let mut c = canary(&[("confirm-traffic-increase", "/gate/check")]);
    let an = c["spec"]["analysis"].as_object_mut().unwrap();
    an.remove("stepWeight");
    an.insert("stepWeights".into(), json!([5, 25, 60]));
    let tref = json!({"name": "success", "templateRef": {"name": "success"}, "thresholdRange": {"min": 0.99}});
    an.insert("metrics".into(), json!([tref]));
    let (mut k, lt) = kit(c);
    // The canary track's success ratio, measured from the simulated traffic.
    let sel = r#"namespace="{{ namespace }}",rollout="{{ name }}",track="canary""#;
    let q = format!(
        r#"sum(rate(http_requests_total{{{sel},code!~"5.."}}[{{{{ interval }}}}])) / sum(rate(http_requests_total{{{sel}}}[{{{{ interval }}}}]))"#
    );
    k.apply(json!({"apiVersion": API_VERSION, "kind": "MetricTemplate",
        "metadata": {"name": "success", "namespace": "test"},
        "spec": {"provider": {"type": "prometheus", "address": "http://prometheus:9090"}, "query": q}}));
    phase(&mut k, "Initialized", MIN);
    let error_ratio = |k: &mut Kit, error_ratio: f64| {
        let traffic = &mut k.world.metrics.traffic;
        let profile = traffic
            .profile("test", "podinfo")
            .expect("podinfo has traffic");
        traffic.set_profile(
            "test",
            "podinfo",
            Profile {
                error_ratio,
                ..profile
            },
        );
    };
    error_ratio(&mut k, 0.001);
    release(&mut k, "podinfo:6.1.0");
    phase(&mut k, "Progressing", MIN);
    k.run(MIN, S);
    let traffic = "confirm-traffic-increase";
    let m =
        format!("Halt podinfo.test advancement waiting for traffic increase approval {traffic}");
    saw(&k, &[&m]);
    check(&k, json!({"canaryWeight": 0}));
    assert_eq!(gate(&lt, "/gate/open"), 202);
    for w in [5, 25] {
        until(&mut k, "canaryWeight", json!(w), Duration::from_secs(20));
    }
    let m = format!("Confirm-traffic-increase check {traffic} passed");
    saw(&k, &[&m]);
    check(&k, json!({"failedChecks": 0}));
    error_ratio(&mut k, 0.1);
    until(&mut k, "failedChecks", json!(1), MIN);
    saw(&k, &["Halt podinfo.test advancement success 0.90 < 0.99"]);
    k.assert_no_refused_writes();
}

#[test]
fn frozen_canaries_are_left_alone() {
    let mut c = canary(&[]);
    c["metadata"]["labels"] = json!({"sim.shipdeck.io/frozen": "true"});
    let (mut k, _) = kit(c);
    k.run(MIN, S);
    assert!(cd(&k).get("status").is_none());
    assert_eq!(k.list("apps/v1", "Deployment", "test").len(), 1);
    assert!(k.list("v1", "Service", "test").is_empty() && messages(&k).is_empty());
}

#[test]
fn helpers_match_flagger() {
    let got = [0, 120, 1000, 2700, 61_050, 3_600_000].map(go_ms);
    assert_eq!(got, ["0s", "120ms", "1s", "2.7s", "1m1.05s", "1h0m0s"]);
    let an = json!({"stepWeights": [5, 25, 60]});
    let steps = [0, 5, 25, 60, 100].map(|w| next_step(&an, w));
    assert_eq!((steps, max_weight(&an)), ([5, 20, 35, 40, 1], 60));
    assert_eq!(next_step(&json!({"stepWeight": 10}), 40), 10);
    assert_eq!(max_weight(&json!({})), 100);
    let interval_of = |iv: &str| interval(&json!({"spec": {"analysis": {"interval": iv}}}));
    let secs = interval_of("1m").as_secs() + interval_of("2s").as_secs();
    assert_eq!(secs, 70);
    // The condition keeps its transition time while its status stays.
    let c = condition(&json!({}), "Progressing", "t1").unwrap();
    let cd = json!({"spec": {"targetRef": {"kind": "Deployment"}}, "status": {"conditions": [c]}});
    assert!(condition(&cd, "Progressing", "t2").is_none());
    let w = condition(&cd, "WaitingPromotion", "t3").unwrap();
    let times = (&w["lastTransitionTime"], &w["lastUpdateTime"]);
    assert_eq!(times, (&json!("t1"), &json!("t3")));
    let c = condition(&cd, "Succeeded", "t4").unwrap();
    assert_eq!(c["lastTransitionTime"], "t4");
}
