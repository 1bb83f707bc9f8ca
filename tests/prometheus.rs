//! A real Prometheus scrapes the simulator (one instance for this test binary, scraping
//! every second at speed 1): `/metrics` parses as the text format (promtool), request rate,
//! error ratio and latency quantiles per track match the configured traffic, the
//! simulator's own query endpoint agrees with Prometheus on the `sim` preset, unsupported
//! queries get 400, and a traffic fault shows in both within two scrape intervals.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::prometheus::{Prometheus, bucket_of, encode, get, vector, within};
use common::sim::{client, require_tool, start_scenario};
use serde_json::{Value, json};
use shipdeck::sim::SimHandle;

fn preset(which: &str, namespaces: &str, window: &str) -> String {
    let sel = format!("namespace=~\"{namespaces}\"");
    match which {
        "rate" => format!(
            "sum by (namespace, rollout, track) (rate(http_requests_total{{{sel}}}[{window}]))"
        ),
        "errors" => format!(
            "sum by (namespace, rollout, track) (rate(http_requests_total{{{sel},code=~\"5..\"}}[{window}])) / sum by (namespace, rollout, track) (rate(http_requests_total{{{sel}}}[{window}]))"
        ),
        q => format!(
            "histogram_quantile({q}, sum by (namespace, rollout, track, le) (rate(http_request_duration_seconds_bucket{{{sel}}}[{window}])))"
        ),
    }
}

fn sim_query(sim: &SimHandle, q: &str) -> (u16, Value) {
    let (status, body) = get(sim.addr, &format!("/api/v1/query?query={}", encode(q))).unwrap();
    (status, serde_json::from_str(&body).unwrap())
}

