//! The scale scenario: 5,000 workloads start, the unmodified kube client lists them all in
//! pages and watches the churn, and `/metrics` exposes per-track aggregates (no `pod`) for
//! the in-flight canaries only. Start time and series count are measured by
//! `scripts/sim-scale` (README), not asserted here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::prometheus::get;
use common::sim::client;
use futures::{StreamExt, TryStreamExt};
use kube::api::{
    Api, ApiResource, DynamicObject, GroupVersionKind, ListParams, WatchEvent, WatchParams,
};
use shipdeck::sim::scenario::scale::ScaleOptions;
use shipdeck::sim::{self, SimConfig};

async fn count_all(api: &Api<DynamicObject>) -> (usize, String) {
    let mut params = ListParams::default().limit(500);
    let mut n = 0;
    loop {
        let page = api.list(&params).await.unwrap();
        n += page.items.len();
        let rv = page.metadata.resource_version.clone().unwrap_or_default();
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(token) => params = params.continue_token(&token),
            None => return (n, rv),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_thousand_workloads_start_and_serve_list_and_watch() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let options = ScaleOptions {
        rollouts: 5000,
        namespaces: 10,
        inflight: 50,
        churn: 20.0,
    };
    let sim = sim::start(SimConfig {
        scenario: "scale".into(),
        scale: options,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let c = client(&sim, "sim-operator").await;
    let rollouts: Api<DynamicObject> = Api::all_with(
        c.clone(),
        &ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk("argoproj.io", "v1alpha1", "Rollout"),
            "rollouts",
        ),
    );
    let deployments: Api<DynamicObject> = Api::all_with(
        c.clone(),
        &ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk("apps", "v1", "Deployment"),
            "deployments",
        ),
    );
    // Nine in ten are Rollouts (canary and blue-green), one in ten a Deployment.
    let (n_rollouts, rv) = count_all(&rollouts).await;
    assert_eq!(n_rollouts, 4500);
    assert_eq!(count_all(&deployments).await.0, 500);

    // The churn shows up on a watch from the list's resourceVersion.
    let mut stream = rollouts
        .watch(&WatchParams::default().timeout(60), &rv)
        .await
        .unwrap()
        .boxed();
    let modified = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(ev) = stream.try_next().await.unwrap() {
            if let WatchEvent::Modified(o) = ev {
                return o.metadata.name;
            }
        }
        None
    })
    .await
    .expect("a churned status arrives on the watch");
    assert!(modified.is_some_and(|n| n.starts_with("svc-")));

    // Metrics: per-track aggregates (no pod label) for the 50 in-flight canaries only.
    let (status, text) = get(sim.addr, "/metrics").unwrap();
    assert_eq!(status, 200);
    assert!(!text.contains("pod="));
    let series = text.lines().filter(|l| !l.starts_with('#')).count();
    // Per workload and track: 2 codes, 11 buckets and +Inf, _sum, _count.
    assert_eq!(series, 50 * 2 * 16);
    sim.stop().await;
}
