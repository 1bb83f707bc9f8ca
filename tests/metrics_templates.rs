//! The query templates against a real Prometheus: every preset's four templates, rendered for
//! targets converted from real Argo Rollouts and Flagger example objects, are valid PromQL
//! (`"status":"success"`, even when nothing matches); and the sim preset fetches the
//! simulator's traffic, each series attributed back to its rollout and side.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use common::prometheus::{Prometheus, vector};
use common::sim::start_scenario;
use serde_json::{Value, json};
use shipdeck::adapters::kube::convert::{ConvertCtx, row};
use shipdeck::domain::metrics::prom::{Sample, Series};
use shipdeck::domain::metrics::target::target_for;
use shipdeck::domain::metrics::templates::{self, IdentityLabels, Preset, QuerySet, attribute};
use shipdeck::domain::metrics::{MetricKind, MetricTarget, Side};
use shipdeck::domain::rollout::{ControllerKind, RolloutKey};

/// The documents of a fixture file (the in-repository copies of `../shared/fixtures`).
fn load(rel: &str) -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    serde_saphyr::from_multiple::<Value>(&text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .into_iter()
        .filter(|v| !v.is_null())
        .collect()
}

fn text(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// A target from the real converter, checked against the services the object names.
fn target(obj: &Value) -> MetricTarget {
    let mut obj = obj.clone();
    // As `kubectl apply` would place an object that names no namespace.
    if obj.pointer("/metadata/namespace").is_none() {
        obj["metadata"]["namespace"] = json!("default");
    }
    let r = row(&obj, &ConvertCtx::default()).unwrap();
    assert_eq!(r.invalid, None, "{obj}");
    let t = target_for(&r, None);
    let (canary, stable, active, preview) = match obj["kind"].as_str() {
        Some("Canary") => {
            let target = text(&obj, "/spec/targetRef/name").unwrap();
            (
                Some(format!("{target}-canary")),
                Some(format!("{target}-primary")),
                None,
                None,
            )
        }
        _ => {
            let active = text(&obj, "/spec/strategy/blueGreen/activeService");
            let preview = text(&obj, "/spec/strategy/blueGreen/previewService");
            (
                text(&obj, "/spec/strategy/canary/canaryService").or(preview.clone()),
                text(&obj, "/spec/strategy/canary/stableService").or(active.clone()),
                active,
                preview,
            )
        }
    };
    assert_eq!(
        (
            &t.canary_service,
            &t.stable_service,
            &t.active_service,
            &t.preview_service
        ),
        (&canary, &stable, &active, &preview),
        "{}",
        t.key.name
    );
    t
}

fn fixture_targets() -> Vec<MetricTarget> {
    let objs: Vec<Value> = [
        "flagger/examples/istio-canary.yaml",
        "argo-rollouts/examples/rollout-canary.yaml",
        "argo-rollouts/examples/rollout-bluegreen.yaml",
    ]
    .into_iter()
    .flat_map(load)
    .filter(|o| matches!(o["kind"].as_str(), Some("Rollout" | "Canary")))
    .collect();
    assert_eq!(objs.len(), 3);
    let mut targets: Vec<MetricTarget> = objs.iter().map(target).collect();
    targets[0].canary_hash = Some("7d4f8b9c6".into());
    targets[0].stable_hash = Some("5b8c7d6f4".into());
    // A dotted name (valid for a Rollout) proves the escaping is valid PromQL.
    let mut dotted = targets[1].clone();
    dotted.key = RolloutKey {
        namespace: "default".into(),
        name: "api.v2+beta".into(),
        kind: ControllerKind::ArgoCanary,
    };
    targets.push(dotted);
    targets
}

fn series(metric: &Value, v: f64) -> Series {
    let labels: BTreeMap<String, String> = metric
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect();
    Series {
        labels,
        samples: vec![Sample { t: 0.0, v }],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_preset_is_valid_promql_and_the_sim_preset_finds_the_traffic() {
    let targets = fixture_targets();
    let names: Vec<&str> = targets.iter().map(|t| t.key.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "podinfo",
            "rollout-canary",
            "rollout-bluegreen",
            "api.v2+beta"
        ]
    );

    let sim = start_scenario("steady").await;
    let Some(prom) = Prometheus::start(sim.addr) else {
        return;
    };

    // Every preset, watched namespaces given or not (all), is valid PromQL.
    let watched: Vec<String> = ["test", "default", "casino-prod"].map(String::from).into();
    let custom = concat!(
        r#"sum by (namespace, rollout) (rate(http_requests_total{namespace=~"{namespace}","#,
        r#"rollout=~"{rollout}",service=~"{canary_service}|{stable_service}|{active_service}|{preview_service}","#,
        r#"rollouts_pod_template_hash=~"{canary_hash}|{stable_hash}"}[{window}]))"#
    );
    let mut rendered = Vec::new();
    for preset in [Preset::Sim, Preset::Istio, Preset::Nginx] {
        let set = QuerySet::preset(preset).unwrap();
        for kind in MetricKind::ALL {
            for ns in [&watched[..], &[]] {
                let window = Duration::from_secs(90);
                let q = templates::render(set.template(kind), ns, &targets, window).unwrap();
                rendered.push((format!("{preset:?} {kind:?}"), q));
            }
        }
    }
    let q = templates::render(custom, &watched, &targets, Duration::from_millis(30_500)).unwrap();
    assert!(q.contains(r#"rollout=~"api\\.v2\\+beta|podinfo|rollout-bluegreen|rollout-canary""#));
    assert!(q.contains(r#"service=~"podinfo-canary|rollout-bluegreen-preview|podinfo-primary|rollout-bluegreen-active|rollout-bluegreen-active|rollout-bluegreen-preview""#), "{q}");
    assert!(q.contains("[30s500ms]"), "{q}");
    rendered.push(("custom, every placeholder".to_string(), q));
    for (what, q) in &rendered {
        let answer = prom.query(q);
        assert_eq!(answer["status"], "success", "{what}: {q}\n{answer}");
    }

    // The sim preset with casino-prod: the simulator's traffic, per rollout and track.
    let sim_set = QuerySet::preset(Preset::Sim).unwrap();
    let prod = vec!["casino-prod".to_string()];
    let rate =
        templates::render(&sim_set.request_rate, &prod, &[], Duration::from_secs(10)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    let rows = loop {
        let rows = vector(&prom.query(&rate));
        if rows.iter().any(|(_, v)| *v > 0.0) {
            break rows;
        }
        assert!(
            Instant::now() < deadline,
            "Prometheus never had data for {rate}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let payments = MetricTarget {
        key: RolloutKey {
            namespace: "casino-prod".into(),
            name: "payments".into(),
            kind: ControllerKind::ArgoCanary,
        },
        canary_service: None,
        stable_service: None,
        active_service: None,
        preview_service: None,
        canary_hash: None,
        stable_hash: None,
        release_start: None,
    };
    let identity = IdentityLabels::default_for("track").unwrap();
    assert_eq!(sim_set.identity, identity);
    let attributed: Vec<(usize, Side)> = rows
        .iter()
        .flat_map(|(m, v)| attribute(&series(m, *v), &identity, std::slice::from_ref(&payments)))
        .collect();
    assert!(attributed.contains(&(0, Side::Stable)), "{rows:?}");
    let of_payments = rows
        .iter()
        .filter(|(m, _)| m["rollout"] == "payments")
        .count();
    assert_eq!(attributed.len(), of_payments, "{rows:?}");
    for (m, _) in &rows {
        assert_eq!(m["namespace"], "casino-prod", "{m}");
    }

    // The other three sim templates answer too (values may still be NaN for idle tracks).
    for kind in [
        MetricKind::ErrorRatio,
        MetricKind::LatencyP95,
        MetricKind::LatencyP99,
    ] {
        let q =
            templates::render(sim_set.template(kind), &prod, &[], Duration::from_secs(10)).unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while vector(&prom.query(&q)).is_empty() {
            assert!(Instant::now() < deadline, "no series for {q}");
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}
