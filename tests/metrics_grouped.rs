//! Grouped queries: one interval costs one request per template (two with a "before"
//! group), however many rollouts are in flight; the answers land on the right rollouts.
//! Against the simulator's Prometheus-compatible endpoint.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::sim::{client, mark, requests, start_scenario};
use shipdeck::adapters::metrics_jobs;
use shipdeck::adapters::prometheus::PromClient;
use shipdeck::config::PrometheusConfig;
use shipdeck::domain::metrics::MetricTarget;
use shipdeck::domain::metrics::templates::{Preset, QuerySet};
use shipdeck::domain::rollout::{ControllerKind, RolloutKey};
use shipdeck::state::metrics::{BeforeRequest, MetricsRequest};

fn target(ns: &str, name: &str) -> MetricTarget {
    MetricTarget {
        key: RolloutKey {
            namespace: ns.into(),
            name: name.into(),
            kind: ControllerKind::ArgoCanary,
        },
        canary_service: None,
        stable_service: None,
        active_service: None,
        preview_service: None,
        canary_hash: None,
        stable_hash: None,
        release_start: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_request_per_template_for_any_number_of_rollouts() {
    let sim = start_scenario("casino").await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let prom = PromClient::new(&PrometheusConfig {
        url: format!("http://{}", sim.addr),
        ..PrometheusConfig::default()
    })
    .unwrap();
    let set = QuerySet::preset(Preset::Sim).unwrap();
    let kube = client(&sim, "sim-operator").await;
    let now = chrono::Utc::now();
    for n in [3usize, 300] {
        let mut targets = vec![
            target("casino-prod", "payments"),
            target("casino-prod", "wallet"),
            target("casino-staging", "lobby"),
        ];
        targets.extend((3..n).map(|i| target("casino-prod", &format!("ghost-{i}"))));
        let before = BeforeRequest {
            start: now - chrono::Duration::seconds(1),
            window: std::time::Duration::from_secs(30 * 60),
            targets: targets[..2].to_vec(),
        };
        for with_before in [false, true] {
            let req = MetricsRequest {
                id: 1,
                at: now,
                namespaces: vec!["casino-prod".into(), "casino-staging".into()],
                targets: targets.clone(),
                window: std::time::Duration::from_secs(60),
                before: with_before.then(|| before.clone()),
            };
            let since = mark(&kube).await;
            let answer = metrics_jobs::interval(&prom, &set, &req).await.unwrap();
            let sent = requests(&kube, since)
                .await
                .iter()
                .filter(|r| r["path"] == "/api/v1/query")
                .count();
            let want = if with_before { 8 } else { 4 };
            assert_eq!(sent, want, "{n} rollouts, before={with_before}");
            assert_eq!(answer.current.len(), n, "every target has an entry");
            let wallet = answer.current[&targets[1].key][1];
            assert!(wallet.request_rate.unwrap() > 1.0, "{wallet:?}");
            assert!(wallet.error_ratio.is_some() && wallet.p99.is_some());
            let lobby = answer.current[&targets[2].key][1];
            assert!(
                lobby.request_rate.unwrap() > 1.0,
                "staging is asked for too"
            );
            if n > 3 {
                let ghost = answer.current.get(&targets[n - 1].key).unwrap();
                assert_eq!(ghost[1].request_rate, None, "no series, no value");
            }
            if with_before {
                let (at, values) = answer.before.as_ref().unwrap();
                assert_eq!(*at, before.start);
                assert_eq!(values.len(), 2);
            }
        }
    }
    sim.stop().await;
}
