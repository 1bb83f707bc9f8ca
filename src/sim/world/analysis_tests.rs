use std::time::Duration;

use serde_json::{Value, json};

use super::UNSUPPORTED;
use crate::sim::world::metrics::Health;
use crate::sim::world::testkit::Kit;

const SEC: Duration = Duration::from_secs(1);
const QUERY: &str = r#"sum(rate(http_requests_total{service="web-canary",code!~"5.."}[1m])) / sum(rate(http_requests_total{service="web-canary"}[1m]))"#;

fn kit(success_rate: f64) -> Kit {
    let mut k = Kit::new();
    k.world.metrics.set(
        "web-canary",
        Health {
            success_rate,
            p99_seconds: 0.1,
        },
    );
    k
}

fn prometheus(query: &str) -> Value {
    json!({"prometheus": {"address": "http://prometheus.monitoring:9090", "query": query}})
}

/// A run with one metric `success-rate` (extra fields merged into the metric).
fn run(extra: Value) -> Value {
    let mut metric = json!({"name": "success-rate", "successCondition": "result[0] >= 0.95", "provider": prometheus(QUERY)});
    for (k, v) in extra.as_object().unwrap() {
        metric[k] = v.clone();
    }
    json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisRun",
        "metadata": {"name": "web-ar", "namespace": "test"},
        "spec": {"metrics": [metric]}
    })
}

fn ar(k: &Kit) -> Value {
    k.get("argoproj.io/v1alpha1", "AnalysisRun", "test", "web-ar")
}

fn result(k: &Kit) -> Value {
    ar(k)["status"]["metricResults"][0].clone()
}

fn events(k: &Kit) -> Vec<(String, String, String)> {
    let mut evs: Vec<Value> = k.list("v1", "Event", "test");
    evs.sort_by_key(|e| {
        e["metadata"]["resourceVersion"]
            .as_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
    });
    evs.iter()
        .map(|e| {
            let s = |f: &str| e[f].as_str().unwrap().to_string();
            (s("type"), s("reason"), s("message"))
        })
        .collect()
}

#[test]
fn a_passing_prometheus_metric_completes_successful_with_the_stored_value() {
    let mut k = kit(0.99);
    k.apply(run(json!({})));
    k.run(SEC, SEC);
    let st = ar(&k)["status"].clone();
    assert_eq!(st["phase"], "Successful");
    assert!(st.get("message").is_none());
    assert!(st["startedAt"].is_string() && st["completedAt"].is_string());
    assert_eq!(st["runSummary"], json!({"count": 1, "successful": 1}));
    assert_eq!(st["dryRunSummary"], json!({}));
    let r = result(&k);
    assert_eq!(
        (
            r["phase"].clone(),
            r["count"].clone(),
            r["successful"].clone()
        ),
        (json!("Successful"), json!(1), json!(1))
    );
    assert_eq!(r["metadata"]["ResolvedPrometheusQuery"], QUERY);
    let m = &r["measurements"][0];
    assert_eq!(
        (m["phase"].clone(), m["value"].clone()),
        (json!("Successful"), json!("[0.99]"))
    );
    assert!(m["startedAt"].is_string() && m["finishedAt"].is_string());
    assert_eq!(
        events(&k),
        [
            (
                "Normal".into(),
                "MetricSuccessful".into(),
                "Metric 'success-rate' Completed. Result: Successful".into()
            ),
            (
                "Normal".into(),
                "AnalysisRunSuccessful".into(),
                "Analysis Completed. Result: Successful".into()
            ),
        ]
    );
    let rv = ar(&k)["metadata"]["resourceVersion"].clone();
    k.run(Duration::from_secs(30), SEC);
    assert_eq!(
        ar(&k)["metadata"]["resourceVersion"],
        rv,
        "a completed run is not written again"
    );
    k.assert_no_refused_writes();
}

#[test]
fn a_failing_metric_fails_the_run_once_past_its_failure_limit() {
    let mut k = kit(0.60);
    k.apply(run(
        json!({"interval": "5s", "count": 5, "failureLimit": 1}),
    ));
    k.run(SEC, SEC);
    assert_eq!(ar(&k)["status"]["phase"], "Running");
    assert_eq!(
        (result(&k)["phase"].clone(), result(&k)["failed"].clone()),
        (json!("Running"), json!(1))
    );
    assert_eq!(result(&k)["measurements"][0]["value"], "[0.6]");
    k.run(4 * SEC, SEC);
    assert_eq!(
        result(&k)["measurements"].as_array().unwrap().len(),
        1,
        "the next one is due 5 s later"
    );
    k.run(SEC, SEC);
    let st = ar(&k)["status"].clone();
    assert_eq!(st["phase"], "Failed");
    assert_eq!(
        st["message"],
        "Metric \"success-rate\" assessed Failed due to failed (2) > failureLimit (1)"
    );
    assert_eq!(
        (result(&k)["phase"].clone(), result(&k)["count"].clone()),
        (json!("Failed"), json!(2))
    );
    assert_eq!(st["runSummary"], json!({"count": 1, "failed": 1}));
    let evs = events(&k);
    assert!(evs.contains(&(
        "Warning".into(),
        "MetricFailed".into(),
        "Metric 'success-rate' Completed. Result: Failed".into()
    )));
    assert!(evs.contains(&(
        "Warning".into(),
        "AnalysisRunFailed".into(),
        "Analysis Completed. Result: Failed".into()
    )));
    k.run(Duration::from_secs(20), SEC);
    assert_eq!(result(&k)["measurements"].as_array().unwrap().len(), 2);
    k.assert_no_refused_writes();
}