fn sim_query_at(sim: &SimHandle, q: &str, time: f64) -> Value {
    let path = format!("/api/v1/query?query={}&time={time:.3}", encode(q));
    let (status, body) = get(sim.addr, &path).unwrap();
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// The value of (rollout, track) in a vector result.
fn pick(rows: &[(Value, f64)], rollout: &str, track: &str) -> f64 {
    rows.iter()
        .find(|(m, _)| m["rollout"] == rollout && m["track"] == track)
        .map(|(_, v)| *v)
        .unwrap_or_else(|| panic!("no {rollout}/{track} in {rows:?}"))
}

async fn until_data(prom: &Prometheus, q: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let rows = vector(&prom.query(q));
        if rows.iter().any(|(_, v)| *v > 0.0) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "Prometheus never had data for {q}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_prometheus_and_the_simulator_agree_on_the_traffic() {
    let sim = start_scenario("steady").await;

    // /metrics parses as the Prometheus text format.
    if require_tool("promtool") {
        let (status, text) = get(sim.addr, "/metrics").unwrap();
        assert_eq!(status, 200);
        let mut check = Command::new("promtool")
            .args(["check", "metrics"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        check
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        let out = check.wait_with_output().unwrap();
        let problems = String::from_utf8_lossy(&out.stderr).to_string()
            + &String::from_utf8_lossy(&out.stdout);
        assert!(!problems.contains("error"), "promtool: {problems}");
    }

    let Some(prom) = Prometheus::start(sim.addr) else {
        return;
    };
    // A canary in flight on payments (10 %, then a 30 s pause): both tracks have traffic.
    let c = client(&sim, "sim-operator").await;
    let req = http::Request::post("/sim/v1/releases")
        .header("content-type", "application/json")
        .body(serde_json::to_vec(&json!({"namespace": "casino-prod", "name": "payments", "image": "registry.casino.example/payments:3.3.0"})).unwrap())
        .unwrap();
    let _: Value = c.request(req).await.unwrap();
    let rate_q = preset("rate", "casino-prod", "10s");
    until_data(&prom, &rate_q).await;
    tokio::time::sleep(Duration::from_secs(12)).await;

    // In a small scenario each ready pod has its own series (the `pod` label).
    let (_, text) = get(sim.addr, "/metrics").unwrap();
    let pod_line = |rollout: &str, track: &str| {
        text.lines().any(|l| {
            l.starts_with("http_requests_total{")
                && l.contains(&format!(
                    "rollout=\"{rollout}\",track=\"{track}\",pod=\"{rollout}-"
                ))
        })
    };
    assert!(
        pod_line("wallet", "stable") && pod_line("payments", "canary"),
        "{text}"
    );

    let profile = sim
        .shared
        .world
        .lock()
        .unwrap()
        .metrics
        .traffic
        .profile("casino-prod", "wallet")
        .unwrap();
    // Request rate and error ratio per track within 10 % of the configured values.
    let rates = vector(&prom.query(&rate_q));
    assert!(
        within(pick(&rates, "wallet", "stable"), profile.rps, 0.10),
        "{rates:?} vs {profile:?}"
    );
    assert_eq!(pick(&rates, "wallet", "canary"), 0.0);
    let errs = vector(&prom.query(&preset("errors", "casino-prod", "10s")));
    assert!(
        within(pick(&errs, "wallet", "stable"), profile.error_ratio, 0.10),
        "{errs:?}"
    );
    // p95 / p99 within one histogram bucket of the configured latency.
    for q in [0.95, 0.99] {
        let got = pick(
            &vector(&prom.query(&preset(&q.to_string(), "casino-prod", "10s"))),
            "wallet",
            "stable",
        );
        let (lo, hi) = bucket_of(profile.quantile(q, 1.0));
        assert!(
            got >= lo && got <= hi,
            "p{}: {got} not in [{lo}, {hi}]",
            q * 100.0
        );
    }

    // The simulator answers the same queries as Prometheus within the same tolerances.
    for which in ["rate", "errors", "0.95", "0.99"] {
        let q = preset(which, "casino-.*", "10s");
        let ours = vector(&sim_query(&sim, &q).1);
        let theirs = vector(&prom.query(&q));
        for (labels, theirs_v) in &theirs {
            let ours_v = ours.iter().find(|(l, _)| l == labels).map(|(_, v)| *v);
            let Some(ours_v) = ours_v else {
                panic!("{which}: we lack {labels}")
            };
            if theirs_v.is_nan() || ours_v.is_nan() {
                assert!(
                    theirs_v.is_nan() && ours_v.is_nan(),
                    "{which} {labels}: {ours_v} vs {theirs_v}"
                );
            } else if which.starts_with('0') {
                let (lo, hi) = bucket_of(*theirs_v);
                assert!(
                    ours_v >= lo - 1e-9 && ours_v <= hi + 1e-9,
                    "{which} {labels}: {ours_v} vs {theirs_v}"
                );
            } else {
                assert!(
                    within(ours_v, *theirs_v, 0.10) || (ours_v - theirs_v).abs() < 1e-6,
                    "{which} {labels}: {ours_v} vs {theirs_v}"
                );
            }
        }
    }
    // An unsupported query is a Prometheus-style 400.
    let (status, body) = sim_query(&sim, "up");
    assert_eq!(status, 400);
    assert_eq!(body["status"], "error");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("unsupported by simulator"),
        "{body}"
    );

    // An errors fault on payments' canary shows in both within two scrape intervals: both
    // are asked for the error ratio at the fault's start and two seconds (two scrapes)
    // later, so how long the test itself waits does not matter.
    let err_q = preset("errors", "casino-prod", "3s");
    let fault = http::Request::post("/sim/v1/faults")
        .header("content-type", "application/json")
        .body(serde_json::to_vec(&json!({"kind": "errors", "target": "casino-prod/payments", "track": "canary", "factor": 8})).unwrap())
        .unwrap();
    let at = unix_now();
    let _: Value = c.request(fault).await.unwrap();
    tokio::time::sleep(Duration::from_millis(4000)).await;
    let ratio = |v: Value| pick(&vector(&v), "payments", "canary");
    let (theirs_before, theirs_after) = (
        ratio(prom.query_at(&err_q, at)),
        ratio(prom.query_at(&err_q, at + 2.0)),
    );
    let (ours_before, ours_after) = (
        ratio(sim_query_at(&sim, &err_q, at)),
        ratio(sim_query_at(&sim, &err_q, at + 2.0)),
    );
    assert!(
        theirs_before > 0.0 && ours_before > 0.0,
        "payments' canary has a base error ratio"
    );
    assert!(
        theirs_after > 2.0 * theirs_before,
        "Prometheus: {theirs_before} → {theirs_after}"
    );
    assert!(
        ours_after > 2.0 * ours_before,
        "simulator: {ours_before} → {ours_after}"
    );
    drop(prom);
    sim.stop().await;
}
