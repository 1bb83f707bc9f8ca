//! One grouped query's answer with 5,000 series (`sum by (namespace, rollout, track)` over
//! 2,500 rollouts, canary and stable each): parsing the body, and folding the series into
//! per-rollout values as the metrics job does (`fold_instant`), for the 50 rollouts in
//! flight of the `scale` scenario and for 2,500 (every series has a target).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use shipdeck::adapters::prometheus::parse_response;
use shipdeck::domain::metrics::collect::{Sides, fold_instant};
use shipdeck::domain::metrics::prom::QueryData;
use shipdeck::domain::metrics::templates::IdentityLabels;
use shipdeck::domain::metrics::{MetricKind, MetricTarget};
use shipdeck::domain::rollout::{ControllerKind, RolloutKey};

const SERIES: usize = 5_000;
const NAMESPACES: usize = 200;

fn ns_of(i: usize) -> String {
    format!("scale-{}", i % NAMESPACES)
}

fn name_of(i: usize) -> String {
    format!("svc-{i:05}")
}

/// The body Prometheus sends (same shape and number formatting), 5,000 series.
fn body() -> String {
    let mut out = String::from(r#"{"status":"success","data":{"resultType":"vector","result":["#);
    for i in 0..SERIES {
        let (rollout, track) = (i / 2, if i % 2 == 0 { "canary" } else { "stable" });
        if i > 0 {
            out.push(',');
        }
        let v = 0.001 + (i as f64 * 0.618_033_988_7).fract() * 0.05;
        write!(
            out,
            r#"{{"metric":{{"namespace":"{}","rollout":"{}","track":"{track}"}},"value":[1795662000.123,"{v}"]}}"#,
            ns_of(rollout),
            name_of(rollout),
        )
        .unwrap();
    }
    out.push_str("]}}");
    out
}

fn target(i: usize) -> MetricTarget {
    MetricTarget {
        key: RolloutKey {
            namespace: ns_of(i),
            name: name_of(i),
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

fn identity() -> IdentityLabels {
    IdentityLabels::Track {
        namespace: "namespace".into(),
        workload: "rollout".into(),
        track: "track".into(),
    }
}

fn bench_parse(c: &mut Criterion) {
    let body = body();
    let series = match parse_response(200, body.as_bytes()).unwrap() {
        QueryData::Vector(s) => s,
        other => panic!("expected a vector, got {other:?}"),
    };
    assert_eq!(series.len(), SERIES);

    let mut g = c.benchmark_group("prometheus vector, 5,000 series");
    g.sample_size(20);
    g.throughput(Throughput::Bytes(body.len() as u64));
    g.bench_function("parse_response", |b| {
        b.iter(|| parse_response(200, black_box(body.as_bytes())))
    });
    g.throughput(Throughput::Elements(SERIES as u64));
    let identity = identity();
    for in_flight in [50, 2_500] {
        let targets: Vec<MetricTarget> = (0..in_flight).map(target).collect();
        let mut check = Sides::new();
        fold_instant(
            &mut check,
            MetricKind::ErrorRatio,
            &series,
            &identity,
            &targets,
        );
        assert_eq!(check.len(), in_flight, "every target gets its values");
        g.bench_function(format!("fold_instant, {in_flight} targets"), |b| {
            b.iter(|| {
                let mut sides = Sides::new();
                fold_instant(
                    &mut sides,
                    MetricKind::ErrorRatio,
                    black_box(&series),
                    &identity,
                    &targets,
                );
                sides
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);