#[test]
fn neither_condition_true_is_inconclusive() {
    let mut k = kit(0.80);
    k.apply(run(json!({"failureCondition": "result[0] < 0.5"})));
    k.run(SEC, SEC);
    let st = ar(&k)["status"].clone();
    assert_eq!(st["phase"], "Inconclusive");
    assert_eq!(
        st["message"],
        "Metric \"success-rate\" assessed Inconclusive due to inconclusive (1) > inconclusiveLimit (0)"
    );
    assert_eq!(result(&k)["measurements"][0]["phase"], "Inconclusive");
    assert_eq!(result(&k)["inconclusive"], 1);
    k.assert_no_refused_writes();
}

#[test]
fn an_unsupported_provider_errors_after_the_consecutive_error_limit() {
    let mut k = kit(0.99);
    let job = json!({"job": {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "alpine"}], "restartPolicy": "Never"}}}}});
    k.apply(run(json!({"provider": job})));
    k.run(Duration::from_secs(35), SEC);
    let r = result(&k);
    assert_eq!(ar(&k)["status"]["phase"], "Running");
    assert_eq!(
        (r["error"].clone(), r["consecutiveError"].clone()),
        (json!(4), json!(4))
    );
    assert_eq!(r["measurements"][0]["phase"], "Error");
    assert_eq!(r["measurements"][0]["message"], UNSUPPORTED);
    k.run(Duration::from_secs(6), SEC);
    let st = ar(&k)["status"].clone();
    assert_eq!(st["phase"], "Error");
    assert_eq!(
        st["message"],
        "Metric \"success-rate\" assessed Error due to consecutiveErrors (5) > consecutiveErrorLimit (4): \"Error Message: unsupported by simulator\""
    );
    assert_eq!(result(&k)["message"], UNSUPPORTED);
    assert!(result(&k).get("count").is_none(), "errors are not counted");
    assert!(
        events(&k)
            .iter()
            .any(|e| e.1 == "AnalysisRunError" && e.0 == "Warning")
    );
    k.assert_no_refused_writes();
}

#[test]
fn args_are_substituted_into_the_query() {
    let mut k = kit(0.42);
    let mut r = run(
        json!({"provider": prometheus(r#"sum(rate(x{service="{{args.service-name}}"}[1m]))"#)}),
    );
    r["spec"]["args"] = json!([{"name": "service-name", "value": "web-canary"}]);
    k.apply(r);
    k.run(SEC, SEC);
    let res = result(&k);
    assert_eq!(
        res["metadata"]["ResolvedPrometheusQuery"],
        r#"sum(rate(x{service="web-canary"}[1m]))"#
    );
    assert_eq!(res["measurements"][0]["value"], "[0.42]");
    assert_eq!(ar(&k)["status"]["phase"], "Failed");

    let mut from_secret = run(json!({"provider": prometheus(r#"up{service="{{args.svc}}"}"#)}));
    from_secret["metadata"]["name"] = json!("from-secret");
    from_secret["spec"]["args"] =
        json!([{"name": "svc", "valueFrom": {"secretKeyRef": {"name": "prom", "key": "svc"}}}]);
    k.apply(from_secret);
    k.run(SEC, SEC);
    let st = k.get("argoproj.io/v1alpha1", "AnalysisRun", "test", "from-secret")["status"].clone();
    assert_eq!(
        st["message"],
        "Unable to resolve metric arguments: secrets \"prom\" not found"
    );

    let mut missing = run(json!({"provider": prometheus("x{service=\"{{ args.nope }}\"}")}));
    missing["metadata"]["name"] = json!("missing");
    k.apply(missing);
    k.run(SEC, SEC);
    let st = k.get("argoproj.io/v1alpha1", "AnalysisRun", "test", "missing")["status"].clone();
    assert_eq!(
        (st["phase"].clone(), st["message"].clone()),
        (
            json!("Error"),
            json!("Unable to resolve metric arguments: failed to resolve {{ args.nope }}")
        )
    );
    k.assert_no_refused_writes();
}

#[test]
fn measurements_follow_interval_and_count_on_the_sim_clock() {
    let mut k = kit(0.99);
    k.apply(run(
        json!({"interval": "10s", "count": 3, "initialDelay": "30s"}),
    ));
    k.run(Duration::from_secs(29), SEC);
    assert_eq!(ar(&k)["status"]["phase"], "Running");
    assert!(
        ar(&k)["status"].get("metricResults").is_none(),
        "waiting for the initial delay"
    );
    k.run(Duration::from_secs(2), SEC);
    assert_eq!(result(&k)["count"], 1);
    k.run(Duration::from_secs(18), SEC);
    assert_eq!(
        (
            result(&k)["count"].clone(),
            ar(&k)["status"]["phase"].clone()
        ),
        (json!(2), json!("Running"))
    );
    k.run(Duration::from_secs(2), SEC);
    assert_eq!(
        (
            result(&k)["count"].clone(),
            ar(&k)["status"]["phase"].clone()
        ),
        (json!(3), json!("Successful"))
    );
    k.assert_no_refused_writes();
}

#[test]
fn terminate_ends_an_endless_run_successful() {
    let mut k = kit(0.99);
    k.apply(run(json!({"interval": "5s"})));
    k.run(Duration::from_secs(7), SEC);
    assert_eq!(
        (
            result(&k)["count"].clone(),
            ar(&k)["status"]["phase"].clone()
        ),
        (json!(2), json!("Running"))
    );
    k.merge(
        "argoproj.io/v1alpha1",
        "AnalysisRun",
        "test",
        "web-ar",
        &json!({"spec": {"terminate": true}}),
        false,
    );
    k.run(SEC, SEC);
    let st = ar(&k)["status"].clone();
    assert_eq!(
        (st["phase"].clone(), st["message"].clone()),
        (json!("Successful"), json!("Run Terminated"))
    );
    assert_eq!(result(&k)["phase"], "Successful");
    assert_eq!(result(&k)["count"], 2);
    k.assert_no_refused_writes();
}

#[test]
fn old_measurements_are_trimmed_to_the_retention() {
    let mut k = kit(0.99);
    let mut r = run(json!({"interval": "1s", "count": 12}));
    let mut second = r["spec"]["metrics"][0].clone();
    second["name"] = json!("kept-3");
    r["spec"]["metrics"].as_array_mut().unwrap().push(second);
    r["spec"]["measurementRetention"] = json!([{"metricName": "kept-3", "limit": 3}]);
    k.apply(r);
    k.run(Duration::from_secs(15), SEC);
    let st = ar(&k)["status"].clone();
    assert_eq!(st["phase"], "Successful");
    assert_eq!(
        (
            st["metricResults"][0]["count"].clone(),
            st["metricResults"][0]["measurements"]
                .as_array()
                .unwrap()
                .len()
        ),
        (json!(12), 10)
    );
    assert_eq!(
        st["metricResults"][1]["measurements"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    k.assert_no_refused_writes();
}

#[test]
fn an_invalid_spec_and_dry_runs_are_handled_as_argo_does() {
    let mut k = kit(0.10);
    k.apply(run(json!({"count": 3})));
    let mut dry = run(json!({}));
    dry["metadata"]["name"] = json!("dry");
    dry["spec"]["dryRun"] = json!([{"metricName": ".*"}]);
    k.apply(dry);
    let mut frozen = run(json!({}));
    frozen["metadata"]["name"] = json!("frozen");
    frozen["metadata"]["labels"] = json!({"sim.shipdeck.io/frozen": "true"});
    k.apply(frozen);
    k.run(SEC, SEC);
    let st = ar(&k)["status"].clone();
    assert_eq!(
        (st["phase"].clone(), st["message"].clone()),
        (
            json!("Error"),
            json!("Analysis spec invalid: metrics[0]: interval must be specified when count > 1")
        )
    );
    let st = k.get("argoproj.io/v1alpha1", "AnalysisRun", "test", "dry")["status"].clone();
    assert_eq!(
        st["phase"], "Successful",
        "a failing dry-run metric does not fail the run"
    );
    assert_eq!(st["metricResults"][0]["dryRun"], true);
    assert_eq!(
        st["metricResults"][0]["message"],
        "Metric assessed Failed due to failed (1) > failureLimit (0)"
    );
    assert_eq!(st["dryRunSummary"], json!({"count": 1, "failed": 1}));
    assert!(
        k.get("argoproj.io/v1alpha1", "AnalysisRun", "test", "frozen")
            .get("status")
            .is_none()
    );
    k.assert_no_refused_writes();
}
